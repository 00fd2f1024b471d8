"""The catalogue's rows compressed with a trained dictionary (matcher.catalogue_rows), and
catalogues written before, with plain JSON rows, still read and updated as they are."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import sample_creators

from matcher.catalogue import CatalogueDB
from matcher.catalogue_rows import JSON, ZSTD, RowCodec, train
from matcher.row_json import creator_to_json

#: the catalogue table as versions before compression created it (no price columns)
OLD_SCHEMA = """
CREATE TABLE creators (
    row INTEGER PRIMARY KEY, creator_id TEXT NOT NULL UNIQUE, language TEXT, platform TEXT,
    country TEXT, followers INTEGER, markets TEXT, data TEXT NOT NULL, events TEXT
);
"""


def stored_data(path: Path) -> list[object]:
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("SELECT data FROM creators ORDER BY row")]
    finally:
        db.close()


def dictionaries(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM row_dictionary").fetchone()[0])
    finally:
        db.close()


def old_catalogue(path: Path, creators) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(path)
    with db:
        db.executescript(OLD_SCHEMA)
        db.executemany(
            "INSERT INTO creators (row, creator_id, followers, platform, data)"
            " VALUES (?, ?, ?, ?, ?)",
            [(i, c.creator_id, c.followers, c.platform, creator_to_json(c))
             for i, c in enumerate(creators)],
        )  # fmt: skip
    db.close()


@pytest.fixture(scope="module")
def creators():  # type: ignore[no-untyped-def]
    return sample_creators(600)


def test_a_new_catalogue_stores_rows_compressed_with_a_dictionary(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators)
    db.close()
    data = stored_data(path)
    assert all(isinstance(d, bytes) for d in data)
    assert dictionaries(path) == 1
    plain = sum(len(creator_to_json(c).encode()) for c in creators)
    packed = sum(len(d) for d in data)  # type: ignore[arg-type]
    assert plain / packed > 3  # 600 sample rows: about 5x; without a dictionary about 2x


def test_compressed_rows_read_back_as_written(tmp_path, creators):
    db = CatalogueDB(tmp_path / "c.sqlite")
    db.insert(0, creators)
    rows = list(range(len(creators)))
    assert db.get_rows(rows) == list(creators)
    assert db.records(rows) == {i: creator_to_json(c) for i, c in enumerate(creators)}
    assert list(db.each()) == list(creators)
    pairs = [(i, j) for i, c in enumerate(creators[:50]) for j in range(len(c.posts) + 1)]
    want = [creators[i].posts[j].text if j < len(creators[i].posts) else "" for i, j in pairs]
    assert db.post_texts(pairs) == want
    priced = [(c.creator_id, c.price_per_post, c.currency) for c in creators
              if c.price_per_post is not None]  # fmt: skip
    assert priced
    assert [(c.creator_id, c.price_per_post, c.currency) for c in db.priced()] == priced
    db.close()
    ro = CatalogueDB(tmp_path / "c.sqlite", readonly=True)  # the dictionary read back
    assert ro.get_rows([5, 0]) == [creators[5], creators[0]]
    ro.close()


def test_later_writes_use_the_first_write_s_dictionary(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators[:300])
    db.close()
    db = CatalogueDB(path)  # reopened: the stored dictionary, not a new one
    db.insert(300, creators[300:])
    db.update(put=[(3, creators[3], creator_to_json(creators[3]))])
    assert dictionaries(path) == 1
    assert db.get_rows(range(len(creators))) == list(creators)
    db.close()


def test_a_failed_first_write_leaves_no_dictionary_and_the_next_one_trains(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    with pytest.raises(sqlite3.IntegrityError):  # a creator_id twice
        db.insert(0, [*creators[:100], creators[0]])
    assert dictionaries(path) == 0
    assert len(db) == 0
    db.insert(0, creators[:100])
    assert dictionaries(path) == 1
    assert db.get_rows(range(100)) == list(creators[:100])
    db.close()


def test_too_few_rows_to_train_are_compressed_without_a_dictionary(tmp_path, creators):
    path = tmp_path / "c.sqlite"
    db = CatalogueDB(path)
    db.insert(0, creators[:3])
    assert dictionaries(path) == 0
    assert all(isinstance(d, bytes) for d in stored_data(path))
    db.insert(3, creators[3:40])  # rows after the first write: still no dictionary
    assert dictionaries(path) == 0
    assert db.get_rows(range(40)) == list(creators[:40])
    db.close()


def test_an_old_catalogue_is_read_and_updated_as_plain_json(tmp_path, creators):
    path = tmp_path / "old.sqlite"
    old_catalogue(path, creators[:200])
    db = CatalogueDB(path)
    db.insert(200, creators[200:260])
    db.update(put=[(7, creators[7], creator_to_json(creators[7]))])
    assert db.get_rows(range(260)) == list(creators[:260])
    priced = [c.creator_id for c in creators[:260] if c.price_per_post is not None]
    assert [c.creator_id for c in db.priced()] == priced
    assert db.post_texts([(1, 0)]) == [creators[1].posts[0].text]
    db.close()
    assert all(isinstance(d, str) for d in stored_data(path))
    assert dictionaries(path) == 0


def test_threads_read_compressed_rows_at_once(tmp_path, creators):
    db = CatalogueDB(tmp_path / "c.sqlite", cache_max=0)  # every read decompresses
    db.insert(0, creators)
    errors: list[BaseException] = []

    def read(offset: int) -> None:
        try:
            for k in range(20):
                rows = [(offset * 37 + k * 11 + i) % len(creators) for i in range(30)]
                assert db.get_rows(rows) == [creators[r] for r in rows]
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=read, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.close()


def test_row_codec():
    texts = [creator_to_json(c) for c in sample_creators(200)]
    dictionary = train(texts)
    assert dictionary is not None
    assert train(texts[:3]) is None
    z = RowCodec(ZSTD, dictionary)
    packed = z.pack(texts[0])
    assert isinstance(packed, bytes)
    assert z.unpack(packed) == texts[0]
    assert z.unpack(texts[1]) == texts[1]  # plain rows pass through
    assert RowCodec(JSON).pack(texts[0]) == texts[0]
    with pytest.raises(ValueError, match="unknown catalogue row codec"):
        RowCodec("lz4")


def test_the_dictionary_learns_from_rows_spread_over_the_first_write(
    tmp_path, creators, monkeypatch
):
    import matcher.catalogue as catalogue
    import matcher.catalogue_rows as catalogue_rows

    seen: list[list[str]] = []
    monkeypatch.setattr(catalogue_rows, "TRAIN_ROWS", 10)
    monkeypatch.setattr(catalogue, "TRAIN_FROM", 40)
    monkeypatch.setattr(
        catalogue_rows, "train", lambda texts: seen.append(list(texts)) or train(texts)
    )
    db = CatalogueDB(tmp_path / "c.sqlite")
    db.insert(0, creators[:100])
    assert seen[0] == [creator_to_json(c) for c in creators[0:40:4]]
    assert db.get_rows(range(100)) == list(creators[:100])
    db.close()
