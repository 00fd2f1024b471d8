"""Building an index on disk in bounded memory: the creators a chunk at a time, straight into
the files.

:func:`build_and_save` (``matcher index --creators FILE``) takes any iterable of creators: a list,
or :func:`matcher.io.stream_creators`' stream of a JSON Lines file, which is never held whole.
Each chunk of :data:`CHUNK` creators is embedded, its vectors appended to ``content.npy`` and
``voice.npy`` (written as the rows come; the header's row count set at the end), its records
inserted into the catalogue, its BM25 term counts and column records kept (a few dozen bytes
a creator). Only then, with the chunks gone, is the vector index built from ``content.npy``
(the vectors read once into memory; ``voice.npy`` is never read back), then the BM25 scores from
the counts, the price fit from the catalogue and the lookup files. At 1M creators that is one
copy of the content vectors (1.5 GB) at a time instead of about six, and no creator held
beyond its chunk.

It writes what :meth:`CreatorIndex.build` then :meth:`CreatorIndex.save` write for the same
creators, byte for byte apart from ``created_at`` (tested): the same vectors, catalogue rows,
term counts, FAISS training sample and calibration.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from matcher import ann, columns, ivf_codes, lexical_counts
from matcher import vectors as stored_vectors
from matcher.catalogue import CatalogueDB
from matcher.encoder import Encoder
from matcher.errors import MatcherError
from matcher.index import FILES, embed_creators, new_manifest, write_manifest
from matcher.io.atomic import replacing_dir, scratch_dir, sqlite_backup
from matcher.lexical import LexicalIndex
from matcher.lookups import write_lookups
from matcher.pricing import PriceModel
from matcher.schema import Creator

if TYPE_CHECKING:
    from matcher.learn.text import TextModel

#: creators embedded and written at a time (held in memory with their texts and vectors)
CHUNK = 20_000


def build_and_save(
    creators: Iterable[Creator],
    encoder: Encoder,
    out: str | Path,
    *,
    model_name: str = "default",
    posts_per_creator: int = 6,
    index_type: str = "auto",
    progress: bool = False,
    text_model: TextModel | None = None,
    candidates: int = 3000,
    events: bool = True,
    count: int | None = None,
    vectors: str = "auto",
) -> Path:
    """Build an index for ``creators`` (adapted for ``text_model`` if given) and write it to
    ``out`` (atomically: the old index stays until the new one is complete); ``events``: see
    :meth:`CatalogueDB.insert`; ``count``: how many creators come, if known (for the progress
    bar; a list's length is taken); ``vectors``: how they are stored (:mod:`matcher.vectors`),
    quantised once FAISS has been built from the float32 vectors."""
    out = Path(out)
    if count is None and isinstance(creators, Sequence):
        count = len(creators)
    wd = scratch_dir(out, "build")
    try:
        with replacing_dir(out, marker="manifest.json", what="an index", contents=FILES) as tmp:
            db = CatalogueDB(wd / "catalogue.sqlite")
            try:
                lexical, scales = _write(tmp, db, creators, encoder, posts_per_creator, count,
                                         progress, text_model, events)  # fmt: skip
                n = len(db)
                content = np.load(tmp / "content.npy")  # read once, not mapped
                int8 = stored_vectors.resolve(vectors, index_type, n) == stored_vectors.INT8
                faiss_index, ann_info = ann.build(
                    content, index_type, candidates, scale=scales[0] if int8 else None
                )
                del content
                ivf_codes.write(faiss_index, tmp)
                del faiss_index
                if int8:
                    _quantise(tmp, scales)
                prices = PriceModel.fit(db.priced()).to_dict()
            finally:
                db.close()
            sqlite_backup(wd / "catalogue.sqlite", tmp / "catalogue.sqlite")
            write_lookups(tmp)
            manifest = new_manifest(
                encoder,
                count=n,
                model_name=model_name,
                posts_per_creator=posts_per_creator,
                index_type=index_type,
                lexical=lexical,
                text_model=text_model,
                ann_info=ann_info,
                prices=prices,
                vectors=vectors,
            )
            write_manifest(manifest, tmp)
    finally:
        shutil.rmtree(wd, ignore_errors=True)
    return out


def _write(
    tmp: Path,
    db: CatalogueDB,
    creators: Iterable[Creator],
    encoder: Encoder,
    posts_per_creator: int,
    count: int | None,
    progress: bool,
    text_model: TextModel | None,
    events: bool,
) -> tuple[LexicalIndex, list[np.ndarray]]:
    """Every file made chunk by chunk: vectors, catalogue rows, columns, style, BM25 (returned:
    the lexical index, for its settings; the int8 scales of the content and voice vectors)."""
    lexical = LexicalIndex()
    if lexical.method not in lexical_counts.METHODS:  # pragma: no cover - the default is lucene
        raise MatcherError(f"a streamed build needs term counts; BM25 {lexical.method!r} has none")
    one_chunk = count is not None and count <= CHUNK  # the encoder's own bars then
    bar = _bar(count) if progress and not one_chunk else None
    seen: set[str] = set()
    terms = lexical_counts.TermCounter()
    known: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    style: list[np.ndarray] = []
    n = 0
    with (
        _Rows(tmp / "content.npy", encoder.dim) as c_out,
        _Rows(tmp / "voice.npy", encoder.dim) as v_out,
    ):
        for chunk in chunks(creators, CHUNK):
            for cr in chunk:
                if cr.creator_id in seen:
                    raise MatcherError(f"duplicate creator_id {cr.creator_id!r}")
                seen.add(cr.creator_id)
            content, voice, has_voice = embed_creators(
                chunk, encoder, posts_per_creator=posts_per_creator, progress=progress and one_chunk
            )
            c_out.append(content)
            v_out.append(voice)
            known.append(has_voice)
            del content, voice
            db.insert(n, chunk, events=events)
            terms.add(lexical.tokens(chunk))
            cols.append(columns.narrow(columns.of_creators(chunk)))
            if text_model is not None:
                style.append(text_model.style.transform(chunk))
            n += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    if bar is not None:
        bar.close()
    if n == 0:
        raise MatcherError("no creators to index")
    np.save(tmp / "voice_known.npy", np.concatenate(known))
    np.save(tmp / "columns.npy", np.concatenate(cols))
    if text_model is not None:
        np.save(tmp / "style.npy", np.concatenate(style))
    lexical.with_counts(terms.counts()).save(tmp / "lexical")
    lexical.counts_ = lexical.retriever_ = None  # written: only its settings go on, to the manifest
    return lexical, [stored_vectors.scale_of(c_out.max_abs), stored_vectors.scale_of(v_out.max_abs)]


def _quantise(tmp: Path, scales: list[np.ndarray]) -> None:
    """The float32 vector files of ``tmp`` rewritten as int8 at these scales (content, voice)."""
    stored_vectors.quantise_file(tmp / "content.npy", scales[0])
    stored_vectors.quantise_file(tmp / "voice.npy", scales[1])
    np.save(tmp / stored_vectors.SCALES, np.stack(scales))


def chunks(creators: Iterable[Creator], size: int) -> Iterator[list[Creator]]:
    """Lists of ``size`` creators (the last one shorter) as they come."""
    it = iter(creators)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _bar(total: int | None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="indexing", unit="creator")


class _Rows:
    """A ``.npy`` file of float32 rows of width ``dim`` written a block at a time: the header
    (row count 0) first, rewritten with the final count on close. numpy pads a header so that
    the row count can grow in place (tested)."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path, self.dim, self.rows = path, dim, 0
        self.max_abs = np.zeros(dim, dtype=np.float32)  # of each column, for an int8 scale
        self._f: IO[bytes] = path.open("wb")
        self._header_len = self._header()

    def _header(self) -> int:
        self._f.seek(0)
        np.lib.format.write_array_header_1_0(
            self._f, {"descr": "<f4", "fortran_order": False, "shape": (self.rows, self.dim)}
        )
        return self._f.tell()

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype="<f4")
        if block.ndim != 2 or block.shape[1] != self.dim:
            raise ValueError(f"expected rows of {self.dim} values, got shape {block.shape}")
        self._f.write(block.tobytes())
        self.rows += block.shape[0]
        if len(block):
            np.maximum(self.max_abs, np.abs(block).max(axis=0), out=self.max_abs)

    def __enter__(self) -> _Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._f.tell()
        if self._header() != self._header_len:  # pragma: no cover - numpy's padding changed
            raise MatcherError(f"{self.path}: the header grew; cannot write it in place")
        self._f.seek(end)
        self._f.close()
