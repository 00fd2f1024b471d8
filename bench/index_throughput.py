"""Indexing throughput on the world catalogue: cold (empty embedding cache) and warm.

Cold runs on the first --cold-n creators with a fresh, temporary cache (embedding dominates and
scales linearly). Warm runs on all creators with the persistent cache, filling it first if needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world" / "creators.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", default=str(WORLD))
    ap.add_argument("--cold-n", type=int, default=2000)
    ap.add_argument("--cache-dir", default=None, help="warm cache (default: the user cache)")
    args = ap.parse_args()
    if not Path(args.creators).exists():
        print(f"{args.creators} not found", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    from matcher.encoder import build_encoder
    from matcher.index import build_and_save
    from matcher.io import read_creators

    creators = read_creators(args.creators)
    t_read = time.perf_counter() - t0
    print(f"read {len(creators)} creators in {t_read:.1f}s", file=sys.stderr)
    out: dict[str, object] = {"bench": "index_throughput", "creators": len(creators)}
    with tempfile.TemporaryDirectory() as tmp:
        enc = build_encoder("default", cache_dir=Path(tmp) / "cache")
        _ = enc.dim  # load the model outside the timing
        sub = creators[: args.cold_n]
        t = time.perf_counter()
        build_and_save(sub, enc, Path(tmp) / "cold-index")
        dt = time.perf_counter() - t
        out.update(
            cold_n=len(sub), cold_s=round(dt, 1), cold_creators_per_s=round(len(sub) / dt, 1)
        )
        print(f"cold: {len(sub)} creators in {dt:.1f}s = {len(sub) / dt:.1f}/s", file=sys.stderr)

        enc = build_encoder("default", cache_dir=args.cache_dir)
        _ = enc.dim
        t = time.perf_counter()
        build_and_save(creators, enc, Path(tmp) / "fill-index")
        fill = time.perf_counter() - t
        enc.hits = enc.misses = 0
        t = time.perf_counter()
        build_and_save(creators, enc, Path(tmp) / "warm-index")
        dt = time.perf_counter() - t
        out.update(
            first_pass_s=round(fill, 1),
            warm_s=round(dt, 1),
            warm_creators_per_s=round(len(creators) / dt, 1),
            warm_cache_misses=enc.misses,
            read_s=round(t_read, 1),
            cpus=os.cpu_count(),
        )
        print(
            f"warm: {len(creators)} creators in {dt:.1f}s = {len(creators) / dt:.1f}/s "
            f"(cache misses {enc.misses})",
            file=sys.stderr,
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
