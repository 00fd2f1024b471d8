"""matcher.learn.features: every feature on creators whose right value is known by construction."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.explain import reasons_for
from matcher.learn.features import DAYS_CAP, FEATURE_NAMES, FEATURES, build_features, select
from matcher.ranking import SignalMatrix
from matcher.schema import Audience, Brief, Creator, Post
from matcher.signals import SIGNALS
from matcher.signals.audience import audience_signal
from matcher.signals.authenticity import authenticity_signal
from matcher.signals.base import Candidates, QueryContext
from matcher.signals.conflict import conflict_signal
from matcher.signals.niche import niche_signal
from matcher.signals.tier import tier_signal
from matcher.signals.tone import tone_signal

AS_OF = date(2026, 11, 1)


def case(brief: Brief, creators: list[Creator], seed: int = 0, dim: int = 8):
    """(SignalMatrix, Candidates) of ``creators`` for ``brief``, with random unit vectors."""
    rng = np.random.default_rng(seed)
    n = len(creators)

    def unit(shape):
        v = rng.normal(size=shape)
        return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)

    voice_known = np.array([bool(c.posts) for c in creators])
    voice = unit((n, dim)) * voice_known[:, None]
    cands = Candidates(list(creators), unit((n, dim)), voice.astype(np.float32), voice_known)
    axis = unit(dim) if brief.tone else None
    ctx = QueryContext(
        query=unit(dim), as_of=AS_OF, tone_axis=axis, tone_label=", ".join(brief.tone) or None
    )
    results = {
        "niche": niche_signal(brief, cands, ctx),
        "tone": tone_signal(brief, cands, ctx),
        "audience": audience_signal(brief, cands, ctx),
        "tier": tier_signal(brief, cands, ctx),
        "conflict": conflict_signal(brief, cands, ctx),
        "authenticity": authenticity_signal(brief, cands, ctx),
    }
    return SignalMatrix.from_results(results), cands


BRIEF = Brief(
    brand="Rapha",
    description="winter cycling jacket",
    brief_id="b1",
    tone=("calm",),
    audience=Audience(gender={"male": 0.6, "female": 0.4}),
    goal="conversion",
    tiers=("micro",),
    budget=10_000.0,
    competitors=("Castelli",),
)
CREATORS = [
    Creator(
        "c0",
        handle="rider",
        bio="road cycling",
        followers=25_000,
        engagement_rate=0.078,
        price_per_post=2_500.0,
        audience=Audience(gender={"male": 0.7, "female": 0.3}),
        posts=(
            Post(
                "Loving my new kit #ad @castelli",
                posted_at=date(2026, 9, 21),
                sponsored=True,
                brands=("castelli",),
            ),
            Post("Long ride today", posted_at=date(2026, 9, 1)),
        ),
    ),
    Creator("c1", bio="gravel", followers=500, posts=(Post("gravel day"),)),
    Creator("c2", bio="nothing known"),
    Creator(
        "c3",
        followers=2_000_000,
        engagement_rate=0.0017,
        price_per_post=900.0,
        currency="EUR",
        posts=(
            Post(
                "Old deal #sponsored with @castelli",
                posted_at=date(2024, 1, 1),
                sponsored=True,
                brands=("castelli",),
            ),
        ),
    ),
    Creator(
        "c4",
        followers=150_000,
        posts=(
            Post(
                "thanks @castelli for the kit #ad",
                posted_at=None,
                sponsored=True,
                brands=("castelli",),
            ),
        ),
    ),
]


@pytest.fixture(scope="module")
def built():
    sm, cands = case(BRIEF, CREATORS)
    X, names = build_features(BRIEF, sm, cands, AS_OF)
    return sm, cands, X, {n: X[:, j] for j, n in enumerate(names)}, names


def test_shape_dtype_and_names(built):
    sm, cands, X, col, names = built
    assert X.shape == (len(CREATORS), len(FEATURE_NAMES))
    assert X.dtype == np.float32
    assert names == list(FEATURE_NAMES) == list(FEATURES)
    assert len(set(names)) == len(names)


def test_every_name_belongs_to_a_signal_or_the_brief():
    for name in FEATURE_NAMES:
        owner = [s for s in SIGNALS if name.startswith(s + "_")]
        assert owner or name.startswith("brief_"), name


def test_signal_columns_copy_the_signal_matrix(built):
    sm, _, _, col, _ = built
    for j, s in enumerate(SIGNALS):
        np.testing.assert_allclose(col[f"{s}_signal"], sm.values[:, j].astype(np.float32))
        np.testing.assert_array_equal(col[f"{s}_known"], sm.known[:, j].astype(np.float32))
    np.testing.assert_allclose(col["niche_cosine"], sm.niche_sim, rtol=1e-6)
    np.testing.assert_allclose(
        col["niche_cosine_gap"], sm.niche_sim - sm.niche_sim.max(), atol=1e-6
    )
    assert col["niche_cosine_gap"].max() == pytest.approx(0.0)


def test_creator_features(built):
    _, _, _, col, _ = built
    np.testing.assert_allclose(
        col["tier_log_followers"][[0, 1, 3]],
        np.log10(1 + np.array([25_000, 500, 2_000_000])),
        rtol=1e-6,
    )
    assert np.isnan(col["tier_log_followers"][2])
    assert col["tier_ordinal"][[0, 1, 3, 4]].tolist() == [2.0, 0.0, 4.0, 3.0]
    assert np.isnan(col["tier_ordinal"][2])
    assert col["tier_price_known"].tolist() == [1, 0, 0, 1, 0]
    # 2,500 USD of a 10,000 USD budget; c3 asks in EUR: converted through the rates table
    from matcher.money import USD_PER_UNIT

    assert col["tier_price_budget_ratio"][0] == pytest.approx(0.25)
    want = 900.0 * USD_PER_UNIT["EUR"] / 10_000
    assert col["tier_price_budget_ratio"][3] == pytest.approx(want)
    assert np.isnan(col["tier_price_budget_ratio"][[1, 2, 4]]).all()
    assert col["audience_has_data"].tolist() == [1, 0, 0, 0, 0]
    assert col["authenticity_engagement_ratio"][0] == pytest.approx(1.0)
    assert col["authenticity_engagement_ratio"][3] == pytest.approx(0.1)
    assert np.isnan(col["authenticity_engagement_ratio"][2])
    assert col["niche_n_posts"].tolist() == [2, 1, 0, 1, 1]
    assert col["tone_has_voice"].tolist() == [1, 1, 0, 1, 1]


def test_conflict_days_since_capped_with_a_none_value(built):
    _, _, _, col, _ = built
    days, has = col["conflict_days_since"], col["conflict_has_competitor_post"]
    assert days[0] == 41 and has[0] == 1  # Castelli 41 days before AS_OF
    assert days[1] == DAYS_CAP and has[1] == 0  # no competitor work: the "none" value
    assert days[3] == DAYS_CAP and has[3] == 1  # older than the cap: capped
    assert np.isnan(days[4]) and has[4] == 1  # undated competitor post: age unknown


def test_brief_flags_and_goal_one_hot(built):
    _, _, _, col, _ = built
    for name in (
        "brief_has_tone",
        "brief_has_audience",
        "brief_has_budget",
        "brief_has_tiers",
        "brief_has_competitors",
        "brief_goal_conversion",
    ):
        assert (col[name] == 1).all(), name
    assert (col["brief_goal_awareness"] == 0).all() and (col["brief_goal_hybrid"] == 0).all()

    bare = Brief(brand="X", description="y")
    sm, cands = case(bare, CREATORS)
    X, names = build_features(bare, sm, cands, AS_OF)
    flags = [j for j, n in enumerate(names) if n.startswith("brief_")]
    assert (X[:, flags] == 0).all()
    assert (X[:, names.index("conflict_days_since")] == DAYS_CAP).all()
    assert (
        X[:, names.index("tier_price_budget_ratio")] != X[:, names.index("tier_price_budget_ratio")]
    ).all()


def test_rows_do_not_depend_on_other_candidates(built):
    """Vectorised, but each row is its creator's own (except features relative to the others)."""
    sm, cands, X, _, names = built
    idx = np.array([3, 0, 4])
    sub_sm = sm.take(idx)
    sub_c = cands.take(idx)
    X2, _ = build_features(BRIEF, sub_sm, sub_c, AS_OF)
    relative = {"niche_cosine_gap", "niche_rank_pct", "niche_z"}
    keep = [j for j, n in enumerate(names) if n not in relative]
    np.testing.assert_array_equal(X2[:, keep], X[idx][:, keep])


def test_empty_candidates():
    sm, cands = case(BRIEF, [])
    X, names = build_features(BRIEF, sm, cands, AS_OF)
    assert X.shape == (0, len(names))


def test_select_picks_columns_by_name_and_rejects_unknown(built):
    _, _, X, col, names = built
    out = select(X, names, ["tier_ordinal", "niche_cosine"])
    np.testing.assert_array_equal(out[:, 1], col["niche_cosine"])
    with pytest.raises(ValueError, match="unknown feature"):
        select(X, names, ["nope"])


def test_feature_contributions_are_credited_to_their_signal(built):
    sm, _, _, _, _ = built
    n = len(CREATORS)
    contrib = {name: np.zeros(n) for name in FEATURE_NAMES}
    contrib["audience_known"][0] = 5.0  # audience moved creator 0 most
    contrib["brief_has_tone"][0] = 50.0  # brief-side: credited to no signal
    reasons = reasons_for(0, sm.results, contrib)
    assert reasons[0] == sm.results["niche"].notes[0]  # niche always first
    assert reasons[1] == sm.results["audience"].notes[0]
