"""``matcher eval``: the ranking against labelled matches, with baselines and a report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.cli.common import (
    add_as_of,
    add_labelled_data_options,
    add_ranker_options,
    add_settings_options,
    labelled_data,
    ranker_spec,
    say_ranker_note,
    settings,
)
from matcher.errors import MatcherError

if TYPE_CHECKING:
    import numpy as np

    from matcher.schema import Brief

NAME = "eval"
HELP = "evaluate the ranking against labelled matches, with baselines"
EXAMPLE = (
    "matcher eval --creators ../shared/data/world/creators.jsonl "
    "--briefs ../shared/data/world/briefs.jsonl --labels ../shared/data/world/labels.csv "
    "--output out/report.json --report eval/reports/world"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_labelled_data_options(p)
    add_ranker_options(p)
    p.add_argument("--k", type=int, default=10, help="cut-off of the primary NDCG (default 10)")
    p.add_argument(
        "--output", required=True, metavar="JSON", help="report in the format of FORMATS.md"
    )
    p.add_argument("--report", metavar="DIR", help="also write a Markdown report with plots here")
    add_as_of(p)
    p.add_argument(
        "--candidates",
        type=int,
        metavar="N",
        help="creators the matcher ranks per brief (the rest follow by niche similarity)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random baseline")
    p.add_argument("--title", default=None, help="title of the Markdown report")
    p.add_argument("--notes", metavar="MD", help="a Markdown file whose text goes under the title")
    add_settings_options(p)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from matcher.baselines import BM25Baseline, PopularityBaseline, RandomBaseline
    from matcher.encoder import model_dim
    from matcher.engine import Matcher
    from matcher.evaluation import evaluate_systems, format_table
    from matcher.io import atomic_write_text
    from matcher.learn.resolve import index_text_model, resolve_ranker
    from matcher.threads import limit_blas_threads

    if args.k < 1:
        raise MatcherError(f"--k must be >= 1, got {args.k}")
    s = settings(args)
    # adapted for the learned ranker's text model (the weighted ranker reads the index the same)
    text_model = (
        None
        if args.ranker == "weighted" and not args.model
        else index_text_model(args.model, dim=model_dim(s.model))
    )
    creators, briefs, labels, index, enc = labelled_data(args, s, text_model)
    ranker, note = resolve_ranker(ranker_spec(args), index, s)
    say_ranker_note(note)
    # brief by brief from here, small products each: one BLAS thread (see matcher.threads)
    limit_blas_threads(1)
    m = Matcher(index, enc, s, ranker=ranker, as_of=args.as_of)
    content = np.asarray(index.content)

    def embedding(brief):  # type: ignore[no-untyped-def]
        return content @ m.encoder.encode([brief.query_text])[0]

    systems = {"matcher": m.score_catalogue, **_other_ranker(m, args, s)}
    systems.update(
        {
            "hybrid": m.retrieval_scores,
            "popularity": PopularityBaseline().fit(creators).score,
            "bm25": BM25Baseline().fit(creators).score,
            "embedding": embedding,
            "random": RandomBaseline(seed=args.seed).fit(creators).score,
        }
    )
    ids = index.catalogue.all_ids()
    res = evaluate_systems(
        systems, briefs, labels, ids, k=args.k, ranker=m.ranker.name, progress=sys.stderr.isatty()
    )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.output, json.dumps(res.to_json(), indent=2) + "\n")
    print(format_table(res))
    print(
        f"{len(briefs)} briefs x {len(ids)} creators in {res.wall_time_s:.1f}s "
        f"(per system: " + ", ".join(f"{k} {v:.1f}s" for k, v in res.timings.items()) + ")",
        file=sys.stderr,
    )
    if args.report:
        from matcher.report import write_report

        title = args.title or f"Evaluation: {Path(args.briefs).name} ({m.ranker.name} ranker)"
        notes = Path(args.notes).read_text(encoding="utf-8") if args.notes else ""
        print(f"report: {write_report(res, args.report, title, notes)}", file=sys.stderr)
    return 0


def _other_ranker(m, args: argparse.Namespace, s) -> dict[str, Callable[[Brief], np.ndarray]]:  # type: ignore[no-untyped-def]
    """The ranker the matcher does not use, scored side by side: ``weighted`` beside a learned
    ranker, ``learned`` (the installed default, forced) beside the weighted one when there is one."""
    from matcher.engine import Matcher
    from matcher.learn.resolve import default_model_dir, resolve_ranker

    if m.ranker.name != "weighted":
        name, spec = "weighted", "weighted"
    elif args.model or default_model_dir() is not None:
        name, spec = "learned", str(args.model) if args.model else "learned"
    else:
        return {}
    from matcher.errors import IndexMismatchError

    other, _ = resolve_ranker(spec, m.index, s)
    try:
        beside = Matcher(m.index, m.encoder, s, ranker=other, as_of=m.as_of)
    except IndexMismatchError as e:  # a given --index not adapted for the learned ranker
        print(f"matcher: not scoring the {name} ranker beside the matcher: {e}", file=sys.stderr)
        return {}
    return {name: beside.score_catalogue}
