"""Vectors stored as int8 with a scale per dimension (matcher.vectors): what they read back as,
chosen by size, built in memory and in chunks alike, kept by an update and a fill, and refused
when the files do not match the manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE, FakeEncoder, sample_creators

from matcher import vectors
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.errors import IndexMismatchError, MatcherError
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_briefs
from matcher.ranking import WeightedRanker
from matcher.update import Removal, update_index

N = 300


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_int8_rows_read_back_within_half_a_step_and_zero_exactly():
    x = unit_rows(500, 32)
    x[7] = 0.0  # a creator without posts: an all-zero voice
    rows = vectors.Int8Rows.of(x)
    assert rows.codes.dtype == np.int8 and rows.shape == (500, 32) and len(rows) == 500
    assert np.array_equal(rows.scale, np.abs(x).max(axis=0) / 127)
    assert np.abs(rows.codes).max() == 127  # each dimension's largest value is a full code
    back = np.asarray(rows)
    assert back.dtype == np.float32 and back.shape == x.shape
    assert np.all(np.abs(back - x) <= rows.scale / 2 + 1e-7)
    assert not back[7].any()
    assert np.array_equal(rows[7], back[7]) and rows[7].shape == (32,)
    assert np.array_equal(rows[[3, 1, 3]], back[[3, 1, 3]])
    assert np.array_equal(rows[10:20], back[10:20])
    q = unit_rows(1, 32, seed=1)[0]
    assert np.allclose(rows @ q, back @ q, atol=1e-6)
    assert (rows @ np.stack([q, -q], axis=1)).shape == (500, 2)
    assert np.abs(rows @ q - x @ q).max() < 0.01  # the cosines stay close
    # a new row at this scale: within range read back as well, past it saturated
    new = np.concatenate([x[:1], 2 * np.abs(x[:1]).max() * np.ones((1, 32), np.float32)])
    codes = rows.quantise(new)
    assert np.array_equal(codes[0], rows.codes[0]) and np.all(codes[1] == 127)
    assert np.array_equal(vectors.quantise(np.asarray(rows), rows.scale), rows.codes)


def test_int8_rows_refuse_what_is_not_int8_rows():
    with pytest.raises(ValueError):
        vectors.Int8Rows(np.zeros((3, 4), np.float32), np.ones(4, np.float32))
    with pytest.raises(ValueError):
        vectors.Int8Rows(np.zeros((3, 4), np.int8), np.ones(5, np.float32))


def test_auto_is_int8_exactly_where_the_search_is_approximate():
    assert vectors.resolve("auto", "auto", 99_999) == "float32"
    assert vectors.resolve("auto", "auto", 100_000) == "int8"
    assert vectors.resolve("auto", "ivf", 10) == vectors.resolve("auto", "hnsw", 10) == "int8"
    assert vectors.resolve("auto", "flat", 10**7) == "float32"
    assert vectors.resolve("int8", "flat", 10) == "int8"
    assert vectors.resolve("float32", "ivf", 10) == "float32"
    with pytest.raises(MatcherError, match="vectors must be one of auto, float32, int8"):
        vectors.resolve("int4", "auto", 10)


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """The same creators indexed with float32 and with int8 vectors."""
    root = tmp_path_factory.mktemp("vectors")
    creators = sample_creators(N)
    enc = FakeEncoder()
    return {
        kind: build_and_save(creators, enc, root / kind, vectors=kind)
        for kind in ("float32", "int8")
    }


def test_an_int8_index_is_a_quarter_of_the_bytes_and_reads_the_same_vectors(pair):
    a, b = CreatorIndex.load(pair["float32"]), CreatorIndex.load(pair["int8"])
    try:
        assert a.manifest.vectors == "float32" and b.manifest.vectors == "int8"
        assert isinstance(b.content, vectors.Int8Rows) and isinstance(b.voice, vectors.Int8Rows)
        assert isinstance(b.content.codes, np.memmap)  # still mapped, not read whole
        for name in ("content.npy", "voice.npy"):
            fa, fb = pair["float32"] / name, pair["int8"] / name
            assert fb.stat().st_size - 128 == (fa.stat().st_size - 128) // 4
        scales = np.load(pair["int8"] / "scales.npy")
        assert scales.shape == (2, 64) and scales.dtype == np.float32
        for name in ("content", "voice"):
            x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
            assert np.abs(x - y).max() <= scales.max() / 2 + 1e-7
            assert np.array_equal(x.any(axis=1), y.any(axis=1))  # zero rows stay zero
        assert np.array_equal(np.asarray(a.voice_known), np.asarray(b.voice_known))
        assert (pair["int8"] / "faiss.index").read_bytes() == (
            pair["float32"] / "faiss.index"
        ).read_bytes()  # the search index is built from the float32 vectors
    finally:
        a.catalogue.close()
        b.catalogue.close()


def shortlists(out: Path, enc: FakeEncoder) -> list[list[tuple[str, float]]]:
    s = Settings()
    idx = CreatorIndex.load(out, fingerprint=enc.fingerprint)
    m = Matcher(idx, enc, s, WeightedRanker(s.weights, s.unknown_value))
    try:
        return [
            [(x.creator_id, x.score) for x in m.recommend(b, k=10).matches]
            for b in read_briefs(SAMPLE / "briefs.jsonl")
        ]
    finally:
        idx.catalogue.close()


def test_int8_shortlists_are_the_float32_ones_within_the_step(pair):
    """Same creators, scores within 0.01; where the order differs, only creators whose float32
    scores were within 0.005 of each other trade places."""
    enc = FakeEncoder()
    a, b = shortlists(pair["float32"], enc), shortlists(pair["int8"], enc)
    assert sum(len(x) for x in a) > 30
    for x, y in zip(a, b, strict=True):
        score_a, score_b = dict(x), dict(y)
        assert set(score_a) == set(score_b)
        assert max((abs(score_a[i] - score_b[i]) for i in score_a), default=0.0) < 0.01
        for (i, _), (j, _) in zip(x, y, strict=True):
            assert abs(score_a[i] - score_a[j]) < 0.005


def test_an_update_keeps_the_codes_and_scales_and_quantises_new_rows_at_them(tmp_path, pair):
    out = tmp_path / "idx"
    shutil.copytree(pair["int8"], out)
    old = CreatorIndex.load(out)
    old_codes = np.array(old.content.codes)
    scales = (out / "scales.npy").read_bytes()
    old.catalogue.close()
    pool = sample_creators(N + 20)
    enc = FakeEncoder()
    update_index(out, enc, creators=pool[N:], removals=[Removal(pool[N - 1].creator_id)])
    new = CreatorIndex.load(out)
    try:
        assert new.manifest.vectors == "int8" and new.manifest.count == N + 19
        assert (out / "scales.npy").read_bytes() == scales
        assert np.array_equal(new.content.codes[: N - 1], old_codes[: N - 1])  # kept rows
        row = new.catalogue.all_ids().index(pool[N].creator_id)  # a new creator's row
        one = CreatorIndex.build([pool[N]], enc, workdir=tmp_path / "one")  # its float32 vector
        one.catalogue.close()
        assert one.manifest.vectors == "float32" and np.abs(new.content[row]).max() > 0
        assert np.array_equal(new.content.codes[row], new.content.quantise(one.content)[0])
        rows, _ = new.search(np.asarray(new.content[row]), 3)
        assert rows[0] == row
    finally:
        new.catalogue.close()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "scales.npy").unlink(), "scales.npy"),
        (lambda d: np.save(d / "scales.npy", np.ones((2, 63), np.float32)), "scales.npy"),
        (lambda d: np.save(d / "scales.npy", np.zeros((2, 64), np.float32)), "scales.npy"),
        (lambda d: shutil.copyfile(d.parent / "float32" / "voice.npy", d / "voice.npy"),
         "voice.npy holds float32"),
        (lambda d: _manifest(d, vectors="int4"), "'vectors' is 'int4'"),
        (lambda d: _manifest(d, vectors="float32"), "content.npy holds int8"),
    ],
)  # fmt: skip
def test_vectors_that_do_not_match_the_manifest_are_a_damaged_index(
    tmp_path, pair, damage, message
):
    shutil.copytree(pair["float32"], tmp_path / "float32")
    d = tmp_path / "int8"
    shutil.copytree(pair["int8"], d)
    damage(d)
    with pytest.raises(IndexMismatchError, match="rebuild it") as e:
        CreatorIndex.load(d)
    assert message in str(e.value) and str(d) in str(e.value)


def _manifest(d: Path, **change: object) -> None:
    m = json.loads((d / "manifest.json").read_text())
    (d / "manifest.json").write_text(json.dumps({**m, **change}))


def test_an_older_manifest_without_vectors_reads_float32(tmp_path, pair):
    d = tmp_path / "old"
    shutil.copytree(pair["float32"], d)
    m = json.loads((d / "manifest.json").read_text())
    del m["vectors"]
    (d / "manifest.json").write_text(json.dumps(m))
    idx = CreatorIndex.load(d)
    try:
        assert idx.manifest.vectors == "float32" and isinstance(idx.content, np.memmap)
    finally:
        idx.catalogue.close()


def test_an_ivf_index_of_int8_rows_is_updated_and_its_recall_checked_on_them(tmp_path):
    from matcher.vectors import read_rows

    enc = FakeEncoder()
    out = build_and_save(sample_creators(N), enc, tmp_path / "ivf", index_type="ivf", candidates=50)
    pool = sample_creators(N + 20)
    update_index(out, enc, creators=pool[N:], candidates=50)
    new = CreatorIndex.load(out)
    try:
        assert new.manifest.vectors == "int8" and isinstance(new.content, vectors.Int8Rows)
        assert np.array_equal(read_rows(new.content, 5, 25), new.content[5:25])  # read, not mapped
        ann = new.manifest.ann or {}
        assert new.faiss_index.ntotal == N + 20
        assert ann["recall"] >= 0.99 or ann["nprobe"] == ann["nlist"]
        row = new.catalogue.all_ids().index(pool[N + 3].creator_id)
        rows, _ = new.search(np.asarray(new.content[row]), 3)
        assert rows[0] == row
    finally:
        new.catalogue.close()
