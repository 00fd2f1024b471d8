"""The fast path: creators/s to searchable with ``--encoder static``, and how much of MiniLM's
niche ranking it keeps on the real TikTok bios.

1. ``matcher index --encoder static`` of the world catalogue (20,000 creators) as a whole
   process, wall clock: creators per second until the index answers briefs. The static model is
   distilled first (once per cache, outside the timing). Optionally (``--fill``) the
   ``matcher index --fill`` that follows, with the persistent embedding cache.
2. ``matcher eval --ranker weighted`` on the TikTok creators without their ``categories`` (the
   labels: each brief's niche), once per encoder: nDCG@10 of the matcher and of the plain
   embedding baseline, and the static encoder's share of MiniLM's.

Prints a JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world" / "creators.jsonl"
TIKTOK = ROOT.parent / "shared" / "data" / "real" / "tiktok_creators.jsonl"
MATCHER = [sys.executable, "-m", "matcher"]


def run(args: list[str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(MATCHER + args, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"matcher {' '.join(args)} failed:\n{p.stderr[-2000:]}")
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", default=str(WORLD))
    ap.add_argument("--fill", action="store_true", help="also time the --fill that follows")
    args = ap.parse_args()
    for p in (Path(args.creators), TIKTOK):
        if not p.exists():
            print(f"{p} not found", file=sys.stderr)
            return 1
    from matcher.encoder import build_encoder

    build_encoder("static").encode(["distil the static model outside the timing"])
    n = sum(1 for line in Path(args.creators).read_text(encoding="utf-8").splitlines() if line)
    out: dict[str, object] = {"bench": "fast_path", "creators": n}
    with tempfile.TemporaryDirectory() as tmp:
        idx = str(Path(tmp) / "idx")
        wall = run(["index", "--creators", args.creators, "--out", idx, "--encoder", "static",
                    "--quiet"])  # fmt: skip
        out.update(static_build_s=round(wall, 1), static_creators_per_s=round(n / wall))
        print(f"static build: {n} creators in {wall:.1f}s = {n / wall:.0f}/s", file=sys.stderr)
        if args.fill:
            wall = run(["index", "--fill", "--out", idx, "--quiet"])
            out.update(fill_s=round(wall, 1))
            print(f"fill: {wall:.1f}s", file=sys.stderr)
        labels, bios = Path(tmp) / "labels.csv", Path(tmp) / "bios.jsonl"
        subprocess.run([sys.executable, str(ROOT / "tools" / "tiktok_labels.py"), str(labels),
                        str(bios)], check=True, capture_output=True)  # fmt: skip
        ndcg: dict[str, dict[str, float]] = {}
        for enc in ("default", "static"):
            rep = Path(tmp) / f"eval-{enc}.json"
            run(["eval", "--creators", str(bios), "--briefs", str(ROOT / "datasets" / "tiktok"
                 / "briefs.jsonl"), "--labels", str(labels), "--encoder", enc, "--ranker",
                 "weighted", "--as-of", "2026-11-01", "--output", str(rep)])  # fmt: skip
            systems = json.loads(rep.read_text())["systems"]
            ndcg[enc] = {s: round(systems[s]["ndcg@10"], 4) for s in ("matcher", "embedding")}
        for s in ("matcher", "embedding"):
            share = ndcg["static"][s] / ndcg["default"][s]
            out[f"tiktok_{s}_ndcg10_minilm"] = ndcg["default"][s]
            out[f"tiktok_{s}_ndcg10_static"] = ndcg["static"][s]
            out[f"tiktok_{s}_static_share"] = round(share, 3)
            print(f"TikTok bios, {s}: nDCG@10 MiniLM {ndcg['default'][s]:.3f}, static "
                  f"{ndcg['static'][s]:.3f} ({share:.0%})", file=sys.stderr)  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
