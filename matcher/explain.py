"""Turns signal values and contributions into the reasons a shortlist shows."""

from __future__ import annotations

import numpy as np

from matcher.schema import SIGNALS
from matcher.signals.base import SignalResult

_ORDER_FIRST = ("niche",)
#: notes about what the brief did not ask for are not worth a line per creator
_SILENT = ("brief names no", "no competitors named")


def reasons_for(
    i: int,
    results: dict[str, SignalResult],
    contributions: dict[str, np.ndarray],
    neutral: dict[str, float] | None = None,
) -> tuple[str, ...]:
    """Reasons for candidate ``i``: niche first, then the signals that moved the score most.

    ``contributions`` may name signals or learned-ranker features; a feature's effect is credited
    to the signal whose name starts it (``audience_known`` -> audience).
    """
    effect: dict[str, float] = {s: 0.0 for s in SIGNALS}
    for name, arr in contributions.items():
        base = next((s for s in SIGNALS if name == s or name.startswith(s + "_")), None)
        if base is not None:
            effect[base] += float(arr[i]) - (neutral or {}).get(name, 0.0)
    known = [s for s in SIGNALS if results[s].known[i]]
    unknown = [s for s in SIGNALS if not results[s].known[i]]
    ordered = [s for s in _ORDER_FIRST if s in known]
    ordered += sorted((s for s in known if s not in ordered), key=lambda s: -abs(effect[s]))
    out = []
    for s in ordered:
        note = results[s].notes[i]
        if note and not note.startswith(_SILENT):
            out.append(note)
    for s in unknown:
        note = results[s].notes[i]
        # a signal the brief did not ask for is not worth a line per creator
        if note and not note.startswith(_SILENT):
            out.append(note)
    return tuple(out)


def neutral_contributions(weights: np.ndarray, neutral_value: float = 0.5) -> dict[str, float]:
    return {s: float(weights[j] * neutral_value) for j, s in enumerate(SIGNALS)}
