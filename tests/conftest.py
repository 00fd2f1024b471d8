"""Shared fixtures: a fake encoder for unit tests, the real model and real indexes for integration."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from matcher.serve.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "datasets" / "sample"
# a warm embedding cache kept between test runs (gitignored); CI starts it empty
TEST_CACHE = Path(os.environ.get("MATCHER_TEST_CACHE", ROOT / ".cache" / "test-embeddings"))


class FakeEncoder:
    """Bag of hashed words: texts sharing words get similar vectors. Unit tests only."""

    def __init__(self, dim: int = 64, fingerprint: str = "fake-v1") -> None:
        self._dim = dim
        self._fp = fingerprint
        self.calls = 0

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def fingerprint(self) -> str:
        return self._fp

    def encode(self, texts, *, progress: bool = False) -> np.ndarray:  # type: ignore[no-untyped-def]
        self.calls += 1
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self._dim] += 1.0 if (h >> 64) % 2 else -1.0
            n = np.linalg.norm(out[i])
            if n > 0:
                out[i] /= n
        return out


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def real_encoder():  # type: ignore[no-untyped-def]
    from matcher.encoder import build_encoder

    return build_encoder("default", cache_dir=TEST_CACHE)


def sample_creators(n: int | None = None):  # type: ignore[no-untyped-def]
    from matcher.io import read_creators

    creators = read_creators(SAMPLE / "creators.jsonl")
    return creators if n is None else creators[:n]


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory, real_encoder) -> Path:  # type: ignore[no-untyped-def]
    """A real index (real model, real FAISS, real SQLite) of 400 sample creators."""
    from matcher.index import build_and_save

    out = tmp_path_factory.mktemp("idx") / "sample-index"
    build_and_save(sample_creators(400), real_encoder, out)
    return out


def sql_rows(path: Path, query: str) -> list[tuple]:
    """Every row ``query`` gives on the SQLite file ``path`` (opened and closed here)."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def shared_file(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (shared data is read from ../shared)")
    return p


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store with the workspaces ``acme`` and ``globex`` (the API tests' two tenants)."""
    from matcher.serve.store import Store

    with Store(tmp_path / "api.db") as s:
        for ws in ("acme", "globex"):
            s.create_workspace(ws)
        yield s


@pytest.fixture
def keys(store: Store) -> dict[str, str]:
    """An API key of each workspace of :func:`store`."""
    return {ws: store.create_key(ws) for ws in ("acme", "globex")}
