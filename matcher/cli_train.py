"""``matcher train``: fit a learned ranker on labelled briefs (see :mod:`matcher.training`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.cli import _common, _settings, command
from matcher.errors import MatcherError


@command(
    "train",
    "fit a learned ranker on labelled briefs: grouped cross-validation, model and card",
    "matcher train --creators ../shared/data/world/creators.jsonl "
    "--briefs ../shared/data/world/briefs.jsonl --labels ../shared/data/world/labels.csv "
    "--out models/default --config training/default.toml --index out/world-index",
)
def _train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, metavar="FILE", help="creators file (FORMATS.md)")
    p.add_argument("--briefs", required=True, metavar="FILE", help="briefs file (FORMATS.md)")
    p.add_argument("--labels", required=True, metavar="FILE", help="labels.csv of those briefs")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="model directory to write (replaced atomically)"
    )
    p.add_argument(
        "--config", metavar="TOML", help="training recipe (default: training/default.toml settings)"
    )
    p.add_argument(
        "--index",
        metavar="DIR",
        help="index of the same creators (default: built once and kept in the cache)",
    )
    p.add_argument("--seed", type=int, help="overrides the recipe's seed")
    p.add_argument(
        "--holdout",
        type=float,
        metavar="FRACTION",
        help="overrides the recipe's fraction of briefs held out for the final comparison",
    )
    p.add_argument(
        "--split-dir", metavar="DIR", help="write the training / held-out briefs and labels here"
    )
    p.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="date post ages are measured from (default: today)"
    )
    _common(p, settings_flag="--settings")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run_train(args: argparse.Namespace) -> int:
    from datetime import date

    from matcher.cli_eval import ensure_index
    from matcher.engine import Matcher
    from matcher.evaluation import file_sha256
    from matcher.index import CreatorIndex
    from matcher.io import read_briefs, read_creators, read_labels
    from matcher.training import METRIC, load_recipe, train

    recipe = load_recipe(args.config)
    if args.seed is not None:
        recipe = recipe.with_(seed=args.seed)
    if args.holdout is not None:
        if not 0.0 <= args.holdout < 1.0:
            raise MatcherError(f"--holdout must be in [0, 1), got {args.holdout}")
        recipe = recipe.with_(holdout=args.holdout)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None

    creators = read_creators(args.creators)
    briefs = read_briefs(args.briefs)
    labels = read_labels(
        args.labels,
        brief_ids={b.brief_id for b in briefs},
        creator_ids={c.creator_id for c in creators},
    )
    s = _settings(args).with_(candidates=recipe.candidates)
    path, enc = ensure_index(args.creators, creators, s, args.index)
    index = CreatorIndex.load(path, fingerprint=enc.fingerprint)
    if index.catalogue.all_ids() != [c.creator_id for c in creators]:
        raise MatcherError(f"{path}: the index holds other creators than {args.creators}")
    del creators
    m = Matcher(index, enc, s, as_of=as_of)
    fingerprints = {
        "creators": file_sha256(args.creators),
        "briefs": file_sha256(args.briefs),
        "labels": file_sha256(args.labels),
    }
    if args.config:
        fingerprints["recipe"] = file_sha256(args.config)

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    card = train(
        m,
        briefs,
        labels,
        Path(args.out),
        recipe,
        fingerprints=fingerprints,
        split_dir=args.split_dir,
        briefs_source=args.briefs,
        progress=not args.quiet and sys.stderr.isatty(),
        log=log,
    )
    cv = card["cv"]
    print(f"grouped {cv['folds']}-fold CV over {cv['n_briefs']} briefs, {METRIC} (mean [95% CI]):")
    for name, st in cv["systems"].items():
        m_, lo, hi = st[METRIC]
        d = (
            ""
            if name == "weighted"
            else (
                f"   vs weighted {st['vs_weighted'][0]:+.4f} [{st['vs_weighted'][1]:+.4f}, {st['vs_weighted'][2]:+.4f}]"
            )
        )
        mark = "  <- selected" if name == cv["selected"] else ""
        print(f"  {name:<14} {m_:.4f} [{lo:.4f}, {hi:.4f}]{d}{mark}")
    h = card.get("heldout")
    if h:
        print(
            f"held-out {h['n_briefs']} briefs: learned {h['learned'][0]:.4f} "
            f"[{h['learned'][1]:.4f}, {h['learned'][2]:.4f}], weighted {h['weighted'][0]:.4f} "
            f"[{h['weighted'][1]:.4f}, {h['weighted'][2]:.4f}], difference {h['difference'][0]:+.4f} "
            f"[{h['difference'][1]:+.4f}, {h['difference'][2]:+.4f}]: "
            f"{'beats' if h['beats_weighted'] else 'does not beat'} the weighted ranker"
        )
    print(
        f"model: {args.out} ({card['learner']}, {card['data']['n_rows']} rows, "
        f"{card['training_seconds']:.0f}s)"
    )
    return 0
