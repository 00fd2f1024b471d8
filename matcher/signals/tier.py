"""Tier: follower tier against the brief's tiers, its goal, and its budget.

* tiers: in the list 1.0; a neighbouring tier 0.35; further 0.05 (a soft rule: briefs often
  name tiers loosely, so a strong creator one tier off can still surface).
* goal: micro creators win on trust and conversion, mega on reach and awareness; hybrid
  campaigns mix both (table ``GOAL_FIT``).
* budget: the price of one post (``price_per_post``, else the tier's typical price, said so in
  the reason) against the budget: a post taking up to a quarter of it fits fully, the fit falls
  to 0.5 at the whole budget and to 0.05 well beyond it.
The score is the mean of the parts the brief specifies; with none, the signal is unknown.
"""

from __future__ import annotations

import numpy as np

from matcher.schema import TIER_PRICE_USD, TIERS, Brief, Creator, tier_of
from matcher.signals.base import Candidates, QueryContext, SignalResult

GOAL_FIT = {
    "conversion": {"emerging": 0.5, "nano": 0.9, "micro": 1.0, "macro": 0.6, "mega": 0.3},
    "awareness": {"emerging": 0.1, "nano": 0.25, "micro": 0.5, "macro": 0.9, "mega": 1.0},
    "hybrid": {"emerging": 0.3, "nano": 0.6, "micro": 0.95, "macro": 1.0, "mega": 0.7},
}
_ORDER = ("emerging", *TIERS)


def tier_list_fit(tier: str, wanted: tuple[str, ...]) -> float:
    if tier in wanted:
        return 1.0
    dist = min(abs(_ORDER.index(tier) - _ORDER.index(w)) for w in wanted)
    return 0.35 if dist == 1 else 0.05


def budget_fit(price: float, budget: float) -> float:
    r = price / budget
    if r <= 0.25:
        return 1.0
    if r <= 1.0:
        return 1.0 - (r - 0.25) / 0.75 * 0.5
    return float(max(0.05, 0.5 / r**2))


def price_of(c: Creator, currency: str) -> tuple[float, bool] | None:
    """(price, is_estimate); None when neither a price nor a tier is known."""
    if c.price_per_post is not None and (c.currency or "USD").upper() == currency.upper():
        return float(c.price_per_post), False
    tier = tier_of(c.followers)
    if tier is None:
        return None
    return TIER_PRICE_USD[tier][1], True


def tier_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    wanted = tuple(t for t in brief.tiers if t in _ORDER)
    goal = brief.goal if brief.goal in GOAL_FIT else None
    if not (wanted or goal or brief.budget):
        return SignalResult(
            "tier",
            np.full(n, 0.5),
            np.zeros(n, bool),
            ["brief names no tiers, goal or budget: tier not scored"] * n,
        )
    score = np.full(n, 0.5)
    known = np.zeros(n, bool)
    notes: list[str] = []
    for i, c in enumerate(cands.creators):
        tier = tier_of(c.followers)
        if tier is None:
            notes.append("follower count unknown: tier not scored")
            continue
        parts: list[float] = []
        phrases = [f"{tier} ({c.followers:,} followers)"]
        if wanted:
            f = tier_list_fit(tier, wanted)
            parts.append(f)
            phrases.append("a wanted tier" if f == 1.0 else f"brief wants {'/'.join(wanted)}")
        if goal:
            parts.append(GOAL_FIT[goal][tier])
            phrases.append(f"{'suits' if GOAL_FIT[goal][tier] >= 0.75 else 'weaker for'} {goal}")
        if brief.budget:
            p = price_of(c, brief.currency)
            if p is not None:
                price, est = p
                parts.append(budget_fit(price, brief.budget))
                what = f"~${price:,.0f}/post ({tier} estimate)" if est else f"${price:,.0f}/post"
                verdict = "within" if price <= brief.budget else "over"
                phrases.append(f"{what} {verdict} the {brief.budget:,.0f} budget")
        known[i] = True
        score[i] = float(np.mean(parts)) if parts else 0.5
        notes.append(", ".join(phrases))
    return SignalResult("tier", np.clip(score, 0.0, 1.0), known, notes)
