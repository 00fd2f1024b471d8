"""The wrong-niche check: top-k creators whose known niche is unrelated to the brief.

Runs the briefs of ``datasets/wrong-niche/`` (one per niche: food, gaming, beauty, finance, travel,
parenting, fitness, tech, fashion, pets, music, books) on an index and counts, per brief, the
returned top-k creators none of whose known niches the brief's entry in ``niches.json`` lists.
Known niches: the sample's true niches (``datasets/sample/niches.csv``: niche and secondary
niche) or the TikTok creators' ``categories``.

Usage: python tools/wrong_niche.py --index out/sample-index --truth sample [--ranker auto]
       python tools/wrong_niche.py --index out/tt-index --truth tiktok
Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from matcher.engine import Matcher
from matcher.evaluation import off_niche_counts
from matcher.io import read_briefs

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "datasets" / "wrong-niche" / "briefs.jsonl"
RELATED = ROOT / "datasets" / "wrong-niche" / "niches.json"
SAMPLE_NICHES = ROOT / "datasets" / "sample" / "niches.csv"
TIKTOK = ROOT.parent / "shared" / "data" / "real" / "tiktok_creators.jsonl"


def known_niches(truth: str) -> dict[str, set[str]]:
    """creator_id -> the niches known for it."""
    if truth == "sample":
        with SAMPLE_NICHES.open(encoding="utf-8") as f:
            return {r["creator_id"]: {r["niche"], r["second"]} - {""} for r in csv.DictReader(f)}
    with TIKTOK.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {r["creator_id"]: set(r.get("categories") or ()) for r in rows}


def related_niches(truth: str) -> dict[str, set[str]]:
    table = json.loads(RELATED.read_text(encoding="utf-8"))
    return {b: set(v[truth]) for b, v in table.items() if not b.startswith("_")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--truth", choices=["sample", "tiktok"], required=True)
    ap.add_argument("--ranker", default="auto", help="auto, weighted, learned or a model dir")
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    m = Matcher.open(args.index, ranker=args.ranker)
    if m.ranker_note:
        print(f"matcher: {m.ranker_note}", file=sys.stderr)
    counts = off_niche_counts(
        m, read_briefs(BRIEFS), known_niches(args.truth), related_niches(args.truth), args.k
    )
    for brief_id, c in counts.items():
        print(
            f"{brief_id:<14} returned {c['returned']:>2}  off-niche {c['off_niche']:>2}  {c['ids']}"
        )
    total = sum(c["off_niche"] for c in counts.values())
    print(json.dumps({"check": "wrong_niche", "truth": args.truth, "ranker": m.ranker.name,
                      "k": args.k, "off_niche": total,
                      "per_brief": {b: c["off_niche"] for b, c in counts.items()}}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
