"""The HTTP API and the web page: a thin adapter over :class:`matcher.engine.Matcher` and
:class:`matcher.store.Store`.

``create_app(matcher, store)`` builds the FastAPI app; the matcher (index, encoder, ranker) and
the store are loaded once by the caller and held on ``app.state``. Matching is CPU-bound and
synchronous, so the endpoints are plain ``def`` (FastAPI runs them in its threadpool) and every
use of the matcher holds one lock: its SQLite catalogue connection and embedding cache are shared
and not safe to use from two threads at once. Every ``/v1`` route needs ``Authorization: Bearer
KEY`` (see ``matcher keys create``); a workspace sees only its own shortlists.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.api_models import (
    BriefIn,
    CreatorOut,
    ErrorOut,
    Health,
    SavedShortlist,
    SavedShortlists,
    ShortlistCreate,
    ShortlistOut,
    ValidationProblems,
    clean_loc,
    parse_brief,
)
from matcher.errors import MatcherError
from matcher.io import creator_to_dict
from matcher.schema import Brief, Creator, Shortlist
from matcher.store import ShortlistRecord, Store

WEB_DIR = Path(__file__).parent / "web"
DEFAULT_MAX_BODY_BYTES = 256 * 1024
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


def create_app(
    matcher: MatcherLike, store: Store, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> FastAPI:
    """The API and web page over a loaded matcher and an open store."""
    if max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be >= 1, got {max_body_bytes}")
    # FastAPIOffline serves Swagger UI and ReDoc from the package: /docs works without a network
    app = FastAPIOffline(
        title="matcher",
        version="1",
        summary="Explained influencer shortlists for campaign briefs.",
        description="Every `/v1` route needs `Authorization: Bearer KEY`; create a key with "
        "`matcher keys create --workspace NAME`. Request bodies are limited to "
        f"{max_body_bytes} bytes.",
    )
    app.state.services = Services(matcher, store, threading.Lock())
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_exception_handler(RequestValidationError, _validation_failed)  # type: ignore[arg-type]
    app.add_exception_handler(MatcherError, _matcher_error)  # type: ignore[arg-type]
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app


# -- middleware ---------------------------------------------------------------------------------


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read; an HTTPException so FastAPI answers it instead of a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")


class BodySizeLimit:
    """413 for a body over ``max_bytes``: by Content-Length up front, and by counting the bytes
    actually received (a client may send a false length, or chunked encoding with none)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            status = 413 if length.isdigit() else 400
            msg = BodyTooLarge(self.max_bytes).detail if status == 413 else "bad Content-Length"
            await JSONResponse({"detail": msg}, status)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as e:  # raised outside FastAPI's body parsing
            if started:
                raise
            await JSONResponse({"detail": e.detail}, 413)(scope, receive, send)


class SecurityHeaders:
    """nosniff everywhere; a strict Content-Security-Policy on the web page (not on /docs, whose
    Swagger UI loads its assets from a CDN)."""

    CSP = (
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = not scope["path"].startswith(("/docs", "/redoc"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if csp:
                    headers.append((b"content-security-policy", self.CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# -- errors -------------------------------------------------------------------------------------


async def _validation_failed(_: Request, exc: RequestValidationError) -> JSONResponse:
    """Every problem as ``{"loc": [...], "msg": ..., "type": ...}``, one per field."""
    seen: set[tuple[str | int, ...]] = set()
    detail = []
    for err in exc.errors():
        loc = clean_loc(err.get("loc", ()))
        if tuple(loc) in seen:
            continue
        seen.add(tuple(loc))
        detail.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type"))})
    return JSONResponse({"detail": detail}, status_code=422)


async def _matcher_error(_: Request, exc: MatcherError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


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


@router.post(
    "/v1/match",
    response_model=ShortlistOut,
    tags=["matching"],
    responses={**_AUTH, **_INVALID, **_TOO_BIG},
)
def match(body: BriefIn, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
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
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for rank, (cid, c) in enumerate(zip(rec["creator_ids"], creators, strict=True), start=1):
        w.writerow([rank, _cell(cid), *_csv_facts(c)])
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


def _cell(value: str | None) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would be read as a formula."""
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value


def _csv_facts(c: Creator | None) -> list[object]:
    if c is None:  # removed from the catalogue since the shortlist was saved
        return [""] * (len(CSV_COLUMNS) - 2)
    return [
        _cell(c.handle),
        _cell(c.platform),
        "" if c.followers is None else c.followers,
        c.tier or "",
        "" if c.engagement_rate is None else c.engagement_rate,
        _cell(c.country),
        _cell(c.language),
        "" if c.price_per_post is None else c.price_per_post,
    ]
