"""``matcher serve``: the HTTP API (OpenAPI docs at /docs) and the web page."""

from __future__ import annotations

import argparse
import sys

from matcher.cli.common import DB_HELP, add_settings_options, db_path, say_ranker_note, settings
from matcher.errors import MatcherError

NAME = "serve"
HELP = "serve the HTTP API (OpenAPI docs at /docs) and the web page at /"
EXAMPLE = "matcher serve --index out/sample-index --port 8000"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--model",
        metavar="DIR",
        help="a learned ranker from 'matcher train' (default: the installed one when it fits the index)",
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
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes, each with its own copy of the index and model (default 1; "
        "on N cores, N answers N briefs at once; memory grows by one index per worker)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="briefs each worker computes at once; the others wait their turn (default: the "
        "cores divided by --workers, at least 1)",
    )
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json
    import os

    # One query at a time is faster on one OpenMP/BLAS thread, and leaves the other cores to
    # the server. omp_set_num_threads (in open_for_serving) only reaches the calling thread, while
    # requests run on threadpool workers, so the process default is set too, before anything
    # imports numpy or FAISS (their OpenBLAS reads it once, when loaded).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import uvicorn

    from matcher.engine import Matcher
    from matcher.serve.app import WORKER_ENV, create_app, default_concurrency, open_for_serving
    from matcher.serve.store import Store
    from matcher.serve.workers import serve_workers

    if args.max_body_kib < 1:
        raise MatcherError(f"--max-body-kib must be >= 1, got {args.max_body_kib}")
    if not 0 < args.port < 65536:
        raise MatcherError(f"--port must be in 1..65535, got {args.port}")
    if not 1 <= args.workers <= 64:
        raise MatcherError(f"--workers must be in 1..64, got {args.workers}")
    if args.concurrency is not None and not 1 <= args.concurrency <= 256:
        raise MatcherError(f"--concurrency must be in 1..256, got {args.concurrency}")
    concurrency = args.concurrency or default_concurrency(args.workers)
    s = settings(args)
    ranker = args.model or "auto"
    if args.workers == 1:  # this process serves: its matcher ready, model loaded
        matcher = open_for_serving(args.index, s, ranker)
    else:  # the workers load their own; here the index and model are only checked
        matcher = Matcher.open(args.index, s, ranker=ranker)
    store = Store(db_path(args))  # after the index is known good: nothing created before
    try:
        say_ranker_note(matcher.ranker_note)
        print(
            f"matcher serve: {matcher.index.manifest.count} creators from {args.index}, "
            f"{matcher.ranker.name} ranker, database {store.path}; {args.workers} worker(s), "
            f"each computing {concurrency} brief(s) at once",
            file=sys.stderr,
        )
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"matcher serve: warning: listening on {args.host} without TLS; put it behind "
                "an HTTPS proxy before exposing it",
                file=sys.stderr,
            )
        if args.workers == 1:
            app = create_app(matcher, store, max_body_bytes=args.max_body_kib * 1024,
                             concurrency=concurrency)  # fmt: skip
            uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
            return 0
        # several processes: each opens the index, model and database itself (checked above)
        os.environ[WORKER_ENV] = json.dumps(
            {
                "index": str(args.index),
                "model": args.model or "auto",
                "db": str(store.path),
                "settings": dataclasses.asdict(s),
                "max_body_bytes": args.max_body_kib * 1024,
                "concurrency": concurrency,
            }
        )
        del matcher
        config = uvicorn.Config(
            "matcher.serve.app:app_from_env",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
        )
        try:  # a listening socket per worker, connections shared out by the kernel
            serve_workers(config)
        except OSError as e:
            raise MatcherError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from e
    finally:
        store.close()
    return 0
