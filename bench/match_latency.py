"""End-to-end latency per brief on the world catalogue (brief encoding included), one at a time.

Uses (or builds) an index of the 20,000 world creators and times ``Matcher.recommend`` for each of
the 200 world briefs, after one warm-up query. FAISS runs with one OpenMP thread, as for online use.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", default=str(ROOT / "out" / "world-index"))
    ap.add_argument("--briefs", default=str(WORLD / "briefs.jsonl"))
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ranker", choices=["auto", "weighted", "learned"], default="auto")
    args = ap.parse_args()
    import faiss
    import torch

    faiss.omp_set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    from matcher.engine import Matcher
    from matcher.io import read_briefs

    if not (Path(args.index) / "manifest.json").exists():
        import subprocess

        subprocess.run(
            [
                sys.executable,
                "-m",
                "matcher",
                "index",
                "--creators",
                str(WORLD / "creators.jsonl"),
                "--out",
                args.index,
            ],
            check=True,
        )
    t = time.perf_counter()
    m = Matcher.open(args.index, ranker=args.ranker)
    if m.ranker_note:
        print(f"matcher: {m.ranker_note}", file=sys.stderr)
    briefs = read_briefs(args.briefs)
    m.recommend(briefs[0], args.k)  # warm-up: loads the model
    startup = time.perf_counter() - t
    lat = []
    for b in briefs:
        t = time.perf_counter()
        m.recommend(b, args.k)
        lat.append((time.perf_counter() - t) * 1000)
    a = np.array(lat)
    out = {
        "bench": "match_latency",
        "briefs": len(lat),
        "creators": len(m.index),
        "candidates": m.settings.candidates,
        "threads": args.threads,
        "ranker": m.ranker.name,
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "max_ms": round(float(a.max()), 1),
        "startup_s": round(startup, 1),
    }
    print(f"p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms over {len(lat)} briefs", file=sys.stderr)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
