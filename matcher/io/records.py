"""Checking one decoded record (a dict) against FORMATS.md and building its noun.

:class:`RecordChecker` adds to the value checks of :class:`~matcher.io.values.ValueChecker` the
post, audience, creator and brief records. :mod:`matcher.io.files` decodes files into records
and hands them to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from matcher.io.values import MAX_INTEGER, ValueChecker, is_mapping, show, unencodable
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

CREATOR_KEYS = frozenset(f.name for f in fields(Creator))
BRIEF_KEYS = frozenset(f.name for f in fields(Brief))
POST_KEYS = frozenset(f.name for f in fields(Post))
AUDIENCE_KEYS = frozenset(f.name for f in fields(Audience))

#: more followers than any account has (the largest have under a billion)
MAX_FOLLOWERS = 10**10


def _fast_post(value: dict[str, Any]) -> Post | None:
    """A well-formed post without building error messages; None sends it the careful way."""
    get = value.get
    text, when, sponsored, brands = get("text"), get("posted_at"), get("sponsored"), get("brands")
    if type(text) is not str or not (sponsored is None or sponsored is True or sponsored is False):
        return None
    if not text.isascii() and unencodable(text) is not None:
        return None
    likes, comments, views = get("likes"), get("comments"), get("views")
    for count in (likes, comments, views):
        if count is not None and (type(count) is not int or not 0 <= count <= MAX_INTEGER):
            return None
    if brands is not None and (type(brands) is not list or any(type(b) is not str for b in brands)):
        return None
    if brands and any(not b.isascii() and unencodable(b) is not None for b in brands):
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


class RecordChecker(ValueChecker):
    """Collects the problems of one source and turns valid records into dataclasses.

    ``line`` is set by the caller before each record; problems carry it. Top-level values that
    are text (CSV cells, string columns of parquet) are parsed as numbers when
    ``cells_are_text`` is true; values nested inside JSON are never coerced.
    """

    def audience(self, value: Any, field: str = "audience") -> Audience | None:
        if value is None:
            return None
        if not is_mapping(value):
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
        if not is_mapping(value):
            self.problem(field, f"{field} must be a post object with a 'text', got {show(value)}")
            return None
        self.warn_unknown(value, POST_KEYS, "posts[].")
        before = len(self.problems)
        text = value.get("text")
        if text is None:
            self.problem(f"{field}.text", f"{field}.text is required: every post needs its text")
        elif not isinstance(text, str):
            self.problem(f"{field}.text", f"{field}.text must be a string, got {show(text)}")
        else:
            self.encodable(text, f"{field}.text")
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
            followers=self.integer(
                record.get("followers"), "followers", 0, maximum=MAX_FOLLOWERS, text_ok=text_ok
            ),
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
        rate = creator.engagement_rate
        if rate is not None and rate > 1:
            self.doubt(
                "engagement_rate",
                f"engagement_rate {rate:g} is above 1 ({rate * 100:.4g}%), but it is a fraction "
                f"(0.054 = 5.4%): if {rate:g} means {rate:g}%, write {rate / 100:g}",
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
