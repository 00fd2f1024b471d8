"""Capture real API responses as the examples of ``/docs`` (``matcher/serve/examples.json``).

    python tools/docs_examples.py [--creators datasets/sample/creators.jsonl] [--n 400]
        [--brief-line 1] [--cache-dir .cache/test-embeddings] [--out FILE]

Indexes the first ``--n`` creators of the catalogue with the real model (no learned text model:
the index the integration tests build, see ``tests/conftest.py``), serves it in-process with a
throwaway database and key, and stores what the API answers to one brief of
``datasets/sample/briefs.jsonl`` (:func:`matcher.serve.examples.capture`). Run it again when a
response changes shape; ``tests/test_feedback.py`` says when.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "datasets" / "sample"


def sample_brief(line: int = 1) -> dict[str, Any]:
    """Line ``line`` (from 1) of the sample's briefs."""
    lines = (SAMPLE / "briefs.jsonl").read_text(encoding="utf-8").splitlines()
    return dict(json.loads(lines[line - 1]))


def capture_over(index: Path, brief: dict[str, Any], cache_dir: str | None) -> dict[str, Any]:
    """The examples captured from a served ``index`` (weighted or default ranker, as serve picks)."""
    from fastapi.testclient import TestClient

    from matcher.config import Settings
    from matcher.engine import Matcher
    from matcher.serve.app import create_app
    from matcher.serve.examples import capture
    from matcher.serve.store import Store

    matcher = Matcher.open(index, Settings(cache_dir=cache_dir))
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "examples.db") as store:
        store.create_workspace("acme")
        key = store.create_key("acme")
        with TestClient(create_app(matcher, store)) as http:
            return capture(http, {"Authorization": f"Bearer {key}"}, brief)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--creators", default=str(SAMPLE / "creators.jsonl"))
    p.add_argument("--n", type=int, default=400, help="creators indexed (the first N)")
    p.add_argument("--brief-line", type=int, default=1, help="brief of datasets/sample (from 1)")
    p.add_argument("--cache-dir", default=str(REPO / ".cache" / "test-embeddings"))
    p.add_argument("--out", help="file to write (default: matcher/serve/examples.json)")
    args = p.parse_args(argv)

    from matcher.encoder import build_encoder
    from matcher.index import build_and_save
    from matcher.io import read_creators
    from matcher.serve.examples import EXAMPLES_FILE, write_examples

    creators = read_creators(args.creators)[: args.n]
    with tempfile.TemporaryDirectory() as tmp:
        index = build_and_save(creators, build_encoder(cache_dir=args.cache_dir), Path(tmp) / "i")
        examples = capture_over(index, sample_brief(args.brief_line), args.cache_dir)
    out = Path(args.out) if args.out else EXAMPLES_FILE
    write_examples(examples, out)
    print(f"wrote {out} ({', '.join(examples)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
