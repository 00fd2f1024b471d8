"""``matcher serve --workers N``: N processes, each with its own listening socket on the same port
(``SO_REUSEPORT``), so that the kernel shares connections out between them.

uvicorn's own ``--workers`` hands every worker one shared socket. A connection then stays with
whichever worker accepted it, and one worker can accept a whole burst of new connections in one
go: 32 clients that kept their connections open were seen all on one of two workers, which
computed their briefs one at a time while the other idled (23-34 briefs/s on the sample, against
37-40 with a socket per worker; README, Service). With a socket per worker, Linux hashes each new
connection to one of the listening sockets, so kept-alive clients are shared out too (not
exactly evenly: 19 and 13 of 32 in one check).

uvicorn's supervisor still starts, watches and restarts the workers: it passes the parent's
socket to each worker by pickling it, and :class:`ReusePortSocket` pickles as its address, so
each worker binds a socket of its own when it starts. The parent's socket is bound (it holds the
port, and a second server on the same port fails to start) but never listens, so it is never
given a connection. Linux only (``SO_REUSEPORT`` balances TCP connections there since 3.9).
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

from matcher.serve.balance import BOARD_ENV, new_board


class ReusePortSocket(socket.socket):
    """A TCP socket bound with ``SO_REUSEPORT``; pickled (to a spawned worker) as its address,
    and unpickled as a new socket bound to it."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (bind, (host, port))


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind(host: str, port: int) -> ReusePortSocket:
    """A socket bound to ``host:port`` with ``SO_REUSEPORT`` (not yet listening)."""
    sock = ReusePortSocket(family=_family(host))
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind_exclusive(host: str, port: int) -> ReusePortSocket:
    """The parent's socket: :func:`bind`, after checking that nothing listens on the port (a
    socket with ``SO_REUSEPORT`` alone would share it with another server's, such as a second
    ``matcher serve`` on the same port). Like uvicorn, it binds with ``SO_REUSEADDR``, so a port
    left in TIME_WAIT by a stopped server is free at once."""
    with socket.socket(family=_family(host)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))  # OSError (address in use) when anything listens there
    return bind(host, port)


def serve_workers(config: Any) -> None:
    """Run ``config`` (a :class:`uvicorn.Config` of an import-string app with ``workers`` > 1)
    under uvicorn's supervisor, each worker on its own :class:`ReusePortSocket`, all sharing
    one load board (:mod:`matcher.serve.balance`)."""
    from uvicorn.supervisors import Multiprocess

    sock = bind_exclusive(config.host, config.port)
    board = new_board()
    os.environ[BOARD_ENV] = str(board)  # the workers even out their load (matcher.serve.balance)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        os.environ.pop(BOARD_ENV, None)
        shutil.rmtree(board.parent, ignore_errors=True)
