"""`matcher serve --workers N`: a listening socket per worker, so that the kernel shares kept-alive
connections out between them (with uvicorn's one shared socket, one worker could take them all).
A real server (real model, index and SQLite), real sockets, read from /proc/net."""

from __future__ import annotations

import http.client
import os
import pickle
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from serving import ENV, MATCHER, REPO, run_matcher, running_server

from matcher.serve.workers import ReusePortSocket, bind, bind_exclusive


def listeners(port: int) -> list[int]:
    """The socket inodes that listen on TCP ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                found.append(int(f[9]))
    return found


def owner_of_sockets() -> dict[int, int]:
    """socket inode -> pid, for this machine's processes we may read."""
    owners = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    owners[int(target[8:-1])] = int(fd_dir.parent.name)
        except OSError:
            continue
    return owners


def established_by_pid(port: int) -> dict[int, int]:
    """How many established connections to ``port`` each server process holds."""
    owners = owner_of_sockets()
    counts: dict[int, int] = {}
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port:
                pid = owners.get(int(f[9]))
                if pid is not None:
                    counts[pid] = counts.get(pid, 0) + 1
    return counts


def worker_of_connection(port: int, client_port: int) -> int | None:
    """The pid of the server process holding the far end of a connection from ``client_port``."""
    owners = owner_of_sockets()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            f = line.split()
            local, remote = int(f[1].rsplit(":", 1)[1], 16), int(f[2].rsplit(":", 1)[1], 16)
            if f[3] == "01" and local == port and remote == client_port:
                return owners.get(int(f[9]))
    return None


def connections_on_one_worker(port: int, n: int) -> list[http.client.HTTPConnection]:
    """``n`` open connections that one worker holds (others opened on the way are closed)."""
    by_worker: dict[int | None, list[http.client.HTTPConnection]] = {}
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        worker = worker_of_connection(port, conn.sock.getsockname()[1])
        by_worker.setdefault(worker, []).append(conn)
        if worker is not None and len(by_worker[worker]) == n:
            for other in by_worker:
                if other != worker:
                    for c in by_worker[other]:
                        c.close()
            return by_worker[worker]
    raise AssertionError(f"no worker took {n} of 200 connections: {by_worker}")


def test_a_pickled_socket_is_unpickled_as_a_new_socket_on_the_same_port():
    parent = bind_exclusive("127.0.0.1", 0)
    try:
        port = parent.getsockname()[1]
        child = pickle.loads(pickle.dumps(parent))
        try:
            assert isinstance(child, ReusePortSocket) and child.fileno() != parent.fileno()
            assert child.getsockname() == ("127.0.0.1", port)
            assert child.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        finally:
            child.close()
    finally:
        parent.close()


def test_the_port_is_refused_when_another_program_holds_it():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            bind_exclusive("127.0.0.1", other.getsockname()[1])
    sock = bind("127.0.0.1", 0)  # and a listening worker's port is refused to the next server
    sock.listen()
    try:
        with pytest.raises(OSError):
            bind_exclusive("127.0.0.1", sock.getsockname()[1])
    finally:
        sock.close()


@pytest.mark.integration
def test_workers_listen_each_on_their_own_socket_and_share_kept_alive_clients(
    sample_index_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "app.db"
    with running_server(
        sample_index_dir, tmp_path / "log", "--workers", "2", "--db", str(db)
    ) as base:
        port = int(base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 180
        while len(listeners(port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.25)  # the second worker may still be loading the index
        owners = owner_of_sockets()
        assert len({owners.get(inode) for inode in listeners(port)}) == 2  # two processes
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(32)]
        try:
            for c in clients:
                assert c.get("/healthz").status_code == 200  # each keeps its connection
            per_worker = established_by_pid(port)
        finally:
            for c in clients:
                c.close()
        # 32 connections hashed over two sockets: each worker has some (all on one: 2**-31)
        assert len(per_worker) == 2 and sum(per_worker.values()) == 32, per_worker
        assert min(per_worker.values()) >= 4, per_worker

        second = subprocess.run(
            [*MATCHER, "serve", "--index", str(sample_index_dir), "--port", str(port),
             "--workers", "2", "--db", str(tmp_path / "other.db")],
            capture_output=True, text=True, cwd=REPO, env=ENV, timeout=300, check=False,
        )  # fmt: skip
        assert second.returncode != 0
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert "Traceback" not in second.stderr

        # six clients all on one worker, the other idle: the busy one sends some away
        key = run_matcher("keys", "create", "--workspace", "w", "--db", str(db))
        key = key.stdout.strip().splitlines()[-1]
        brief = (REPO / "datasets" / "sample" / "briefs.jsonl").read_text().splitlines()[0]
        conns = connections_on_one_worker(port, 6)
        start = threading.Barrier(len(conns))

        def match(conn: http.client.HTTPConnection) -> tuple[int, str | None]:
            start.wait()
            conn.request("POST", "/v1/match", body=brief,
                         headers={"Authorization": f"Bearer {key}",
                                  "Content-Type": "application/json"})  # fmt: skip
            r = conn.getresponse()
            r.read()
            return r.status, r.getheader("connection")

        with ThreadPoolExecutor(len(conns)) as pool:
            answers = list(pool.map(match, conns))
        for c in conns:
            c.close()
        assert all(status == 200 for status, _ in answers), answers
        closed = sum(header == "close" for _, header in answers)
        # 6 held against 0: the answers while 6, 5, 4, 3 are held (more than an even share
        # plus one: 4, 3.5, 3, 2.5) say close, the last ones (2, 1) do not; without the
        # middleware none does
        assert 1 <= closed < len(conns), answers
