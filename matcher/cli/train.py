"""``matcher train``: fit a learned ranker on labelled briefs (see :mod:`matcher.learn.train`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.cli.common import (
    add_as_of,
    add_labelled_data_options,
    add_settings_options,
    labelled_data,
    settings,
)
from matcher.errors import MatcherError

if TYPE_CHECKING:
    from matcher.learn.card import ModelCard

NAME = "train"
HELP = "fit a learned ranker on labelled briefs: grouped cross-validation, model and card"
EXAMPLE = (
    "matcher train --creators ../shared/data/world/creators.jsonl "
    "--briefs ../shared/data/world/briefs.jsonl --labels ../shared/data/world/labels.csv "
    "--out models/mine --config recipes/default.toml --index out/world-index"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_labelled_data_options(p)
    p.add_argument(
        "--out", required=True, metavar="DIR", help="model directory to write (replaced atomically)"
    )
    p.add_argument(
        "--config", metavar="TOML", help="training recipe (default: the Recipe defaults)"
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
    add_as_of(p)
    add_settings_options(p, settings_flag="--settings")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    from matcher.engine import Matcher
    from matcher.evaluation import file_sha256
    from matcher.io.atomic import check_replaceable
    from matcher.learn.card import CARD, FILES
    from matcher.learn.recipe import load_recipe
    from matcher.learn.train import train

    check_replaceable(Path(args.out), CARD, "a model directory", FILES)  # before any work
    recipe = load_recipe(args.config)
    if args.seed is not None:
        recipe = recipe.with_(seed=args.seed)
    if args.holdout is not None:
        if not 0.0 <= args.holdout < 1.0:
            raise MatcherError(f"--holdout must be in [0, 1), got {args.holdout}")
        recipe = recipe.with_(holdout=args.holdout)
    s = settings(args).with_(candidates=recipe.candidates)
    creators, briefs, labels, index, enc = labelled_data(args, s)
    del creators
    m = Matcher(index, enc, s, as_of=args.as_of)
    fingerprints = {k: file_sha256(getattr(args, k)) for k in ("creators", "briefs", "labels")}
    if args.config:
        fingerprints["recipe"] = file_sha256(args.config)

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    card = train(
        m, briefs, labels, Path(args.out), recipe, fingerprints=fingerprints,
        split_dir=args.split_dir, briefs_source=args.briefs,
        progress=not args.quiet and sys.stderr.isatty(), log=log,
    )  # fmt: skip
    print(summary(card, args.out))
    return 0


def summary(card: ModelCard, out: str) -> str:
    """What a run found: CV of every system, the held-out comparison, the model written."""
    cv, metric = card.cv, card.metric
    lines = [
        f"grouped {cv['folds']}-fold CV over {cv['n_briefs']} briefs, {metric} (mean [95% CI]):"
    ]
    for name, st in cv["systems"].items():
        m_, lo, hi = st[metric]
        d = "" if name == "weighted" else f"   vs weighted {_ci(st['vs_weighted'], signed=True)}"
        mark = "  <- selected" if name == cv["selected"] else ""
        lines.append(f"  {name:<14} {m_:.4f} [{lo:.4f}, {hi:.4f}]{d}{mark}")
    h = card.heldout
    if h:
        verdict = "beats" if h["beats_weighted"] else "does not beat"
        lines.append(
            f"held-out {h['n_briefs']} briefs: learned {_ci(h['learned'])}, weighted "
            f"{_ci(h['weighted'])}, difference {_ci(h['difference'], signed=True)}: "
            f"{verdict} the weighted ranker"
        )
    lines.append(
        f"model: {out} ({card.learner}, {card.data['n_rows']} rows, {card.training_seconds:.0f}s)"
    )
    return "\n".join(lines)


def _ci(v: list[float], signed: bool = False) -> str:
    f = "{:+.4f}" if signed else "{:.4f}"
    return f"{f.format(v[0])} [{f.format(v[1])}, {f.format(v[2])}]"
