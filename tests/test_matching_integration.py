"""End to end with the real model, real FAISS and real SQLite."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date

import numpy as np
import pytest
from conftest import SAMPLE, TEST_CACHE, shared_file

from matcher.cli import main
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_creators
from matcher.schema import Brief
from matcher.signals import SIGNALS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tiktok_matcher(tmp_path_factory, real_encoder):
    creators = read_creators(shared_file("data", "real", "tiktok_creators.jsonl"))
    out = build_and_save(creators, real_encoder, tmp_path_factory.mktemp("tt") / "idx")
    idx = CreatorIndex.load(out, fingerprint=real_encoder.fingerprint)
    return Matcher(
        idx, real_encoder, Settings(cache_dir=str(TEST_CACHE)), as_of=date(2026, 11, 1)
    ), creators


def test_crypto_brief_returns_mostly_crypto_creators(tiktok_matcher):
    m, creators = tiktok_matcher
    niche = {c.creator_id: (c.categories or ("?",))[0] for c in creators}
    b = Brief(
        brand="Learnchain",
        brief_id="crypto",
        description="An online course that teaches beginners how to trade crypto: bitcoin, "
        "altcoins, chart analysis and risk management.",
        k=10,
    )
    sl = m.recommend(b)
    got = Counter(niche[x.creator_id] for x in sl.matches)
    assert len(sl.matches) == 10
    assert got["crypto"] >= 6, got


def test_spanish_fitness_brief_works(tiktok_matcher):
    m, creators = tiktok_matcher
    niche = {c.creator_id: (c.categories or ("?",))[0] for c in creators}
    b = Brief(
        brand="FuerzaFit",
        brief_id="fit-es",
        description="Marca de suplementos deportivos busca creadores de fitness: rutinas de "
        "gimnasio, entrenamiento de fuerza y vida saludable.",
        k=10,
    )
    sl = m.recommend(b)
    got = Counter(niche[x.creator_id] for x in sl.matches)
    assert got["fitness"] >= 5, got
    for x in sl.matches:
        assert set(x.signals) == set(SIGNALS)
        assert x.signals["audience"] is None  # no audience data in this catalogue
        assert any("niche" in r or "writes about" in r or "similarity" in r for r in x.reasons)


def test_match_cli_json_matches_formats(sample_index_dir, tmp_path, capsys):
    briefs = SAMPLE / "briefs.jsonl"
    code = main(
        [
            "match",
            "--index",
            str(sample_index_dir),
            "--brief",
            str(briefs),
            "--k",
            "5",
            "--format",
            "json",
            "--ranker",
            "weighted",
            "--cache-dir",
            str(TEST_CACHE),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    n_briefs = len(briefs.read_text(encoding="utf-8").splitlines())
    assert len(lines) == n_briefs
    for line in lines:
        d = json.loads(line)
        assert set(d) >= {"brief_id", "matches", "excluded"}
        assert [x["rank"] for x in d["matches"]] == list(range(1, len(d["matches"]) + 1))
        scores = [x["score"] for x in d["matches"]]
        assert scores == sorted(scores, reverse=True)
        for x in d["matches"]:
            assert set(x["signals"]) == set(SIGNALS)
            assert all(v is None or 0 <= v <= 1 for v in x["signals"].values())
            assert x["reasons"] and all(isinstance(r, str) for r in x["reasons"])
        for e in d["excluded"]:
            assert set(e) == {"creator_id", "why"}


def test_match_cli_csv(sample_index_dir, capsys):
    code = main(
        [
            "match",
            "--index",
            str(sample_index_dir),
            "--brief",
            str(SAMPLE / "briefs.jsonl"),
            "--k",
            "3",
            "--format",
            "csv",
            "--ranker",
            "weighted",
            "--cache-dir",
            str(TEST_CACHE),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and set(rows[0]) >= {"brief_id", "rank", "creator_id", "score", "niche", "reasons"}


def test_current_competitor_conflict_is_excluded_or_flagged(tmp_path, real_encoder):
    from matcher.schema import Creator, Post

    creators = [
        Creator(
            "clean",
            bio="trail running and ultra marathons",
            followers=40_000,
            posts=(Post("Long run in the mountains today #trailrunning", date(2026, 10, 20)),),
        ),
        Creator(
            "deal",
            bio="trail running and ultra marathons",
            followers=40_000,
            posts=(
                Post(
                    "Paid partnership with @hoka. New shoes for the trails #trailrunning",
                    date(2026, 9, 21),
                ),
            ),
        ),
        Creator(
            "old",
            bio="trail running and ultra marathons",
            followers=40_000,
            posts=(Post("Thanks @hokaoneone for sending these! #ad", date(2025, 6, 1)),),
        ),
    ]
    out = build_and_save(creators, real_encoder, tmp_path / "idx")
    idx = CreatorIndex.load(out)
    b = Brief(
        brand="Salomon", description="trail running shoes", competitors=("HOKA ONE ONE",), k=3
    )
    m = Matcher(idx, real_encoder, Settings(cache_dir=str(TEST_CACHE)), as_of=date(2026, 11, 1))
    sl = m.recommend(b)
    assert [x.creator_id for x in sl.matches] == ["clean", "old"]
    assert [e.creator_id for e in sl.excluded] == ["deal"]
    assert "HOKA ONE ONE" in sl.excluded[0].why and "41 days ago" in sl.excluded[0].why
    old = sl.matches[1]
    assert old.signals["conflict"] is not None and old.signals["conflict"] < 1.0
    m2 = Matcher(
        idx,
        real_encoder,
        Settings(cache_dir=str(TEST_CACHE), show_conflicts=True),
        as_of=date(2026, 11, 1),
    )
    sl2 = m2.recommend(b)
    flagged = [x for x in sl2.matches if x.creator_id == "deal"]
    assert flagged and "current-competitor-conflict" in flagged[0].flags
    assert flagged[0].signals["conflict"] == 0.0


def test_hard_filters_and_exclusions(sample_index_dir, real_encoder):
    m = Matcher(
        CreatorIndex.load(sample_index_dir), real_encoder, Settings(cache_dir=str(TEST_CACHE))
    )
    creators = m.index.catalogue.get_rows(range(len(m.index)))
    b = Brief(brand="X", description="fitness workouts gym training", languages=("es",), k=10)
    sl = m.recommend(b)
    by_id = {c.creator_id: c for c in creators}
    assert all(by_id[x.creator_id].language in (None, "es") for x in sl.matches)
    top = sl.matches[0].creator_id
    sl2 = m.recommend(
        Brief(
            brand="X", description=b.description, languages=("es",), k=10, exclude_creators=(top,)
        )
    )
    assert top not in [x.creator_id for x in sl2.matches]


def test_score_catalogue_covers_every_creator(sample_index_dir, real_encoder):
    m = Matcher(
        CreatorIndex.load(sample_index_dir),
        real_encoder,
        Settings(cache_dir=str(TEST_CACHE), candidates=50),
    )
    s = m.score_catalogue(Brief(brand="X", description="skincare routine for sensitive skin"))
    assert s.shape == (len(m.index),) and np.isfinite(s).all()


def test_match_cli_csv_neutralises_spreadsheet_formulas(tmp_path, real_encoder, capsys):
    from matcher.schema import Creator

    hostile = [
        Creator("=1+1", handle='=HYPERLINK("http://evil")', bio="trail running ultras"),
        Creator("c2", handle="@cmd", bio="trail running and mountain races"),
    ]
    out = build_and_save(hostile, real_encoder, tmp_path / "idx")
    brief = tmp_path / "brief.json"
    brief.write_text(json.dumps({"brand": "+Brand", "description": "trail running shoes"}))
    assert main(["match", "--index", str(out), "--brief", str(brief), "--format", "csv",
                 "--ranker", "weighted", "--cache-dir", str(TEST_CACHE)]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["creator_id"] for r in rows} == {"'=1+1", "c2"}
    assert {r["handle"] for r in rows} == {'\'=HYPERLINK("http://evil")', "'@cmd"}
