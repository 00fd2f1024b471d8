"""Labels for the real-data check: relevance 1 for every TikTok creator of the brief's niche.

The creators are read from ../shared/data/real/tiktok_creators.jsonl (not copied into this
repository); their niche is the hashtag they were found under (`categories`, a noisy label).
Usage: python tools/tiktok_labels.py OUT.csv [BIO_ONLY.jsonl]

With a second path it also writes the creators without `categories`: since the categories are
the labels here, the bio-only copy measures what the text alone retrieves.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "datasets" / "tiktok" / "briefs.jsonl"
CREATORS = ROOT.parent / "shared" / "data" / "real" / "tiktok_creators.jsonl"


def main(out: str, bio_only: str | None = None) -> int:
    briefs = [json.loads(line) for line in BRIEFS.read_text().splitlines() if line]
    niche_of = {b["brief_id"]: b["brief_id"].removeprefix("tt-") for b in briefs}
    rows = []
    with open(CREATORS, encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            for bid, niche in niche_of.items():
                if niche in (c.get("categories") or []):
                    rows.append((bid, c["creator_id"], 1))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["brief_id", "creator_id", "relevance"])
        w.writerows(rows)
    print(f"{len(rows)} labels written to {out}", file=sys.stderr)
    if bio_only:
        with open(CREATORS, encoding="utf-8") as f, open(bio_only, "w", encoding="utf-8") as g:
            for line in f:
                c = json.loads(line)
                c.pop("categories", None)
                g.write(json.dumps(c, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:] or ["out/tiktok-labels.csv"]
    sys.exit(main(args[0], args[1] if len(args) > 1 else None))
