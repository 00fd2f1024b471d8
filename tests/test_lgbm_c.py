"""The learned ranker's model through LightGBM's C library gives the lightgbm package's numbers."""

from __future__ import annotations

from importlib.resources import files

import lightgbm as lgb
import numpy as np
import pytest

from matcher.errors import MatcherError
from matcher.learn.lgbm_c import CBooster


@pytest.fixture(scope="module")
def model_text() -> str:
    return (files("matcher") / "models" / "default" / "model.txt").read_text(encoding="utf-8")


def test_same_scores_and_contributions_as_lightgbm(model_text):
    ref, mine = lgb.Booster(model_str=model_text), CBooster(model_text)
    assert mine.feature_name() == ref.feature_name() and mine.num_feature == ref.num_feature()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, mine.num_feature)).astype(np.float32)
    X[rng.random(X.shape) < 0.1] = np.nan  # unknown features, as the ranker sends them
    for threads in (1, 2):
        np.testing.assert_array_equal(
            mine.predict(X, num_threads=threads), ref.predict(X, num_threads=threads)
        )
        np.testing.assert_array_equal(
            mine.predict(X[:25], pred_contrib=True, num_threads=threads),
            ref.predict(X[:25], pred_contrib=True, num_threads=threads),
        )
    assert mine.predict(X[:0]).shape == (0,)
    assert mine.model_to_string() == model_text


def test_wrong_width_and_bad_model_are_errors(model_text):
    b = CBooster(model_text)
    with pytest.raises(ValueError, match="columns"):
        b.predict(np.zeros((2, b.num_feature + 1), dtype=np.float32))
    with pytest.raises(MatcherError, match="LightGBM"):
        CBooster("not a model")
