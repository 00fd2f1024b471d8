"""Rankers: the weighted default and the contract a learned ranker follows.

A ranker turns the signal matrix of N candidates into scores and per-feature contributions
(which :mod:`matcher.explain` turns into sentences). Rankers follow scikit-learn's estimator
rules: settings in ``__init__``, ``fit`` returns ``self``, learned state ends in ``_``.
Which ranker a matcher uses is decided by :func:`matcher.learn.resolve.resolve_ranker`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from matcher.config import DEFAULT_WEIGHTS
from matcher.schema import Brief
from matcher.signals import SIGNALS
from matcher.signals.base import Candidates, SignalResult


@dataclass
class SignalMatrix:
    """The signals of N candidates: ``values`` and ``known`` are N x 6 in SIGNALS order.

    ``brief`` and ``as_of`` say what the signals were computed for (a learned ranker builds its
    raw features from them).
    """

    values: np.ndarray
    known: np.ndarray
    results: dict[str, SignalResult]
    brief: Brief | None = None
    as_of: date | None = None

    @classmethod
    def from_results(
        cls,
        results: dict[str, SignalResult],
        brief: Brief | None = None,
        as_of: date | None = None,
    ) -> SignalMatrix:
        values = np.column_stack([results[s].score for s in SIGNALS]).astype(np.float64)
        known = np.column_stack([results[s].known for s in SIGNALS]).astype(bool)
        return cls(values, known, results, brief, as_of)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def niche_sim(self) -> np.ndarray:
        """Raw cosine of the brief's niche text and each candidate's content vector."""
        return self.results["niche"].parts["cosine"]

    def take(self, idx: np.ndarray) -> SignalMatrix:
        """The matrix of a subset of the candidates, in the order of ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        results = {k: r.take(idx) for k, r in self.results.items()}
        return SignalMatrix(self.values[idx], self.known[idx], results, self.brief, self.as_of)


class Ranker(Protocol):
    """Scores and contributions (by signal or feature name) of the N candidates of a brief.

    A ranker whose ``row_independent`` attribute is True scores each candidate from its own
    signals alone; the engine then scores only the candidates that can reach a shortlist. One
    whose ``monotone`` attribute is True never scores a candidate lower for a higher signal
    value; the engine then reads sponsored posts only for the candidates that can reach it."""

    name: str

    def rank(
        self, sm: SignalMatrix, cands: Candidates
    ) -> tuple[np.ndarray, Mapping[str, np.ndarray]]: ...


class WeightedRanker:
    """score = sum_s w_s * v_s / sum_s w_s, an unknown signal counting as ``unknown_value``.

    Parameters
    ----------
    weights : signal name -> weight >= 0 (defaults: :data:`matcher.config.DEFAULT_WEIGHTS`).
    unknown_value : value of an unknown signal; 0.5 is neutral (neither helps nor hurts much).
    """

    name = "weighted"
    #: a candidate's score depends on its own signals alone (see :meth:`Matcher._near`)
    row_independent = True
    #: a candidate's score never falls when one of its signal values rises (weights >= 0;
    #: see :func:`matcher.scored.pick_checked`)
    monotone = True

    def __init__(self, weights: dict[str, float] | None = None, unknown_value: float = 0.5):
        self.weights = weights
        self.unknown_value = unknown_value

    def _w(self) -> np.ndarray:
        w = dict(DEFAULT_WEIGHTS)
        if self.weights:
            unknown = set(self.weights) - set(SIGNALS)
            if unknown:
                raise ValueError(
                    f"weights has unknown signal(s) {sorted(unknown)}; known: {SIGNALS}"
                )
            w.update(self.weights)
        arr = np.array([w[s] for s in SIGNALS], dtype=np.float64)
        if (arr < 0).any() or arr.sum() <= 0:
            raise ValueError(f"weights must be >= 0 with a positive sum, got {w}")
        return arr / arr.sum()

    def fit(self, *args: object, **kwargs: object) -> WeightedRanker:
        """Nothing to learn; present so every ranker has the same interface."""
        return self

    def rank(self, sm: SignalMatrix, cands: Candidates) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(scores, contributions by signal name), each length N.

        A contribution is how far the signal moved the score from neutral: w_s * (v_s - 0.5) with
        normalised weights, so score = 0.5 + sum of contributions (like SHAP values around a
        base value). An unknown signal contributes 0.
        """
        w = self._w()
        v = np.where(sm.known, sm.values, self.unknown_value)
        contrib = (v - self.unknown_value) * w
        score = self.unknown_value + contrib.sum(axis=1)
        return score, {s: contrib[:, j] for j, s in enumerate(SIGNALS)}
