"""Valid but likely wrong input is named (file, line, field) and never reinterpreted; --strict
makes it an error; and what `validate` accepts, `index` accepts (one validation path)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeEncoder, write_jsonl

from matcher.errors import ValidationError
from matcher.index import build_and_save
from matcher.io import read_briefs, read_creators, validate_file
from matcher.io.values import PlausibilityWarning

ROOT = Path(__file__).resolve().parents[1]


def creators_file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_jsonl(tmp_path / "creators.jsonl", rows)


def test_engagement_rate_above_one_is_warned_with_line_and_fix_and_kept(tmp_path):
    path = creators_file(
        tmp_path,
        [
            {"creator_id": "a", "bio": "runner", "engagement_rate": 0.05},
            {"creator_id": "b", "bio": "baker", "engagement_rate": 5.4},
            {"creator_id": "c", "bio": "coder", "engagement_rate": 7},
        ],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        creators = read_creators(path)
    got = [str(w.message) for w in caught if w.category is PlausibilityWarning]
    assert got == [
        f"{path}: line 2: engagement_rate 5.4 is above 1 (540%), but it is a fraction "
        "(0.054 = 5.4%): if 5.4 means 5.4%, write 0.054 (1 more like it); "
        "--strict makes this an error"
    ]
    assert [c.engagement_rate for c in creators] == [0.05, 5.4, 7]  # kept as written
    with pytest.raises(ValidationError) as e:
        read_creators(path, strict=True)
    assert [(p.line, p.field) for p in e.value.problems] == [
        (2, "engagement_rate"),
        (3, "engagement_rate"),
    ]
    assert "write 0.07" in e.value.problems[1].message


@pytest.mark.parametrize(
    ("audience", "says"),
    [
        ({"age": {"18-24": 60, "25-34": 40}}, "look like percentages: write fractions (e.g. 18-24: 60 -> 0.6)"),
        ({"gender": {"female": 70, "male": 30}}, "(e.g. female: 70 -> 0.7)"),
        ({"countries": {"US": 55, "GB": 20}}, "(e.g. US: 55 -> 0.55)"),
    ],
)  # fmt: skip
def test_audience_shares_given_as_percentages_are_refused_with_the_fix(tmp_path, audience, says):
    path = creators_file(tmp_path, [{"creator_id": "a", "bio": "x", "audience": audience}])
    (problem,) = validate_file(path)
    assert problem.line == 1 and problem.field.startswith("audience.")
    assert says in problem.message


def test_brief_audience_percentages_say_the_same(tmp_path):
    path = write_jsonl(
        tmp_path / "briefs.jsonl",
        [
            {
                "brief_id": "b",
                "brand": "x",
                "description": "y",
                "audience": {"gender": {"female": 100}},
            }
        ],
    )
    with pytest.raises(ValidationError, match=r"look like percentages.*female: 100 -> 1"):
        read_briefs(path)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matcher", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_warns_in_one_line_and_strict_refuses_before_writing(tmp_path):
    path = creators_file(tmp_path, [{"creator_id": "a", "bio": "x", "engagement_rate": 12.5}])
    r = run("validate", str(path))
    assert r.returncode == 0, r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"matcher validate: warning: {path}: line 1: engagement_rate 12.5")
    r = run("validate", "--strict", str(path))
    assert r.returncode == 2
    assert f"{path}:1: field 'engagement_rate'" in r.stderr and "write 0.125" in r.stderr
    out = tmp_path / "idx"
    r = run("index", "--strict", "--creators", str(path), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["creators.jsonl"]


# records at the edges of what FORMATS.md allows; each must either be refused by `validate` or
# go through `index` (never: accepted, then a crash in SQLite, FAISS or JSON)
EDGES: list[dict[str, Any]] = [
    {"followers": 10**10},
    {"followers": 10**10 + 1},
    {"followers": 10**30},
    {"followers": 2**63},
    {"posts": [{"text": "t", "likes": 2**63 - 1}]},
    {"posts": [{"text": "t", "likes": 2**63}]},
    {"price_per_post": 1e308},
    {"price_per_post": 1e309},
    {"engagement_rate": 1e300},
    {"bio": "lone surrogate \ud800 in a bio"},
    {"creator_id": "edge\udfff"},
    {"posts": [{"text": "post \ud83d text"}]},
    {"posts": [{"text": "t", "brands": ["brand\ud800"]}]},
    {"audience": {"countries": {"U\ud800": 0.5}}},
    {"categories": ["ok", "bad \udc00"]},
    {"bio": "nul \x00 byte"},
    {"handle": "@" + "x" * 10_000},
    {"posts": [{"text": "t", "posted_at": "0001-01-01"}]},
    {"posts": [{"text": "t", "posted_at": "9999-12-31T23:59:59+14:00"}]},
    {"audience": {"countries": {"US": 1.02}}},
    {"audience": {"age": {"18-24": 0.99, "25-34": 0.0}}},
    {"categories": ["x" * 5000] * 50},
    {"currency": "usd"},
    {"platform": "TikTok"},
]


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: json.dumps(e, ensure_ascii=True)[:40])
def test_what_validate_accepts_index_accepts(tmp_path, edge):
    row = {"creator_id": "edge", "bio": "a creator", **edge}
    text = json.dumps({"creator_id": "plain", "bio": "another"}) + "\n" + json.dumps(row) + "\n"
    path = tmp_path / "creators.jsonl"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = validate_file(path)
    if problems:
        assert all(p.line == 2 and p.field for p in problems), problems
        with pytest.raises(ValidationError):
            read_creators(path)
        return
    out = build_and_save(read_creators(path), FakeEncoder(), tmp_path / "idx")
    from matcher.index import CreatorIndex

    idx = CreatorIndex.load(out)
    got = idx.catalogue.get_rows([1])[0]
    assert got.creator_id == "edge"
    idx.catalogue.close()
