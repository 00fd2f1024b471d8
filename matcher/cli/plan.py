"""``matcher plan``: the set of creators worth most for a brief within its budget."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import TYPE_CHECKING

from matcher.cli.common import (
    add_as_of,
    add_ranker_options,
    add_settings_options,
    add_strict_option,
    open_matcher,
    quiet_progress,
    settings,
)
from matcher.errors import MatcherError

if TYPE_CHECKING:
    from matcher.plan import Plan

NAME = "plan"
HELP = "a campaign mix within the budget: the creators worth most for a brief's goal"
EXAMPLE = "matcher plan --index out/sample-index --brief brief.json --budget 20000 --format json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_strict_option(p)
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--brief", required=True, metavar="FILE", help="one brief (.json/.yaml) or many (.jsonl)"
    )
    p.add_argument(
        "--budget",
        type=float,
        metavar="N",
        help="total budget in the brief's currency (default: the brief's budget)",
    )
    p.add_argument(
        "--pool", type=int, default=100, metavar="N", help="best matches to choose from (100)"
    )
    p.add_argument("--max-creators", type=int, metavar="N", help="at most N creators in the plan")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--quiet", action="store_true", help="no progress bars (model loading included)")
    add_ranker_options(p)
    add_as_of(p)
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    if args.quiet:
        quiet_progress()
    from matcher.io import read_briefs
    from matcher.plan import plan

    if args.budget is not None and not args.budget > 0:
        raise MatcherError(f"--budget must be > 0, got {args.budget}")
    if args.pool < 1 or (args.max_creators is not None and args.max_creators < 1):
        raise MatcherError("--pool and --max-creators must be >= 1")
    briefs = read_briefs(args.brief, strict=args.strict)
    m = open_matcher(args, settings(args))
    for brief in briefs:
        p = plan(m, brief, args.budget, pool=args.pool, max_creators=args.max_creators)
        if args.format == "json":
            sys.stdout.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(format_plan(p) + "\n")
        sys.stdout.flush()
    return 0


def format_plan(p: Plan) -> str:
    from matcher.money import money

    d = p.to_dict()
    buf = io.StringIO()
    buf.write(f"== {p.brief_id}: {p.goal} plan, budget {money(p.budget, p.currency)} ==\n")
    buf.write(f"{'#':>3}  {'creator':<22} {'tier':<6} {'followers':>11} {'cost':>12}  role\n")
    for c in p.creators:
        name = (c.handle and "@" + c.handle) or c.creator_id
        cost = money(c.cost, p.currency) + ("~" if c.cost_estimated else " ")
        buf.write(
            f"{c.rank:>3}  {name[:22]:<22} {c.tier or '?':<6} {c.followers or 0:>11,} "
            f"{cost:>12}  {c.role}\n"
        )
    cpe = d["cost_per_engagement"]
    buf.write(
        f"total {money(p.total_cost, p.currency)} of {money(p.budget, p.currency)}; "
        f"{len(p.creators)} creators; est. reach {d['est_reach']:,}; "
        f"est. engagements {d['est_engagements']:,}"
        + (f"; {cpe:,.2f} {p.currency} per engagement" if cpe else "")
        + f"\nvalue {d['value']:.3f} (greedy by rank: {d['baseline']['value']:.3f}); "
        "~ marks an estimated price\n"
    )
    for note in p.notes:
        buf.write(f"note: {note}\n")
    return buf.getvalue()
