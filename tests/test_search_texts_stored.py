"""The catalogue's sponsor search texts (matcher.competitor_search) compressed with their own
dictionary, trained on the first texts written; catalogues written before keep them plain."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import sample_creators, sql_rows

import matcher.catalogue as catalogue
from matcher.catalogue import CatalogueDB
from matcher.competitor_search import holds, search_text
from matcher.history import sponsorship_events
from matcher.schema import Creator


@pytest.fixture(scope="module")
def creators() -> list[Creator]:
    return sample_creators(600)


def stored(path: Path) -> dict[int, object]:
    return dict(sql_rows(path, "SELECT row, text FROM sponsor_search"))  # type: ignore[arg-type]


def search_dictionaries(path: Path) -> int:
    return int(sql_rows(path, "SELECT count(*) FROM search_dictionary")[0][0])


def expected(creators: list[Creator], start: int = 0) -> dict[int, str]:
    return {start + i: search_text(c, sponsorship_events(c)) for i, c in enumerate(creators)}


def test_a_new_catalogue_compresses_its_search_texts(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators)
    want = expected(creators)
    assert dict(db.by_row("search")) == want
    db.close()
    raw = stored(path)
    assert search_dictionaries(path) == 1
    assert {r for r, t in want.items() if t} == {r for r, v in raw.items() if isinstance(v, bytes)}
    assert all(v == "" for r, v in raw.items() if not want[r])  # empty texts as they are
    plain = sum(len(t.encode()) for t in want.values())
    packed = sum(len(v) for v in raw.values())  # type: ignore[arg-type]
    assert plain / packed > 2.5  # 600 sample creators: about 3x


def test_search_texts_read_without_lookup_files_match_the_plain_ones(tmp_path, creators):
    db = CatalogueDB(tmp_path / "c.sqlite")
    db.insert(0, creators)
    db.close()
    ro = CatalogueDB(tmp_path / "c.sqlite", readonly=True)  # the dictionary read back
    rows = np.arange(len(creators))
    want = expected(creators)
    needles = [n for t in want.values() for n in t.split()[:1]][:3]
    assert needles
    got = ro.sponsor_texts(rows, needles)
    assert got == {r: t if holds(t, needles) else None for r, t in want.items()}
    assert any(v is not None for v in got.values()) and None in got.values()
    ro.close()


def test_a_fast_build_s_fill_trains_the_search_dictionary(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators, events=False)  # a fast build: no events, no search texts yet
    assert search_dictionaries(path) == 0 and not stored(path)
    assert db.fill_events() == len(creators)
    assert search_dictionaries(path) == 1
    assert dict(db.by_row("search")) == expected(creators)
    assert any(isinstance(v, bytes) for v in stored(path).values())
    db.close()


def test_a_failed_first_search_write_forgets_its_dictionary(tmp_path, creators, monkeypatch):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators, events=False)
    monkeypatch.setattr(catalogue, "SEARCH_INSERT", "INSERT INTO nowhere (row, text) VALUES (?, ?)")
    with pytest.raises(sqlite3.OperationalError):
        db.fill_events()
    assert search_dictionaries(path) == 0 and not stored(path)
    monkeypatch.undo()
    db.fill_events()  # the next write trains it
    assert search_dictionaries(path) == 1
    assert dict(db.by_row("search")) == expected(creators)
    db.close()


def test_a_catalogue_with_plain_search_texts_keeps_them_plain(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators[:300])
    plain = dict(db.by_row("search"))
    db.close()
    con = sqlite3.connect(path)  # as the version before compressed search texts left it
    with con:
        con.executemany("UPDATE sponsor_search SET text = ? WHERE row = ?",
                        [(t, r) for r, t in plain.items()])  # fmt: skip
        con.execute("DROP TABLE search_dictionary")
    con.close()
    db = CatalogueDB(path)
    db.insert(300, creators[300:])
    db.update(put=[(3, creators[3], None)])  # type: ignore[list-item]
    assert search_dictionaries(path) == 0
    assert all(isinstance(v, str) for v in stored(path).values())
    assert dict(db.by_row("search")) == expected(creators)
    db.close()
