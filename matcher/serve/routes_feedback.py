"""Managing saved shortlists (rename, delete) and relevance feedback: votes on a shortlist's
creators, a brief re-ranked by them (:func:`matcher.feedback.rerank`) and the votes exported as
training labels.

Every route needs the bearer key and sees only its workspace: another workspace's shortlist is
a 404, exactly like a missing one. Votes are stored per shortlist (one per creator: ``like``,
``dislike``, or none); deleting a shortlist deletes its votes. The export is FORMATS.md's
``labels.csv`` (like -> relevance 3, dislike -> 0) and the briefs it refers to as JSON Lines,
each brief with ``brief_id`` ``shortlist-<shortlist id>``: together with the served catalogue
they are what ``matcher train --briefs ... --labels ...`` reads. Only shortlists saved with
their brief can be exported (a label needs its brief).
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any, Literal, cast

from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from matcher.feedback import ROCCHIO, rerank
from matcher.io import SafeCSVWriter
from matcher.serve.facts import shortlist_json
from matcher.serve.models import (
    MAX_K,
    MAX_SHORTLIST,
    SavedShortlist,
    ShortlistName,
    ShortlistOut,
    parse_brief,
)
from matcher.serve.routes import (
    AUTH,
    INVALID,
    MISSING,
    TOO_BIG,
    Services,
    ServicesDep,
    Workspace,
    creator_id_problems,
    owned_shortlist,
    public_shortlist,
)

if TYPE_CHECKING:
    from matcher.engine import Matcher

#: relevance of a vote in the exported labels (FORMATS.md: 0 = not a match, 3 = ideal match)
RELEVANCE = {"like": 3, "dislike": 0}
LABELS_COLUMNS = ("brief_id", "creator_id", "relevance")


router = APIRouter()


class ShortlistRename(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    name: ShortlistName


class FeedbackIn(BaseModel):
    """One vote on a creator of the shortlist; ``null`` clears the creator's vote."""

    model_config = ConfigDict(
        strict=True, extra="forbid",
        json_schema_extra={"examples": [{"creator_id": "s01801", "vote": "like"}]},
    )  # fmt: skip

    creator_id: str = Field(min_length=1, description="a creator of the index")
    vote: Literal["like", "dislike"] | None = Field(description="null clears the vote")


class FeedbackOut(BaseModel):
    likes: list[str] = Field(description="in the order the votes were cast")
    dislikes: list[str]


class RerankIn(BaseModel):
    """A brief (as for /v1/match) and the creators liked and disliked."""

    model_config = ConfigDict(
        strict=True, extra="forbid",
        json_schema_extra={"examples": [{
            "brief": {"brand": "Trailhead", "description": "Trail running shoes for mountain races"},
            "likes": ["s01801", "s00579"], "dislikes": ["s02100"], "k": 20}]},
    )  # fmt: skip

    brief: dict[str, Any] = Field(description="a BriefIn, checked like /v1/match")
    likes: list[str] = Field(default_factory=list, max_length=MAX_SHORTLIST)
    dislikes: list[str] = Field(default_factory=list, max_length=MAX_SHORTLIST)
    k: int | None = Field(None, ge=1, le=MAX_K, description="default: the brief's k (20)")


@router.patch(
    "/v1/shortlists/{shortlist_id}",
    response_model=SavedShortlist,
    tags=["shortlists"],
    responses={**AUTH, **MISSING, **INVALID},
)
def rename_shortlist(
    shortlist_id: str, body: ShortlistRename, svc: ServicesDep, ws: Workspace
) -> dict[str, Any]:
    """Rename a saved shortlist; returns it."""
    rec = svc.store.rename_shortlist(ws, shortlist_id, body.name)
    # not the workspace's: the same 404 as every shortlist route
    return public_shortlist(rec if rec is not None else owned_shortlist(svc, ws, shortlist_id))


@router.delete(
    "/v1/shortlists/{shortlist_id}",
    status_code=204,
    response_class=Response,
    tags=["shortlists"],
    responses={**AUTH, **MISSING},
)
def delete_shortlist(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> Response:
    """Delete a saved shortlist and its feedback."""
    if not svc.store.delete_shortlist(ws, shortlist_id):
        owned_shortlist(svc, ws, shortlist_id)
    return Response(status_code=204)


@router.put(
    "/v1/shortlists/{shortlist_id}/feedback",
    response_model=FeedbackOut,
    tags=["feedback"],
    responses={**AUTH, **MISSING, **INVALID},
)
def put_feedback(
    shortlist_id: str, body: FeedbackIn, svc: ServicesDep, ws: Workspace
) -> dict[str, list[str]]:
    """Like or dislike a creator for this shortlist (``null`` clears the vote); returns every
    vote of the shortlist. Any creator of the index may get a vote, in the list or not (a
    re-ranked list shows new ones)."""
    owned_shortlist(svc, ws, shortlist_id)
    with svc.lock.read_lock():
        known = svc.matcher.creator(body.creator_id) is not None
    if not known:
        msg = f"unknown creator id {body.creator_id!r}: not in the index"
        raise RequestValidationError([{"loc": ["body", "creator_id"], "msg": msg,
                                       "type": "unknown_creator"}])  # fmt: skip
    if not svc.store.set_feedback(ws, shortlist_id, body.creator_id, body.vote):
        owned_shortlist(svc, ws, shortlist_id)  # deleted meanwhile: 404
    return _feedback(svc, ws, shortlist_id)


@router.get(
    "/v1/shortlists/{shortlist_id}/feedback",
    response_model=FeedbackOut,
    tags=["feedback"],
    responses={**AUTH, **MISSING},
)
def get_feedback(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> dict[str, list[str]]:
    """The shortlist's votes: the creators liked and disliked."""
    return _feedback(svc, ws, shortlist_id)


def _feedback(svc: Services, ws: str, shortlist_id: str) -> dict[str, list[str]]:
    votes = svc.store.feedback(ws, shortlist_id)
    if votes is None:
        owned_shortlist(svc, ws, shortlist_id)  # raises the 404
    return votes or {"likes": [], "dislikes": []}


@router.post(
    "/v1/rerank",
    response_model=ShortlistOut,
    tags=["feedback"],
    responses={**AUTH, **INVALID, **TOO_BIG},
    description="The brief's shortlist re-ranked with relevance feedback (Rocchio on the "
    f"content vectors: q' = {ROCCHIO.a} q + {ROCCHIO.b} mean(liked) - {ROCCHIO.c} "
    "mean(disliked)), fused by rank with the engine's ranking, which keeps its rules and "
    "reasons. Liked creators stay in the list; disliked ones are listed under `excluded`. "
    "Without votes: the answer of /v1/match.",
)
def rerank_brief(body: RerankIn, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """The brief's shortlist re-ranked with the likes and dislikes (:mod:`matcher.feedback`)."""
    errors = creator_id_problems(svc, body.likes, ("body", "likes"))
    errors += creator_id_problems(svc, body.dislikes, ("body", "dislikes"))
    liked = set(body.likes)
    for i, cid in enumerate(body.dislikes):
        if cid in liked:
            msg = f"creator id {cid!r} is also in likes"
            errors.append({"loc": ["body", "dislikes", i], "msg": msg, "type": "conflict"})
    try:
        brief, _ = parse_brief(body.brief, ("body", "brief"))
    except RequestValidationError as e:
        errors = [*e.errors(), *errors]
    if errors:
        raise RequestValidationError(errors)
    with svc.computing():
        matcher = cast("Matcher", svc.matcher)
        shortlist = rerank(matcher, brief, body.likes, body.dislikes, body.k or brief.k)
        out = shortlist_json(svc.matcher, shortlist, brief.currency)
    return JSONResponse(out)


@router.get(
    "/v1/feedback/labels.csv",
    tags=["feedback"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "FORMATS.md labels.csv"},
               **AUTH},
)  # fmt: skip
def labels_csv(svc: ServicesDep, ws: Workspace) -> Response:
    """The workspace's votes as training labels (``brief_id,creator_id,relevance``; like -> 3,
    dislike -> 0), for shortlists saved with their brief; ``brief_id`` is
    ``shortlist-<shortlist id>``, as in /v1/feedback/briefs.jsonl."""
    buf = io.StringIO()
    w = SafeCSVWriter(buf, lineterminator="\n")
    w.writerow(LABELS_COLUMNS)
    for brief_id, creator_id, vote in _labelled(svc, ws)[1]:
        w.writerow([brief_id, creator_id, RELEVANCE[vote]])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="labels.csv"'},
    )


@router.get(
    "/v1/feedback/briefs.jsonl",
    tags=["feedback"],
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {}},
                     "description": "one brief per line (FORMATS.md briefs.jsonl)"}, **AUTH},
)  # fmt: skip
def briefs_jsonl(svc: ServicesDep, ws: Workspace) -> Response:
    """The briefs the exported labels refer to, one JSON object per line, each with its
    ``brief_id`` (``shortlist-<shortlist id>``)."""
    briefs = _labelled(svc, ws)[0]
    text = "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in briefs)
    return Response(
        text,
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="briefs.jsonl"'},
    )


def label_brief_id(shortlist_id: str) -> str:
    """The brief_id a shortlist's brief is exported under (never starts with a formula
    character, so the CSV writer leaves it as it is)."""
    return f"shortlist-{shortlist_id}"


def _labelled(
    svc: Services, ws: str
) -> tuple[list[dict[str, Any]], list[tuple[str, str, Literal["like", "dislike"]]]]:
    """(the briefs of the workspace's voted shortlists, (brief_id, creator_id, vote) of each
    vote), shortlists oldest first; shortlists saved without a brief are left out."""
    votes = svc.store.workspace_feedback(ws)
    briefs = {r["id"]: r["brief"] for r in svc.store.list_shortlists(ws)}
    out_briefs: dict[str, dict[str, Any]] = {}
    rows = []
    for v in votes:
        brief = briefs.get(v["shortlist_id"])
        if brief is None:
            continue
        bid = label_brief_id(v["shortlist_id"])
        out_briefs.setdefault(bid, {**brief, "brief_id": bid})
        rows.append((bid, v["creator_id"], v["vote"]))
    return list(out_briefs.values()), rows
