"""The HTTP API and the web page: a thin adapter over :class:`matcher.engine.Matcher` and
:class:`matcher.serve.store.Store`.

``create_app(matcher, store)`` builds the FastAPI app; the matcher (index, encoder, ranker) and
the store are loaded once by the caller and held on ``app.state``. Matching is CPU-bound and
synchronous, so the endpoints are plain ``def`` (FastAPI runs them in its threadpool). Requests
read the matcher concurrently (its caches are safe to share between threads; the model, FAISS and
LightGBM release the GIL while they compute), each under the read side of a readers-writer lock
whose write side only the index hot swap takes (:mod:`matcher.serve.reload`). Every ``/v1`` route needs ``Authorization: Bearer
KEY`` (see ``matcher keys create``); a workspace sees only its own shortlists.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import fasteners
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.errors import MatcherError
from matcher.serve.balance import BOARD_ENV, LoadBoard, ShedWhenBusy
from matcher.serve.examples import add_examples
from matcher.serve.models import BriefIn, clean_loc
from matcher.serve.reload import ReloadIndex
from matcher.serve.routes import WEB_DIR, MatcherLike, Services, router
from matcher.serve.routes_feedback import router as feedback_router
from matcher.serve.routes_plan import router as plan_router
from matcher.serve.routes_similar import router as similar_router
from matcher.serve.store import Store
from matcher.serve.warm import warm_up
from matcher.threads import limit_blas_threads

if TYPE_CHECKING:
    from matcher.config import Settings
    from matcher.engine import Matcher

DEFAULT_MAX_BODY_BYTES = 256 * 1024
#: how ``matcher serve --workers N`` tells each worker process what to open (JSON)
WORKER_ENV = "MATCHER_SERVE_WORKER"


def create_app(
    matcher: MatcherLike,
    store: Store,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    concurrency: int | None = None,
) -> FastAPI:
    """The API and web page over a loaded matcher and an open store; ``concurrency``: briefs
    computed at once (default: :func:`default_concurrency` for one worker)."""
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
    app.state.services = Services(
        matcher, store, fasteners.ReaderWriterLock(), concurrency or default_concurrency(1)
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(ReloadIndex, services=app.state.services)  # index updated on disk
    app.add_exception_handler(RequestValidationError, _validation_failed)  # type: ignore[arg-type]
    app.add_exception_handler(MatcherError, _matcher_error)  # type: ignore[arg-type]
    app.include_router(router)
    app.include_router(feedback_router)
    app.include_router(similar_router)
    app.include_router(plan_router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def default_concurrency(workers: int) -> int:
    """Briefs each of ``workers`` processes computes at once: this machine's cores shared out
    (at least one). A brief holds one core at a time (one thread per query), and much of its
    work (the model, FAISS, LightGBM) runs outside Python's lock, so as many briefs as cores
    keep the cores busy; more only make every brief slower (measured: bench/serve_load.py)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def open_for_serving(index: str, settings: Settings, ranker: str) -> Matcher:
    """A matcher ready to serve: one FAISS (torch, LightGBM) thread per query, its encoder's
    model loaded and the matcher warmed up (:mod:`matcher.serve.warm`) now rather than by the
    first requests."""
    import sys

    import faiss

    from matcher.engine import Matcher

    faiss.omp_set_num_threads(1)
    limit_blas_threads(1)  # for the process: briefs are computed side by side, one per core
    matcher = Matcher.open(index, settings, ranker=ranker)
    load = getattr(matcher.encoder, "load", None)
    if load is not None:
        load()
    torch = sys.modules.get("torch")  # imported only when the model runs on sentence-transformers
    if torch is not None:
        torch.set_num_threads(1)
    if hasattr(matcher.ranker, "n_jobs"):  # a learned ranker: one thread per query as well
        matcher.ranker.n_jobs = 1
    warm_up(matcher)  # before the first request, not during it
    return matcher


def app_from_env() -> FastAPI:
    """The app of one worker process of ``matcher serve --workers N``: opens the index, model
    and database named in ``$MATCHER_SERVE_WORKER`` (set by the command, which checked them)."""
    import json

    from matcher.config import Settings

    spec = json.loads(os.environ[WORKER_ENV])
    matcher = open_for_serving(spec["index"], Settings(**spec["settings"]), spec["model"])
    app = create_app(matcher, Store(spec["db"]), max_body_bytes=spec["max_body_bytes"],
                     concurrency=spec["concurrency"])  # fmt: skip
    board = os.environ.get(BOARD_ENV)
    if board:  # kept-alive connections moved off a worker busier than the others
        app.add_middleware(ShedWhenBusy, board=LoadBoard(board))
    return app


def _openapi(app: FastAPI) -> dict[str, object]:
    """The generated spec, plus the brief's schema, which documents bodies read as raw JSON."""
    if app.openapi_schema is None:
        spec = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        brief = BriefIn.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(brief.pop("$defs", {}))
        schemas["BriefIn"] = brief
        app.openapi_schema = add_examples(spec)  # real responses, nulls kept
    return app.openapi_schema


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
