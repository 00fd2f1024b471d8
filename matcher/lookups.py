"""Per-row strings that a brief reads for all its candidates, memory-mapped beside the catalogue.

SQLite answers a lookup by row in about 3 µs, and a brief reads the creator id and the sponsor
search text (:mod:`matcher.competitor_search`) of each of its candidates (3,000 by default):
at a million creators those lookups took about 25 ms a brief. ``ids.bin`` and ``search.bin``
hold the same values, copied from ``catalogue.sqlite`` whenever an index is written, updated or
filled (:func:`write_lookups`), in a form read by offset: 8 bytes of magic, the row count
(int64), ``count + 1`` int64 offsets, then the UTF-8 bytes of each row's value in row order (a
row without a value as one NUL byte). An index without them reads SQLite as before.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from matcher.catalogue import CatalogueDB

MAGIC = b"MTCHSTR1"
_ABSENT = b"\x00"
_HEADER = len(MAGIC) + 8
#: the files, in an index directory, of the creator ids and of the sponsor search texts
IDS, SEARCH = "ids.bin", "search.bin"


def write(path: Path, values: Iterable[tuple[int, str]], count: int) -> None:
    """Write ``(row, value)`` pairs given in row order (rows left out have no value)."""
    lengths = np.ones(count, dtype=np.int64)  # a row without a value: one NUL byte
    with open(path, "wb") as f:
        f.seek(_HEADER + 8 * (count + 1))
        nxt = 0
        for row, value in values:
            if not nxt <= row < count:
                raise ValueError(f"{path.name}: row {row} out of order or past {count}")
            data = value.encode("utf-8")
            f.write(_ABSENT * (row - nxt) + data)
            lengths[row] = len(data)
            nxt = row + 1
        f.write(_ABSENT * (count - nxt))
        offsets = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths)])
        f.seek(0)
        f.write(MAGIC + np.int64(count).tobytes() + offsets.tobytes())


class Strings:
    """The values written by :func:`write`, read by row from a memory map."""

    def __init__(self, path: Path, count: int) -> None:
        with open(path, "rb") as f:
            self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if self._mm[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path.name} is not a matcher lookup file")
        n = int(np.frombuffer(self._mm, dtype=np.int64, count=1, offset=len(MAGIC))[0])
        if n != count:
            raise ValueError(f"{path.name} holds {n} rows, the manifest says {count}")
        self._offsets = np.frombuffer(self._mm, dtype=np.int64, count=n + 1, offset=_HEADER)
        self._base = _HEADER + 8 * (n + 1)
        if self._base + int(self._offsets[-1]) != len(self._mm):
            raise ValueError(f"{path.name} is cut short or too long")

    def take(self, rows: Sequence[int] | np.ndarray) -> list[str | None]:
        """The values at these rows, in the order asked (None: the row has none)."""
        r = np.asarray(rows, dtype=np.int64)
        starts = (self._offsets[r] + self._base).tolist()
        ends = (self._offsets[r + 1] + self._base).tolist()
        mm = self._mm
        out: list[str | None] = []
        for s, e in zip(starts, ends, strict=True):
            b = mm[s:e]
            out.append(None if b == _ABSENT else b.decode("utf-8"))
        return out


def write_lookups(directory: Path) -> None:
    """Write ``ids.bin`` and (when the catalogue keeps them) ``search.bin`` from the
    ``catalogue.sqlite`` of an index directory being written."""
    db = CatalogueDB(directory / "catalogue.sqlite", readonly=True)
    try:
        n = len(db)
        write(directory / IDS, db.by_row("ids"), n)
        if db.search_stored:
            write(directory / SEARCH, db.by_row("search"), n)
    finally:
        db.close()


def attach_lookups(db: CatalogueDB, directory: Path, count: int) -> None:
    """Let a read-only catalogue read ids and search texts from the index's lookup files
    (those present; a file of another length is reported as a damaged index)."""
    if (directory / IDS).exists():
        db.id_lookup = Strings(directory / IDS, count)
    if db.search_stored and (directory / SEARCH).exists():
        db.search_lookup = Strings(directory / SEARCH, count)
