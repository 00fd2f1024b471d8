"""The brief's hard rules and the retrievers' rank lookup, against their plain definitions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.retrieval import RankOf, Retrieval, Standardised, top_rows
from matcher.rules import HardRules, hard_filter
from matcher.schema import Audience, Brief, Creator


def test_hard_rules_each_rule_and_its_reason() -> None:
    brief = Brief(
        brand="b",
        description="d",
        languages=("EN", "fr"),
        platforms=("Instagram",),
        countries=("gb", "IE"),
        exclude_creators=("c-out",),
    )
    rules = HardRules(brief)
    ok = Creator("c1", platform="instagram", language="en", country="GB")
    assert rules(ok) is None
    assert rules(Creator("c-out", platform="instagram", language="en", country="GB")) == (
        "excluded by the brief (exclude_creators)"
    )
    assert rules(Creator("c2", platform="instagram", language="de", country="GB")) == (
        "writes in de, brief wants EN/fr"
    )
    assert rules(Creator("c3", platform="tiktok", language="FR", country="ie")) == (
        "on tiktok, brief wants Instagram"
    )
    abroad = Creator("c4", platform="instagram", language="en", country="us")
    assert rules(abroad) == "based in US, campaign runs in GB/IE"
    # based abroad, but a quarter of the audience is in a market of the campaign: kept
    fans = Audience(countries={"Gb": 0.25, "US": 0.75})
    kept = Creator("c6", platform="instagram", language="en", country="US", audience=fans)
    assert rules(kept) is None
    few = Audience(countries={"GB": 0.2, "US": 0.8})
    assert rules(Creator("c7", platform="instagram", language="en", country="US", audience=few))
    # unknown fields never exclude
    assert rules(Creator("c8")) is None
    assert hard_filter(brief, abroad) == rules(abroad)
    assert HardRules(Brief(brand="b", description="d"))(abroad) is None


@settings(max_examples=200, deadline=None)
@given(
    ranked=st.lists(st.integers(0, 500), unique=True, max_size=60),
    asked=st.lists(st.integers(-3, 520), max_size=80),
)
def test_rank_of_is_the_position_in_the_ranking(ranked: list[int], asked: list[int]) -> None:
    where = {r: i for i, r in enumerate(ranked)}
    got = RankOf(np.array(ranked, dtype=np.int64))(np.array(asked, dtype=np.int64))
    assert got.tolist() == [where.get(r, -1) for r in asked]


def _top_reference(
    scores: list[float], n: int, allowed: list[int] | None, positive: bool
) -> list[int]:
    rows = range(len(scores)) if allowed is None else sorted(set(allowed))
    rows = [r for r in rows if not positive or scores[r] > 0]
    return sorted(rows, key=lambda r: (-scores[r], r))[: max(n, 0)]


@settings(max_examples=300, deadline=None)
@given(
    scores=st.lists(st.sampled_from([0.0, -1.0, 0.5, 1.0, 2.5, 3.0]), min_size=1, max_size=80),
    n=st.integers(0, 90),
    allowed=st.none() | st.lists(st.integers(0, 79), max_size=60),
    positive=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64, np.int64]),
)
def test_top_rows_best_first_ties_by_row_also_at_the_cut(
    scores: list[float], n: int, allowed: list[int] | None, positive: bool, dtype: type
) -> None:
    # few distinct values: ties at the n-th place are the rule, and the lowest rows must win
    if allowed is not None:
        allowed = [a for a in allowed if a < len(scores)]
    arr = np.array(scores).astype(dtype)
    got = top_rows(arr, n, allowed, positive)
    assert got.dtype == np.int64
    assert got.tolist() == _top_reference(arr.tolist(), n, allowed, positive)


def test_top_rows_float32_compared_as_float32() -> None:
    # two float32 scores one step apart stay apart; rows past the cut are never returned
    a = np.float32(1.0)
    s = np.array([a, np.nextafter(a, np.float32(2)), a, 0, a], dtype=np.float32)
    assert top_rows(s, 2, positive=True).tolist() == [1, 0]
    assert top_rows(s, 3, allowed=[4, 2, 2]).tolist() == [2, 4]


def test_standardised_equals_standardising_the_whole_array() -> None:
    rng = np.random.default_rng(3)
    s = np.where(rng.random(5000) < 0.7, 0, rng.random(5000) * 9).astype(np.float32)
    whole = (s.astype(np.float64) - s.astype(np.float64).mean()) / s.astype(np.float64).std()
    rows = rng.integers(0, 5000, 300)
    np.testing.assert_array_equal(Standardised(s)[rows], whole[rows])
    assert Standardised(np.full(10, 2.0, dtype=np.float32))[np.arange(3)].tolist() == [0.0] * 3


class _Index:
    """Content vectors only: what Retrieval.order reads of an index; counts its reads."""

    def __init__(self, content: np.ndarray) -> None:
        self._content, self.reads = content, 0

    @property
    def content(self) -> np.ndarray:
        self.reads += 1
        return self._content


def test_candidates_ordered_once_per_dense_ranking() -> None:
    rng = np.random.default_rng(5)
    content = rng.standard_normal((200, 8)).astype(np.float32)
    query = content[7]
    dense = np.argsort(-(content @ query))[:40]
    lexical_scores = np.where(rng.random(200) < 0.3, rng.random(200), 0).astype(np.float32)
    r = Retrieval(query, dense, top_rows(lexical_scores, 40, positive=True), lexical_scores)
    index = _Index(content)
    top = r.candidates(index, 10, plain=True)  # the clarity's call: plain is dense here
    full = r.candidates(index, 60)
    assert index.reads == 1
    assert full[:10].tolist() == top.tolist()
    expected = r.order(_Index(content), np.unique(np.concatenate([dense, r.lexical_rows])))
    assert full.tolist() == expected[:60].tolist()
    full[:] = -1  # a caller's copy: the next call is unchanged
    assert r.candidates(index, 10).tolist() == top.tolist()


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([0.0, -0.0, 0.25, 0.5, 1.0, float("nan")]), st.booleans()),
        min_size=0,
        max_size=60,
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_order_by_score_by_last_then_score_then_creator_id(
    rows: list[tuple[float, bool]], seed: int
) -> None:
    """Few distinct scores: runs of ties (NaNs among them) must be ordered by creator_id."""
    from matcher.scored import order_by_score

    ids = [f"c{v:03d}" for v in np.random.default_rng(seed).permutation(len(rows)).tolist()]
    score = np.array([s for s, _ in rows], dtype=np.float64)
    last = np.array([f for _, f in rows], dtype=bool)

    def key(i: int) -> tuple[bool, bool, float, str]:
        s = float(score[i])
        return bool(last[i]), bool(np.isnan(s)), 0.0 if np.isnan(s) else -s, ids[i]

    assert order_by_score(score, ids, last).tolist() == sorted(range(len(rows)), key=key)
