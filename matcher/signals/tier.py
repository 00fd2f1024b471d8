"""Tier: follower tier against the brief's tiers, its goal, and its budget.

* tiers: in the list 1.0; a neighbouring tier 0.35; further 0.05 (a soft rule: briefs often
  name tiers loosely, so a strong creator one tier off can still surface).
* goal: micro creators win on trust and conversion, mega on reach and awareness; hybrid
  campaigns mix both (table ``GOAL_FIT``).
* budget: the price of one post (``price_per_post``, else the tier's typical price, said so in
  the reason) against the budget: a post taking up to a quarter of it fits fully, the fit falls
  to 0.5 at the whole budget and to 0.05 well beyond it.
The score is the mean of the parts the brief specifies; with none, the signal is unknown.

Parts: ``list_fit``, ``goal_fit``, ``budget_fit`` (nan when the brief names no tiers / goal /
budget or the creator's tier is unknown) and ``price_budget_ratio`` (a stated price in the
brief's currency over the budget; nan otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.money import convert, money
from matcher.pricing import PriceModel
from matcher.schema import TIERS, Brief, Creator, tier_of
from matcher.signals.base import Candidates, LazyNotes, QueryContext, SignalResult, unscored

GOAL_FIT = {
    "conversion": {"emerging": 0.5, "nano": 0.9, "micro": 1.0, "macro": 0.6, "mega": 0.3},
    "awareness": {"emerging": 0.1, "nano": 0.25, "micro": 0.5, "macro": 0.9, "mega": 1.0},
    "hybrid": {"emerging": 0.3, "nano": 0.6, "micro": 0.95, "macro": 1.0, "mega": 0.7},
}
_ORDER = ("emerging", *TIERS)
PARTS = ("list_fit", "goal_fit", "budget_fit", "price_budget_ratio")
#: no fitted prices: every estimate is the tier's benchmark
_BENCHMARKS = PriceModel()


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


def price_of(
    c: Creator,
    currency: str,
    rates: Mapping[str, float] | None = None,
    prices: PriceModel | None = None,
) -> tuple[float, str | None, str | None] | None:
    """(price per post in ``currency``, where an estimate comes from (None for a stated price),
    the currency a stated price was converted from or None); None when neither a price nor a
    tier is known, or the currency cannot be converted (see :mod:`matcher.money`). Estimates
    come from ``prices`` (fitted on the catalogue, :mod:`matcher.pricing`), else the field's
    tier benchmarks."""
    if c.price_per_post is not None:
        stated = convert(c.price_per_post, c.currency, currency, rates)
        if stated is not None:
            same = (c.currency or "USD").upper() == (currency or "USD").upper()
            return stated, None, None if same else (c.currency or "USD").upper()
    est = (prices or _BENCHMARKS).estimate(c)
    if est is None:
        return None
    estimate = convert(est[0], "USD", currency, rates)
    return None if estimate is None else (estimate, est[1], None)


def price_budget_ratio(
    brief: Brief, creators: list[Creator], rates: Mapping[str, float] | None = None
) -> np.ndarray:
    """A stated price per post (in the brief's currency) over the budget; nan otherwise."""
    out = np.full(len(creators), np.nan)
    if not brief.budget:
        return out
    for i, c in enumerate(creators):
        if c.price_per_post is not None:
            price = convert(c.price_per_post, c.currency, brief.currency, rates)
            if price is not None:
                out[i] = price / float(brief.budget)
    return out


def tier_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    wanted = tuple(t for t in brief.tiers if t in _ORDER)
    goal = brief.goal if brief.goal in GOAL_FIT else None
    rates = ctx.rates
    ratio = {"price_budget_ratio": price_budget_ratio(brief, cands.creators, rates)}
    if not (wanted or goal or brief.budget):
        note = "brief names no tiers, goal or budget: tier not scored"
        return unscored("tier", n, note, PARTS, ratio)
    score = np.full(n, 0.5)
    known = np.zeros(n, bool)
    parts = {p: np.full(n, np.nan) for p in ("list_fit", "goal_fit", "budget_fit")}
    list_fit, goal_fit, budget = parts["list_fit"], parts["goal_fit"], parts["budget_fit"]
    creators = cands.creators
    tiers = [tier_of(c.followers) for c in creators]
    prices: list[tuple[float, str | None, str | None] | None] = [None] * n
    list_fits = {t: tier_list_fit(t, wanted) for t in _ORDER} if wanted else {}
    for i, tier in enumerate(tiers):
        if tier is None:
            continue
        given = 0.0
        count = 0
        if wanted:
            list_fit[i] = f = list_fits[tier]
            given += f
            count += 1
        if goal:
            goal_fit[i] = f = GOAL_FIT[goal][tier]
            given += f
            count += 1
        if brief.budget:
            p = prices[i] = price_of(creators[i], brief.currency, rates, ctx.prices)
            if p is not None:
                budget[i] = f = budget_fit(p[0], brief.budget)
                given += f
                count += 1
        known[i] = True
        score[i] = given / count if count else 0.5

    def note_of(i: int) -> str:  # made only for the rows a shortlist shows
        tier = tiers[i]
        if tier is None:
            return "follower count unknown: tier not scored"
        phrases = [f"{tier} ({creators[i].followers:,} followers)"]
        if wanted:
            f = list_fit[i]
            phrases.append("a wanted tier" if f == 1.0 else f"brief wants {'/'.join(wanted)}")
        if goal:
            phrases.append(f"{'suits' if goal_fit[i] >= 0.75 else 'weaker for'} {goal}")
        p = prices[i]
        if brief.budget and p is not None:
            price, est, source = p
            cur = brief.currency
            what = f"~{money(price, cur)}/post ({est})" if est else f"{money(price, cur)}/post"
            if source is not None:
                what += f" (stated in {source})"
            verdict = "within" if price <= brief.budget else "over"
            unit = "" if (cur or "USD").upper() == "USD" else f" {cur.upper()}"
            phrases.append(f"{what} {verdict} the {brief.budget:,.0f}{unit} budget")
        elif brief.budget:
            phrases.append(f"budget currency {brief.currency} unknown: budget not scored")
        return ", ".join(phrases)

    notes = LazyNotes(n, note_of)
    return SignalResult("tier", np.clip(score, 0.0, 1.0), known, notes, {**parts, **ratio})
