"""The fast encoder: a static (model2vec) model distilled from the bundled all-MiniLM-L6-v2.

``model: static`` (``--model static``) embeds a text as the mean of per-token vectors, which
model2vec distils from MiniLM itself: every token of MiniLM's vocabulary is passed through the
bundled model once, the outputs reduced to 256 dimensions by PCA and weighted by token frequency.
No network: the source is the local, sha256-checked MiniLM, and the distilled model is written
once (about 15 s on 2 cores) to ``<cache dir>/static/<source fingerprint>/``, atomically, with
the sha256 of its weights beside it; every load checks that sha256.

Encoding needs no forward pass (a tokenizer and a table lookup), so a catalogue is searchable
in seconds instead of minutes; ``matcher index --fill DIR`` then replaces the static vectors with
MiniLM's (see :mod:`matcher.fill`). The two models' vectors live in different spaces, so an index
holds one or the other, never a mix, and its queries are encoded by the model that built it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import ModelNotFoundError

#: the model name (setting ``model``, option ``--model``) of the static encoder
STATIC_MODEL = "static"
#: dimensions kept by the distillation's PCA (MiniLM has 384)
STATIC_DIMS = 256
_RECORD = "matcher-static.json"


def static_model_dir(cache_dir: str | Path, source_fingerprint: str) -> Path:
    return Path(cache_dir) / "static" / source_fingerprint[:16]


def distill_static(source: Path, out: Path, *, dims: int = STATIC_DIMS) -> Path:
    """Distil ``source`` (a local sentence-transformers model) into a static model at ``out``,
    written to a temporary directory first and renamed into place; returns ``out``."""
    from matcher.encoder import sha256_file

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from model2vec.distill import distill

    model = distill(str(source), pca_dims=dims, device="cpu")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(str(tmp))
        record = {
            "source": str(source),
            "source_sha256": sha256_file(source / "model.safetensors"),
            "sha256": sha256_file(tmp / "model.safetensors"),
            "dims": dims,
        }
        (tmp / _RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        try:
            os.rename(tmp, out)
        except OSError:  # another process distilled it meanwhile: keep theirs
            if not (out / _RECORD).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


class StaticEncoder:
    """The static model distilled from the bundled MiniLM (see the module's docstring).

    Parameters
    ----------
    cache_dir : where the distilled model is kept (distilled there on first use).
    max_length : tokens read per text.
    """

    def __init__(self, cache_dir: str | Path, max_length: int = 512) -> None:
        from matcher.encoder import SentenceTransformerEncoder, default_model_dir

        source = SentenceTransformerEncoder("default")  # checks the bundled weights' sha256
        self.source_dir: Path = default_model_dir()
        self.dir = static_model_dir(cache_dir, source.fingerprint)
        self.max_length = max_length
        self._fingerprint: str | None = None  # from the distilled weights: known once loaded
        self._model: Any = None
        self._lock = threading.Lock()
        self.backend = "model2vec"
        #: texts encoded (there is no embedding cache: encoding is cheaper than a cache lookup)
        self.misses = 0
        self.hits = 0

    @property
    def fingerprint(self) -> str:
        """sha256 of the distilled weights' sha256 and ``max_length`` (distils on first use)."""
        if self._fingerprint is None:
            self.load()
        assert self._fingerprint is not None
        return self._fingerprint

    @property
    def dim(self) -> int:
        return STATIC_DIMS

    def load(self) -> None:
        from matcher.encoder import sha256_file

        with self._lock:
            if self._model is not None:
                return
            if not (self.dir / _RECORD).is_file():
                distill_static(self.source_dir, self.dir)
            weights = self.dir / "model.safetensors"
            try:
                record = json.loads((self.dir / _RECORD).read_text(encoding="utf-8"))
                got = sha256_file(weights)
            except (OSError, ValueError) as e:
                raise ModelNotFoundError(f"{self.dir}: static model unreadable ({e})") from None
            if got != record.get("sha256"):
                raise ModelNotFoundError(
                    f"{weights}: sha256 {got} does not match the recorded {record.get('sha256')}; "
                    f"delete {self.dir} to distil it again"
                )
            key = f"model2vec-static:{got}:{self.max_length}".encode()
            self._fingerprint = hashlib.sha256(key).hexdigest()[:32]
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from model2vec import StaticModel

            self._model = StaticModel.from_pretrained(self.dir, force_download=False)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, STATIC_DIMS), dtype=np.float32)
        self.load()
        self.misses += len(texts)
        out = self._model.encode(
            list(texts),
            max_length=self.max_length,
            show_progress_bar=progress,
            use_multiprocessing=True,  # threads, above 10,000 texts
        )
        out = np.nan_to_num(np.asarray(out, dtype=np.float32))  # a text of no known token: 0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(np.where(norms > 0, out / np.maximum(norms, 1e-12), 0.0),
                                    dtype=np.float32)  # fmt: skip
