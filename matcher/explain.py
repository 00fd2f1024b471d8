"""Turns signal values and contributions into the reasons a shortlist shows."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from matcher.signals import SIGNALS
from matcher.signals.base import Flag, SignalResult

_ORDER_FIRST = ("niche",)


def reasons_for(
    i: int,
    results: dict[str, SignalResult],
    contributions: Mapping[str, np.ndarray],
) -> tuple[str, ...]:
    """Reasons for candidate ``i``: niche first, then the signals that moved the score most.

    ``contributions`` may name signals or learned-ranker features; a feature's effect is credited
    to the signal whose name starts it (``audience_known`` -> audience).
    """
    effect: dict[str, float] = {s: 0.0 for s in SIGNALS}
    for name, value in contribution_row(contributions, i).items():
        base = _signal_of(name)
        if base is not None:
            effect[base] += value
    known = [s for s in SIGNALS if results[s].known[i]]
    unknown = [s for s in SIGNALS if not results[s].known[i]]
    ordered = [s for s in _ORDER_FIRST if s in known]
    ordered += sorted((s for s in known if s not in ordered), key=lambda s: -abs(effect[s]))
    out = []
    for s in (*ordered, *unknown):
        # a signal the brief did not ask for is not worth a line per creator
        if results[s].flagged(Flag.NOT_ASKED, i):
            continue
        note = results[s].notes[i]
        if note:
            out.append(note)
    return tuple(out)


@functools.cache
def _signal_of(name: str) -> str | None:
    """The signal a contribution's name credits: itself, or the signal that starts it."""
    return next((s for s in SIGNALS if name == s or name.startswith(s + "_")), None)


def contribution_row(contributions: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    """Contributions of candidate ``i``; a ranker may return an object computing rows lazily."""
    row = getattr(contributions, "row", None)
    if row is not None:
        return dict(row(i))
    return {k: float(v[i]) for k, v in contributions.items()}
