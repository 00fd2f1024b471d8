"""What several commands share: the settings options, rankers, indexes of labelled data."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.errors import MatcherError

if TYPE_CHECKING:
    from matcher.config import Settings
    from matcher.engine import Matcher
    from matcher.index import CreatorIndex
    from matcher.schema import Brief, Creator, Label


def add_settings_options(p: argparse.ArgumentParser, settings_flag: str = "--config") -> None:
    """Options every model-loading command shares (``train`` names its settings file
    ``--settings``, since its ``--config`` is the training recipe)."""
    p.add_argument(
        settings_flag,
        dest="settings_file",
        metavar="TOML",
        help="settings file ([matcher] and [weights] tables)",
    )
    p.add_argument(
        "--encoder",
        metavar="MODEL",
        help="'default' (all-MiniLM-L6-v2), 'static' (fast: a static model distilled from it; "
        "see matcher index --fill) or a local sentence-transformers directory",
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="embedding cache (default ~/.cache/matcher or $MATCHER_CACHE)",
    )


def add_ranker_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR", help="a learned ranker from 'matcher train'")
    p.add_argument(
        "--ranker",
        choices=["auto", "weighted", "learned"],
        default="auto",
        help="auto: the installed learned ranker when it fits the index (default); "
        "weighted forces the weighted ranker; learned forces the installed learned ranker",
    )


def add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=date.fromisoformat,
        help="date post ages are measured from (default: today)",
    )


def settings(args: argparse.Namespace) -> Settings:
    """The settings file, then the command-line options over it."""
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


def ranker_spec(args: argparse.Namespace) -> str:
    """``--ranker weighted`` always wins; then ``--model DIR``; then ``--ranker``."""
    if args.ranker != "weighted" and getattr(args, "model", None):
        return str(args.model)
    return str(args.ranker)


def open_matcher(args: argparse.Namespace, s: Settings) -> Matcher:
    """The index of ``--index`` with the ranker the options name (a note on stderr if any)."""
    from matcher.engine import Matcher

    m = Matcher.open(args.index, s, ranker=ranker_spec(args), as_of=getattr(args, "as_of", None))
    say_ranker_note(m.ranker_note)
    return m


def say_ranker_note(note: str | None) -> None:
    if note:
        print(f"matcher: {note}", file=sys.stderr)


# -- commands over labelled data (eval, train) ---------------------------------------------------


def quiet_progress() -> None:
    """Silence every progress bar of this process: ours and the libraries' ("Loading weights"
    of transformers, the hub's downloads bars), all tqdm, which reads ``TQDM_DISABLE``."""
    import os

    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


STRICT_HELP = (
    "treat likely mistakes (an engagement_rate above 1, ...) as errors instead of warnings"
)


def add_strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true", help=STRICT_HELP)


def add_labelled_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, metavar="FILE", help="creators file (FORMATS.md)")
    p.add_argument("--briefs", required=True, metavar="FILE", help="briefs file (FORMATS.md)")
    p.add_argument("--labels", required=True, metavar="FILE", help="labels.csv of those briefs")
    p.add_argument(
        "--index",
        metavar="DIR",
        help="index of the same creators (default: built once and kept in the cache)",
    )
    add_strict_option(p)


def labelled_data(
    args: argparse.Namespace, s: Settings, text_model: Any = None
) -> tuple[list[Creator], list[Brief], list[Label], CreatorIndex, Any]:
    """(creators, briefs, labels, index of exactly the creators, encoder) for ``eval`` and
    ``train``."""
    from matcher.index import CreatorIndex
    from matcher.io import read_briefs, read_creators, read_labels

    creators = read_creators(args.creators, strict=args.strict)
    briefs = read_briefs(args.briefs, strict=args.strict)
    labels = read_labels(
        args.labels,
        brief_ids={b.brief_id for b in briefs},
        creator_ids={c.creator_id for c in creators},
    )
    path, enc = ensure_index(args.creators, creators, s, args.index, text_model)
    index = CreatorIndex.load(path, fingerprint=enc.fingerprint)
    if index.catalogue.all_ids() != [c.creator_id for c in creators]:
        raise MatcherError(f"{path}: the index holds other creators than {args.creators}")
    return creators, briefs, labels, index, enc


def ensure_index(  # type: ignore[no-untyped-def]
    creators_file: str,
    creators: list[Creator],
    s: Settings,
    index_dir: str | None,
    text_model: Any = None,
):
    """An index of exactly these creators (adapted for ``text_model`` when given): the one given,
    or one cached by file hash, encoder, text model and index format."""
    from matcher.config import default_cache_dir
    from matcher.encoder import build_encoder
    from matcher.evaluation import file_sha256
    from matcher.index import FORMAT_VERSION, Manifest, build_and_save

    enc = build_encoder(
        s.model, max_seq_length=s.max_seq_length, batch_size=s.batch_size, cache_dir=s.cache_dir
    )
    if index_dir:
        path = Path(index_dir)
    else:
        root = Path(s.cache_dir) if s.cache_dir else default_cache_dir()
        # keyed by what makes an index: the file, the encoder and the index format
        text = f"-t{text_model.fingerprint[:8]}" if text_model is not None else ""
        key = f"{file_sha256(creators_file)[:16]}-{enc.fingerprint[:8]}{text}-v{FORMAT_VERSION}"
        path = root / "indexes" / key
    if path.exists():
        m = Manifest.read(path)
        if m.count != len(creators):
            raise MatcherError(
                f"{path}: index has {m.count} creators, {creators_file} has {len(creators)}"
            )
    else:
        print(f"building index of {len(creators)} creators in {path}", file=sys.stderr)
        build_and_save(
            creators, enc, path, model_name=s.model, posts_per_creator=s.posts_per_creator,
            progress=True, text_model=text_model,
        )  # fmt: skip
    return path, enc


# -- the service's database (serve, keys) ---------------------------------------------------------

DB_HELP = "SQLite file of workspaces, API keys and shortlists (default: INDEX.db beside the index directory, e.g. out/sample-index.db)"


def default_db(index: str | Path) -> Path:
    """The database that goes with an index: ``<index_dir>.db``, a sibling of the directory."""
    p = Path(index).resolve()
    return p.with_name(p.name + ".db")


def db_path(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    if getattr(args, "index", None):
        return default_db(args.index)
    raise MatcherError("give --db FILE (or --index DIR to use DIR.db)")
