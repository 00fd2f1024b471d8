"""The creator catalogue inside an index directory: SQLite, one row per creator.

Rows are fetched by position, so a query touches only its candidates and a catalogue of millions
never has to sit in memory. The hard-filter columns (language, platform, country) are indexed so
that filters become a set of allowed rows before the vector search.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from matcher.catalogue_rows import (
    DATA,
    JSON,
    PRICED,
    ROW_DICTIONARY,
    SEARCH_DICTIONARY,
    SEARCH_INSERT,
    TRAIN_FROM,
    ZSTD,
    RowCodec,
    Written,
    current_events,
    filter_query,
    insert_sql,
    packed,
    row_of,
    search_codec,
    stored_dictionary,
    stored_versions,
    trained,
)
from matcher.competitor_search import holds, search_text
from matcher.history import (
    SponsorEvent,
    events_from_json,
    events_to_json,
    sponsorship_events,
)
from matcher.row_json import creator_from_json
from matcher.schema import Creator

if TYPE_CHECKING:
    from matcher.lookups import Strings

#: a new catalogue's page size: SQLite's 4 KB pages fit one ~2 KB row (six posts) and little
#: else; 16 KB pages fit about seven (a fifth less disk, same row reads). Old ones keep theirs.
PAGE_SIZE = 16_384

SCHEMA = f"""
PRAGMA page_size = {PAGE_SIZE};
CREATE TABLE IF NOT EXISTS creators (
    row INTEGER PRIMARY KEY,
    creator_id TEXT NOT NULL UNIQUE,
    language TEXT,
    platform TEXT,
    country TEXT,
    followers INTEGER,
    markets TEXT,
    data BLOB NOT NULL,
    events TEXT,
    price REAL,
    currency TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS row_dictionary (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS search_dictionary (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sponsor_search (row INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS creators_language ON creators(language);
CREATE INDEX IF NOT EXISTS creators_platform ON creators(platform);
CREATE INDEX IF NOT EXISTS creators_country ON creators(country);
"""


_UNREAD: Any = object()  # a cache miss (a row's cached value may be None)
T = TypeVar("T")


def _events_or_none(stored: str | None) -> list[SponsorEvent] | None:
    return None if stored is None else events_from_json(stored)


class CatalogueDB:
    """Creators stored by row number (the row is also the FAISS id).

    Each row also holds the creator's sponsored posts (:func:`matcher.history.sponsorship_events`,
    found when the row is written, under :data:`matcher.history.EVENTS_VERSION`), so that a
    brief reads them instead of parsing every candidate's posts. A catalogue written before
    they were stored, or under another version, has none (:attr:`events_stored` False), and a
    writable one is brought up to the current version (stale events dropped; rows written from
    then on carry theirs). Rows written with their events also leave a search text in table
    ``sponsor_search`` (:mod:`matcher.competitor_search`, :meth:`sponsor_texts`).

    A catalogue created by this version compresses its rows' JSON (:mod:`matcher.catalogue_rows`,
    the dictionary trained on the first rows written), and its search texts with a dictionary of
    their own; one written before keeps plain text."""

    def __init__(
        self, path: str | Path, *, readonly: bool = False, cache_max: int = 100_000
    ) -> None:
        self.path = Path(path)
        self.cache_max = cache_max
        self._cache: dict[int, Creator] = {}
        self._events: dict[int, list[SponsorEvent] | None] = {}
        self._ids: dict[int, str] = {}
        #: ids and search texts read by row from an index's files (:mod:`matcher.lookups`)
        self.id_lookup: Strings | None = None
        self.search_lookup: Strings | None = None
        if readonly:
            uri = f"file:{self.path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.executescript(SCHEMA)
            current_events(self._db)
        self._codec = self._open_codec()
        #: whether rows carry their sponsorship events (else :meth:`events` gives None), and
        #: whether they may carry a sponsor search text (else :meth:`sponsor_texts` gives None)
        self.events_stored, self.search_stored = stored_versions(self._db)

    def _open_codec(self) -> RowCodec:
        """Compressed rows where the price columns exist (created by this version), else text;
        search texts compressed where their dictionary is (:data:`SEARCH_DICTIONARY`)."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(creators)")}
        found = stored_dictionary(self._db, ROW_DICTIONARY)
        codec = ZSTD if "price" in columns else JSON
        #: whether rows are yet to be written (a dictionary is trained on the first)
        self._untrained = codec == ZSTD and found is None and len(self) == 0
        searched = stored_dictionary(self._db, SEARCH_DICTIONARY)
        self._search_codec = search_codec(searched)
        #: whether search texts are yet to be written (a dictionary is trained on the first)
        self._search_untrained = codec == ZSTD and searched is None and not self._db.execute(
            "SELECT 1 FROM sponsor_search LIMIT 1").fetchone()  # fmt: skip
        return RowCodec(codec, found)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction; when it fails, a dictionary trained in it is forgotten too."""
        kept = self._codec, self._untrained, self._search_codec, self._search_untrained
        try:
            with self._db:
                yield
        except BaseException:
            self._codec, self._untrained, self._search_codec, self._search_untrained = kept
            raise

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM creators").fetchone()[0])

    def insert(self, start_row: int, creators: Iterable[Creator], *, events: bool = True) -> None:
        """Write creators from ``start_row`` on; ``events=False`` leaves their sponsorship events
        to :meth:`fill_events` (briefs parse the posts of rows without them meanwhile)."""
        with self._transaction():
            self._write(row_of(start_row + i, c, events=events) for i, c in enumerate(creators))

    def _write(self, written: Iterable[Written]) -> None:
        """Write rows (inside the caller's transaction); the first rows of a new catalogue
        train its dictionary, stored in the same transaction."""
        if self._untrained:
            it = iter(written)
            head = list(itertools.islice(it, TRAIN_FROM))
            texts = [str(record[DATA]) for record, _ in head]
            self._codec = RowCodec(ZSTD, trained(self._db, ROW_DICTIONARY, texts))
            self._untrained = False
            written = itertools.chain(head, it)
        searched: list[tuple[int, str]] = []
        self._db.executemany(insert_sql(self._codec.codec), packed(written, self._codec, searched))
        self._write_search(searched)

    def _write_search(self, searched: Sequence[tuple[int, str]]) -> None:
        """Write sponsor search texts (inside the caller's transaction); the first non-empty
        ones written to a new catalogue train their dictionary."""
        if self._search_untrained and searched:
            texts = [t for _, t in searched if t]
            self._search_codec = search_codec(trained(self._db, SEARCH_DICTIONARY, texts))
            self._search_untrained = False
        pack = self._search_codec.pack
        self._db.executemany(SEARCH_INSERT, ((r, pack(t)) for r, t in searched))

    def update(
        self,
        *,
        delete: Sequence[int] = (),
        moves: Sequence[tuple[int, int]] = (),
        put: Sequence[tuple[int, Creator, str]] = (),
    ) -> None:
        """In one transaction: delete these rows, move rows (from, to) into the freed ones, then
        write creators at rows (replacing what is there) with their :func:`creator_to_json`."""
        self._cache.clear()
        self._ids.clear()
        self._events.clear()
        with self._transaction():
            for table in ("creators", "sponsor_search"):
                self._db.executemany(f"DELETE FROM {table} WHERE row = ?", ((r,) for r in delete))
                self._db.executemany(f"UPDATE {table} SET row = ? WHERE row = ?",
                                     ((b, a) for a, b in moves))  # fmt: skip
                self._db.executemany(f"DELETE FROM {table} WHERE row = ?",
                                     ((r,) for r, _, _ in put))  # fmt: skip
            self._write(row_of(r, c, data) for r, c, data in put)

    def records(self, rows: Sequence[int]) -> dict[int, str]:
        """The stored JSON of the creators at these rows (what :func:`creator_to_json` wrote)."""
        out: dict[int, str] = {}
        for i in range(0, len(rows), 900):
            chunk = [int(r) for r in rows[i : i + 900]]
            q = f"SELECT row, data FROM creators WHERE row IN ({','.join('?' * len(chunk))})"
            out.update((r, self._codec.unpack(d)) for r, d in self._db.execute(q, chunk))
        return out

    def priced(self) -> Iterator[Creator]:
        """In row order, the creators that state a price, with only what a price fit reads
        (followers, platform, price, currency), straight from SQLite (:data:`PRICED`)."""
        found: Iterable[tuple[Any, ...]] = self._db.execute(PRICED[self._codec.codec])
        if self._codec.codec == JSON:
            found = ((*r[:3], *json.loads(r[3])) for r in found)
        for cid, followers, platform, price, currency in found:
            if price is not None:
                yield Creator(creator_id=cid, followers=followers, platform=platform,
                              price_per_post=price, currency=currency or "USD")  # fmt: skip

    def get_rows(self, rows: Sequence[int] | np.ndarray) -> list[Creator]:
        """Creators at these rows, in the order asked (decoded once, then kept in memory)."""
        return self._cached(self._cache, rows, "data", self._creator)

    def _creator(self, stored: str | bytes) -> Creator:
        return creator_from_json(self._codec.unpack(stored))

    def ids(self, rows: Sequence[int] | np.ndarray) -> list[str]:
        """The creator ids at these rows, in the order asked (cached as :meth:`get_rows`)."""
        if self.id_lookup is not None:
            return self.id_lookup.take(rows)  # type: ignore[return-value]
        return self._cached(self._ids, rows, "creator_id", str)

    def post_texts(self, pairs: Sequence[tuple[int, int]]) -> list[str]:
        """The text of post j of the creator at row r for each (r, j), read by SQLite's JSON
        functions without decoding the creators ("" for a post that is not there). SQLite gets
        the JSON as parameters: a Python function called from SQL on this shared connection
        would deadlock threads reading it at once."""
        want = [(int(r), int(j)) for r, j in pairs]
        stored = self.records(sorted({r for r, _ in want}))
        want = [p for p in dict.fromkeys(want) if p[0] in stored]
        out: dict[tuple[int, int], str] = {}
        for s in range(0, len(want), 300):
            chunk = want[s : s + 300]
            q = (f"WITH want(k, d, j) AS (VALUES {','.join('(?, ?, ?)' for _ in chunk)}) "
                 "SELECT k, json_extract(d, '$.posts[' || j || '].text') FROM want")  # fmt: skip
            args = [v for k, (r, j) in enumerate(chunk) for v in (k, stored[r], j)]
            out.update((chunk[k], t or "") for k, t in self._db.execute(q, args))
        return [out.get((int(r), int(j)), "") for r, j in pairs]

    def _cached(
        self,
        cache: dict[int, T],
        rows: Sequence[int] | np.ndarray,
        column: str,
        decode: Callable[[Any], T],
    ) -> list[T]:
        """``column`` of these rows decoded, in the order asked: from ``cache``, else read and
        decoded once and kept there (bounded by ``cache_max``: past it, the cache starts afresh)."""
        want = [int(r) for r in rows]
        unique = dict.fromkeys(want)
        # other threads may clear the cache meanwhile: each row read once
        got = {r: v for r in unique if (v := cache.get(r, _UNREAD)) is not _UNREAD}
        missing = [r for r in unique if r not in got]
        fetched: dict[int, T] = {}
        for i in range(0, len(missing), 900):
            chunk = missing[i : i + 900]
            q = f"SELECT row, {column} FROM creators WHERE row IN ({','.join('?' * len(chunk))})"
            for r, data in self._db.execute(q, chunk):
                fetched[r] = decode(data)
        if len(cache) + len(fetched) > self.cache_max:
            cache.clear()
        if len(fetched) <= self.cache_max:
            cache.update(fetched)
        got.update(fetched)
        return [got[r] for r in want]

    def fill_events(self, chunk: int = 2_000) -> int:
        """Find and store the sponsorship events of every row without them (a catalogue from
        before they were stored, or of another version); returns how many rows were filled."""
        filled = 0
        while True:
            q = "SELECT row, data FROM creators WHERE events IS NULL ORDER BY row LIMIT ?"
            todo = self._db.execute(
                q, (TRAIN_FROM if self._search_untrained else chunk,)
            ).fetchall()
            if not todo:
                break
            found = [(r, c, sponsorship_events(c)) for r, c in
                     ((r, self._creator(d)) for r, d in todo)]  # fmt: skip
            with self._transaction():
                self._db.executemany("UPDATE creators SET events = ? WHERE row = ?",
                                     ((events_to_json(e), r) for r, _, e in found))  # fmt: skip
                self._write_search([(r, search_text(c, e)) for r, c, e in found])
            filled += len(todo)
        self._events.clear()
        return filled

    def events(self, rows: Sequence[int] | np.ndarray) -> list[list[SponsorEvent] | None]:
        """The stored sponsorship events of the creators at these rows, in the order asked;
        None for a row without them (a catalogue from before they were stored, or rows kept
        from one). Decoded once, then kept in memory (bounded as :meth:`get_rows`)."""
        if not self.events_stored:
            return [None] * len(rows)
        return self._cached(self._events, rows, "events", _events_or_none)

    def sponsor_texts(
        self, rows: np.ndarray, needles: Sequence[str]
    ) -> dict[int, str | None] | None:
        """The sponsor search text (:mod:`matcher.competitor_search`) of each of these rows that
        holds one of ``needles``, None for a row whose text holds none (no competitor work); a
        row without one is left out (its events must be read). None when the catalogue keeps
        no search texts."""
        if not self.search_stored:
            return None
        if self.search_lookup is not None:
            pairs = zip(rows.tolist(), self.search_lookup.take(rows), strict=True)
        else:
            q = "SELECT row, text FROM sponsor_search WHERE row IN (SELECT value FROM json_each(?))"
            found = self._db.execute(q, [json.dumps(np.unique(rows).tolist())])
            pairs = ((r, self._search_codec.unpack(t)) for r, t in found)  # type: ignore[assignment]
        return {r: t if holds(t, needles) else None for r, t in pairs if t is not None}

    def by_row(self, what: str) -> Iterator[tuple[int, str]]:
        """(row, value) in row order of ``what``: "ids" (every row) or "search" (the rows with
        a sponsor search text)."""
        if what == "ids":
            yield from self._db.execute("SELECT row, creator_id FROM creators ORDER BY row")
            return
        if what != "search":
            raise KeyError(what)
        found = self._db.execute("SELECT row, text FROM sponsor_search ORDER BY row")
        yield from ((r, self._search_codec.unpack(t)) for r, t in found)

    def row_of(self, creator_ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        ids = list(creator_ids)
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            q = f"SELECT creator_id, row FROM creators WHERE creator_id IN ({','.join('?' * len(chunk))})"
            out.update(dict(self._db.execute(q, chunk).fetchall()))
        return out

    def by_id(self, creator_ids: Sequence[str]) -> dict[str, Creator]:
        """The creators of these ids that the catalogue holds, in the order asked."""
        rows = self.row_of(list(creator_ids))
        found = [cid for cid in dict.fromkeys(creator_ids) if cid in rows]
        return dict(zip(found, self.get_rows([rows[c] for c in found]), strict=True))

    def each(self) -> Iterator[Creator]:
        """Every creator in row order, decoded one at a time (not cached)."""
        for (data,) in self._db.execute("SELECT data FROM creators ORDER BY row"):
            yield self._creator(data)

    def all_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT creator_id FROM creators ORDER BY row")]

    def allowed_rows(
        self,
        *,
        languages: Sequence[str] = (),
        platforms: Sequence[str] = (),
        countries: Sequence[str] = (),
    ) -> list[int] | None:
        """Rows passing the hard filters, or None when there is no filter.

        A creator whose language/platform/country is unknown is kept (it cannot be shown to fail
        the filter); the explanation says the field was unknown. A creator passes the country
        filter when based in one of the countries or when at least 25% of its audience is there.
        """
        found = filter_query(languages=languages, platforms=platforms, countries=countries)
        if found is None:
            return None
        return [r[0] for r in self._db.execute(*found)]

    def close(self) -> None:
        self.id_lookup = self.search_lookup = None
        self._db.close()
