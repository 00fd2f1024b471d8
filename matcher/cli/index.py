"""``matcher index``: embed a creator catalogue and build its index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.cli.common import add_settings_options, add_strict_option, quiet_progress, settings

NAME = "index"
HELP = "embed a creator catalogue and build a searchable index"
EXAMPLE = "matcher index --creators datasets/sample/creators.jsonl --out out/sample-index"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_strict_option(p)
    p.add_argument("--creators", required=True, metavar="FILE", help="creators file (FORMATS.md)")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="index directory to write (replaced atomically)"
    )
    p.add_argument(
        "--index-type",
        choices=["auto", "flat", "ivf", "hnsw"],
        default="auto",
        help="auto (default): exact search below 100,000 creators, else ivf; ivf = approximate "
        "(8-bit, nprobe checked for >= 0.99 recall of the candidates, recorded in the manifest); "
        "hnsw = graph",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="adapt the index for this learned ranker's text model (default: the installed "
        "default model's, when it has one; 'none': do not adapt)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars (model loading included)")
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    import time

    if args.quiet:
        quiet_progress()

    from matcher.encoder import build_encoder
    from matcher.index import FILES, build_and_save
    from matcher.io import read_creators
    from matcher.io.atomic import check_replaceable
    from matcher.learn.resolve import index_text_model
    from matcher.manifest import Manifest

    s = settings(args)
    t0 = time.perf_counter()
    check_replaceable(Path(args.out), "manifest.json", "an index", FILES)  # before any work
    creators = read_creators(args.creators, strict=args.strict)  # raises before anything is written
    text_model = index_text_model(args.model)
    enc = build_encoder(
        s.model, max_seq_length=s.max_seq_length, batch_size=s.batch_size, cache_dir=s.cache_dir
    )
    out = build_and_save(
        creators,
        enc,
        args.out,
        model_name=s.model,
        posts_per_creator=s.posts_per_creator,
        index_type=args.index_type,
        progress=not args.quiet,
        text_model=text_model,
        candidates=s.candidates,
    )
    dt = time.perf_counter() - t0
    info = Manifest.read(out).ann
    if info and info.get("type") == "ivf":
        print(
            f"approximate index: IVF-SQ8, nlist {info['nlist']}, nprobe {info['nprobe']}, "
            f"recall {info['recall']:.3f} of the top {info['recall_at']} against exact search",
            file=sys.stderr,
        )
    print(
        f"indexed {len(creators)} creators into {out} in {dt:.1f}s "
        f"(embedding cache: {enc.hits} hits, {enc.misses} new"
        + (f"; adapted for text model {text_model.fingerprint}" if text_model else "")
        + ")",
        file=sys.stderr,
    )
    return 0
