"""Indexing throughput of ``matcher index --backend ray`` against the local backend, cold cache.

The first --n sample creators are indexed with an empty embedding cache (the model's ONNX export
is kept: it is the model, not cached vectors): once with the local backend (the default CLI
path), then on a local Ray instance (--cpus CPUs) with each actor count of --actors, as the CLI
does it (all texts prefetched in one Ray Data job, then the index built from the cache). For Ray
it reports the wall time of the whole build (Ray start apart), the job's fixed cost (a job of a
few texts: actor pool start and model load) and the marginal rate beyond it, which is what
scales with the number of actors across nodes. The runs are interleaved over --rounds rounds
and medians reported (the machine may be shared). Needs ``pip install 'matcher[distributed]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "sample" / "creators.jsonl"


def model_dir(tmp: Path, name: str) -> Path:
    """A cache directory for one run: no vectors, the ONNX export shared."""
    d = tmp / name
    d.mkdir()
    (d / "onnx").symlink_to(tmp / "onnx", target_is_directory=True)
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", default=str(SAMPLE))
    ap.add_argument("--n", type=int, default=500, help="creators indexed per run")
    ap.add_argument("--actors", default="1,2", help="actor counts to run, comma-separated")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance")
    ap.add_argument("--batch-size", type=int, default=256, help="texts per Ray batch")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (medians reported)")
    args = ap.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")

    from matcher.config import default_cache_dir
    from matcher.distributed import build_ray_encoder, import_ray
    from matcher.encoder import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder
    from matcher.index import build_and_save, profile_text, voice_text
    from matcher.io import read_creators

    ray = import_ray()
    creators = read_creators(args.creators)[: args.n]
    texts = [t for c in creators for t in (profile_text(c), voice_text(c)) if t]
    actor_counts = [int(a) for a in args.actors.split(",")]
    n = len(creators)
    out: dict[str, object] = {
        "bench": "ray_throughput",
        "creators": n,
        "texts": len(texts),
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "ray": ray.__version__,
        "load_avg_1m_start": round(os.getloadavg()[0], 2),
    }
    runs: dict[str, list[tuple[float, float, float]]] = {}  # name: (wall, job fixed, embed)

    def local_run(tmp: Path, name: str) -> None:
        model = SentenceTransformerEncoder("default", onnx_dir=tmp / "onnx")
        enc = CachedEncoder(model, EmbeddingCache(model_dir(tmp, name) / "embeddings.sqlite"))
        enc.load()
        t = time.perf_counter()
        build_and_save(creators, enc, tmp / f"idx-{name}")
        dt = time.perf_counter() - t
        out["local_backend"] = model.backend
        runs.setdefault("local", []).append((dt, 0.0, dt))
        print(f"local ({model.backend}): {n} creators in {dt:.1f}s = {n / dt:.1f}/s",
              file=sys.stderr)  # fmt: skip

    def ray_run(tmp: Path, name: str, actors: int) -> None:
        with build_ray_encoder(
            cache_dir=model_dir(tmp, name), actors=actors, ray_batch_size=args.batch_size
        ) as enc:
            _, cpus, threads = enc.pool()
            t = time.perf_counter()
            enc.prefetch([f"start {i}" for i in range(2 * actors)])  # the job's fixed cost
            fixed = time.perf_counter() - t
            t = time.perf_counter()
            enc.prefetch(texts)  # as the CLI: every text in one job
            embed = time.perf_counter() - t
            build_and_save(creators, enc, tmp / f"idx-{name}")
            wall = time.perf_counter() - t
        out[f"ray{actors}_threads_per_actor"] = threads
        runs.setdefault(f"ray{actors}", []).append((wall, fixed, embed))
        print(f"ray, {actors} actor(s) x {cpus:g} CPU ({threads} thread(s)): {n} creators in "
              f"{wall:.1f}s = {n / wall:.1f}/s; job fixed cost {fixed:.1f}s, beyond it "
              f"{n / max(embed - fixed, 1e-9):.1f} creators/s", file=sys.stderr)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        onnx = default_cache_dir() / "onnx"
        if any(onnx.glob("*.onnx")):
            shutil.copytree(onnx, tmp / "onnx")
        else:  # export once, outside the timings
            SentenceTransformerEncoder("default", onnx_dir=tmp / "onnx").load()
        t = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level="warning")
        out["ray_start_s"] = round(time.perf_counter() - t, 1)
        try:
            for r in range(args.rounds):  # interleaved: the machine's other load hits all alike
                local_run(tmp, f"local-{r}")
                for actors in actor_counts:
                    ray_run(tmp, f"ray{actors}-{r}", actors)
        finally:
            ray.shutdown()
    for name, rs in runs.items():
        wall = statistics.median(w for w, _, _ in rs)
        out[f"{name}_s"] = round(wall, 1)
        out[f"{name}_creators_per_s"] = round(n / wall, 1)
        out[f"{name}_creators_per_s_all"] = [round(n / w, 1) for w, _, _ in rs]
        if name != "local":
            out[f"{name}_job_fixed_s"] = round(statistics.median(f for _, f, _ in rs), 1)
            marginal = statistics.median(n / max(e - f, 1e-9) for _, f, e in rs)
            out[f"{name}_marginal_creators_per_s"] = round(marginal, 1)
    out["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
