"""An IVF index whose lists are the int8 content vectors (matcher.ivf_codes): the codes are
exactly the stored int8 vectors, the lists are written apart and refilled at load, and a
damaged or mismatched index directory is refused."""

from __future__ import annotations

import numpy as np
import pytest

from matcher import ann, ivf_codes
from matcher.errors import IndexMismatchError
from matcher.vectors import Int8Rows, quantise, scale_of

N, D = 3_000, 32


def unit_rows(n: int = N, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, D)).astype(np.float32)
    x[:, :4] *= 3  # dimensions of different ranges: different scales
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def built(x: np.ndarray) -> tuple[object, dict, np.ndarray]:
    scale = scale_of(np.abs(x).max(axis=0))
    index, info = ann.build(x, "ivf", candidates=200, scale=scale)
    assert info is not None
    return index, info, scale


def saved(tmp_path, x: np.ndarray):  # type: ignore[no-untyped-def]
    """(the index built, its content as loaded from an index directory, the directory)."""
    index, _, scale = built(x)
    np.save(tmp_path / "content.npy", quantise(x, scale))
    ivf_codes.write(index, tmp_path)
    content = Int8Rows(np.load(tmp_path / "content.npy", mmap_mode="r"), scale)
    return index, content, tmp_path


def test_the_lists_hold_the_int8_codes_of_each_row():
    from faiss.contrib.inspect_tools import get_invlist

    x = unit_rows()
    index, info, scale = built(x)
    codes = quantise(x, scale)
    assert info["codes"] == "int8" and ivf_codes.is_aligned(index)
    seen = 0
    for lst in range(index.nlist):  # type: ignore[attr-defined]
        ids, got = get_invlist(index.invlists, lst)  # type: ignore[attr-defined]
        assert np.array_equal(got.astype(np.int16) - 128, codes[ids].astype(np.int16))
        assert np.all(np.diff(ids) > 0)  # rows in order within a list
        seen += len(ids)
    assert seen == N


def test_the_lists_are_what_faiss_itself_makes_of_the_int8_vectors():
    """The codes are written by ivf_codes, not by FAISS's encoder: they must be the same."""
    import faiss
    from faiss.contrib.inspect_tools import get_invlist

    x = unit_rows()
    index, _, scale = built(x)
    ref = faiss.clone_index(index)
    ref.reset()
    ref.add_with_ids(quantise(x, scale).astype(np.float32) * scale, np.arange(N, dtype=np.int64))
    for lst in range(index.nlist):  # type: ignore[attr-defined]
        ids, got = get_invlist(index.invlists, lst)  # type: ignore[attr-defined]
        want_ids, want = get_invlist(ref.invlists, lst)
        assert np.array_equal(ids, want_ids) and np.array_equal(got, want)


def test_the_scan_scores_the_int8_vectors():
    x = unit_rows()
    index, _, scale = built(x)
    q = unit_rows(3, seed=1)
    sims, rows = index.search(q, 50, params=ann.search_params(index, 50, {"nprobe": 1 << 20}))  # type: ignore[attr-defined]
    decoded = quantise(x, scale).astype(np.float32) * scale
    for i in range(3):
        assert np.allclose(sims[i], decoded[rows[i]] @ q[i], atol=1e-5)


def test_written_without_its_lists_and_read_back_the_same(tmp_path):
    x = unit_rows()
    index, content, d = saved(tmp_path, x)
    assert (d / ivf_codes.LISTS).exists()
    full = tmp_path / "whole.index"
    import faiss

    faiss.write_index(index, str(full))
    assert (d / "faiss.index").stat().st_size < full.stat().st_size / 5  # the codes left out
    back = ivf_codes.read(d, content)
    assert back.ntotal == N and ivf_codes.is_aligned(back)
    q = unit_rows(20, seed=2)
    params = ann.search_params(index, 100, {"nprobe": 8})
    s1, r1 = index.search(q, 100, params=params)  # type: ignore[attr-defined]
    s2, r2 = back.search(q, 100, params=params)
    assert np.array_equal(r1, r2) and np.array_equal(s1, s2)
    assert np.array_equal(ivf_codes.row_lists(back), np.load(d / ivf_codes.LISTS))


def test_a_float32_index_keeps_its_lists(tmp_path):
    x = unit_rows()
    index, info = ann.build(x, "ivf", candidates=200)
    assert info is not None and "codes" not in info and not ivf_codes.is_aligned(index)
    ivf_codes.write(index, tmp_path)
    assert not (tmp_path / ivf_codes.LISTS).exists()
    back = ivf_codes.read(tmp_path, x)
    assert back.ntotal == N


@pytest.mark.parametrize(
    "damage",
    ["lists missing", "lists too short", "list out of range", "other scale", "float content"],
)
def test_a_damaged_or_mismatched_directory_is_refused(tmp_path, damage):
    x = unit_rows()
    _, content, d = saved(tmp_path, x)
    lists = np.load(d / ivf_codes.LISTS)
    if damage == "lists missing":
        (d / ivf_codes.LISTS).unlink()
    elif damage == "lists too short":
        np.save(d / ivf_codes.LISTS, lists[:-1])
    elif damage == "list out of range":
        lists[5] = 10_000
        np.save(d / ivf_codes.LISTS, lists)
    elif damage == "other scale":
        content = Int8Rows(content.codes, content.scale * 2)
    else:
        content = np.asarray(content)
    with pytest.raises(IndexMismatchError):
        ivf_codes.read(d, content)


def test_an_index_written_so_loads_and_finds_a_creator_by_its_own_vector(tmp_path):
    """End to end through build_and_save and CreatorIndex.load: no copy of the codes in
    faiss.index, the lists refilled from content.npy."""
    from conftest import FakeEncoder, sample_creators

    from matcher.index import CreatorIndex
    from matcher.index_build import build_and_save

    out = build_and_save(sample_creators(400), FakeEncoder(), tmp_path / "idx", index_type="ivf",
                         candidates=50)  # fmt: skip
    loaded = CreatorIndex.load(out)
    try:
        assert loaded.manifest.ann["codes"] == "int8"  # type: ignore[index]
        assert ivf_codes.is_aligned(loaded.faiss_index) and loaded.faiss_index.ntotal == 400
        assert (out / "faiss.index").stat().st_size < (out / "content.npy").stat().st_size / 2
        for row in (0, 123, 399):
            rows, _ = loaded.search(np.asarray(loaded.content[row]), 5)
            assert rows[0] == row
    finally:
        loaded.catalogue.close()
