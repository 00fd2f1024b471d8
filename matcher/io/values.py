"""Checking decoded values against FORMATS.md: the scalar and distribution checks.

A :class:`ValueChecker` belongs to one file (or one HTTP body). It collects every
:class:`~matcher.errors.Problem` it sees instead of stopping at the first, and warns once per
unknown key. :class:`matcher.io.records.RecordChecker` builds the nouns from records with it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from matcher.errors import Problem

#: how far a distribution's shares may sum away from 1 (FORMATS.md "Audience object")
SHARE_TOLERANCE = 0.02

#: the largest integer a record may hold (SQLite stores 64-bit integers)
MAX_INTEGER = 2**63 - 1


class UnknownFieldWarning(UserWarning):
    """A record has a key FORMATS.md does not define. It is ignored; warned once per file."""


def is_mapping(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def show(value: object) -> str:
    """A value as an error message shows it: repr, shortened, booleans marked as such."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (a boolean)" if isinstance(value, bool) else text


class ValueChecker:
    """Collects the problems of one source; each check returns the value or None.

    ``line`` is set by the caller before each record; problems carry it. Top-level values that
    are text (CSV cells, string columns of parquet) are parsed as numbers when
    ``cells_are_text`` is true; values nested inside JSON are never coerced.
    """

    def __init__(self, source: str, *, cells_are_text: bool = False) -> None:
        self.source = source
        self.cells_are_text = cells_are_text
        self.problems: list[Problem] = []
        self.line: int | None = None
        #: what ``line`` counts, for messages: ``line`` (text files) or ``row`` (parquet)
        self.unit = "line"
        self._warned: set[str] = set()

    # -- plumbing ---------------------------------------------------------------------------

    def problem(self, field: str | None, message: str, line: int | None = -1) -> None:
        """Record a problem at ``line`` (default: the current record's line)."""
        self.problems.append(
            Problem(self.source, self.line if line == -1 else line, field, message)
        )

    def warn_unknown(
        self, record: Mapping[str, Any], known: frozenset[str], prefix: str = ""
    ) -> None:
        """Warn (once per key per source) about keys FORMATS.md does not define."""
        if known.issuperset(record):
            return
        for key in sorted(record.keys() - known, key=str):
            name = f"{prefix}{key}"
            if name in self._warned:
                continue
            self._warned.add(name)
            where = f" (first on {self.unit} {self.line})" if self.line is not None else ""
            warnings.warn(
                f"{self.source}: unknown field {name!r} ignored{where}",
                UnknownFieldWarning,
                stacklevel=2,
            )

    # -- scalars (each returns None when missing or bad; bad values are recorded) -----------

    def text(self, value: Any, field: str, *, required: bool = False) -> str | None:
        if value is None or (value == "" and not required):
            if required:
                self.problem(field, f"{field} is required: expected a non-empty string")
            return None
        if not isinstance(value, str):
            self.problem(field, f"{field} must be a string, got {show(value)}")
            return None
        if required and not value.strip():
            self.problem(field, f"{field} must be a non-empty string, got {show(value)}")
            return None
        return value

    def integer(
        self,
        value: Any,
        field: str,
        minimum: int,
        *,
        maximum: int = MAX_INTEGER,
        text_ok: bool = False,
    ) -> int | None:
        if value is None:
            return None
        if type(value) is int and minimum <= value <= maximum:  # fast path: the usual JSON int
            return value
        number: int | None = None
        if isinstance(value, bool):
            pass
        elif isinstance(value, numbers.Integral):
            number = int(value)
        elif isinstance(value, numbers.Real) and float(value).is_integer():
            number = int(float(value))
        elif isinstance(value, str) and text_ok:
            try:
                number = int(value)
            except ValueError:
                try:
                    as_float = float(value)
                except ValueError:
                    as_float = math.nan
                number = int(as_float) if as_float.is_integer() else None
        if number is None or number < minimum:
            self.problem(field, f"{field} must be an integer >= {minimum}, got {show(value)}")
            return None
        if number > maximum:
            self.problem(field, f"{field} must be at most {maximum:,}, got {show(value)}")
            return None
        return number

    def number(
        self, value: Any, field: str, *, positive: bool = False, text_ok: bool = False
    ) -> float | None:
        if value is None:
            return None
        number = math.nan
        kind = type(value)
        if kind is float or kind is int or (isinstance(value, numbers.Real) and kind is not bool):
            number = float(value)
        elif isinstance(value, str) and text_ok:
            with contextlib.suppress(ValueError):
                number = float(value)
        if not math.isfinite(number) or number < 0 or (positive and number == 0):
            self.problem(
                field, f"{field} must be a number {'>' if positive else '>='} 0, got {show(value)}"
            )
            return None
        return number

    def choice(self, value: Any, field: str, allowed: tuple[str, ...]) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        self.problem(field, f"{field} must be one of {', '.join(allowed)}; got {show(value)}")
        return None

    def currency(self, value: Any, field: str = "currency") -> str:
        if value is None or value == "":
            return "USD"
        if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isalpha():
            return value.strip().upper()
        self.problem(
            field, f"{field} must be a 3-letter ISO 4217 code such as 'USD', got {show(value)}"
        )
        return "USD"

    def strings(
        self,
        value: Any,
        field: str,
        allowed: tuple[str, ...] | None = None,
        *,
        one_ok: bool = False,
    ) -> tuple[str, ...]:
        """A list of strings (or, with ``one_ok``, a single string) as a tuple."""
        if value is None:
            return ()
        if isinstance(value, str) and one_ok:
            return (value,) if value.strip() else ()
        if isinstance(value, str) or not isinstance(value, list | tuple):
            self.problem(field, f"{field} must be a list of strings, got {show(value)}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(f"{field}[{i}]", f"{field}[{i}] must be a string, got {show(item)}")
            elif allowed is not None and item.strip().lower() not in allowed:
                self.problem(
                    f"{field}[{i}]",
                    f"{field}[{i}] must be one of {', '.join(allowed)}; got {show(item)}",
                )
            else:
                out.append(item.strip().lower() if allowed is not None else item)
        return tuple(out)

    def posted_at(self, value: Any, field: str) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                try:
                    return datetime.fromisoformat(value.strip()).date()
                except ValueError:
                    pass
        self.problem(field, f"{field} must be an ISO 8601 date or datetime, got {show(value)}")
        return None

    # -- nested objects ---------------------------------------------------------------------

    def distribution(
        self, value: Any, field: str, keys: tuple[str, ...] | None, kind: str
    ) -> dict[str, float] | None:
        """Shares >= 0 over ``keys`` summing to 1 (countries: to at most 1), within tolerance."""
        if value is None:
            return None
        if not is_mapping(value):
            self.problem(
                field, f"{field} must be an object mapping {kind} to shares, got {show(value)}"
            )
            return None
        out: dict[str, float] = {}
        ok = True
        for key, share in value.items():
            if share is None:
                continue
            if not isinstance(key, str) or (keys is not None and key not in keys):
                self.problem(
                    f"{field}.{key}",
                    f"unknown {kind} {show(key)} in {field}: expected one of {', '.join(keys or ())}",
                )
                ok = False
                continue
            number = self.number(share, f"{field}.{key}")
            if number is None:
                ok = False
            else:
                out[key] = number
        if not ok or not out:
            return None
        total = sum(out.values())
        if keys is None and total > 1 + SHARE_TOLERANCE:
            self.problem(
                field, f"{field} shares must sum to at most 1 (within 0.02), got {total:.4g}"
            )
            return None
        if keys is not None and abs(total - 1) > SHARE_TOLERANCE:
            self.problem(field, f"{field} shares must sum to 1 (within 0.02), got {total:.4g}")
            return None
        return out
