"""Checking decoded values against FORMATS.md: the scalar and distribution checks.

A :class:`ValueChecker` belongs to one file (or one HTTP body). It collects every
:class:`~matcher.errors.Problem` it sees instead of stopping at the first, and warns once per
unknown key. :class:`matcher.io.records.RecordChecker` builds the nouns from records with it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from matcher.errors import Problem

#: how far a distribution's shares may sum away from 1 (FORMATS.md "Audience object")
SHARE_TOLERANCE = 0.02

#: the largest integer a record may hold (SQLite stores 64-bit integers)
MAX_INTEGER = 2**63 - 1


class UnknownFieldWarning(UserWarning):
    """A record has a key FORMATS.md does not define. It is ignored; warned once per file."""


class PlausibilityWarning(UserWarning):
    """A value FORMATS.md allows but that is likely a mistake (an engagement rate of 5.4 given
    as a percentage). Kept as written, never reinterpreted; an error under ``--strict``."""


_HUMAN_NUMBER = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<unit>[kKmMbB]?)")
_UNIT = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9}


def spelled_number(value: str) -> int | None:
    """The whole number a person meant by ``12,000``, ``12.5k``, ``1.2M`` or ``"12000"``; None
    when the text is not one of those spellings (or does not make a whole number)."""
    m = _HUMAN_NUMBER.fullmatch(value.strip())
    if m is None or ("." in m["num"] and not m["unit"]):
        return None  # "12.000": a decimal or a European thousands separator; no guess
    number = Decimal(m["num"].replace(",", "")) * _UNIT[m["unit"].lower()]
    return int(number) if number == number.to_integral_value() else None


def is_mapping(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def unencodable(text: str) -> int | None:
    """Where ``text`` holds a lone UTF-16 surrogate (JSON allows ``"\\ud800"``; no UTF-8 file or
    database can store it); None when it is fine."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return e.start
    return None


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

    def __init__(self, source: str, *, cells_are_text: bool = False, strict: bool = False) -> None:
        self.source = source
        self.cells_are_text = cells_are_text
        #: plausibility doubts are problems (``--strict``) instead of warnings
        self.strict = strict
        self.problems: list[Problem] = []
        #: field -> (first line, message, count) of the plausibility doubts not yet warned
        self._doubts: dict[str, tuple[int | None, str, int]] = {}
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

    def doubt(self, field: str, message: str) -> None:
        """A valid value that is likely wrong: a problem under ``strict``, else one warning per
        field per source (its first line and how many more), from :meth:`warn_doubts`."""
        if self.strict:
            self.problem(field, f"{message} (an error under --strict)")
            return
        first = self._doubts.get(field)
        self._doubts[field] = (
            (self.line, message, 1) if first is None else (first[0], first[1], first[2] + 1)
        )

    def warn_doubts(self) -> None:
        """Warn about the doubts seen so far (call once the whole source is read)."""
        for line, message, count in self._doubts.values():
            where = f"{self.unit} {line}: " if line is not None else ""
            more = f" ({count - 1} more like it)" if count > 1 else ""
            warnings.warn(
                f"{self.source}: {where}{message}{more}; --strict makes this an error",
                PlausibilityWarning,
                stacklevel=2,
            )
        self._doubts.clear()

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
        return value if self.encodable(value, field) else None

    def encodable(self, value: str, field: str) -> bool:
        """False (a problem recorded) when ``value`` holds a lone surrogate."""
        at = unencodable(value)
        if at is None:
            return True
        self.problem(
            field,
            f"{field} holds an invalid character (a lone surrogate {ascii(value[at])} at "
            f"position {at}, from an escape such as \\ud800): remove or replace it",
        )
        return False

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
            meant = spelled_number(value) if isinstance(value, str) else None
            fix = f": write {meant} (a plain number)" if meant is not None else ""
            self.problem(field, f"{field} must be an integer >= {minimum}, got {show(value)}{fix}")
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
            elif not self.encodable(item, f"{field}[{i}]"):
                pass
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
            if isinstance(key, str) and not self.encodable(key, f"{field} key"):
                ok = False
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
        # shares given as percentages (25 for 25%): say so, with the fix
        percent = (
            1 + SHARE_TOLERANCE < total <= 100 * (1 + SHARE_TOLERANCE) and max(out.values()) > 1
        )
        hint = (
            f"; these look like percentages: write fractions (e.g. {_example(out)})"
            if percent
            else ""
        )
        if keys is None and total > 1 + SHARE_TOLERANCE:
            self.problem(
                field,
                f"{field} shares must sum to at most 1 (within 0.02), got {total:.4g}{hint}",
            )
            return None
        if keys is not None and abs(total - 1) > SHARE_TOLERANCE:
            self.problem(
                field, f"{field} shares must sum to 1 (within 0.02), got {total:.4g}{hint}"
            )
            return None
        return out


def _example(shares: dict[str, float]) -> str:
    key, share = max(shares.items(), key=lambda kv: kv[1])
    return f"{key}: {share:g} -> {share / 100:g}"
