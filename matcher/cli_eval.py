"""``matcher eval``: the ranking against labelled matches, with baselines and a report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from matcher.cli import _common, _settings, command, load_ranker
from matcher.errors import MatcherError


@command(
    "eval",
    "evaluate the ranking against labelled matches, with baselines",
    "matcher eval --creators ../shared/data/world/creators.jsonl "
    "--briefs ../shared/data/world/briefs.jsonl --labels ../shared/data/world/labels.csv "
    "--output out/report.json --report eval/reports/world",
)
def _eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, metavar="FILE")
    p.add_argument("--briefs", required=True, metavar="FILE")
    p.add_argument("--labels", required=True, metavar="FILE")
    p.add_argument("--model", metavar="DIR", help="a learned ranker from 'matcher train'")
    p.add_argument(
        "--ranker",
        choices=["auto", "weighted", "learned"],
        default="auto",
        help="weighted forces the default weighted ranker",
    )
    p.add_argument("--k", type=int, default=10, help="cut-off of the primary NDCG (default 10)")
    p.add_argument(
        "--output", required=True, metavar="JSON", help="report in the format of FORMATS.md"
    )
    p.add_argument("--report", metavar="DIR", help="also write a Markdown report with plots here")
    p.add_argument(
        "--index",
        metavar="DIR",
        help="index of the same creators (default: built once and kept in the cache)",
    )
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="date post ages are measured from")
    p.add_argument(
        "--candidates",
        type=int,
        metavar="N",
        help="creators the matcher ranks per brief (the rest follow by niche similarity)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random baseline")
    p.add_argument("--title", default=None, help="title of the Markdown report")
    p.add_argument("--notes", metavar="MD", help="a Markdown file whose text goes under the title")
    _common(p)


def ensure_index(creators_file: str, creators, settings, index_dir: str | None):  # type: ignore[no-untyped-def]
    """An index of exactly these creators: the one given, or one cached by file hash."""
    from matcher.config import default_cache_dir
    from matcher.encoder import build_encoder
    from matcher.evaluation import file_sha256
    from matcher.index import Manifest, build_and_save

    enc = build_encoder(
        settings.model,
        max_seq_length=settings.max_seq_length,
        batch_size=settings.batch_size,
        cache_dir=settings.cache_dir,
    )
    if index_dir:
        path = Path(index_dir)
    else:
        root = Path(settings.cache_dir) if settings.cache_dir else default_cache_dir()
        path = root / "indexes" / f"{file_sha256(creators_file)[:16]}-{enc.fingerprint[:8]}"
    if path.exists():
        m = Manifest.read(path)
        if m.count != len(creators):
            raise MatcherError(
                f"{path}: index has {m.count} creators, {creators_file} has {len(creators)}"
            )
    else:
        print(f"building index of {len(creators)} creators in {path}", file=sys.stderr)
        build_and_save(
            creators,
            enc,
            path,
            model_name=settings.model,
            posts_per_creator=settings.posts_per_creator,
            progress=True,
        )
    return path, enc


def run_eval(args: argparse.Namespace) -> int:
    from datetime import date

    import numpy as np

    from matcher.baselines import BM25Baseline, PopularityBaseline, RandomBaseline
    from matcher.engine import Matcher
    from matcher.evaluation import evaluate_systems, format_table
    from matcher.index import CreatorIndex
    from matcher.io import atomic_write_text, read_briefs, read_creators, read_labels

    if args.k < 1:
        raise MatcherError(f"--k must be >= 1, got {args.k}")
    creators = read_creators(args.creators)
    briefs = read_briefs(args.briefs)
    labels = read_labels(
        args.labels,
        brief_ids={b.brief_id for b in briefs},
        creator_ids={c.creator_id for c in creators},
    )
    s = _settings(args)
    path, enc = ensure_index(args.creators, creators, s, args.index)
    index = CreatorIndex.load(path, fingerprint=enc.fingerprint)
    ids = index.catalogue.all_ids()
    if ids != [c.creator_id for c in creators]:
        raise MatcherError(f"{path}: the index holds other creators than {args.creators}")
    ranker = load_ranker(args.model, args.ranker, s, index=index)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    m = Matcher(index, enc, s, ranker=ranker, as_of=as_of)
    pop = PopularityBaseline().fit(creators)
    bm25 = BM25Baseline().fit(creators)
    rnd = RandomBaseline(seed=args.seed).fit(creators)
    content = np.asarray(index.content)

    def embedding(brief):  # type: ignore[no-untyped-def]
        return content @ m.encoder.encode([brief.query_text])[0]

    systems = {
        "matcher": m.score_catalogue,
        "popularity": pop.score,
        "bm25": bm25.score,
        "embedding": embedding,
        "random": rnd.score,
    }
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
        out = write_report(res, args.report, title, notes)
        print(f"report: {out}", file=sys.stderr)
    return 0
