"""Sponsorship events found when the catalogue is written, read by briefs instead of parsed.

An index written before events were stored (or under another ``EVENTS_VERSION``) still ranks the
same, parsing at query time; an update brings it up to date."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLE, FakeEncoder, sample_creators

from matcher import history
from matcher.catalogue import CatalogueDB
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_briefs
from matcher.ranking import WeightedRanker
from matcher.update import update_index

N = 400


def as_before_events(index_dir: Path) -> None:
    """Make the catalogue look written before events were stored."""
    db = sqlite3.connect(index_dir / "catalogue.sqlite")
    with db:
        db.execute("ALTER TABLE creators DROP COLUMN events")
        db.execute("DROP TABLE meta")
    db.close()


def shortlists(index_dir: Path) -> list[tuple]:
    enc, s = FakeEncoder(), Settings()
    idx = CreatorIndex.load(index_dir, fingerprint=enc.fingerprint)
    m = Matcher(idx, enc, s, WeightedRanker(s.weights, s.unknown_value))
    out = []
    for brief in read_briefs(SAMPLE / "briefs.jsonl"):
        sl = m.recommend(brief, 30)
        out.append(tuple((x.creator_id, round(x.score, 9), x.reasons) for x in sl.matches))
        out.append(tuple((e.creator_id, str(e.why)) for e in sl.excluded))
    idx.catalogue.close()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ev") / "idx"
    build_and_save(sample_creators(N), FakeEncoder(), out)
    return out


def test_every_row_holds_the_events_its_posts_show(built):
    creators = sample_creators(N)
    idx = CreatorIndex.load(built)
    assert idx.catalogue.events_stored
    stored = idx.catalogue.events(list(range(N))[::-1])[::-1]
    assert stored == [history.sponsorship_events(c) for c in creators]
    assert sum(len(e) for e in stored) > 50  # the sample has sponsored posts to find
    idx.catalogue.close()


def test_briefs_read_stored_events_and_rank_as_when_parsing(built, tmp_path, monkeypatch):
    old = tmp_path / "old"
    shutil.copytree(built, old)
    as_before_events(old)
    parsed = shortlists(old)
    assert CreatorIndex.load(old).catalogue.events_stored is False

    def never(creator):  # type: ignore[no-untyped-def]
        raise AssertionError(f"parsed {creator.creator_id} although its events are stored")

    monkeypatch.setattr(history, "sponsorship_events", never)
    stored = shortlists(built)
    assert stored == parsed
    assert any("competitor" in why for excluded in stored[1::2] for _, why in excluded)


def test_events_of_another_version_are_not_read_and_are_refilled(built, tmp_path, monkeypatch):
    out = tmp_path / "other"
    shutil.copytree(built, out)
    monkeypatch.setattr("matcher.catalogue_rows.EVENTS_VERSION", history.EVENTS_VERSION + 1)
    ro = CatalogueDB(out / "catalogue.sqlite", readonly=True)
    assert not ro.events_stored and ro.events([0, 1]) == [None, None]
    ro.close()
    db = CatalogueDB(out / "catalogue.sqlite")  # writable: stale events dropped
    assert db.events_stored and db.events([0, 5]) == [None, None]
    assert db.fill_events(chunk=150) == N
    assert db.events(list(range(N))) == [history.sponsorship_events(c) for c in sample_creators(N)]
    assert db.fill_events() == 0
    db.close()


def test_an_update_stores_events_for_every_row_of_an_older_index(built, tmp_path):
    out = tmp_path / "upd"
    shutil.copytree(built, out)
    as_before_events(out)
    extra = sample_creators(N + 20)[N:]
    update_index(out, FakeEncoder(), creators=extra, removals=[])
    idx = CreatorIndex.load(out)
    assert idx.catalogue.events_stored
    creators = idx.catalogue.get_rows(range(N + 20))
    assert idx.catalogue.events(range(N + 20)) == [history.sponsorship_events(c) for c in creators]
    idx.catalogue.close()


def test_creator_json_is_what_asdict_gives():
    """creator_to_json builds the dict field by field (asdict deep-copied everything): the same
    JSON, so records stored before compare equal in updates."""
    import json
    from dataclasses import asdict
    from datetime import date

    from matcher.row_json import creator_from_json, creator_to_json

    for c in sample_creators():
        d = asdict(c)
        for p in d["posts"]:
            if isinstance(p["posted_at"], date):
                p["posted_at"] = p["posted_at"].isoformat()
        assert creator_to_json(c) == json.dumps(d, ensure_ascii=False, separators=(",", ":"))
        assert creator_from_json(creator_to_json(c)) == c
