"""Persistence of workspaces, API keys and saved shortlists (SQLite, standard library only).

Everything SQL lives behind :class:`Store` (this module and its shortlist half,
:mod:`matcher.serve.shortlist_store`), so a server database can replace SQLite later without
touching the HTTP layer. The schema is versioned (``meta.schema_version``): opening an older
database migrates it, step by step, in one transaction; every write runs in one transaction.
API keys are random (``mk_`` + 32 bytes of ``secrets.token_urlsafe``) and only their SHA-256 is
stored: a stolen database does not reveal a usable key, and a fast hash is enough for secrets
with 256 bits of entropy. Shortlist ids are random URL-safe tokens, so they reveal nothing about
how many shortlists exist.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from matcher.errors import MatcherError
from matcher.serve.shortlist_store import ShortlistItem, ShortlistRecord, ShortlistStore, utc_now

__all__ = [
    "KEY_PREFIX", "SCHEMA_VERSION", "ShortlistItem", "ShortlistRecord", "Store", "check_database",
    "check_workspace", "hash_key",
]  # fmt: skip

#: version of the tables below; bump it and add a step to ``_MIGRATIONS`` when they change
SCHEMA_VERSION = 2
KEY_PREFIX = "mk_"
_WORKSPACE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MAX_KEY_LENGTH = 200

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE workspaces (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,               -- sha256 hex of the key, never the key itself
    hint TEXT NOT NULL,                      -- first characters, to tell keys apart in a listing
    workspace TEXT NOT NULL REFERENCES workspaces(name),
    created_at TEXT NOT NULL
);
CREATE TABLE shortlists (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL REFERENCES workspaces(name),
    name TEXT NOT NULL,
    creator_ids TEXT NOT NULL,               -- JSON list, in rank order
    brief TEXT,                              -- JSON object or NULL
    created_at TEXT NOT NULL
);
CREATE INDEX shortlists_by_workspace ON shortlists (workspace, created_at);
"""

#: version 2: what was shown of each creator (rank, score, reasons), and feedback votes
_SCHEMA_V2 = """
ALTER TABLE shortlists ADD COLUMN items TEXT;  -- JSON list of {creator_id, rank, score, reasons}
CREATE TABLE feedback (
    shortlist_id TEXT NOT NULL REFERENCES shortlists(id) ON DELETE CASCADE,
    creator_id TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('like', 'dislike')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shortlist_id, creator_id)
);
"""


def _statements(script: str) -> list[str]:
    return [s for s in script.split(";") if s.strip()]


#: schema version -> SQL statements that bring a database from the previous version to it
_MIGRATIONS: dict[int, list[str]] = {1: _statements(_SCHEMA_V1), 2: _statements(_SCHEMA_V2)}


def hash_key(key: str) -> str:
    """The stored form of an API key: SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_workspace(name: str) -> None:
    """Refuse a workspace name that is not 1-64 letters, digits, '_', '.' or '-'."""
    if not isinstance(name, str) or not _WORKSPACE_RE.match(name):
        raise MatcherError(
            "workspace must be 1-64 letters, digits, '_', '.' or '-', starting with a letter "
            f"or digit; got {name!r}"
        )


def check_database(path: Path) -> None:
    """Refuse an existing file that is not a matcher database, reading it only (no WAL switch,
    no migration, no lock file left behind)."""
    if not path.is_file():
        raise MatcherError(f"{path}: is not a file; give --db a database file")
    if path.stat().st_size == 0:
        return  # an empty file is an empty database
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise MatcherError(
            f"{path}: not a matcher database ({e}); give --db another file"
        ) from None
    if tables and "meta" not in tables:
        raise MatcherError(
            f"{path}: holds tables but is not a matcher database; give --db another file"
        )


class Store(ShortlistStore):
    """Workspaces, API keys, shortlists and feedback in one SQLite file.

    Parameters
    ----------
    path : the database file; created (mode 0600, with the current schema) when missing.

    One connection is shared by the threads of a server and guarded by a lock, so every method
    may be called from any thread.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists():
            check_database(self.path)  # read-only: another program's file is left byte-identical
        else:
            if not self.path.parent.is_dir():
                raise MatcherError(f"{self.path}: cannot create the database: no such directory")
            # keys are hashed, but shortlists are private to a workspace: owner-only by default
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=30, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            # a COMMIT returns only once the WAL is on disk: an acknowledged write survives a
            # killed server (and a power cut)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise MatcherError(f"{self.path}: not a matcher database: {e}") from None

    # -- plumbing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._tx() as db:
            has_meta = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            version = 0
            if has_meta:
                row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = int(row[0]) if row else 0
            elif db.execute("SELECT 1 FROM sqlite_master WHERE type='table'").fetchone():
                raise MatcherError(f"{self.path}: holds tables but is not a matcher database")
            if version > SCHEMA_VERSION:
                raise MatcherError(
                    f"{self.path}: database schema version {version} is newer than this matcher "
                    f"reads ({SCHEMA_VERSION}); upgrade matcher"
                )
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for stmt in _MIGRATIONS[v]:
                    db.execute(stmt)
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(v),),
                )

    @property
    def schema_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- workspaces and keys --------------------------------------------------------------------

    def create_workspace(self, name: str) -> str:
        """Create workspace ``name`` (no-op when it exists); returns the name."""
        check_workspace(name)
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO workspaces (name, created_at) VALUES (?, ?)",
                (name, utc_now()),
            )
        return name

    def workspace_exists(self, name: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM workspaces WHERE name=?", (name,)).fetchone()
        return row is not None

    def create_key(self, workspace: str) -> str:
        """A new API key for an existing workspace. Returned once, in clear; only its hash is kept."""
        if not self.workspace_exists(workspace):
            raise MatcherError(f"no workspace {workspace!r}; create it first")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._tx() as db:
            db.execute(
                "INSERT INTO api_keys (key_hash, hint, workspace, created_at) VALUES (?, ?, ?, ?)",
                (hash_key(key), key[:7], workspace, utc_now()),
            )
        return key

    def list_keys(self, workspace: str | None = None) -> list[dict[str, str]]:
        """Every key (hint, workspace, created_at; never the key), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT hint, workspace, created_at FROM api_keys"
                + (" WHERE workspace=?" if workspace else "")
                + " ORDER BY created_at, rowid",
                (workspace,) if workspace else (),
            ).fetchall()
        return [{"hint": h, "workspace": w, "created_at": c} for h, w, c in rows]

    def revoke_key(self, key: str | None = None, hint: str | None = None) -> dict[str, str]:
        """Delete one key, given in full or by its hint (refused when the hint names several);
        the next request with it gets 401. Returns what was revoked."""
        if (key is None) == (hint is None):
            raise MatcherError("give the key or its hint, not both")
        with self._tx() as db:
            if key is not None:
                rows = db.execute(
                    "SELECT key_hash, hint, workspace FROM api_keys WHERE key_hash=?",
                    (hash_key(key),),
                ).fetchall()
            else:
                rows = db.execute(
                    "SELECT key_hash, hint, workspace FROM api_keys WHERE hint=?", (hint,)
                ).fetchall()
            if not rows:
                raise MatcherError(f"no such key ({'the key given' if key else hint!r})")
            if len(rows) > 1:
                where = ", ".join(sorted({r[2] for r in rows}))
                raise MatcherError(
                    f"hint {hint!r} matches {len(rows)} keys (workspaces: {where}); "
                    "give the whole key with --key"
                )
            db.execute("DELETE FROM api_keys WHERE key_hash=?", (rows[0][0],))
        return {"hint": rows[0][1], "workspace": rows[0][2]}

    def workspace_for_key(self, key: str | None) -> str | None:
        """The workspace an API key belongs to, or None for a missing, malformed or unknown key."""
        if not key or len(key) > _MAX_KEY_LENGTH or not key.startswith(KEY_PREFIX):
            return None
        digest = hash_key(key)
        with self._lock:
            row = self._db.execute(
                "SELECT key_hash, workspace FROM api_keys WHERE key_hash=?", (digest,)
            ).fetchone()
        if row is None or not hmac.compare_digest(row[0], digest):
            return None
        return str(row[1])
