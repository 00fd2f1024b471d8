"""Warming a matcher up before it serves: its first briefs would otherwise pay for what is built
on first use (the everyday-English word list that brand parsing reads, 0.3 s; the learned
ranker's TreeSHAP tables, built on its second call, 0.2 s; the first pass of the model, FAISS and
LightGBM). Under 32 clients the first briefs of each fresh worker waited behind these, and the
first seconds of a run held the slowest answers (bench/serve_load.py)."""

from __future__ import annotations

import logging
from typing import Any

from matcher.io.files import brief_from_dict

log = logging.getLogger(__name__)

#: a brief that takes the paths real ones take: competitors (brand parsing), tone, tiers, budget
WARM_UP_BRIEF = {
    "brief_id": "warm-up",
    "brand": "Matcher",
    "description": "A warm-up brief: everyday running shoes for people who train before work, "
    "shown by creators whose followers trust their gear advice.",
    "category": "Running shoes",
    "tone": ["authentic", "expert"],
    "goal": "conversion",
    "tiers": ["micro", "macro"],
    "budget": 20000,
    "currency": "USD",
    "competitors": ["Example Sports", "@examplebrand"],
    "k": 20,
}


def warm_up(matcher: Any, times: int = 2) -> None:
    """Recommend :data:`WARM_UP_BRIEF` ``times`` times (two: the second builds the tables a
    learned ranker makes on its second call). Read-only but for caches; a failure is logged, not
    raised: the matcher still serves, its first briefs only slower."""
    brief = brief_from_dict(WARM_UP_BRIEF, source="warm-up")
    try:
        for _ in range(times):
            matcher.recommend(brief)
    except Exception as e:  # noqa: BLE001 - warming up is an optimisation
        log.warning("warming the matcher up failed (%s: %s); its first briefs will be slower",
                    type(e).__name__, e)  # fmt: skip
