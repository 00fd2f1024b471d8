"""``POST /v1/similar``: lookalikes of one or several creators (:func:`matcher.similar.similar`).

Registered by :func:`matcher.serve.app.create_app`; authenticated like every ``/v1`` route. The
answer has the shape of ``POST /v1/match`` (:class:`~matcher.serve.models.ShortlistOut`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from matcher.serve.facts import shortlist_json
from matcher.serve.models import (
    MAX_K,
    ErrorOut,
    PlatformName,
    ShortlistOut,
    TierName,
    ValidationProblems,
)
from matcher.serve.routes import ServicesDep, Workspace
from matcher.similar import UnknownCreatorError, similar

#: most seed creators one request may name
MAX_SEEDS = 10

CreatorId = Annotated[str, Field(min_length=1, max_length=200)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]
LanguageCode = Annotated[str, Field(min_length=1, max_length=20, description="ISO 639-1")]


class SimilarIn(BaseModel):
    """Seed creators and optional constraints (every constraint list: any of its values)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "creator_ids": ["s00001", "s00124"],
                    "k": 10,
                    "tiers": ["micro"],
                    "countries": ["GB"],
                }
            ]
        },
    )

    creator_ids: list[CreatorId] = Field(
        min_length=1,
        max_length=MAX_SEEDS,
        description="the seeds: creators to find more like (together, when several)",
    )
    k: int = Field(20, ge=1, le=MAX_K, description="creators to return")
    tiers: list[TierName] = Field(default_factory=list, description="only these follower tiers")
    countries: list[CountryCode] = Field(
        default_factory=list,
        description="only creators based in one of these markets or with >= 25% of their "
        "audience there",
    )
    platforms: list[PlatformName] = Field(default_factory=list, description="only these")
    languages: list[LanguageCode] = Field(default_factory=list, description="only these")
    currency: str = Field(
        "USD", pattern=r"^[A-Za-z]{3}$", description="ISO 4217: the currency of the prices shown"
    )


router = APIRouter()


@router.post(
    "/v1/similar",
    response_model=ShortlistOut,
    tags=["matching"],
    responses={
        401: {"model": ErrorOut, "description": "missing or invalid API key"},
        404: {"model": ErrorOut, "description": "a seed creator is not in the index"},
        413: {"model": ErrorOut, "description": "request body over the size limit"},
        422: {"model": ValidationProblems, "description": "the path of each bad field"},
    },
)
def similar_creators(body: SimilarIn, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """Creators most like the seeds (bio and posts, then voice), best first, meeting the
    constraints; the seeds themselves are never returned. Same shape as ``POST /v1/match``:
    ``brief_id`` is ``similar:ID1+ID2``; ``signals.niche`` is the likeness in bio and posts,
    ``signals.tone`` in voice, the other signals are null."""
    try:
        with svc.computing():
            shortlist = similar(
                svc.matcher, body.creator_ids, body.k, body.tiers, body.countries,
                body.platforms, body.languages,
            )  # fmt: skip
            out = shortlist_json(svc.matcher, shortlist, body.currency.upper())
    except UnknownCreatorError as e:
        raise HTTPException(404, str(e)) from None
    return JSONResponse(out)
