"""Evening out the work of ``matcher serve --workers N`` when clients keep their connections.

With a listening socket per worker (:mod:`matcher.serve.workers`), Linux hashes each new
connection to one worker, and a kept-alive connection stays there: 32 clients came out 19 and 13
on two workers in one check. The worker with more connections then has more briefs waiting, and
when the other runs out of work it idles while the first still computes (bench/serve_load.py
showed one worker computing alone for the last 1.5-2 s of a 13 s run).

So the workers share one small board (a file mapped into each), where each writes how many
requests it holds (received, not yet answered). A worker holding more than an even share plus
one answers with ``Connection: close``; the client reconnects (HTTP clients do so by themselves)
and the kernel hashes the new connection afresh, so busy workers shed connections until the
split is even. An idle peer counts (its slot says 0); a dead one's slot is skipped and taken over
by the worker that replaces it. This is what ``keepalive_requests`` or a least-connections load
balancer would do in front of the workers, without one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import tempfile
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BOARD_ENV", "LoadBoard", "ShedWhenBusy", "new_board"]

#: how ``matcher serve --workers N`` tells each worker where the board is
BOARD_ENV = "MATCHER_SERVE_BOARD"
SLOTS = 64  # --workers is at most 64
_SLOT = 2  # int64s per slot: pid, requests held


def new_board(directory: str | os.PathLike[str] | None = None) -> Path:
    """A fresh, empty board file (in a private temporary directory unless ``directory``)."""
    folder = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="matcher-"))
    path = folder / "load-board"
    with open(path, "wb") as f:
        f.write(bytes(SLOTS * _SLOT * 8))
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class LoadBoard:
    """This process's slot on a board made by :func:`new_board`: it takes the first slot that is
    free or whose process has died (under a file lock, so two workers never take the same)."""

    def __init__(self, path: str | os.PathLike[str], pid: int | None = None) -> None:
        self.pid = os.getpid() if pid is None else pid
        with open(path, "r+b") as f:
            self._map = mmap.mmap(f.fileno(), SLOTS * _SLOT * 8)
            self._cells = memoryview(self._map).cast("q")
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self.slot = self._free_slot()
                self._cells[self.slot * _SLOT + 1] = 0
                self._cells[self.slot * _SLOT] = self.pid
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        self.held = 0

    def _free_slot(self) -> int:
        for slot in range(SLOTS):
            pid = self._cells[slot * _SLOT]
            if pid == 0 or pid == self.pid or not _alive(pid):
                return slot
        raise RuntimeError(f"no free slot among {SLOTS} on the load board")

    def add(self, n: int) -> None:
        """``n`` more requests held by this process (negative: answered)."""
        self.held += n
        self._cells[self.slot * _SLOT + 1] = self.held

    def loads(self) -> list[int]:
        """Requests held by each live process on the board, this one's first."""
        out = [self.held]
        for slot in range(SLOTS):
            pid = self._cells[slot * _SLOT]
            if pid == 0:
                continue
            if slot != self.slot and _alive(pid):
                out.append(max(0, self._cells[slot * _SLOT + 1]))
        return out

    def busier(self) -> bool:
        """Whether this process holds more than an even share of all requests, plus one."""
        loads = self.loads()
        return len(loads) > 1 and loads[0] > sum(loads) / len(loads) + 1

    def close(self) -> None:
        self._cells[self.slot * _SLOT + 1] = 0
        self._cells[self.slot * _SLOT] = 0
        self._cells.release()
        self._map.close()


class ShedWhenBusy:
    """ASGI middleware: counts this worker's requests on the board, and answers with
    ``Connection: close`` while the worker is :meth:`LoadBoard.busier` than its peers."""

    def __init__(self, app: ASGIApp, board: LoadBoard) -> None:
        self.app = app
        self.board = board

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_shedding(message: Message) -> None:
            if message["type"] == "http.response.start" and self.board.busier():
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        self.board.add(1)
        try:
            await self.app(scope, receive, send_shedding)
        finally:
            self.board.add(-1)
