"""What every signal receives and returns.

A signal is a pure function ``(brief, candidates, context) -> SignalResult``, vectorised over the
N candidates. ``score`` is in [0, 1]; ``known[i]`` is False when the signal cannot judge candidate
i (for example: no audience data). ``notes[i]`` is a short human phrase about candidate i's value,
used by :mod:`matcher.explain`. ``parts`` are the named pieces the score is made of (audience age
/ gender / country fit, tier list / goal / budget fit, days since a competitor deal, ...), each
an array over the candidates with ``nan`` where unknown: a learned ranker reads them as features
named ``<signal>_<part>``. ``flags`` mark candidates (or, for :attr:`Flag.NOT_ASKED`, the whole
brief) for the engine and the explanations. A signal may also exclude candidates by a hard rule
(``exclude[i]`` with ``why[i]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from matcher.lazy import take_creators
from matcher.schema import Brief, Creator

if TYPE_CHECKING:
    from matcher.encoder import Encoder
    from matcher.history import SponsorEvent
    from matcher.pricing import PriceModel
    from matcher.retrieval import Retrieval
    from matcher.rules import Broken
    from matcher.vectors import RowsAt


class Flag(StrEnum):
    """What a signal says about a candidate besides its score."""

    #: the brief asks nothing this signal judges (no tone, no target audience, ...): not scored
    NOT_ASKED = "not_asked"
    #: engagement far below the tier norm: bought followers suspected
    SUSPECTED_FAKE = "suspected_fake"
    #: a competitor deal inside the exclusivity window
    CURRENT_CONFLICT = "current_conflict"


@dataclass
class Candidates:
    """The N creators being scored for one brief, with their vectors.

    ``content`` and ``voice`` are L2-normalised float32 rows (N x d). ``voice_known[i]`` is False
    for a creator without post text (then its voice row is zeros). ``events[i]`` are creator i's
    sponsored posts (:func:`matcher.history.sponsorship_events`) when the engine has parsed
    them (None: a signal parses them itself). ``hard_why[i]`` is why creator i fails the brief's
    hard rules (None when it passes; a sentence, or a :class:`matcher.rules.Broken` that makes
    one), when the engine has checked them. ``creators`` may be read lazily
    (:class:`matcher.lazy.LazyCreators`): the signals compute on :attr:`columns`
    (:mod:`matcher.columns`) and read a creator only for the reasons of a row shown, or for a
    record the columns do not hold exactly.
    """

    creators: Sequence[Creator]
    #: an array, or the rows of the index's (:class:`matcher.vectors.RowsAt`)
    content: np.ndarray | RowsAt
    voice: np.ndarray | RowsAt
    voice_known: np.ndarray
    events: Sequence[Sequence[SponsorEvent]] | None = None
    hard_why: Sequence[str | Broken | None] | None = None
    #: each candidate's row in the index (None: candidates not taken from an index)
    rows: np.ndarray | None = None
    #: each candidate's column record (:data:`matcher.columns.DTYPE`); None: made from
    #: ``creators`` when first read (:attr:`columns`)
    cols: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.creators)
        if self.content.shape[0] != n or self.voice.shape[0] != n or self.voice_known.shape[0] != n:
            raise ValueError(
                f"Candidates arrays must have {n} rows, got content {self.content.shape}, "
                f"voice {self.voice.shape}, voice_known {self.voice_known.shape}"
            )
        for name in ("events", "hard_why", "rows", "cols"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"Candidates.{name} must have {n} entries, got {len(value)}")

    def __len__(self) -> int:
        return len(self.creators)

    @property
    def ids(self) -> list[str]:
        known = getattr(self.creators, "ids", None)  # lazily read creators know their ids
        return list(known) if known is not None else [c.creator_id for c in self.creators]

    @property
    def columns(self) -> np.ndarray:
        """The candidates' column records (made from the creators once when not given)."""
        if self.cols is None:
            from matcher.columns import of_creators

            self.cols = of_creators(self.creators)
        return self.cols

    def take(self, idx: np.ndarray) -> Candidates:
        """A subset of the candidates, in the order of ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        return Candidates(
            creators=take_creators(self.creators, idx),
            content=self.content[idx],
            voice=self.voice[idx],
            voice_known=self.voice_known[idx],
            events=None if self.events is None else [self.events[i] for i in idx],
            hard_why=None if self.hard_why is None else [self.hard_why[i] for i in idx],
            rows=None if self.rows is None else self.rows[idx],
            cols=None if self.cols is None else np.take(self.cols, idx, axis=0),
        )


class VoiceIndex(Protocol):
    """What a ``prepare`` hook may read of the index (see :class:`matcher.index.CreatorIndex`)."""

    def voice_mean(self) -> np.ndarray:
        """Mean voice vector of the catalogue."""
        ...


@dataclass
class Resources:
    """What a signal's ``prepare`` hook may use besides the brief; the engine holds one.

    ``memo`` keeps what is computed once and reused across briefs (e.g. the tone anchors).
    """

    encoder: Encoder
    index: VoiceIndex
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass
class QueryContext:
    """What is computed once per brief and shared by the signals.

    ``query`` is the L2-normalised embedding of the brief's niche text; ``as_of`` the date against
    which post ages are measured. The engine sets ``brief`` and ``resources`` and runs each
    signal's ``prepare`` hook, which fills the signal's own fields: the tone signal's
    ``tone_axis`` (the direction in embedding space of the wanted tone, None when the brief names
    none, see :mod:`matcher.signals.tone`), ``tone_label`` and ``tone_center`` (where the
    catalogue's average voice falls on that axis).
    """

    query: np.ndarray
    as_of: date
    tone_axis: np.ndarray | None = None
    tone_label: str | None = None
    #: projection of the catalogue's typical voice on the tone axis (tone score 0.5)
    tone_center: float = 0.0
    #: exclusivity window of a brief that names none (the ``exclusivity_days`` setting)
    exclusivity_days: int = 90
    #: keep currently conflicted creators (flagged, scored 0) instead of excluding them
    show_conflicts: bool = False
    brief: Brief | None = None
    resources: Resources | None = None
    #: what the dense and lexical retrievers found for the brief (None outside an engine)
    retrieval: Retrieval | None = None
    #: US dollars per unit of currency, over matcher's shipped table (the ``rates`` setting)
    rates: Mapping[str, float] | None = None
    #: price per post estimates fitted on the catalogue (None: the field's tier benchmarks)
    prices: PriceModel | None = None
    #: how much more alike than random creators the brief's best matches are (1 = identical;
    #: see :attr:`matcher.config.Settings.min_clarity`); None when not measured
    clarity: float | None = None

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


def _taken_notes(notes: Sequence[str], idx: np.ndarray) -> Sequence[str]:
    """``notes`` at ``idx``; still made on demand when they were (:class:`LazyNotes`)."""
    if isinstance(notes, LazyNotes):
        rows = idx.tolist()
        return LazyNotes(len(rows), lambda j: notes[rows[j]])
    return [notes[i] for i in idx]


def unscored(
    name: str,
    n: int,
    note: str,
    parts: Sequence[str] = (),
    known_parts: Mapping[str, np.ndarray] | None = None,
) -> SignalResult:
    """The result of a signal the brief asks nothing of: unknown for all, flagged NOT_ASKED.

    Its ``parts`` are nan, except those given in ``known_parts``.
    """
    all_parts = {p: np.full(n, np.nan) for p in parts}
    all_parts.update(known_parts or {})
    return SignalResult(
        name,
        np.full(n, 0.5),
        np.zeros(n, bool),
        [note] * n,
        parts=all_parts,
        flags={Flag.NOT_ASKED: np.ones(n, bool)},
    )


@dataclass
class SignalResult:
    name: str
    score: np.ndarray
    known: np.ndarray
    notes: Sequence[str]
    #: part name -> float array over the candidates (nan: unknown)
    parts: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: flag -> bool array over the candidates
    flags: Mapping[Flag, np.ndarray] = field(default_factory=dict)
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
        for what, arrays in (("part", self.parts), ("flag", self.flags)):
            for key, arr in arrays.items():
                if np.shape(arr) != (n,):
                    raise ValueError(
                        f"signal {self.name!r}: {what} {key!r} must have length {n}, "
                        f"got shape {np.shape(arr)}"
                    )
        if n and (np.nanmin(self.score) < -1e-9 or np.nanmax(self.score) > 1 + 1e-9):
            raise ValueError(f"signal {self.name!r}: scores must lie in [0, 1]")

    def flagged(self, flag: Flag, i: int) -> bool:
        """Whether candidate ``i`` carries ``flag``."""
        arr = self.flags.get(flag)
        return bool(arr[i]) if arr is not None else False

    def take(self, idx: np.ndarray) -> SignalResult:
        """This result for a subset of the candidates, in the order of ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        return SignalResult(
            self.name,
            self.score[idx],
            self.known[idx],
            _taken_notes(self.notes, idx),
            {k: v[idx] for k, v in self.parts.items()},
            {k: v[idx] for k, v in self.flags.items()},
            None if self.exclude is None else self.exclude[idx],
            [self.why[i] for i in idx] if self.exclude is not None else [],
        )
