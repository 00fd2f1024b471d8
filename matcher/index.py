"""CreatorIndex: creator vectors in FAISS plus the catalogue, saved atomically with a manifest.

What is embedded, and why (two texts per creator, one model pass each):

* the **profile text**: bio, declared categories and the creator's most used hashtags. Short
  (fast: ~175 texts/s on 2 cores), and it says what the creator is about even with no posts.
* the **voice text**: the newest posts (``posts_per_creator``), truncated at ``max_seq_length``
  tokens (~40 texts/s at 128 tokens). Posts show both the topics and how the creator writes.

The **content vector** (used for retrieval and the niche signal) is the normalised mean of the
two; the **voice vector** (the tone signal) is the posts' vector alone. One vector per post would
cost ~7x more to embed and store for little gain in niche retrieval; sentence splitting would
cost more still. Creators with no posts get a content vector from the profile alone and an
unknown voice.

On disk, ``DIR/`` holds ``manifest.json`` (format version, model fingerprint, dimension, count,
settings), ``content.npy``, ``voice.npy`` (float32, or int8 with ``scales.npy``:
:mod:`matcher.vectors`), ``voice_known.npy``, ``faiss.index`` (over int8 vectors, without its
lists: ``ivf_lists.npy``, :mod:`matcher.ivf_codes`), ``catalogue.sqlite``, ``columns.npy``
(:mod:`matcher.columns`), ``ids.bin``, ``search.bin`` (:mod:`matcher.lookups`) and ``lexical/``
(BM25, :mod:`matcher.lexical`), written in a temporary sibling then renamed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import ann, columns, ivf_codes
from matcher import vectors as stored_vectors
from matcher.catalogue import CatalogueDB
from matcher.encoder import Encoder
from matcher.errors import IndexMismatchError, MatcherError
from matcher.io.atomic import recover, replacing_dir, sqlite_backup
from matcher.lexical import LexicalIndex
from matcher.lookups import attach_lookups, write_lookups
from matcher.manifest import DAMAGED, FORMAT_VERSION, Manifest
from matcher.pricing import PriceModel
from matcher.schema import Creator

if TYPE_CHECKING:
    from matcher.learn.text import TextModel

#: what an index directory holds (anything else in a folder means it is not matcher's index)
FILES = frozenset({
    "manifest.json", "content.npy", "voice.npy", "voice_known.npy", "style.npy", "faiss.index",
    "catalogue.sqlite", "lexical", "columns.npy", "ids.bin", "search.bin", "scales.npy",
    "ivf_lists.npy",
})  # fmt: skip
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)


def profile_text(c: Creator, max_tags: int = 8) -> str:
    """Bio, categories and top hashtags: what the creator is about."""
    tags = Counter(t.lower() for p in c.posts for t in _HASHTAG.findall(p.text))
    for generic in ("fyp", "foryou", "foryoupage", "ad", "sponsored", "viral", "reels"):
        tags.pop(generic, None)
    parts = [c.bio.strip()]
    if c.categories:
        parts.append(", ".join(c.categories))
    if tags:
        parts.append(" ".join("#" + t for t, _ in tags.most_common(max_tags)))
    return " | ".join(p for p in parts if p)


def voice_text(c: Creator, posts_per_creator: int = 6) -> str:
    """The newest posts, newest first (dated posts sorted; undated keep file order)."""
    posts = list(c.posts)
    if any(p.posted_at for p in posts):
        posts.sort(key=lambda p: p.posted_at.toordinal() if p.posted_at else 0, reverse=True)
    return "\n".join(p.text.strip() for p in posts[:posts_per_creator] if p.text.strip())


def mean_pairwise_cosine(vectors: np.ndarray) -> float:
    """Mean cosine over the distinct pairs of (L2-normalised) rows; 0 for fewer than 2 rows."""
    n = len(vectors)
    if n < 2:
        return 0.0
    g = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    return float((g.sum() - np.trace(g)) / (n * (n - 1)))


def _normalize(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return np.where(n > 0, m / np.maximum(n, 1e-12), 0.0).astype(np.float32)


def embed_creators(
    creators: Sequence[Creator],
    encoder: Encoder,
    *,
    posts_per_creator: int = 6,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(content, voice, voice_known) for these creators."""
    prof = [profile_text(c) for c in creators]
    voice = [voice_text(c, posts_per_creator) for c in creators]
    dim = encoder.dim
    has_prof = np.array([bool(t) for t in prof])
    has_voice = np.array([bool(t) for t in voice])
    p_vec = np.zeros((len(creators), dim), dtype=np.float32)
    v_vec = np.zeros((len(creators), dim), dtype=np.float32)
    if has_prof.any():
        p_vec[has_prof] = encoder.encode([t for t in prof if t], progress=progress)
    if has_voice.any():
        v_vec[has_voice] = encoder.encode([t for t in voice if t], progress=progress)
    content = _normalize(p_vec + v_vec)
    return content, v_vec, has_voice


class CreatorIndex:
    """Creator vectors, a FAISS inner-product index over the content vectors, and the catalogue.

    Build with :meth:`build`, then :meth:`save`; open with :meth:`load`. ``search`` returns rows
    (positions in the catalogue) and cosine similarities.
    """

    def __init__(
        self,
        content: stored_vectors.Rows,
        voice: stored_vectors.Rows,
        voice_known: np.ndarray,
        catalogue: CatalogueDB,
        manifest: Manifest,
        faiss_index: Any = None,
        lexical: LexicalIndex | None = None,
        style: np.ndarray | None = None,
        columns: np.ndarray | None = None,
    ) -> None:
        self.content, self.voice, self.voice_known = content, voice, voice_known
        self.catalogue, self.manifest = catalogue, manifest
        #: BM25 over the creators' text (row order); None only for indexes built in memory
        self.lexical = lexical
        #: the creators' style vectors for the text model of ``manifest.text_model`` (or None)
        self.style = style
        #: each row's column record (:mod:`matcher.columns`); None for an index written before
        #: they were stored (the creators are then decoded for every brief)
        self.columns = columns
        #: the directory it was loaded from (None: built in memory)
        self.path: Path | None = None
        #: price per post estimates fitted on the catalogue's stated prices (empty: benchmarks)
        self.prices = PriceModel.from_dict(manifest.prices)
        #: whether :meth:`search` gives numpy's ``content[rows] @ query`` (IVF: re-ranked)
        self.reranked = manifest.index_type == "ivf"
        self._voice_mean: np.ndarray | None = None
        self._coherence: float | None = None
        if faiss_index is None:  # built from the vectors given
            scale = stored_vectors.int8_scale(content)
            faiss_index = ann.build(np.asarray(content), manifest.index_type, scale=scale)[0]
        self._faiss = faiss_index

    def __len__(self) -> int:
        return int(self.content.shape[0])

    def columns_at(self, rows: np.ndarray) -> np.ndarray | None:
        """The column records of these rows (None: the index has none)."""
        found = None if self.columns is None else stored_vectors.take_rows(self.columns, rows)
        return None if found is None else columns.widen(found)

    @property
    def faiss_index(self) -> Any:
        """The FAISS index over the content vectors (row ids)."""
        return self._faiss

    def coherence_baseline(self) -> float:
        """Mean cosine of two random creators' content vectors (300 seeded at random): how alike
        creators with nothing in common are in this catalogue."""
        if self._coherence is None:
            rows = np.sort(np.random.default_rng(0).choice(len(self), min(len(self), 300), False))
            self._coherence = mean_pairwise_cosine(np.asarray(self.content[rows]))
        return self._coherence

    def voice_mean(self) -> np.ndarray:
        """Mean voice vector of the catalogue (from up to 50,000 creators with posts)."""
        if self._voice_mean is None:
            known = np.flatnonzero(np.asarray(self.voice_known))
            if known.size > 50_000:
                known = np.sort(np.random.default_rng(0).choice(known, 50_000, replace=False))
            v = np.asarray(self.voice[known], dtype=np.float64)
            self._voice_mean = v.mean(axis=0) if len(v) else np.zeros(self.manifest.dim)
        return self._voice_mean

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        creators: Sequence[Creator],
        encoder: Encoder,
        *,
        workdir: str | Path,
        model_name: str = "default",
        posts_per_creator: int = 6,
        index_type: str = "auto",
        progress: bool = False,
        text_model: TextModel | None = None,
        candidates: int = 3000,
        events: bool = True,
        vectors: str = "auto",
    ) -> CreatorIndex:
        """Embed creators and build an in-memory index whose catalogue lives in ``workdir``;
        with ``text_model``, adapted for it (its style vectors of the creators); ``events=False``
        leaves the sponsorship events out of the catalogue (see :meth:`CatalogueDB.insert`);
        ``vectors``: how they are stored (:func:`matcher.vectors.resolve`)."""
        ids = [c.creator_id for c in creators]
        if len(set(ids)) != len(ids):
            dup = next(i for i, n in Counter(ids).items() if n > 1)
            raise MatcherError(f"duplicate creator_id {dup!r}")
        content, voice, known = embed_creators(
            creators, encoder, posts_per_creator=posts_per_creator, progress=progress
        )
        lexical = LexicalIndex().fit(creators)
        wd = Path(workdir)
        wd.mkdir(parents=True, exist_ok=True)
        db = CatalogueDB(wd / "catalogue.sqlite")
        db.insert(0, creators, events=events)
        rows = stored_vectors.as_kind(
            stored_vectors.resolve(vectors, index_type, len(creators)), content, voice
        )
        scale = stored_vectors.int8_scale(rows[0])
        faiss_index, ann_info = ann.build(content, index_type, candidates, scale=scale)
        manifest = new_manifest(
            encoder,
            count=len(creators),
            model_name=model_name,
            posts_per_creator=posts_per_creator,
            index_type=index_type,
            lexical=lexical,
            text_model=text_model,
            ann_info=ann_info,
            prices=PriceModel.fit(creators).to_dict(),
            vectors=vectors,
        )
        style = text_model.style.transform(creators) if text_model is not None else None
        cols = columns.of_creators(creators)
        return cls(*rows, known, db, manifest, faiss_index, lexical, style, cols)

    # -- persistence -------------------------------------------------------------------------

    def save(self, out: str | Path) -> Path:
        """Write the index to ``out`` atomically (a temp directory renamed into place)."""
        out = Path(out)
        with replacing_dir(out, marker="manifest.json", what="an index", contents=FILES) as tmp:
            stored_vectors.save(tmp, self.content, self.voice)
            np.save(tmp / "voice_known.npy", self.voice_known)
            if self.style is not None:
                np.save(tmp / "style.npy", self.style)
            if self.columns is not None:
                np.save(tmp / "columns.npy", columns.narrow(self.columns))
            ivf_codes.write(self._faiss, tmp)
            sqlite_backup(self.catalogue.path, tmp / "catalogue.sqlite")
            write_lookups(tmp)
            if self.lexical is not None:
                self.lexical.save(tmp / "lexical")
            write_manifest(self.manifest, tmp)
        return out

    @classmethod
    def load(cls, path: str | Path, *, fingerprint: str | None = None) -> CreatorIndex:
        """Open a saved index. With ``fingerprint``, refuse an index built by another model.
        A file that does not read back (cut short, missing, another format) is reported as a
        damaged index to rebuild, never as a traceback."""
        path = Path(path)
        if not path.exists():
            recover(path)  # a replacement killed between its two renames (where not atomic)
        manifest = Manifest.read(path)
        try:
            index = cls._load(path, manifest, fingerprint)
            index.path = path
            return index
        except (OSError, ValueError, EOFError, RuntimeError, sqlite3.DatabaseError) as e:
            raise IndexMismatchError(f"{path}: {DAMAGED} ({_short(e)})") from None

    @classmethod
    def _load(cls, path: Path, manifest: Manifest, fingerprint: str | None) -> CreatorIndex:
        if fingerprint is not None and fingerprint != manifest.model_fingerprint:
            raise IndexMismatchError(
                f"{path}: index was built with model {manifest.model!r} (fingerprint "
                f"{manifest.model_fingerprint}), but the configured model has fingerprint "
                f"{fingerprint}; rebuild the index with 'matcher index' or configure that model"
            )
        content, voice = stored_vectors.load(path, manifest.vectors, manifest.dim)
        if content.shape != voice.shape or content.shape != (manifest.count, manifest.dim):
            raise IndexMismatchError(
                f"{path}: content.npy has shape {content.shape}, manifest says "
                f"({manifest.count}, {manifest.dim}); the index is corrupt, rebuild it"
            )
        known = np.load(path / "voice_known.npy")
        index = ivf_codes.read(path, content)
        if index.ntotal != manifest.count or index.d != manifest.dim:
            raise IndexMismatchError(f"{path}: faiss.index does not match the manifest; rebuild it")
        db = CatalogueDB(path / "catalogue.sqlite", readonly=True)
        if len(db) != manifest.count:
            db.close()
            raise IndexMismatchError(
                f"{path}: catalogue.sqlite does not match the manifest; {DAMAGED}"
            )
        attach_lookups(db, path, manifest.count)
        lexical = LexicalIndex.load(path / "lexical", manifest.count, **manifest.lexical)
        style = np.load(path / "style.npy", mmap_mode="r") if manifest.text_model else None
        cols = columns.load(path, manifest.count)
        return cls(content, voice, known, db, manifest, index, lexical, style, cols)

    # -- querying ----------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, n: int, allowed_rows: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``n`` rows by inner product with ``query`` (restricted to ``allowed_rows``)."""
        import faiss

        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        n = min(n, len(self) if allowed_rows is None else len(allowed_rows))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        sel = None
        if allowed_rows is not None:
            sel = faiss.IDSelectorBatch(np.asarray(allowed_rows, dtype=np.int64))
        params = ann.search_params(self._faiss, n, self.manifest.ann, sel)
        sims, rows = self._faiss.search(q, n, params=params)
        keep = rows[0] >= 0
        found, sims = rows[0][keep].astype(np.int64), sims[0][keep]
        if self.reranked and len(found):
            # quantised distances only pick the rows; their order is exact search's
            found = np.sort(found)
            sims = np.asarray(self.content[found] @ q[0], dtype=np.float32)
            order = np.lexsort((found, -sims))
            found, sims = found[order], sims[order]
        return found, sims


def build_and_save(
    creators: Iterable[Creator],
    encoder: Encoder,
    out: str | Path,
    **options: Any,
) -> Path:
    """Build an index for ``creators`` and write it to ``out`` (atomically), a chunk of creators
    at a time: :func:`matcher.index_build.build_and_save`, whose options it takes."""
    from matcher.index_build import build_and_save as build_chunked

    return build_chunked(creators, encoder, out, **options)


def new_manifest(
    encoder: Encoder,
    *,
    count: int,
    model_name: str,
    posts_per_creator: int,
    index_type: str,
    lexical: LexicalIndex,
    text_model: TextModel | None,
    ann_info: dict | None,
    prices: dict,
    vectors: str = "auto",
) -> Manifest:
    """The manifest of a new index of ``count`` creators."""
    return Manifest(
        format_version=FORMAT_VERSION,
        model=model_name,
        model_fingerprint=encoder.fingerprint,
        dim=int(encoder.dim),
        count=count,
        posts_per_creator=posts_per_creator,
        index_type=ann.resolve_type(index_type, count),
        created_at=time.time(),
        lexical={
            "k1": lexical.k1,
            "b": lexical.b,
            "method": lexical.method,
            "stem": lexical.stem,
            "handle": lexical.handle,
        },
        text_model=text_model.fingerprint if text_model is not None else None,
        ann=ann_info,
        prices=prices,
        vectors=stored_vectors.resolve(vectors, index_type, count),
    )


def write_manifest(manifest: Manifest, directory: Path) -> None:
    """``manifest.json`` into ``directory`` (an index being written, not yet in place)."""
    text = json.dumps(dict(manifest.__dict__), indent=2)
    (directory / "manifest.json").write_text(text, encoding="utf-8")


def _short(e: BaseException) -> str:
    """An exception as one short line (FAISS errors carry a C++ trace)."""
    text = str(e).strip().splitlines()
    line = text[-1] if text else type(e).__name__
    return line if len(line) <= 160 else line[:157] + "..."
