"""A brief is computed on one BLAS thread; the server computes one brief per core.

A second BLAS thread per brief only spins: when numpy was imported before ``matcher serve`` set
``OPENBLAS_NUM_THREADS=1``, numpy's OpenBLAS ran two threads and the server spent twice the CPU
per brief (89 against 46 ms on the sample, ``bench/serve_load.py``); a learned-ranker brief of the
world took 141 against 57 ms alone (``bench/match_latency.py``). The process-wide checks run in
a fresh interpreter, because BLAS thread counts belong to the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from serving import CACHE, REPO
from threadpoolctl import threadpool_info, threadpool_limits

from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.ranking import WeightedRanker
from matcher.schema import Brief, Creator

# OpenBLAS runs no more threads than cores: the checks of one thread against two need two
pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs at least two cores")

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
        "import numpy, faiss\nfrom matcher.threads import limit_blas_threads\nlimit_blas_threads(1)",
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


def blas_now() -> set[int]:
    """The thread counts of the BLAS libraries whose count is the whole process's (numpy's
    OpenBLAS on pthreads; an OpenMP one, such as FAISS's, counts per calling thread)."""
    return {
        i["num_threads"]
        for i in threadpool_info()
        if i["user_api"] == "blas" and i.get("threading_layer") != "openmp"
    }


class _BlasSpy(WeightedRanker):
    """The weighted ranker, noting the BLAS thread counts while it ranks."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[set[int]] = []

    def rank(self, sm, cands):  # type: ignore[no-untyped-def]
        self.seen.append(blas_now())
        return super().rank(sm, cands)


def test_recommend_ranks_on_one_blas_thread_and_puts_the_count_back(tmp_path, fake_encoder):
    creators = [Creator(f"c{i}", bio="trail running and ultra marathons", followers=40_000)
                for i in range(30)]  # fmt: skip
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    spy = _BlasSpy()
    m = Matcher(idx, fake_encoder, Settings(), spy)
    with threadpool_limits(limits=2, user_api="blas"):
        m.recommend(Brief(brand="Salomon", description="trail running shoes", k=5))
        after = blas_now()
    assert spy.seen == [{1}] and after == {2}


def test_after_the_process_limit_the_decorator_sets_no_thread_count() -> None:
    """Once ``limit_blas_threads(1)`` set the process's count (as ``matcher serve`` does), a
    ``@one_blas_thread`` call sets no thread count (setting OpenBLAS's count and putting it back
    cost about 1 ms a served brief); before it, the decorator does limit."""
    code = (
        "import numpy, threadpoolctl\n"
        "from matcher.threads import limit_blas_threads, one_blas_thread\n"
        "seen = []\n"
        "@one_blas_thread\n"
        "def f(probe=True):\n"
        "    if probe:\n"
        "        seen.append(sorted(i['num_threads'] for i in threadpoolctl.threadpool_info()\n"
        "                           if i['user_api'] == 'blas'))\n"
        "    return 7\n"
        "f()\n"
        "limit_blas_threads(1)\n"
        "f()\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('a thread count set')\n"
        "for c in vars(threadpoolctl).values():\n"
        "    if isinstance(c, type) and hasattr(c, 'set_num_threads'):\n"
        "        c.set_num_threads = refuse\n"
        "assert f(probe=False) == 7\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True,
                          text=True, env=ENV, cwd=REPO, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[1], [1]]
