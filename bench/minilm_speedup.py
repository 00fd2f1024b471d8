"""MiniLM indexing speed against an earlier commit (issue 10: "MiniLM path >= 1.2x the
creators/s at main's HEAD with identical vectors, same machine, same run").

Checks out ``--base`` (default 5c7ef59, main's HEAD before the issue's work) into a temporary
git worktree and indexes the first ``--n`` creators of ``--creators`` (default: the world's)
with it and with this checkout, alternately, ``--rounds`` times, each with an empty embedding cache (this checkout's cache gets
the ONNX export from the user cache, as on any machine that has run matcher once: the export is
made once, not per catalogue). Both run MiniLM (``--model none``: no learned text model; this
checkout with exact float32 search, as the base has). Reports whole-process wall seconds, the
creators/s they give, the speed-up, and the smallest cosine between the two indexes' content and
voice vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world" / "creators.jsonl"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t


def min_cosine(a_dir: Path, b_dir: Path) -> dict[str, float]:
    out = {}
    for name in ("content.npy", "voice.npy"):
        a = np.load(a_dir / name).astype(np.float64)
        b = np.load(b_dir / name).astype(np.float64)
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        if not np.array_equal(na > 0, nb > 0):
            raise SystemExit(f"{name}: the two indexes give vectors to different creators")
        k = na > 0
        out[name] = float(((a[k] * b[k]).sum(1) / (na[k] * nb[k])).min())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", default="5c7ef59")
    ap.add_argument("--creators", default=str(WORLD), help="JSON Lines (default: the world's)")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    onnx = Path(os.environ.get("MATCHER_CACHE", Path.home() / ".cache" / "matcher")) / "onnx"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base),
                        args.base], check=True)  # fmt: skip
        try:
            creators = tmp / "creators.jsonl"
            with open(args.creators) as f, open(creators, "w") as out:
                out.writelines(line for _, line in zip(range(args.n), f, strict=False))
            runs: dict[str, list[float]] = {"base": [], "head": []}
            for r in range(args.rounds):
                for who, path in (("base", base), ("head", ROOT)):
                    cache = tmp / f"cache-{who}-{r}"
                    cache.mkdir()
                    if who == "head" and onnx.is_dir():
                        shutil.copytree(onnx, cache / "onnx")
                    env = {**os.environ, "MATCHER_CACHE": str(cache), "PYTHONPATH": str(path)}
                    cmd = [sys.executable, "-m", "matcher", "index", "--creators", str(creators),
                           "--out", str(tmp / f"idx-{who}-{r}"), "--model", "none", "--quiet"]  # fmt: skip
                    if who == "head":
                        cmd += [
                            "--encoder",
                            "default",
                            "--index-type",
                            "flat",
                            "--vectors",
                            "float32",
                        ]
                    runs[who].append(timed(cmd, env))
            cos = min_cosine(tmp / "idx-base-0", tmp / "idx-head-0")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           check=False)  # fmt: skip
    best = {k: min(v) for k, v in runs.items()}
    print(json.dumps({"bench": "minilm_speedup", "base": args.base, "creators": args.n,
                      "wall_s": runs, "creators_per_s": {k: round(args.n / v, 1)
                                                         for k, v in best.items()},
                      "speedup": round(best["base"] / best["head"], 3),
                      "min_cosine": {k: round(v, 8) for k, v in cos.items()}}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
