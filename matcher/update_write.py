"""Writing the files of an updated index (:mod:`matcher.update`): vector arrays and BM25."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from matcher import lexical_counts
from matcher.catalogue import CatalogueDB
from matcher.errors import IndexMismatchError
from matcher.lexical import LexicalIndex
from matcher.manifest import DAMAGED

if TYPE_CHECKING:
    from matcher.index import CreatorIndex
    from matcher.update import Plan

#: rows of an in-memory array written at a time
ROWS_CHUNK = 100_000


def write_rows(path: Path, old: np.ndarray, plan: Plan, fresh: np.ndarray) -> np.ndarray:
    """The ``.npy`` file of an array after the update: the kept rows' bytes copied, the moved
    and fresh rows written in place, through file reads and writes (no mapping, so the copy
    does not count in the process's memory); returns it memory-mapped."""
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=old.dtype, shape=(plan.n, *old.shape[1:]))
    offset, row_bytes = int(mm.offset), int(old.dtype.itemsize * np.prod(old.shape[1:], dtype=int))
    del mm  # the header written and the file sized; the rows go through plain writes
    with open(path, "r+b") as f:
        f.seek(offset)
        if isinstance(old, np.memmap) and old.filename is not None and old.flags.c_contiguous:
            with open(old.filename, "rb") as src:
                src.seek(int(old.offset))
                left = plan.kept * row_bytes
                while left > 0:
                    chunk = src.read(min(left, 1 << 24))
                    if not chunk:
                        raise OSError(f"{old.filename}: shorter than its header says")
                    f.write(chunk)
                    left -= len(chunk)
        else:
            for s in range(0, plan.kept, ROWS_CHUNK):
                f.write(np.ascontiguousarray(old[s : min(s + ROWS_CHUNK, plan.kept)]).tobytes())
        rows = np.concatenate([plan.holes, plan.fresh_rows])
        values = np.concatenate([np.asarray(old[plan.tail]), np.asarray(fresh, dtype=old.dtype)])
        for i in np.argsort(rows, kind="stable"):
            os.pwrite(f.fileno(), np.ascontiguousarray(values[i]).tobytes(),
                      offset + int(rows[i]) * row_bytes)  # fmt: skip
    return np.load(path, mmap_mode="r")


def updated_lexical(index: CreatorIndex, db: CatalogueDB, plan: Plan, out: Path) -> str:
    """Write the BM25 index of the updated catalogue ``db`` into ``out``: from the saved term
    counts when there are some ("updated"), else fitted on every creator ("refit")."""
    lex = LexicalIndex(**cast(dict[str, Any], index.manifest.lexical))
    counts = None
    if lex.method in lexical_counts.METHODS and index.path is not None:
        try:
            counts = lexical_counts.TermCounts.load(index.path / "lexical", plan.n_old)
        except (OSError, ValueError) as e:
            raise IndexMismatchError(f"{index.path}/lexical: {DAMAGED} ({e})") from None
    if counts is None:
        lex.fit(list(db.each()))
    else:
        rowmap = plan.rowmap.copy()
        rowmap[plan.changed_rows] = -1  # their old documents go; the new ones come in fresh
        tokens = lex.tokens(plan.fresh)
        lex.with_counts(lexical_counts.update(counts, rowmap, tokens, plan.fresh_rows, plan.n))
    lex.save(out)
    return "refit" if counts is None else "updated"
