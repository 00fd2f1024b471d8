"""Encoder: offline model resolution, weight checks, and the embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

import matcher.encoder as encoder_mod
from matcher.encoder import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder, resolve_model
from matcher.errors import ModelNotFoundError


def test_cache_means_unchanged_texts_cost_nothing(tmp_path, fake_encoder):
    enc = CachedEncoder(fake_encoder, EmbeddingCache(tmp_path / "c.sqlite"))
    a = enc.encode(["trail running", "sourdough", "trail running"])
    assert fake_encoder.calls == 1 and enc.misses == 2
    # a new process: a fresh cache object over the same file
    enc2 = CachedEncoder(fake_encoder, EmbeddingCache(tmp_path / "c.sqlite"))
    b = enc2.encode(["sourdough", "trail running"])
    assert fake_encoder.calls == 1 and enc2.misses == 0 and enc2.hits == 2
    np.testing.assert_array_equal(a[[1, 0]], b)


def test_cache_is_keyed_by_model_fingerprint(tmp_path, fake_encoder):
    from conftest import FakeEncoder

    cache = EmbeddingCache(tmp_path / "c.sqlite")
    CachedEncoder(fake_encoder, cache).encode(["x"])
    other = FakeEncoder(fingerprint="other-model")
    enc = CachedEncoder(other, cache)
    enc.encode(["x"])
    assert enc.misses == 1


def test_unknown_model_is_a_clear_error_never_a_download(tmp_path):
    with pytest.raises(ModelNotFoundError, match="never downloads"):
        resolve_model("sentence-transformers/all-mpnet-base-v2")
    with pytest.raises(ModelNotFoundError, match="no model weights"):
        SentenceTransformerEncoder(str(tmp_path))


def test_default_weights_are_checked_by_sha256(monkeypatch):
    monkeypatch.setattr(encoder_mod, "DEFAULT_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelNotFoundError, match="does not match the expected"):
        SentenceTransformerEncoder("default")


@pytest.mark.integration
def test_real_model_embeds_offline(real_encoder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    v = real_encoder.encode(["trail running shoes", "running shoes for trails", "tax return tips"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_a_cache_that_cannot_be_written_still_gives_the_vectors(tmp_path, fake_encoder, caplog):
    import sqlite3

    cache = EmbeddingCache(tmp_path / "emb.sqlite")

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    cache.put_many = locked  # type: ignore[method-assign]
    enc = CachedEncoder(fake_encoder, cache)
    got = enc.encode(["a", "b"])
    assert np.allclose(got, fake_encoder.encode(["a", "b"]))
    assert "not written (database is locked)" in caplog.text


def test_threads_and_two_connections_share_the_cache(tmp_path, fake_encoder):
    """Readers and writers on one connection (threads) and another connection (a second process's
    view) at once: no 'database is locked', every vector stored."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "emb.sqlite"
    one, two = EmbeddingCache(path), EmbeddingCache(path)

    def work(i: int) -> None:
        cache = one if i % 2 else two
        texts = [f"text {i} {j}" for j in range(20)]
        hashes = [encoder_mod.text_hash(t) for t in texts]
        cache.put_many("m", zip(hashes, fake_encoder.encode(texts), strict=True))
        assert len(cache.get_many("m", hashes, fake_encoder.dim)) == 20

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(64)))
    n = one._db.execute("SELECT count(*) FROM emb").fetchone()[0]
    assert n == 64 * 20
