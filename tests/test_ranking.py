"""The weighted ranker: documented formula, neutral unknowns, contributions that add up."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.config import DEFAULT_WEIGHTS
from matcher.explain import reasons_for
from matcher.ranking import SignalMatrix, WeightedRanker
from matcher.signals import SIGNALS
from matcher.signals.base import SignalResult


def matrix(values, known) -> SignalMatrix:
    values = np.asarray(values, dtype=float)
    known = np.asarray(known, dtype=bool)
    results = {
        s: SignalResult(s, values[:, j], known[:, j], [f"{s} note {i}" for i in range(len(values))])
        for j, s in enumerate(SIGNALS)
    }
    return SignalMatrix.from_results(results)


def test_score_is_weighted_mean_and_contributions_add_up():
    rng = np.random.default_rng(0)
    v = rng.random((50, 6))
    sm = matrix(v, np.ones((50, 6)))
    score, contrib = WeightedRanker().rank(sm, None)  # type: ignore[arg-type]
    w = np.array([DEFAULT_WEIGHTS[s] for s in SIGNALS])
    np.testing.assert_allclose(score, v @ (w / w.sum()))
    np.testing.assert_allclose(0.5 + sum(contrib.values()), score)


def test_unknown_signal_is_neutral():
    sm = matrix(
        [[1, 1, 1, 1, 1, 1], [1, 1, 0.5, 1, 1, 1], [1, 1, 0.0, 1, 1, 1]],
        [[1] * 6, [1] * 6, [1, 1, 0, 1, 1, 1]],
    )
    score, contrib = WeightedRanker().rank(sm, None)  # type: ignore[arg-type]
    assert score[2] == pytest.approx(score[1])  # unknown audience counts as 0.5, not as its value
    assert contrib["audience"][2] == 0.0


def test_better_signals_rank_higher_monotone():
    base = np.full((1, 6), 0.5)
    for j in range(6):
        up = base.copy()
        up[0, j] = 0.9
        sm = matrix(np.vstack([base, up]), np.ones((2, 6)))
        score, _ = WeightedRanker().rank(sm, None)  # type: ignore[arg-type]
        assert score[1] > score[0], SIGNALS[j]


def test_bad_weights_rejected():
    sm = matrix(np.ones((1, 6)), np.ones((1, 6)))
    with pytest.raises(ValueError, match="unknown signal"):
        WeightedRanker({"nicheness": 1.0}).rank(sm, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        WeightedRanker({"niche": -1.0}).rank(sm, None)  # type: ignore[arg-type]


def test_reasons_niche_first_then_by_effect_and_unknowns_last():
    sm = matrix([[0.9, 0.5, 0.0, 0.55, 1.0, 0.2]], [[1, 1, 0, 1, 1, 1]])
    _, contrib = WeightedRanker().rank(sm, None)  # type: ignore[arg-type]
    reasons = reasons_for(0, sm.results, contrib)
    assert reasons[0] == "niche note 0"
    assert reasons[-1] == "audience note 0"  # unknown comes last
    # authenticity (0.2, weight .1: effect -.03) moves more than tier (0.55, weight .15: +.0075)
    assert reasons.index("authenticity note 0") < reasons.index("tier note 0")
