"""The routes of the HTTP API and the web page (see :func:`matcher.serve.app.create_app`)."""

from __future__ import annotations

import io
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Protocol

import fasteners
from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matcher.io import SafeCSVWriter, creator_to_dict
from matcher.schema import Brief, Creator, Shortlist
from matcher.serve.facts import saved_facts, shortlist_json
from matcher.serve.models import (
    CreatorOut,
    ErrorOut,
    Health,
    SavedShortlist,
    SavedShortlistFacts,
    SavedShortlists,
    ShortlistCreate,
    ShortlistOut,
    ValidationProblems,
    parse_brief,
)
from matcher.serve.store import ShortlistItem as ShortlistItemRecord
from matcher.serve.store import ShortlistRecord, Store

WEB_DIR = Path(__file__).parent / "web"
CSV_COLUMNS = (
    "rank", "creator_id", "score", "handle", "platform", "followers", "tier", "engagement_rate",
    "country", "language", "price_per_post", "reasons",
)  # fmt: skip
#: how a saved item's reasons are joined in one CSV cell
CSV_REASONS_SEPARATOR = " | "


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
    #: requests hold ``lock.read_lock()`` while they use the matcher; swapping it in a new
    #: index (:mod:`matcher.serve.reload`) holds ``lock.write_lock()``
    lock: fasteners.ReaderWriterLock = field(default_factory=fasteners.ReaderWriterLock)
    #: how many briefs (match, rerank, lookalikes, plans) this process computes at once; the
    #: others wait their turn (more at once than cores only share the CPU out more thinly)
    concurrency: int = 2

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {self.concurrency}")
        self._slots = FairSlots(self.concurrency)

    @contextmanager
    def computing(self) -> Iterator[None]:
        """Hold one of the ``concurrency`` slots (first come, first served) and the read side
        of the lock."""
        with self._slots, self.lock.read_lock():
            yield


class FairSlots:
    """A semaphore that serves its waiters in the order they came. ``threading.Semaphore`` lets
    a newcomer take a freed slot before the thread it woke, and a thread that loses so waits
    again at the back: under 32 clients a few briefs waited several turns (p95 latency)."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # the slot is handed over by __exit__

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


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
    """A ranked, explained shortlist of creators for one brief (FORMATS.md "Shortlist output"),
    each match with its creator's facts (price in the brief's currency)."""
    brief, _ = parse_brief(body, ("body",))
    with svc.computing():
        shortlist = svc.matcher.recommend(brief)
        out = shortlist_json(svc.matcher, shortlist, brief.currency)
    return JSONResponse(out)


@router.get(
    "/v1/creators/{creator_id}",
    response_model=CreatorOut,
    tags=["catalogue"],
    responses={**_AUTH, **_MISSING},
)
def get_creator(creator_id: str, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """One creator of the index, as in FORMATS.md."""
    with svc.lock.read_lock():
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
    """Save creators (in rank order) under a name, optionally with the brief they answer and
    what was shown of each (``items``: rank, score, reasons; the CSV export carries them)."""
    if body.creator_ids is None and body.items is None:
        msg = "give creator_ids or items (the creators, in rank order)"
        raise RequestValidationError([{"loc": ["body", "creator_ids"], "msg": msg,
                                       "type": "missing"}])  # fmt: skip
    items = None
    if body.items is not None:
        ids = [it.creator_id for it in body.items]
        if body.creator_ids is not None and body.creator_ids != ids:
            msg = "items must hold the creator_ids, in the same order"
            raise RequestValidationError([{"loc": ["body", "items"], "msg": msg,
                                           "type": "mismatch"}])  # fmt: skip
        errors = creator_id_problems(svc, ids, ("body", "items"), "creator_id")
        items = [ShortlistItemRecord(creator_id=it.creator_id, rank=it.rank or n, score=it.score,
                                     reasons=list(it.reasons))
                 for n, it in enumerate(body.items, start=1)]  # fmt: skip
    else:
        ids = list(body.creator_ids or ())
        errors = creator_id_problems(svc, ids, ("body", "creator_ids"))
    brief = None
    try:
        if body.brief is not None:
            _, brief = parse_brief(body.brief, ("body", "brief"))
    except RequestValidationError as e:  # reported with the ids' problems, all at once
        errors = [*errors, *e.errors()]
    if errors:
        raise RequestValidationError(errors)
    rec = svc.store.save_shortlist(ws, body.name, ids, brief, items)
    return JSONResponse(
        public_shortlist(rec), status_code=201, headers={"Location": f"/v1/shortlists/{rec['id']}"}
    )


def creator_id_problems(
    svc: Services, ids: list[str], prefix: tuple[str, ...], field: str | None = None
) -> list[dict[str, Any]]:
    """A 422 detail for every duplicate and every id the index does not hold, each at its path
    (``prefix``, its position, then ``field`` when the ids sit in objects), in list order."""

    def loc(i: int) -> list[str | int]:
        return [*prefix, i, *([field] if field else [])]

    errors: list[tuple[int, dict[str, Any]]] = []
    first: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid in first:
            msg = f"duplicate creator id {cid!r} (also at position {first[cid]})"
            errors.append((i, {"loc": loc(i), "msg": msg, "type": "duplicate"}))
        first.setdefault(cid, i)
    with svc.lock.read_lock():
        unknown = [(i, c) for c, i in first.items() if svc.matcher.creator(c) is None]
    for i, cid in unknown:
        msg = f"unknown creator id {cid!r}: not in the index"
        errors.append((i, {"loc": loc(i), "msg": msg, "type": "unknown_creator"}))
    return [e for _, e in sorted(errors, key=lambda e: e[0])]


@router.get("/v1/shortlists", response_model=SavedShortlists, tags=["shortlists"], responses=_AUTH)
def list_shortlists(
    svc: ServicesDep, ws: Workspace, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The workspace's saved shortlists, newest first."""
    return {"shortlists": [public_shortlist(r) for r in svc.store.list_shortlists(ws, limit)]}


# registered before "/v1/shortlists/{shortlist_id}", which would otherwise match "ID.csv"
@router.get(
    "/v1/shortlists/{shortlist_id}.csv",
    tags=["shortlists"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per creator"}, **_AUTH,
               **_MISSING},
)  # fmt: skip
def shortlist_csv(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> Response:
    """The shortlist as a CSV download: rank, score and reasons as saved (empty when only ids
    were saved; reasons joined by " | "), with the catalogue's facts about each creator. A cell
    that a spreadsheet would run as a formula (= + - @) starts with ``'``."""
    rec = owned_shortlist(svc, ws, shortlist_id)
    with svc.lock.read_lock():
        creators = [svc.matcher.creator(cid) for cid in rec["creator_ids"]]
    items: list[ShortlistItemRecord | None] = [None] * len(creators)
    if rec["items"] is not None:
        items = list(rec["items"])
    buf = io.StringIO()
    w = SafeCSVWriter(buf)
    w.writerow(CSV_COLUMNS)
    for n, (cid, c, it) in enumerate(zip(rec["creator_ids"], creators, items, strict=True), 1):
        rank, score, reasons = (n, "", "") if it is None else (
            it["rank"], "" if it["score"] is None else it["score"],
            CSV_REASONS_SEPARATOR.join(it["reasons"]))  # fmt: skip
        w.writerow([rank, cid, score, *_csv_facts(c), reasons])
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", rec["name"]).strip("-.")[:60] or "shortlist"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{rec["id"]}.csv"'},
    )


@router.get(
    "/v1/shortlists/{shortlist_id}",
    response_model=SavedShortlistFacts,
    tags=["shortlists"],
    responses={**_AUTH, **_MISSING},
)
def get_shortlist(shortlist_id: str, svc: ServicesDep, ws: Workspace) -> dict[str, Any]:
    """One saved shortlist of the caller's workspace, with its creators' facts today (prices in
    the saved brief's currency)."""
    rec = owned_shortlist(svc, ws, shortlist_id)
    with svc.lock.read_lock():
        facts = saved_facts(svc.matcher, rec["creator_ids"], rec["brief"])
    return {**public_shortlist(rec), "facts": facts}


def owned_shortlist(svc: Services, ws: str, shortlist_id: str) -> ShortlistRecord:
    """The workspace's shortlist; 404 when it is missing or another workspace's (alike)."""
    rec = svc.store.get_shortlist(ws, shortlist_id)
    if rec is None:  # another workspace's shortlist looks exactly like a missing one
        raise HTTPException(404, f"no shortlist {shortlist_id!r}")
    return rec


def public_shortlist(rec: ShortlistRecord) -> dict[str, Any]:
    """A saved shortlist as the API shows it (without its workspace)."""
    return {k: v for k, v in rec.items() if k != "workspace"}


def _csv_facts(c: Creator | None) -> list[object]:
    if c is None:  # removed from the catalogue since the shortlist was saved
        return [""] * (len(CSV_COLUMNS) - 4)  # all but rank, creator_id, score, reasons
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
