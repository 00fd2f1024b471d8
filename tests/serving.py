"""Helpers of the end-to-end tests: the real `matcher` command and a real `matcher serve`."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
#: the `matcher` command run by this interpreter (works without the console script on PATH)
MATCHER = [sys.executable, "-m", "matcher"]
CACHE = str(REPO / ".cache" / "test-embeddings")
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run_matcher(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*MATCHER, *args], capture_output=True, text=True, timeout=timeout,
                          env=ENV, cwd=REPO, check=False)  # fmt: skip
    assert done.returncode == 0, f"matcher {args[0]} failed:\n{done.stderr[-3000:]}"
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(index: Path, log_path: Path, *extra: str) -> Iterator[str]:
    """A real `matcher serve` of ``index`` on a free port; yields its base URL, stops it after."""
    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [*MATCHER, "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port),
         "--cache-dir", CACHE, "--log-level", "warning", *extra],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=ENV,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /healthz within 180 s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


#: Debian's Chromium, driven by playwright without any download
CHROMIUM = Path("/usr/bin/chromium")


@contextlib.contextmanager
def sample_server(tmp: Path, workspace: str, n: int = 200) -> Iterator[tuple[str, str]]:
    """A real `matcher serve` of the first ``n`` sample creators (indexed with `matcher index`)
    and an API key of ``workspace`` (`matcher keys create`): yields (base URL, key)."""
    lines = (REPO / "datasets" / "sample" / "creators.jsonl").read_text(encoding="utf-8")
    creators = tmp / "creators.jsonl"
    creators.write_text("\n".join(lines.splitlines()[:n]) + "\n", encoding="utf-8")
    index = tmp / "index"
    run_matcher("index", "--creators", str(creators), "--out", str(index), "--cache-dir", CACHE,
                "--quiet")  # fmt: skip
    keys = run_matcher("keys", "create", "--workspace", workspace, "--index", str(index))
    key = keys.stdout.strip().splitlines()[-1]
    assert key.startswith("mk_") and (tmp / "index.db").exists()  # default db: INDEX.db beside it
    assert key not in keys.stderr
    with running_server(index, tmp / "server.log") as base:
        yield base, key


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's, no sandbox: tests may run as root), closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            yield b
        finally:
            b.close()
