"""The approximate index chosen by size, at catalogue sizes up to 1M, apart from encoding.

Stand-in embeddings: the 20,000 real content vectors of the world index (``--base``), resampled
with replacement and jittered (Gaussian noise of norm about 0.4, renormalised), seeded; without
that index, unit vectors scattered around 2,000 random topics. For each size: ``ann.build`` with ``auto`` (flat below 100,000, else IVF-SQ8 with
nprobe calibrated to >= 0.99 candidate recall), build seconds, the calibrated nlist / nprobe /
recall, recall on 50 fresh queries, and search p50 / p95 for 3,000 candidates at one FAISS
thread, against exact search. One JSON line per size, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def vectors(n: int, base: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = base.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for s in range(0, n, 100_000):
        m = min(100_000, n - s)
        noise = rng.normal(scale=0.4 / np.sqrt(d), size=(m, d)).astype(np.float32)
        x = base[rng.integers(0, len(base), m)] + noise
        out[s : s + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def base_vectors(path: Path) -> np.ndarray:
    if path.is_file():
        return np.ascontiguousarray(np.load(path), dtype=np.float32)
    rng = np.random.default_rng(0)
    c = rng.normal(size=(2000, 384)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="20000,200000,1000000")
    ap.add_argument("--candidates", type=int, default=3000)
    ap.add_argument("--base", default=str(ROOT / "out" / "world-index" / "content.npy"))
    args = ap.parse_args()
    import faiss

    from matcher import ann

    faiss.omp_set_num_threads(2)
    base = base_vectors(Path(args.base))
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        x = vectors(n, base, seed=n)
        t = time.perf_counter()
        index, info = ann.build(x, "auto", candidates=args.candidates)
        build_s = time.perf_counter() - t
        q = vectors(50, base, seed=n + 1)
        exact = faiss.IndexFlatIP(x.shape[1])
        exact.add(x)
        _, truth = exact.search(q, args.candidates)
        faiss.omp_set_num_threads(1)
        lat, found = [], []
        for i in range(len(q)):
            params = ann.search_params(index, args.candidates, info)
            t = time.perf_counter()
            _, got = index.search(q[i : i + 1], args.candidates, params=params)
            lat.append((time.perf_counter() - t) * 1000)
            found.append(got[0])
        t = time.perf_counter()
        for i in range(10):
            exact.search(q[i : i + 1], args.candidates)
        exact_ms = (time.perf_counter() - t) * 100
        faiss.omp_set_num_threads(2)
        recall = float(
            np.mean([len(set(a) & set(b)) / len(a) for a, b in zip(truth, found, strict=True)])
        )
        row = {"n": n, "type": info["type"] if info else "flat", "build_s": round(build_s, 1),
               "nlist": (info or {}).get("nlist"), "nprobe": (info or {}).get("nprobe"),
               "calibrated_recall": (info or {}).get("recall"), "fresh_recall": round(recall, 4),
               "search_p50_ms": round(float(np.percentile(lat, 50)), 2),
               "search_p95_ms": round(float(np.percentile(lat, 95)), 2),
               "exact_ms": round(exact_ms, 1)}  # fmt: skip
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
        del x, index, exact
    print(json.dumps({"bench": "ann_scale", "candidates": args.candidates, "sizes": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
