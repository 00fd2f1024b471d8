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
