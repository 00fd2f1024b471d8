"""The server computes one brief per core, each on one BLAS thread.

A second BLAS thread per brief only spins: when numpy was imported before ``matcher serve`` set
``OPENBLAS_NUM_THREADS=1``, numpy's OpenBLAS ran two threads and the server spent twice the CPU
per brief (89 against 46 ms on the sample, ``bench/serve_load.py``). Each check runs in a fresh
interpreter, because BLAS thread counts belong to the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from serving import CACHE, REPO

#: the environment of a user who set no thread counts, on at least two BLAS threads
ENV = {
    **{k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")},
    "OPENBLAS_NUM_THREADS": "2",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def blas_threads_after(code: str, env: dict[str, str]) -> list[int]:
    """Run ``code`` in a fresh interpreter; the thread counts of its BLAS libraries after."""
    report = "from threadpoolctl import threadpool_info\n" \
        "print(json.dumps([i['num_threads'] for i in threadpool_info() " \
        "if i['user_api'] == 'blas']))\n"  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code + "\n" + report],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_numpy_starts_with_two_blas_threads_here() -> None:
    """The premise of the checks below: without a limit, numpy's BLAS runs two threads."""
    assert blas_threads_after("import numpy", ENV) == [2]


def test_one_blas_thread_limits_blas_already_loaded() -> None:
    threads = blas_threads_after(
        "import numpy, faiss\nfrom matcher.serve.app import one_blas_thread\none_blas_thread()",
        ENV,
    )
    assert threads and set(threads) == {1}


@pytest.mark.integration
def test_matcher_serve_computes_on_one_blas_thread(sample_index_dir: Path) -> None:
    """The real command, up to the moment it would listen: whatever it imported, BLAS is at one
    thread (``uvicorn.run`` is replaced by a stub that returns at once)."""
    env = {k: v for k, v in ENV.items() if k != "OPENBLAS_NUM_THREADS"}
    code = (
        "import uvicorn\n"
        "uvicorn.run = lambda *a, **k: None\n"
        "from matcher.cli import main\n"
        f"assert main(['serve', '--index', {str(sample_index_dir)!r}, '--cache-dir', {CACHE!r},"
        f" '--db', {str(sample_index_dir.parent / 'threads.db')!r}]) in (0, None)"
    )
    threads = blas_threads_after(code, env)
    assert threads and set(threads) == {1}
