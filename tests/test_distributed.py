"""``matcher index --backend ray`` (matcher.distributed): the options, a missing Ray, the
cache/order logic of :class:`RayEncoder` against the local :class:`CachedEncoder`, and a real
local Ray instance embedding a small catalogue with the real model into the same index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SAMPLE, TEST_CACHE, FakeEncoder, sample_creators

from matcher.cli import build_parser, main
from matcher.distributed import (
    RAY_MISSING,
    EmbedBatch,
    MissingDependencyError,
    RayEncoder,
    build_ray_encoder,
)
from matcher.encoder import CachedEncoder, EmbeddingCache, text_hash
from matcher.errors import MatcherError
from matcher.index import build_and_save, profile_text, voice_text

TEXTS = ["trail running in the alps", "vegan baking", "trail running in the alps", "", "chess"]


class RecordingFake(FakeEncoder):
    """A fake encoder that keeps every text it was asked to embed (in this process)."""

    seen: list[str] = []

    def encode(self, texts, *, progress: bool = False) -> np.ndarray:  # type: ignore[no-untyped-def]
        RecordingFake.seen.extend(texts)
        return super().encode(texts)


class InProcessRay(RayEncoder):
    """RayEncoder whose 'cluster' is one EmbedBatch in this process, returning the batches in
    reverse order (Ray gives them as actors finish): the logic around Ray, without Ray."""

    def _embed(self, texts: list[str], progress: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        self.jobs += 1
        actor = EmbedBatch(self.factory, self.fingerprint)
        rows = np.arange(len(texts))
        batches = [rows[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        for b in reversed(batches):
            out = actor({"i": b, "text": np.array([texts[i] for i in b], dtype=object)})
            yield out["i"], out["vector"]


@pytest.fixture(autouse=True)
def _actor_env(monkeypatch):
    """EmbedBatch sets the model's thread count in its process: restore it after each test."""
    for var in ("OMP_NUM_THREADS", "TQDM_DISABLE", "TOKENIZERS_PARALLELISM"):
        monkeypatch.setenv(var, "1" if var == "OMP_NUM_THREADS" else "false")
    RecordingFake.seen = []


def in_process(tmp_path: Path, batch_size: int = 2) -> InProcessRay:
    cache = EmbeddingCache(tmp_path / "ray-cache" / "embeddings.sqlite")
    return InProcessRay(RecordingFake, cache, batch_size=batch_size)


def local(tmp_path: Path) -> CachedEncoder:
    return CachedEncoder(FakeEncoder(), EmbeddingCache(tmp_path / "local" / "embeddings.sqlite"))


# -- options -------------------------------------------------------------------------------------


def test_backend_options_parse_with_local_the_default():
    p = build_parser()
    args = p.parse_args(["index", "--creators", "c.jsonl", "--out", "idx"])
    assert args.backend == "local"
    assert (args.ray_address, args.ray_actors, args.ray_batch_size) == (None, None, None)
    args = p.parse_args(
        ["index", "--creators", "c.jsonl", "--out", "idx", "--backend", "ray",
         "--ray-address", "auto", "--ray-actors", "3", "--ray-batch-size", "128"]
    )  # fmt: skip
    assert args.backend == "ray"
    assert (args.ray_address, args.ray_actors, args.ray_batch_size) == ("auto", 3, 128)


@pytest.mark.parametrize(
    "bad",
    [["--backend", "gpu"], ["--backend", "ray", "--ray-actors", "0"],
     ["--backend", "ray", "--ray-batch-size", "many"]],
)  # fmt: skip
def test_bad_backend_option_values_are_usage_errors(bad, capsys):
    with pytest.raises(SystemExit) as e:
        main(["index", "--creators", "c.jsonl", "--out", "idx", *bad])
    assert e.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_ray_options_without_backend_ray_are_refused_before_any_work(tmp_path, capsys):
    out = tmp_path / "idx"
    code = main(["index", "--creators", str(SAMPLE / "creators.jsonl"), "--out", str(out),
                 "--ray-actors", "2"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == (
        "matcher index: error: --ray-actors is for --backend ray (got --backend local)\n"
    )
    assert not out.exists()


def test_missing_ray_is_a_one_line_usage_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    out = tmp_path / "idx"
    code = main(["index", "--backend", "ray", "--creators", str(SAMPLE / "creators.jsonl"),
                 "--out", str(out)])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == f"matcher index: error: {RAY_MISSING}\n"
    assert RAY_MISSING == "--backend ray needs Ray: pip install 'matcher[distributed]'"
    assert not out.exists()
    with pytest.raises(MissingDependencyError, match="pip install 'matcher\\[distributed\\]'"):
        build_ray_encoder(cache_dir=tmp_path / "cache")


# -- the logic around Ray ------------------------------------------------------------------------


def test_encode_keeps_order_embeds_each_missing_text_once_and_fills_the_cache(tmp_path):
    enc = in_process(tmp_path)
    assert enc.cache is not None
    cached = "vegan baking"  # already in the cache: never sent to the model
    enc.cache.put_many(enc.fingerprint, [(text_hash(cached), FakeEncoder().encode([cached])[0])])
    got = enc.encode(TEXTS)
    np.testing.assert_array_equal(got, FakeEncoder().encode(TEXTS))
    assert sorted(RecordingFake.seen) == sorted(["trail running in the alps", "", "chess"])
    assert (enc.hits, enc.misses, enc.jobs) == (1, 3, 1)  # as CachedEncoder counts them
    RecordingFake.seen = []
    again = enc.encode(list(reversed(TEXTS)))
    np.testing.assert_array_equal(again, got[::-1])
    assert RecordingFake.seen == [] and enc.jobs == 1  # all from the cache: no Ray job
    assert enc.encode([]).shape == (0, FakeEncoder().dim)


def test_without_a_cache_every_distinct_text_is_embedded_once(tmp_path):
    enc = InProcessRay(RecordingFake, None, batch_size=1)
    np.testing.assert_array_equal(enc.encode(TEXTS), FakeEncoder().encode(TEXTS))
    assert len(RecordingFake.seen) == len(set(TEXTS))
    with pytest.raises(ValueError, match="cache=None"):
        enc.prefetch(TEXTS)


def test_same_fingerprint_and_same_index_as_the_local_backend(tmp_path):
    creators = sample_creators(40)
    ray_enc, local_enc = in_process(tmp_path, batch_size=7), local(tmp_path)
    assert (ray_enc.fingerprint, ray_enc.dim) == (local_enc.fingerprint, local_enc.dim)
    a = build_and_save(creators, ray_enc, tmp_path / "ray-idx")
    b = build_and_save(creators, local_enc, tmp_path / "local-idx")
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for name in ("content.npy", "voice.npy", "voice_known.npy"):
        np.testing.assert_array_equal(np.load(a / name), np.load(b / name))
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    ma.pop("created_at"), mb.pop("created_at")
    assert ma == mb
    assert (ray_enc.hits, ray_enc.misses) == (local_enc.hits, local_enc.misses)


def test_prefetch_is_one_job_and_later_reads_count_as_new(tmp_path):
    creators = sample_creators(30)
    prof = [t for t in (profile_text(c) for c in creators) if t]
    voice = [t for t in (voice_text(c) for c in creators) if t]
    enc, ref = in_process(tmp_path, batch_size=8), local(tmp_path)
    n = enc.prefetch(prof + voice)
    assert n == len(set(prof + voice)) and enc.jobs == 1 and (enc.hits, enc.misses) == (0, 0)
    for texts in (prof, voice):
        np.testing.assert_array_equal(enc.encode(texts), ref.encode(texts))
    assert enc.jobs == 1
    assert (enc.hits, enc.misses) == (ref.hits, ref.misses)
    enc.encode(prof)
    assert enc.hits == ref.hits + len(prof)  # a second read is a hit


def test_an_actor_refuses_a_model_other_than_the_drivers():
    with pytest.raises(MatcherError, match="fingerprint fake-v1"):
        EmbedBatch(FakeEncoder, fingerprint="the-drivers-model")


class FakeRay:
    def __init__(self, cpus: Sequence[float]) -> None:
        self.cpus = cpus

    def cluster_resources(self) -> dict[str, float]:
        return {"CPU": float(sum(self.cpus))}

    def nodes(self) -> list[dict]:
        return [{"Alive": True, "Resources": {"CPU": c}} for c in self.cpus]


@pytest.mark.parametrize(
    ("cpus", "actors", "want"),
    [((2,), None, (2, 1.0, 1)), ((2,), 1, (1, 2.0, 2)), ((4, 4), None, (8, 1.0, 1)),
     ((4, 4), 2, (2, 4.0, 4)), ((4, 4), 1, (1, 4.0, 4)), ((2,), 4, (4, 0.5, 1))],
)  # fmt: skip
def test_actor_pool_uses_every_cpu_and_fits_on_a_node(cpus, actors, want):
    enc = RayEncoder(FakeEncoder, actors=actors)
    enc._ray = FakeRay(cpus)  # as if connected
    assert enc.pool() == want


def test_bad_settings_name_the_argument():
    with pytest.raises(ValueError, match="actors must be >= 1, got 0"):
        RayEncoder(FakeEncoder, actors=0)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        RayEncoder(FakeEncoder, batch_size=0)


# -- on Ray --------------------------------------------------------------------------------------


class OtherModelOnTheNodes:
    """A factory giving the driver (process ``pid``) one model and the Ray workers another."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __call__(self) -> FakeEncoder:
        return FakeEncoder(64, "fake-v1" if os.getpid() == self.pid else "fake-v2")


@pytest.mark.integration
@pytest.mark.slow
def test_fake_encoder_on_a_local_ray_instance_with_one_actor(tmp_path):
    ray = pytest.importorskip("ray")
    # the workers cannot import the tests' modules: send them by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[FakeEncoder.__module__])
    ray.cloudpickle.register_pickle_by_value(sys.modules[OtherModelOnTheNodes.__module__])
    texts = [f"text number {i % 37} about {w}" for i, w in enumerate(["a", "b", "c"] * 30)]
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    with RayEncoder(partial(FakeEncoder, 64), cache, actors=1, batch_size=16, num_cpus=2) as enc:
        got = enc.encode(texts)
        assert enc.jobs == 1 and ray.is_initialized()
        other = RayEncoder(OtherModelOnTheNodes(os.getpid()), actors=1)  # joins the instance
        with pytest.raises(MatcherError, match="^embedding on Ray failed: the model on this Ray"):
            other.encode(["a text"])
        other.close()  # it did not start Ray: it leaves it running
        assert ray.is_initialized()
    assert not ray.is_initialized()
    np.testing.assert_array_equal(got, FakeEncoder(64).encode(texts))
    assert enc.misses == len(set(texts))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "matcher", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.integration
@pytest.mark.slow
def test_index_backend_ray_writes_the_local_backends_index(tmp_path, real_encoder):
    pytest.importorskip("ray")
    creators_file = tmp_path / "creators.jsonl"
    lines = (SAMPLE / "creators.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    creators_file.write_text("".join(lines[:60]), encoding="utf-8")
    from matcher.learn.resolve import index_text_model

    # the local backend's index, as `matcher index` builds it (adapted for the default text model)
    local_idx = build_and_save(
        sample_creators(60), real_encoder, tmp_path / "local-idx", text_model=index_text_model(None)
    )
    # an empty embedding cache, so every text is embedded on Ray; the model's ONNX export is
    # reused (it is the model, not a cache of vectors) so the actors need not export it again
    cache = tmp_path / "ray-cache"
    cache.mkdir()
    if (TEST_CACHE / "onnx").is_dir():
        shutil.copytree(TEST_CACHE / "onnx", cache / "onnx")
    ray_idx = tmp_path / "ray-idx"
    r = _run("index", "--backend", "ray", "--ray-actors", "2", "--creators", str(creators_file),
             "--out", str(ray_idx), "--cache-dir", str(cache), "--quiet")  # fmt: skip
    assert "embedding cache: 0 hits, 120 new" in r.stderr  # 60 profiles + 60 voices, all on Ray

    from matcher.index import CreatorIndex

    index = CreatorIndex.load(ray_idx, fingerprint=real_encoder.fingerprint)
    assert len(index) == 60
    index.catalogue.close()
    assert sorted(p.name for p in ray_idx.iterdir()) == sorted(p.name for p in local_idx.iterdir())
    for name in ("content.npy", "voice.npy", "voice_known.npy", "style.npy"):
        if (local_idx / name).exists():
            np.testing.assert_allclose(
                np.load(ray_idx / name), np.load(local_idx / name), atol=1e-5, err_msg=name
            )
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (ray_idx, local_idx))
    ma.pop("created_at"), mb.pop("created_at")
    assert ma == mb

    brief = tmp_path / "brief.json"  # b02: 60 creators hold several matches for it
    brief.write_text((SAMPLE / "briefs.jsonl").read_text().splitlines()[1], encoding="utf-8")
    ranked = []
    for idx in (ray_idx, local_idx):
        r = _run("match", "--index", str(idx), "--brief", str(brief), "--k", "5",
                 "--format", "json", "--cache-dir", str(cache), "--quiet")  # fmt: skip
        ranked.append([m["creator_id"] for m in json.loads(r.stdout)["matches"]])
    assert len(ranked[0]) == 5
    assert ranked[0] == ranked[1]  # the same answer as the local backend's index
