"""``matcher index``: embed a creator catalogue and build its index, or update an index."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.cli.common import add_settings_options, add_strict_option, quiet_progress, settings
from matcher.errors import MatcherError

if TYPE_CHECKING:
    from matcher.config import Settings
    from matcher.schema import Creator

NAME = "index"
HELP = "embed a creator catalogue and build a searchable index, or update one"
EXAMPLE = "matcher index --creators datasets/sample/creators.jsonl --out out/sample-index"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_strict_option(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--creators", metavar="FILE", help="creators file (FORMATS.md): full build")
    what.add_argument(
        "--update",
        metavar="FILE",
        help="creators file to apply to the existing index --out: new creator_ids are added, "
        "changed records replaced (only changed texts re-embedded), the rest left alone; no "
        "rebuild (e.g. matcher index --update new.jsonl --remove gone.txt --out out/idx)",
    )
    p.add_argument(
        "--remove",
        metavar="IDS",
        help="with --update or alone: remove these creators from the existing index --out "
        "(one creator_id a line; blank lines and # comments skipped; unknown ids warned about)",
    )
    what.add_argument(
        "--fill",
        action="store_true",
        help="replace the static vectors of the index --out (built with --encoder static: "
        "searchable in seconds) by the default model's, while it is served; resumable (the "
        "texts embedded so far are cached); says how far it is before it starts",
    )
    p.add_argument(
        "--out", required=True, metavar="DIR", help="index directory to write (replaced atomically)"
    )
    p.add_argument(
        "--index-type",
        choices=["auto", "flat", "ivf", "hnsw"],
        default=None,
        help="auto (default): exact search below 100,000 creators, else ivf; ivf = approximate "
        "(8-bit, nprobe checked for >= 0.99 recall of the candidates, recorded in the manifest); "
        "hnsw = graph. An update keeps the index's type",
    )
    p.add_argument(
        "--vectors",
        choices=["auto", "float32", "int8"],
        default=None,
        help="how the creator vectors are stored: auto (default): int8 (a quarter of the disk "
        "and memory, cosines within about 0.001) where the search is approximate (ivf, hnsw), "
        "else float32. An update keeps the index's storage",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="adapt the index for this learned ranker's text model (default: the installed "
        "default model's, when it has one; 'none': do not adapt); an update needs the model "
        "the index is adapted for",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars (model loading included)")
    add_settings_options(p)
    add_backend_options(p)


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {n}")
    return n


def add_backend_options(p: argparse.ArgumentParser) -> None:
    """Where texts are embedded: here, or on a Ray cluster (matcher.distributed)."""
    g = p.add_argument_group("embedding backend")
    g.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="local (default): embed in this process; ray: embed with Ray Data on an actor pool "
        "(a local Ray instance, or the cluster of --ray-address); needs "
        "pip install 'matcher[distributed]'. Same index either way",
    )
    g.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="Ray cluster to join: auto, HOST:6379 or ray://HOST:10001 (default: start a local "
        "Ray instance for this run)",
    )
    g.add_argument(
        "--ray-actors",
        metavar="N",
        type=_positive_int,
        help="actors embedding at once, each with its own copy of the model (default: one per "
        "CPU Ray sees, on every node)",
    )
    g.add_argument(
        "--ray-batch-size",
        metavar="N",
        type=_positive_int,
        help="texts per batch sent to an actor (default 256)",
    )


def check_backend_options(args: argparse.Namespace) -> None:
    """Usage errors of the backend options (exit code 2), and Ray missing, before any work."""
    from matcher import distributed

    if args.backend == "ray":
        if getattr(args, "encoder", None) == "static":
            raise distributed.UsageError("--encoder static needs no cluster: use --backend local")
        distributed.import_ray()
        return
    for opt in ("ray_address", "ray_actors", "ray_batch_size"):
        if getattr(args, opt) is not None:
            flag = "--" + opt.replace("_", "-")
            raise distributed.UsageError(
                f"{flag} is for --backend ray (got --backend {args.backend})"
            )


@contextmanager
def _encoder(args: argparse.Namespace, s: Settings) -> Iterator[Any]:
    """The configured encoder behind the embedding cache: in this process, or on Ray."""
    if args.backend == "ray":
        from matcher.distributed import DEFAULT_RAY_BATCH_SIZE, build_ray_encoder

        with build_ray_encoder(
            s.model,
            max_seq_length=s.max_seq_length,
            batch_size=s.batch_size,
            cache_dir=s.cache_dir,
            address=args.ray_address,
            actors=args.ray_actors,
            ray_batch_size=args.ray_batch_size or DEFAULT_RAY_BATCH_SIZE,
        ) as enc:
            yield enc
        return
    from matcher.encoder import build_encoder

    yield build_encoder(
        s.model, max_seq_length=s.max_seq_length, batch_size=s.batch_size, cache_dir=s.cache_dir
    )


def run(args: argparse.Namespace) -> int:
    if args.quiet:
        quiet_progress()
    if not (args.creators or args.update or args.remove or args.fill):
        raise MatcherError(
            "give --creators FILE (build an index), --update FILE / --remove IDS, or --fill"
        )
    if args.fill and (args.remove is not None or args.index_type or args.vectors):
        raise MatcherError(
            "--fill keeps the index's creators, type and storage: no --remove, --index-type, "
            "--vectors"
        )
    if args.creators is not None and args.remove is not None:
        raise MatcherError(
            "--remove changes an existing index: use it with --update, not --creators"
        )
    if args.creators is None and (args.index_type or args.vectors):
        raise MatcherError(
            "--index-type and --vectors are for a full build (--creators); an update keeps them"
        )
    check_backend_options(args)
    s = settings(args)
    if args.fill:
        return _fill(args, s)
    return _build(args, s) if args.creators is not None else _update(args, s)


def _fill(args: argparse.Namespace, s: Settings) -> int:
    from matcher.fill import fill_index, fill_status
    from matcher.learn.resolve import index_text_model

    with _encoder(args, s) as enc:
        st = fill_status(args.out, enc)
        print(f"{args.out}: {st.count} creators with {st.model!r} vectors; {s.model!r} vectors "
              f"ready for {st.ready} ({st.ready / max(st.count, 1):.0%})", file=sys.stderr)  # fmt: skip
        rep = fill_index(
            args.out,
            enc,
            model_name=s.model,
            text_model=index_text_model(args.model, dim=enc.dim),
            candidates=s.candidates,
            progress=not args.quiet,
        )
    print(f"filled {args.out} with {s.model!r} vectors in {rep.seconds:.1f}s: {rep.count} "
          f"creators ({rep.embedded} texts embedded, the rest from the cache)", file=sys.stderr)  # fmt: skip
    return 0


def _build(args: argparse.Namespace, s: Settings) -> int:
    import time

    from matcher.encoder import STATIC_MODEL
    from matcher.index import FILES, build_and_save
    from matcher.io import stream_creators
    from matcher.io.atomic import check_replaceable
    from matcher.learn.resolve import index_text_model
    from matcher.manifest import Manifest

    t0 = time.perf_counter()
    check_replaceable(Path(args.out), "manifest.json", "an index", FILES)  # before any work
    # checked whole before anything is written; JSON Lines then read again a chunk at a time
    count, creators = stream_creators(args.creators, strict=args.strict)
    with _encoder(args, s) as enc:
        text_model = index_text_model(args.model, dim=enc.dim)
        if args.backend == "ray":  # each chunk's profile and voice texts in one Ray job
            creators = _prefetched(creators, enc, s.posts_per_creator, not args.quiet)
        out = build_and_save(
            creators,
            enc,
            args.out,
            model_name=s.model,
            posts_per_creator=s.posts_per_creator,
            index_type=args.index_type or "auto",
            vectors=args.vectors or "auto",
            progress=not args.quiet,
            text_model=text_model,
            candidates=s.candidates,
            events=s.model != STATIC_MODEL,  # the fast path: --fill stores them
            count=count,
        )
    dt = time.perf_counter() - t0
    _say_ann(Manifest.read(out).ann)
    print(
        f"indexed {count} creators into {out} in {dt:.1f}s "
        f"(embedding cache: {enc.hits} hits, {enc.misses} new"
        + (f"; adapted for text model {text_model.fingerprint}" if text_model else "")
        + ")",
        file=sys.stderr,
    )
    return 0


def _prefetched(
    creators: Iterator[Creator], enc: Any, posts_per_creator: int, progress: bool
) -> Iterator[Creator]:
    """The creators, each chunk's texts embedded on the cluster before the build takes them."""
    from matcher.index import profile_text, voice_text
    from matcher.index_build import CHUNK, chunks

    for chunk in chunks(creators, CHUNK):
        texts = [profile_text(c) for c in chunk]
        texts += [voice_text(c, posts_per_creator) for c in chunk]
        enc.prefetch([t for t in texts if t], progress=progress)
        yield from chunk


def _update(args: argparse.Namespace, s: Settings) -> int:
    import time

    from matcher.io import read_creators
    from matcher.learn.resolve import index_text_model
    from matcher.manifest import Manifest
    from matcher.update import check_inputs, read_removals, update_index

    t0 = time.perf_counter()
    manifest = Manifest.read(Path(args.out))  # an existing index, before any work
    creators = read_creators(args.update, strict=args.strict) if args.update else []
    removals = read_removals(args.remove) if args.remove else []
    check_inputs(creators, removals, str(args.update), str(args.remove))
    text_model = index_text_model(args.model) if manifest.text_model else None
    with _encoder(args, s) as enc:
        rep = update_index(
            args.out,
            enc,
            creators=creators,
            removals=removals,
            text_model=text_model,
            candidates=s.candidates,
            progress=not args.quiet,
        )
    for r in rep.unknown[:5]:
        warnings.warn(f"{args.remove}:{r.line}: creator_id {r.creator_id!r} is not in the index; "
                      "nothing to remove", stacklevel=1)  # fmt: skip
    if len(rep.unknown) > 5:
        warnings.warn(
            f"{args.remove}: {len(rep.unknown) - 5} more unknown creator_ids", stacklevel=1
        )
    if rep.written:
        _say_ann(Manifest.read(Path(args.out)).ann)
    print(
        f"updated {args.out} in {time.perf_counter() - t0:.1f}s: {rep.added} added, "
        f"{rep.changed} changed, {rep.unchanged} unchanged, {rep.removed} removed "
        f"({rep.embedded} embedded, every other vector kept); {rep.count} creators "
        f"(embedding cache: {enc.hits} hits, "
        f"{enc.misses} new" + ("; BM25 refitted: the index had no term counts" if
                                rep.lexical == "refit" else "") + ")"
        + ("" if rep.written else "; nothing changed, nothing written"),
        file=sys.stderr,
    )  # fmt: skip
    return 0


def _say_ann(info: dict | None) -> None:
    if info and info.get("type") == "ivf":
        print(
            f"approximate index: IVF-SQ8, nlist {info['nlist']}, nprobe {info['nprobe']}, "
            f"recall {info['recall']:.3f} of the top {info['recall_at']} against exact search",
            file=sys.stderr,
        )
