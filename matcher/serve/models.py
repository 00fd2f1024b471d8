"""Request and response bodies of the HTTP API (pydantic), so ``/openapi.json`` is a real contract.

A brief is checked once, by the record checker brief files go through
(:func:`matcher.io.brief_from_dict`, via :func:`parse_brief`): a brief the API accepts is a brief
a file may hold, and the API reports the same problems. :class:`BriefIn` documents it in the
OpenAPI spec (mirroring FORMATS.md). Extra keys of a brief are allowed and ignored, as in files.
Every problem reaches the client in one shape:
``{"detail": [{"loc": ["body", "tiers", 0], "msg": ..., "type": ...}]}``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from matcher.errors import Problem, ValidationError
from matcher.io import brief_from_dict
from matcher.schema import Brief
from matcher.signals import SIGNALS

#: most creators one request may ask for; the engine retrieves 1,000 candidates by default
MAX_K = 500
#: most creators one saved shortlist may hold
MAX_SHORTLIST = 500


def _lower(v: Any) -> Any:
    """Vocabularies are case-insensitive in files; keep the API the same."""
    return v.strip().lower() if isinstance(v, str) else v


AgeBucket = Literal["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
Gender = Literal["female", "male", "other"]
GoalName = Annotated[Literal["awareness", "conversion", "hybrid"], BeforeValidator(_lower)]
TierName = Annotated[Literal["nano", "micro", "macro", "mega"], BeforeValidator(_lower)]
PlatformName = Annotated[
    Literal["instagram", "tiktok", "youtube", "twitch", "x", "other"], BeforeValidator(_lower)
]
Share = Annotated[float, Field(ge=0, le=1)]
SignalValue = Annotated[float | None, Field(description="in [0, 1]; null when unknown")]


class AudienceIn(BaseModel):
    """Target audience: each part a share distribution (age and gender sum to 1 within 0.02)."""

    model_config = ConfigDict(strict=True, extra="allow")

    age: dict[AgeBucket, Share | None] | None = Field(None, examples=[{"18-24": 0.6, "25-34": 0.4}])
    gender: dict[Gender, Share | None] | None = Field(
        None, examples=[{"female": 0.7, "male": 0.28, "other": 0.02}]
    )
    countries: dict[str, Share | None] | None = Field(
        None, description="ISO 3166-1 alpha-2 code -> share (may sum to less than 1)"
    )


class BriefIn(BaseModel):
    """A campaign brief (FORMATS.md "Briefs")."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "brand": "Trailhead",
                    "description": "Lightweight trail running shoes for long mountain races",
                    "tone": ["expert", "calm"],
                    "audience": {"age": {"25-34": 0.6, "35-44": 0.4}},
                    "goal": "conversion",
                    "tiers": ["micro", "macro"],
                    "budget": 20000,
                    "currency": "USD",
                    "competitors": ["Hoka"],
                    "k": 10,
                }
            ]
        },
    )

    brief_id: str | None = Field(None, description="defaults to 'brief'")
    brand: str = Field(min_length=1)
    description: str = Field(min_length=1, description="product, campaign, what the brand wants")
    category: str | None = None
    tone: str | list[str] | None = Field(None, description="e.g. playful, expert, luxury, calm")
    audience: AudienceIn | None = None
    goal: GoalName | None = None
    tiers: list[TierName] | None = Field(None, description="acceptable follower tiers")
    budget: float | None = Field(None, gt=0, description="total campaign budget, in currency")
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217")
    competitors: list[str] | None = None
    exclusivity_days: int | None = Field(None, ge=0)
    platforms: list[PlatformName] | None = None
    languages: list[str] | None = Field(None, description="ISO 639-1 codes")
    countries: list[str] | None = Field(None, description="ISO 3166-1 alpha-2 markets")
    exclude_creators: list[str] | None = None
    k: int | None = Field(None, ge=1, le=MAX_K, description="creators to return (default 20)")


#: every signal's value, one field per signal of the registry
SignalsOut = create_model("SignalsOut", **{s: (SignalValue, ...) for s in SIGNALS})  # type: ignore[call-overload]


class FactsOut(BaseModel):
    """What the catalogue says about a matched creator (null when unknown), for display."""

    followers: int | None
    tier: Literal["emerging", "nano", "micro", "macro", "mega"] | None
    platform: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2 code where the creator is based")
    language: str | None = Field(description="ISO 639-1 code")
    engagement_rate: float | None = Field(description="a fraction: 0.054 = 5.4%")
    tier_engagement_norm: float | None = Field(
        description="typical engagement rate of the tier (nano 0.124, micro 0.078, macro 0.032, "
        "mega 0.017)"
    )
    price: float | None = Field(
        description="one sponsored post in price_currency: the creator's stated price converted, "
        "else the tier's estimate; null when neither is known or the currency is unknown"
    )
    price_currency: str = Field(description="the brief's currency (ISO 4217)")
    price_estimated: bool | None = Field(description="true when price is an estimate")
    price_basis: str | None = Field(
        None, description="what an estimated price is based on; null for a stated price"
    )
    audience_known: bool = Field(description="the creator has audience data")


class MatchOut(BaseModel):
    creator_id: str
    rank: int
    score: float
    signals: SignalsOut  # type: ignore[valid-type]
    contributions: dict[str, float] = Field(description="signal -> its part of the score")
    reasons: list[str]
    handle: str | None = Field(None, description="left out when unknown")
    flags: list[str] | None = Field(None, description="e.g. suspected-fake-followers")
    facts: FactsOut | None = Field(
        None, description="the creator's catalogue facts; left out when not in the catalogue"
    )


class ExcludedOut(BaseModel):
    creator_id: str
    why: str


class ShortlistOut(BaseModel):
    """FORMATS.md "Shortlist output", plus the ranker that produced it."""

    brief_id: str
    matches: list[MatchOut]
    excluded: list[ExcludedOut]
    ranker: str
    notes: list[str] | None = Field(
        None, description="about the list as a whole, e.g. when fewer creators fit than asked"
    )


class PostOut(BaseModel):
    text: str
    posted_at: str | None = None
    sponsored: bool | None = None
    brands: list[str] | None = None
    likes: int | None = None
    comments: int | None = None
    views: int | None = None


class CreatorAudienceOut(BaseModel):
    age: dict[str, float] | None = None
    gender: dict[str, float] | None = None
    countries: dict[str, float] | None = None


class CreatorOut(BaseModel):
    """A creator as in FORMATS.md; unknown fields are left out."""

    creator_id: str
    handle: str | None = None
    platform: str | None = None
    bio: str | None = None
    posts: list[PostOut] | None = None
    followers: int | None = None
    engagement_rate: float | None = None
    language: str | None = None
    country: str | None = None
    categories: list[str] | None = None
    audience: CreatorAudienceOut | None = None
    price_per_post: float | None = None
    currency: str


#: a shortlist's name, when saved and when renamed
ShortlistName = Annotated[str, Field(min_length=1, max_length=200)]
#: most reasons one saved item may carry, and the longest reason
MAX_REASONS, MAX_REASON_LENGTH = 50, 1000


class ShortlistItem(BaseModel):
    """What was shown of one creator when the shortlist was saved (e.g. a match of /v1/match)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    creator_id: str = Field(min_length=1)
    rank: int | None = Field(None, ge=1, description="default: its position in items, from 1")
    score: float | None = Field(None, allow_inf_nan=False)
    reasons: list[Annotated[str, Field(max_length=MAX_REASON_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_REASONS
    )


class ShortlistCreate(BaseModel):
    """A shortlist to save: ``creator_ids``, or ``items`` (what was shown of each), or both
    (then in the same order)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: ShortlistName
    creator_ids: list[str] | None = Field(
        None, min_length=1, max_length=MAX_SHORTLIST, description="in rank order, no duplicates"
    )
    items: list[ShortlistItem] | None = Field(
        None, min_length=1, max_length=MAX_SHORTLIST, description="in rank order, no duplicates"
    )
    brief: dict[str, Any] | None = Field(
        None,
        description="the brief the shortlist answers (a BriefIn, checked like /v1/match)",
    )


class SavedItem(BaseModel):
    creator_id: str
    rank: int
    score: float | None
    reasons: list[str]


class SavedShortlist(BaseModel):
    id: str = Field(description="random, URL-safe")
    name: str
    creator_ids: list[str]
    brief: dict[str, Any] | None
    created_at: str = Field(description="ISO 8601, UTC")
    items: list[SavedItem] | None = Field(
        description="rank, score and reasons as saved; null when only creator_ids were saved"
    )


class SavedShortlistFacts(SavedShortlist):
    """One saved shortlist as ``GET /v1/shortlists/{id}`` shows it: with its creators' facts."""

    facts: dict[str, FactsOut] = Field(
        description="each creator's facts today (creator_id -> facts), prices in the saved "
        "brief's currency; creators since removed from the catalogue are left out",
    )


class SavedShortlists(BaseModel):
    shortlists: list[SavedShortlist] = Field(description="newest first")


class Health(BaseModel):
    status: Literal["ok"]
    creators: int = Field(description="creators in the index")
    model: str
    model_fingerprint: str
    ranker: str


class ProblemOut(BaseModel):
    loc: list[str | int] = Field(description="path of the bad field, e.g. ['body', 'tiers', 0]")
    msg: str
    type: str


class ValidationProblems(BaseModel):
    detail: list[ProblemOut]


class ErrorOut(BaseModel):
    detail: str


# -- turning problems into 422 details -----------------------------------------------------------

_UNION_TAG = re.compile(r"^(\[key\]|str|int|float|bool|list\[.*\]|dict\[.*\]|[a-z-]+\[.*\])$")


def clean_loc(loc: Any) -> list[str | int]:
    """Pydantic's loc without its internal tags (``[key]``, union member names)."""
    return [p for p in loc if isinstance(p, int) or not _UNION_TAG.match(str(p))]


_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_loc(field: str | None) -> list[str | int]:
    """``audience.age.18-24`` -> ``["audience", "age", "18-24"]``; ``tiers[1]`` -> ``["tiers", 1]``."""
    if not field:
        return []
    return [int(i) if i else name for name, i in _FIELD_PART.findall(field)]


def problems_to_errors(problems: list[Problem], prefix: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"loc": [*prefix, *field_loc(p.field)], "msg": p.message, "type": "value_error"}
        for p in problems
    ]


def parse_brief(raw: Any, prefix: tuple[str, ...]) -> tuple[Brief, dict[str, Any]]:
    """The engine's Brief and the brief as JSON, from a decoded body; every problem raises one
    422 naming each field."""
    try:
        brief = brief_from_dict(raw, source="request")
    except ValidationError as e:
        raise RequestValidationError(problems_to_errors(e.problems, prefix)) from None
    if brief.k > MAX_K:
        msg = f"k must be at most {MAX_K}, got {brief.k}"
        raise RequestValidationError([{"loc": [*prefix, "k"], "msg": msg, "type": "value_error"}])
    return brief, raw
