"""The accurate vectors after the fast ones: an index built by the static encoder
(``matcher index --encoder static``), searchable within seconds, has its vectors replaced by
all-MiniLM-L6-v2's by ``matcher index --fill --out DIR``, while it is served.

The fill reads the creators from the index's own catalogue (no creators file needed), embeds
their profile and voice texts with the configured model (the default: MiniLM) in chunks of
:data:`CHUNK` creators through the embedding cache, so a fill that is stopped (Ctrl-C, kill -9,
a reboot) resumes where it was: the next ``--fill`` finds the texts already embedded in the
cache. :func:`fill_status` counts them: it is what ``--fill`` reports before it starts (``DIR:
N creators, static vectors; MiniLM vectors ready for M``).

When every creator is embedded, the new vectors, their vector index (chosen by size as in a full
build), the adaptation for the installed learned ranker's text model and a manifest naming the
new model are written into a new directory beside the index and swapped in atomically
(:func:`matcher.io.atomic.replacing_dir`), with the catalogue and BM25 copied unchanged. A
served index picks the change up without a restart, and from then on encodes its queries with
the new model (:mod:`matcher.serve.reload`). The two models' vectors are in different spaces, so
until the swap every query is answered from the static vectors, and after it from MiniLM's;
the index never mixes them. A fill of an index changed meanwhile (``--update``) refuses to swap
(run it again: the texts embedded so far stay cached).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import ann, ivf_codes
from matcher import vectors as stored_vectors
from matcher.catalogue import CatalogueDB
from matcher.encoder import STATIC_MODEL, cache_lookup
from matcher.errors import MatcherError
from matcher.index import FILES, CreatorIndex, embed_creators, profile_text, voice_text
from matcher.io.atomic import replacing_dir
from matcher.lookups import write_lookups
from matcher.manifest import Manifest
from matcher.update import still_the_same
from matcher.vectors import Rows

if TYPE_CHECKING:
    from matcher.encoder import Encoder
    from matcher.learn.text import TextModel
    from matcher.schema import Creator

#: creators embedded (and their vectors cached) at a time
CHUNK = 4096


@dataclass(frozen=True)
class FillStatus:
    """What an index holds and how far a fill with ``model`` has come."""

    count: int
    model: str  # the model whose vectors the index holds
    ready: int  # creators whose texts the fill's model has in the embedding cache


@dataclass(frozen=True)
class FillReport:
    count: int
    embedded: int  # texts that went through the model (the rest came from the cache)
    seconds: float


def _chunks(index: CreatorIndex) -> Iterator[list[Creator]]:
    """The catalogue's creators in row order, :data:`CHUNK` at a time (read once, not cached)."""
    rows = index.catalogue.each()
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def fill_status(out: str | Path, encoder: Encoder) -> FillStatus:
    """How many of the index's creators ``encoder`` (behind its cache) has both texts of."""
    index = CreatorIndex.load(out)
    try:
        n, ready = len(index), 0
        cache = getattr(encoder, "cache", None)
        if cache is not None and index.manifest.model_fingerprint != encoder.fingerprint:
            posts = index.manifest.posts_per_creator
            for chunk in _chunks(index):
                texts = [t for c in chunk for t in (profile_text(c), voice_text(c, posts))]
                hashes, _, missing = cache_lookup(cache, encoder.fingerprint, texts, encoder.dim)
                # an empty text is never embedded: it lacks nothing
                lacking = np.array(
                    [bool(t) and h in missing for t, h in zip(texts, hashes, strict=True)]
                )
                lacking = lacking.reshape(-1, 2)
                ready += int((~lacking.any(axis=1)).sum())
        else:
            ready = n if index.manifest.model_fingerprint == encoder.fingerprint else 0
        return FillStatus(n, index.manifest.model, ready)
    finally:
        index.catalogue.close()


def fill_index(
    out: str | Path,
    encoder: Encoder,
    *,
    model_name: str = "default",
    text_model: TextModel | None = None,
    candidates: int = 3000,
    progress: bool = False,
) -> FillReport:
    """Replace the static vectors of the index at ``out`` by ``encoder``'s (see the module)."""
    t0 = time.perf_counter()
    out = Path(out)
    if model_name == STATIC_MODEL:
        raise MatcherError("--fill replaces static vectors by the default model's: not 'static'")
    index = CreatorIndex.load(out)
    try:
        m = index.manifest
        if m.model != STATIC_MODEL:
            raise MatcherError(
                f"{out}: its vectors are model {m.model!r}'s already, not the static encoder's; "
                "nothing to fill"
            )
        n, dim = len(index), encoder.dim
        content = np.zeros((n, dim), dtype=np.float32)
        voice = np.zeros((n, dim), dtype=np.float32)
        known = np.zeros(n, dtype=bool)
        bar = _bar(n, progress)
        embedded0 = getattr(encoder, "misses", 0)
        s = 0
        for chunk in _chunks(index):
            e = slice(s, s + len(chunk))
            content[e], voice[e], known[e] = embed_creators(
                chunk, encoder, posts_per_creator=m.posts_per_creator
            )
            s += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
        if s != n:
            raise MatcherError(f"{out}: the catalogue has {s} creators, the manifest says {n}")
        if bar is not None:
            bar.close()
        style = None
        if text_model is not None:
            style = text_model.style.transform(list(index.catalogue.each()))
        rows = stored_vectors.as_kind(m.vectors, content, voice)
        faiss_index, info = ann.build(
            content, m.index_type, candidates, scale=stored_vectors.int8_scale(rows[0])
        )
        del content, voice
        manifest = dataclasses.replace(
            m,
            model=model_name,
            model_fingerprint=encoder.fingerprint,
            dim=dim,
            created_at=time.time(),
            text_model=text_model.fingerprint if text_model is not None else None,
            ann=info,
        )
        assert index.path is not None
        _swap(index.path, out, m, manifest, rows, known, style, faiss_index)
        embedded = getattr(encoder, "misses", 0) - embedded0
        return FillReport(n, embedded, time.perf_counter() - t0)
    finally:
        index.catalogue.close()


def _bar(n: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=n, desc="filling", unit="creator")


def _swap(src: Path, out: Path, old: Manifest, new: Manifest, rows: tuple[Rows, Rows],
          known: np.ndarray, style: np.ndarray | None, faiss_index: Any) -> None:  # fmt: skip
    with replacing_dir(out, marker="manifest.json", what="an index", contents=FILES) as tmp:
        shutil.copyfile(src / "catalogue.sqlite", tmp / "catalogue.sqlite")
        db = CatalogueDB(tmp / "catalogue.sqlite")
        try:
            db.fill_events()  # a fast build leaves them out
        finally:
            db.close()
        write_lookups(tmp)
        shutil.copytree(src / "lexical", tmp / "lexical")
        if (src / "columns.npy").exists():
            shutil.copyfile(src / "columns.npy", tmp / "columns.npy")
        stored_vectors.save(tmp, *rows)
        np.save(tmp / "voice_known.npy", known)
        if style is not None:
            np.save(tmp / "style.npy", style)
        ivf_codes.write(faiss_index, tmp)
        (tmp / "manifest.json").write_text(json.dumps(new.__dict__, indent=2), encoding="utf-8")
        still_the_same(
            out, old, "the fill", "run --fill again (the texts embedded so far are cached)"
        )
