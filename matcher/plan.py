"""Campaign mix planner: the set of creators worth most for a brief within its budget.

``plan(matcher, brief, budget=None) -> Plan``. The matcher ranks the brief as usual (hard rules,
competitor conflicts and the niche gate apply); the best ``pool`` creators of that ranking are
the ones a plan may use. Each has:

* a **cost**: one post at its stated price, else the price estimate for its tier and platform
  (:mod:`matcher.pricing`), in the brief's currency (:mod:`matcher.money`);
* an **estimated reach**: its followers (the audience one post can reach at most);
* **estimated engagements**: followers x its engagement rate (its stated rate when plausible,
  else the tier's typical rate, :data:`matcher.schema.TIER_ENGAGEMENT_NORM`);
* a **relevance** in [0.05, 1]: its score, scaled over the pool (the best-ranked creator 1);
* a **value**: relevance x the impact the goal asks for. *Awareness* values reach; *conversion*
  values engagements weighted by the tier's trust (micro creators convert best: the conversion
  column of :data:`matcher.signals.tier.GOAL_FIT`); *hybrid* (and a brief without a goal) values
  both, each scaled to the pool's largest, half and half. Reach and engagements are counted in
  thousands so that values read as numbers of a sensible size.

The plan maximises the sum of values with the total cost at most the budget, at most one post per
creator (and at most ``max_creators``): a 0/1 knapsack solved exactly as an integer programme by
HiGHS (:func:`scipy.optimize.milp`). A hybrid plan also needs a mix: at least
:data:`HYBRID_REACH` macro or mega creators for reach and :data:`HYBRID_CONVERSION` nano or micro
creators for conversion; when the budget cannot buy that mix, the constraint is dropped and the
plan says so. For comparison, :attr:`Plan.baseline` is the greedy plan a person would make by
hand: down the ranking, taking every creator who still fits the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.errors import MatcherError
from matcher.schema import TIER_ENGAGEMENT_NORM, Brief, Creator, Match
from matcher.signals.tier import GOAL_FIT, price_of

if TYPE_CHECKING:
    from matcher.engine import Matcher

#: creators of the brief's ranking a plan may choose from
DEFAULT_POOL = 100
#: a hybrid plan's mix: at least this many macro/mega creators (reach) ...
HYBRID_REACH = 1
#: ... and at least this many nano/micro creators (conversion)
HYBRID_CONVERSION = 2
REACH_TIERS = frozenset({"macro", "mega"})
#: (reach weight, conversion weight) of each goal; a brief without a goal is planned as hybrid
GOAL_WEIGHTS = {"awareness": (1.0, 0.0), "conversion": (0.0, 1.0), "hybrid": (0.5, 0.5)}


@dataclass(frozen=True)
class PlannedCreator:
    creator_id: str
    handle: str | None
    tier: str | None
    followers: int | None
    platform: str | None
    cost: float
    cost_estimated: bool
    est_reach: float
    est_engagements: float
    value: float
    score: float
    rank: int
    role: str  # "reach" (macro/mega) or "conversion"

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("cost", "est_reach", "est_engagements", "value", "score"):
            d[k] = round(float(d[k]), 4 if k in ("value", "score") else 2)
        return d


@dataclass(frozen=True)
class Plan:
    brief_id: str
    goal: str
    currency: str
    budget: float
    creators: tuple[PlannedCreator, ...]
    notes: tuple[str, ...] = ()
    #: the greedy-by-rank plan under the same budget, for comparison
    baseline: tuple[PlannedCreator, ...] = field(default=(), repr=False)

    @property
    def total_cost(self) -> float:
        return float(sum(c.cost for c in self.creators))

    @property
    def value(self) -> float:
        return float(sum(c.value for c in self.creators))

    def to_dict(self) -> dict[str, Any]:
        reach = sum(c.est_reach for c in self.creators)
        eng = sum(c.est_engagements for c in self.creators)
        base = self.baseline
        return {
            "brief_id": self.brief_id,
            "goal": self.goal,
            "currency": self.currency,
            "budget": self.budget,
            "creators": [c.to_dict() for c in self.creators],
            "total_cost": round(self.total_cost, 2),
            "est_reach": round(reach),
            "est_engagements": round(eng),
            "cost_per_engagement": round(self.total_cost / eng, 4) if eng > 0 else None,
            "value": round(self.value, 4),
            "baseline": {
                "method": "greedy by rank",
                "creators": [c.creator_id for c in base],
                "total_cost": round(float(sum(c.cost for c in base)), 2),
                "value": round(float(sum(c.value for c in base)), 4),
            },
            "notes": list(self.notes),
        }


def plan(
    matcher: Matcher,
    brief: Brief,
    budget: float | None = None,
    *,
    pool: int = DEFAULT_POOL,
    max_creators: int | None = None,
) -> Plan:
    """The creators worth most for ``brief`` within ``budget`` (default: the brief's own)."""
    budget = brief.budget if budget is None else budget
    if budget is None:
        raise MatcherError(f"brief {brief.brief_id!r} has no budget: give one (--budget N)")
    if not budget > 0:
        raise MatcherError(f"budget must be > 0, got {budget}")
    if pool < 1 or (max_creators is not None and max_creators < 1):
        raise MatcherError("pool and max_creators must be >= 1")
    shortlist = matcher.recommend(brief, k=pool)
    found = matcher.creators([m.creator_id for m in shortlist.matches])
    creators = [found[m.creator_id] for m in shortlist.matches]
    goal = brief.goal if brief.goal in GOAL_WEIGHTS else "hybrid"
    items, skipped = candidates(shortlist.matches, creators, brief, goal, matcher)
    notes = list(shortlist.notes)
    if skipped:
        notes.append(f"{skipped} creators left out: their price is unknown in {brief.currency}")
    chosen, mix_note = choose(items, budget, goal, max_creators)
    if mix_note:
        notes.append(mix_note)
    if not chosen:
        notes.append("no creator fits the budget")
    return Plan(
        brief_id=brief.brief_id,
        goal=goal if brief.goal else "hybrid (the brief names no goal)",
        currency=(brief.currency or "USD").upper(),
        budget=float(budget),
        creators=tuple(items[i] for i in chosen),
        notes=tuple(notes),
        baseline=tuple(items[i] for i in greedy([c.cost for c in items], budget, max_creators)),
    )


def candidates(
    matches: Sequence[Match],
    creators: Sequence[Creator],
    brief: Brief,
    goal: str,
    matcher: Matcher,
) -> tuple[list[PlannedCreator], int]:
    """The pool as plannable creators with cost and value; and how many had no known price."""
    rates = matcher.settings.rates or None
    prices = matcher.index.prices
    rows: list[tuple[Match, Creator, tuple[float, str | None, str | None], float, float]] = []
    skipped = 0
    for m, c in zip(matches, creators, strict=True):
        p = price_of(c, brief.currency, rates, prices)
        if p is None or c.followers is None:
            skipped += 1
            continue
        er = c.engagement_rate
        norm = TIER_ENGAGEMENT_NORM.get(c.tier or "", 0.0)
        rate = er if er is not None and 0 <= er <= 1 else norm
        rows.append((m, c, p, float(c.followers), float(c.followers) * rate))
    if not rows:
        return [], skipped
    scores = np.array([r[0].score for r in rows], dtype=np.float64)
    spread = float(scores.max() - scores.min())
    rel = 0.05 + 0.95 * ((scores - scores.min()) / spread if spread > 0 else np.ones_like(scores))
    trust = np.array([GOAL_FIT["conversion"].get(r[1].tier or "", 0.5) for r in rows])
    reach = np.array([r[3] for r in rows]) / 1000.0
    conv = np.array([r[4] for r in rows]) / 1000.0 * trust
    w_reach, w_conv = GOAL_WEIGHTS[goal]
    if goal == "hybrid":  # reach and conversion on one scale: each over the pool's largest
        reach, conv = reach / max(reach.max(), 1e-9), conv / max(conv.max(), 1e-9)
    value = rel * (w_reach * reach + w_conv * conv)
    out = [
        PlannedCreator(
            creator_id=m.creator_id,
            handle=c.handle,
            tier=c.tier,
            followers=c.followers,
            platform=c.platform,
            cost=round(p[0], 2),
            cost_estimated=p[1] is not None,
            est_reach=f,
            est_engagements=e,
            value=float(v),
            score=m.score,
            rank=m.rank,
            role="reach" if c.tier in REACH_TIERS else "conversion",
        )
        for (m, c, p, f, e), v in zip(rows, value, strict=True)
    ]
    return out, skipped


def choose(
    items: Sequence[PlannedCreator], budget: float, goal: str, max_creators: int | None = None
) -> tuple[list[int], str | None]:
    """Indices of the best set (exact 0/1 knapsack, with the hybrid mix when affordable), and a
    note when the mix had to be dropped."""
    if not items:
        return [], None
    values = [c.value for c in items]
    costs = [c.cost for c in items]
    if goal != "hybrid":
        return knapsack(values, costs, budget, max_creators=max_creators), None
    reach = [c.role == "reach" for c in items]
    mix = [(reach, HYBRID_REACH), ([not r for r in reach], HYBRID_CONVERSION)]
    try:
        return knapsack(values, costs, budget, at_least=mix, max_creators=max_creators), None
    except InfeasibleMix:
        mix_text = (
            f"a hybrid mix ({HYBRID_REACH} macro/mega for reach and {HYBRID_CONVERSION} "
            "nano/micro for conversion)"
        )
        if sum(reach) < HYBRID_REACH or len(reach) - sum(reach) < HYBRID_CONVERSION:
            note = f"the best matches cannot make {mix_text}: planned for value alone"
        else:
            note = f"the budget cannot buy {mix_text}: planned for value alone"
        return knapsack(values, costs, budget, max_creators=max_creators), note


class InfeasibleMix(MatcherError):
    """No set within the budget meets the required mix."""


def knapsack(
    values: Sequence[float],
    costs: Sequence[float],
    budget: float,
    *,
    at_least: Sequence[tuple[Sequence[bool], int]] = (),
    max_creators: int | None = None,
) -> list[int]:
    """Indices maximising the total value with total cost <= budget (0/1 choices), with at
    least n chosen among each ``(members, n)`` of ``at_least``; solved exactly by HiGHS."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(values)
    if n == 0:
        return []
    cost = np.asarray(costs, dtype=np.float64)
    rows = [LinearConstraint(cost[None, :], -np.inf, float(budget))]
    for members, k in at_least:
        rows.append(LinearConstraint(np.asarray(members, dtype=np.float64)[None, :], k, np.inf))
    if max_creators is not None:
        rows.append(LinearConstraint(np.ones((1, n)), 0, max_creators))
    res = milp(
        -np.asarray(values, dtype=np.float64),
        constraints=rows,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if res.status == 2:  # infeasible
        raise InfeasibleMix()
    if res.x is None:
        raise MatcherError(f"the plan could not be solved: {res.message}")
    chosen = [i for i in range(n) if res.x[i] > 0.5]
    while chosen and sum(cost[i] for i in chosen) > budget:  # never over by a rounding error
        chosen.remove(min(chosen, key=lambda i: values[i]))
    return chosen


def greedy(costs: Sequence[float], budget: float, max_creators: int | None = None) -> list[int]:
    """Down the ranking, every creator who still fits the budget (the baseline)."""
    left, out = float(budget), list[int]()
    for i, c in enumerate(costs):
        if max_creators is not None and len(out) >= max_creators:
            break
        if c <= left:
            out.append(i)
            left -= c
    return out


def list_cost(matcher: Matcher, brief: Brief, creator_ids: Sequence[str]) -> tuple[float, int, int]:
    """(one post from each of these creators, in the brief's currency; how many of those prices
    are estimates; how many creators have no known price and are left out of the total)."""
    rates, prices = matcher.settings.rates or None, matcher.index.prices
    total, estimated, unknown = 0.0, 0, 0
    for c in matcher.creators(creator_ids).values():
        p = price_of(c, brief.currency, rates, prices)
        if p is None:
            unknown += 1
            continue
        total += p[0]
        estimated += p[1] is not None
    return total, estimated, unknown
