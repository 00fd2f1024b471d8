"""Checking one decoded record (a dict) against FORMATS.md and building its dataclass.

A :class:`RecordChecker` belongs to one file (or one HTTP body). It collects every
:class:`~matcher.errors.Problem` it sees instead of stopping at the first, and warns once per
unknown key. :mod:`matcher.io` decodes files into records and hands them to it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from matcher.errors import Problem
from matcher.schema import (
    AGE_BUCKETS,
    GENDERS,
    GOALS,
    PLATFORMS,
    TIERS,
    Audience,
    Brief,
    Creator,
    Post,
)

#: how far a distribution's shares may sum away from 1 (FORMATS.md "Audience object")
SHARE_TOLERANCE = 0.02

CREATOR_KEYS = frozenset(f.name for f in fields(Creator))
BRIEF_KEYS = frozenset(f.name for f in fields(Brief))
POST_KEYS = frozenset(f.name for f in fields(Post))
AUDIENCE_KEYS = frozenset(f.name for f in fields(Audience))


class UnknownFieldWarning(UserWarning):
    """A record has a key FORMATS.md does not define. It is ignored; warned once per file."""


def _is_mapping(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _fast_post(value: dict[str, Any]) -> Post | None:
    """A well-formed post without building error messages; None sends it the careful way."""
    get = value.get
    text, when, sponsored, brands = get("text"), get("posted_at"), get("sponsored"), get("brands")
    if type(text) is not str or not (sponsored is None or sponsored is True or sponsored is False):
        return None
    likes, comments, views = get("likes"), get("comments"), get("views")
    for count in (likes, comments, views):
        if count is not None and (type(count) is not int or count < 0):
            return None
    if brands is not None and (type(brands) is not list or any(type(b) is not str for b in brands)):
        return None
    posted_at: date | None = None
    if when is not None:
        if type(when) is not str:
            return None
        try:
            posted_at = date.fromisoformat(when)
        except ValueError:
            return None
    if not POST_KEYS.issuperset(value):
        return None
    return Post(text, posted_at, sponsored, tuple(brands or ()), likes, comments, views)


def show(value: object) -> str:
    """A value as an error message shows it: repr, shortened, booleans marked as such."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (a boolean)" if isinstance(value, bool) else text


class RecordChecker:
    """Collects the problems of one source and turns valid records into dataclasses.

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

    def integer(self, value: Any, field: str, minimum: int, *, text_ok: bool = False) -> int | None:
        if value is None:
            return None
        if type(value) is int and value >= minimum:  # fast path: the usual JSON integer
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
        if not _is_mapping(value):
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

    def audience(self, value: Any, field: str = "audience") -> Audience | None:
        if value is None:
            return None
        if not _is_mapping(value):
            self.problem(
                field,
                f"{field} must be an object with age, gender and/or countries, got {show(value)}",
            )
            return None
        self.warn_unknown(value, AUDIENCE_KEYS, f"{field}.")
        age = self.distribution(value.get("age"), f"{field}.age", AGE_BUCKETS, "age bucket")
        gender = self.distribution(value.get("gender"), f"{field}.gender", GENDERS, "gender")
        countries = self.distribution(value.get("countries"), f"{field}.countries", None, "country")
        if age is None and gender is None and countries is None:
            return None
        return Audience(age=age, gender=gender, countries=countries)

    def post(self, value: Any, field: str) -> Post | None:
        if type(value) is dict:
            fast = _fast_post(value)
            if fast is not None:
                return fast
        if not _is_mapping(value):
            self.problem(field, f"{field} must be a post object with a 'text', got {show(value)}")
            return None
        self.warn_unknown(value, POST_KEYS, "posts[].")
        before = len(self.problems)
        text = value.get("text")
        if text is None:
            self.problem(f"{field}.text", f"{field}.text is required: every post needs its text")
        elif not isinstance(text, str):
            self.problem(f"{field}.text", f"{field}.text must be a string, got {show(text)}")
        sponsored = value.get("sponsored")
        if sponsored is not None and not isinstance(sponsored, bool):
            self.problem(
                f"{field}.sponsored",
                f"{field}.sponsored must be true, false or null, got {show(sponsored)}",
            )
        post = Post(
            text=text if isinstance(text, str) else "",
            posted_at=self.posted_at(value.get("posted_at"), f"{field}.posted_at"),
            sponsored=sponsored if isinstance(sponsored, bool) else None,
            brands=self.strings(value.get("brands"), f"{field}.brands"),
            likes=self.integer(value.get("likes"), f"{field}.likes", 0),
            comments=self.integer(value.get("comments"), f"{field}.comments", 0),
            views=self.integer(value.get("views"), f"{field}.views", 0),
        )
        return post if len(self.problems) == before else None

    # -- records ----------------------------------------------------------------------------

    def creator(self, record: Mapping[str, Any]) -> Creator | None:
        """The Creator of one record, or None (with problems recorded) when it is invalid."""
        before = len(self.problems)
        self.warn_unknown(record, CREATOR_KEYS)
        text_ok = self.cells_are_text
        creator_id = self.text(record.get("creator_id"), "creator_id", required=True)
        handle = self.text(record.get("handle"), "handle")
        raw_posts = record.get("posts")
        posts: list[Post] = []
        if raw_posts is not None and not isinstance(raw_posts, list | tuple):
            self.problem("posts", f"posts must be a list of post objects, got {show(raw_posts)}")
        elif raw_posts is not None:
            for i, raw in enumerate(raw_posts):
                post = self.post(raw, f"posts[{i}]")
                if post is not None:
                    posts.append(post)
        creator = Creator(
            creator_id=creator_id or "",
            handle=handle.lstrip("@") if handle else None,
            platform=self.choice(record.get("platform"), "platform", PLATFORMS),
            bio=self.text(record.get("bio"), "bio") or "",
            posts=tuple(posts),
            followers=self.integer(record.get("followers"), "followers", 0, text_ok=text_ok),
            engagement_rate=self.number(
                record.get("engagement_rate"), "engagement_rate", text_ok=text_ok
            ),
            language=self.text(record.get("language"), "language"),
            country=self.text(record.get("country"), "country"),
            categories=self.strings(record.get("categories"), "categories"),
            audience=self.audience(record.get("audience")),
            price_per_post=self.number(
                record.get("price_per_post"), "price_per_post", text_ok=text_ok
            ),
            currency=self.currency(record.get("currency")),
        )
        return creator if len(self.problems) == before else None

    def brief(self, record: Mapping[str, Any], default_id: str | None) -> Brief | None:
        """The Brief of one record, or None. ``default_id`` None means brief_id is required."""
        before = len(self.problems)
        self.warn_unknown(record, BRIEF_KEYS)
        if default_id is None or record.get("brief_id") is not None:
            brief_id = self.text(record.get("brief_id"), "brief_id", required=True)
        else:
            brief_id = default_id
        exclusivity = self.integer(record.get("exclusivity_days"), "exclusivity_days", 0)
        k = self.integer(record.get("k"), "k", 1)
        brief = Brief(
            brief_id=brief_id or "",
            brand=self.text(record.get("brand"), "brand", required=True) or "",
            description=self.text(record.get("description"), "description", required=True) or "",
            category=self.text(record.get("category"), "category"),
            tone=self.strings(record.get("tone"), "tone", one_ok=True),
            audience=self.audience(record.get("audience")),
            goal=self.choice(record.get("goal"), "goal", GOALS),
            tiers=self.strings(record.get("tiers"), "tiers", TIERS),
            budget=self.number(record.get("budget"), "budget", positive=True),
            currency=self.currency(record.get("currency")),
            competitors=self.strings(record.get("competitors"), "competitors"),
            exclusivity_days=exclusivity,
            platforms=self.strings(record.get("platforms"), "platforms", PLATFORMS),
            languages=self.strings(record.get("languages"), "languages"),
            countries=self.strings(record.get("countries"), "countries"),
            exclude_creators=self.strings(record.get("exclude_creators"), "exclude_creators"),
            k=20 if k is None else k,
        )
        return brief if len(self.problems) == before else None
