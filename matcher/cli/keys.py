"""``matcher keys``: API keys of workspaces (a key is printed once; only its hash is kept)."""

from __future__ import annotations

import argparse
import sys

from matcher.cli.common import DB_HELP, db_path
from matcher.errors import MatcherError

NAME = "keys"
HELP = "create, list or revoke API keys (a key is printed once; only its hash is kept)"
EXAMPLE = "matcher keys create --workspace acme --index out/sample-index"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=["create", "list", "revoke"],
        help="create: a new key (and the workspace if new); list: every key's hint, workspace "
        "and date (never the key); revoke: delete a key (--key KEY or --hint HINT)",
    )
    p.add_argument(
        "--workspace",
        help="workspace name: letters, digits, _ . - (required by create; filters list)",
    )
    p.add_argument("--key", help="revoke: the whole key")
    p.add_argument("--hint", help="revoke: the key's hint as 'list' shows it (e.g. mk_AbC1)")
    p.add_argument("--db", metavar="FILE", help=DB_HELP)
    p.add_argument(
        "--index",
        metavar="DIR",
        help="the index the server uses (to find INDEX.db when --db is not given)",
    )


def run(args: argparse.Namespace) -> int:
    from matcher.serve.store import Store, check_workspace

    if args.action == "create" and not args.workspace:
        raise MatcherError("keys create needs --workspace NAME")
    if args.workspace:
        check_workspace(args.workspace)  # before the database file is created
    path = db_path(args)
    if args.action != "create":
        if not path.is_file():
            raise MatcherError(f"{path}: no such database; create a key first")
        with Store(path) as store:
            if args.action == "list":
                for k in store.list_keys(args.workspace):
                    print(f"{k['hint']}\t{k['workspace']}\t{k['created_at']}")
                return 0
            if (args.key is None) == (args.hint is None):
                raise MatcherError("keys revoke needs --key KEY or --hint HINT (one of them)")
            done = store.revoke_key(key=args.key, hint=args.hint)
        print(f"revoked key {done['hint']}... of workspace {done['workspace']!r}", file=sys.stderr)
        return 0
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
