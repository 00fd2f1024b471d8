"""How a creator becomes a row of the catalogue's ``creators`` table, and how its JSON is stored.

A catalogue created by this version stores each creator's JSON (:func:`creator_to_json`)
compressed with Zstandard and a dictionary trained on the catalogue's first rows
(:data:`ZSTD`): creator records share their keys, dates and much of their wording, so a
dictionary takes the rows to about a fifth of their size (a quarter of the index on disk at a
million creators), where zlib or Zstandard row by row reach about half. Decompressing a row
takes about 3 µs. A catalogue written before keeps plain JSON text (:data:`JSON`) and stays so
when updated; readers take either (:meth:`RowCodec.unpack`).

The rows' sponsor search texts (table ``sponsor_search``, :mod:`matcher.competitor_search`) are
compressed the same way with a dictionary of their own (:data:`SEARCH_DICTIONARY`); a brief
reads them from ``search.bin`` (:mod:`matcher.lookups`), so the table is read only to write that
file and by an index without it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import zstandard

from matcher.competitor_search import SEARCH_VERSION, search_text
from matcher.history import EVENTS_VERSION, events_to_json, sponsorship_events
from matcher.row_json import creator_to_json
from matcher.schema import Creator

T = TypeVar("T")

#: how a catalogue stores its rows' JSON: plain text (catalogues written before), or compressed
JSON, ZSTD = "json", "zstd"
#: the compression level (3: 7 µs a row; 9 compresses a tenth better at seven times the cost)
LEVEL = 3
#: a dictionary is trained on at most this many rows, taken evenly from the first
#: :data:`TRAIN_FROM` rows written (the first chunk of a build: a catalogue sorted by niche
#: or by date would teach a dictionary of its first 5,000 rows little of the rest)
TRAIN_ROWS, TRAIN_FROM = 5_000, 20_000
#: the dictionary's size in bytes (zstd's own default)
DICT_SIZE = 112_640

#: the tables of a catalogue's two dictionaries: its rows' JSON, and its sponsor search texts'
#: (:mod:`matcher.competitor_search`; a catalogue without the latter keeps those texts plain).
#: The search dictionary is trained on the first search texts written, which is the first
#: chunk of a build, or the first rows that :meth:`CatalogueDB.fill_events` fills after a fast
#: build. On stand-in creators it stores those texts in about a quarter of their size.
ROW_DICTIONARY, SEARCH_DICTIONARY = "row_dictionary", "search_dictionary"

#: an audience country share at or above this makes that country one of the creator's markets
MARKET_SHARE = 0.25


class RowCodec:
    """Packs and unpacks the ``data`` column of one catalogue. With ``codec`` :data:`JSON`,
    rows are stored as text; with :data:`ZSTD`, as Zstandard frames made with ``dictionary``
    (None: without one). Unpacking takes either form, so a reader needs no version check.
    Zstandard's objects are not thread-safe: each thread gets its own."""

    def __init__(self, codec: str, dictionary: bytes | None = None) -> None:
        if codec not in (JSON, ZSTD):
            raise ValueError(f"unknown catalogue row codec {codec!r}")
        self.codec = codec
        self.dictionary = dictionary
        self._local = threading.local()

    def _dict(self) -> zstandard.ZstdCompressionDict | None:
        if self.dictionary is None:
            return None
        return zstandard.ZstdCompressionDict(
            self.dictionary, dict_type=zstandard.DICT_TYPE_FULLDICT
        )

    def pack(self, text: str) -> str | bytes:
        if self.codec == JSON or not text:  # an empty text is stored as it is
            return text
        c = getattr(self._local, "compressor", None)
        if c is None:
            c = self._local.compressor = zstandard.ZstdCompressor(
                level=LEVEL, dict_data=self._dict()
            )
        return c.compress(text.encode("utf-8"))

    def unpack(self, stored: str | bytes) -> str:
        if isinstance(stored, str):
            return stored
        d = getattr(self._local, "decompressor", None)
        if d is None:
            d = self._local.decompressor = zstandard.ZstdDecompressor(dict_data=self._dict())
        return d.decompress(stored).decode("utf-8")


def train(texts: Sequence[str]) -> bytes | None:
    """A dictionary for rows like ``texts``; None when they are too few or too small to train
    one (rows are then compressed without)."""
    if len(texts) < 8:
        return None
    samples: list[bytes | bytearray | memoryview] = [t.encode("utf-8") for t in texts]
    size = min(DICT_SIZE, sum(map(len, samples)) // 10)
    try:
        return zstandard.train_dictionary(size, samples).as_bytes()
    except zstandard.ZstdError:  # too little to learn from
        return None


def meta(db: sqlite3.Connection, key: str) -> str | None:
    """A value of the catalogue's ``meta`` table (None: not set)."""
    try:
        found = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # written before the meta table
        return None
    return None if found is None else str(found[0])


def stored_versions(db: sqlite3.Connection) -> tuple[bool, bool]:
    """Whether the catalogue's rows carry sponsorship events of this version, and whether
    (then) they may carry sponsor search texts of this version."""
    events = meta(db, "events_version") == str(EVENTS_VERSION)
    return events, events and meta(db, "search_version") == str(SEARCH_VERSION)


def current_events(db: sqlite3.Connection) -> None:
    """Add the events column to an older writable catalogue and drop events and search texts
    of another version."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(creators)")}
    version = meta(db, "events_version")
    if meta(db, "search_version") != str(SEARCH_VERSION):
        with db:  # texts of another version (or none yet): rows written from now on
            db.execute("DELETE FROM sponsor_search")
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('search_version', ?)",
                (str(SEARCH_VERSION),),
            )
    if "events" in columns and version == str(EVENTS_VERSION):
        return
    with db:
        db.execute("DELETE FROM sponsor_search")
        if "events" not in columns:
            db.execute("ALTER TABLE creators ADD COLUMN events TEXT")
        else:
            db.execute("UPDATE creators SET events = NULL")
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('events_version', ?)",
            (str(EVENTS_VERSION),),
        )


def spread(items: Sequence[T], n: int) -> list[T]:
    """At most ``n`` of ``items``, taken evenly."""
    return list(items[:: max(1, len(items) // n)][:n])


def stored_dictionary(db: sqlite3.Connection, table: str) -> bytes | None:
    """The dictionary kept in ``table`` (:data:`ROW_DICTIONARY` or :data:`SEARCH_DICTIONARY`),
    None when there is none (or the catalogue was written before that table)."""
    try:
        found = db.execute(f"SELECT data FROM {table} WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if found is None else bytes(found[0])


def trained(db: sqlite3.Connection, table: str, texts: Sequence[str]) -> bytes | None:
    """A dictionary trained on ``texts`` (at most :data:`TRAIN_ROWS` of them, taken evenly),
    stored in ``table`` inside the caller's transaction; None when they are too few."""
    dictionary = train(spread(texts, TRAIN_ROWS))
    if dictionary is not None:
        db.execute(f"INSERT INTO {table} (id, data) VALUES (1, ?)", (dictionary,))
    return dictionary


def search_codec(dictionary: bytes | None) -> RowCodec:
    """How search texts are stored: compressed with their dictionary, else plain."""
    return RowCodec(JSON) if dictionary is None else RowCodec(ZSTD, dictionary)


def markets(c: Creator) -> str | None:
    if c.audience is None or not c.audience.countries:
        return None
    keep = [k.upper() for k, v in c.audience.countries.items() if v >= MARKET_SHARE]
    return "," + ",".join(keep) + "," if keep else None


#: columns written for each creator: the :data:`JSON` catalogues' and the :data:`ZSTD` ones'
#: (which also keep the price, so that a price model is fitted without decompressing rows)
COLUMNS = {
    JSON: ("row", "creator_id", "language", "platform", "country", "followers", "markets",
           "data", "events"),
    ZSTD: ("row", "creator_id", "language", "platform", "country", "followers", "markets",
           "data", "events", "price", "currency"),
}  # fmt: skip
#: where the creator's JSON is in a record of :func:`row_of` (the column that is compressed)
DATA = COLUMNS[JSON].index("data")
#: the creators that state a price: a compressed catalogue keeps it in columns; in plain JSON
#: rows, a record without one holds ``"price_per_post":null`` (:func:`creator_to_json`; inside
#: a JSON string a quote is escaped), so it is skipped unparsed, and the others give both values
#: as a JSON array
PRICED = {
    ZSTD: "SELECT creator_id, followers, platform, price, currency FROM creators"
    " WHERE price IS NOT NULL ORDER BY row",
    JSON: "SELECT creator_id, followers, platform,"
    " json_extract(data, '$.price_per_post', '$.currency') FROM creators"
    """ WHERE instr(data, '"price_per_post":null') = 0 ORDER BY row""",
}
SEARCH_INSERT = "INSERT OR REPLACE INTO sponsor_search (row, text) VALUES (?, ?)"

Written = tuple[tuple[object, ...], tuple[int, str] | None]


def insert_sql(codec: str) -> str:
    cols = COLUMNS[codec]
    return f"INSERT INTO creators ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def row_of(row: int, c: Creator, data: str | None = None, events: bool = True) -> Written:
    """The creators table's row for ``c`` (the :data:`ZSTD` columns; a :data:`JSON`
    catalogue writes the first nine) and, with its events, its sponsor search text's."""
    found = sponsorship_events(c) if events else None
    record = (
        row,
        c.creator_id,
        (c.language or "").lower() or None,
        (c.platform or "").lower() or None,
        (c.country or "").upper() or None,
        c.followers,
        markets(c),
        creator_to_json(c) if data is None else data,
        None if found is None else events_to_json(found),
        c.price_per_post,
        c.currency if c.price_per_post is not None else None,
    )
    return record, None if found is None else (row, search_text(c, found))


def packed(
    written: Iterable[Written], codec: RowCodec, searched: list[tuple[int, str]]
) -> Iterator[tuple[object, ...]]:
    """The records of ``written`` as ``codec`` stores them (their search texts appended to
    ``searched`` on the way)."""
    width = len(COLUMNS[codec.codec])
    for record, search in written:
        if search is not None:
            searched.append(search)
        data = codec.pack(record[DATA])  # type: ignore[arg-type]
        yield (*record[:DATA], data, *record[DATA + 1 : width])


def filter_query(
    *, languages: Sequence[str] = (), platforms: Sequence[str] = (), countries: Sequence[str] = ()
) -> tuple[str, list[str]] | None:
    """The query (and its parameters) for the rows passing these hard filters, or None when
    there is no filter (:meth:`matcher.catalogue.CatalogueDB.allowed_rows`)."""
    clauses: list[str] = []
    params: list[str] = []
    for col, vals, norm in (
        ("language", languages, str.lower),
        ("platform", platforms, str.lower),
    ):
        if vals:
            clauses.append(f"({col} IS NULL OR {col} IN ({','.join('?' * len(vals))}))")
            params.extend(norm(v) for v in vals)
    if countries:
        cs = [c.upper() for c in countries]
        likes = " OR ".join("markets LIKE ?" for _ in cs)
        clauses.append(f"(country IS NULL OR country IN ({','.join('?' * len(cs))}) OR {likes})")
        params.extend(cs)
        params.extend(f"%,{c},%" for c in cs)
    if not clauses:
        return None
    return "SELECT row FROM creators WHERE " + " AND ".join(clauses), params
