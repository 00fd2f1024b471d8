"""Writing creators in the FORMATS.md record shape, and CSV that spreadsheets cannot execute."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from matcher.io.atomic import PathArg, atomic_write_text
from matcher.schema import Creator, Post


def creator_to_dict(creator: Creator) -> dict[str, Any]:
    """A creator as a FORMATS.md record; missing values and empty lists are left out."""
    out: dict[str, Any] = {"creator_id": creator.creator_id}
    for key in (
        "handle",
        "platform",
        "bio",
        "followers",
        "engagement_rate",
        "language",
        "country",
        "price_per_post",
    ):
        value = getattr(creator, key)
        if value is not None and value != "":
            out[key] = value
    if creator.posts:
        out["posts"] = [_post_to_dict(p) for p in creator.posts]
    if creator.categories:
        out["categories"] = list(creator.categories)
    if creator.audience is not None and not creator.audience.empty:
        a = creator.audience
        parts = {"age": a.age, "gender": a.gender, "countries": a.countries}
        out["audience"] = {k: dict(v) for k, v in parts.items() if v}
    out["currency"] = creator.currency
    return out


def write_creators(path: PathArg, creators: Iterable[Creator]) -> None:
    """Creators as JSON Lines (UTF-8, emoji kept), written atomically."""
    lines = (json.dumps(creator_to_dict(c), ensure_ascii=False) + "\n" for c in creators)
    atomic_write_text(path, "".join(lines))


def _post_to_dict(post: Post) -> dict[str, Any]:
    out: dict[str, Any] = {"text": post.text}
    if post.posted_at is not None:
        out["posted_at"] = post.posted_at.isoformat()
    if post.sponsored is not None:
        out["sponsored"] = post.sponsored
    if post.brands:
        out["brands"] = list(post.brands)
    for key in ("likes", "comments", "views"):
        if getattr(post, key) is not None:
            out[key] = getattr(post, key)
    return out


#: a cell starting with one of these is read as a formula by spreadsheet programs
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """A value for a CSV cell that spreadsheets will not execute (OWASP "CSV injection"):
    text starting with = + - @ tab or CR gets a leading ``'``; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return value if _PLAIN_NUMBER.fullmatch(value) else "'" + value
    return value


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell` (quoting as csv does)."""

    def __init__(self, stream: TextIO, lineterminator: str = "\r\n") -> None:
        self._w = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
