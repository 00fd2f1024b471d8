"""The served index follows the directory on disk: ``matcher index --update`` (or a full
``matcher index``) of the directory a server answers from is picked up without a restart.

Every index write swaps a new directory in (:func:`matcher.io.atomic.replacing_dir`), so its
``manifest.json`` is a new file. Before a request, at most once per ``interval`` (1 s), the
:class:`ReloadIndex` middleware stats that file (device, inode, mtime, size); only when it is
another file is the manifest read, and its ``created_at`` (stamped by every index write)
compared with the loaded index's. When it changed, that request waits while the new index
is loaded beside the old one (other requests are answered from the old one meanwhile), and the
new matcher (same encoder, settings and ranker) is swapped in under the write side of the
matcher lock (``Services.lock``: it waits for the requests using the old one to finish); the old
index is closed after the swap. So the first request more than a
second after an update returns is answered from the updated index, and ``/healthz`` reports its
creator count. An index that does not load (damaged, built with another model, adapted for
another text model) is reported in the server log, once per version, and the old one kept.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from matcher.serve.warm import warm_up

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.serve.routes import Services

log = logging.getLogger("uvicorn.error")
Signature = tuple[int, int, int, int]


def signature(index_dir: Path) -> Signature | None:
    """Identity of the index's manifest file (None when it cannot be read)."""
    try:
        st = os.stat(index_dir / "manifest.json")
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def reopened(old: Matcher, index_dir: Path) -> Matcher:
    """A matcher over the index now at ``index_dir``, with ``old``'s encoder (unless the static
    encoder built one of the two indexes), settings and ranker."""
    from matcher.encoder import STATIC_MODEL, index_encoder, index_model
    from matcher.engine import Matcher
    from matcher.index import CreatorIndex

    encoder = old.encoder
    if STATIC_MODEL in (index_model(index_dir, old.settings.model), old.index.manifest.model):
        # a static index filled with MiniLM (matcher index --fill), or one replaced by a static
        # index: the model that built the new index encodes its queries
        encoder = index_encoder(index_dir, old.settings)
        if encoder.fingerprint == old.encoder.fingerprint:
            encoder = old.encoder
    index = CreatorIndex.load(index_dir, fingerprint=encoder.fingerprint)
    try:
        new = Matcher(index, encoder, old.settings, old.ranker, old.as_of)
    except BaseException:
        index.catalogue.close()
        raise
    new.ranker_note = old.ranker_note
    return new


class IndexReloader:
    """Swaps the services' matcher for one over the index on disk when that index changed."""

    def __init__(
        self,
        services: Services,
        index_dir: Path,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval < 0:
            raise ValueError(f"interval must be >= 0, got {interval}")
        self.services = services
        self.index_dir = index_dir
        self.interval = interval
        self.clock = clock
        self._seen: Signature | None = None  # the manifest file last looked at
        self._next = clock()
        self._loading = threading.Lock()

    @classmethod
    def for_services(cls, services: Services, interval: float = 1.0) -> IndexReloader | None:
        """A reloader for the services' matcher, or None when its index was not loaded from a
        directory (a matcher built in memory, a test's fake)."""
        from matcher.engine import Matcher

        m = services.matcher
        path = getattr(getattr(m, "index", None), "path", None)
        if not isinstance(m, Matcher) or not isinstance(path, Path):
            return None
        return cls(services, path, interval)

    def due(self) -> bool:
        """Whether the index on disk is another than the one loaded: a stat at most once per
        ``interval``, and the manifest read when its file changed (each index write stamps its
        manifest's ``created_at``). A version that failed to load is not tried again."""
        now = self.clock()
        if now < self._next:
            return False
        self._next = now + self.interval
        sig = signature(self.index_dir)
        if sig is None or sig == self._seen:
            return False
        self._seen = sig
        try:
            on_disk = json.loads((self.index_dir / "manifest.json").read_text(encoding="utf-8"))
            stamp = on_disk["created_at"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return bool(stamp != self.services.matcher.index.manifest.created_at)

    def reload(self) -> bool:
        """Load the index on disk and swap it in; False when another request is loading it,
        it was replaced again while loading (the next check takes the newest), or it failed."""
        if not self._loading.acquire(blocking=False):
            return False
        try:
            return self._swap_in(signature(self.index_dir))
        finally:
            self._loading.release()

    def _swap_in(self, sig: Signature | None) -> bool:
        svc = self.services
        try:
            new = reopened(svc.matcher, self.index_dir)  # type: ignore[arg-type]
        except Exception as e:  # keep serving the old index; said once per version
            log.warning("matcher serve: kept the loaded index; %s does not load: %s",
                        self.index_dir, e)  # fmt: skip
            return False
        warm_up(new, times=1)  # its first use of the new index paid here, not by the next briefs
        if sig is None or signature(self.index_dir) != sig:  # replaced while loading
            new.index.catalogue.close()
            self._seen = None  # look again at the next check
            return False
        with svc.lock.write_lock():
            old: Any = svc.matcher
            svc.matcher = new
            old.index.catalogue.close()  # every use of the catalogue holds the lock
        log.info("matcher serve: reloaded %s: %d creators", self.index_dir,
                 new.index.manifest.count)  # fmt: skip
        return True


class ReloadIndex:
    """ASGI middleware: before a request, reload the index if it changed on disk."""

    def __init__(self, app: ASGIApp, services: Services, interval: float = 1.0) -> None:
        self.app = app
        self.reloader = IndexReloader.for_services(services, interval)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        r = self.reloader
        if scope["type"] == "http" and r is not None and r.due():
            await run_in_threadpool(r.reload)
        await self.app(scope, receive, send)
