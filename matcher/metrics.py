"""Ranking metrics for one brief when a system ranks the whole catalogue.

Inputs are numpy arrays over the N creators of the catalogue: ``scores`` (higher is better) and
``relevance`` (integers 0-3 as in FORMATS.md "Labels"; unlabelled creators are 0). A creator is
*relevant* when its relevance is >= 1; graded relevance is used only by nDCG.

**Tie rule.** Scores are first turned into a strict order, best first: by score descending, then
by ``ids`` ascending when ``ids`` are given, else by catalogue position ascending. With ``ids`` the
metrics do not depend on the order of the catalogue (permuting scores, relevance and ids together
changes nothing); without them, tied creators are ordered as they come. Every metric, AUC included,
is computed from that strict order: a tie gives no half credit.

Every metric is ``nan`` for a brief with no relevant creator (AUC also when every creator is
relevant); averages skip ``nan`` (FORMATS.md "Evaluation output": metrics are averaged over briefs
that have at least one relevant creator).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

MAX_RELEVANCE = 3

IdsLike = Sequence[str] | np.ndarray
ScoreFn = Callable[[str], tuple[IdsLike, np.ndarray]]


# -- validation -------------------------------------------------------------------------------


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _check_scores(scores: Any) -> np.ndarray:
    arr = np.asarray(scores)
    if arr.ndim != 1:
        raise ValueError(f"scores must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"scores must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    nan = np.isnan(arr)
    if nan.any():
        raise ValueError(f"scores must not contain NaN, got NaN at index {int(np.argmax(nan))}")
    return arr


def _check_relevance(relevance: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(relevance)
    if arr.shape != shape:
        raise ValueError(f"relevance must have the same shape as scores {shape}, got {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"relevance must hold integers in 0..{MAX_RELEVANCE}, got dtype {arr.dtype}"
        )
    bad = (arr < 0) | (arr > MAX_RELEVANCE)
    if arr.dtype.kind == "f":
        bad |= ~np.isfinite(arr) | (arr != np.round(arr))
    if bad.any():
        value = arr[int(np.argmax(bad))].item()
        raise ValueError(f"relevance must hold integers in 0..{MAX_RELEVANCE}, got {value!r}")
    return arr.astype(np.int64, copy=False)


def _check_ids(ids: IdsLike | None, shape: tuple[int, ...]) -> IdsLike | None:
    if ids is None:
        return None
    if isinstance(ids, str):
        raise ValueError(f"ids must be a sequence of ids, got the string {ids!r}")
    got = ids.shape if isinstance(ids, np.ndarray) else (len(ids),)
    if got != shape:
        raise ValueError(f"ids must have the same shape as scores {shape}, got {got}")
    return ids


def _check(
    scores: Any, relevance: Any, ids: IdsLike | None
) -> tuple[np.ndarray, np.ndarray, IdsLike | None]:
    s = _check_scores(scores)
    return s, _check_relevance(relevance, s.shape), _check_ids(ids, s.shape)


# -- ordering ---------------------------------------------------------------------------------


def _take_ids(ids: IdsLike, idx: np.ndarray) -> np.ndarray:
    """``ids[idx]`` as a sortable array, converting only the rows needed."""
    sub = ids[idx] if isinstance(ids, np.ndarray) else np.array([ids[i] for i in idx.tolist()])
    if sub.dtype.kind == "O":
        sub = sub.astype(str)
    return sub


def _order(
    scores: np.ndarray, ids: IdsLike | None, id_rank: np.ndarray | None = None
) -> np.ndarray:
    """Indices best first under the tie rule (scores already validated, float64).

    ``id_rank``, when given, is the rank of each (unique) id in ascending id order: an integer
    stand-in for ``ids`` that a caller scoring the same catalogue many times computes once.
    """
    neg = -scores
    order = np.argsort(neg, kind="stable")  # ties by position ascending
    if (ids is None and id_rank is None) or order.size < 2:
        return order
    ranked = neg[order]
    same = ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    # Re-sort only the creators that share a score with another one, by (score group, id).
    tied = np.zeros(order.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    group = np.cumsum(np.concatenate(([True], ~same)))[pos]
    sub = order[pos]
    if id_rank is not None:
        order[pos] = sub[np.lexsort((id_rank[sub], group))]
    elif ids is not None:
        sub_ids = _take_ids(ids, sub)
        perm = np.lexsort((sub_ids, group))
        sorted_ids, sorted_group = sub_ids[perm], group[perm]
        dup = (sorted_ids[1:] == sorted_ids[:-1]) & (sorted_group[1:] == sorted_group[:-1])
        if dup.any():
            value = sorted_ids[int(np.argmax(dup))].item()
            raise ValueError(f"ids must be unique, got {value!r} more than once")
        order[pos] = sub[perm]
    return order


def rank_order(scores: np.ndarray, ids: IdsLike | None = None) -> np.ndarray:
    """Catalogue indices best first: by score descending, ties by ``ids`` (else position) ascending.

    >>> rank_order(np.array([0.2, 0.9, 0.2]), ids=["c9", "c1", "c3"]).tolist()
    [1, 2, 0]
    """
    s = _check_scores(scores)
    return _order(s, _check_ids(ids, s.shape))


# -- metrics on relevance in rank order -------------------------------------------------------


def _discounts(m: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, m + 2, dtype=np.float64))


def _ideal_gains(ranked: np.ndarray, m: int) -> np.ndarray:
    """The m largest gains 2^rel - 1, best first, from a count of each grade."""
    counts = np.bincount(ranked, minlength=MAX_RELEVANCE + 1)
    grades = np.repeat(np.arange(MAX_RELEVANCE, -1, -1), counts[::-1])[:m]
    return np.exp2(grades) - 1.0


def _ndcg_curve(ranked: np.ndarray, ks: np.ndarray) -> np.ndarray:
    n = ranked.size
    m = int(min(ks.max(), n)) if ks.size else 0
    if m == 0 or not (ranked > 0).any():
        return np.full(ks.shape, np.nan)
    disc = _discounts(m)
    dcg = np.cumsum((np.exp2(ranked[:m]) - 1.0) * disc)
    idcg = np.cumsum(_ideal_gains(ranked, m) * disc)
    at = np.minimum(ks, m) - 1
    out: np.ndarray = dcg[at] / idcg[at]
    return out


def _ndcg(ranked: np.ndarray, k: int) -> float:
    return float(_ndcg_curve(ranked, np.array([k]))[0])


def _recall(hits: np.ndarray, k: int) -> float:
    n_rel = int(hits.sum())
    return float(hits[:k].sum() / n_rel) if n_rel else math.nan


def _reciprocal_rank(hits: np.ndarray) -> float:
    return 1.0 / (int(np.argmax(hits)) + 1) if hits.any() else math.nan


def _average_precision(hit_pos: np.ndarray) -> float:
    if hit_pos.size == 0:
        return math.nan
    return float(np.mean(np.arange(1, hit_pos.size + 1) / (hit_pos + 1)))


def _auc(hit_pos: np.ndarray, n: int) -> float:
    n_pos = hit_pos.size
    n_neg = n - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    neg_above = hit_pos - np.arange(n_pos)
    return float(np.sum(n_neg - neg_above) / (n_pos * n_neg))


# -- public metrics ---------------------------------------------------------------------------


def ndcg_at_k(
    scores: np.ndarray, relevance: np.ndarray, k: int, ids: IdsLike | None = None
) -> float:
    """nDCG@k with gains ``2**rel - 1`` and discount ``1 / log2(rank + 1)`` (rank from 1).

    The ideal DCG sorts the relevances of the whole catalogue. ``nan`` when nothing is relevant.
    """
    k = _check_int(k, "k")
    s, rel, ids = _check(scores, relevance, ids)
    return _ndcg(rel[_order(s, ids)], k)


def ndcg_curve(
    scores: np.ndarray, relevance: np.ndarray, ks: Sequence[int], ids: IdsLike | None = None
) -> np.ndarray:
    """nDCG@k for each k of ``ks`` (one ranking, one pass)."""
    ks_arr = np.array([_check_int(k, "ks") for k in ks], dtype=np.int64)
    s, rel, ids = _check(scores, relevance, ids)
    return _ndcg_curve(rel[_order(s, ids)], ks_arr)


def recall_at_k(
    scores: np.ndarray, relevance: np.ndarray, k: int, ids: IdsLike | None = None
) -> float:
    """Share of the relevant creators (relevance >= 1) ranked in the top k."""
    k = _check_int(k, "k")
    s, rel, ids = _check(scores, relevance, ids)
    return _recall(rel[_order(s, ids)] > 0, k)


def reciprocal_rank(scores: np.ndarray, relevance: np.ndarray, ids: IdsLike | None = None) -> float:
    """1 / rank of the first relevant creator (the MRR component)."""
    s, rel, ids = _check(scores, relevance, ids)
    return _reciprocal_rank(rel[_order(s, ids)] > 0)


def average_precision(
    scores: np.ndarray, relevance: np.ndarray, ids: IdsLike | None = None
) -> float:
    """Mean of precision@rank over the ranks of the relevant creators, whole ranking (MAP component)."""
    s, rel, ids = _check(scores, relevance, ids)
    return _average_precision(np.flatnonzero(rel[_order(s, ids)] > 0))


def auc(scores: np.ndarray, relevance: np.ndarray, ids: IdsLike | None = None) -> float:
    """Probability that a random relevant creator is ranked above a random non-relevant one.

    Counted over the whole catalogue on the strict order of the tie rule, so tied scores give no
    half credit; equals ``sklearn.metrics.roc_auc_score(relevance >= 1, scores)`` when no scores tie.
    """
    s, rel, ids = _check(scores, relevance, ids)
    return _auc(np.flatnonzero(rel[_order(s, ids)] > 0), s.size)


def evaluate_ranking(
    scores: np.ndarray, relevance: np.ndarray, k: int = 10, ids: IdsLike | None = None
) -> dict[str, float]:
    """All metrics of FORMATS.md "Evaluation output" for one brief, from a single sort.

    Keys: ``ndcg@{k}``, ``recall@10``, ``recall@50``, ``mrr``, ``map``, ``auc``.
    """
    k = _check_int(k, "k")
    s, rel, ids = _check(scores, relevance, ids)
    return _metrics(rel[_order(s, ids)], k)


def _metrics(ranked: np.ndarray, k: int) -> dict[str, float]:
    hits = ranked > 0
    hit_pos = np.flatnonzero(hits)
    return {
        f"ndcg@{k}": _ndcg(ranked, k),
        "recall@10": _recall(hits, 10),
        "recall@50": _recall(hits, 50),
        "mrr": _reciprocal_rank(hits),
        "map": _average_precision(hit_pos),
        "auc": _auc(hit_pos, ranked.size),
    }


# -- evaluator --------------------------------------------------------------------------------


class Evaluator:
    """Score a system on labelled briefs; a small callable in the style of sentence-transformers'
    ``InformationRetrievalEvaluator``.

    ``relevance_by_query`` maps brief id -> {creator id -> relevance 0-3}; unlisted creators are 0.
    Calling the evaluator with ``score_fn(brief_id) -> (creator_ids, scores)``, which must score
    the whole catalogue, returns the mean of each metric over the briefs with at least one relevant
    creator (in sorted brief-id order). Per-brief values are kept in ``per_query_``.

    >>> ev = Evaluator({"b1": {"c1": 3, "c2": 0}}, k=2)
    >>> ev(lambda q: (["c1", "c2", "c3"], np.array([0.1, 0.9, 0.5])))["mrr"]
    0.3333333333333333
    """

    def __init__(self, relevance_by_query: Mapping[str, Mapping[str, int]], k: int = 10) -> None:
        self.k = _check_int(k, "k")
        self.relevance_by_query = relevance_by_query
        for qid, labels in relevance_by_query.items():
            for cid, r in labels.items():
                if (
                    isinstance(r, bool)
                    or not isinstance(r, Integral)
                    or not 0 <= r <= MAX_RELEVANCE
                ):
                    raise ValueError(
                        f"relevance_by_query[{qid!r}][{cid!r}] must be an integer in "
                        f"0..{MAX_RELEVANCE}, got {r!r}"
                    )
        self.queries = sorted(q for q, labels in relevance_by_query.items() if any(labels.values()))
        if not self.queries:
            raise ValueError(
                "relevance_by_query must have a query with a relevant item (relevance >= 1), "
                f"got {len(relevance_by_query)} queries without one"
            )
        self.primary_metric = f"ndcg@{self.k}"
        self.per_query_: dict[str, dict[str, float]] = {}

    def __call__(self, score_fn: ScoreFn) -> dict[str, float]:
        per_query: dict[str, dict[str, float]] = {}
        # The catalogue is usually the same for every query: index its ids once per call.
        seen: tuple[str, ...] | None = None
        position: dict[str, int] = {}
        id_rank = np.zeros(0, dtype=np.int64)
        for qid in self.queries:
            ids, scores = score_fn(qid)
            s = _check_scores(scores)
            checked = _check_ids(ids, s.shape)
            if checked is None:
                raise ValueError(f"score_fn({qid!r}) must return (ids, scores), got ids None")
            key = tuple(checked.tolist() if isinstance(checked, np.ndarray) else checked)
            if key != seen:
                seen, position = key, {cid: i for i, cid in enumerate(key)}
                if len(position) != len(key):
                    raise ValueError(f"score_fn({qid!r}) returned duplicate ids")
                id_rank = _id_rank(key)
            rel = np.zeros(s.size, dtype=np.int64)
            for cid, r in self.relevance_by_query[qid].items():
                i = position.get(cid)
                if i is None:
                    if r > 0:
                        raise ValueError(
                            f"score_fn({qid!r}) did not score labelled creator {cid!r}; "
                            "it must score the whole catalogue"
                        )
                    continue
                rel[i] = r
            per_query[qid] = _metrics(rel[_order(s, checked, id_rank)], self.k)
        self.per_query_ = per_query
        names = next(iter(per_query.values())).keys()
        return {name: _nanmean([m[name] for m in per_query.values()]) for name in names}


def _id_rank(ids: Sequence[str]) -> np.ndarray:
    """Position of each id in ascending id order (ids unique)."""
    n = len(ids)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(_take_ids(ids, np.arange(n)), kind="stable")] = np.arange(n)
    return rank


def _nanmean(values: list[float]) -> float:
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else math.nan
