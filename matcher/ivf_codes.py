"""An IVF index whose codes are the int8 content vectors, so that they are stored once.

A large index stores its content vectors as int8 codes (:mod:`matcher.vectors`, ``content.npy``)
and searches them with an IVF index of 8-bit scalar quantisation (:mod:`matcher.ann`): two
copies of nearly the same bytes, 0.37 GB each at a million creators. Here FAISS's quantiser is
set up to give back exactly the int8 codes: without residuals (each vector is encoded itself,
not its offset from its cluster's centroid), and with each dimension's range set from the int8
scale ``s`` (``vmin = -128.5 s``, ``vdiff = 255 s``), so that a vector ``q s`` (int8 ``q``) is
encoded as the byte ``q + 128`` and searched as ``q s``. Its inverted lists are then nothing the
index directory lacks: ``faiss.index`` holds the trained index without its lists, and
``ivf_lists.npy`` each row's list (int32). Loading adds every row's codes, read from
``content.npy``, to its list in row order (the whole 1M stand-in index loads in about 1 s).

Searched so, the scan's similarities are those of the stored int8 vectors, where the residual
codes were another approximation beside them; on the 1M stand-in, the candidate recall against
exact search of the int8 vectors at the same ``nprobe`` was at least as high (0.9973 against
0.9906 at nprobe 496, 0.9855 against 0.9826 at 248) for about 10-20% more time per list probed.

An index whose vectors are float32, or written before, keeps its lists in ``faiss.index``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import IndexMismatchError
from matcher.vectors import Int8Rows, quantise, read_rows

#: each row's inverted list, beside a ``faiss.index`` written without its lists
LISTS = "ivf_lists.npy"
#: rows encoded and added at a time (50 MB a float32 temporary at 384 dimensions: a build holds
#: the float32 vectors whole beside them)
CHUNK = 32_768


def ranges(scale: np.ndarray) -> np.ndarray:
    """The scalar quantiser's trained values (each dimension's ``vmin``, then its ``vdiff``)
    that encode ``q * scale`` as the byte ``q + 128``."""
    s = np.asarray(scale, dtype=np.float32)
    return np.concatenate([np.float32(-128.5) * s, np.float32(255) * s]).astype(np.float32)


def new_index(d: int, nlist: int, metric: int) -> Any:
    """An empty IVF index with 8-bit scalar quantisation of the vectors themselves."""
    import faiss

    quantizer = (
        faiss.IndexFlatIP(d) if metric == faiss.METRIC_INNER_PRODUCT else faiss.IndexFlatL2(d)
    )
    # (faiss' Python wrapper keeps the quantizer alive with the index)
    return faiss.IndexIVFScalarQuantizer(
        quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit, metric, False
    )


def align(index: Any, scale: np.ndarray) -> None:
    """Set the trained scalar quantiser of a non-residual IVF-SQ8 ``index`` to the int8 scale."""
    import faiss

    if not is_aligned(index):
        raise ValueError("only a non-residual 8-bit IVF index can hold the int8 codes")
    faiss.copy_array_to_vector(ranges(scale), index.sq.trained)


def is_aligned(index: Any) -> bool:
    """Whether ``index`` is an IVF index of this module (its codes are the int8 vectors)."""
    import faiss

    return (
        isinstance(index, faiss.IndexIVFScalarQuantizer)
        and not index.by_residual
        and index.sq.qtype == faiss.ScalarQuantizer.QT_8bit
    )


def add_rows(index: Any, content: np.ndarray, scale: np.ndarray) -> None:
    """Add every row of the float32 ``content``, quantised to int8 at ``scale``, under its row
    number, into its nearest centroid's list (what ``add_with_ids`` of the int8 vectors does,
    without the spare capacity lists grown a block at a time keep)."""
    n = len(content)
    lists = np.empty(n, dtype=np.int64)
    for s in range(0, n, CHUNK):
        e = min(s + CHUNK, n)
        x = quantise(content[s:e], scale).astype(np.float32) * scale
        lists[s:e] = index.quantizer.assign(np.ascontiguousarray(x), 1).ravel()
    _fill(index, lists, lambda s, e: quantise(content[s:e], scale))


def fill_lists(index: Any, content: Int8Rows, lists: np.ndarray) -> None:
    """Put each row of ``content`` into the empty list ``lists[row]`` of ``index``. The codes
    are read with file reads (pages of a mapped ``content.npy`` would count in the process's
    memory)."""
    _fill(index, lists, lambda s, e: read_rows(content.codes, s, e))


def _fill(index: Any, lists: np.ndarray, codes_of: Callable[[int, int], np.ndarray]) -> None:
    """Fill the empty lists of ``index``: row ``r`` (int8 vector ``codes_of(s, e)[r - s]``) goes
    to list ``lists[r]`` as the byte ``q + 128`` of each value ``q``, rows in order within a
    list. Each list is sized once, to what it will hold: adding rows a block at a time doubles
    a list's capacity as it grows (about 200 MB to spare at a million creators)."""
    import faiss

    n, nlist = len(lists), int(index.nlist)
    inv = index.invlists
    sizes = np.bincount(lists, minlength=nlist)
    for lst in np.flatnonzero(sizes).tolist():
        inv.resize(lst, int(sizes[lst]))
    filled = np.zeros(nlist, dtype=np.int64)
    for s in range(0, n, CHUNK):
        e = min(s + CHUNK, n)
        part = lists[s:e]
        order = np.argsort(part, kind="stable")  # by list, then row
        codes = np.ascontiguousarray(codes_of(s, e)[order].view(np.uint8) ^ np.uint8(0x80))
        ids = order + s
        at = part[order]
        cuts = np.flatnonzero(np.diff(at)) + 1
        for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), e - s], strict=True):
            lst = int(at[a])
            inv.update_entries(lst, int(filled[lst]), b - a, faiss.swig_ptr(ids[a:b]),
                               faiss.swig_ptr(codes[a:b]))  # fmt: skip
            filled[lst] += b - a
    if not np.array_equal(filled, sizes):
        raise RuntimeError("IVF lists not filled as sized")
    index.ntotal = n


def row_lists(index: Any) -> np.ndarray:
    """Each row's inverted list (int32), from the lists of ``index`` (row ids 0..ntotal-1)."""
    import faiss

    n = int(index.ntotal)
    out = np.full(n, -1, dtype=np.int32)
    inv = index.invlists
    for lst in range(int(index.nlist)):
        size = inv.list_size(lst)
        if size:
            ids = faiss.rev_swig_ptr(inv.get_ids(lst), size)
            if ids.max() >= n or ids.min() < 0:
                raise ValueError(f"IVF list {lst} holds ids outside 0..{n - 1}")
            out[ids] = lst
    if (out < 0).any():
        raise ValueError("the IVF lists leave rows out")
    return out


def write(index: Any, directory: Path) -> None:
    """``faiss.index`` of ``directory``; an index of this module without its lists, which go
    to ``ivf_lists.npy``."""
    import faiss

    if not is_aligned(index):
        faiss.write_index(index, str(directory / "faiss.index"))
        return
    np.save(directory / LISTS, row_lists(index))
    d, nlist = int(index.d), int(index.nlist)
    empty = new_index(d, nlist, index.metric_type)
    empty.quantizer.add(index.quantizer.reconstruct_n(0, nlist))
    faiss.copy_array_to_vector(faiss.vector_to_array(index.sq.trained), empty.sq.trained)
    empty.is_trained = True
    faiss.write_index(empty, str(directory / "faiss.index"))


def read(directory: Path, content: Any) -> Any:
    """The FAISS index of ``directory``, its lists filled from ``content`` when they were
    written apart (an index whose ``ivf_lists.npy`` or scales do not fit is refused)."""
    import faiss

    index: Any = faiss.read_index(str(directory / "faiss.index"))
    if not is_aligned(index):
        return index
    lists_path = directory / LISTS
    if not isinstance(content, Int8Rows) or not lists_path.exists():
        raise IndexMismatchError(f"{directory}: faiss.index needs int8 vectors and {LISTS}")
    lists = np.load(lists_path)
    if lists.shape != (len(content),) or (
        len(lists) and not 0 <= lists.min() <= lists.max() < index.nlist
    ):
        raise IndexMismatchError(f"{directory}: {LISTS} does not match the index")
    trained = faiss.vector_to_array(index.sq.trained)
    if not np.array_equal(trained, ranges(content.scale)):
        raise IndexMismatchError(f"{directory}: faiss.index does not match scales.npy")
    fill_lists(index, content, lists.astype(np.int64))
    return index
