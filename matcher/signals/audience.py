"""Audience: overlap of the brief's target age, gender and countries with the creator's audience.

Each part the brief targets is scored by histogram intersection, sum_b min(target_b, creator_b),
which is 1 when the creator's audience has the target's shape and falls as shares move outside
it. Countries come from the brief's audience or, failing that, its ``countries`` (an even split).
A creator's parts that are missing are unknown, never made up; the score is the mean over the
parts that are known on both sides.
"""

from __future__ import annotations

import numpy as np

from matcher.schema import AGE_BUCKETS, Audience, Brief
from matcher.signals.base import Candidates, QueryContext, SignalResult


def _target(brief: Brief) -> dict[str, dict[str, float]]:
    t: dict[str, dict[str, float]] = {}
    a = brief.audience or Audience()
    if a.age:
        t["age"] = dict(a.age)
    if a.gender:
        t["gender"] = dict(a.gender)
    if a.countries:
        t["countries"] = {k.upper(): v for k, v in a.countries.items()}
    elif brief.countries:
        share = 1.0 / len(brief.countries)
        t["countries"] = {c.upper(): share for c in brief.countries}
    return t


def _intersection(target: dict[str, float], have: dict[str, float]) -> float:
    return float(sum(min(v, have.get(k, 0.0)) for k, v in target.items()))


def _age_span(buckets: list[str]) -> str:
    idx = sorted(AGE_BUCKETS.index(b) for b in buckets if b in AGE_BUCKETS)
    if not idx:
        return "target ages"
    lo = AGE_BUCKETS[idx[0]].split("-")[0]
    hi_b = AGE_BUCKETS[idx[-1]]
    hi = hi_b.split("-")[-1] if "-" in hi_b else hi_b
    return f"{lo}–{hi}" if lo != hi else lo


def audience_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    target = _target(brief)
    if not target:
        return SignalResult(
            "audience",
            np.full(n, 0.5),
            np.zeros(n, bool),
            ["brief names no target audience: audience not scored"] * n,
        )
    score = np.full(n, 0.5)
    known = np.zeros(n, bool)
    notes: list[str] = []
    for i, c in enumerate(cands.creators):
        a = c.audience
        parts: list[float] = []
        phrases: list[str] = []
        if a is not None:
            if "gender" in target and a.gender:
                parts.append(_intersection(target["gender"], a.gender))
                top = max(target["gender"], key=lambda g: target["gender"][g])
                phrases.append(f"{a.gender.get(top, 0.0):.0%} {top}")
            if "age" in target and a.age:
                parts.append(_intersection(target["age"], a.age))
                buckets = [b for b, v in target["age"].items() if v > 0]
                share = sum(a.age.get(b, 0.0) for b in buckets)
                phrases.append(f"{share:.0%} aged {_age_span(buckets)}")
            if "countries" in target and a.countries:
                have = {k.upper(): v for k, v in a.countries.items()}
                parts.append(_intersection(target["countries"], have))
                share = sum(have.get(k, 0.0) for k in target["countries"])
                phrases.append(f"{share:.0%} in {'/'.join(target['countries'])}")
        if not parts:
            notes.append("no audience data: audience not scored")
            continue
        known[i] = True
        score[i] = float(np.mean(parts))
        verdict = (
            "matches target"
            if score[i] >= 0.7
            else "partly matches target"
            if score[i] >= 0.45
            else "misses target"
        )
        notes.append(f"audience {', '.join(phrases)}: {verdict}")
    return SignalResult("audience", np.clip(score, 0.0, 1.0), known, notes)
