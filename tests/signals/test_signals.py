"""Each signal on cases whose right answer is known by construction."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.schema import Audience, Brief, Creator, Post
from matcher.signals.audience import audience_signal
from matcher.signals.authenticity import authenticity_signal, engagement_ratio
from matcher.signals.base import Candidates, QueryContext, SignalResult
from matcher.signals.niche import niche_signal
from matcher.signals.tier import budget_fit, tier_signal
from matcher.signals.tone import tone_axis, tone_signal


def cands_of(creators, encoder=None, dim: int = 8) -> Candidates:
    n = len(creators)
    if encoder is None:
        z = np.zeros((n, dim), dtype=np.float32)
        return Candidates(list(creators), z, z.copy(), np.zeros(n, bool))
    from matcher.index import embed_creators

    content, voice, known = embed_creators(creators, encoder)
    return Candidates(list(creators), content, voice, known)


def ctx(dim: int = 8, **kw) -> QueryContext:
    return QueryContext(query=np.zeros(dim, np.float32), as_of=date(2026, 11, 1), **kw)


def brief(**kw) -> Brief:
    return Brief(brand="Acme", description="a product", **kw)


# -- audience ---------------------------------------------------------------------------------


def test_audience_identical_distribution_scores_one_and_disjoint_zero():
    target = Audience(age={"18-24": 0.5, "25-34": 0.5}, gender={"female": 1.0})
    same = Creator("same", audience=target)
    other = Creator("other", audience=Audience(age={"55-64": 1.0}, gender={"male": 1.0}))
    r = audience_signal(brief(audience=target), cands_of([same, other]), ctx())
    assert r.score[0] == pytest.approx(1.0)
    assert r.score[1] == pytest.approx(0.0)
    assert r.known.tolist() == [True, True]
    assert "matches target" in r.notes[0] and "misses target" in r.notes[1]


def test_audience_unknown_is_marked_not_invented():
    c = Creator("x")
    r = audience_signal(brief(audience=Audience(gender={"female": 1.0})), cands_of([c]), ctx())
    assert not r.known[0]
    assert r.notes[0] == "no audience data: audience not scored"


def test_audience_only_parts_known_on_both_sides_count():
    # brief targets gender and age; the creator only has gender -> score is the gender overlap
    c = Creator("g", audience=Audience(gender={"female": 0.7, "male": 0.3}))
    b = brief(audience=Audience(age={"18-24": 1.0}, gender={"female": 1.0}))
    r = audience_signal(b, cands_of([c]), ctx())
    assert r.score[0] == pytest.approx(0.7)
    assert "70% female" in r.notes[0]


def test_audience_countries_from_brief_markets():
    c_us = Creator("us", audience=Audience(countries={"US": 0.8, "CA": 0.1}))
    c_fr = Creator("fr", audience=Audience(countries={"FR": 0.9}))
    r = audience_signal(brief(countries=("US", "CA")), cands_of([c_us, c_fr]), ctx())
    assert r.score[0] > 0.5 > r.score[1]


def test_audience_no_target_is_unknown_for_everyone():
    r = audience_signal(
        brief(), cands_of([Creator("a", audience=Audience(gender={"male": 1.0}))]), ctx()
    )
    assert not r.known.any()


# -- tier -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "followers,goal,better_than",
    [
        (50_000, "conversion", 5_000_000),
        (5_000_000, "awareness", 50_000),
        (300_000, "hybrid", 2_000),
    ],
)
def test_tier_goal_prefers_the_right_tier(followers, goal, better_than):
    cs = [Creator("a", followers=followers), Creator("b", followers=better_than)]
    r = tier_signal(brief(goal=goal), cands_of(cs), ctx())
    assert r.score[0] > r.score[1]


def test_tier_list_in_list_beats_neighbour_beats_far():
    cs = [
        Creator("in", followers=50_000),
        Creator("near", followers=500_000),
        Creator("far", followers=5_000_000),
    ]
    r = tier_signal(brief(tiers=("micro",)), cands_of(cs), ctx())
    assert r.score[0] == 1.0 and r.score[0] > r.score[1] > r.score[2]


def test_tier_budget_uses_price_or_tier_estimate():
    cheap = Creator("cheap", followers=20_000, price_per_post=300.0)
    dear = Creator("dear", followers=20_000, price_per_post=9_000.0)
    unknown = Creator("est", followers=20_000)
    r = tier_signal(brief(budget=2_000.0), cands_of([cheap, dear, unknown]), ctx())
    assert r.score[0] > r.score[2] > r.score[1]
    assert "estimate" in r.notes[2] and "over" in r.notes[1]


def test_budget_fit_is_monotone():
    vals = [budget_fit(p, 1000.0) for p in (100, 250, 500, 1000, 2000, 10000)]
    assert vals == sorted(vals, reverse=True)
    assert vals[0] == 1.0 and 0 < vals[-1] < 0.1


def test_tier_unknown_followers_and_no_preferences():
    r = tier_signal(brief(goal="awareness"), cands_of([Creator("x")]), ctx())
    assert not r.known[0]
    r = tier_signal(brief(), cands_of([Creator("x", followers=10)]), ctx())
    assert not r.known.any()


# -- authenticity -----------------------------------------------------------------------------


def test_authenticity_judged_within_tier():
    # 3% is healthy for macro (norm 3.2%) but far below the norm for nano (12.4%)
    macro = Creator("macro", followers=300_000, engagement_rate=0.03)
    nano = Creator("nano", followers=3_000, engagement_rate=0.03)
    bought = Creator("bought", followers=50_000, engagement_rate=0.004)
    r = authenticity_signal(brief(), cands_of([macro, nano, bought]), ctx())
    assert r.score[0] == pytest.approx(1.0)
    assert r.score[1] < 0.5
    assert r.score[2] < 0.15 and "suspected bought followers" in r.notes[2]


def test_engagement_falls_back_to_posts():
    c = Creator(
        "p",
        followers=10_000,
        posts=(Post("a", likes=700, comments=80), Post("b", likes=900, comments=120)),
    )
    ratio = engagement_ratio([c])
    assert ratio[0] == pytest.approx((0.09) / 0.078)


def test_authenticity_unknown_without_data():
    r = authenticity_signal(brief(), cands_of([Creator("x", engagement_rate=0.05)]), ctx())
    assert not r.known[0]


# -- niche and tone with the fake encoder (unit) ---------------------------------------------


def test_niche_orders_by_similarity(fake_encoder):
    runner = Creator("run", bio="trail running ultra marathon races mountains")
    baker = Creator("bake", bio="sourdough bread baking recipes")
    cands = cands_of([runner, baker], fake_encoder)
    q = fake_encoder.encode(["trail running shoes for ultra races"])[0]
    r = niche_signal(brief(), cands, QueryContext(query=q, as_of=date(2026, 1, 1)))
    assert r.score[0] > r.score[1]
    assert r.known.all()


def test_niche_unknown_without_text(fake_encoder):
    cands = cands_of([Creator("empty")], fake_encoder)
    q = fake_encoder.encode(["anything"])[0]
    r = niche_signal(brief(), cands, QueryContext(query=q, as_of=date(2026, 1, 1)))
    assert not r.known[0]


def test_tone_unknown_without_brief_tone_or_posts(fake_encoder):
    c = Creator("a", posts=(Post("lol so funny haha"),))
    cands = cands_of([c, Creator("nopost", bio="hi")], fake_encoder)
    r = tone_signal(brief(), cands, ctx(dim=fake_encoder.dim))
    assert not r.known.any()
    axis = tone_axis("funny", fake_encoder)
    r = tone_signal(
        brief(tone=("funny",)), cands, ctx(dim=fake_encoder.dim, tone_axis=axis, tone_label="funny")
    )
    assert r.known.tolist() == [True, False]


def test_signal_result_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SignalResult("x", np.array([1.5]), np.array([True]), ["n"])
