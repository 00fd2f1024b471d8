"""User data survives a killed server, and `matcher backup` copies it consistently while the
server writes: a real `matcher serve` (real model, index, SQLite), real HTTP clients, SIGKILL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import sample_creators
from serving import ENV, MATCHER, REPO, free_port, run_matcher

pytestmark = pytest.mark.integration


def start_server(
    index: Path, db: Path, log: Path, *extra: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [*MATCHER, "serve", "--index", str(index), "--db", str(db), "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", *extra],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=REPO, env=ENV,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise AssertionError("server did not start")


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def shortlists_in(db: Path) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT id, creator_ids FROM shortlists").fetchall())
    finally:
        con.close()


def test_writes_survive_sigkill_and_backup_is_consistent_while_serving(sample_index_dir, tmp_path):
    db, copy, log = tmp_path / "app.db", tmp_path / "backup.db", tmp_path / "server.log"
    key = run_matcher("keys", "create", "--workspace", "acme", "--db", str(db)).stdout.strip()
    ids = [c.creator_id for c in sample_creators(6)]
    proc, base = start_server(sample_index_dir, db, log)

    acked: dict[str, str] = {}  # shortlist id -> creator_ids as stored (JSON), acknowledged 201
    lock, stop = threading.Lock(), threading.Event()

    def writer(w: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as http:
            n = 0
            while not stop.is_set():
                body = {"name": f"w{w}-{n}", "creator_ids": ids[w % 3 : w % 3 + 3]}
                try:
                    r = http.post("/v1/shortlists", json=body, timeout=10)
                except httpx.HTTPError:
                    return  # the server was killed mid-request: this write was never acked
                if r.status_code == 201:
                    with lock:
                        acked[r.json()["id"]] = body["creator_ids"]
                n += 1

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(6)]
    try:
        for t in threads:
            t.start()
        time.sleep(1.5)
        with lock:
            before_backup = dict(acked)
        done = run_matcher("backup", "--db", str(db), "--out", str(copy))
        assert "shortlists" in done.stderr
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)  # mid-write: the writers are still posting
        proc.wait(timeout=30)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
        for t in threads:
            t.join(timeout=30)

    assert len(before_backup) > 5 and len(acked) > len(before_backup)
    # every acknowledged write is in the database after the kill, exactly as sent
    assert integrity(db) == "ok"
    stored = shortlists_in(db)
    for sid, creator_ids in acked.items():
        assert json.loads(stored[sid]) == creator_ids
    # the backup is one consistent snapshot: everything acked before it started, checked copy
    assert integrity(copy) == "ok"
    backed = shortlists_in(copy)
    assert set(before_backup) <= set(backed) <= set(stored)
    # the key and the shortlists work after a restart on the same database
    proc, base = start_server(sample_index_dir, db, log)
    try:
        auth = {"Authorization": f"Bearer {key}"}
        r = httpx.get(f"{base}/v1/shortlists?limit=1000", headers=auth, timeout=30)
        assert r.status_code == 200
        listed = {s["id"] for s in r.json()["shortlists"]}
        assert len(listed) == min(1000, len(stored))
        for sid in list(acked)[-20:]:  # the last writes acknowledged before the kill
            got = httpx.get(f"{base}/v1/shortlists/{sid}", headers=auth, timeout=30)
            assert got.status_code == 200 and got.json()["creator_ids"] == acked[sid]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_backup_refuses_what_is_not_a_matcher_database(tmp_path):
    db = tmp_path / "app.db"
    run_matcher("keys", "create", "--workspace", "acme", "--db", str(db))
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = other.read_bytes()
    for out, says in ((other, "not a matcher database"), (db, "is the database itself")):
        r = subprocess.run(
            [*MATCHER, "backup", "--db", str(db), "--out", str(out)],
            capture_output=True, text=True, env=ENV, cwd=REPO,
        )  # fmt: skip
        assert r.returncode != 0 and says in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert other.read_bytes() == before
    r = subprocess.run(
        [*MATCHER, "backup", "--db", str(other), "--out", str(tmp_path / "x.db")],
        capture_output=True, text=True, env=ENV, cwd=REPO,
    )  # fmt: skip
    assert r.returncode != 0 and "not a matcher database" in r.stderr
    assert not (tmp_path / "x.db").exists()
    # an earlier backup is replaced
    run_matcher("backup", "--db", str(db), "--out", str(tmp_path / "b.db"))
    run_matcher("backup", "--db", str(db), "--out", str(tmp_path / "b.db"))
    assert integrity(tmp_path / "b.db") == "ok"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            out.append(int(status.parent.name))
    return out


def test_workers_answer_concurrently_and_share_the_database(sample_index_dir, tmp_path):
    """`matcher serve --workers 2`: two worker processes, every concurrent brief answered, a
    shortlist saved through one worker listed through any."""
    db, log = tmp_path / "app.db", tmp_path / "server.log"
    key = run_matcher("keys", "create", "--workspace", "acme", "--db", str(db)).stdout.strip()
    brief = json.loads((Path(REPO) / "datasets/sample/briefs.jsonl").read_text().splitlines()[0])
    proc, base = start_server(sample_index_dir, db, log, "--workers", "2")
    auth = {"Authorization": f"Bearer {key}"}
    results: list[int] = []
    saved: list[str] = []
    lock = threading.Lock()

    def client(c: int) -> None:
        with httpx.Client(base_url=base, headers=auth, timeout=120) as http:
            for j in range(3):
                r = http.post(
                    "/v1/match", json={**brief, "description": f"{brief['description']} {c}-{j}"}
                )
                ids = (
                    [m["creator_id"] for m in r.json()["matches"]][:3]
                    if r.status_code == 200
                    else []
                )
                s = http.post("/v1/shortlists", json={"name": f"{c}-{j}", "creator_ids": ids})
                with lock:
                    results.append(r.status_code)
                    if s.status_code == 201:
                        saved.append(s.json()["id"])

    try:
        assert len(children(proc.pid)) >= 2, children(proc.pid)  # the worker processes
        threads = [threading.Thread(target=client, args=(c,)) for c in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert results == [200] * 18 and len(saved) == 18
        with httpx.Client(base_url=base, headers=auth, timeout=60) as http:
            for _ in range(6):  # whichever worker answers sees every shortlist
                listed = {
                    x["id"] for x in http.get("/v1/shortlists?limit=1000").json()["shortlists"]
                }
                assert set(saved) <= listed
    finally:
        proc.terminate()
        proc.wait(timeout=60)
