"""``matcher backup``: a consistent copy of the server's database, taken while it runs."""

from __future__ import annotations

import argparse
import sys

from matcher.cli.common import DB_HELP, db_path

NAME = "backup"
HELP = "copy the database of workspaces, keys and shortlists consistently, even while serving"
EXAMPLE = "matcher backup --db out/sample-index.db --out backups/sample-index.db"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="FILE", help=DB_HELP)
    p.add_argument(
        "--index", metavar="DIR", help="the index the server uses (to find INDEX.db without --db)"
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        required=True,
        help="the copy: a new file, or an earlier backup to replace (anything else is refused)",
    )


def run(args: argparse.Namespace) -> int:
    from matcher.serve.backup import backup

    src = db_path(args)
    n = backup(src, args.out)
    print(
        f"backed up {src} to {args.out}: {n['workspaces']} workspaces, {n['api_keys']} API keys, "
        f"{n['shortlists']} shortlists",
        file=sys.stderr,
    )
    return 0
