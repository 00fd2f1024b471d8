"""The candidates of one brief once scored, and the pick of a shortlist from them.

:class:`Scored` holds every candidate's signals, score, contributions and why it is excluded;
:func:`pick` walks them best first and takes the first k that are not excluded, noting the
excluded ones that would have ranked among them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.ranking import SignalMatrix
from matcher.rules import Broken, OffNiche
from matcher.signals.base import Candidates, SignalResult

#: the signal whose value :func:`pick_checked` reads last: competitor work only lowers it
DEFERRED = "conflict"
#: candidates scored exactly at first by :func:`pick_checked`, per shortlist place
CHECKED_PER_PLACE = 3


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


def pick_near(
    score: Callable[..., Scored],
    cands: Candidates,
    near: np.ndarray | None,
    niche: SignalResult | None,
    k: int,
    monotone: bool,
) -> tuple[Scored, Pick]:
    """:func:`pick_checked` over the candidates at ``near`` (their niche signal ``niche``
    computed for all) when they fill ``k`` places, else over all of them (see
    :meth:`matcher.engine.Matcher._near`; ``near`` None: all of them at once)."""
    if near is not None and niche is not None:
        first = pick_checked(
            score, cands.take(near), {"niche": niche.take(near)}, k, monotone, True
        )
        if first is not None:
            return first
    got = pick_checked(score, cands, None if niche is None else {"niche": niche}, k, monotone)
    assert got is not None  # asked to fill: always a pick
    return got


def pick_checked(
    score: Callable[..., Scored],
    cands: Candidates,
    done: Mapping[str, SignalResult] | None,
    k: int,
    monotone: bool,
    fill: bool = False,
) -> tuple[Scored, Pick] | None:
    """``(s, pick(s, k))`` for the candidates that can reach the best ``k``, the same shortlist
    as :func:`pick` over ``score(cands, done=done)``, reading sponsored posts only for those.
    With ``fill``, None instead of a pick that fills fewer than ``k`` places, as soon as that
    is known (the caller then picks from more candidates).

    Only for a ranker whose score never falls when a signal's value rises (``monotone``; else,
    or when the candidates' sponsored posts are already read, all are scored). The
    conflict value is highest (1.0) for a candidate without competitor work, so every
    candidate's score computed as if none had any (no sponsored post read) bounds its real
    score from above. The candidates are ordered by that bound, and the best of them, up to
    the :data:`CHECKED_PER_PLACE` x ``k``-th one not excluded by then, are scored with their
    sponsored posts read, the other signals taken from the first pass. Their pick stands when
    it fills ``k`` places and its last place ranks before the bound of the best candidate left
    out, which no candidate left out can then pass; else four times as many are scored, up to
    all candidates (when a pick must pass over all of them, as when none fits the niche).
    """
    n = len(cands)
    if not monotone or cands.events is not None:
        s = score(cands, done=done)
        p = pick(s, k)
        return None if fill and len(p.shown) < k else (s, p)
    bound = score(dataclasses.replace(cands, events=[()] * n), done=done)
    order = bound.order()
    # where the candidates not excluded without competitor work end: those a pick can show
    ends = np.flatnonzero([bound.excluded[i] is None for i in order.tolist()]) + 1
    if fill and len(ends) < k:  # k places cannot be filled even without competitor work
        return None
    want = CHECKED_PER_PLACE * k
    while True:
        size = int(ends[want - 1]) if want <= len(ends) else n
        head = order[:size]
        known = {name: r.take(head) for name, r in bound.sm.results.items() if name != DEFERRED}
        s = score(cands.take(head), done=known)
        p = pick(s, k)
        if size >= n or (len(p.shown) == k and _before(s, p.shown[-1], bound, order[size])):
            return None if fill and len(p.shown) < k else (s, p)
        want *= 4


def _before(a: Scored, i: int, b: Scored, j: int) -> bool:
    """Whether candidate ``i`` of ``a`` ranks before candidate ``j`` of ``b`` (see
    :meth:`Scored.order`: near the niche first, then by score, ties by creator_id)."""

    def key(s: Scored, x: int) -> tuple[bool, float, str]:
        far = bool(s.far[x]) if s.far is not None else False
        return far, -float(s.score[x]), s.cands.ids[x]

    return key(a, i) < key(b, j)


def order_by_score(score: np.ndarray, ids: Sequence[str], last: np.ndarray) -> np.ndarray:
    """Indices by score descending (those marked ``last`` after all others), ties by creator_id
    ascending (deterministic). Creator ids are compared only among tied candidates."""
    neg = -np.asarray(score, dtype=np.float64)
    last = np.asarray(last, dtype=bool)
    order = np.lexsort((neg, last))
    s, f = neg[order], last[order]
    same = (s[1:] == s[:-1]) | (np.isnan(s[1:]) & np.isnan(s[:-1]))  # NaNs sort as equals
    tie = same & (f[1:] == f[:-1])
    if not tie.any():
        return order
    group = np.cumsum(np.r_[True, ~tie])  # runs of equal (last, score)
    tied = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
    at = order[tied]
    names = np.array([ids[i] for i in at.tolist()], dtype=object)
    id_rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")
    order[tied] = at[np.lexsort((id_rank, group[tied]))]
    return order
