"""evaluate_systems and the report: the JSON of FORMATS.md, per-brief CSV, plots."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.evaluation import evaluate_systems, per_brief_csv
from matcher.report import write_report
from matcher.schema import Brief, Label

IDS = [f"c{i}" for i in range(30)]
BRIEFS = [Brief(brand="A", description="x", brief_id=f"b{j}") for j in range(4)]
# c0..c2 relevant for every brief (grades 3, 2, 1); b3 has no relevant creator
LABELS = [Label(b.brief_id, f"c{i}", 3 - i) for b in BRIEFS[:3] for i in range(3)] + [
    Label("b3", "c5", 0)
]


def perfect(brief):
    return -np.arange(len(IDS), dtype=float)


def reversed_(brief):
    return np.arange(len(IDS), dtype=float)


def test_result_json_has_the_contract_keys():
    res = evaluate_systems({"matcher": perfect, "random": reversed_}, BRIEFS, LABELS, IDS, k=10)
    d = res.to_json()
    assert d["k"] == 10 and d["n_briefs"] == 3  # b3 has no relevant creator
    assert set(d["systems"]) == {"matcher", "random"}
    assert set(d["systems"]["matcher"]) == {
        "ndcg@10",
        "recall@10",
        "recall@50",
        "mrr",
        "map",
        "auc",
    }
    assert d["systems"]["matcher"]["ndcg@10"] == pytest.approx(1.0)
    assert d["systems"]["matcher"]["mrr"] == 1.0 and d["systems"]["random"]["auc"] == 0.0
    json.dumps(d)  # serialisable (no nan)


def test_per_brief_csv_and_report(tmp_path):
    res = evaluate_systems({"matcher": reversed_, "bm25": perfect}, BRIEFS, LABELS, IDS, k=5)
    rows = per_brief_csv(res).strip().splitlines()
    assert rows[0] == "brief_id,system,ndcg@5,recall@10,recall@50,mrr,map,auc"
    assert len(rows) == 1 + 4 * 2
    md = write_report(res, tmp_path / "rep", "Test report").read_text()
    assert (tmp_path / "rep" / "ndcg_at_k.png").stat().st_size > 1000
    assert (tmp_path / "rep" / "per_brief_spread.png").stat().st_size > 1000
    # the matcher loses to bm25 on every brief with relevant creators: listed, on nDCG, MAP, AUC
    assert "| b0 | ndcg@5 | bm25 | 1.000 |" in md and "| b0 | map | bm25 | 1.000 |" in md
    assert "## Where the matcher loses (ndcg@5, map, auc)" in md
    assert "| bm25 | **-" in md  # the paired difference, worse with its interval below 0


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        evaluate_systems({"matcher": perfect}, BRIEFS, LABELS, IDS, k=0)


@pytest.mark.integration
def test_eval_cli_on_sample_subset(tmp_path, real_encoder):
    import csv

    from conftest import SAMPLE, TEST_CACHE

    from matcher.cli import main

    lines = (SAMPLE / "creators.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    creators = tmp_path / "creators.jsonl"
    creators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    keep = {json.loads(x)["creator_id"] for x in lines}
    with open(SAMPLE / "labels.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["creator_id"] in keep]
    labels = tmp_path / "labels.csv"
    with open(labels, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["brief_id", "creator_id", "relevance"])
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "report.json"
    code = main(
        [
            "eval",
            "--creators",
            str(creators),
            "--briefs",
            str(SAMPLE / "briefs.jsonl"),
            "--labels",
            str(labels),
            "--output",
            str(out),
            "--report",
            str(tmp_path / "rep"),
            "--ranker",
            "weighted",
            "--cache-dir",
            str(TEST_CACHE),
        ]
    )
    assert code == 0
    d = json.loads(out.read_text())
    # FORMATS.md's systems, the hybrid baseline, and the learned ranker beside the weighted one
    assert set(d["systems"]) >= {"matcher", "popularity", "bm25", "embedding", "random", "hybrid"}
    assert set(d["systems"]) - {
        "matcher",
        "popularity",
        "bm25",
        "embedding",
        "random",
        "hybrid",
    } <= {"learned"}
    for metrics in d["systems"].values():
        assert set(metrics) == {"ndcg@10", "recall@10", "recall@50", "mrr", "map", "auc"}
    # the matcher must beat random on labelled sample briefs
    assert d["systems"]["matcher"]["ndcg@10"] > d["systems"]["random"]["ndcg@10"]
    assert (tmp_path / "rep" / "README.md").exists()


def test_eval_cli_rejects_labels_with_unknown_ids(tmp_path, capsys):
    from conftest import write_jsonl

    from matcher.cli import main

    creators = write_jsonl(tmp_path / "c.jsonl", [{"creator_id": "a"}, {"creator_id": "b"}])
    briefs = write_jsonl(
        tmp_path / "b.jsonl", [{"brief_id": "b1", "brand": "X", "description": "y"}]
    )
    labels = tmp_path / "l.csv"
    labels.write_text(
        "brief_id,creator_id,relevance\nb1,a,2\nb9,a,1\nb1,zz,1\nb1,b,7\n", encoding="utf-8"
    )
    code = main(
        [
            "eval",
            "--creators",
            str(creators),
            "--briefs",
            str(briefs),
            "--labels",
            str(labels),
            "--output",
            str(tmp_path / "r.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "l.csv:3" in err and "brief_id" in err
    assert "l.csv:4" in err and "creator_id" in err
    assert "l.csv:5" in err and "relevance" in err
    assert not (tmp_path / "r.json").exists()
