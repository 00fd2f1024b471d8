"""One brief, three front doors: the Python API, the CLI and the HTTP API rank it the same.

Each resolves the ranker the same way (``Matcher.open(..., ranker="auto")``): with the installed
default model on a catalogue like the one it was trained on, that is the learned ranker.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from serving import CACHE, REPO, run_matcher, running_server

from matcher.config import Settings
from matcher.engine import Matcher
from matcher.io import read_briefs
from matcher.learn.resolve import default_model_dir

pytestmark = pytest.mark.integration

BRIEFS = REPO / "datasets" / "sample" / "briefs.jsonl"


def _ranking(shortlist: dict) -> tuple[list[tuple[str, int, float]], list[str]]:
    matches = [(m["creator_id"], m["rank"], m["score"]) for m in shortlist["matches"]]
    return matches, [e["creator_id"] for e in shortlist["excluded"]]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("same")
    creators = tmp / "creators.jsonl"  # 600 sample creators: every brief's niche is there
    lines = (REPO / "datasets" / "sample" / "creators.jsonl").read_text().splitlines()[:600]
    creators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_matcher("index", "--creators", str(creators), "--out", str(tmp / "index"),
                "--cache-dir", CACHE, "--quiet")  # fmt: skip
    return tmp / "index"


def test_python_cli_and_http_rank_a_brief_the_same(index: Path, tmp_path: Path) -> None:
    if default_model_dir() is None:
        pytest.skip("no default learned ranker installed")
    briefs = read_briefs(BRIEFS)[:3]
    m = Matcher.open(index, Settings(cache_dir=CACHE))
    assert m.ranker.name == "learned", m.ranker_note  # the installed default, resolved
    python = [_ranking(m.recommend(b).to_dict()) for b in briefs]

    brief_file = tmp_path / "briefs.jsonl"
    brief_file.write_text("".join(line + "\n" for line in BRIEFS.read_text().splitlines()[:3]))
    out = run_matcher("match", "--index", str(index), "--brief", str(brief_file),
                      "--format", "json", "--cache-dir", CACHE).stdout  # fmt: skip
    cli = [_ranking(json.loads(line)) for line in out.splitlines()]

    key = run_matcher("keys", "create", "--workspace", "same", "--index", str(index))
    key = key.stdout.strip().splitlines()[-1]
    raw = [json.loads(line) for line in BRIEFS.read_text().splitlines()[:3]]
    with running_server(index, tmp_path / "server.log") as base:
        health = httpx.get(f"{base}/healthz").json()
        http = []
        for body in raw:
            r = httpx.post(f"{base}/v1/match", json=body, timeout=120,
                           headers={"Authorization": f"Bearer {key}"})  # fmt: skip
            assert r.status_code == 200, r.text
            assert r.json()["ranker"] == "learned"
            http.append(_ranking(r.json()))
    assert health["ranker"] == "learned"
    assert all(matches for matches, _ in python)
    assert python == cli == http


def test_a_served_matcher_uses_one_thread_per_query(index: Path) -> None:
    """Each server worker answers one brief at a time: more threads per query only fight over
    the cores with the other workers."""
    from matcher.serve.app import open_for_serving

    if default_model_dir() is None:
        pytest.skip("no default learned ranker installed")
    m = open_for_serving(str(index), Settings(cache_dir=CACHE), "learned")
    assert m.ranker.name == "learned" and m.ranker.n_jobs == 1  # type: ignore[attr-defined]
    # warmed up before its first request: the TreeSHAP tables (built on a second call) exist
    assert m.ranker.treeshap_.tabulated  # type: ignore[attr-defined]
