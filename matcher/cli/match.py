"""``matcher match``: ranked, explained shortlists for one brief or a file of briefs."""

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
    from matcher.engine import Matcher
    from matcher.schema import Brief, Shortlist

NAME = "match"
HELP = "ranked, explained shortlists of creators for one brief or a file of briefs"
EXAMPLE = (
    "matcher match --index out/sample-index --brief datasets/sample/briefs.jsonl --k 10 "
    "--format json"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_strict_option(p)
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--brief", required=True, metavar="FILE", help="one brief (.json/.yaml) or many (.jsonl)"
    )
    p.add_argument("--k", type=int, help="creators per shortlist (default: the brief's k, else 20)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--quiet", action="store_true", help="no progress bars (model loading included)")
    add_ranker_options(p)
    p.add_argument(
        "--show-conflicts",
        action="store_true",
        help="keep creators with a current competitor deal, flagged, instead of excluding them",
    )
    add_as_of(p)
    p.add_argument(
        "--candidates", type=int, metavar="N", help="creators retrieved per brief before ranking"
    )
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    if args.quiet:
        quiet_progress()
    from matcher.io import SafeCSVWriter, read_briefs

    if args.k is not None and args.k < 1:
        raise MatcherError(f"--k must be >= 1, got {args.k}")
    briefs = read_briefs(args.brief, strict=args.strict)
    m = open_matcher(args, settings(args))
    out = sys.stdout
    w = SafeCSVWriter(out)
    if args.format == "csv":
        w.writerow(csv_header())
    for brief, sl in zip(briefs, m.recommend_many(briefs, args.k), strict=True):
        if args.format == "json":
            out.write(json.dumps(sl.to_dict(), ensure_ascii=False) + "\n")
        elif args.format == "csv":
            w.writerows(csv_rows(sl))
        else:
            out.write(format_table(sl) + total_line(m, brief, sl) + "\n")
        out.flush()
    return 0


def csv_header() -> list[str]:
    """The columns of ``--format csv`` (match and similar)."""
    from matcher.signals import SIGNALS

    return ["brief_id", "rank", "creator_id", "handle", "score", *SIGNALS, "reasons"]


def csv_rows(sl: Shortlist) -> list[list[object]]:
    """The rows of a shortlist under :func:`csv_header` (for a :class:`SafeCSVWriter`)."""
    from matcher.signals import SIGNALS

    rows: list[list[object]] = []
    for mt in sl.matches:
        signals = ("" if mt.signals[k] is None else f"{mt.signals[k]:.3f}" for k in SIGNALS)
        rows.append([sl.brief_id, mt.rank, mt.creator_id, mt.handle or "", f"{mt.score:.4f}",
                     *signals, " | ".join(mt.reasons)])  # fmt: skip
    return rows


def total_line(m: Matcher, brief: Brief, sl: Shortlist) -> str:
    """ "one post each: GBP 23,400 (7 estimated)" for the shortlist's creators."""
    from matcher.money import money
    from matcher.plan import list_cost

    if not sl.matches:
        return ""
    total, estimated, unknown = list_cost(m, brief, [x.creator_id for x in sl.matches])
    more = [f"{estimated} estimated"] if estimated else []
    more += [f"{unknown} without a known price, not counted"] if unknown else []
    extra = f" ({', '.join(more)})" if more else ""
    return f"one post from each of these {len(sl.matches)}: {money(total, brief.currency)}{extra}\n"


def format_table(sl: Shortlist) -> str:
    from matcher.signals import REGISTRY

    buf = io.StringIO()
    buf.write(f"== {sl.brief_id} ({sl.ranker} ranker) ==\n")
    heads = " ".join(f"{spec.short:<4}" for spec in REGISTRY)
    buf.write(f"{'#':>3}  {'creator':<22} {'score':>5}  {heads}  why\n")

    def cell(v: float | None) -> str:
        return " -- " if v is None else f"{v:4.2f}"

    for mt in sl.matches:
        name = (mt.handle and "@" + mt.handle) or mt.creator_id
        sig = " ".join(cell(mt.signals[spec.name]) for spec in REGISTRY)
        first = mt.reasons[0] if mt.reasons else ""
        buf.write(f"{mt.rank:>3}  {name[:22]:<22} {mt.score:5.3f}  {sig}  {first}\n")
        for r in mt.reasons[1:]:
            buf.write(f"{'':>36}{'':>30}- {r}\n")
    for note in sl.notes:
        buf.write(f"note: {note}\n")
    if sl.excluded:
        buf.write("excluded:\n")
        for e in sl.excluded:
            buf.write(f"     {e.creator_id}: {e.why}\n")
    return buf.getvalue()
