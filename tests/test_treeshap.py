"""TreeSHAP from tables gives LightGBM's own contributions (``pred_contrib``)."""

from __future__ import annotations

from importlib.resources import files

import lightgbm as lgb
import numpy as np
import pytest

from matcher.learn.lgbm_c import CBooster
from matcher.learn.treeshap import LazyTreeShap, TreeShapTables


@pytest.fixture(scope="module")
def default_model() -> CBooster:
    text = (files("matcher") / "models" / "default" / "model.txt").read_text(encoding="utf-8")
    return CBooster(text)


def hard_rows(thresholds: TreeShapTables, n_features: int, seed: int = 0) -> np.ndarray:
    """Rows with missing values, zeros, tiny values and values exactly on split thresholds."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, n_features)).astype(np.float32)
    X[rng.random(X.shape) < 0.1] = np.nan
    X[rng.random(X.shape) < 0.05] = 0.0
    X[rng.random(X.shape) < 0.02] = 1e-38
    X[rng.random(X.shape) < 0.02] = np.float32(-1e-35)  # LightGBM's zero threshold, a float
    X[rng.random(X.shape) < 0.02] = -np.inf
    feat, thr = thresholds.splits
    finite = np.flatnonzero(np.abs(thr) < 1e30)
    for i, node in enumerate(rng.choice(finite, size=400)):
        X[i, feat[node]] = np.float32(thr[node])
    return X


def test_the_default_ranker_s_contributions_are_lightgbm_s(default_model):
    tables = TreeShapTables(default_model.dump_model())
    X = hard_rows(tables, default_model.num_feature)
    want = default_model.predict(X, pred_contrib=True, num_threads=1)
    got = tables.contributions(X)
    assert got.shape == want.shape == (400, default_model.num_feature + 1)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), default_model.predict(X), rtol=0, atol=1e-9)


@pytest.mark.parametrize("zero_as_missing", [False, True])
def test_a_model_trained_here_with_repeated_splits_and_missing_values(zero_as_missing):
    """Missing types None/NaN/Zero, a feature split several times on one path, deep trees."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 6)).astype(np.float32)
    X[rng.random(X.shape) < 0.15] = np.nan
    X[rng.random(X.shape) < 0.1] = 0.0
    y = np.sin(3 * np.nan_to_num(X[:, 0])) + np.nan_to_num(X[:, 1]) ** 2 + (X[:, 2] > 0.3)
    params = {"objective": "regression", "num_leaves": 40, "max_depth": 8, "verbose": -1,
              "min_data_in_leaf": 5, "zero_as_missing": zero_as_missing, "seed": 3}  # fmt: skip
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=40)
    tables = TreeShapTables(booster.dump_model())
    rows = hard_rows(tables, 6, seed=2)
    want = booster.predict(rows, pred_contrib=True)
    np.testing.assert_allclose(tables.contributions(rows), want, rtol=0, atol=1e-12)


def test_a_categorical_model_keeps_lightgbm_s_computation():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.integers(0, 6, 2000), rng.normal(size=2000)]).astype(np.float32)
    y = (X[:, 0] % 2) + X[:, 1]
    booster = lgb.train({"objective": "regression", "verbose": -1, "min_data_per_group": 5},
                        lgb.Dataset(X, y, categorical_feature=[0]), num_boost_round=10)  # fmt: skip
    with pytest.raises(NotImplementedError):
        TreeShapTables(booster.dump_model())
    exact = []
    lazy = LazyTreeShap(booster.dump_model, lambda x: exact.append(x) or booster.predict(
        x, pred_contrib=True))  # fmt: skip
    for _ in range(3):
        np.testing.assert_array_equal(lazy(X[:5]), booster.predict(X[:5], pred_contrib=True))
    assert len(exact) == 3


def test_tables_are_built_for_the_second_call_and_infinite_rows_stay_exact(default_model):
    exact: list[int] = []

    def lightgbm(x: np.ndarray) -> np.ndarray:
        exact.append(len(x))
        return default_model.predict(x, pred_contrib=True, num_threads=1)

    lazy = LazyTreeShap(default_model.dump_model, lightgbm)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, default_model.num_feature)).astype(np.float32)
    first, second = lazy(X), lazy(X)
    assert exact == [20]  # the second call came from the tables
    np.testing.assert_allclose(second, first, rtol=0, atol=1e-12)
    X[3, 7] = np.inf
    np.testing.assert_array_equal(lazy(X), lightgbm(X))
    assert exact == [20, 20, 20]


def test_the_learned_ranker_explains_the_same_from_its_second_brief_on():
    from matcher.learn.card import load_learned_ranker

    ranker = load_learned_ranker(files("matcher") / "models" / "default")
    rng = np.random.default_rng(6)
    X = rng.normal(size=(20, len(ranker.features_))).astype(np.float32)
    X[rng.random(X.shape) < 0.1] = np.nan
    first, second = ranker.contributions(X), ranker.contributions(X)
    assert ranker.treeshap_.tabulated  # the second call used the tables
    assert first.keys() == second.keys() and "bias" in first
    for name in first:
        np.testing.assert_allclose(second[name], first[name], rtol=0, atol=1e-12)
