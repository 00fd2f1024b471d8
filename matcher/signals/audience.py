"""Audience: overlap of the brief's target age, gender and countries with the creator's audience.

Each part the brief targets is scored by histogram intersection, sum_b min(target_b, creator_b),
which is 1 when the creator's audience has the target's shape and falls as shares move outside
it. Countries come from the brief's audience or, failing that, its ``countries`` (an even split).
A creator's parts that are missing are unknown, never made up; the score is the mean over the
parts that are known on both sides.

Parts: ``age_fit``, ``gender_fit``, ``country_fit`` (the intersections; nan when unknown), and
``language_match`` / ``country_match`` (1 when the creator writes in one of the brief's
languages / is based in one of its countries, 0 when not, nan when either side is silent).
"""

from __future__ import annotations

import numpy as np

from matcher.columns import country_share, in_set, inexact
from matcher.schema import AGE_BUCKETS, GENDERS, Audience, Brief
from matcher.signals.base import Candidates, LazyNotes, QueryContext, SignalResult, unscored

PARTS = ("age_fit", "gender_fit", "country_fit", "language_match", "country_match")


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


def _market_parts(brief: Brief, cands: Candidates) -> dict[str, np.ndarray]:
    """``language_match`` and ``country_match`` of each candidate."""
    cols = cands.columns
    n = len(cols)
    lang = np.full(n, np.nan)
    based = np.full(n, np.nan)
    langs = {x.lower() for x in brief.languages}
    markets = {x.upper() for x in brief.countries}
    if langs:
        has = cols["language"] != b""
        lang[has] = in_set(cols["language"][has], langs)
    if markets:
        has = cols["country"] != b""
        based[has] = in_set(cols["country"][has], markets)
    for i in inexact(cols):  # read from the creator itself
        c = cands.creators[i]
        lang[i] = float(c.language.lower() in langs) if langs and c.language else np.nan
        based[i] = float(c.country.upper() in markets) if markets and c.country else np.nan
    return {"language_match": lang, "country_match": based}


def _column_fits(target: dict[str, dict[str, float]], cols: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`_fits` of every candidate from its columns (nan where that part is unknown)."""
    fits: dict[str, np.ndarray] = {}
    for part, field, keys in (("gender_fit", "gender", GENDERS), ("age_fit", "age", AGE_BUCKETS)):
        if field in target:
            acc = np.zeros(len(cols))
            for k, v in target[field].items():
                have = cols[field][:, keys.index(k)] if k in keys else np.zeros(len(cols))
                acc = acc + np.minimum(v, have)
            fits[part] = np.where(cols[f"{field}_known"], acc, np.nan)
    if "countries" in target:
        acc = np.zeros(len(cols))
        for k, v in target["countries"].items():
            acc = acc + np.minimum(v, country_share(cols, k))
        fits["country_fit"] = np.where(cols["countries_known"], acc, np.nan)
    return fits


def _fits(target: dict[str, dict[str, float]], a: Audience) -> dict[str, float]:
    """The intersections of one creator's audience with the target (in the order gender, age,
    countries, as the phrases read)."""
    fits: dict[str, float] = {}
    if "gender" in target and a.gender:
        fits["gender_fit"] = _intersection(target["gender"], a.gender)
    if "age" in target and a.age:
        fits["age_fit"] = _intersection(target["age"], a.age)
    if "countries" in target and a.countries:
        have = {k.upper(): v for k, v in a.countries.items()}
        fits["country_fit"] = _intersection(target["countries"], have)
    return fits


def _phrases(target: dict[str, dict[str, float]], a: Audience) -> list[str]:
    """What one creator's audience looks like against the target, for the reasons."""
    phrases: list[str] = []
    if "gender" in target and a.gender:
        top = max(target["gender"], key=lambda g: target["gender"][g])
        phrases.append(f"{a.gender.get(top, 0.0):.0%} {top}")
    if "age" in target and a.age:
        buckets = [b for b, v in target["age"].items() if v > 0]
        share = sum(a.age.get(b, 0.0) for b in buckets)
        phrases.append(f"{share:.0%} aged {_age_span(buckets)}")
    if "countries" in target and a.countries:
        have = {k.upper(): v for k, v in a.countries.items()}
        share = sum(have.get(k, 0.0) for k in target["countries"])
        phrases.append(f"{share:.0%} in {'/'.join(target['countries'])}")
    return phrases


def audience_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    target = _target(brief)
    market = _market_parts(brief, cands)
    if not target:
        note = "brief names no target audience: audience not scored"
        return unscored("audience", n, note, PARTS, market)
    parts = {p: np.full(n, np.nan) for p in ("age_fit", "gender_fit", "country_fit")}
    parts.update(_column_fits(target, cands.columns))
    for i in inexact(cands.columns):  # read from the creator itself
        a = cands.creators[i].audience
        fits = _fits(target, a) if a is not None else {}
        for name in parts:
            parts[name][i] = fits.get(name, np.nan)
    # the mean of the known parts, added in the order the phrases read
    total, count = np.zeros(n), np.zeros(n)
    for name in ("gender_fit", "age_fit", "country_fit"):
        has = ~np.isnan(parts[name])
        total, count = total + np.where(has, parts[name], 0.0), count + has
    known = count > 0
    score = np.where(known, total / np.maximum(count, 1), 0.5)
    creators = cands.creators

    def note_of(i: int) -> str:  # made only for the rows a shortlist shows
        a = creators[i].audience
        if not known[i] or a is None:
            return "no audience data: audience not scored"
        verdict = (
            "matches target"
            if score[i] >= 0.7
            else "partly matches target"
            if score[i] >= 0.45
            else "misses target"
        )
        return f"audience {', '.join(_phrases(target, a))}: {verdict}"

    notes = LazyNotes(n, note_of)
    return SignalResult("audience", np.clip(score, 0.0, 1.0), known, notes, {**parts, **market})
