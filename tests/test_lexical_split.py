"""BM25 postings saved in two bytes each (matcher.lexical_split): read back as the int32 rows
they were, summed into the scores bm25s sums to the last bit, and an index saved before (int32
rows) still loads and scores the same."""

from __future__ import annotations

import shutil

import bm25s
import numpy as np
import pytest
from conftest import FakeEncoder, sample_creators

from matcher import lexical_split
from matcher.index import CreatorIndex
from matcher.index_build import build_and_save

QUERIES = ("vegan recipes", "gaming setup", "marathon training", "skin care routine", "the")


def _postings(seed: int, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of 40 terms: sorted columns, and one out of order (after an update)."""
    rng = np.random.default_rng(seed)
    cols = [np.sort(rng.choice(n_docs, int(rng.integers(0, 30_000)), replace=False))
            for _ in range(40)]  # fmt: skip
    cols[5] = rng.permutation(cols[5])
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in cols])]).astype(np.int64)
    return indptr, np.concatenate(cols).astype(np.int32)


@pytest.mark.parametrize("chunk", [1 << 12, 1 << 22])
def test_split_postings_read_back_whole_and_by_range(tmp_path, chunk, monkeypatch):
    monkeypatch.setattr(lexical_split, "CHUNK", chunk)  # runs across the chunks written
    _, indices = _postings(0, 400_000)
    lexical_split.write(tmp_path, indices)
    split = lexical_split.read(tmp_path)
    assert isinstance(split, lexical_split.SplitIndices)
    assert np.load(tmp_path / lexical_split.INDICES_FILE, mmap_mode="r").dtype == np.uint16
    assert len(split) == len(indices) and np.array_equal(np.asarray(split), indices)
    rng = np.random.default_rng(1)
    for a, b in rng.integers(0, len(indices), (300, 2)):
        assert np.array_equal(split[min(a, b) : max(a, b)], indices[min(a, b) : max(a, b)])
    again = tmp_path / "again"
    again.mkdir()
    lexical_split.write(again, split)  # written from split postings: the same files
    for name in (lexical_split.INDICES_FILE, lexical_split.RUNS_FILE):
        assert (again / name).read_bytes() == (tmp_path / name).read_bytes()


def test_split_postings_sum_to_bm25s_scores(tmp_path):
    n_docs = 300_000
    indptr, indices = _postings(2, n_docs)
    data = np.random.default_rng(3).random(len(indices)).astype(np.float32)
    lexical_split.write(tmp_path, indices)
    split = lexical_split.read(tmp_path)
    rng = np.random.default_rng(4)
    for _ in range(20):
        terms = rng.integers(0, 40, int(rng.integers(1, 15)))  # repeated terms too
        want = bm25s.BM25._compute_relevance_from_scores(
            data, indptr, indices, n_docs, terms, np.float32
        )
        got = lexical_split.relevance(data, indptr, split, n_docs, terms, np.float32)
        assert got.tobytes() == want.tobytes()


def test_rows_split_postings_cannot_hold_are_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        lexical_split.write(tmp_path, np.array([3, -1], dtype=np.int64))


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("split") / "idx"
    build_and_save(sample_creators(300), FakeEncoder(), out)
    return out


def test_an_index_with_int32_postings_loads_and_scores_the_same(built, tmp_path):
    assert (built / "lexical" / lexical_split.RUNS_FILE).exists()
    old = tmp_path / "old"
    shutil.copytree(built, old)
    lex = old / "lexical"
    np.save(lex / lexical_split.INDICES_FILE, np.asarray(lexical_split.read(lex)))  # as before
    (lex / lexical_split.RUNS_FILE).unlink()
    new_index, old_index = CreatorIndex.load(built), CreatorIndex.load(old)
    try:
        assert not isinstance(lexical_split.read(lex), lexical_split.SplitIndices)
        held = new_index.lexical.retriever_.scores["indices"]  # type: ignore[union-attr]
        assert isinstance(held, lexical_split.SplitIndices)
        for q in QUERIES:
            got = new_index.lexical.scores(q)  # type: ignore[union-attr]
            assert got.tobytes() == old_index.lexical.scores(q).tobytes(), q  # type: ignore[union-attr]
    finally:
        new_index.catalogue.close()
        old_index.catalogue.close()
