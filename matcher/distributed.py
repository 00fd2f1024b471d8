"""Embedding on a Ray cluster: ``matcher index --backend ray``.

:class:`RayEncoder` is an :class:`~matcher.encoder.Encoder` like the local one behind the
embedding cache: ``encode(texts)`` looks every text up in the cache, sends only the texts it
lacks (each distinct text once) to Ray, and returns one vector per text in the order given while
filling the cache as results come back. :func:`~matcher.index.build_and_save` and
:func:`~matcher.update.update_index` therefore work unchanged and write the same index: the
fingerprint is the model's, and the vectors are the model's.

On Ray the texts are a Ray Data dataset (``from_items``, sorted by length so that a batch pads
little, one block per batch) mapped by ``map_batches`` over :class:`EmbedBatch`, a callable class
run by an actor pool (``ActorPoolStrategy(size=actors)``): each actor loads the model once and
embeds batch after batch, and the vectors come back with their positions, in whatever order the
actors finish. By default there is one actor per CPU of the cluster, each running the model on
one thread; fewer actors get more threads each. Every Ray job starts its actor pool afresh (a few
seconds), so :meth:`RayEncoder.prefetch` embeds all of a build's texts in one job first.
Ray is imported only here, and only when used (``pip install 'matcher[distributed]'``).
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoder import (
    EmbeddingCache,
    Encoder,
    SentenceTransformerEncoder,
    cache_lookup,
    in_order,
)
from matcher.errors import MatcherError

log = logging.getLogger(__name__)

RAY_MISSING = "--backend ray needs Ray: pip install 'matcher[distributed]'"
#: texts per Ray Data batch (and block) when not told otherwise
DEFAULT_RAY_BATCH_SIZE = 256


class UsageError(MatcherError):
    """Options that cannot be used as given (exit code 2, as argparse's usage errors)."""

    exit_code = 2


class MissingDependencyError(UsageError):
    """An option needs an optional extra that is not installed."""


def import_ray() -> Any:
    """``ray`` with Ray Data, or a one-line error naming the extra to install."""
    try:
        import ray
        import ray.data  # noqa: F401 - ray[data]: pyarrow and pandas, core dependencies here
    except ImportError:
        raise MissingDependencyError(RAY_MISSING) from None
    return ray


class EmbedBatch:
    """The Ray Data callable class: one per actor; loads the model once, embeds batch by batch.

    Parameters
    ----------
    factory : a picklable zero-argument callable returning the encoder (run in the actor).
    fingerprint : the driver's model fingerprint; an actor whose model differs (other weights on
        another node) refuses to start rather than mix vectors of two models.
    threads : threads the model may use in this actor.
    """

    def __init__(self, factory: Callable[[], Encoder], fingerprint: str, threads: int = 1) -> None:
        # before the model loads: ONNX Runtime and torch read these when they start
        os.environ["OMP_NUM_THREADS"] = str(threads)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TQDM_DISABLE", "1")
        self.encoder = factory()
        if self.encoder.fingerprint != fingerprint:
            raise MatcherError(
                f"the model on this Ray node has fingerprint {self.encoder.fingerprint}, the "
                f"driver's has {fingerprint}: install the same model on every node"
            )
        load = getattr(self.encoder, "load", None)
        if load is not None:
            load()
        if "torch" in sys.modules:  # the sentence-transformers path
            sys.modules["torch"].set_num_threads(threads)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.encoder.encode([str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": np.asarray(vectors, dtype=np.float32)}


class RayEncoder:
    """An encoder whose texts missing from the cache are embedded on Ray (see the module doc).

    Parameters
    ----------
    factory : picklable zero-argument callable returning the encoder; called once here (for
        the fingerprint and dimension: the model itself is not loaded in this process unless
        ``prepare`` is set) and once in every actor.
    cache : the embedding cache (None: no cache, every distinct text is embedded).
    address : Ray cluster to join ("auto", "HOST:6379", "ray://HOST:10001"); None: start a local
        Ray instance, stopped again by :meth:`close`.
    actors : size of the actor pool; None: one per CPU Ray sees.
    batch_size : texts per batch sent to an actor.
    num_cpus : CPUs of the local instance (None: all); only without ``address``.
    prepare : load the model once in this process before the first Ray job: for the default
        encoder this writes its ONNX export, which every actor on this machine then loads
        instead of starting torch (and exporting it again).
    """

    def __init__(
        self,
        factory: Callable[[], Encoder],
        cache: EmbeddingCache | None = None,
        *,
        address: str | None = None,
        actors: int | None = None,
        batch_size: int = DEFAULT_RAY_BATCH_SIZE,
        num_cpus: int | None = None,
        prepare: bool = False,
    ) -> None:
        if actors is not None and actors < 1:
            raise ValueError(f"actors must be >= 1, got {actors}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.factory = factory
        self.cache = cache
        self.address = address
        self.actors = actors
        self.batch_size = batch_size
        self.num_cpus = num_cpus
        self.prepare = prepare
        self.hits = 0
        self.misses = 0
        #: Ray jobs run (one per ``encode`` that had texts to embed)
        self.jobs = 0
        self._local = factory()
        self._ahead: set[bytes] = set()  # prefetched, not yet asked for by encode
        self._ray: Any = None
        self._started = False  # we started the local instance (or connected): close() ends it

    @property
    def dim(self) -> int:
        return self._local.dim

    @property
    def fingerprint(self) -> str:
        return self._local.fingerprint

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        dim = self.dim
        hashes, found, missing = cache_lookup(self.cache, self.fingerprint, texts, dim)
        # embedded by prefetch for this request: counted as new, as if embedded now
        fresh = {h for h in found if h in self._ahead}
        self._ahead -= fresh
        self.hits += len(texts) - sum(1 for h in hashes if h in missing or h in fresh)
        self.misses += len(missing) + len(fresh)
        for part, vectors in self._embed_missing(missing, progress):
            found.update(zip(part, vectors, strict=True))
        return in_order(hashes, found, dim)

    def prefetch(self, texts: Sequence[str], *, progress: bool = False) -> int:
        """Embed in one Ray job the texts the cache lacks (each once) into the cache; returns
        how many. An index build asks for its profile texts and its voice texts in two calls
        of :meth:`encode`: prefetched together they start one actor pool instead of two, and
        those calls then read the cache (counting these texts as new, not as hits)."""
        if self.cache is None:
            raise ValueError("prefetch needs an embedding cache, got cache=None")
        missing: dict[bytes, str] = {}
        for start in range(0, len(texts), 20_000):  # presence only: the vectors are dropped
            chunk = texts[start : start + 20_000]
            missing.update(cache_lookup(self.cache, self.fingerprint, chunk, self.dim)[2])
        for part, _ in self._embed_missing(missing, progress):
            self._ahead.update(part)
        return len(missing)

    def _embed_missing(
        self, missing: dict[bytes, str], progress: bool
    ) -> Iterator[tuple[list[bytes], np.ndarray]]:
        """(text hashes, their vectors) of these texts, embedded on Ray and put in the cache."""
        if not missing:
            return
        keys = list(missing)
        for rows, vectors in self._embed([missing[k] for k in keys], progress):
            part = [keys[int(i)] for i in rows]
            if vectors.shape != (len(part), self.dim):
                raise MatcherError(
                    f"Ray returned vectors of shape {vectors.shape} for {len(part)} texts "
                    f"of a {self.dim}-dimensional model"
                )
            if self.cache is not None:
                self.cache.put_many(self.fingerprint, zip(part, vectors, strict=True))
            yield part, vectors

    # -- Ray ---------------------------------------------------------------------------------

    def _connect(self) -> Any:
        if self._ray is not None:
            return self._ray
        ray = import_ray()
        if self.prepare:
            load = getattr(self._local, "load", None)
            if load is not None:
                load()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no network at run time
        if not ray.is_initialized():
            if self.address is None:
                ray.init(
                    address="local",
                    num_cpus=self.num_cpus,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                )
            else:
                ray.init(address=self.address, logging_level=logging.WARNING)
            self._started = True
        self._ray = ray
        return ray

    def pool(self) -> tuple[int, float, int]:
        """(actors, CPUs per actor, threads per actor) on the cluster as it is now."""
        ray = self._connect()
        total = float(ray.cluster_resources().get("CPU", 1.0))
        per_node = [
            float(n["Resources"].get("CPU", 0.0)) for n in ray.nodes() if n.get("Alive", False)
        ]
        biggest = max(per_node, default=total) or total
        actors = self.actors or max(1, int(total))
        cpus = min(biggest, total / actors)
        return actors, cpus, max(1, int(cpus))

    def _embed(self, texts: list[str], progress: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions in ``texts``, their vectors), batch by batch as the actors finish them."""
        ray = self._connect()
        from ray.data import DataContext

        ctx = DataContext.get_current()
        ctx.enable_progress_bars = progress
        ctx.print_on_execution_start = progress
        logging.getLogger("ray.data").setLevel(logging.INFO if progress else logging.ERROR)
        actors, cpus, threads = self.pool()
        # every actor gets work: batches no bigger than an equal share of the texts
        size = max(1, min(self.batch_size, math.ceil(len(texts) / actors)))
        blocks = math.ceil(len(texts) / size)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths together
        ds = ray.data.from_items(
            [{"i": i, "text": texts[i]} for i in order], override_num_blocks=blocks
        )
        ds = ds.map_batches(
            EmbedBatch,
            fn_constructor_kwargs={
                "factory": self.factory,
                "fingerprint": self.fingerprint,
                "threads": threads,
            },
            batch_size=size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(actors, blocks)),
            num_cpus=cpus,
        )
        self.jobs += 1
        log.info("embedding %d texts on Ray: %d actors x %g CPUs", len(texts), actors, cpus)
        try:
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                yield np.asarray(batch["i"]), np.asarray(batch["vector"], dtype=np.float32)
        except MatcherError:
            raise
        except Exception as e:  # an actor failed: Ray's error ends with the actor's own
            raise MatcherError(f"embedding on Ray failed: {_last_line(e)}") from e

    def close(self) -> None:
        """Stop the local Ray instance this encoder started (or leave the cluster it joined)."""
        if self._started and self._ray is not None:
            self._ray.shutdown()
        self._ray = None
        self._started = False

    def __enter__(self) -> RayEncoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _last_line(e: BaseException) -> str:
    """The last line of an error Ray relays from an actor: the actor's exception and message."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    last = lines[-1] if lines else type(e).__name__
    return last.removeprefix(f"{MatcherError.__module__}.{MatcherError.__name__}: ")


def build_ray_encoder(
    model: str = "default",
    *,
    max_seq_length: int = 128,
    batch_size: int = 64,
    cache_dir: str | Path | None = None,
    address: str | None = None,
    actors: int | None = None,
    ray_batch_size: int = DEFAULT_RAY_BATCH_SIZE,
    num_cpus: int | None = None,
) -> RayEncoder:
    """The configured encoder (as :func:`~matcher.encoder.build_encoder`) embedding on Ray.

    Ray is imported here, so a missing Ray is reported before any work."""
    from matcher.config import default_cache_dir

    import_ray()
    cdir = Path(cache_dir) if cache_dir else default_cache_dir()
    factory = partial(
        SentenceTransformerEncoder,
        model,
        max_seq_length=max_seq_length,
        batch_size=batch_size,
        onnx_dir=cdir / "onnx",
    )
    return RayEncoder(
        factory,
        EmbeddingCache(cdir / "embeddings.sqlite"),
        address=address,
        actors=actors,
        batch_size=ray_batch_size,
        num_cpus=num_cpus,
        prepare=True,
    )
