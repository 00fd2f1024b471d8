"""Authenticity: engagement rate judged against the norm for the creator's tier.

Bought followers do not like or comment, so engagement far below the tier norm is the classic
sign. The rate is the catalogue's ``engagement_rate`` or, when missing, the mean
(likes + comments) / followers over the creator's posts.

Part: ``engagement_ratio`` (the rate over the tier norm; nan when unknown). Engagement below
:data:`SUSPECT_RATIO` of the norm carries :attr:`Flag.SUSPECTED_FAKE`.
"""

from __future__ import annotations

import numpy as np

from matcher.schema import TIER_ENGAGEMENT_NORM, Brief, Creator, tier_of
from matcher.signals.base import Candidates, Flag, LazyNotes, QueryContext, SignalResult

#: engagement below this fraction of the tier norm is flagged as suspected bought followers
SUSPECT_RATIO = 0.35
#: engagement above this multiple of the norm is unusual too (engagement pods, giveaways)
INFLATED_RATIO = 4.0
PARTS = ("engagement_ratio",)


def engagement_of(c: Creator) -> float | None:
    if c.engagement_rate is not None:
        return float(c.engagement_rate)
    if not c.followers:
        return None
    per_post = [
        (p.likes or 0) + (p.comments or 0)
        for p in c.posts
        if p.likes is not None or p.comments is not None
    ]
    if not per_post:
        return None
    return float(np.mean(per_post)) / c.followers


def engagement_ratio(creators: list[Creator]) -> np.ndarray:
    """Engagement / tier norm per creator; nan when unknown."""
    out = np.full(len(creators), np.nan)
    for i, c in enumerate(creators):
        er = engagement_of(c)
        tier = tier_of(c.followers)
        if er is not None and tier is not None:
            out[i] = er / TIER_ENGAGEMENT_NORM[tier]
    return out


def authenticity_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    ratio = engagement_ratio(cands.creators)
    known = ~np.isnan(ratio)
    r = np.nan_to_num(ratio, nan=1.0)
    # 0 at no engagement, 1 from 60% of the norm up; a mild dip for implausibly high engagement
    score = np.clip(r / 0.6, 0.0, 1.0)
    score = np.where(r > INFLATED_RATIO, 0.8, score)
    score = np.where(known, score, 0.5)
    creators = cands.creators

    def note_of(i: int) -> str:  # made only for the rows a shortlist shows
        if not known[i]:
            return "no engagement or follower data: authenticity not scored"
        c = creators[i]
        tier = tier_of(c.followers) or "nano"
        er = engagement_of(c) or 0.0
        norm = TIER_ENGAGEMENT_NORM[tier]
        head = f"engagement {er:.1%} vs {norm:.1%} typical for {tier}"
        if r[i] < SUSPECT_RATIO:
            return f"{head}: far below the norm, suspected bought followers"
        if r[i] < 0.6:
            return f"{head}: below the norm"
        if r[i] > INFLATED_RATIO:
            return f"{head}: unusually high, check for engagement pods"
        return f"{head}: healthy"

    notes = LazyNotes(len(creators), note_of)
    parts = {"engagement_ratio": ratio}
    flags = {Flag.SUSPECTED_FAKE: known & (r < SUSPECT_RATIO)}
    return SignalResult("authenticity", score, known, notes, parts, flags)
