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

from matcher.columns import inexact, tier_codes
from matcher.money import convert, money, rate
from matcher.pricing import PriceModel
from matcher.schema import TIERS, Brief, Creator
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


def _stated(cands: Candidates, currency: str, rates: Mapping[str, float] | None) -> np.ndarray:
    """:func:`stated_prices` of the candidates, the records the columns cannot hold read from
    the creators."""
    out = stated_prices(cands.columns, currency, rates)
    for i in inexact(cands.columns):
        c = cands.creators[i]
        price = (
            None
            if c.price_per_post is None
            else convert(c.price_per_post, c.currency, currency, rates)
        )
        out[i] = np.nan if price is None else price
    return out


def stated_prices(
    cols: np.ndarray, currency: str, rates: Mapping[str, float] | None = None
) -> np.ndarray:
    """Each stated price per post in ``currency`` (as :func:`matcher.money.convert`); nan when
    none is stated or its currency cannot be converted."""
    out = np.full(len(cols), np.nan)
    given = ~np.isnan(cols["price"])
    target = (currency or "USD").upper()
    for code in np.unique(cols["currency"][given]):
        at = given & (cols["currency"] == code)
        source = code.decode("utf-8")
        if source == target:
            out[at] = cols["price"][at]
            continue
        a, b = rate(source, rates), rate(target, rates)
        if a is not None and b is not None and b > 0:
            out[at] = cols["price"][at] * a / b
    return out


def _prices(
    cols: np.ndarray, stated: np.ndarray, tier: np.ndarray, currency: str, ctx: QueryContext
) -> np.ndarray:
    """Each candidate's price per post in ``currency`` as :func:`price_of` gives it: the
    ``stated`` one, else the estimate for its tier; nan when neither is known."""
    out = stated.copy()
    todo = np.flatnonzero(np.isnan(out) & (tier >= 0) & cols["exact"])
    if todo.size:
        a, b = rate("USD", ctx.rates), rate(currency, ctx.rates)
        model = ctx.prices or _BENCHMARKS
        followers, platforms = cols["followers"][todo].tolist(), cols["platform"][todo].tolist()
        est = np.array([model.price_at(f, p.decode("utf-8") or None)
                        for f, p in zip(followers, platforms, strict=True)])  # fmt: skip
        if (currency or "USD").upper() == "USD":
            out[todo] = est
        elif a is not None and b is not None and b > 0:
            out[todo] = est * a / b
    return out


def _budget_fits(price: np.ndarray, budget: float) -> np.ndarray:
    """:func:`budget_fit` of each price (nan where the price is unknown)."""
    r = price / budget
    out = np.where(r <= 0.25, 1.0, 1.0 - (r - 0.25) / 0.75 * 0.5)
    over = np.flatnonzero(r > 1.0)
    out[over] = [budget_fit(p, budget) for p in price[over].tolist()]
    return np.where(np.isnan(r), np.nan, out)


def tier_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    wanted = tuple(t for t in brief.tiers if t in _ORDER)
    goal = brief.goal if brief.goal in GOAL_FIT else None
    rates = ctx.rates
    cols = cands.columns
    creators = cands.creators
    stated = _stated(cands, brief.currency, rates) if brief.budget else np.full(n, np.nan)
    ratio = {"price_budget_ratio": stated / float(brief.budget or 1)}
    if not (wanted or goal or brief.budget):
        note = "brief names no tiers, goal or budget: tier not scored"
        return unscored("tier", n, note, PARTS, ratio)
    tier = tier_codes(cols["followers"])
    known = tier >= 0
    at = np.maximum(tier, 0)
    nan = np.full(n, np.nan)
    given, count = np.zeros(n), np.zeros(n)
    list_fit, goal_fit, budget = nan, nan.copy(), nan.copy()
    if wanted:
        list_fit = np.where(known, np.array([tier_list_fit(t, wanted) for t in _ORDER])[at], nan)
        given, count = given + np.nan_to_num(list_fit), count + 1
    if goal:
        goal_fit = np.where(known, np.array([GOAL_FIT[goal][t] for t in _ORDER])[at], nan)
        given, count = given + np.nan_to_num(goal_fit), count + 1
    if brief.budget:
        price = np.where(known, _prices(cols, stated, tier, brief.currency, ctx), np.nan)
        for i in (i for i in inexact(cols) if known[i]):  # read from the creator itself
            p = price_of(creators[i], brief.currency, rates, ctx.prices)
            price[i] = np.nan if p is None else p[0]
        budget = _budget_fits(price, float(brief.budget))
        priced = ~np.isnan(budget)
        given, count = given + np.where(priced, budget, 0.0), count + priced
    score = np.where(known & (count > 0), given / np.maximum(count, 1), 0.5)
    parts = {"list_fit": list_fit, "goal_fit": goal_fit, "budget_fit": budget}
    tiers = [_ORDER[t] if t >= 0 else None for t in tier.tolist()]

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
        p = price_of(creators[i], brief.currency, rates, ctx.prices) if brief.budget else None
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
