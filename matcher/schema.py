"""The nouns: Creator, Post, Audience, Brief, Match, Shortlist and tiers (signal names:
:data:`matcher.signals.SIGNALS`).

Plain frozen dataclasses; validation happens in :mod:`matcher.io` at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# -- vocabularies -----------------------------------------------------------------------------

PLATFORMS = ("instagram", "tiktok", "youtube", "twitch", "x", "other")
AGE_BUCKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("female", "male", "other")
GOALS = ("awareness", "conversion", "hybrid")
TIERS = ("nano", "micro", "macro", "mega")
#: follower count at which each tier starts (FORMATS.md "Tiers"); below 1,000 is "emerging"
TIER_FLOORS = {"nano": 1_000, "micro": 10_000, "macro": 100_000, "mega": 1_000_000}
#: typical engagement rate per tier (industry benchmarks); "emerging" judged like nano
TIER_ENGAGEMENT_NORM = {
    "emerging": 0.124,
    "nano": 0.124,
    "micro": 0.078,
    "macro": 0.032,
    "mega": 0.017,
}
#: typical price of one sponsored post per tier, USD (low, typical, high)
TIER_PRICE_USD = {
    "emerging": (20.0, 60.0, 150.0),
    "nano": (50.0, 150.0, 500.0),
    "micro": (100.0, 800.0, 5_000.0),
    "macro": (2_000.0, 6_000.0, 15_000.0),
    "mega": (10_000.0, 40_000.0, 500_000.0),
}


def tier_of(followers: int | None) -> str | None:
    """Tier name for a follower count: ``emerging`` below 1,000, ``None`` when unknown."""
    if followers is None:
        return None
    if followers >= 1_000_000:
        return "mega"
    if followers >= 100_000:
        return "macro"
    if followers >= 10_000:
        return "micro"
    if followers >= 1_000:
        return "nano"
    return "emerging"


# -- creators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who follows a creator, or whom a brief targets. Each part is a share distribution or None."""

    age: dict[str, float] | None = None
    gender: dict[str, float] | None = None
    countries: dict[str, float] | None = None

    @property
    def empty(self) -> bool:
        return not (self.age or self.gender or self.countries)


@dataclass(frozen=True)
class Post:
    text: str
    posted_at: date | None = None
    sponsored: bool | None = None
    brands: tuple[str, ...] = ()
    likes: int | None = None
    comments: int | None = None
    views: int | None = None


@dataclass(frozen=True)
class Creator:
    creator_id: str
    handle: str | None = None
    platform: str | None = None
    bio: str = ""
    posts: tuple[Post, ...] = ()
    followers: int | None = None
    engagement_rate: float | None = None
    language: str | None = None
    country: str | None = None
    categories: tuple[str, ...] = ()
    audience: Audience | None = None
    price_per_post: float | None = None
    currency: str = "USD"

    @property
    def tier(self) -> str | None:
        return tier_of(self.followers)


# -- briefs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    brand: str
    description: str
    brief_id: str = "brief"
    category: str | None = None
    tone: tuple[str, ...] = ()
    audience: Audience | None = None
    goal: str | None = None
    tiers: tuple[str, ...] = ()
    budget: float | None = None
    currency: str = "USD"
    competitors: tuple[str, ...] = ()
    #: None: the ``exclusivity_days`` setting applies (90 days by default)
    exclusivity_days: int | None = None
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    exclude_creators: tuple[str, ...] = ()
    k: int = 20

    @property
    def query_text(self) -> str:
        """The text embedded for niche retrieval: what the brand sells and to whom."""
        parts = [self.description]
        if self.category:
            parts.insert(0, self.category)
        return ". ".join(p.strip() for p in parts if p and p.strip())


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    creator_id: str
    rank: int
    score: float
    #: signal name -> value in [0, 1], or None when the signal is unknown for this creator
    signals: dict[str, float | None]
    #: signal (or feature) name -> its contribution to the score
    contributions: dict[str, float]
    reasons: tuple[str, ...]
    handle: str | None = None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "creator_id": self.creator_id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "signals": {k: (None if v is None else round(v, 4)) for k, v in self.signals.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "reasons": list(self.reasons),
        }
        if self.handle:
            out["handle"] = self.handle
        if self.flags:
            out["flags"] = list(self.flags)
        return out


@dataclass(frozen=True)
class Excluded:
    creator_id: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"creator_id": self.creator_id, "why": self.why}


@dataclass(frozen=True)
class Shortlist:
    brief_id: str
    matches: tuple[Match, ...]
    excluded: tuple[Excluded, ...] = ()
    ranker: str = "weighted"
    #: what the user should know about the list as a whole (e.g. fewer creators fit than asked)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "brief_id": self.brief_id,
            "matches": [m.to_dict() for m in self.matches],
            "excluded": [e.to_dict() for e in self.excluded],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def to_pandas(self) -> Any:
        """One row per match in rank order: rank, creator_id, handle, score, one column per
        signal (None: unknown), flags and reasons (joined with "; ")."""
        import pandas as pd

        rows = [
            {"rank": m.rank, "creator_id": m.creator_id, "handle": m.handle, "score": m.score,
             **m.signals, "flags": ", ".join(m.flags), "reasons": "; ".join(m.reasons)}
            for m in self.matches
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=_frame_columns(self))


def _frame_columns(s: Shortlist) -> list[str]:
    names = list(s.matches[0].signals) if s.matches else []
    return ["rank", "creator_id", "handle", "score", *names, "flags", "reasons"]


@dataclass(frozen=True)
class Label:
    brief_id: str
    creator_id: str
    relevance: int
