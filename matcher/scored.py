"""The candidates of one brief once scored, and the pick of a shortlist from them.

:class:`Scored` holds every candidate's signals, score, contributions and why it is excluded;
:func:`pick` walks them best first and takes the first k that are not excluded, noting the
excluded ones that would have ranked among them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.ranking import SignalMatrix
from matcher.rules import Broken, OffNiche
from matcher.signals.base import Candidates


@dataclass
class Scored:
    """Every candidate of one brief, scored (before cutting to k)."""

    cands: Candidates
    sm: SignalMatrix
    score: np.ndarray
    contributions: Mapping[str, np.ndarray]
    #: why each candidate is excluded (a sentence, or an :class:`OffNiche`), None when it is not
    excluded: list[str | OffNiche | Broken | None]
    #: True for a candidate far from the brief's niche (its niche value under ``niche_floor``):
    #: it ranks after every candidate that is not, whatever the ranker's score
    far: np.ndarray | None = None

    def order(self) -> np.ndarray:
        """Candidate indices best first: the near-niche ones by score, then the far ones."""
        far = self.far if self.far is not None else np.zeros(len(self.score), dtype=bool)
        return order_by_score(self.score, self.cands.ids, far)


@dataclass
class Pick:
    """A shortlist's candidates: ``shown`` (indices, best first), the excluded ones that would
    have ranked among them (index, why), and how many were passed over for each kind of why."""

    shown: list[int] = field(default_factory=list)
    excluded: list[tuple[int, str]] = field(default_factory=list)
    off_niche: int = 0
    other: int = 0


def pick(s: Scored, k: int) -> Pick:
    """The best ``k`` candidates that are not excluded, walking them best first."""
    out = Pick()
    for i in s.order():
        if len(out.shown) >= k:
            break
        why = s.excluded[i]
        if why is None:
            out.shown.append(int(i))
            continue
        out.off_niche += isinstance(why, OffNiche)
        out.other += not isinstance(why, OffNiche)
        if len(out.excluded) < k:  # those that would have ranked within k
            out.excluded.append((int(i), str(why)))
    return out


def order_by_score(score: np.ndarray, ids: Sequence[str], last: np.ndarray) -> np.ndarray:
    """Indices by score descending (those marked ``last`` after all others), ties by creator_id
    ascending (deterministic)."""
    id_rank = np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"), kind="stable")
    return np.lexsort((id_rank, -score, last))
