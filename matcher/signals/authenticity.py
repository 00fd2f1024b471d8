"""Authenticity: engagement rate judged against the norm for the creator's tier.

Bought followers do not like or comment, so engagement far below the tier norm is the classic
sign. The rate is the catalogue's ``engagement_rate`` or, when missing, the mean
(likes + comments) / followers over the creator's posts.

Part: ``engagement_ratio`` (the rate over the tier norm; nan when unknown). Engagement below
:data:`SUSPECT_RATIO` of the norm carries :attr:`Flag.SUSPECTED_FAKE`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.columns import TIER_NORMS, engagement_of, of_creators, tier_codes
from matcher.schema import TIER_ENGAGEMENT_NORM, Brief, Creator, tier_of
from matcher.signals.base import Candidates, Flag, LazyNotes, QueryContext, SignalResult

#: engagement below this fraction of the tier norm is flagged as suspected bought followers
SUSPECT_RATIO = 0.35
#: engagement above this multiple of the norm is unusual too (engagement pods, giveaways)
INFLATED_RATIO = 4.0
PARTS = ("engagement_ratio",)


def engagement_ratio(creators: Sequence[Creator] | np.ndarray) -> np.ndarray:
    """Engagement / tier norm per creator (creators, or their column records); nan when
    unknown."""
    cols = creators if isinstance(creators, np.ndarray) else of_creators(creators)
    tier = tier_codes(cols["followers"])
    er = cols["engagement"]
    known = (tier >= 0) & ~np.isnan(er)
    out = np.full(len(cols), np.nan)
    out[known] = er[known] / TIER_NORMS[tier[known]]
    return out


def authenticity_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    ratio = engagement_ratio(cands.columns)
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
