"""The Python API as the README shows it: `from matcher import Matcher`, the same ranking as the
command line, and a shortlist as a pandas DataFrame."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLE


def test_import_matcher_is_cheap_and_names_resolve():
    code = (
        "import sys, matcher; heavy = [m for m in ('numpy', 'faiss', 'torch') if m in sys.modules]; "
        "from matcher import Matcher, Settings, Brief, read_briefs; print(heavy, Matcher.__name__)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == "[] Matcher", r.stderr
    import matcher

    with pytest.raises(AttributeError):
        _ = matcher.NoSuchThing


@pytest.mark.integration
def test_to_pandas_and_same_ranking_as_match(sample_index_dir, tmp_path):
    from matcher import Matcher, read_briefs

    brief = read_briefs(SAMPLE / "briefs.jsonl")[0]
    m = Matcher.open(sample_index_dir, ranker="auto")
    s = m.recommend(brief, k=10)
    df = s.to_pandas()
    assert list(df["creator_id"]) == [x.creator_id for x in s.matches]
    assert list(df["rank"]) == list(range(1, len(s.matches) + 1))
    assert {"niche", "tone", "audience", "tier", "conflict", "authenticity"} <= set(df.columns)
    assert df["score"].is_monotonic_decreasing
    path = tmp_path / "brief.json"
    path.write_text((SAMPLE / "briefs.jsonl").read_text().splitlines()[0], encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "matcher", "match", "--index", str(sample_index_dir), "--brief",
         str(path), "--k", "10", "--format", "json", "--quiet"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert [x["creator_id"] for x in json.loads(r.stdout)["matches"]] == list(df["creator_id"])


def test_lookalikes_and_plans_from_the_matcher(sample_index_dir):
    from matcher import Matcher, read_briefs
    from matcher.plan import plan
    from matcher.similar import similar

    m = Matcher.open(sample_index_dir, ranker="weighted")
    brief = read_briefs(SAMPLE / "briefs.jsonl")[0]
    seed = m.recommend(brief, k=1).matches[0].creator_id
    alike = m.similar([seed], k=5, tiers=("micro",))
    assert alike == similar(m, [seed], 5, tiers=("micro",)) and len(alike.matches) == 5
    assert seed not in [x.creator_id for x in alike.matches]
    p = m.plan(brief, budget=5_000.0, max_creators=4)
    assert p == plan(m, brief, 5_000.0, max_creators=4)
    assert 0 < p.total_cost <= 5_000 and len(p.creators) <= 4
