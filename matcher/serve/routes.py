"""The routes of the HTTP API and the web page (see :func:`matcher.serve.app.create_app`)."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matcher.io import SafeCSVWriter, creator_to_dict
from matcher.schema import Brief, Creator, Shortlist
from matcher.serve.models import (
    CreatorOut,
    ErrorOut,
    Health,
    SavedShortlist,
    SavedShortlists,
    ShortlistCreate,
    ShortlistOut,
    ValidationProblems,
    parse_brief,
)
from matcher.serve.store import ShortlistRecord, Store

WEB_DIR = Path(__file__).parent / "web"
CSV_COLUMNS = (
    "rank", "creator_id", "handle", "platform", "followers", "tier", "engagement_rate",
    "country", "language", "price_per_post",
)  # fmt: skip


class MatcherLike(Protocol):
    """What the API needs of :class:`matcher.engine.Matcher` (a fake in unit tests)."""

    @property
    def index(self) -> Any: ...  # ``.manifest`` (count, model, model_fingerprint)

    @property
    def ranker(self) -> Any: ...  # ``.name``

    def recommend(self, brief: Brief, k: int | None = None) -> Shortlist: ...

    def creator(self, creator_id: str) -> Creator | None: ...


@dataclass
class Services:
    """What the app holds on ``app.state.services``: loaded once, shared by all requests."""

    matcher: MatcherLike
    store: Store
    lock: threading.Lock


# -- dependencies -------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="an API key from `matcher keys create`")


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(services)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def workspace(svc: ServicesDep, cred: Credentials) -> str:
    """The caller's workspace, from its bearer key; 401 without a valid one."""
    if cred is None:
        raise HTTPException(
            401, "missing API key: send 'Authorization: Bearer KEY'", {"WWW-Authenticate": "Bearer"}
        )
    ws = svc.store.workspace_for_key(cred.credentials)
    if ws is None:
        raise HTTPException(
            401, "invalid API key", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    return ws


Workspace = Annotated[str, Depends(workspace)]


# -- routes -------------------------------------------------------------------------------------

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or invalid API key"}
}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationProblems, "description": "the path of each bad field"}
}
_TOO_BIG: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "request body over the size limit"}
}
_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown (or another workspace's)"}
}

#: the documented error responses, for the routers of the other route modules
AUTH, INVALID, TOO_BIG, MISSING = _AUTH, _INVALID, _TOO_BIG, _MISSING

router = APIRouter()


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html")


@router.get("/healthz", response_model=Health, tags=["service"])
def healthz(svc: ServicesDep) -> dict[str, Any]:
    """Liveness and what is loaded. No key needed."""
    m = svc.matcher.index.manifest
    return {
        "status": "ok",
        "creators": int(m.count),
        "model": str(m.model),
        "model_fingerprint": str(m.model_fingerprint),
        "ranker": str(svc.matcher.ranker.name),
    }


#: a brief as sent: checked once, by the same record checker as brief files (see
#: :func:`matcher.serve.models.parse_brief`); documented as :class:`BriefIn`
BriefBody = Annotated[Any, Body(description="a campaign brief (FORMATS.md)")]
_BRIEF_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BriefIn"}}},
    }
}


@router.post(
    "/v1/match",
    response_model=ShortlistOut,
    tags=["matching"],
    responses={**_AUTH, **_INVALID, **_TOO_BIG},
    openapi_extra=_BRIEF_BODY,
)
def match(body: BriefBody, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """A ranked, explained shortlist of creators for one brief (FORMATS.md "Shortlist output")."""
    brief, _ = parse_brief(body, ("body",))
    with svc.lock:
        shortlist = svc.matcher.recommend(brief)
    out = shortlist.to_dict()
    out["ranker"] = shortlist.ranker
    return JSONResponse(out)


@router.get(
    "/v1/creators/{creator_id}",
    response_model=CreatorOut,
    tags=["catalogue"],
    responses={**_AUTH, **_MISSING},
)
def get_creator(creator_id: str, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """One creator of the index, as in FORMATS.md."""
    with svc.lock:
        c = svc.matcher.creator(creator_id)
    if c is None:
        raise HTTPException(404, f"no creator {creator_id!r} in the index")
    return JSONResponse(creator_to_dict(c))


@router.post(
    "/v1/shortlists",
    status_code=201,
    response_model=SavedShortlist,
    tags=["shortlists"],
    responses={**_AUTH, **_INVALID, **_TOO_BIG},
)
def create_shortlist(body: ShortlistCreate, svc: ServicesDep, ws: Workspace) -> JSONResponse:
    """Save creators (in rank order) under a name, optionally with the brief they answer."""
    errors: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for i, cid in enumerate(body.creator_ids):
        if cid in first:
            msg = f"duplicate creator id {cid!r} (also at position {first[cid]})"
            errors.append({"loc": ["body", "creator_ids", i], "msg": msg, "type": "duplicate"})
        first.setdefault(cid, i)
    brief = None
    if body.brief is not None:
        _, brief = parse_brief(body.brief, ("body", "brief"))
    with svc.lock:
        unknown = [(i, c) for c, i in first.items() if svc.matcher.creator(c) is None]
    for i, cid in unknown:
        msg = f"unknown creator id {cid!r}: not in the index"
        errors.append({"loc": ["body", "creator_ids", i], "msg": msg, "type": "unknown_creator"})
    if errors:
        raise RequestValidationError(sorted(errors, key=lambda e: e["loc"][-1]))
    rec = svc.store.save_shortlist(ws, body.name, body.creator_ids, brief)
    return JSONResponse(
        _public(rec), status_code=201, headers={"Location": f"/v1/shortlists/{rec['id']}"}
    )


@router.get("/v1/shortlists", response_model=SavedShortlists, tags=["shortlists"], responses=_AUTH)
def list_shortlists(
    svc: ServicesDep, ws: Workspace, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The workspace's saved shortlists, newest first."""
    return {"shortlists": [_public(r) for r in svc.store.list_shortlists(ws, limit)]}


# registered before "/v1/shortlists/{shortlist_id}", which would otherwise match "ID.csv"
@router.get(
    "/v1/shortlists/{shortlist_id}.csv",
    tags=["shortlists"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per creator"}, **_AUTH,
               **_MISSING},
)  # fmt: skip
def shortlist_csv(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> Response:
    """The shortlist as a CSV download, with the catalogue's facts about each creator."""
    rec = _get(svc, ws, shortlist_id)
    with svc.lock:
        creators = [svc.matcher.creator(cid) for cid in rec["creator_ids"]]
    buf = io.StringIO()
    w = SafeCSVWriter(buf)
    w.writerow(CSV_COLUMNS)
    for rank, (cid, c) in enumerate(zip(rec["creator_ids"], creators, strict=True), start=1):
        w.writerow([rank, cid, *_csv_facts(c)])
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", rec["name"]).strip("-.")[:60] or "shortlist"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{rec["id"]}.csv"'},
    )


@router.get(
    "/v1/shortlists/{shortlist_id}",
    response_model=SavedShortlist,
    tags=["shortlists"],
    responses={**_AUTH, **_MISSING},
)
def get_shortlist(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> dict[str, Any]:
    """One saved shortlist of the caller's workspace."""
    return _public(_get(svc, ws, shortlist_id))


def _get(svc: Services, ws: str, shortlist_id: str) -> ShortlistRecord:
    rec = svc.store.get_shortlist(ws, shortlist_id)
    if rec is None:  # another workspace's shortlist looks exactly like a missing one
        raise HTTPException(404, f"no shortlist {shortlist_id!r}")
    return rec


def _public(rec: ShortlistRecord) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k != "workspace"}


def _csv_facts(c: Creator | None) -> list[object]:
    if c is None:  # removed from the catalogue since the shortlist was saved
        return [""] * (len(CSV_COLUMNS) - 2)
    return [
        c.handle or "",
        c.platform or "",
        "" if c.followers is None else c.followers,
        c.tier or "",
        "" if c.engagement_rate is None else c.engagement_rate,
        c.country or "",
        c.language or "",
        "" if c.price_per_post is None else c.price_per_post,
    ]
