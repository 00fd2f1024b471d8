"""The saved-shortlist half of :class:`matcher.serve.store.Store`: shortlists and their feedback.

Kept apart from the store's plumbing (connection, schema, migrations, keys) so each module stays
small; :class:`ShortlistStore` is a mixin that ``Store`` inherits, and every statement here runs
through the store's lock and transactions. Every read and write names the workspace: a shortlist
of another workspace (and its feedback) looks exactly like a missing one.

A shortlist holds creator ids in rank order, optionally the brief it answers and, per creator,
what was shown when it was saved (``items``: rank, score, reasons). Feedback is one vote per
creator and shortlist (``like`` or ``dislike``); clearing a vote deletes it, and deleting a
shortlist deletes its feedback in the same transaction.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

from matcher.errors import MatcherError

Vote = Literal["like", "dislike"]
VOTES: tuple[Vote, ...] = ("like", "dislike")
_COLUMNS = "id, workspace, name, creator_ids, brief, created_at, items"


class ShortlistItem(TypedDict):
    """What was shown of one creator when its shortlist was saved."""

    creator_id: str
    rank: int
    score: float | None
    reasons: list[str]


class ShortlistRecord(TypedDict):
    """A saved shortlist as the store returns it (``items`` None when only ids were saved)."""

    id: str
    workspace: str
    name: str
    creator_ids: list[str]
    brief: dict[str, Any] | None
    created_at: str
    items: list[ShortlistItem] | None


class FeedbackRow(TypedDict):
    """One vote, as :meth:`ShortlistStore.workspace_feedback` lists it."""

    shortlist_id: str
    creator_id: str
    vote: Vote


def utc_now() -> str:
    """Now, ISO 8601 in UTC with milliseconds and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ShortlistStore:
    """Shortlists and feedback of :class:`matcher.serve.store.Store` (a mixin: the store provides
    the connection, its lock and :meth:`_tx`)."""

    _db: sqlite3.Connection
    _lock: threading.RLock

    def _tx(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # Store._tx

    def workspace_exists(self, name: str) -> bool:
        raise NotImplementedError  # Store.workspace_exists

    # -- shortlists -----------------------------------------------------------------------------

    def save_shortlist(
        self,
        workspace: str,
        name: str,
        creator_ids: Sequence[str],
        brief: dict[str, Any] | None = None,
        items: Sequence[ShortlistItem] | None = None,
    ) -> ShortlistRecord:
        """Store a shortlist (creator ids in rank order, optionally what was shown of each in
        ``items``, in the same order) and return it with its new random id."""
        if not self.workspace_exists(workspace):
            raise MatcherError(f"no workspace {workspace!r}")
        ids = list(creator_ids)
        kept = None if items is None else [_item(i) for i in items]
        if kept is not None and [i["creator_id"] for i in kept] != ids:
            raise ValueError("items must hold the creator_ids, in the same order")
        record = ShortlistRecord(
            id=secrets.token_urlsafe(12),
            workspace=workspace,
            name=name,
            creator_ids=ids,
            brief=None if brief is None else dict(brief),
            created_at=utc_now(),
            items=kept,
        )
        with self._tx() as db:
            db.execute(
                f"INSERT INTO shortlists ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record["id"],
                    workspace,
                    name,
                    json.dumps(ids, ensure_ascii=False),
                    None if brief is None else json.dumps(brief, ensure_ascii=False),
                    record["created_at"],
                    None if kept is None else json.dumps(kept, ensure_ascii=False),
                ),
            )
        return record

    def get_shortlist(self, workspace: str, shortlist_id: str) -> ShortlistRecord | None:
        """The shortlist, or None when it does not exist *or belongs to another workspace*."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM shortlists WHERE id=? AND workspace=?",
                (shortlist_id, workspace),
            ).fetchone()
        return None if row is None else _record(row)

    def list_shortlists(self, workspace: str, limit: int | None = None) -> list[ShortlistRecord]:
        """The workspace's shortlists, newest first (at most ``limit``)."""
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM shortlists WHERE workspace=?"
                " ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (workspace, -1 if limit is None else limit),
            ).fetchall()
        return [_record(r) for r in rows]

    def rename_shortlist(
        self, workspace: str, shortlist_id: str, name: str
    ) -> ShortlistRecord | None:
        """Give the shortlist a new name; returns it, or None when it is not the workspace's."""
        with self._tx() as db:
            done = db.execute(
                "UPDATE shortlists SET name=? WHERE id=? AND workspace=?",
                (name, shortlist_id, workspace),
            ).rowcount
        return self.get_shortlist(workspace, shortlist_id) if done else None

    def delete_shortlist(self, workspace: str, shortlist_id: str) -> bool:
        """Delete the shortlist and its feedback (one transaction); False when it is not the
        workspace's (nothing is deleted then)."""
        with self._tx() as db:
            owned = db.execute(
                "SELECT 1 FROM shortlists WHERE id=? AND workspace=?", (shortlist_id, workspace)
            ).fetchone()
            if owned is None:
                return False
            db.execute("DELETE FROM feedback WHERE shortlist_id=?", (shortlist_id,))
            db.execute("DELETE FROM shortlists WHERE id=?", (shortlist_id,))
        return True

    # -- feedback -------------------------------------------------------------------------------

    def set_feedback(
        self, workspace: str, shortlist_id: str, creator_id: str, vote: Vote | None
    ) -> bool:
        """Record a vote on a creator of the shortlist (None clears it); False when the shortlist
        is not the workspace's (nothing is written then)."""
        if vote is not None and vote not in VOTES:
            raise ValueError(f"vote must be 'like', 'dislike' or None, got {vote!r}")
        if not isinstance(creator_id, str) or not creator_id:
            raise ValueError(f"creator_id must be a non-empty string, got {creator_id!r}")
        with self._tx() as db:
            owned = db.execute(
                "SELECT 1 FROM shortlists WHERE id=? AND workspace=?", (shortlist_id, workspace)
            ).fetchone()
            if owned is None:
                return False
            if vote is None:
                db.execute(
                    "DELETE FROM feedback WHERE shortlist_id=? AND creator_id=?",
                    (shortlist_id, creator_id),
                )
            else:
                db.execute(
                    "INSERT INTO feedback (shortlist_id, creator_id, vote, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (shortlist_id, creator_id)"
                    " DO UPDATE SET vote=excluded.vote, updated_at=excluded.updated_at",
                    (shortlist_id, creator_id, vote, utc_now()),
                )
        return True

    def feedback(self, workspace: str, shortlist_id: str) -> dict[str, list[str]] | None:
        """``{"likes": [...], "dislikes": [...]}`` of the shortlist, each in the order the votes
        were cast; None when the shortlist is not the workspace's."""
        with self._lock:
            if self.get_shortlist(workspace, shortlist_id) is None:
                return None
            rows = self._db.execute(
                "SELECT creator_id, vote FROM feedback WHERE shortlist_id=?"
                " ORDER BY updated_at, rowid",
                (shortlist_id,),
            ).fetchall()
        return {
            "likes": [c for c, v in rows if v == "like"],
            "dislikes": [c for c, v in rows if v == "dislike"],
        }

    def workspace_feedback(self, workspace: str) -> list[FeedbackRow]:
        """Every vote of the workspace: by shortlist (oldest first), then creator id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT f.shortlist_id, f.creator_id, f.vote FROM feedback f"
                " JOIN shortlists s ON s.id = f.shortlist_id WHERE s.workspace=?"
                " ORDER BY s.created_at, s.rowid, f.creator_id",
                (workspace,),
            ).fetchall()
        return [FeedbackRow(shortlist_id=s, creator_id=c, vote=v) for s, c, v in rows]


def _item(i: ShortlistItem) -> ShortlistItem:
    score = i["score"]
    return ShortlistItem(
        creator_id=i["creator_id"],
        rank=int(i["rank"]),
        score=None if score is None else float(score),
        reasons=[str(r) for r in i["reasons"]],
    )


def _record(row: tuple[Any, ...]) -> ShortlistRecord:
    return ShortlistRecord(
        id=row[0],
        workspace=row[1],
        name=row[2],
        creator_ids=list(json.loads(row[3])),
        brief=None if row[4] is None else json.loads(row[4]),
        created_at=row[5],
        items=None if row[6] is None else list(json.loads(row[6])),
    )
