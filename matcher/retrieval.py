"""Hybrid retrieval: dense (FAISS over content vectors) and lexical (BM25) rankings, fused.

Each retriever ranks the catalogue for a brief; reciprocal-rank fusion (Cormack et al., 2009)
adds ``1 / (RRF_K + rank)`` over the retrievers a creator is in (ranks from 1, each retriever
contributing its top ``depth`` only), so a creator both rank high comes first and a creator
only one of them finds still gets in. A BM25 score of 0 (no shared word) is no ranking.
:class:`Retrieval` holds what the retrievers found for one brief; the engine takes its
candidates from it (:meth:`Retrieval.candidates`) and offline evaluation orders the whole
catalogue with it (:meth:`Retrieval.catalogue_order`), so both see the same fused ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from matcher.vectors import RowsAt

if TYPE_CHECKING:
    from matcher.learn.text import TextScores

#: the constant of reciprocal-rank fusion (the value of the original paper)
RRF_K = 60
#: the largest fused score: first in both rankings
RRF_MAX = 2.0 / (RRF_K + 1)


def rrf(*ranks: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Reciprocal-rank fusion of 0-based ranks (``-1``: not ranked by that retriever)."""
    out = np.zeros(len(ranks[0]), dtype=np.float64)
    for r in ranks:
        out += np.where(r >= 0, 1.0 / (k + 1 + np.maximum(r, 0)), 0.0)
    return out


def top_rows(
    scores: np.ndarray, n: int, allowed: Sequence[int] | None = None, positive: bool = False
) -> np.ndarray:
    """Rows of the ``n`` best scores (only positive ones with ``positive``), best first, ties by
    row (also at the ``n``-th place: of the rows tied there, the lowest), among ``allowed`` rows
    when given. The scores are compared in their own float type (a float32 array is not copied
    whole to float64: the order is the same)."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    s = np.asarray(scores)
    if s.dtype != np.float32:
        s = s.astype(np.float64, copy=False)
    if allowed is None:
        hits = _above_sampled_cut(s, n, positive)
        if hits is None:
            hits = np.flatnonzero(s > 0) if positive else np.arange(s.size)
    else:
        hits = distinct(np.asarray(allowed, dtype=np.int64))
        if positive:
            hits = hits[s[hits] > 0]
    if hits.size > n:
        v = s[hits]
        cut = -np.partition(-v, n - 1)[n - 1]  # the n-th best score
        above = hits[v > cut]
        hits = np.concatenate([above, hits[v == cut][: n - above.size]])  # hits are in row order
    return hits[np.lexsort((hits, -s[hits]))]


def distinct(rows: np.ndarray) -> np.ndarray:
    """``np.unique(rows)`` (the sorted distinct values) by a sort: for a brief's 6,000
    candidate rows numpy 2.4's ``np.unique`` takes 0.6 ms, this 0.14."""
    s = np.sort(np.asarray(rows).ravel())
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if s.size else s


#: :func:`top_rows` looks at every score only below this many (or for most of them)
SAMPLED_FROM = 50_000


def _above_sampled_cut(s: np.ndarray, n: int, positive: bool) -> np.ndarray | None:
    """The rows (in row order) whose score is at least a cut read off a regular sample of the
    scores, expected to leave about twice ``n``; None when it leaves fewer than ``n`` (or the
    scores are few). The ``n`` best are then among them, ties at the ``n``-th place included:
    that score is at least the cut, as ``n`` rows reach it. A million BM25 scores, 800,000 of
    them positive, are then compared once, not copied out and partitioned."""
    if s.size < SAMPLED_FROM or 20 * n > s.size:
        return None
    sample = s[:: s.size // 8_192]
    k = min(sample.size, -(-2 * n * sample.size // s.size) + 8)
    cut = -np.partition(-sample, k - 1)[k - 1]
    if not cut > 0 and positive:
        return None
    hits = np.flatnonzero(s >= cut)
    return hits if hits.size >= n else None


def top_lexical(scores: np.ndarray, n: int, allowed: Sequence[int] | None = None) -> np.ndarray:
    """Rows of the ``n`` best positive BM25 scores, best first (ties by row)."""
    return top_rows(scores, n, allowed, positive=True)


class RankOf:
    """The position of each row in a ranking (``rows`` best first), -1 for rows not in it."""

    def __init__(self, ranked: np.ndarray) -> None:
        ranked = np.asarray(ranked, dtype=np.int64)
        self._order = np.argsort(ranked, kind="stable")
        self._sorted = ranked[self._order]

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if not self._sorted.size:
            return np.full(rows.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted, rows), self._sorted.size - 1)
        return np.where(self._sorted[pos] == rows, self._order[pos], -1)


@dataclass
class Retrieval:
    """One brief's dense and lexical rankings (their top ``depth``) and every BM25 score.

    With a learned text model, the dense ranking that picks the candidates is its score of every
    creator (``text``) instead of the plain similarity of the vector index; the plain ranking is
    kept beside it (``plain_rows``): what :meth:`fused` reads with ``plain=True``, the label-free
    evidence of the niche signal, which a model trained on another catalogue cannot mislead.
    """

    query: np.ndarray
    dense_rows: np.ndarray
    lexical_rows: np.ndarray
    #: BM25 score of every creator, in index row order
    lexical: np.ndarray
    #: the learned text model's scores of every creator (None without one)
    text: TextScores | None = None
    #: the plain similarity's top rows (``dense_rows`` when there is no text model)
    plain_rows: np.ndarray | None = None
    _dense_rank: RankOf = field(init=False, repr=False)
    _plain_rank: RankOf = field(init=False, repr=False)
    _lexical_rank: RankOf = field(init=False, repr=False)
    #: :meth:`candidates`' rows in order, by index and dense ranking (the clarity and the
    #: engine's candidates ask for the same rows)
    _ordered: dict[tuple[int, bool], np.ndarray] = field(
        init=False, repr=False, default_factory=dict
    )
    #: :meth:`similarity`'s values so far, by vector matrix: (matrix, rows sorted, values)
    _sims: dict[int, tuple[object, np.ndarray, np.ndarray]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._dense_rank = RankOf(self.dense_rows)
        if self.plain_rows is None or self.plain_rows is self.dense_rows:
            self.plain_rows, self._plain_rank = self.dense_rows, self._dense_rank
        else:
            self._plain_rank = RankOf(self.plain_rows)
        self._lexical_rank = RankOf(self.lexical_rows)

    @classmethod
    def run(
        cls,
        index: object,
        query: np.ndarray,
        lexical: np.ndarray,
        depth: int,
        text: TextScores | None = None,
    ) -> Retrieval:
        """Both rankings of ``index`` (a :class:`matcher.index.CreatorIndex`) for a brief."""
        plain_rows, sims = index.search(query, depth)  # type: ignore[attr-defined]
        dense_rows = top_rows(text.total, depth) if text is not None else plain_rows
        r = cls(query, dense_rows, top_lexical(lexical, depth), lexical, text, plain_rows)
        if getattr(index, "reranked", False):  # the search's values are similarity()'s own
            r._remember(index.content, plain_rows, np.asarray(sims, dtype=np.float32))  # type: ignore[attr-defined]
        return r

    def similarity(self, content: object, rows: np.ndarray) -> np.ndarray:
        """``content[rows] @ query`` (float32; ``content``: an index's vectors), each row's value
        computed once for this brief: the dense search, the fused order and the niche signal
        read the same rows, and a matrix product gives a row's value to the last bit only for
        the same set of rows (BLAS blocks them), so one brief sees one value per row."""
        rows = np.asarray(rows, dtype=np.int64)
        known, values = self._kept(content)
        pos = np.searchsorted(known, rows)
        found = pos < known.size
        found[found] = known[pos[found]] == rows[found]
        if not found.all():
            missing = distinct(rows[~found])
            got = np.asarray(RowsAt(content, missing) @ self.query, dtype=np.float32)  # type: ignore[arg-type]
            known, values = self._remember(content, missing, got)
            pos = np.searchsorted(known, rows)
        return values[pos]

    def _kept(self, content: object) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`similarity`'s rows so far (sorted) and their values."""
        kept = self._sims.get(id(content))
        if kept is None or kept[0] is not content:  # none, or an id reused by another object
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return kept[1], kept[2]

    def _remember(
        self, content: object, rows: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Keep ``values`` of ``rows`` (distinct, none kept yet) as :meth:`similarity`'s."""
        known, kept = self._kept(content)
        rows, values = np.concatenate([known, rows]), np.concatenate([kept, values])
        order = np.argsort(rows, kind="stable")
        self._sims[id(content)] = (content, rows[order], values[order])
        return rows[order], values[order]

    @cached_property
    def lexical_z(self) -> Standardised:
        """BM25 scores standardised over the whole catalogue (index it by rows)."""
        return Standardised(self.lexical)

    @cached_property
    def text_z(self) -> dict[str, Standardised]:
        """The text model's total, niche and style scores standardised over the catalogue."""
        if self.text is None:
            return {}
        t = self.text
        return {"total": Standardised(t.total), "niche": Standardised(t.niche),
                "style": Standardised(t.style)}  # fmt: skip

    def fused(self, rows: np.ndarray, plain: bool = False) -> np.ndarray:
        """The fused (RRF) score of each of ``rows`` (0 when neither ranking holds it); with
        ``plain``, of the plain similarity and BM25, never a learned score."""
        ranks = self._plain_rank if plain else self._dense_rank
        rows = np.asarray(rows, dtype=np.int64)
        return rrf(ranks(rows), self._lexical_rank(rows)) if len(rows) else np.zeros(0)

    def order(self, index: object, rows: np.ndarray, plain: bool = False) -> np.ndarray:
        """``rows`` best first: by fused score, then dense similarity, then row."""
        rows = np.asarray(rows, dtype=np.int64)
        dense = np.asarray(self.similarity(index.content, rows), dtype=np.float64)  # type: ignore[attr-defined]
        return rows[np.lexsort((rows, -dense, -self.fused(rows, plain)))]

    def candidates(self, index: object, n: int, plain: bool = False) -> np.ndarray:
        """The ``n`` best rows of both rankings by fused rank (``plain``: see :meth:`fused`)."""
        dense = self.plain_rows if plain else self.dense_rows
        key = (id(index), dense is self.dense_rows)  # plain is dense without a text model
        ordered = self._ordered.get(key)
        if ordered is None:
            rows = distinct(np.concatenate([dense, self.lexical_rows]))  # type: ignore[list-item]
            ordered = self._ordered[key] = self.order(index, rows, plain)
        return ordered[:n].copy()

    def filtered(self, index: object, n: int, allowed: Sequence[int] | None) -> np.ndarray:
        """The ``n`` best rows among ``allowed`` (both rankings searched within them; None: no
        restriction)."""
        if allowed is None:
            return self.candidates(index, n)
        if self.text is not None:
            d_rows = top_rows(self.text.total, n, allowed)
        else:
            d_rows, _ = index.search(self.query, n, allowed)  # type: ignore[attr-defined]
        rows = distinct(np.concatenate([d_rows, top_lexical(self.lexical, n, allowed)]))
        return self.order(index, rows)[:n]

    def catalogue_order(self, dense: np.ndarray) -> np.ndarray:
        """Every row best first, as :meth:`candidates` orders them; rows outside both
        rankings follow by dense similarity (``dense``: every row's cosine)."""
        n = dense.size
        d_rank = np.full(n, -1, dtype=np.int64)
        d_rank[self.dense_rows] = np.arange(self.dense_rows.size)
        l_rank = np.full(n, -1, dtype=np.int64)
        l_rank[self.lexical_rows] = np.arange(self.lexical_rows.size)
        return np.lexsort((np.arange(n), -dense, -rrf(d_rank, l_rank)))


class Standardised:
    """Scores standardised over all of them (mean 0, standard deviation 1; all 0 when they are
    all equal), computed for the rows asked only: a brief reads 3,000 of a million."""

    def __init__(self, scores: np.ndarray) -> None:
        self._scores = scores
        s = np.asarray(scores, dtype=np.float64)
        self.mean, self.sd = float(s.mean()), float(s.std())

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        x = np.asarray(self._scores[rows], dtype=np.float64)
        return (x - self.mean) / self.sd if self.sd > 0 else np.zeros_like(x)
