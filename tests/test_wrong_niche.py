"""The wrong-niche check on the whole bundled sample with the installed default ranker (real
model, real FAISS, real SQLite): no top-10 creator outside the brief's niche, no brief padded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from serving import CACHE, REPO, run_matcher

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wrong-niche") / "index"
    run_matcher("index", "--creators", str(REPO / "datasets" / "sample" / "creators.jsonl"),
                "--out", str(out), "--cache-dir", CACHE, "--quiet")  # fmt: skip
    return out


def test_no_off_niche_creator_in_the_sample_top_10s(sample_index: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "wrong_niche.py"), "--index", str(sample_index),
         "--truth", "sample"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ranker"] == "learned"  # the installed default, not a fallback
    assert result["off_niche"] == 0, run.stdout
    returned = {line.split()[0]: int(line.split()[2]) for line in run.stdout.splitlines()[:-1]}
    # every niche the sample has fills its top 10; music, which it lacks, returns nobody
    assert returned.pop("wn-music") == 0
    assert set(returned.values()) == {10}, returned
