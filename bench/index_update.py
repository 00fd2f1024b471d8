"""An incremental update (``matcher index --update/--remove``) against a full build, apart
from encoding.

Builds a synthetic index of ``--n`` creators, then updates ``--update`` creators (half new, half
existing ones with a new bio, so re-embedded) and removes ``--remove`` others, as the CLI does:
reading the JSONL and ids files, then :func:`matcher.update.update_index`. Each phase runs in its
own process, which reports its wall time and peak RSS (``ru_maxrss``), so the two are measured
apart. The update's time is broken down by stage.

Synthetic creators: the world creators resampled, each with one world creator's profile (bio,
categories, handle, audience) and another's posts, its own id and a jittered follower count.
Stand-in encoder: each text hashed onto one of the world index's real content vectors plus a
hashed jitter (``out/world-index/content.npy``, else the sample's ``out/sample-index`` that
``make demo`` writes; without either, 2,000 random topics, with a warning: random vectors are
spread evenly, so the IVF index probes nearly every list and every figure changes), so the IVF
index sees real-looking clusters and no model runs. :func:`standin_base` names the one used.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world" / "creators.jsonl"
#: the real content vectors the stand-in encoder hashes texts onto: the first that exists
BASES = {"world-index": ROOT / "out" / "world-index" / "content.npy",
         "sample-index": ROOT / "out" / "sample-index" / "content.npy"}  # fmt: skip


def standin_base() -> str:
    """Which vectors :class:`StandInEncoder` uses: a key of :data:`BASES`, or "random"."""
    return next((k for k, p in BASES.items() if p.is_file()), "random")


class StandInEncoder:
    """Texts hashed onto real content vectors plus a hashed jitter (no model)."""

    def __init__(self) -> None:
        base = standin_base()
        if base != "random":
            self.base = np.ascontiguousarray(np.load(BASES[base]), dtype=np.float32)
        else:
            print("stand-in encoder: no out/world-index or out/sample-index (make demo): random "
                  "vectors, which IVF cannot cluster", file=sys.stderr)  # fmt: skip
            c = np.random.default_rng(0).normal(size=(2000, 384)).astype(np.float32)
            self.base = c / np.linalg.norm(c, axis=1, keepdims=True)
        d = self.base.shape[1]
        rng = np.random.default_rng(1)
        self.noise = rng.normal(scale=0.4 / np.sqrt(d), size=(4096, d)).astype(np.float32)

    @property
    def dim(self) -> int:
        return int(self.base.shape[1])

    @property
    def fingerprint(self) -> str:
        return "bench-standin-v1"

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        h = np.array(
            [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
             for t in texts],
            dtype=np.uint64,
        )  # fmt: skip
        x = self.base[h % np.uint64(len(self.base))] + self.noise[(h >> np.uint64(32)) % 4096]
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def world() -> list:
    import warnings

    from matcher.io import read_creators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_creators(WORLD if WORLD.exists() else ROOT / "datasets/sample/creators.jsonl")


def synthetic(base: list, start: int, n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(base), n)
    b = rng.integers(0, len(base), n)
    jitter = np.exp(rng.normal(0, 0.3, n))
    out = []
    for i in range(n):
        p, q = base[a[i]], base[b[i]]
        out.append(dataclasses.replace(
            p, creator_id=f"s{start + i:07d}", posts=q.posts,
            followers=None if p.followers is None else max(1, int(p.followers * jitter[i])),
        ))  # fmt: skip
    return out


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def du_mb(d: Path) -> float:
    return round(sum(p.stat().st_size for p in d.rglob("*") if p.is_file()) / 2**20, 1)


def phase_build(args: argparse.Namespace) -> dict:
    from matcher.index import build_and_save

    t = time.perf_counter()
    creators = synthetic(world(), 0, args.n, seed=0)
    gen_s = time.perf_counter() - t
    rss_before = rss_now_mb()
    t = time.perf_counter()
    build_and_save(creators, StandInEncoder(), Path(args.dir) / "idx", index_type=args.index_type)
    return {"build_s": round(time.perf_counter() - t, 1), "generate_s": round(gen_s, 1),
            "rss_before_build_mb": rss_before, "build_peak_rss_mb": peak_rss_mb()}  # fmt: skip


def phase_grow(args: argparse.Namespace) -> dict:
    """Add ``--grow-by`` new creators from row ``--start`` with an update (building a larger
    index than a full build fits in memory and time here)."""
    import matcher.update as update

    creators = synthetic(world(), args.start, args.grow_by, seed=args.start)
    t = time.perf_counter()
    rep = update.update_index(Path(args.dir) / "idx", StandInEncoder(), creators=creators)
    return {"grow_s": round(time.perf_counter() - t, 1), "count": rep.count,
            "grow_peak_rss_mb": peak_rss_mb()}  # fmt: skip


def timed(stages: dict[str, float], module: object, name: str) -> None:
    """Wrap ``module.name`` to add its wall time to ``stages[name]``."""
    real = getattr(module, name)

    def wrapper(*a: object, **k: object) -> object:
        t = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - t

    setattr(module, name, wrapper)


def prepare_update(args: argparse.Namespace, d: Path) -> tuple[Path, Path]:
    from matcher.index import CreatorIndex
    from matcher.io import write_creators

    idx = CreatorIndex.load(d / "idx")
    rng = np.random.default_rng(7)
    n_new = args.update // 2
    picked = rng.choice(args.n, args.update - n_new + args.remove, replace=False)
    changed_rows, removed_rows = picked[: args.update - n_new], picked[args.update - n_new :]
    changed = [dataclasses.replace(c, bio=c.bio + " | now also sourdough and slow travel")
               for c in idx.catalogue.get_rows(changed_rows)]  # fmt: skip
    new = synthetic(world(), args.n, n_new, seed=3)
    write_creators(d / "update.jsonl", changed + new)
    ids = idx.catalogue.get_rows(removed_rows)
    (d / "remove.txt").write_text("".join(c.creator_id + "\n" for c in ids), encoding="utf-8")
    idx.catalogue.close()
    return d / "update.jsonl", d / "remove.txt"


def phase_update(args: argparse.Namespace) -> dict:
    import matcher.update as update
    from matcher.index import CreatorIndex
    from matcher.io import read_creators

    d = Path(args.dir)
    src, ids = prepare_update(args, d)
    stages: dict[str, float] = {}
    for name in ("plan_update", "fresh_vectors", "updated_lexical", "write_rows", "updated_ann"):
        timed(stages, update, name)
    import shutil

    from matcher.catalogue import CatalogueDB
    from matcher.pricing import PriceModel

    timed(stages, CreatorIndex, "load")  # the old index
    timed(stages, shutil, "copyfile")  # the catalogue
    timed(stages, CatalogueDB, "update")  # its SQL
    timed(stages, PriceModel, "fit")
    rss_before = rss_now_mb()
    t = time.perf_counter()
    creators = read_creators(src)
    removals = update.read_removals(ids)
    stages["read_files"] = time.perf_counter() - t
    rep = update.update_index(d / "idx", StandInEncoder(), creators=creators, removals=removals)
    dt = time.perf_counter() - t
    stages["other (manifest, swap, old directory removed)"] = dt - sum(stages.values())
    names = {"load": "load_old_index", "copyfile": "catalogue_copy", "update": "catalogue_sql",
             "fit": "price_fit"}  # fmt: skip
    stages = {names.get(k, k): v for k, v in stages.items()}
    t = time.perf_counter()
    idx = CreatorIndex.load(d / "idx")
    load_s = time.perf_counter() - t
    assert idx.manifest.count == rep.count == args.n + args.update // 2 - args.remove
    return {"update_s": round(dt, 2), "update_peak_rss_mb": peak_rss_mb(),
            "rss_before_update_mb": rss_before, "stages_s": {k: round(v, 2) for k, v in
            stages.items()}, "added": rep.added, "changed": rep.changed, "removed": rep.removed,
            "embedded": rep.embedded, "lexical": rep.lexical, "count": rep.count,
            "ann": idx.manifest.ann, "load_s": round(load_s, 2),
            "index_mb": du_mb(d / "idx")}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="creators in the index")
    ap.add_argument("--update", type=int, default=10_000, help="creators updated (half new)")
    ap.add_argument("--remove", type=int, default=1_000, help="creators removed")
    ap.add_argument("--index-type", default="auto", choices=["auto", "flat", "ivf", "hnsw"])
    ap.add_argument("--dir", help="working directory (default: a temporary one)")
    ap.add_argument(
        "--base-n",
        type=int,
        help="full build of this many creators, then grown "
        "to --n by updates of --grow-by new creators (default: a full build of --n)",
    )
    ap.add_argument("--grow-by", type=int, default=100_000)
    ap.add_argument("--phase", choices=["build", "grow", "update"], help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        phases = {"build": phase_build, "grow": phase_grow, "update": phase_update}
        print(json.dumps(phases[args.phase](args)))
        return 0
    return drive(args)


def run_phase(args: argparse.Namespace, tmp: str, phase: str, n: int, *extra: str) -> dict | None:
    cmd = [sys.executable, __file__, "--phase", phase, "--dir", tmp, "--n", str(n),
           "--update", str(args.update), "--remove", str(args.remove),
           "--index-type", args.index_type, "--grow-by", str(args.grow_by), *extra]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    got: dict = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{phase}: {json.dumps(got)}", file=sys.stderr)
    return got


def drive(args: argparse.Namespace) -> int:
    base = args.base_n or args.n
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        row: dict[str, object] = {"bench": "index_update", "n": args.n, "update": args.update,
                                  "remove": args.remove, "standin_base": standin_base()}  # fmt: skip
        built = run_phase(args, tmp, "build", base)
        if built is None:
            return 1
        row.update(built)
        if base < args.n:
            row["full_build_n"] = base
            grown = []
            for start in range(base, args.n, args.grow_by):
                step = min(args.grow_by, args.n - start)
                g = run_phase(args, tmp, "grow", start, "--start", str(start),
                              "--grow-by", str(step))  # fmt: skip
                if g is None:
                    return 1
                grown.append(g)
            row["grow"] = grown
        updated = run_phase(args, tmp, "update", args.n)
        if updated is None:
            return 1
        row.update(updated)
        if base == args.n:
            row["speedup"] = round(float(row["build_s"]) / float(row["update_s"]), 1)  # type: ignore[arg-type]
    print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
