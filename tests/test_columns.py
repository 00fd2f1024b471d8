"""The column records (matcher.columns) give every signal, part and hard rule exactly what the
per-creator code gives, including for records the columns cannot hold (read from the creator);
an index without them (written before) ranks the same; updates keep them."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date

import numpy as np
import pytest
from conftest import SAMPLE, sample_creators

from matcher import columns
from matcher.engine import Matcher
from matcher.io import read_briefs
from matcher.lazy import LazyCreators, post_texts
from matcher.pricing import PriceModel
from matcher.rules import HardRules
from matcher.schema import TIER_ENGAGEMENT_NORM, Audience, Brief, Creator, Post, tier_of
from matcher.serve.facts import shortlist_json
from matcher.signals.audience import _fits, audience_signal
from matcher.signals.authenticity import authenticity_signal
from matcher.signals.base import Candidates, QueryContext
from matcher.signals.tier import GOAL_FIT, budget_fit, price_of, tier_list_fit, tier_signal

AS_OF = date(2026, 11, 1)


def odd_creators() -> list[Creator]:
    """Records the columns cannot hold exactly, and edge values they must."""
    seven = {k: 1 / 7 for k in ("us", "gb", "de", "fr", "es", "it", "nl")}
    return [
        Creator(
            "seven-countries",
            platform="instagram",
            country="NL",
            language="en",
            followers=50_000,
            audience=Audience(countries=seven),
        ),  # fmt: skip
        Creator(
            "same-country-twice",
            country="US",
            followers=5_000,
            audience=Audience(countries={"us": 0.3, "US": 0.4, "de": 0.3}),
        ),  # fmt: skip
        Creator(
            "long-platform",
            platform="instagram-reels-and-stories",
            followers=2_000_000,
            price_per_post=900.0,
            currency="gbp",
        ),  # fmt: skip
        Creator(
            "long-language",
            language="português-brasileiro",
            country="BR",
            followers=120_000,
            price_per_post=5_000.0,
            currency="BRL",
        ),  # fmt: skip
        Creator("exotic-currency", followers=40_000, price_per_post=100.0, currency="XXXXX"),
        Creator("unknown-currency", followers=40_000, price_per_post=100.0, currency="QQQ"),
        Creator("no-followers", engagement_rate=0.05, price_per_post=10.0),
        Creator("zero-followers", followers=0, posts=(Post("hi", likes=3),)),
        Creator("emerging", followers=999, posts=(Post("a", likes=10, comments=2),)),
        Creator(
            "market-not-based",
            country="CA",
            language="EN",
            platform="YouTube",
            followers=10_000,
            audience=Audience(countries={"US": 0.25, "CA": 0.75}),
        ),  # fmt: skip
    ]


def briefs() -> list[Brief]:
    base = Brief(brand="Acme", description="a product")
    target = Audience(age={"18-24": 0.5, "25-34": 0.5}, gender={"female": 0.7, "male": 0.3},
                      countries={"us": 0.6, "GB": 0.4})  # fmt: skip
    return [
        base,
        dataclasses.replace(base, tiers=("micro", "macro"), goal="conversion", budget=2_000.0),
        dataclasses.replace(base, goal="awareness", budget=30_000.0, currency="EUR"),
        dataclasses.replace(base, budget=500.0, currency="GBP", audience=target),
        dataclasses.replace(
            base,
            countries=("US", "de"),
            languages=("EN", "pt"),
            platforms=("instagram",),
            exclude_creators=("emerging",),
        ),  # fmt: skip
        dataclasses.replace(base, budget=1_000.0, currency="ZZZ", countries=("BR",)),
        *read_briefs(SAMPLE / "briefs.jsonl"),
    ]


def cands(creators: list[Creator]) -> Candidates:
    z = np.zeros((len(creators), 4), dtype=np.float32)
    return Candidates(creators, z, z.copy(), np.zeros(len(creators), bool))


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the last bit, nan where nan."""
    return np.array_equal(np.asarray(a, float), np.asarray(b, float), equal_nan=True)


@pytest.fixture(scope="module")
def creators() -> list[Creator]:
    return [*sample_creators(), *odd_creators()]


def test_inexact_records_are_marked(creators):
    cols = columns.of_creators(creators)
    odd = {c.creator_id for c, ok in zip(creators, cols["exact"], strict=True) if not ok}
    assert odd == {"seven-countries", "same-country-twice", "long-platform", "long-language",
                   "exotic-currency"}  # fmt: skip
    assert cols["exact"][: len(creators) - 10].all()  # every sample creator fits
    tiers = columns.TIER_ORDER
    for c, code in zip(creators, columns.tier_codes(cols["followers"]), strict=True):
        assert tier_of(c.followers) == (tiers[code] if code >= 0 else None)


@pytest.mark.parametrize("i", range(len(briefs())))
def test_signals_equal_the_per_creator_rules(creators, i):
    b = briefs()[i]
    ctx = QueryContext(np.zeros(4, np.float32), AS_OF, prices=PriceModel.fit(creators))
    c = cands(creators)
    aud, tier, auth = (f(b, c, ctx) for f in (audience_signal, tier_signal, authenticity_signal))
    rules = HardRules(b)
    why = rules.check(c.columns, c.ids, creators)
    langs, markets = {x.lower() for x in b.languages}, {x.upper() for x in b.countries}
    for j, cr in enumerate(creators):
        # hard rules, and their sentence
        assert (why[j] is None) == (rules(cr) is None), cr.creator_id
        assert why[j] is None or str(why[j]) == rules(cr)
        # authenticity: engagement over the tier norm
        er, t = columns.engagement_of(cr), tier_of(cr.followers)
        want = np.nan if er is None or t is None else er / TIER_ENGAGEMENT_NORM[t]
        assert same(auth.parts["engagement_ratio"][j], want), cr.creator_id
        # audience: each intersection and their mean
        fits = _fits(aud_target(b), cr.audience) if cr.audience and aud_target(b) else {}
        for name in ("age_fit", "gender_fit", "country_fit"):
            assert same(aud.parts[name][j], fits.get(name, np.nan)), (cr.creator_id, name)
        if fits:
            assert aud.score[j] == min(1.0, max(0.0, sum(fits.values()) / len(fits)))
        lang = float(cr.language.lower() in langs) if langs and cr.language else np.nan
        based = float(cr.country.upper() in markets) if markets and cr.country else np.nan
        assert same(aud.parts["language_match"][j], lang)
        assert same(aud.parts["country_match"][j], based)
        # tier: list, goal and budget fits
        if not (b.tiers or b.goal or b.budget) or t is None:
            continue
        wanted = tuple(x for x in b.tiers if x in columns.TIER_ORDER)
        assert same(tier.parts["list_fit"][j], tier_list_fit(t, wanted) if wanted else np.nan)
        assert same(tier.parts["goal_fit"][j], GOAL_FIT[b.goal][t] if b.goal else np.nan)
        p = price_of(cr, b.currency, None, ctx.prices) if b.budget else None
        assert same(tier.parts["budget_fit"][j], np.nan if p is None or not b.budget
                    else budget_fit(p[0], b.budget)), cr.creator_id  # fmt: skip
    assert aud.notes[len(creators) - 1]  # reasons are still made, from the creator


def aud_target(b: Brief) -> dict:
    from matcher.signals.audience import _target

    return _target(b)


def test_an_index_without_columns_ranks_the_same(sample_index_dir, tmp_path):
    old = tmp_path / "old-index"
    shutil.copytree(sample_index_dir, old)
    (old / "columns.npy").unlink()  # as written before the columns were stored
    new, before = (Matcher.open(p, ranker="weighted", as_of=AS_OF) for p in (sample_index_dir, old))
    assert new.index.columns is not None and before.index.columns is None
    for b in read_briefs(SAMPLE / "briefs.jsonl"):
        a, z = new.recommend(b, 10), before.recommend(b, 10)
        assert json.dumps(shortlist_json(new, a, b.currency), default=str) == json.dumps(
            shortlist_json(before, z, b.currency), default=str
        )


def test_lazy_creators_decode_only_what_is_read(sample_index_dir):
    m = Matcher.open(sample_index_dir, ranker="weighted")
    db = m.index.catalogue
    db._cache.clear()
    rows = np.arange(50, 80)
    lazy = LazyCreators(db, rows)
    assert lazy.ids == [c.creator_id for c in db.get_rows(rows)] and len(lazy) == 30
    db._cache.clear()
    sub = lazy.take(np.array([3, 1]))
    assert sub.ids == [lazy.ids[3], lazy.ids[1]] and not db._cache
    assert sub[0].creator_id == lazy.ids[3] and len(db._cache) == 1
    pairs = [(i, j) for i in range(30) for j in (0, 2, 99)]
    posts = [c.posts for c in db.get_rows(rows)]
    want = [posts[i][j].text if j < len(posts[i]) else "" for i, j in pairs]
    assert post_texts(lazy, pairs) == want  # read by SQLite, as decoded
    assert post_texts(list(db.get_rows(rows)), pairs) == want


def test_a_damaged_columns_file_is_reported(sample_index_dir, tmp_path):
    from matcher.errors import IndexMismatchError
    from matcher.index import CreatorIndex

    bad = tmp_path / "bad-index"
    shutil.copytree(sample_index_dir, bad)
    cols = np.load(bad / "columns.npy")
    np.save(bad / "columns.npy", cols[:-3])
    with pytest.raises(IndexMismatchError, match="damaged|rebuild"):
        CreatorIndex.load(bad)
