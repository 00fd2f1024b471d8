"""`matcher match` as a user runs it: one whole process per brief, wall time from start to exit.

Each run gets a brief never encoded before (a unique suffix on the description), so the encoder
runs; the ONNX export of the model is made first if the cache has none (a one-off, reported
apart). Prints each run's wall time, then one JSON line with p50 / max.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", default=str(ROOT / "out" / "sample-index"))
    ap.add_argument("--briefs", default=str(ROOT / "datasets" / "sample" / "briefs.jsonl"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cache-dir", help="matcher's cache (default: matcher's default)")
    args = ap.parse_args()
    first = json.loads(Path(args.briefs).read_text(encoding="utf-8").splitlines()[0])
    cache = ["--cache-dir", args.cache_dir] if args.cache_dir else []
    walls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs + 1):
            brief = dict(first, description=f"{first['description']} ({uuid.uuid4().hex[:8]})")
            path = Path(tmp) / "brief.json"
            path.write_text(json.dumps(brief), encoding="utf-8")
            cmd = [sys.executable, "-m", "matcher", "match", "--index", args.index, "--brief",
                   str(path), "--format", "json", "--quiet", *cache]  # fmt: skip
            t = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            wall = time.perf_counter() - t
            if done.returncode != 0:
                raise SystemExit(f"matcher match failed: {done.stderr[-2000:]}")
            label = "warm-up (may export the ONNX model)" if i == 0 else f"run {i}"
            print(f"{label}: {wall:.2f} s", file=sys.stderr)
            if i:
                walls.append(wall)
    out = {"bench": "cli_latency", "runs": len(walls), "p50_s": round(statistics.median(walls), 2),
           "max_s": round(max(walls), 2), "index": args.index}  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
