"""``matcher similar``: lookalikes ("more like this") of one or several creators of an index."""

from __future__ import annotations

import argparse
import json
import sys

from matcher.cli.common import add_settings_options, quiet_progress, settings
from matcher.errors import MatcherError
from matcher.schema import PLATFORMS, TIERS

NAME = "similar"
HELP = "creators like one or several creators of the index (bio, posts and voice), best first"
EXAMPLE = (
    "matcher similar --index out/sample-index --creator s00001 --creator s00124 --k 10 "
    "--tier micro --country GB --format json"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--creator",
        required=True,
        action="append",
        metavar="ID",
        dest="creators",
        help="a seed creator_id (repeat for several: lookalikes of them together)",
    )
    p.add_argument("--k", type=int, default=20, help="creators to return (default 20)")
    p.add_argument(
        "--tier",
        action="append",
        default=[],
        type=str.lower,
        choices=TIERS,
        dest="tiers",
        help="only this follower tier (repeatable; followers unknown: kept, said in the reasons)",
    )
    p.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="CC",
        dest="countries",
        help="only creators based in this market or with >= 25%% of their audience there "
        "(ISO 3166-1 alpha-2; repeatable)",
    )
    p.add_argument(
        "--platform",
        action="append",
        default=[],
        type=str.lower,
        choices=PLATFORMS,
        dest="platforms",
        help="only this platform (repeatable)",
    )
    p.add_argument(
        "--language",
        action="append",
        default=[],
        metavar="LANG",
        dest="languages",
        help="only creators writing in this language (ISO 639-1; repeatable)",
    )
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--quiet", action="store_true", help="no progress bars (model loading included)")
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    if args.quiet:
        quiet_progress()
    from matcher.cli.match import csv_header, csv_rows, format_table
    from matcher.engine import Matcher
    from matcher.io import SafeCSVWriter
    from matcher.similar import similar

    if args.k < 1:
        raise MatcherError(f"--k must be >= 1, got {args.k}")
    # opened like match's (settings, encoder check); no ranker: lookalikes compare stored vectors
    m = Matcher.open(args.index, settings(args), ranker="weighted")
    sl = similar(m, args.creators, args.k, args.tiers, args.countries, args.platforms,
                 args.languages)  # fmt: skip
    out = sys.stdout
    if args.format == "json":
        out.write(json.dumps(sl.to_dict(), ensure_ascii=False) + "\n")
    elif args.format == "csv":
        w = SafeCSVWriter(out)
        w.writerow(csv_header())
        w.writerows(csv_rows(sl))
    else:
        out.write(format_table(sl) + "\n")
    out.flush()
    return 0
