"""Indexing throughput on the world catalogue: cold (empty embedding cache) and warm.

Cold runs on the first --cold-n creators with a fresh, temporary cache (embedding dominates and
scales linearly), once with sentence-transformers and once with the ONNX export (speed-up and the
smallest cosine between the two indexes' content vectors). Warm runs on all creators with the
persistent cache, filling it first if needed.
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
    ap.add_argument("--cold-only", action="store_true", help="skip the warm runs")
    args = ap.parse_args()
    if not Path(args.creators).exists():
        print(f"{args.creators} not found", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    import numpy as np

    from matcher.config import default_cache_dir
    from matcher.encoder import (
        CachedEncoder,
        EmbeddingCache,
        SentenceTransformerEncoder,
        build_encoder,
    )
    from matcher.index import build_and_save
    from matcher.io import read_creators

    creators = read_creators(args.creators)
    t_read = time.perf_counter() - t0
    print(f"read {len(creators)} creators in {t_read:.1f}s", file=sys.stderr)
    out: dict[str, object] = {"bench": "index_throughput", "creators": len(creators)}
    with tempfile.TemporaryDirectory() as tmp:
        sub = creators[: args.cold_n]
        content = {}
        for backend in ("sentence-transformers", "onnx"):
            # a fresh embedding cache: every text goes through the model
            onnx_dir = default_cache_dir() / "onnx" if backend == "onnx" else None
            if onnx_dir is not None and not any(onnx_dir.glob("*.onnx")):
                SentenceTransformerEncoder("default", onnx_dir=onnx_dir).encode(["export"])
            model = SentenceTransformerEncoder("default", onnx_dir=onnx_dir)
            enc = CachedEncoder(model, EmbeddingCache(Path(tmp) / backend / "emb.sqlite"))
            enc.encode(["load the model outside the timing"])
            assert model.backend == backend, model.backend
            t = time.perf_counter()
            build_and_save(sub, enc, Path(tmp) / f"cold-{backend}")
            dt = time.perf_counter() - t
            content[backend] = np.load(Path(tmp) / f"cold-{backend}" / "content.npy")
            key = "cold" if backend == "sentence-transformers" else "cold_onnx"
            out.update({f"{key}_n": len(sub), f"{key}_s": round(dt, 1),
                        f"{key}_creators_per_s": round(len(sub) / dt, 1)})  # fmt: skip
            print(f"cold ({backend}): {len(sub)} creators in {dt:.1f}s = {len(sub) / dt:.1f}/s",
                  file=sys.stderr)  # fmt: skip
        cos = np.sum(content["onnx"] * content["sentence-transformers"], axis=1)
        out["onnx_speedup"] = round(out["cold_s"] / out["cold_onnx_s"], 2)  # type: ignore[operator]
        out["onnx_min_cosine"] = round(float(cos.min()), 7)
        print(f"ONNX {out['onnx_speedup']}x, content vectors agree to cosine >= {cos.min():.7f}",
              file=sys.stderr)  # fmt: skip
        if args.cold_only:
            print(json.dumps(out))
            return 0

        enc = build_encoder("default", cache_dir=args.cache_dir)
        enc.encode(["load the model outside the timing"])
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
