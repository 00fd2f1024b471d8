"""An index's BM25 scores are not saved but computed from its term counts at load
(matcher.lexical, matcher.lexical_counts): they equal bm25s' own, an index saved before (with
bm25s' score file) still loads, and one with neither scores nor counts is refused."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FakeEncoder, sample_creators

from matcher import lexical_counts
from matcher.errors import IndexMismatchError
from matcher.index import CreatorIndex
from matcher.index_build import build_and_save
from matcher.lexical import creator_document, tokenize, tokenize_creators

N = 300
QUERIES = ("vegan recipes", "gaming setup", "marathon training", "skin care routine", "the")


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("lex") / "idx"
    build_and_save(sample_creators(N), FakeEncoder(), out)
    return out


def bm25s_reference():  # type: ignore[no-untyped-def]
    import bm25s

    creators = sample_creators(N)
    ref = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    ref.index(
        tokenize_creators(creators, [creator_document(c) for c in creators]), show_progress=False
    )
    return ref


def test_the_scores_are_not_saved_and_load_as_bm25s_computes_them(built):
    lex = built / "lexical"
    assert not (lex / lexical_counts.SCORES_FILE).exists()
    assert (lex / lexical_counts.TF_FILE).exists() and (lex / lexical_counts.DOCLEN_FILE).exists()
    ref = bm25s_reference()
    index = CreatorIndex.load(built)
    try:
        found = 0
        for q in QUERIES:
            (tk,) = tokenize([q])
            want = np.asarray(ref.get_scores_from_ids(ref.get_tokens_ids(tk)), dtype=np.float32)
            assert np.array_equal(index.lexical.scores(q), want), q  # type: ignore[union-attr]
            found += bool(want.any())
        assert found >= 3  # most queries' words are held by some creators
    finally:
        index.catalogue.close()


def test_an_index_saved_with_bm25s_scores_loads_them(built, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(built, old)
    ref = bm25s_reference()
    ref.save(str(tmp_path / "ref"), show_progress=False)  # bm25s' own files, scores included
    shutil.rmtree(old / "lexical")
    shutil.copytree(tmp_path / "ref", old / "lexical")
    index = CreatorIndex.load(old)
    try:
        assert isinstance(index.lexical.retriever_.scores["data"], np.memmap)  # type: ignore[union-attr]
        for q in QUERIES:
            (tk,) = tokenize([q])
            want = np.asarray(ref.get_scores_from_ids(ref.get_tokens_ids(tk)), dtype=np.float32)
            assert np.array_equal(index.lexical.scores(q), want), q  # type: ignore[union-attr]
    finally:
        index.catalogue.close()


@pytest.mark.parametrize("gone", [lexical_counts.TF_FILE, lexical_counts.DOCLEN_FILE])
def test_an_index_with_neither_scores_nor_counts_is_refused(built, tmp_path, gone):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(built, bad)
    (bad / "lexical" / gone).unlink()
    with pytest.raises(IndexMismatchError, match="term counts"):
        CreatorIndex.load(bad)


def test_term_frequencies_take_the_smallest_type_that_holds_them():
    import bm25s

    small = lexical_counts.count_terms([["a", "b", "a"], ["b"]])
    assert small.tf.dtype == np.uint8 and small.tf.tolist() == [2, 1, 1]
    docs = [["word"] * 300 + ["other"], ["word", "other"], ["other"]]
    big = lexical_counts.count_terms(docs)
    assert big.tf.dtype == np.uint16 and int(big.tf.max()) == 300
    ref = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    ref.index(docs, show_progress=False)
    ours = lexical_counts.retriever(big, 1.5, 0.75, "lucene")
    for q in (["word"], ["other"], ["word", "other"]):
        want = ref.get_scores_from_ids(ref.get_tokens_ids(q))
        assert np.array_equal(ours.get_scores_from_ids(ours.get_tokens_ids(q)), want)
    # an update bringing a count past 255 widens the type
    grown = lexical_counts.update(small, np.array([0, 1]), [["b"] * 256], np.array([2]), 3)
    assert grown.tf.dtype == np.uint16 and sorted(grown.tf.tolist()) == [1, 1, 2, 256]


def test_a_term_is_scored_when_a_query_first_holds_it(built):
    from concurrent.futures import ThreadPoolExecutor

    index = CreatorIndex.load(built)
    try:
        lex = index.lexical
        assert lex is not None and lex.on_demand_ is not None
        lazy = lex.on_demand_
        assert not lazy.done.any()  # nothing computed at load
        lex.scores("vegan recipes")
        (tk,) = tokenize(["vegan recipes"])
        ids = sorted(lex.retriever_.get_tokens_ids(tk))
        assert ids and np.flatnonzero(lazy.done).tolist() == ids
        counts = lexical_counts.TermCounts.load(built / "lexical", N)
        assert counts is not None
        full = lexical_counts.bm25_scores(counts, 1.5, 0.75, "lucene")
        for t in ids:
            s, e = lazy.indptr[t], lazy.indptr[t + 1]
            assert np.array_equal(lazy.data[s:e], full[s:e])
        # every term, from four threads at once (overlapping): the whole array is the scores
        terms = np.arange(len(lazy.done))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lazy.ensure, [terms[i::3].tolist() for i in range(3)] + [terms.tolist()]))
        assert lazy.done.all() and np.array_equal(lazy.data, full)
    finally:
        index.catalogue.close()


def resident_kb(a: np.ndarray) -> int:
    """The resident kB of the mappings that hold ``a`` (several when the kernel split one)."""
    lo_a, hi_a = a.ctypes.data, a.ctypes.data + a.nbytes
    total, inside = 0, False
    with open("/proc/self/smaps", encoding="ascii", errors="replace") as f:
        for line in f:
            head = line.split()[0]
            if "-" in head and ":" not in head:
                lo, hi = (int(v, 16) for v in head.split("-"))
                inside = lo < hi_a and lo_a < hi
            elif inside and head == "Rss:":
                total += int(line.split()[1])
    return total


def test_the_score_array_takes_memory_only_where_written():
    """Small pages: a value written every 2 MB of 400 MB makes 200 small pages resident (numpy's
    own large arrays are given huge pages: 200 of those are 400 MB)."""
    data = lexical_counts.untouched(100_000_000, np.float32)
    assert data.flags.writeable and not data[:1000].any()
    data[:: 1 << 19] = 1.0
    assert resident_kb(data) <= 4 * 2 * 200
