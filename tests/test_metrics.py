"""matcher.metrics: fast vectorised metrics checked against sklearn and slow, obvious loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, ndcg_score, roc_auc_score

from matcher.evaluation import mean_with_ci
from matcher.metrics import (
    Evaluator,
    auc,
    average_precision,
    evaluate_ranking,
    ndcg_at_k,
    ndcg_curve,
    rank_order,
    recall_at_k,
    reciprocal_rank,
)

# -- slow and obvious reference implementations ----------------------------------------------


def naive_order(scores, ids=None):
    n = len(scores)
    if ids is None:
        return sorted(range(n), key=lambda i: (-float(scores[i]), i))
    return sorted(range(n), key=lambda i: (-float(scores[i]), str(ids[i])))


def naive_ndcg(scores, relevance, k, ids=None):
    order = naive_order(scores, ids)
    dcg = 0.0
    for rank, i in enumerate(order[:k], start=1):
        dcg += (2 ** int(relevance[i]) - 1) / math.log2(rank + 1)
    ideal = sorted((int(r) for r in relevance), reverse=True)
    idcg = 0.0
    for rank, r in enumerate(ideal[:k], start=1):
        idcg += (2**r - 1) / math.log2(rank + 1)
    return dcg / idcg if idcg > 0 else math.nan


def naive_recall(scores, relevance, k, ids=None):
    order = naive_order(scores, ids)
    n_rel = sum(1 for r in relevance if r >= 1)
    if n_rel == 0:
        return math.nan
    return sum(1 for i in order[:k] if relevance[i] >= 1) / n_rel


def naive_rr(scores, relevance, ids=None):
    for rank, i in enumerate(naive_order(scores, ids), start=1):
        if relevance[i] >= 1:
            return 1.0 / rank
    return math.nan


def naive_ap(scores, relevance, ids=None):
    hits, total = 0, 0.0
    for rank, i in enumerate(naive_order(scores, ids), start=1):
        if relevance[i] >= 1:
            hits += 1
            total += hits / rank
    return total / hits if hits else math.nan


def naive_auc(scores, relevance, ids=None):
    rank = {i: r for r, i in enumerate(naive_order(scores, ids))}
    pos = [i for i in range(len(scores)) if relevance[i] >= 1]
    neg = [i for i in range(len(scores)) if relevance[i] < 1]
    if not pos or not neg:
        return math.nan
    above = sum(1 for p in pos for q in neg if rank[p] < rank[q])
    return above / (len(pos) * len(neg))


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# -- fixtures ---------------------------------------------------------------------------------


def random_case(seed: int, n: int | None = None, tied: bool = False):
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(1, 60))
    scores = rng.integers(0, 4, n).astype(float) if tied else rng.random(n)
    relevance = rng.choice(4, size=n, p=[0.6, 0.2, 0.1, 0.1])
    ids = np.array([f"c{int(x):04d}" for x in rng.permutation(10_000)[:n]])
    return scores, relevance, ids


@st.composite
def cases(draw, min_size: int = 0, max_size: int = 40):
    n = draw(st.integers(min_size, max_size))
    scores = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    relevance = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=int)
    ids = np.array(
        draw(
            st.lists(st.text("abcxyz", min_size=1, max_size=4), min_size=n, max_size=n, unique=True)
        )
    )
    return scores, relevance, ids


# -- against sklearn --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(100))
def test_ndcg_matches_sklearn_with_exponential_gains(seed):
    # random float scores: no ties, so sklearn's tie averaging plays no part
    scores, relevance, _ = random_case(seed, n=int(np.random.default_rng(seed).integers(2, 80)))
    for k in (1, 3, 10, 100):
        if not (relevance > 0).any():
            assert math.isnan(ndcg_at_k(scores, relevance, k))
            continue
        gains = 2.0**relevance - 1.0  # sklearn's gains are linear in y_true
        expected = ndcg_score([gains], [scores], k=k)
        assert ndcg_at_k(scores, relevance, k) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(100))
def test_auc_and_ap_match_sklearn_without_ties(seed):
    scores, relevance, _ = random_case(seed, n=int(np.random.default_rng(seed).integers(2, 80)))
    y = relevance >= 1
    if y.all() or not y.any():
        assert math.isnan(auc(scores, relevance))
        return
    assert auc(scores, relevance) == pytest.approx(roc_auc_score(y, scores), rel=1e-12)
    assert average_precision(scores, relevance) == pytest.approx(
        average_precision_score(y, scores), rel=1e-12
    )


# -- against the naive loops ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(100))
@pytest.mark.parametrize("tied", [False, True])
def test_every_metric_matches_naive_loops(seed, tied):
    scores, relevance, all_ids = random_case(seed, tied=tied)
    for ids in (all_ids, None):
        for k in (1, 5, 10, 50, 1000):
            assert same(
                ndcg_at_k(scores, relevance, k, ids=ids), naive_ndcg(scores, relevance, k, ids)
            )
            assert same(
                recall_at_k(scores, relevance, k, ids=ids), naive_recall(scores, relevance, k, ids)
            )
        assert same(reciprocal_rank(scores, relevance, ids=ids), naive_rr(scores, relevance, ids))
        assert same(average_precision(scores, relevance, ids=ids), naive_ap(scores, relevance, ids))
        assert same(auc(scores, relevance, ids=ids), naive_auc(scores, relevance, ids))
        assert rank_order(scores, ids=ids).tolist() == naive_order(scores, ids)


@given(cases())
def test_evaluate_ranking_is_the_single_metrics(case):
    scores, relevance, ids = case
    out = evaluate_ranking(scores, relevance, k=7, ids=ids)
    assert list(out) == ["ndcg@7", "recall@10", "recall@50", "mrr", "map", "auc"]
    expected = {
        "ndcg@7": naive_ndcg(scores, relevance, 7, ids),
        "recall@10": naive_recall(scores, relevance, 10, ids),
        "recall@50": naive_recall(scores, relevance, 50, ids),
        "mrr": naive_rr(scores, relevance, ids),
        "map": naive_ap(scores, relevance, ids),
        "auc": naive_auc(scores, relevance, ids),
    }
    for name, value in expected.items():
        assert same(out[name], value), name
    assert all(isinstance(v, float) for v in out.values())


@given(cases(min_size=1), st.lists(st.integers(1, 60), min_size=1, max_size=6))
def test_ndcg_curve_is_ndcg_at_each_k(case, ks):
    scores, relevance, ids = case
    curve = ndcg_curve(scores, relevance, ks, ids=ids)
    assert curve.shape == (len(ks),)
    for k, value in zip(ks, curve, strict=True):
        assert same(float(value), ndcg_at_k(scores, relevance, k, ids=ids))


# -- properties -------------------------------------------------------------------------------


@given(cases(min_size=1))
def test_perfect_ranking_scores_one(case):
    _, relevance, ids = case
    if not (relevance > 0).any():
        return
    scores = relevance.astype(float)  # ties only among equal grades: still an ideal order
    n_rel = int((relevance > 0).sum())
    assert ndcg_at_k(scores, relevance, 10, ids=ids) == pytest.approx(1.0)
    assert recall_at_k(scores, relevance, n_rel, ids=ids) == 1.0
    assert recall_at_k(scores, relevance, n_rel + 5, ids=ids) == 1.0
    assert reciprocal_rank(scores, relevance, ids=ids) == 1.0
    assert average_precision(scores, relevance, ids=ids) == 1.0
    if n_rel < relevance.size:
        assert auc(scores, relevance, ids=ids) == 1.0


@given(cases(), st.randoms(use_true_random=False))
def test_permuting_the_catalogue_with_ids_changes_nothing(case, rnd):
    scores, relevance, ids = case
    perm = np.array(rnd.sample(range(scores.size), scores.size), dtype=int)
    a = evaluate_ranking(scores, relevance, k=5, ids=ids)
    b = evaluate_ranking(scores[perm], relevance[perm], k=5, ids=ids[perm])
    assert a.keys() == b.keys()
    for name in a:
        assert same(a[name], b[name]), name
    assert (
        ids[rank_order(scores, ids)].tolist()
        == ids[perm][rank_order(scores[perm], ids[perm])].tolist()
    )


@given(cases())
def test_same_input_twice_gives_the_same_output(case):
    scores, relevance, ids = case
    for i in (ids, None):
        a = evaluate_ranking(scores, relevance, ids=i)
        b = evaluate_ranking(scores.copy(), relevance.copy(), ids=None if i is None else i.copy())
        assert all(same(a[n], b[n]) for n in a)
        assert rank_order(scores, i).tolist() == rank_order(scores.copy(), i).tolist()


def test_ties_are_broken_by_id_ascending_else_by_position():
    scores = np.array([1.0, 2.0, 1.0, 1.0, 2.0])
    ids = ["e", "d", "c", "b", "a"]
    assert rank_order(scores, ids).tolist() == [4, 1, 3, 2, 0]
    assert rank_order(scores).tolist() == [1, 4, 0, 2, 3]
    # a relevant creator tied with non-relevant ones: its id decides, no half credit
    relevance = np.array([0, 0, 1, 0, 0])
    assert auc(np.zeros(5), relevance, ids=["b", "c", "a", "d", "e"]) == 1.0
    assert auc(np.zeros(5), relevance, ids=["b", "c", "z", "d", "e"]) == 0.0
    assert reciprocal_rank(np.zeros(5), relevance, ids=["b", "c", "a", "d", "e"]) == 1.0


def test_ids_may_be_lists_object_arrays_or_unicode_arrays():
    scores, relevance, ids = random_case(3, n=50, tied=True)
    as_list = evaluate_ranking(scores, relevance, ids=ids.tolist())
    as_obj = evaluate_ranking(scores, relevance, ids=ids.astype(object))
    as_str = evaluate_ranking(scores, relevance, ids=ids)
    assert as_list == as_obj == as_str


def test_integer_and_float_inputs_agree():
    scores, relevance, ids = random_case(5, n=40, tied=True)
    a = evaluate_ranking(scores.astype(np.int32), relevance.astype(float), ids=ids)
    b = evaluate_ranking(scores, relevance, ids=ids)
    assert a == b


def test_infinite_scores_are_allowed():
    scores = np.array([-np.inf, 1.0, np.inf])
    assert rank_order(scores).tolist() == [2, 1, 0]


def test_no_relevant_creator_gives_nan_everywhere():
    out = evaluate_ranking(np.arange(5.0), np.zeros(5, dtype=int))
    assert all(math.isnan(v) for v in out.values())
    assert math.isnan(auc(np.arange(3.0), np.ones(3, dtype=int)))  # no negatives for AUC


def test_empty_catalogue():
    out = evaluate_ranking(np.zeros(0), np.zeros(0, dtype=int))
    assert all(math.isnan(v) for v in out.values())
    assert rank_order(np.zeros(0)).tolist() == []


def test_known_values():
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    relevance = np.array([0, 3, 0, 1])
    out = evaluate_ranking(scores, relevance, k=2)
    dcg = 7 / math.log2(3)
    idcg = 7 + 1 / math.log2(3)
    assert out["ndcg@2"] == pytest.approx(dcg / idcg)
    assert out["mrr"] == 0.5
    assert out["map"] == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert out["auc"] == pytest.approx(1 / 4)  # only (c1 above c2) of the 4 (relevant, other) pairs
    assert out["recall@10"] == 1.0


# -- input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be >= 1, got 0"),
        ({"k": -3}, "k must be >= 1, got -3"),
        ({"k": 2.5}, "k must be an integer, got 2.5"),
        ({"k": True}, "k must be an integer, got True"),
        ({"relevance": np.array([0, 1, 4])}, "relevance must hold integers in 0..3, got 4"),
        ({"relevance": np.array([0, -1, 2])}, "relevance must hold integers in 0..3, got -1"),
        ({"relevance": np.array([0, 1.5, 2])}, "relevance must hold integers in 0..3, got 1.5"),
        (
            {"relevance": np.array(["a", "b", "c"])},
            "relevance must hold integers in 0..3, got dtype <U1",
        ),
        (
            {"relevance": np.array([0, 1])},
            "relevance must have the same shape as scores (3,), got (2,)",
        ),
        (
            {"scores": np.array([0.1, np.nan, 0.3])},
            "scores must not contain NaN, got NaN at index 1",
        ),
        ({"scores": np.zeros((3, 1))}, "scores must be a 1-D array, got shape (3, 1)"),
        ({"scores": np.array(["a", "b", "c"])}, "scores must be numeric, got dtype <U1"),
        ({"ids": ["a", "b"]}, "ids must have the same shape as scores (3,), got (2,)"),
        ({"ids": "abc"}, "ids must be a sequence of ids, got the string 'abc'"),
        (
            {"scores": np.zeros(3), "ids": ["a", "b", "a"]},
            "ids must be unique, got 'a' more than once",
        ),
    ],
)
def test_invalid_inputs_raise_precise_errors(kwargs, message):
    args = {
        "scores": np.array([0.3, 0.2, 0.1]),
        "relevance": np.array([1, 0, 2]),
        "k": 2,
        "ids": None,
    }
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        evaluate_ranking(**args)
    assert str(err.value) == message


def test_every_public_function_validates():
    s, r = np.array([0.3, 0.2]), np.array([1, 5])
    for call in (
        lambda: ndcg_at_k(s, r, 1),
        lambda: recall_at_k(s, r, 1),
        lambda: reciprocal_rank(s, r),
        lambda: average_precision(s, r),
        lambda: auc(s, r),
        lambda: ndcg_curve(s, r, [1]),
    ):
        with pytest.raises(ValueError, match=r"relevance must hold integers in 0\.\.3, got 5"):
            call()
    with pytest.raises(ValueError, match="ks must be >= 1, got 0"):
        ndcg_curve(s, np.array([1, 0]), [3, 0])
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        recall_at_k(s, np.array([1, 0]), 0)
    with pytest.raises(ValueError, match=r"scores must not contain NaN"):
        rank_order(np.array([np.nan]))


def test_duplicate_ids_that_do_not_decide_a_tie_are_not_looked_at():
    # ids only break ties; a duplicate among untied scores cannot change the order
    assert rank_order(np.array([0.1, 0.2]), ids=["a", "a"]).tolist() == [1, 0]


# -- bootstrap --------------------------------------------------------------------------------


@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=60),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=50)
def test_bootstrap_interval_contains_the_mean_and_is_reproducible(values, seed):
    mean, lo, hi = mean_with_ci(values, n_boot=300, seed=seed)
    assert mean == pytest.approx(float(np.mean(values)))
    assert lo - 1e-12 <= mean <= hi + 1e-12
    assert mean_with_ci(values, n_boot=300, seed=seed) == (mean, lo, hi)


def test_bootstrap_ignores_nan_and_depends_on_seed():
    rng = np.random.default_rng(0)
    values = rng.random(100)
    with_nan = np.concatenate([values, [np.nan, np.nan]])
    assert mean_with_ci(with_nan, seed=1) == mean_with_ci(values, seed=1)
    assert mean_with_ci(values, seed=1) != mean_with_ci(values, seed=2)
    mean, lo, hi = mean_with_ci(values, alpha=0.5)
    _, lo95, hi95 = mean_with_ci(values, alpha=0.05)
    assert lo95 < lo < mean < hi < hi95
    assert all(math.isnan(v) for v in mean_with_ci([np.nan, np.nan]))
    assert all(math.isnan(v) for v in mean_with_ci([]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_boot": 0}, "n_boot must be >= 1, got 0"),
        ({"alpha": 1.0}, r"alpha must be in \(0, 1\), got 1.0"),
        ({"alpha": 0}, r"alpha must be in \(0, 1\), got 0"),
        ({"seed": 1.5}, "seed must be an integer, got 1.5"),
        ({"values": [[1.0, 2.0]]}, r"values must be a 1-D array, got shape \(1, 2\)"),
    ],
)
def test_bootstrap_validates(kwargs, message):
    args = {"values": [0.1, 0.2]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        mean_with_ci(**args)


# -- evaluator --------------------------------------------------------------------------------


def world(n_queries: int = 6, n: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"c{i:03d}" for i in range(n)]
    labels: dict[str, dict[str, int]] = {}
    for q in range(n_queries):
        picked = rng.choice(n, 12, replace=False)
        labels[f"q{q}"] = {ids[i]: int(rng.integers(0, 4)) for i in picked}
    labels["q_none"] = {ids[0]: 0}  # no relevant creator: not counted
    scores = {q: rng.integers(0, 5, n).astype(float) for q in labels}
    return ids, labels, scores


def test_evaluator_averages_evaluate_ranking_over_queries_with_a_relevant_creator():
    ids, labels, scores = world()
    ev = Evaluator(labels, k=5)
    out = ev(lambda q: (ids, scores[q]))
    assert ev.primary_metric == "ndcg@5"
    assert ev.primary_metric in out
    assert "q_none" not in ev.per_query_
    counted = [q for q in labels if any(labels[q].values())]
    assert sorted(ev.per_query_) == sorted(counted)
    for q in counted:
        rel = np.array([labels[q].get(c, 0) for c in ids])
        assert ev.per_query_[q] == evaluate_ranking(scores[q], rel, k=5, ids=ids)
    for name, value in out.items():
        values = [ev.per_query_[q][name] for q in counted]
        assert value == pytest.approx(float(np.nanmean(values)))


def test_evaluator_does_not_depend_on_catalogue_order_per_query():
    ids, labels, scores = world()
    ev = Evaluator(labels, k=5)
    base = ev(lambda q: (ids, scores[q]))
    rng = np.random.default_rng(1)

    def shuffled(q):
        perm = rng.permutation(len(ids))
        return np.array(ids)[perm], scores[q][perm]

    assert ev(shuffled) == base


def test_evaluator_rejects_bad_input():
    ids, labels, scores = world()
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        Evaluator(labels, k=0)
    with pytest.raises(
        ValueError, match=r"relevance_by_query\['q'\]\['c1'\] must be an integer in 0\.\.3, got 7"
    ):
        Evaluator({"q": {"c1": 7}})
    with pytest.raises(ValueError, match="must have a query with a relevant item"):
        Evaluator({"q": {"c1": 0}})
    ev = Evaluator(labels)
    relevant = next(c for c, r in labels["q0"].items() if r > 0)
    keep = [i for i, c in enumerate(ids) if c != relevant]
    with pytest.raises(
        ValueError, match=rf"score_fn\('q0'\) did not score labelled creator '{relevant}'"
    ):
        ev(lambda q: ([ids[i] for i in keep], scores[q][keep]))
    # a creator labelled 0 may be left out: it cannot change any metric
    small = Evaluator({"q": {"a": 2, "b": 0}})
    assert small(lambda q: (["c", "a"], np.array([0.5, 0.1])))["mrr"] == 0.5
    with pytest.raises(ValueError, match=r"score_fn\('q0'\) returned duplicate ids"):
        ev(lambda q: (["c000"] * len(ids), scores[q]))
    with pytest.raises(
        ValueError, match=r"ids must have the same shape as scores \(80,\), got \(79,\)"
    ):
        ev(lambda q: (ids[1:], scores[q]))
