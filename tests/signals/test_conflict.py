"""Conflict signal: competitor partnerships exclude (current) or mildly penalise (older)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from matcher.brands import display_brand
from matcher.history import SponsorEvent, sponsorship_events
from matcher.schema import Brief, Creator, Post
from matcher.signals.base import Candidates, QueryContext
from matcher.signals.conflict import conflict_signal

AS_OF = date(2026, 11, 1)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def creator(cid: str, *posts: Post) -> Creator:
    return Creator(creator_id=cid, handle=cid, posts=tuple(posts))


def promo(days: int | None, brand: str = "Hoka", text: str = "new shoes #ad") -> Post:
    return Post(
        text=text,
        posted_at=None if days is None else ago(days),
        sponsored=True,
        brands=(brand,),
    )


def cands(*creators: Creator) -> Candidates:
    n = len(creators)
    z = np.zeros((n, 4), dtype=np.float32)
    return Candidates(list(creators), z, z.copy(), np.ones(n, dtype=bool))


def ctx() -> QueryContext:
    return QueryContext(query=np.zeros(4, dtype=np.float32), as_of=AS_OF)


def brief(*competitors: str, days: int = 90) -> Brief:
    return Brief(
        brand="Brooks", description="running shoes", competitors=competitors, exclusivity_days=days
    )


def run(b: Brief, *creators: Creator, **kw):  # type: ignore[no-untyped-def]
    return conflict_signal(b, cands(*creators), ctx(), **kw)


def test_current_conflict_is_excluded_with_reason():
    r = run(brief("Hoka"), creator("a", promo(41)), creator("b", promo(41, "Nike")))
    assert r.name == "conflict"
    assert r.exclude is not None
    assert r.exclude.tolist() == [True, False]
    assert r.why[0] == "promoted Hoka (competitor) 41 days ago"
    assert r.why[1] == ""
    assert r.score.tolist() == [0.0, 1.0]
    assert r.notes[1] == "no competitor partnerships found"
    assert r.known.tolist() == [True, True]


@pytest.mark.parametrize(("days", "excluded"), [(0, True), (89, True), (90, False), (91, False)])
def test_exclusivity_window_boundary(days, excluded):
    r = run(brief("Hoka"), creator("a", promo(days)))
    assert r.exclude is not None
    assert bool(r.exclude[0]) is excluded
    if not excluded:
        assert 0.6 <= r.score[0] < 0.61
        assert r.notes[0].endswith("days ago: older, non-exclusive work, mild penalty")


@pytest.mark.parametrize(
    ("window", "days", "excluded"),
    [(30, 29, True), (30, 30, False), (365, 300, True), (365, 365, False)],
)
def test_custom_exclusivity_days(window, days, excluded):
    r = run(brief("Hoka", days=window), creator("a", promo(days)))
    assert r.exclude is not None
    assert bool(r.exclude[0]) is excluded


def test_no_exclusivity_window_only_penalises():
    r = run(brief("Hoka", days=0), creator("a", promo(3)), creator("b", promo(None)))
    assert r.exclude is not None
    assert not r.exclude.any()
    assert r.score.min() >= 0.6 and r.score.max() <= 0.9


def test_older_work_penalty_rises_with_age():
    ages = [90, 120, 200, 300, 365, 800]
    r = run(brief("Hoka"), *(creator(f"c{d}", promo(d)) for d in ages))
    assert r.exclude is not None and not r.exclude.any()
    assert np.all(np.diff(r.score) >= 0)
    assert r.score[0] == pytest.approx(0.6)
    assert r.score[-2] == pytest.approx(0.9) and r.score[-1] == pytest.approx(0.9)
    assert r.notes[2] == (
        "promoted Hoka (competitor) 200 days ago: older, non-exclusive work, mild penalty"
    )


def _reference_score(days: int | None, window: int) -> float:
    """Slow and obvious: the documented rule for one creator with one competitor post."""
    if window > 0 and (days is None or days < window):
        return 0.0
    if days is None:
        return 0.6
    end = max(365, window + 90)
    frac = min(1.0, max(0.0, (days - window) / (end - window)))
    return 0.6 + 0.3 * frac


def test_scores_match_reference_and_stay_in_unit_interval():
    rng = np.random.default_rng(7)
    for window in (0, 30, 90, 180, 365, 500):
        ages: list[int | None] = [int(d) for d in rng.integers(0, 1200, size=60)]
        ages += [None, window, window - 1 if window else 0, window + 1]
        r = run(
            brief("HOKA ONE ONE", days=window),
            *(creator(f"c{i}", promo(d)) for i, d in enumerate(ages)),
        )
        expected = [_reference_score(d, window) for d in ages]
        np.testing.assert_allclose(r.score, expected)
        assert r.score.min() >= 0.0 and r.score.max() <= 1.0


def test_most_recent_competitor_post_decides():
    c = creator("a", promo(300), promo(20, "@hokaoneone"), promo(5, "Nike"))
    r = run(brief("hoka"), c)
    assert r.why[0] == "promoted Hoka (competitor) 20 days ago"


@pytest.mark.parametrize(
    "spelling", ["HOKA ONE ONE", "@hoka", "hokaoneone", "Hoka", "hoka.one.one"]
)
def test_competitor_spellings(spelling):
    posts = [promo(10, b) for b in ("HOKA ONE ONE", "@hoka", "hokaoneone", "Hoka", "hoka.one.one")]
    r = run(brief(spelling), *(creator(f"c{i}", p) for i, p in enumerate(posts)))
    assert r.exclude is not None and r.exclude.all()
    assert r.why[0] == f"promoted {display_brand(spelling)} (competitor) 10 days ago"


def test_competitor_named_only_in_text_of_sponsored_post():
    post = Post(text="Hoka has been part of my routine lately. #ad", posted_at=ago(12))
    r = run(brief("HOKA ONE ONE"), creator("a", post))
    assert r.exclude is not None and r.exclude[0]
    assert r.why[0] == "promoted HOKA ONE ONE (competitor) 12 days ago"


def test_plain_mention_is_not_a_conflict():
    posts = (
        Post(text="I love my old hoka shoes", posted_at=ago(3), sponsored=False),
        Post(text="Hoka or Nike for a marathon? @hoka", posted_at=ago(4)),  # flag unknown
    )
    r = run(brief("Hoka"), creator("a", *posts))
    assert r.exclude is not None and not r.exclude[0]
    assert r.score[0] == 1.0
    assert r.notes[0] == "no competitor partnerships found"


def test_new_balance_is_not_new():
    post = Post(text="my new shoes #ad", posted_at=ago(3), brands=("New",))
    r = run(brief("New Balance"), creator("a", post))
    assert r.score[0] == 1.0


def test_undated_sponsored_post_counts_as_current():
    r = run(brief("Hoka"), creator("a", promo(None), promo(200)))
    assert r.exclude is not None and r.exclude[0]
    assert r.why[0] == "promoted Hoka (competitor) in an undated post (counted as current)"


def test_show_conflicts_keeps_creator_with_zero_score():
    r = run(brief("Hoka"), creator("a", promo(10)), show_conflicts=True)
    assert r.exclude is not None and not r.exclude.any()
    assert r.score[0] == 0.0
    assert r.why[0] == "promoted Hoka (competitor) 10 days ago"
    assert r.notes[0] == r.why[0]


def test_future_dated_post_is_today():
    r = run(brief("Hoka"), creator("a", promo(-3)))
    assert r.why[0] == "promoted Hoka (competitor) today"


def test_creator_without_posts_is_unknown():
    r = run(brief("Hoka"), creator("a"), creator("b", promo(10, "Nike")))
    assert r.known.tolist() == [False, True]
    assert r.notes[0] == "no posts to check for competitor deals"
    assert r.score[0] == 1.0
    assert r.exclude is not None and not r.exclude[0]


def test_brief_without_competitors():
    r = run(brief(), creator("a", promo(1)), creator("b"))
    assert r.score.tolist() == [1.0, 1.0]
    assert r.known.tolist() == [True, True]
    assert r.notes == ["no competitors named in the brief"] * 2
    assert r.exclude is not None and not r.exclude.any()


def test_empty_candidates():
    r = run(brief("Hoka"))
    assert r.score.shape == (0,)


def test_precomputed_events_give_the_same_result():
    creators = [
        creator("a", promo(10)),
        creator("b", promo(200)),
        creator("c"),
        creator("d", promo(5, "Nike")),
    ]
    events = [sponsorship_events(c) for c in creators]
    stored = [[SponsorEvent.from_dict(e.to_dict()) for e in evs] for evs in events]
    b = brief("Hoka")
    direct = run(b, *creators)
    pre = conflict_signal(b, cands(*creators), ctx(), events=stored)
    np.testing.assert_array_equal(direct.score, pre.score)
    assert list(direct.notes) == list(pre.notes) and direct.why == pre.why
    with pytest.raises(ValueError, match="one list per candidate"):
        conflict_signal(b, cands(*creators), ctx(), events=events[:2])
