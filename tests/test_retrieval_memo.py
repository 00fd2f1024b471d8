"""One brief's similarities computed once per row, and the top rows of a million scores found
from a sampled cut: both against their plain definitions."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.retrieval import SAMPLED_FROM, Retrieval, distinct, top_rows
from matcher.schema import Creator
from matcher.signals.base import Candidates, QueryContext
from matcher.signals.niche import niche_signal
from matcher.vectors import RowsAt


def _plain_top(scores: np.ndarray, n: int, positive: bool) -> np.ndarray:
    """top_rows' definition: every row looked at, best first, ties by row."""
    rows = np.flatnonzero(scores > 0) if positive else np.arange(scores.size)
    return rows[np.lexsort((rows, -scores[rows]))][:n]


@pytest.mark.parametrize("seed", range(12))
def test_top_rows_of_many_scores_equal_looking_at_every_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(SAMPLED_FROM, 4 * SAMPLED_FROM))
    n = int(rng.integers(1, size // 20))
    kind = seed % 4
    if kind == 0:  # BM25-like: most rows positive, all distinct
        s = np.where(rng.random(size) < 0.8, rng.random(size), 0).astype(np.float32)
    elif kind == 1:  # a few distinct values: ties at the cut are the rule
        s = rng.integers(0, 6, size).astype(np.float64)
    elif kind == 2:  # fewer positive rows than asked for: the cut falls at 0
        s = np.where(rng.random(size) < n / size / 2, rng.random(size), 0).astype(np.float32)
    else:  # negative values too (a text model's scores)
        s = rng.standard_normal(size)
    for positive in (True, False):
        got = top_rows(s, n, positive=positive)
        np.testing.assert_array_equal(got, _plain_top(s, n, positive))


def test_top_rows_when_the_sample_holds_the_best_scores() -> None:
    # the sampled rows are the best ones and fewer than asked for: every row is looked at
    size, n = 240_000, 12_000
    s = np.random.default_rng(2).random(size).astype(np.float32)
    s[:: size // 8_192] = 5.0
    assert np.count_nonzero(s >= 5.0) < n
    for positive in (True, False):
        np.testing.assert_array_equal(top_rows(s, n, positive=positive), _plain_top(s, n, positive))


class _Index:
    """What Retrieval.run reads of an index: an exact search whose values are numpy's."""

    def __init__(self, content: np.ndarray, reranked: bool) -> None:
        self.content, self.reranked = content, reranked

    def search(self, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        sims = self.content @ query
        rows = np.argsort(-sims, kind="stable")[:n]
        self.found = sims[rows] + np.float32(1.0)  # marked: told apart from a recomputed value
        return rows, self.found


def test_similarity_each_row_once_and_the_search_values_kept() -> None:
    rng = np.random.default_rng(0)
    content = rng.standard_normal((4000, 16)).astype(np.float32)
    query = content[3] / np.linalg.norm(content[3])
    lexical = np.where(rng.random(4000) < 0.2, rng.random(4000), 0).astype(np.float32)
    index = _Index(content, reranked=True)
    r = Retrieval.run(index, query, lexical, 50)
    seeded = r.similarity(content, r.plain_rows)
    np.testing.assert_array_equal(seeded, index.found)
    other = np.setdiff1d(rng.choice(4000, 300, replace=False), r.plain_rows)
    first = r.similarity(content, other)
    np.testing.assert_allclose(first, content[other] @ query, rtol=1e-5, atol=1e-6)
    # asked again, in another order and mixed with the search's rows: the same values
    mixed = np.concatenate([other[::-1], r.plain_rows[:5], other[:3]])
    again = r.similarity(content, mixed)
    np.testing.assert_array_equal(again[: other.size], first[::-1])
    np.testing.assert_array_equal(again[other.size : other.size + 5], seeded[:5])
    np.testing.assert_array_equal(again[-3:], first[:3])
    # an index whose search values are FAISS's own: none kept, each computed by numpy
    plain = Retrieval.run(_Index(content, reranked=False), query, lexical, 50)
    np.testing.assert_allclose(
        plain.similarity(content, plain.plain_rows), content[plain.plain_rows] @ query, rtol=1e-5
    )


def test_niche_signal_reads_the_retrievals_values_and_finds_empty_vectors() -> None:
    rng = np.random.default_rng(1)
    content = rng.standard_normal((3000, 16)).astype(np.float32)
    content /= np.linalg.norm(content, axis=1, keepdims=True)
    content[[10, 11]] = 0  # creators without text
    query = content[5].copy()
    lexical = np.zeros(3000, dtype=np.float32)
    r = Retrieval.run(_Index(content, reranked=True), query, lexical, 40)
    rows = np.concatenate([r.plain_rows[:20], [10, 11, 12]])
    cands = Candidates(
        creators=[Creator(f"c{i}") for i in range(rows.size)],
        content=RowsAt(content, rows),
        voice=RowsAt(content, rows),
        voice_known=np.ones(rows.size, dtype=bool),
        rows=rows,
    )
    out = niche_signal(None, cands, QueryContext(query, None, retrieval=r))  # type: ignore[arg-type]
    np.testing.assert_array_equal(out.parts["cosine"][:20], r.similarity(content, rows[:20]))
    assert out.known.tolist() == [True] * 20 + [False, False, True]


def test_distinct_is_numpy_s_unique():
    rng = np.random.default_rng(11)
    for a in (rng.integers(0, 50, 400), rng.integers(-5, 5, (7, 3)), np.zeros(0, dtype=np.int64),
              np.array([3]), np.arange(10, 0, -1, dtype=np.int32)):  # fmt: skip
        got = distinct(a)
        assert got.dtype == a.dtype and np.array_equal(got, np.unique(a))
