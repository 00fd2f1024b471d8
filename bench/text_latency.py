"""Per-query cost of the learned text model on the world catalogue (20,000 creators), one thread.

For each of the 200 world briefs, after one warm-up: the time to encode what the text model reads
of the brief (query, sentences, wanted tone) with MiniLM, and the time to score every creator of
the index with it (numpy, over the adapted profile, voice and style vectors). Brief texts are
encoded with a fresh, empty embedding cache, so encoding is really done. Also the one-off cost
of adapting the index's vectors when the matcher opens. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=str(ROOT / "out" / "world-index"))
    ap.add_argument("--briefs", default=str(WORLD / "briefs.jsonl"))
    ap.add_argument("--model", default=None, help="model directory (default: the installed one)")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from matcher.encoder import build_encoder
    from matcher.index import CreatorIndex
    from matcher.io import read_briefs
    from matcher.learn.resolve import index_text_model
    from matcher.learn.text import AdaptedIndex, brief_vectors

    model = index_text_model(args.model)
    if model is None:
        print("no learned text model installed", file=sys.stderr)
        return 1
    if not (Path(args.index) / "manifest.json").exists():
        print(f"{args.index}: no index; build it first: matcher index --creators "
              f"{WORLD / 'creators.jsonl'} --out {args.index}", file=sys.stderr)  # fmt: skip
        return 2
    index = CreatorIndex.load(args.index)
    t = time.perf_counter()
    adapted = AdaptedIndex(model, index)
    adapt_s = time.perf_counter() - t
    briefs = read_briefs(args.briefs)
    with tempfile.TemporaryDirectory() as cache:
        enc = build_encoder("default", cache_dir=cache)
        enc.encode(["warm-up"])  # loads the model
        enc_ms, score_ms = [], []
        for b in briefs:
            t = time.perf_counter()
            bv = brief_vectors(b, enc)
            t1 = time.perf_counter()
            model.score(bv, adapted.profile, adapted.voice, adapted.known, adapted.style)
            t2 = time.perf_counter()
            enc_ms.append((t1 - t) * 1000)
            score_ms.append((t2 - t1) * 1000)
    e, s = np.array(enc_ms[1:]), np.array(score_ms[1:])
    out = {
        "bench": "text_latency",
        "creators": len(index),
        "briefs": len(e),
        "threads": 1,
        "encode_p50_ms": round(float(np.percentile(e, 50)), 1),
        "encode_p95_ms": round(float(np.percentile(e, 95)), 1),
        "score_p50_ms": round(float(np.percentile(s, 50)), 2),
        "score_p95_ms": round(float(np.percentile(s, 95)), 2),
        "adapt_index_s": round(adapt_s, 2),
    }
    print(f"text model over {len(index)} creators, one thread: encode p50 {out['encode_p50_ms']} ms, "
          f"score p50 {out['score_p50_ms']} ms; adapting the index on open {out['adapt_index_s']} s")  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
