"""A creator as the catalogue stores it: compact JSON, written field by field and read back
without validation (the catalogue only holds creators that passed it)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date

from matcher.schema import Audience, Creator, Post

_CREATOR_FIELDS = tuple(f.name for f in fields(Creator))
_POST_FIELDS = tuple(f.name for f in fields(Post))
_AUDIENCE_FIELDS = tuple(f.name for f in fields(Audience))


def creator_to_json(c: Creator) -> str:
    """The JSON of ``dataclasses.asdict(c)`` (dates as ISO strings), built field by field:
    ``asdict`` deep-copies every value and took most of an index build's catalogue time."""
    d = {k: getattr(c, k) for k in _CREATOR_FIELDS}
    d["posts"] = [_post_dict(p) for p in c.posts]
    if c.audience is not None:
        d["audience"] = {k: getattr(c.audience, k) for k in _AUDIENCE_FIELDS}
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def _post_dict(p: Post) -> dict[str, object]:
    d = {k: getattr(p, k) for k in _POST_FIELDS}
    if isinstance(p.posted_at, date):
        d["posted_at"] = p.posted_at.isoformat()
    return d


def creator_from_json(s: str) -> Creator:
    """Rebuild a Creator written by :func:`creator_to_json` (trusted input: no validation)."""
    d = json.loads(s)
    posts = tuple(
        Post(
            text=p["text"],
            posted_at=date.fromisoformat(p["posted_at"]) if p.get("posted_at") else None,
            sponsored=p.get("sponsored"),
            brands=tuple(p.get("brands") or ()),
            likes=p.get("likes"),
            comments=p.get("comments"),
            views=p.get("views"),
        )
        for p in d.get("posts") or ()
    )
    aud = d.get("audience")
    return Creator(
        creator_id=d["creator_id"],
        handle=d.get("handle"),
        platform=d.get("platform"),
        bio=d.get("bio") or "",
        posts=posts,
        followers=d.get("followers"),
        engagement_rate=d.get("engagement_rate"),
        language=d.get("language"),
        country=d.get("country"),
        categories=tuple(d.get("categories") or ()),
        audience=Audience(**aud) if aud else None,
        price_per_post=d.get("price_per_post"),
        currency=d.get("currency") or "USD",
    )
