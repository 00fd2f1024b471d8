"""``matcher serve`` (HTTP API + web page) and ``matcher keys`` (API keys of workspaces)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.cli import _common, _settings, command, load_ranker
from matcher.errors import MatcherError

DB_HELP = "SQLite file of workspaces, API keys and shortlists (default: INDEX.db beside the index directory, e.g. out/sample-index.db)"


def default_db(index: str | Path) -> Path:
    """The database that goes with an index: ``<index_dir>.db``, a sibling of the directory."""
    p = Path(index).resolve()
    return p.with_name(p.name + ".db")


def _db_path(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    if getattr(args, "index", None):
        return default_db(args.index)
    raise MatcherError("give --db FILE (or --index DIR to use DIR.db)")


# -- serve --------------------------------------------------------------------------------------


@command("serve", "serve the HTTP API (OpenAPI docs at /docs) and the web page at /",
         "matcher serve --index out/sample-index --port 8000")  # fmt: skip
def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--model",
        metavar="DIR",
        help="a learned ranker from 'matcher train' (default: models/default when present)",
    )
    p.add_argument("--db", metavar="FILE", help=DB_HELP)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--max-body-kib",
        type=int,
        default=256,
        metavar="KIB",
        help="largest request body accepted, in KiB; larger ones get 413 (default 256)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log detail (default info: one line per request)",
    )
    _common(p)


def run_serve(args: argparse.Namespace) -> int:
    import os

    # One query at a time is faster on one OpenMP/BLAS thread, and leaves the other cores to
    # the server. omp_set_num_threads below only reaches the calling thread, while requests run
    # on threadpool workers, so the process default is set too, before the libraries load.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import faiss
    import torch
    import uvicorn

    from matcher.api import create_app
    from matcher.engine import Matcher
    from matcher.store import Store

    if args.max_body_kib < 1:
        raise MatcherError(f"--max-body-kib must be >= 1, got {args.max_body_kib}")
    if not 0 < args.port < 65536:
        raise MatcherError(f"--port must be in 1..65535, got {args.port}")
    faiss.omp_set_num_threads(1)
    torch.set_num_threads(1)
    s = _settings(args)
    store = Store(_db_path(args))
    try:
        matcher = Matcher.open(args.index, s)
        ranker = load_ranker(args.model, "auto", s, index=matcher.index)
        if ranker is not None:
            matcher.ranker = ranker
        matcher.encoder.encode(["warm-up"])  # load the model now, not on the first request
        app = create_app(matcher, store, max_body_bytes=args.max_body_kib * 1024)
        print(
            f"matcher serve: {matcher.index.manifest.count} creators from {args.index}, "
            f"{matcher.ranker.name} ranker, database {store.path}",
            file=sys.stderr,
        )
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"matcher serve: warning: listening on {args.host} without TLS; put it behind "
                "an HTTPS proxy before exposing it",
                file=sys.stderr,
            )
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        store.close()
    return 0


# -- keys ---------------------------------------------------------------------------------------


@command("keys", "create API keys for a workspace (the key is printed once; only its hash is kept)",
         "matcher keys create --workspace acme --index out/sample-index")  # fmt: skip
def _keys_args(p: argparse.ArgumentParser) -> None:
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


def run_keys(args: argparse.Namespace) -> int:
    from matcher.store import Store

    path = _db_path(args)
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
