"""``matcher validate``: every problem of a creators, briefs or labels file."""

from __future__ import annotations

import argparse
import sys

from matcher.cli.common import add_strict_option

NAME = "validate"
HELP = "list every problem in a creators, briefs or labels file"
EXAMPLE = "matcher validate datasets/sample/creators.jsonl"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_strict_option(p)
    p.add_argument(
        "file",
        help="a creators (.jsonl/.csv/.parquet), briefs (.jsonl/.json/.yaml) or labels (.csv) file",
    )
    p.add_argument(
        "--kind",
        choices=["creators", "briefs", "labels"],
        help="what the file holds (guessed when omitted)",
    )


def run(args: argparse.Namespace) -> int:
    from matcher.io import validate_file

    problems = validate_file(args.file, kind=args.kind, strict=args.strict)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        return 2
    print(f"{args.file}: ok")
    return 0
