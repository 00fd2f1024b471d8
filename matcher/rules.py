"""The brief's rules: which creators it excludes, and why, and what a short list says.

* hard rules (:func:`hard_filter`): ``exclude_creators``, languages, platforms, markets;
* the niche gate (:class:`OffNiche`): a creator whose niche fit is below the gate, or any
  creator when the brief's niche is missing from the catalogue;
* what to tell the user when fewer creators than asked are left (:func:`shortfall`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.columns import in_set, inexact
from matcher.schema import Brief, Creator
from matcher.signals.base import SignalResult


def hard_filter(brief: Brief, c: Creator) -> str | None:
    """Why a creator fails the brief's hard rules, or None when it passes."""
    return HardRules(brief)(c)


class HardRules:
    """The brief's hard rules, read once: ``HardRules(brief)(creator)`` is
    :func:`hard_filter` for many creators of one brief."""

    def __init__(self, brief: Brief) -> None:
        self.exclude = frozenset(brief.exclude_creators)
        self.languages = {x.lower() for x in brief.languages}
        self.platforms = {x.lower() for x in brief.platforms}
        self.want = {x.upper() for x in brief.countries}
        self._languages = "/".join(brief.languages)
        self._platforms = "/".join(brief.platforms)
        self._markets = "/".join(sorted(self.want))

    def __call__(self, c: Creator) -> str | None:
        if c.creator_id in self.exclude:
            return "excluded by the brief (exclude_creators)"
        if self.languages and c.language and c.language.lower() not in self.languages:
            return f"writes in {c.language}, brief wants {self._languages}"
        if self.platforms and c.platform and c.platform.lower() not in self.platforms:
            return f"on {c.platform}, brief wants {self._platforms}"
        want = self.want
        if want and c.country and c.country.upper() not in want:
            aud = (c.audience.countries if c.audience and c.audience.countries else {}) or {}
            if not any(v >= 0.25 and k.upper() in want for k, v in aud.items()):
                return f"based in {c.country.upper()}, campaign runs in {self._markets}"
        return None

    def check(
        self, cols: np.ndarray, ids: Sequence[str], creators: Sequence[Creator]
    ) -> list[str | Broken | None]:
        """Why each candidate fails the rules (None when it passes), from its column records
        (:mod:`matcher.columns`); the sentence is made only if it is shown (:class:`Broken`)."""
        fail = np.zeros(len(cols), dtype=bool)
        if self.exclude:
            fail |= np.fromiter((i in self.exclude for i in ids), dtype=bool, count=len(ids))
        for wanted, field in ((self.languages, "language"), (self.platforms, "platform")):
            if wanted:
                fail |= (cols[field] != b"") & ~in_set(cols[field], wanted)
        if self.want:
            market = cols["country_share"] >= 0.25
            market &= in_set(cols["country_key"], self.want)
            away = (cols["country"] != b"") & ~in_set(cols["country"], self.want)
            fail |= away & ~market.any(axis=1)
        out: list[str | Broken | None] = [None] * len(cols)
        for i in np.flatnonzero(fail).tolist():
            out[i] = Broken(self, creators, i)
        for i in inexact(cols):  # read from the creator itself
            out[i] = self(creators[i])
        return out


class Broken:
    """Why a candidate fails a brief's hard rules, made into a sentence only if it is shown."""

    def __init__(self, rules: HardRules, creators: Sequence[Creator], i: int) -> None:
        self.rules, self.creators, self.i = rules, creators, i

    def __str__(self) -> str:
        return self.rules(self.creators[self.i]) or ""


class OffNiche:
    """Why a creator was cut by the niche gate (its niche value below ``gate``, or a brief whose
    niche the catalogue lacks: ``clarity``); the sentence is made only if it is shown."""

    def __init__(
        self, niche: SignalResult, i: int, gate: float = 0.0, clarity: float | None = None
    ) -> None:
        self.niche, self.i, self.gate, self.clarity = niche, i, gate, clarity

    def __str__(self) -> str:
        if self.clarity is not None:
            return (
                f"outside the brief's niche: {self.niche.notes[self.i]}; the catalogue's best "
                f"matches for the brief share no niche (clarity {self.clarity:.2f})"
            )
        return (
            f"outside the brief's niche: {self.niche.notes[self.i]}; "
            f"niche {self.niche.score[self.i]:.2f} is below the {self.gate:.2f} needed"
        )


def shortfall(brief: Brief, n: int, k: int, off_niche: int, other: int) -> tuple[str, ...]:
    """What to say when fewer than ``k`` creators are shortlisted: why, and what to change."""
    if n >= k:
        return ()
    fit = "no creator fits" if n == 0 else f"only {n} creator{'s' * (n != 1)} fit"
    if off_niche:
        head = f"{fit} this brief's niche ({off_niche} candidates are outside it)"
    elif other:
        head = f"{fit} the brief's rules ({other} excluded)"
    else:
        return (f"the index holds only {n} creator{'s' * (n != 1)} for this brief",)
    widen = [w for w, on in (("markets", brief.countries), ("languages", brief.languages),
                             ("platforms", brief.platforms)) if on]  # fmt: skip
    todo = [f"widen {', '.join(widen)}"] if widen else []
    if off_niche:
        todo.append("describe the niche more broadly")
    return (f"{head}; {' or '.join(todo)}" if todo else head,)
