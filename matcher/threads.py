"""BLAS thread counts: one thread while a brief is computed.

A brief's matrix products are small (a few thousand candidates by 384 dimensions). numpy's
OpenBLAS splits them over every core anyway, and its threads spin while they wait for the next
one, taking the cores from LightGBM and FAISS: on this 2-core machine a learned-ranker brief of
the 20,000-creator world took 141 ms (p50, ``bench/match_latency.py``) with two BLAS threads and
61 ms with one, and a server computing two briefs at once spent twice the CPU per brief.

The counts are set with threadpoolctl, which reaches the BLAS libraries already loaded (an
environment variable such as ``OPENBLAS_NUM_THREADS`` is read once, when numpy is first
imported). numpy's OpenBLAS has one count for the whole process, and threadpoolctl lets one
Python thread at a time change it (the first that does, while it lives); the others' limits are
left as they are. So a program that computes briefs side by side in its own threads should call
:func:`limit_blas_threads` once, from its main thread, as ``matcher serve`` does. FAISS's
OpenBLAS is OpenMP-threaded and follows ``faiss.omp_set_num_threads``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from threadpoolctl import ThreadpoolController, threadpool_limits

__all__ = ["limit_blas_threads", "one_blas_thread"]

F = TypeVar("F", bound=Callable[..., object])


def limit_blas_threads(n: int = 1) -> None:
    """Every BLAS library loaded in this process on ``n`` threads, from now on."""
    ThreadpoolController().limit(limits=n, user_api="blas")


@functools.cache
def _blas() -> list[Any]:
    """The BLAS libraries loaded when first asked (as threadpoolctl's own decorator sees them)."""
    return list(ThreadpoolController().select(user_api="blas").lib_controllers)


def one_blas_thread(fn: F) -> F:
    """``@one_blas_thread``: BLAS on one thread while the function runs, the earlier count
    after. Nothing is set when every BLAS already runs one thread (a server, after
    :func:`limit_blas_threads`): setting OpenBLAS's count and putting it back while another
    thread computes cost about 1 ms a brief in a server computing two at once; reading the
    counts costs microseconds."""
    limited = threadpool_limits.wrap(limits=1, user_api="blas")(fn)

    @functools.wraps(fn)
    def run(*args: object, **kwargs: object) -> object:
        one = all(lib.get_num_threads() == 1 for lib in _blas())
        return (fn if one else limited)(*args, **kwargs)

    return run  # type: ignore[return-value]
