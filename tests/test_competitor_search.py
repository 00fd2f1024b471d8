"""The sponsor search texts (matcher.competitor_search): a brief's needles find every creator
whose sponsored posts BrandMatcher finds naming a competitor, the catalogue keeps the texts
through builds, updates and fills, and shortlists are the same with and without them."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import sqlite3
import string
import sys
from datetime import date

import numpy as np
import pytest
from conftest import SAMPLE, sample_creators

from matcher.brands import BrandMatcher, brand_key
from matcher.catalogue import CatalogueDB
from matcher.competitor_search import (
    ASCII_EQUIVALENTS,
    may_name,
    needles,
    search_text,
    squash,
)
from matcher.engine import Matcher
from matcher.history import SponsorEvent, sponsorship_events
from matcher.io import read_briefs
from matcher.schema import Creator, Post
from matcher.serve.facts import shortlist_json

AS_OF = date(2026, 11, 24)
ALNUM = string.digits + string.ascii_lowercase

#: names that exercise every way BrandMatcher matches: multi-word, short, ordinary words,
#: corporate and descriptor suffixes, starts/ends containment, accents
TRICKY = [
    "HOKA ONE ONE", "Hoka", "hokarunning", "On", "NB", "Alo", "Logitech G", "rapha.cc",
    "Moment", "Wise", "Amazon Kindle", "kindle", "Under Armour", "L'Oréal Paris", "Dr. Martens",
    "7up", "belkin_official", "castelli_cycling", "whiskasuk", "New Balance", "Salomon",
    "onrunning", "Brooks Running", "Skims", "Kiehl's", "Björn Borg", "Sephora", "SK-II",
]  # fmt: skip


def found_by_matcher(matcher: BrandMatcher, creator: Creator, events: list[SponsorEvent]) -> bool:
    """What the conflict signal finds: partners first, else the post's text."""
    for ev in events:
        got = matcher.match_indices(ev.brands)
        if not got and 0 <= ev.post_index < len(creator.posts):
            got = matcher.match_indices((), creator.posts[ev.post_index].text)
        if got:
            return True
    return False


def passes(matcher: BrandMatcher, text: str) -> bool:
    return any(n in text for n in needles(matcher))


def test_ascii_equivalents_are_exactly_those_of_re():
    any_alnum = re.compile("[0-9a-z]", re.IGNORECASE)
    found = {}
    for code in range(0x80, sys.maxunicode + 1):
        ch = chr(code)
        if any_alnum.fullmatch(ch):
            found[code] = next(a for a in ALNUM if re.fullmatch(a, ch, re.IGNORECASE))
    assert found == ASCII_EQUIVALENTS
    assert squash("Paid partnership w/ @Hoka_One.One: NIKE-running, Dıor, \u212aiehl's, Crème") == (
        "paidpartnershipwhokaoneonenikerunningdiorkiehlscreme"
    )


def test_handles_are_searched_as_the_matcher_reads_them():
    """A handle's key drops what ``str.lower`` keeps non-ASCII ("@kıehls" -> "kehls") while the
    squashed text maps it ("kiehls"): the handle's key is in the search text too."""
    creator = Creator(creator_id="c", posts=(Post(text="thanks @kıehls for the serum #ad"),))
    events = [SponsorEvent(None, (), "x", 0)]
    matcher = BrandMatcher(["Kehls"])
    assert found_by_matcher(matcher, creator, events)
    assert "kehls" not in squash(creator.posts[0].text)
    assert passes(matcher, search_text(creator, events))


def _spellings(name: str, rng: random.Random) -> list[str]:
    """Ways a post may write ``name``: other separators and case, re's case equivalents, as a
    handle or hashtag with a suffix, inside other words."""
    words = re.findall(r"[0-9A-Za-zÀ-ÿ]+", name)
    out = []
    for _ in range(6):
        sep = rng.choice(["", " ", ".", "_", "-", "  "])
        s = sep.join(words)
        s = rng.choice([s, s.lower(), s.upper(), s.title()])
        s = s.replace("i", rng.choice("iı")).replace("s", rng.choice("sſ"))
        s = s.replace("k", rng.choice(["k", "\u212a"]))
        out.append(s)
    joined = "".join(words).lower()
    out += [f"@{joined}", f"@{joined}running", f"@{joined}_uk", f"#{joined}", f"@the{joined}",
            f"{joined}s", f"x{joined}", f"@{joined[:4]}", f"@{joined[:-1]}"]  # fmt: skip
    return out


def test_needles_find_everything_the_matcher_finds_in_made_up_posts():
    rng = random.Random(7)
    seen = missed_none = 0
    for name in TRICKY:
        matcher = BrandMatcher([name])
        for other in TRICKY:
            for spelled in _spellings(other, rng):
                text = f"{rng.choice(['Loving', 'LOVE', 'so'])} {spelled}! #ad code SAVE10"
                creator = Creator(creator_id="c", posts=(Post(text=text),))
                for partners in ((), (other,), ("".join(re.findall(r"\w+", spelled)).lower(),)):
                    events = [SponsorEvent(None, tuple(brand_key(p) for p in partners), "x", 0)]
                    hit = found_by_matcher(matcher, creator, events)
                    seen += hit
                    if hit:
                        assert passes(matcher, search_text(creator, events)), (name, text, partners)
                    else:
                        missed_none += 1
    assert seen > 300 and missed_none > 300  # both outcomes are exercised


def test_needles_find_everything_in_the_sample_and_prune_most():
    creators = sample_creators()
    names = TRICKY + [c for b in read_briefs(SAMPLE / "briefs.jsonl") for c in b.competitors]
    partners = sorted({k for c in creators for ev in sponsorship_events(c) for k in ev.brands})
    names += partners[::7]
    stored = [(c, evs) for c in creators if (evs := sponsorship_events(c))]
    texts = [search_text(c, evs) for c, evs in stored]
    hits = passed = 0
    for name in names:
        matcher = BrandMatcher([name])
        if not matcher:
            continue
        for (c, evs), text in zip(stored, texts, strict=True):
            hit = found_by_matcher(matcher, c, evs)
            ok = passes(matcher, text)
            assert ok or not hit, (name, c.creator_id)
            hits += hit
            passed += ok
    assert hits > 100
    assert passed < 0.2 * len(names) * len(stored)  # most creators are never read


def _catalogue(path, creators, **kw) -> CatalogueDB:
    db = CatalogueDB(path)
    db.insert(0, creators, **kw)
    return db


def _state(db: CatalogueDB, rows, matcher: BrandMatcher) -> list[int]:
    """1: the row's search text may name a competitor, 0: it cannot, -1: the row has none."""
    texts = db.sponsor_texts(np.asarray(rows), needles(matcher))
    assert texts is not None
    return [-1 if r not in texts else int(texts[r] is not None) for r in rows]


def test_the_catalogue_keeps_search_texts_and_says_which_rows_may_name(tmp_path):
    creators = sample_creators(300)
    db = _catalogue(tmp_path / "c.sqlite", creators[:200])
    db.insert(200, creators[200:], events=False)  # a fast build: events left to the fill
    want = BrandMatcher(["Salomon", "Hoka", "CeraVe"])
    may = _state(db, range(300), want)
    assert set(may[200:]) == {-1}
    truth = [found_by_matcher(want, c, sponsorship_events(c)) for c in creators[:200]]
    assert all(may[i] == 1 for i in range(200) if truth[i])
    assert 0 < may[:200].count(1) < 100 and sum(truth) > 0
    assert db.fill_events() == 100
    after = _state(db, range(300), want)
    assert after[:200] == may[:200] and -1 not in after
    db.close()
    # read only, as a server opens it: the same answer; rows asked twice or in any order
    ro = CatalogueDB(tmp_path / "c.sqlite", readonly=True)
    assert _state(ro, [5, 299, 5, 0], want) == [after[5], after[299], after[5], after[0]]
    ro.close()


def test_only_the_sponsored_posts_that_may_name_a_competitor_are_matched():
    creators = [c for c in sample_creators() if len(sponsorship_events(c)) >= 2]
    matcher = BrandMatcher(["Salomon", "Hoka", "CeraVe", "Gymshark"])
    kept = dropped = 0
    for c in creators:
        evs = sponsorship_events(c)
        some = may_name(search_text(c, evs), evs, needles(matcher))
        assert all(ev in evs for ev in some)
        for ev in evs:
            if ev not in some:
                assert not found_by_matcher(matcher, c, [ev])
        kept += len(some)
        dropped += len(evs) - len(some)
    assert kept > 0 and dropped > 5 * kept
    evs = sponsorship_events(creators[0])
    assert may_name("no|parts|line|up|" * 9, evs, ["zzz"]) == evs  # then none is dropped


def test_texts_of_another_version_or_none_are_not_used(tmp_path):
    path = tmp_path / "c.sqlite"
    _catalogue(path, sample_creators(50)).close()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'search_version'")
    assert CatalogueDB(path, readonly=True).sponsor_texts(np.arange(3), ["ab"]) is None
    db = CatalogueDB(path)  # writable: stale texts dropped, rows written from now on get theirs
    assert db.search_stored and db.sponsor_texts(np.arange(3), ["ab"]) == {}
    db.fill_events()  # fills only rows without events: these keep none and are read in full
    db.update(put=[(0, sample_creators(1)[0], None)])  # type: ignore[list-item]
    assert db.sponsor_texts(np.arange(2), ["zzzz"]) == {0: None}


def test_update_moves_and_deletes_search_texts_with_their_rows(tmp_path):
    creators = sample_creators(60)
    db = _catalogue(tmp_path / "c.sqlite", creators)
    texts = dict(db.by_row("search"))
    new = sample_creators(61)[60]
    db.update(delete=[3, 7], moves=[(59, 3), (58, 7)], put=[(10, new, None)])  # type: ignore[list-item]
    got = dict(db.by_row("search"))
    assert len(got) == 58 and got[3] == texts[59] and got[7] == texts[58]
    assert got[10] == search_text(new, sponsorship_events(new)) and 59 not in got


@pytest.fixture(scope="module")
def unsearched_index(sample_index_dir, tmp_path_factory):
    """The sample index as written before search texts: every candidate's events are read."""
    old = tmp_path_factory.mktemp("old") / "index"
    shutil.copytree(sample_index_dir, old)
    with sqlite3.connect(old / "catalogue.sqlite") as con:
        con.execute("DROP TABLE sponsor_search")
        con.execute("DELETE FROM meta WHERE key = 'search_version'")
    return old


@pytest.mark.parametrize("show_conflicts", [False, True])
def test_shortlists_are_the_same_with_and_without_search_texts(
    sample_index_dir, unsearched_index, show_conflicts
):
    new, before = (Matcher.open(p, ranker="weighted", as_of=AS_OF)
                   for p in (sample_index_dir, unsearched_index))  # fmt: skip
    assert new.index.catalogue.search_stored and not before.index.catalogue.search_stored
    briefs = read_briefs(SAMPLE / "briefs.jsonl")
    # every brief against each competitor list, so that conflicts are found and shown
    lists = [b.competitors for b in briefs if b.competitors] + [tuple(TRICKY)]
    conflicts = 0
    for b in briefs:
        for comps in lists[:4]:
            brief = dataclasses.replace(b, competitors=comps, exclusivity_days=400)
            for m in (new, before):
                m.settings = dataclasses.replace(m.settings, show_conflicts=show_conflicts)
            a, z = new.recommend(brief, 20), before.recommend(brief, 20)
            ja, jz = (json.dumps(shortlist_json(m, s, b.currency), default=str)
                      for m, s in ((new, a), (before, z)))  # fmt: skip
            assert ja == jz
            conflicts += ja.count("(competitor)")
    assert conflicts > 5
