"""A consistent copy of the server database (``matcher backup``), taken while the server runs."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TypedDict

from matcher.errors import MatcherError
from matcher.serve.store import check_database


class BackupSummary(TypedDict):
    workspaces: int
    api_keys: int
    shortlists: int


def backup(src: str | os.PathLike[str], out: str | os.PathLike[str]) -> BackupSummary:
    """Copy the matcher database ``src`` to ``out`` consistently, while a server may be writing.

    SQLite's online backup copies one snapshot (every committed transaction up to its start,
    nothing of one in flight) into a temporary file beside ``out``, which is checked (``PRAGMA
    integrity_check``) and then renamed into place: ``out`` is the old backup or the new one,
    never half of one. ``src`` is only read. ``out`` may be missing or an earlier matcher
    database (replaced); anything else is refused, as is ``out`` naming ``src`` itself.
    """
    src, out = Path(src), Path(out)
    if not src.is_file():
        raise MatcherError(f"{src}: no such database file; give --db the server's database")
    check_database(src)
    if src.stat().st_size == 0:
        raise MatcherError(f"{src}: an empty database; nothing to back up")
    if out.exists():
        if out.resolve() == src.resolve():
            raise MatcherError(f"{out}: is the database itself; give --out another file")
        check_database(out)  # never overwrite another program's file
    if not out.parent.is_dir():
        raise MatcherError(f"{out.parent}: no such directory")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest)  # all pages in one step: one consistent snapshot
                dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = dest.execute("PRAGMA integrity_check").fetchone()[0]
                if check != "ok":
                    raise MatcherError(f"{src}: the copy failed its integrity check: {check}")
                counts = {
                    t: dest.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                    for t in ("workspaces", "api_keys", "shortlists")
                }
            finally:
                dest.close()
        finally:
            source.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except sqlite3.Error as e:
        raise MatcherError(f"{src}: could not be copied: {e}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return BackupSummary(
        workspaces=counts["workspaces"],
        api_keys=counts["api_keys"],
        shortlists=counts["shortlists"],
    )
