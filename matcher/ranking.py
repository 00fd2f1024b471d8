"""Rankers: the weighted default and the contract a learned ranker follows.

A ranker turns the signal matrix of N candidates into scores and per-feature contributions
(which :mod:`matcher.explain` turns into sentences). Rankers follow scikit-learn's estimator
rules: settings in ``__init__``, ``fit`` returns ``self``, learned state ends in ``_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.config import DEFAULT_WEIGHTS
from matcher.schema import SIGNALS, Brief
from matcher.signals.base import Candidates, SignalResult
from matcher.sponsorship import SponsorEvent


@dataclass
class SignalMatrix:
    """The six signals for N candidates: ``values`` and ``known`` are N x 6 in SIGNALS order.

    ``brief`` and ``as_of`` say what the signals were computed for (a learned ranker builds its
    raw features from them).
    """

    values: np.ndarray
    known: np.ndarray
    results: dict[str, SignalResult]
    niche_sim: np.ndarray
    brief: Brief | None = None
    as_of: date | None = None
    #: the brief's niche query vector
    query: np.ndarray | None = None
    #: each candidate's sponsored posts (:func:`matcher.sponsorship.sponsorship_events`), when parsed
    events: list[list[SponsorEvent]] | None = None

    @classmethod
    def from_results(
        cls,
        results: dict[str, SignalResult],
        niche_sim: np.ndarray,
        brief: Brief | None = None,
        as_of: date | None = None,
        query: np.ndarray | None = None,
    ) -> SignalMatrix:
        values = np.column_stack([results[s].score for s in SIGNALS]).astype(np.float64)
        known = np.column_stack([results[s].known for s in SIGNALS]).astype(bool)
        return cls(values, known, results, niche_sim, brief, as_of, query)

    def __len__(self) -> int:
        return int(self.values.shape[0])


class WeightedRanker:
    """score = sum_s w_s * v_s / sum_s w_s, an unknown signal counting as ``unknown_value``.

    Parameters
    ----------
    weights : signal name -> weight >= 0 (defaults: :data:`matcher.config.DEFAULT_WEIGHTS`).
    unknown_value : value of an unknown signal; 0.5 is neutral (neither helps nor hurts much).
    """

    name = "weighted"

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
