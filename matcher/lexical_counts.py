"""The term counts behind the BM25 index, and its score matrix computed from them with numpy.

bm25s stores only each (term, creator) pair's final BM25 score, which depends on every other
creator (the term's document frequency, the mean document length). To add, change or remove
creators without tokenising the whole catalogue again, the index also keeps the counts the
scores come from: :class:`TermCounts` holds, in bm25s' CSC layout (one column per term, the
creator rows of each column), each pair's term frequency, plus each creator's document length.
An update drops the pairs of removed and changed creators, appends those of the new texts, and
recomputes every score from the counts (:func:`bm25_scores`), vectorised over all pairs.

The scores are bm25s' own, operation for operation (``lucene``: idf ``log(1 + (N - df + 0.5) /
(df + 0.5))``, ``robertson``: ``log(max(1, (N - df + 0.5) / (df + 0.5)))``; term part
``tf / (k1 * ((1 - b) + b * dl / avgdl) + tf)`` in float64, the idf in float32, the product
stored as float32), so an updated index scores every query exactly as bm25s would after a full
rebuild; ``tests/test_update.py`` checks that against bm25s itself. Other BM25 variants are left
to bm25s (:data:`METHODS`), and their indexes are refitted on an update. An index of these
variants saves the counts and not the scores (:data:`SCORES_FILE`): once it is loaded,
:class:`ScoresOnDemand` computes a term's scores the first time a query holds it. The pairs'
creator rows are saved in two bytes each (:mod:`matcher.lexical_split`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher import lexical_split
from matcher.lexical_split import SplitIndices

#: the BM25 variants whose scores this module computes (others: bm25s, refit on an update)
METHODS = ("lucene", "robertson")
#: the files :meth:`TermCounts.save` adds to bm25s' directory
TF_FILE, DOCLEN_FILE = "tf.index.npy", "doclen.index.npy"
#: bm25s' file of the scores, which an index with term counts leaves out (computed on demand)
SCORES_FILE = "data.csc.index.npy"
#: pairs processed at a time (bounds the temporaries of the vectorised steps)
CHUNK = 4_000_000
#: documents tokenised into pairs at a time
DOC_CHUNK = 20_000


@dataclass
class TermCounts:
    """Term frequencies in CSC layout: the rows (creators) of term ``t`` are
    ``indices[indptr[t]:indptr[t + 1]]`` with frequencies ``tf[...]``; ``doclen`` is each
    creator's number of tokens; ``vocab`` maps a term to its column."""

    vocab: dict[str, int]
    indptr: np.ndarray
    #: int32 rows, or as saved (:class:`matcher.lexical_split.SplitIndices`, read as int32)
    indices: np.ndarray | SplitIndices
    tf: np.ndarray
    doclen: np.ndarray

    @property
    def n_docs(self) -> int:
        return int(self.doclen.shape[0])

    def save(self, out: Path) -> None:
        np.save(out / TF_FILE, np.asarray(self.tf))
        np.save(out / DOCLEN_FILE, np.asarray(self.doclen))

    @classmethod
    def load(cls, path: Path, n_docs: int) -> TermCounts | None:
        """The counts of a saved lexical index of ``n_docs`` creators (memory-mapped); None when
        it has none (written before they were kept, or by a BM25 variant left to bm25s)."""
        import json

        if not (path / "params.index.json").exists():  # no creator had a word: nothing saved
            return empty(n_docs)
        if not (path / TF_FILE).exists() or not (path / DOCLEN_FILE).exists():
            return None
        vocab = json.loads((path / "vocab.index.json").read_text(encoding="utf-8"))
        indptr = np.load(path / "indptr.csc.index.npy", mmap_mode="r")
        if vocab.get("") == len(indptr) - 1:  # bm25s' empty token, outside the matrix
            del vocab[""]
        counts = cls(
            vocab=vocab,
            indptr=indptr,
            indices=lexical_split.read(path),
            tf=np.load(path / TF_FILE, mmap_mode="r"),
            doclen=np.load(path / DOCLEN_FILE, mmap_mode="r"),
        )
        if counts.n_docs != n_docs or len(counts.tf) != len(counts.indices):
            raise ValueError(f"{path}: term counts do not match the index ({counts.n_docs} rows)")
        return counts


def empty(n_docs: int) -> TermCounts:
    return TermCounts({}, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                      np.zeros(0, dtype=np.uint16), np.zeros(n_docs, dtype=np.int32))  # fmt: skip


def count_terms(tokens: Sequence[Sequence[str]]) -> TermCounts:
    """The term counts of tokenised documents (row ``i`` is ``tokens[i]``)."""
    counter = TermCounter()
    counter.add(tokens)
    return counter.counts()


class TermCounter:
    """Term counts gathered a part at a time (an index built a chunk of creators at a time):
    :meth:`add` the next documents' tokens (they take the rows after those added before), then
    :meth:`counts`, the same as :func:`count_terms` of all the documents at once."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.n_docs = 0
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._doclen: list[np.ndarray] = []

    def add(self, tokens: Sequence[Sequence[str]]) -> None:
        rows = np.arange(self.n_docs, self.n_docs + len(tokens), dtype=np.int32)
        self._parts += pairs(tokens, rows, self.vocab)
        self._doclen.append(np.fromiter((len(d) for d in tokens), np.int32, count=len(tokens)))
        self.n_docs += len(tokens)

    def counts(self) -> TermCounts:
        """The counts of every document added (the parts are let go)."""
        indptr, indices, freq = assemble(self._parts, len(self.vocab))
        self._parts = []
        doclen = np.concatenate(self._doclen) if self._doclen else np.zeros(0, dtype=np.int32)
        return TermCounts(self.vocab, indptr, indices, freq, doclen)


def pairs(
    tokens: Sequence[Sequence[str]], rows: np.ndarray, vocab: dict[str, int]
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(term, row, frequency) of every distinct term of each document, in parts of
    :data:`DOC_CHUNK` documents, each sorted by term, then row; unseen terms are added to
    ``vocab``. Document ``i`` is stored at row ``rows[i]``."""
    parts = []
    for s in range(0, len(tokens), DOC_CHUNK):
        chunk = tokens[s : s + DOC_CHUNK]
        lens = np.fromiter((len(d) for d in chunk), dtype=np.int64, count=len(chunk))
        ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for d in chunk for t in d),
            dtype=np.int64,
            count=int(lens.sum()),
        )
        local = np.repeat(np.arange(len(chunk), dtype=np.int64), lens)
        keys, tf = np.unique(ids * len(chunk) + local, return_counts=True)
        doc = np.asarray(rows[s : s + DOC_CHUNK])[keys % len(chunk)].astype(np.int32)
        parts.append(((keys // len(chunk)).astype(np.int32), doc, tf))
    return parts


def assemble(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSC arrays (indptr, rows, frequencies) of (term, row, frequency) parts, each sorted by
    term: a column holds its pairs part by part, in the order given (a counting sort)."""
    counts = [np.bincount(tok, minlength=n_terms) for tok, _, _ in parts]
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(sum(counts, np.zeros(n_terms, dtype=np.int64)), out=indptr[1:])
    nnz = int(indptr[-1])
    top = max((int(tf.max()) for _, _, tf in parts if len(tf)), default=0)
    indices = np.empty(nnz, dtype=np.int32)
    freq = np.empty(nnz, dtype=np.min_scalar_type(top))  # uint8 unless a word repeats 256 times
    filled = indptr[:-1].copy()
    for (tok, doc, tf), c in zip(parts, counts, strict=True):
        first = np.zeros(n_terms, dtype=np.int64)
        np.cumsum(c[:-1], out=first[1:])
        for s in range(0, len(tok), CHUNK):
            t = tok[s : s + CHUNK]
            dest = filled[t] + (np.arange(s, s + len(t)) - first[t])
            indices[dest] = doc[s : s + CHUNK]
            freq[dest] = tf[s : s + CHUNK]
        filled += c
    return indptr, indices, freq


def _idf(method: str, df: int, n: int) -> float:
    inner = (n - df + 0.5) / (df + 0.5)
    if method == "lucene":
        return math.log(1 + inner)
    return math.log(max(inner, 1))  # robertson, negative weights not allowed (bm25s' default)


def term_parts(
    counts: TermCounts, k1: float, b: float, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """(each term's idf, float32; each creator's length part ``k1 * ((1 - b) + b * dl / avgdl)``,
    float64): what a pair's score is made of besides its frequency, as bm25s computes them."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    df = np.diff(np.asarray(counts.indptr))
    n = counts.n_docs
    doclen = np.asarray(counts.doclen)
    avgdl = float(doclen.astype(np.int64).sum()) / n
    values, inverse = np.unique(df, return_inverse=True)
    idf = np.array([_idf(method, int(v), n) for v in values], dtype=np.float32)[inverse]
    return idf, k1 * ((1 - b) + b * doclen.astype(np.float64) / avgdl)


def pair_scores(idf: Any, norm: np.ndarray, tf: np.ndarray) -> np.ndarray:
    """The float32 scores of pairs of these idfs (one, or one a pair), their creators' length
    parts ``norm`` and frequencies ``tf``."""
    tf = np.asarray(tf, dtype=np.float64)
    return (np.asarray(idf, dtype=np.float64) * (tf / (norm + tf))).astype(np.float32)


def bm25_scores(counts: TermCounts, k1: float, b: float, method: str) -> np.ndarray:
    """Every pair's BM25 score (float32, aligned with ``counts.indices``), as bm25s computes it."""
    idf, norm = term_parts(counts, k1, b, method)
    indptr = np.asarray(counts.indptr)
    out = np.empty(len(counts.indices), dtype=np.float32)
    for s in range(0, len(out), CHUNK):
        e = min(s + CHUNK, len(out))
        tok = np.searchsorted(indptr, np.arange(s, e), side="right") - 1
        rows = read_part(counts.indices, s, e)
        out[s:e] = pair_scores(idf[tok], norm[rows], read_part(counts.tf, s, e))
    return out


def untouched(n: int, dtype: Any) -> np.ndarray:
    """An array of ``n`` values whose pages take memory only once written: an anonymous
    mapping of small pages. (numpy asks the kernel for huge pages for large arrays, so writing
    a value makes 2 MB resident: scores written term by term over a few briefs made nearly all
    of a million creators' 0.33 GB resident, as if computed at load.)"""
    import mmap

    size = max(1, n * np.dtype(dtype).itemsize)
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):  # (a kernel whose huge pages are always on)
        buf.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(buf, dtype=dtype, count=n)


class ScoresOnDemand:
    """The scores of :func:`bm25_scores`, each term's computed the first time a query holds it.

    A loaded index keeps its term counts, not its scores (0.33 GB at a million creators). Its
    score array is allocated whole but written a term at a time, so only the terms that queries
    use take memory (:func:`untouched`), as when a saved score file was mapped. Computing takes
    about 12 ns a pair: 27 ms for the 2.2M pairs of a synthetic brief's terms at 1M creators,
    the first time they come."""

    def __init__(self, counts: TermCounts, k1: float, b: float, method: str) -> None:
        self.counts = counts
        self.idf, self.norm = term_parts(counts, k1, b, method)
        self.indptr = np.asarray(counts.indptr)
        self.data = untouched(len(counts.indices), np.float32)
        self.done = np.zeros(len(self.indptr) - 1, dtype=bool)
        self._lock = threading.Lock()

    def ensure(self, terms: Sequence[int]) -> None:
        """Compute the scores of these terms' pairs where not done yet."""
        if self.done[np.asarray(terms, dtype=np.int64)].all():
            return
        with self._lock:
            for t in sorted(set(terms)):
                if self.done[t]:
                    continue
                s, e = int(self.indptr[t]), int(self.indptr[t + 1])
                rows = np.asarray(self.counts.indices[s:e])
                self.data[s:e] = pair_scores(self.idf[t], self.norm[rows], self.counts.tf[s:e])
                self.done[t] = True


def read_part(a: np.ndarray | SplitIndices, start: int, stop: int) -> np.ndarray:
    """``a[start:stop]`` of a 1-d array; of a memory-mapped file, read with a file read (pages
    mapped and touched would count in the process's memory while it runs)."""
    if isinstance(a, np.memmap) and a.filename:
        return np.fromfile(a.filename, dtype=a.dtype, count=stop - start,
                           offset=int(a.offset) + start * a.dtype.itemsize)  # fmt: skip
    return np.asarray(a[start:stop])


def retriever(
    counts: TermCounts, k1: float, b: float, method: str, on_demand: ScoresOnDemand | None = None
) -> Any:
    """A bm25s retriever over these counts (None when no document has a term); its scores
    those of ``on_demand`` (computed as queries need them) when given, else all computed now."""
    import bm25s

    if len(counts.indices) == 0:
        return None
    r = bm25s.BM25(k1=k1, b=b, method=method)
    indices = counts.indices
    if isinstance(indices, SplitIndices):  # summed a run at a time, as saved
        r._compute_relevance_from_scores = lexical_split.relevance
    else:
        indices = np.asarray(indices)
    r.scores = {
        "data": on_demand.data if on_demand is not None else bm25_scores(counts, k1, b, method),
        "indices": indices,
        "indptr": np.asarray(counts.indptr),
        "num_docs": counts.n_docs,
    }
    vocab = dict(counts.vocab)
    if "" not in vocab:  # as bm25s' index(): an empty token after the last term
        vocab[""] = len(counts.indptr) - 1
    r.vocab_dict = vocab
    r.unique_token_ids_set = set(vocab.values())
    r.nonoccurrence_array = None
    return r


def update(
    old: TermCounts, rowmap: np.ndarray, tokens: Sequence[Sequence[str]], rows: np.ndarray, n: int
) -> TermCounts:
    """The counts after an update: the pairs of old row ``r`` move to row ``rowmap[r]`` (-1:
    dropped, for removed and changed creators), ``tokens[i]`` is the new document of row
    ``rows[i]``, and the result has ``n`` rows. A column keeps its pairs in order and gets the
    new ones after them; terms no document holds any more are dropped. Work and memory are
    linear in the pairs, in a few passes, without sorting them."""
    rowmap32 = np.asarray(rowmap, dtype=np.int32)
    indices, tf, indptr = old.indices, old.tf, np.asarray(old.indptr)
    keep = np.empty(len(indices), dtype=bool)
    for s in range(0, len(keep), CHUNK):
        keep[s : s + CHUNK] = rowmap32[np.asarray(indices[s : s + CHUNK])] >= 0
    n_old_terms = len(indptr) - 1
    gone = np.searchsorted(indptr, np.flatnonzero(~keep), side="right") - 1
    kept_counts = np.diff(indptr) - np.bincount(gone, minlength=n_old_terms)
    kept_rows = np.empty(int(kept_counts.sum()), dtype=np.int32)
    kept_tf = np.empty(len(kept_rows), dtype=tf.dtype)
    j = 0
    for s in range(0, len(keep), CHUNK):
        k = keep[s : s + CHUNK]
        part = rowmap32[np.asarray(indices[s : s + CHUNK])[k]]
        kept_rows[j : j + len(part)] = part
        kept_tf[j : j + len(part)] = np.asarray(tf[s : s + CHUNK])[k]
        j += len(part)
    del keep
    vocab = dict(old.vocab)
    parts = pairs(tokens, np.asarray(rows, dtype=np.int32), vocab)
    tok, doc, freq = (np.concatenate(p) for p in zip(*parts, strict=True)) if parts else (
        np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))  # fmt: skip
    order = np.argsort(tok, kind="stable")
    tok, doc, freq = tok[order], doc[order], freq[order]
    n_terms = len(vocab)
    total = np.bincount(tok, minlength=n_terms)
    total[:n_old_terms] += kept_counts
    ends = np.full(n_terms, len(kept_rows), dtype=np.int64)  # a new term's column: at the end
    ends[:n_old_terms] = np.cumsum(kept_counts)
    dtype = np.promote_types(kept_tf.dtype, np.min_scalar_type(int(freq.max(initial=0))))
    indices_out = np.insert(kept_rows, ends[tok], doc)
    tf_out = np.insert(kept_tf.astype(dtype, copy=False), ends[tok], freq.astype(dtype))
    del kept_rows, kept_tf
    live = total > 0
    renumber = np.cumsum(live) - 1
    vocab = {t: int(renumber[i]) for t, i in vocab.items() if live[i]}
    indptr_out = np.zeros(int(live.sum()) + 1, dtype=np.int64)
    np.cumsum(total[live], out=indptr_out[1:])
    doclen = np.zeros(n, dtype=np.int32)
    moved = np.flatnonzero(rowmap32 >= 0)
    doclen[rowmap32[moved]] = np.asarray(old.doclen)[moved]
    doclen[np.asarray(rows, dtype=np.int64)] = [len(d) for d in tokens]
    return TermCounts(vocab, indptr_out, indices_out, tf_out, doclen)
