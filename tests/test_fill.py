"""The fast path (integration: the real MiniLM, the static model distilled from it with model2vec,
real FAISS and SQLite): an index built with ``--encoder static``, searchable at once, then filled
with MiniLM's vectors (``matcher index --fill``) into exactly what a MiniLM build gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE, TEST_CACHE, sample_creators

from matcher.catalogue import CatalogueDB
from matcher.config import Settings
from matcher.encoder import STATIC_MODEL, build_encoder, index_model
from matcher.engine import Matcher
from matcher.errors import IndexMismatchError, MatcherError, ModelNotFoundError
from matcher.fill import fill_index, fill_status
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_briefs
from matcher.static_encoder import STATIC_DIMS, StaticEncoder

N = 300
SETTINGS = Settings(cache_dir=str(TEST_CACHE))


@pytest.fixture(scope="module")
def static_encoder() -> StaticEncoder:
    enc = build_encoder(STATIC_MODEL, cache_dir=TEST_CACHE)
    assert isinstance(enc, StaticEncoder)
    return enc


@pytest.fixture(scope="module")
def built(tmp_path_factory, static_encoder, real_encoder) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fill")
    creators = sample_creators(N)
    build_and_save(creators, static_encoder, root / "static", model_name=STATIC_MODEL, events=False)
    build_and_save(creators, real_encoder, root / "minilm")
    return {"static": root / "static", "minilm": root / "minilm"}


def shortlists(index_dir: Path) -> list[list[str]]:
    m = Matcher.open(index_dir, SETTINGS, ranker="weighted")
    try:
        briefs = read_briefs(SAMPLE / "briefs.jsonl")[:6]
        return [[r.creator_id for r in m.recommend(b, k=10).matches] for b in briefs]
    finally:
        m.index.catalogue.close()


def test_static_vectors_are_unit_256_deterministic_and_their_own_model(static_encoder):
    texts = ["trail running in the alps", "", "🔥🔥", "vegan baking on a budget"]
    a = static_encoder.encode(texts)
    assert a.shape == (4, STATIC_DIMS) and a.dtype == np.float32
    norms = np.linalg.norm(a, axis=1)
    assert np.allclose(norms[[0, 3]], 1.0, atol=1e-5) and norms[1] == 0.0
    assert np.array_equal(a, static_encoder.encode(texts))
    assert static_encoder.fingerprint != build_encoder("default", cache_dir=TEST_CACHE).fingerprint
    # closer in meaning, closer in vectors
    q = static_encoder.encode(["running shoes for mountain trails"])[0]
    assert q @ a[0] > q @ a[3]


def test_tampered_static_weights_are_refused(static_encoder, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(static_encoder.dir.parent, cache / "static")
    enc = StaticEncoder(cache)
    weights = enc.dir / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelNotFoundError, match="sha256"):
        enc.encode(["x"])


def test_a_static_index_answers_with_the_static_encoder_whatever_is_configured(built):
    assert index_model(built["static"], "default") == STATIC_MODEL
    assert index_model(built["minilm"], "default") == "default"
    m = Matcher.open(built["static"], SETTINGS, ranker="auto")
    try:
        assert m.encoder.fingerprint == m.index.manifest.model_fingerprint
        assert m.ranker.name == "weighted"  # the learned text model reads MiniLM's 384 dimensions
        assert not any(e is not None for e in m.index.catalogue.events(range(N)))  # left to --fill
        brief = read_briefs(SAMPLE / "briefs.jsonl")[0]
        res = m.recommend(brief, k=10)
        assert len(res.matches) == 10
    finally:
        m.index.catalogue.close()


def test_the_learned_text_model_refuses_a_static_index(built):
    from matcher.learn.resolve import index_text_model, resolve_ranker

    assert index_text_model(None, dim=STATIC_DIMS) is None  # the default is skipped
    with pytest.raises(MatcherError, match="384-dimension"):
        index_text_model(str(Path("matcher/models/default").resolve()), dim=STATIC_DIMS)
    index = CreatorIndex.load(built["static"])
    try:
        learned, _ = resolve_ranker("learned", index)
        with pytest.raises(IndexMismatchError, match="384-dimension vectors"):
            Matcher(index, build_encoder(STATIC_MODEL, cache_dir=TEST_CACHE), SETTINGS, learned)
    finally:
        index.catalogue.close()


def test_fill_gives_exactly_the_minilm_index(built, real_encoder, tmp_path):
    out = tmp_path / "idx"
    shutil.copytree(built["static"], out)
    before = fill_status(out, real_encoder)
    assert (before.count, before.model) == (N, STATIC_MODEL)
    rep = fill_index(out, real_encoder)
    assert rep.count == N
    after = json.loads((out / "manifest.json").read_text())
    want = json.loads((built["minilm"] / "manifest.json").read_text())
    for key in ("model", "model_fingerprint", "dim", "count", "index_type", "lexical", "prices"):
        assert after[key] == want[key], key
    for name in ("content.npy", "voice.npy", "voice_known.npy"):
        assert np.array_equal(np.load(out / name), np.load(built["minilm"] / name)), name
    db, ref = (
        CatalogueDB(out / "catalogue.sqlite", readonly=True),
        CatalogueDB(built["minilm"] / "catalogue.sqlite", readonly=True),
    )
    try:
        assert db.events(range(N)) == ref.events(range(N))  # stored by the fill
    finally:
        db.close()
        ref.close()
    assert shortlists(out) == shortlists(built["minilm"])
    assert fill_status(out, real_encoder).ready == N
    with pytest.raises(MatcherError, match="nothing to fill"):
        fill_index(out, real_encoder)


class Stop(Exception):
    pass


class FailsAfter:
    """The real encoder, raising on its second call (a fill stopped half-way)."""

    def __init__(self, enc, calls: int) -> None:  # type: ignore[no-untyped-def]
        self.enc, self.left = enc, calls
        self.dim, self.fingerprint, self.cache = enc.dim, enc.fingerprint, enc.cache

    def encode(self, texts, *, progress=False):  # type: ignore[no-untyped-def]
        if self.left == 0:
            raise Stop
        self.left -= 1
        return self.enc.encode(texts)


def test_a_stopped_fill_leaves_the_static_index_and_resumes(
    built, real_encoder, tmp_path, monkeypatch
):
    import matcher.fill

    out = tmp_path / "idx"
    shutil.copytree(built["static"], out)
    monkeypatch.setattr(matcher.fill, "CHUNK", 100)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    cache = build_encoder("default", cache_dir=tmp_path / "cache")  # cold: the fill's own
    with pytest.raises(Stop):
        fill_index(out, FailsAfter(cache, 2))  # type: ignore[arg-type]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".idx")]  # nothing left over
    CreatorIndex.load(out).catalogue.close()
    st = fill_status(out, cache)
    assert 0 < st.ready < N and st.model == STATIC_MODEL  # the first 100 creators' two texts
    misses = cache.misses
    fill_index(out, cache)
    assert 0 < cache.misses - misses < 2 * N  # only what the stopped fill had not embedded
    # the same vectors as the MiniLM build, up to the backend (this cold cache's model ran on
    # sentence-transformers before exporting to ONNX; the fixture's runs on ONNX)
    got, want = np.load(out / "content.npy"), np.load(built["minilm"] / "content.npy")
    assert np.min(np.sum(got * want, axis=1)) > 0.999


def test_a_served_static_index_switches_to_minilm_after_the_fill(built, real_encoder, tmp_path):
    from matcher.serve.reload import reopened

    out = tmp_path / "idx"
    shutil.copytree(built["static"], out)
    old = Matcher.open(out, SETTINGS, ranker="weighted")
    try:
        fill_index(out, real_encoder)
        new = reopened(old, out)
    finally:
        old.index.catalogue.close()
    try:
        assert new.encoder.fingerprint == real_encoder.fingerprint
        brief = read_briefs(SAMPLE / "briefs.jsonl")[0]
        ref = Matcher.open(built["minilm"], SETTINGS, ranker="weighted")
        try:
            got = [r.creator_id for r in new.recommend(brief, k=10).matches]
            assert got == [r.creator_id for r in ref.recommend(brief, k=10).matches]
        finally:
            ref.index.catalogue.close()
    finally:
        new.index.catalogue.close()


def test_fill_of_an_ivf_index_over_int8_vectors(built, static_encoder, real_encoder, tmp_path):
    """The fill rebuilds the IVF index over the new int8 vectors with their own scale
    (matcher.ivf_codes): the same files as an IVF build with the real model."""
    creators = sample_creators(N)
    out, ref = tmp_path / "static", tmp_path / "minilm"
    build_and_save(creators, static_encoder, out, model_name=STATIC_MODEL, events=False,
                   index_type="ivf", candidates=50)  # fmt: skip
    build_and_save(creators, real_encoder, ref, index_type="ivf", candidates=50)
    fill_index(out, real_encoder, candidates=50)
    after = json.loads((out / "manifest.json").read_text())
    want = json.loads((ref / "manifest.json").read_text())
    assert after["vectors"] == want["vectors"] == "int8" and after["ann"] == want["ann"]
    assert want["ann"]["codes"] == "int8"
    for name in ("content.npy", "voice.npy", "scales.npy", "ivf_lists.npy", "faiss.index"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert shortlists(out) == shortlists(ref)
