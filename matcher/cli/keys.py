"""``matcher keys``: API keys of workspaces (a key is printed once; only its hash is kept)."""

from __future__ import annotations

import argparse
import sys

from matcher.cli.common import DB_HELP, db_path
from matcher.errors import MatcherError

NAME = "keys"
HELP = "create API keys for a workspace (the key is printed once; only its hash is kept)"
EXAMPLE = "matcher keys create --workspace acme --index out/sample-index"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action", choices=["create"], help="create: a new key (and the workspace if new)"
    )
    p.add_argument("--workspace", required=True, help="workspace name: letters, digits, _ . -")
    p.add_argument("--db", metavar="FILE", help=DB_HELP)
    p.add_argument(
        "--index",
        metavar="DIR",
        help="the index the server uses (to find INDEX.db when --db is not given)",
    )


def run(args: argparse.Namespace) -> int:
    from matcher.serve.store import Store, check_workspace

    check_workspace(args.workspace)  # before the database file is created
    path = db_path(args)
    if not path.parent.is_dir():
        raise MatcherError(f"{path.parent}: no such directory")
    with Store(path) as store:
        store.create_workspace(args.workspace)
        key = store.create_key(args.workspace)
    print(f"created an API key for workspace {args.workspace!r} in {path}", file=sys.stderr)
    print(
        "it is shown only this once: store it now (send it as 'Authorization: Bearer KEY')",
        file=sys.stderr,
    )
    print(key)
    return 0
