"""What every signal receives and returns.

A signal is a pure function ``(brief, candidates, context) -> SignalResult``, vectorised over the
N candidates. ``score`` is in [0, 1]; ``known[i]`` is False when the signal cannot judge candidate
i (for example: no audience data). ``notes[i]`` is a short human phrase about candidate i's value,
used by :mod:`matcher.explain`. A signal may also exclude candidates by a hard rule
(``exclude[i]`` with ``why[i]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matcher.schema import Brief, Creator


@dataclass
class Candidates:
    """The N creators being scored for one brief, with their vectors.

    ``content`` and ``voice`` are L2-normalised float32 rows (N x d). ``voice_known[i]`` is False
    for a creator without post text (then its voice row is zeros).
    """

    creators: list[Creator]
    content: np.ndarray
    voice: np.ndarray
    voice_known: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.creators)
        if self.content.shape[0] != n or self.voice.shape[0] != n or self.voice_known.shape[0] != n:
            raise ValueError(
                f"Candidates arrays must have {n} rows, got content {self.content.shape}, "
                f"voice {self.voice.shape}, voice_known {self.voice_known.shape}"
            )

    def __len__(self) -> int:
        return len(self.creators)

    @property
    def ids(self) -> list[str]:
        return [c.creator_id for c in self.creators]

    def take(self, idx: np.ndarray) -> Candidates:
        """A subset of the candidates, in the order of ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        return Candidates(
            creators=[self.creators[i] for i in idx],
            content=self.content[idx],
            voice=self.voice[idx],
            voice_known=self.voice_known[idx],
        )


@dataclass
class QueryContext:
    """What is computed once per brief and shared by the signals.

    ``query`` is the L2-normalised embedding of the brief's niche text. ``tone_axis`` is the
    direction in embedding space of the wanted tone (see :mod:`matcher.signals.tone`) or None when
    the brief names no tone. ``as_of`` is the date against which post ages are measured. ``tone_center`` is where the
    catalogue's average voice falls on the tone axis.
    """

    query: np.ndarray
    as_of: date
    tone_axis: np.ndarray | None = None
    tone_label: str | None = None
    #: projection of the catalogue's typical voice on the tone axis (tone score 0.5)
    tone_center: float = 0.0
    #: exclusivity window of a brief that names none (the ``exclusivity_days`` setting)
    exclusivity_days: int = 90

    def window(self, brief: Brief) -> int:
        """The brief's exclusivity window in days: its own, else the setting's."""
        return self.exclusivity_days if brief.exclusivity_days is None else brief.exclusivity_days


class LazyNotes(Sequence[str]):
    """Notes made on demand: a shortlist shows the reasons of k candidates, not of all N."""

    def __init__(self, n: int, make: Callable[[int], str]) -> None:
        self._n = n
        self._make = make
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[no-untyped-def,override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        i %= self._n
        if i not in self._done:
            self._done[i] = self._make(i)
        return self._done[i]


@dataclass
class SignalResult:
    name: str
    score: np.ndarray
    known: np.ndarray
    notes: Sequence[str]
    exclude: np.ndarray | None = None
    why: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = self.score.shape[0]
        if self.known.shape != (n,) or len(self.notes) != n:
            raise ValueError(
                f"signal {self.name!r}: score, known and notes must all have length {n}"
            )
        if self.exclude is not None and (self.exclude.shape != (n,) or len(self.why) != n):
            raise ValueError(f"signal {self.name!r}: exclude and why must have length {n}")
        if n and (np.nanmin(self.score) < -1e-9 or np.nanmax(self.score) > 1 + 1e-9):
            raise ValueError(f"signal {self.name!r}: scores must lie in [0, 1]")
