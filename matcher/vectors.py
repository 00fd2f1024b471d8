"""Creator vectors as an index stores them: float32, or int8 with one scale per dimension.

``content.npy`` and ``voice.npy`` hold one row per creator. A large catalogue stores them as int8
(``vectors: "int8"`` in the manifest), a quarter of the bytes: 384 bytes a creator instead of
1,536, so at 1M creators 0.37 GB a file instead of 1.46 GB on disk, and as much less memory once
queries have touched every row of the memory-mapped file. ``scales.npy`` holds the two
per-dimension scales (content, voice); a value ``x`` of dimension ``d`` is stored as
``round(x / scale[d])`` and read back as ``code * scale[d]``, where ``scale[d]`` is the largest
``|x|`` of that dimension in the catalogue over 127. Zero stays exactly zero (a creator without
posts keeps an all-zero voice); the error is at most half a step, which on unit vectors moves a
cosine by about 0.001 (measured in README). FAISS's own scalar quantiser maps each dimension's
min..max range instead and cannot give zero back, hence this one.

Under ``auto`` (the default of ``matcher index``) an index stores int8 exactly when its search is
approximate (:func:`matcher.ann.resolve_type` is not ``flat``): below that size exact float32
vectors cost little, and every figure of the smaller indexes stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from matcher import ann
from matcher.errors import MatcherError

FLOAT32, INT8 = "float32", "int8"
#: what ``matcher index --vectors`` accepts
KINDS = ("auto", FLOAT32, INT8)
#: the per-dimension scales of an int8 index: row 0 content, row 1 voice
SCALES = "scales.npy"
_CHUNK = 65_536  # rows decoded at a time over a whole file
_FILE_CHUNK = 8_192  # rows quantised at a time from a file (12 MB at 384 dimensions)


def resolve(vectors: str, index_type: str, n: int) -> str:
    """The storage ``vectors`` means for an index of ``n`` creators of type ``index_type``."""
    if vectors not in KINDS:
        raise MatcherError(f"vectors must be one of {', '.join(KINDS)}, got {vectors!r}")
    if vectors == "auto":
        return FLOAT32 if ann.resolve_type(index_type, n) == "flat" else INT8
    return vectors


def scale_of(max_abs: np.ndarray) -> np.ndarray:
    """The per-dimension scale for these largest absolute values (1 where a dimension is 0)."""
    m = np.asarray(max_abs, dtype=np.float32)
    return np.where(m > 0, m / np.float32(127), np.float32(1)).astype(np.float32)


def max_abs(x: Any) -> np.ndarray:
    """The largest ``|x|`` of each column, a block of rows at a time."""
    out = np.zeros(x.shape[1], dtype=np.float32)
    for s in range(0, x.shape[0], _CHUNK):
        np.maximum(
            out, np.abs(np.asarray(x[s : s + _CHUNK], dtype=np.float32)).max(axis=0), out=out
        )
    return out


def quantise(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """int8 codes of ``x`` (values past the scale's range saturate at ±127)."""
    q = np.rint(np.asarray(x, dtype=np.float32) / scale)
    return np.clip(q, -127, 127).astype(np.int8)


def take_rows(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x[rows]`` (an integer array ``rows``) with ``np.take``, which copies each row whole:
    for 3,000 scattered rows of a memory-mapped 1M x 384 int8 file it takes 0.5 ms where
    indexing takes 0.7, and for records of many fields (``columns.npy``) 0.09 ms against 0.9."""
    return np.take(np.asarray(x), rows, axis=0)


class Int8Rows:
    """int8 rows read as float32: indexing, ``np.asarray`` and ``@`` give what the float32
    array would (within the step), so the engine takes it where it takes a float32 array."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, codes: np.ndarray, scale: np.ndarray) -> None:
        if codes.ndim != 2 or codes.dtype != np.int8 or scale.shape != (codes.shape[1],):
            raise ValueError(f"int8 rows {codes.dtype}{codes.shape} with scale {scale.shape}")
        self.codes, self.scale = codes, np.asarray(scale, dtype=np.float32)

    @classmethod
    def of(cls, x: np.ndarray, scale: np.ndarray | None = None) -> Int8Rows:
        """``x`` stored as int8 (with the scale of its own largest values unless given)."""
        scale = scale_of(max_abs(x)) if scale is None else scale
        return cls(quantise(x, scale), scale)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.codes.shape[0]), int(self.codes.shape[1]))

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, np.ndarray) and key.ndim == 1 and key.dtype.kind in "iu":
            codes = take_rows(self.codes, key)
        else:
            codes = np.asarray(self.codes[key])
        out = codes.astype(np.float32)
        out *= self.scale  # in place: one array made, not two
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(self.shape, dtype=np.float32)
        for s in range(0, len(self), _CHUNK):
            out[s : s + _CHUNK] = self[s : s + _CHUNK]
        return out if dtype is None else out.astype(dtype, copy=False)

    def __matmul__(self, other: np.ndarray) -> np.ndarray:
        other = np.asarray(other)
        out = np.empty((len(self), *other.shape[1:]), dtype=np.result_type(np.float32, other))
        for s in range(0, len(self), _CHUNK):
            out[s : s + _CHUNK] = self[s : s + _CHUNK] @ other
        return out

    def quantise(self, x: np.ndarray) -> np.ndarray:
        """int8 codes of new rows ``x`` at this store's scale."""
        return quantise(x, self.scale)


#: creator vectors as an index holds them (float32 arrays, memory-mapped once saved, or int8 rows)
Rows = np.ndarray | Int8Rows


def has_vector(x: np.ndarray | RowsAt) -> np.ndarray:
    """Whether each row of ``x`` is not all zeros (squared norms, in one pass, no temporary)."""
    if isinstance(x, RowsAt):
        return x.nonzero()
    return np.einsum("ij,ij->i", x, x) > 0 if len(x) else np.zeros(0, dtype=bool)


#: rows that are at least this share of their matrix are multiplied as the whole matrix
WHOLE_SHARE = 0.25


class RowsAt:
    """Rows ``rows`` of an index's vectors (:data:`Rows`), read only when needed: what the engine
    holds for one brief's candidates instead of copying their rows out.

    ``@ v`` of rows that are a large part of the matrix (:data:`WHOLE_SHARE`; a small catalogue,
    whose candidates are most of it) multiplies the whole matrix, read once in order, and picks
    the rows: copying 2,400 scattered rows out and reading the copy took about 13% of a sample
    brief (py-spy). The product is kept, by ``v``, for this object and the subsets taken from it
    (one brief's passes), which then read it whatever their size. Fewer rows are copied out
    (once) and multiplied. Indexing with an int gives that row as float32; with anything else,
    the subset as a ``RowsAt``; ``np.asarray`` the rows copied out."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(
        self, matrix: Rows, rows: np.ndarray, products: dict[int, Any] | None = None
    ) -> None:
        self.matrix = matrix
        self.rows = np.asarray(rows, dtype=np.int64)
        self._products: dict[int, Any] = {} if products is None else products
        self._copy: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), int(self.matrix.shape[1]))

    def __len__(self) -> int:
        return len(self.rows)

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        kept = self._products.get(id(v))
        if kept is not None and kept[0] is v:  # (an id is only reused once its object is gone)
            return np.asarray(kept[1][self.rows])
        if self._copy is None and self._whole():
            kept = self._products[id(v)] = (v, np.asarray(self.matrix @ np.asarray(v)))
            return np.asarray(kept[1][self.rows])
        return np.asarray(np.asarray(self) @ np.asarray(v))

    def _whole(self) -> bool:
        return len(self.rows) >= WHOLE_SHARE * len(self.matrix) > 0

    def nonzero(self) -> np.ndarray:
        """Whether each row holds a vector (is not all zeros: a creator without text)."""
        if self._copy is None and self._whole():
            kept = self._products.get(-1)  # ids are positive
            if kept is None:
                kept = self._products[-1] = (None, has_vector(np.asarray(self.matrix)))
            return np.asarray(kept[1][self.rows])
        return has_vector(np.asarray(self))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return np.asarray(self.matrix[int(self.rows[key])], dtype=np.float32)
        sub = RowsAt(self.matrix, self.rows[key], self._products)
        # rows already copied out are not read again (a subset that multiplies the whole
        # matrix keeps doing so, for the same values)
        if self._copy is not None and not sub._whole():
            sub._copy = self._copy[key]
        return sub

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self._copy is None:
            self._copy = np.asarray(self.matrix[self.rows], dtype=np.float32)
        return self._copy if dtype is None else self._copy.astype(dtype, copy=False)


def read_rows(content: Rows, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of an array; of a memory-mapped ``.npy`` file, read with a file read
    (pages mapped and touched would count in the process's memory until it exits); of int8
    rows, their codes read so and scaled."""
    if isinstance(content, Int8Rows):
        return read_rows(content.codes, start, stop).astype(np.float32) * content.scale
    if isinstance(content, np.memmap) and content.filename and content.flags.c_contiguous:
        d = content.shape[1]
        out = np.fromfile(content.filename, dtype=content.dtype, count=(stop - start) * d,
                          offset=int(content.offset) + start * d * content.dtype.itemsize)  # fmt: skip
        return out.reshape(stop - start, d)
    return np.asarray(content[start:stop])


def int8_scale(x: Rows) -> np.ndarray | None:
    """The scale of int8 rows (None for float32 rows)."""
    return x.scale if isinstance(x, Int8Rows) else None


def stored(x: Rows) -> np.ndarray:
    """The array an index file holds for ``x`` (the codes of int8 rows)."""
    return x.codes if isinstance(x, Int8Rows) else x


def rows_like(x: Rows, fresh: np.ndarray) -> np.ndarray:
    """New float32 rows ``fresh`` as the file of ``x`` holds them."""
    return x.quantise(fresh) if isinstance(x, Int8Rows) else fresh


def reopened_like(x: Rows, array: np.ndarray) -> Rows:
    """``array`` (the file written for ``x``'s rows) read as ``x`` is."""
    return Int8Rows(array, x.scale) if isinstance(x, Int8Rows) else array


def as_kind(kind: str, content: np.ndarray, voice: np.ndarray) -> tuple[Rows, Rows]:
    """(content, voice) stored as ``kind``."""
    if kind == INT8:
        return Int8Rows.of(content), Int8Rows.of(voice)
    return content, voice


def save(directory: Path, content: Rows, voice: Rows) -> None:
    """``content.npy`` and ``voice.npy`` (and ``scales.npy`` for int8 rows) into ``directory``."""
    np.save(directory / "content.npy", stored(content))
    np.save(directory / "voice.npy", stored(voice))
    if isinstance(content, Int8Rows) and isinstance(voice, Int8Rows):
        np.save(directory / SCALES, np.stack([content.scale, voice.scale]))
    elif isinstance(content, Int8Rows) or isinstance(voice, Int8Rows):
        raise ValueError("content and voice must be stored alike")


def load(directory: Path, kind: str, dim: int) -> tuple[Rows, Rows]:
    """(content, voice) of an index directory, memory-mapped; the caller checks their shapes."""
    content = np.load(directory / "content.npy", mmap_mode="r")
    voice = np.load(directory / "voice.npy", mmap_mode="r")
    want = np.int8 if kind == INT8 else np.float32
    for name, a in (("content.npy", content), ("voice.npy", voice)):
        if a.dtype != want:
            raise ValueError(f"{name} holds {a.dtype}, the manifest says {kind}")
    if kind != INT8:
        return content, voice
    scales = np.load(directory / SCALES)
    if scales.shape != (2, dim) or scales.dtype != np.float32 or not np.all(scales > 0):
        raise ValueError(f"{SCALES} has shape {scales.shape} ({scales.dtype}), wanted (2, {dim})")
    return Int8Rows(content, scales[0]), Int8Rows(voice, scales[1])


def quantise_file(path: Path, scale: np.ndarray) -> None:
    """Rewrite the float32 ``.npy`` file at ``path`` as int8 codes at ``scale`` (what
    ``np.save`` writes for them), a block of rows at a time through plain file reads and writes:
    a mapped file's pages would count in the building process's memory, 1.5 GB at 1M creators.
    Written to a temporary file beside it, renamed over it."""
    src = np.load(path, mmap_mode="r")
    (n, d), offset = src.shape, int(src.offset)
    if src.dtype != np.float32 or not src.flags.c_contiguous:
        raise ValueError(f"{path}: {src.dtype} rows, expected C-ordered float32")
    del src
    tmp = path.with_name(path.name + ".int8")
    with path.open("rb") as f, tmp.open("wb") as out:
        np.lib.format.write_array_header_1_0(
            out, {"descr": "|i1", "fortran_order": False, "shape": (n, d)}
        )
        f.seek(offset)
        block = np.empty((_FILE_CHUNK, d), dtype=np.float32)
        for s in range(0, n, _FILE_CHUNK):
            k = min(_FILE_CHUNK, n - s)
            x = block[:k]
            if f.readinto(x.data.cast("B")) != x.nbytes:
                raise ValueError(f"{path}: shorter than its header says")
            out.write(quantise(x, scale).tobytes())
    tmp.replace(path)
