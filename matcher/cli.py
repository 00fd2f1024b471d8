"""The ``matcher`` command: thin adapters over the library.

Each command builds the library object, calls it, and turns :class:`MatcherError` into a clean
message and exit code. Heavy libraries (torch, faiss, pandas) are imported inside commands so
``--help`` and ``validate`` stay quick.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from matcher.errors import MatcherError, ValidationError

Handler = Callable[[argparse.Namespace], int]
#: modules that add commands with ``@command`` and define ``run_<name>``
EXTRA_COMMAND_MODULES = ("matcher.cli_eval", "matcher.cli_train", "matcher.cli_serve")
COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None], str]] = {}


def command(
    name: str, help: str, example: str
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register ``name``; the decorated function adds arguments, ``run_<name>`` executes."""

    def deco(fn: Callable[..., object]) -> Callable[..., object]:
        COMMANDS[name] = (help, example, fn, name)  # type: ignore[assignment]
        return fn

    return deco


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from matcher.config import load_settings

    s = load_settings(getattr(args, "settings_file", None))
    changes: dict[str, object] = {}
    if getattr(args, "encoder", None):
        changes["model"] = args.encoder
    if getattr(args, "cache_dir", None):
        changes["cache_dir"] = args.cache_dir
    if getattr(args, "show_conflicts", False):
        changes["show_conflicts"] = True
    if getattr(args, "candidates", None):
        changes["candidates"] = args.candidates
    return s.with_(**changes) if changes else s


def _common(p: argparse.ArgumentParser, settings_flag: str = "--config") -> None:
    """Options every model-loading command shares (``train`` names its settings file
    ``--settings``, since its ``--config`` is the training recipe)."""
    p.add_argument(
        settings_flag,
        dest="settings_file",
        metavar="TOML",
        help="settings file ([matcher] and [weights] tables)",
    )
    p.add_argument(
        "--encoder", metavar="MODEL", help="'default' or a local sentence-transformers directory"
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="embedding cache (default ~/.cache/matcher or $MATCHER_CACHE)",
    )


# -- validate -------------------------------------------------------------------------------


@command(
    "validate",
    "list every problem in a creators, briefs or labels file",
    "matcher validate datasets/sample/creators.jsonl",
)
def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        help="a creators (.jsonl/.csv/.parquet), briefs (.jsonl/.json/.yaml) or labels (.csv) file",
    )
    p.add_argument(
        "--kind",
        choices=["creators", "briefs", "labels"],
        help="what the file holds (guessed when omitted)",
    )


def run_validate(args: argparse.Namespace) -> int:
    from matcher.io import validate_file

    problems = validate_file(args.file, kind=args.kind)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        return 2
    print(f"{args.file}: ok")
    return 0


# -- index ----------------------------------------------------------------------------------


@command(
    "index",
    "embed a creator catalogue and build a searchable index",
    "matcher index --creators datasets/sample/creators.jsonl --out out/sample-index",
)
def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, metavar="FILE", help="creators file (FORMATS.md)")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="index directory to write (replaced atomically)"
    )
    p.add_argument(
        "--index-type",
        choices=["flat", "hnsw"],
        default="flat",
        help="flat = exact search (default); hnsw = approximate, for millions of creators",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _common(p)


def run_index(args: argparse.Namespace) -> int:
    import time

    from matcher.encoder import build_encoder
    from matcher.index import build_and_save
    from matcher.io import read_creators

    s = _settings(args)
    t0 = time.perf_counter()
    creators = read_creators(args.creators)  # raises before anything is written
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
    )
    dt = time.perf_counter() - t0
    print(
        f"indexed {len(creators)} creators into {out} in {dt:.1f}s "
        f"(embedding cache: {enc.hits} hits, {enc.misses} new)",
        file=sys.stderr,
    )
    return 0


# -- match ----------------------------------------------------------------------------------


@command(
    "match",
    "ranked, explained shortlists of creators for one brief or a file of briefs",
    "matcher match --index out/sample-index --brief datasets/sample/briefs.jsonl --k 10 --format json",
)
def _match_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", required=True, metavar="DIR", help="index built by 'matcher index'")
    p.add_argument(
        "--brief", required=True, metavar="FILE", help="one brief (.json/.yaml) or many (.jsonl)"
    )
    p.add_argument("--k", type=int, help="creators per shortlist (default: the brief's k, else 20)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--model", metavar="DIR", help="a learned ranker from 'matcher train'")
    p.add_argument(
        "--ranker",
        choices=["auto", "weighted", "learned"],
        default="auto",
        help="weighted forces the default weighted ranker (default: auto)",
    )
    p.add_argument(
        "--show-conflicts",
        action="store_true",
        help="keep creators with a current competitor deal, flagged, instead of excluding them",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=date.fromisoformat,
        help="date post ages are measured from (default: today)",
    )
    p.add_argument(
        "--candidates", type=int, metavar="N", help="creators retrieved per brief before ranking"
    )
    _common(p)


def load_ranker(model: str | None, ranker: str, settings, index=None):  # type: ignore[no-untyped-def]
    """The ranker to use: --model, or models/default when it exists and --ranker allows.

    With ``index``, the installed default model is skipped (weighted ranker, said on stderr) when
    the index's catalogue mostly lacks data the model was trained with (see
    :mod:`matcher.coverage`); ``--model`` or ``--ranker learned`` always use the model.
    """
    if ranker == "weighted":
        return None
    try:
        from matcher.training import default_model_dir, load_learned_ranker
    except ImportError:  # training not available
        if model or ranker == "learned":
            raise MatcherError("learned rankers are not available in this build") from None
        return None
    path = Path(model) if model else default_model_dir()
    if path is None or not path.exists():
        if model or ranker == "learned":
            raise MatcherError(f"{model or 'models/default'}: no learned ranker there")
        return None
    if index is not None and not model and ranker == "auto":
        from matcher.coverage import coverage_mismatch, index_coverage
        from matcher.learned import read_card

        trained = (read_card(path).get("data") or {}).get("coverage") or {}
        lacking = coverage_mismatch(trained, index_coverage(index)) if trained else []
        if lacking:
            print(
                f"matcher: using the weighted ranker: {path} was trained on a catalogue with "
                f"data this one mostly lacks ({'; '.join(lacking)}); --ranker learned forces it",
                file=sys.stderr,
            )
            return None
    return load_learned_ranker(path)


def run_match(args: argparse.Namespace) -> int:
    from matcher.engine import Matcher
    from matcher.io import read_briefs

    if args.k is not None and args.k < 1:
        raise MatcherError(f"--k must be >= 1, got {args.k}")
    briefs = read_briefs(args.brief)
    s = _settings(args)
    m = Matcher.open(args.index, s, as_of=args.as_of)
    learned = load_ranker(args.model, args.ranker, s, index=m.index)
    if learned is not None:
        m.ranker = learned
    out = sys.stdout
    if args.format == "csv":
        w = csv.writer(out)
        w.writerow(
            [
                "brief_id",
                "rank",
                "creator_id",
                "handle",
                "score",
                "niche",
                "tone",
                "audience",
                "tier",
                "conflict",
                "authenticity",
                "reasons",
            ]
        )
    for sl in m.recommend_many(briefs, args.k):
        if args.format == "json":
            out.write(json.dumps(sl.to_dict(), ensure_ascii=False) + "\n")
        elif args.format == "csv":
            for mt in sl.matches:
                w.writerow(
                    [
                        sl.brief_id,
                        mt.rank,
                        mt.creator_id,
                        mt.handle or "",
                        f"{mt.score:.4f}",
                        *(
                            "" if mt.signals[k] is None else f"{mt.signals[k]:.3f}"
                            for k in (
                                "niche",
                                "tone",
                                "audience",
                                "tier",
                                "conflict",
                                "authenticity",
                            )
                        ),
                        " | ".join(mt.reasons),
                    ]
                )
        else:
            out.write(format_table(sl) + "\n")
        out.flush()
    return 0


def format_table(sl) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    buf.write(f"== {sl.brief_id} ({sl.ranker} ranker) ==\n")
    buf.write(f"{'#':>3}  {'creator':<22} {'score':>5}  nich tone aud  tier conf auth  why\n")

    def cell(v: float | None) -> str:
        return " -- " if v is None else f"{v:4.2f}"

    for mt in sl.matches:
        name = (mt.handle and "@" + mt.handle) or mt.creator_id
        sig = " ".join(
            cell(mt.signals[k])
            for k in ("niche", "tone", "audience", "tier", "conflict", "authenticity")
        )
        buf.write(
            f"{mt.rank:>3}  {name[:22]:<22} {mt.score:5.3f}  {sig}  {mt.reasons[0] if mt.reasons else ''}\n"
        )
        for r in mt.reasons[1:]:
            buf.write(f"{'':>36}{'':>30}- {r}\n")
    if sl.excluded:
        buf.write("excluded:\n")
        for e in sl.excluded:
            buf.write(f"     {e.creator_id}: {e.why}\n")
    return buf.getvalue()


# -- main -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    _load_optional_commands()
    parser = argparse.ArgumentParser(
        prog="matcher",
        description="Influencer-brand matching: explained creator shortlists for campaign briefs.",
        epilog="example: matcher index --creators creators.jsonl --out idx && "
        "matcher match --index idx --brief brief.json",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_, example, add_args, _) in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_args(p)
    return parser


def _load_optional_commands() -> None:
    """Commands defined in other modules register themselves on import."""
    import importlib

    for mod in EXTRA_COMMAND_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name != mod:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 1
    run = _runner(args.command)
    try:
        return run(args)
    except ValidationError as e:
        print(e.report(), file=sys.stderr)
        return e.exit_code
    except MatcherError as e:
        print(f"matcher {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def _runner(name: str) -> Handler:
    import importlib

    for modname in ("matcher.cli", *EXTRA_COMMAND_MODULES):
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError:
            continue
        fn = getattr(mod, f"run_{name}", None)
        if fn is not None:
            return fn  # type: ignore[no-any-return]
    raise MatcherError(f"command {name!r} has no runner")


if __name__ == "__main__":
    # run as a script, this file is "__main__"; commands register on the importable module
    from matcher.cli import main as _main

    sys.exit(_main())
