"""A real `matcher serve` under load: 32 concurrent clients x 20 briefs over HTTP on 127.0.0.1.

Uses (or builds, with `matcher index`) an index of the 20,000 world creators, creates an API key
in a temporary database, starts the server on a free local port, and sends the world briefs from
concurrent client threads (http.client, bounded timeouts). Each request's description gets a unique
suffix so the embedding cache cannot answer it: every request pays for encoding its brief, as a
new brief would (``--allow-cache-hits`` sends them verbatim). Prints errors, p50 / p95 latency,
briefs/s and the CPU time per brief of the server (its workers included) and of the clients, then
one JSON line. The server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT.parent / "shared" / "data" / "world"
HOST = "127.0.0.1"  # never anything else
MATCHER = [sys.executable, "-c", "import sys; from matcher.cli import main; sys.exit(main())"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def matcher(*args: str) -> str:
    done = subprocess.run([*MATCHER, *args], env=ENV, cwd=ROOT, check=False, text=True,
                          stdout=subprocess.PIPE)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"matcher {args[0]} failed with exit code {done.returncode}")
    return done.stdout


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with code {proc.returncode} before answering")
        try:
            r = httpx.get(f"{base}/healthz", timeout=2)
            if r.status_code == 200:
                return dict(r.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"server did not answer /healthz within {timeout:.0f} s")


def listening(port: int) -> int:
    """How many sockets listen on TCP ``port`` (IPv4 and IPv6), from /proc/net; -1 without it."""
    found = -1
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if table.exists():
            found = max(found, 0)
            for line in table.read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                found += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port
    return found


def wait_listening(port: int, workers: int, timeout: float) -> None:
    """Wait until every worker listens: the first answers /healthz while the others still load,
    and clients that connected then would all keep that worker's connections."""
    deadline = time.monotonic() + timeout
    while 0 <= listening(port) < workers and time.monotonic() < deadline:
        time.sleep(0.25)


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants (the
    workers of ``--workers N``), from /proc; None where /proc is missing."""
    procs = Path("/proc")
    if not (procs / str(pid) / "stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    for d in procs.iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            stats[int(d.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += stats.get(p, (0, 0.0))[1]
        todo.extend(c for c, (parent, _) in stats.items() if parent == p)
    return total


def load(base: str, key: str, briefs: list[dict[str, Any]], args: argparse.Namespace) -> dict:
    """The clients: one thread each, on the standard library's ``http.client`` (httpx cost about
    4 ms of CPU per brief here, on the cores the server measured needs; this costs about 1)."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(args.clients + 1)
    host, port = base.removeprefix("http://").rsplit(":", 1)

    def client(c: int) -> None:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if args.new_connections:  # else each client keeps one connection, pinned to one worker
            headers["Connection"] = "close"
        conn = http.client.HTTPConnection(host, int(port), timeout=args.timeout)
        start.wait()
        for j in range(args.per_client):
            n = c * args.per_client + j
            brief = dict(briefs[n % len(briefs)])
            if not args.allow_cache_hits:
                brief["description"] = f"{brief['description']} (request {n})"
            if args.k:
                brief["k"] = args.k
            t = time.perf_counter()
            try:
                conn.request("POST", "/v1/match", body=json.dumps(brief), headers=headers)
                r = conn.getresponse()
                body = r.read()
                ok = r.status == 200 and "matches" in json.loads(body)
                why = f"HTTP {r.status}: {body[:200]!r}"
                if r.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException, ValueError) as e:
                ok, why = False, f"{type(e).__name__}: {e}"
                conn.close()
            dt = (time.perf_counter() - t) * 1000
            with lock:
                (lat.append(dt) if ok else errors.append(why))
        conn.close()

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(args.clients)]
    for th in threads:
        th.start()
    start.wait()
    t0 = time.perf_counter()
    for th in threads:
        th.join(timeout=args.timeout * args.per_client + 60)
    wall = time.perf_counter() - t0
    return {"lat": lat, "errors": errors, "wall": wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", default=str(ROOT / "out" / "world-index"), help="reused if built")
    ap.add_argument("--creators", default=str(WORLD / "creators.jsonl"), help="to build the index")
    ap.add_argument("--briefs", default=str(WORLD / "briefs.jsonl"))
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--per-client", type=int, default=20, help="briefs each client sends")
    ap.add_argument("--k", type=int, help="override each brief's k")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per request")
    ap.add_argument("--allow-cache-hits", action="store_true", help="send briefs verbatim")
    ap.add_argument("--new-connections", action="store_true",
                    help="one connection per request (default: one kept-alive per client)")  # fmt: skip
    ap.add_argument("--cache-dir", help="embedding cache of the index build (default: matcher's)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (matcher serve)")
    ap.add_argument("--concurrency", type=int, help="briefs each worker computes at once "
                    "(matcher serve --concurrency; default: the server's)")  # fmt: skip
    args = ap.parse_args()
    if args.clients < 1 or args.per_client < 1:
        raise SystemExit("--clients and --per-client must be >= 1")

    cache = ["--cache-dir", args.cache_dir] if args.cache_dir else []
    if not (Path(args.index) / "manifest.json").exists():
        print(f"building {args.index} from {args.creators} (slow the first time)", file=sys.stderr)
        matcher("index", "--creators", args.creators, "--out", args.index, "--quiet", *cache)
    briefs = [
        json.loads(line) for line in Path(args.briefs).read_text("utf-8").splitlines() if line
    ]

    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        db = str(Path(tmp) / "bench.db")
        key = matcher("keys", "create", "--workspace", "bench", "--db", db).strip().splitlines()[-1]
        port = free_port()
        base = f"http://{HOST}:{port}"
        log = (Path(tmp) / "server.log").open("wb")
        # the server gets its own empty embedding cache: no brief is answered from disk
        proc = subprocess.Popen(
            [*MATCHER, "serve", "--index", args.index, "--db", db, "--host", HOST,
             "--port", str(port), "--log-level", "warning", "--cache-dir", str(Path(tmp) / "cache"),
             "--workers", str(args.workers),
             *(["--concurrency", str(args.concurrency)] if args.concurrency else [])],
            env=ENV, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        res: dict[str, Any] | None = None
        try:
            t = time.perf_counter()
            health = wait_healthy(base, proc, timeout=600)
            wait_listening(port, args.workers, timeout=600)
            startup = time.perf_counter() - t
            print(f"server up in {startup:.1f}s: {health['creators']} creators, "
                  f"{health['ranker']} ranker", file=sys.stderr)  # fmt: skip
            server_cpu, client_cpu = cpu_seconds(proc.pid), time.process_time()
            res = load(base, key, briefs, args)
            after = cpu_seconds(proc.pid)
            res["server_cpu"] = None if after is None or server_cpu is None else after - server_cpu
            res["client_cpu"] = time.process_time() - client_cpu
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
            log.close()
            if res is not None and res["errors"]:  # what the server said, before it is deleted
                tail = (Path(tmp) / "server.log").read_text("utf-8", "replace").splitlines()
                print("server log (last 60 lines):", *tail[-60:], sep="\n", file=sys.stderr)

    lat, errors = np.array(res["lat"]), res["errors"]
    requests = args.clients * args.per_client
    for e in sorted(set(errors))[:10]:
        print(f"error x{errors.count(e)}: {e}", file=sys.stderr)
    p50 = round(float(np.percentile(lat, 50)), 1) if len(lat) else None
    p95 = round(float(np.percentile(lat, 95)), 1) if len(lat) else None
    rate = round(len(lat) / res["wall"], 2)
    per = {
        f"{who}_cpu_ms_per_brief": round(res[f"{who}_cpu"] / requests * 1000, 1)
        for who in ("server", "client")
        if res[f"{who}_cpu"] is not None
    }
    print(f"{requests} requests from {args.clients} clients: {len(errors)} errors, "
          f"p50 {p50} ms, p95 {p95} ms, {rate} briefs/s; CPU per brief: "
          + ", ".join(f"{k.split('_')[0]} {v} ms" for k, v in per.items()), file=sys.stderr)  # fmt: skip
    out = {"bench": "serve_load", "clients": args.clients, "requests": requests,
           "errors": requests - len(lat), "p50_ms": p50, "p95_ms": p95, "briefs_per_s": rate,
           "creators": health["creators"], "unique_briefs": not args.allow_cache_hits,
           "startup_s": round(startup, 1), "workers": args.workers,
           "concurrency": args.concurrency, "new_connections": args.new_connections,
           **per}  # fmt: skip
    print(json.dumps(out))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
