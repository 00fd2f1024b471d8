"""Catalogue size against build, disk, memory, load time and per-brief latency, apart from encoding.

For each size (``--sizes``, default 20,000 and 100,000; 1,000,000 takes about 15 minutes and
4 GB of disk for its file here): a synthetic catalogue and stand-in encoder as in
``bench/index_update.py`` (world creators resampled, texts hashed onto real MiniLM content
vectors, no model runs; ``standin_base`` in the output names the vectors: build
``out/world-index`` first for figures comparable with README's) written to a JSON Lines file by
one process, indexed from it by another as ``matcher index --creators`` does
(:func:`matcher.io.stream_creators` checks the file whole, then
:func:`matcher.index.build_and_save` reads it again a chunk at a time; wall time with the
check's share, peak RSS, size on disk), then loaded in a third process, which reports load time,
RSS after load, ``recommend`` p50 / p95 for k=20 at one FAISS thread over ``--briefs`` varied
briefs (the world briefs, each with a numbered suffix so none repeats; their encoding is the
stand-in's, so it is apart) and RSS after them, with the index's candidate recall from its
manifest. The weighted ranker ranks: the default learned ranker needs an index adapted for its
text model, which this synthetic build is not.
One JSON line per size, then one summary line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT.parent / "shared" / "data" / "world" / "briefs.jsonl"
sys.path.insert(0, str(Path(__file__).parent))
from index_update import (  # noqa: E402
    StandInEncoder,
    du_mb,
    peak_rss_mb,
    rss_now_mb,
    standin_base,
    synthetic,
    world,
)


def phase_write(n: int, path: Path) -> dict:
    from matcher.io import creator_to_dict

    t = time.perf_counter()
    with path.open("w", encoding="utf-8") as f:
        for c in synthetic(world(), 0, n, seed=0):
            f.write(json.dumps(creator_to_dict(c), ensure_ascii=False) + "\n")
    return {"write_s": round(time.perf_counter() - t, 1),
            "file_mb": round(path.stat().st_size / 2**20, 1)}  # fmt: skip


def phase_build(path: Path, out: Path) -> dict:
    """What ``matcher index --creators FILE`` does, with the stand-in encoder: the file checked
    whole, then read again a chunk at a time into the index."""
    from matcher.index import build_and_save
    from matcher.io import stream_creators

    t = time.perf_counter()
    count, creators = stream_creators(path)
    check_s = time.perf_counter() - t
    build_and_save(creators, StandInEncoder(), out, count=count)
    return {"build_s": round(time.perf_counter() - t, 1), "check_s": round(check_s, 1),
            "build_peak_rss_mb": peak_rss_mb(), "disk_mb": du_mb(out)}  # fmt: skip


def phase_query(out: Path, n_briefs: int) -> dict:
    import faiss

    from matcher.config import Settings
    from matcher.engine import Matcher
    from matcher.index import CreatorIndex
    from matcher.io import read_briefs

    faiss.omp_set_num_threads(1)
    t = time.perf_counter()
    index = CreatorIndex.load(out)
    m = Matcher(index, StandInEncoder(), Settings())
    load_s = time.perf_counter() - t
    rss_load = rss_now_mb()
    base = read_briefs(BRIEFS if BRIEFS.exists() else ROOT / "datasets/sample/briefs.jsonl")
    briefs = [dataclasses.replace(base[i % len(base)], brief_id=f"b{i}",
                                  description=f"{base[i % len(base)].description} ({i})")
              for i in range(n_briefs)]  # fmt: skip
    m.recommend(briefs[0], 20)  # warm-up
    ms = []
    for b in briefs[1:]:
        t = time.perf_counter()
        m.recommend(b, 20)
        ms.append((time.perf_counter() - t) * 1000)
    ann = index.manifest.ann or {}
    return {"load_s": round(load_s, 2), "rss_after_load_mb": rss_load,
            "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1), "briefs": len(ms),
            "rss_after_briefs_mb": rss_now_mb(), "index_type": index.manifest.index_type,
            "candidate_recall": ann.get("recall", 1.0)}  # fmt: skip


def run(phase: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--phase", phase, *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--briefs", type=int, default=300, help="briefs timed per size")
    ap.add_argument("--dir", help="working directory (default: a temporary one)")
    ap.add_argument("--phase", choices=["write", "build", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--creators", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "write":
        print(json.dumps(phase_write(args.n, Path(args.creators))))
        return 0
    if args.phase == "build":
        print(json.dumps(phase_build(Path(args.creators), Path(args.out))))
        return 0
    if args.phase == "query":
        print(json.dumps(phase_query(Path(args.out), args.briefs)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            out, path = Path(tmp) / f"idx-{n}", Path(tmp) / f"creators-{n}.jsonl"
            row = {"bench": "scale", "n": n, "standin_base": standin_base(),
                   **run("write", "--n", str(n), "--creators", str(path))}  # fmt: skip
            row.update(run("build", "--creators", str(path), "--out", str(out)))
            path.unlink()
            row.update(run("query", "--out", str(out), "--briefs", str(args.briefs)))
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(json.dumps({"bench": "scale", "sizes": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
