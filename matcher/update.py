"""Incremental updates of a saved index: add, change and remove creators without a rebuild.

``update_index(DIR, encoder, creators=..., removals=...)`` (``matcher index --update FILE
[--remove IDS] --out DIR``) compares each creator given with the record the catalogue stores
under its ``creator_id``:

* a new ``creator_id`` is **added** (at the end of the rows);
* a changed record is **replaced** in its row. Its vectors are reused when its profile and voice
  texts are unchanged (e.g. only followers or prices changed); otherwise its texts go through
  the encoder, whose cache makes an unchanged one of the two a hit;
* an identical record is left alone: it costs one string comparison, nothing is encoded;
* a ``creator_id`` of the removals is **removed**; the last rows move into the rows freed (one
  row move per removal, never a renumbering of the catalogue). Unknown ids are reported.

What is kept, and how:

* the vectors (content, voice, voice_known, style): the old arrays copied with those rows moved
  and the new rows written; nothing else is re-embedded;
* the vector index: an IVF index keeps its trained quantiser (no retraining): the rows removed,
  moved or changed are taken out (``remove_ids``) and their new vectors added under their new
  rows (``add_with_ids``); its recall is measured again on the updated vectors as at build time
  (:data:`matcher.ann.TARGET_RECALL` of the top ``candidates`` on 50 queries) and ``nprobe``
  doubled if it fell short; ``nlist`` stays. A flat index (exact search) is rebuilt from the
  vectors (a copy); an HNSW graph too (FAISS cannot remove from it). The index type stays what
  the full build chose; run a full ``matcher index`` to choose again by size;
* the catalogue: a copy of the SQLite file with the rows deleted, moved, replaced and inserted
  in one transaction;
* BM25: the term counts saved beside it (:mod:`matcher.lexical_counts`) with the pairs of
  removed and changed creators dropped and the new documents' added; every score recomputed
  from them (exactly bm25s' scores). Only an index without counts is refitted on the whole
  catalogue;
* the price fit (:meth:`matcher.pricing.PriceModel.fit`) made again over the updated
  catalogue's stated prices (read with SQLite's JSON functions, nothing decoded), and the
  manifest's count, ``created_at``, ``prices`` and ``ann``.

So loading the updated index and ranking a brief gives what a full ``matcher index`` of the
resulting creators (in the updated row order) gives. The new directory is written beside the
old one and swapped in by :func:`matcher.io.atomic.replacing_dir`: a crash at any point leaves
the previous index at the path, loadable. An update that would change nothing writes nothing.
The files are written by :mod:`matcher.update_write` (arrays, BM25) and
:mod:`matcher.update_ann` (the vector index).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from matcher import columns, ivf_codes
from matcher import vectors as stored_vectors
from matcher.catalogue import CatalogueDB
from matcher.encoder import Encoder
from matcher.errors import IndexMismatchError, MatcherError, Problem, ValidationError
from matcher.index import FILES, CreatorIndex, embed_creators, profile_text, voice_text
from matcher.io.atomic import replacing_dir
from matcher.lookups import write_lookups
from matcher.manifest import Manifest
from matcher.pricing import PriceModel
from matcher.row_json import creator_to_json
from matcher.schema import Creator
from matcher.update_ann import updated_ann
from matcher.update_write import updated_lexical, write_rows

if TYPE_CHECKING:
    from matcher.learn.text import TextModel


@dataclass(frozen=True)
class Removal:
    """A ``creator_id`` to remove, and the line of the ids file it is on."""

    creator_id: str
    line: int | None = None


@dataclass(frozen=True)
class UpdateReport:
    """What an update did."""

    added: int
    changed: int
    #: changed or added creators whose texts went to the encoder (the rest reused their vectors)
    embedded: int
    unchanged: int
    removed: int
    #: removals of ids the index does not hold (ignored)
    unknown: tuple[Removal, ...]
    #: creators in the index afterwards
    count: int
    #: False when nothing changed (nothing was written)
    written: bool
    #: how BM25 was brought up to date: "updated" (from its term counts) or "refit"
    lexical: str = "updated"


@dataclass
class Plan:
    """Which rows go where. Old row ``r`` becomes row ``rowmap[r]`` (-1: removed); the kept
    rows at or past the new end (``tail``) move into the removed rows before it (``holes``)."""

    n_old: int
    rowmap: np.ndarray
    removed: np.ndarray
    holes: np.ndarray
    tail: np.ndarray
    #: old rows of the changed creators, in ``fresh`` order
    changed_rows: np.ndarray
    #: the changed creators, then the added ones
    fresh: list[Creator]
    #: their rows after the update
    fresh_rows: np.ndarray
    #: their records as the catalogue stores them (:func:`creator_to_json`)
    records: list[str]
    added: int
    unchanged: int
    unknown: list[Removal]

    @property
    def kept(self) -> int:
        return self.n_old - len(self.removed)

    @property
    def n(self) -> int:
        return self.kept + self.added

    @property
    def changes(self) -> bool:
        return bool(len(self.fresh) or len(self.removed))


def read_removals(path: str | Path) -> list[Removal]:
    """The ids of an ids file: one ``creator_id`` a line; blank lines and lines starting with
    ``#`` are skipped, and an id listed twice counts once."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ValidationError([Problem(source, None, None, "file not found")]) from None
    except OSError as e:
        raise ValidationError([Problem(source, None, None, f"cannot read: {e.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        msg = "not UTF-8 text: expected one creator_id per line"
        raise ValidationError([Problem(source, line, None, msg)]) from None
    out: list[Removal] = []
    seen: set[str] = set()
    for n, line_text in enumerate(text.splitlines(), start=1):
        cid = line_text.strip()
        if cid and not cid.startswith("#") and cid not in seen:
            seen.add(cid)
            out.append(Removal(cid, n))
    return out


def check_inputs(
    creators: Sequence[Creator],
    removals: Sequence[Removal],
    creators_source: str = "<creators>",
    removals_source: str = "<removals>",
) -> None:
    """Refuse a creator both given and removed (ValidationError naming each line)."""
    ids = {c.creator_id for c in creators}
    problems = [
        Problem(removals_source, r.line, None,
                f"creator_id {r.creator_id!r} is also in {creators_source}: update it or "
                "remove it, not both")
        for r in removals
        if r.creator_id in ids
    ]  # fmt: skip
    if problems:
        raise ValidationError(problems)


def plan_update(
    db: CatalogueDB, n_old: int, creators: Sequence[Creator], removals: Sequence[Removal]
) -> Plan:
    """Compare the creators with the catalogue's records and place every row."""
    rows = db.row_of([c.creator_id for c in creators])
    stored = db.records(list(rows.values()))
    changed: list[tuple[int, Creator, str]] = []
    added: list[tuple[Creator, str]] = []
    unchanged = 0
    for c in creators:
        r, record = rows.get(c.creator_id), creator_to_json(c)
        if r is None:
            added.append((c, record))
        elif stored.get(r) == record:
            unchanged += 1
        else:
            changed.append((r, c, record))
    gone_rows = db.row_of([x.creator_id for x in removals])
    unknown = [x for x in removals if x.creator_id not in gone_rows]
    removed = np.array(sorted(gone_rows.values()), dtype=np.int64)
    kept = n_old - len(removed)
    gone = np.zeros(n_old, dtype=bool)
    gone[removed] = True
    holes = removed[removed < kept]
    tail = kept + np.flatnonzero(~gone[kept:])
    rowmap = np.arange(n_old, dtype=np.int64)
    rowmap[removed] = -1
    rowmap[tail] = holes
    changed_rows = np.array([r for r, _, _ in changed], dtype=np.int64)
    fresh_rows = np.concatenate([rowmap[changed_rows], kept + np.arange(len(added))])
    fresh = [c for _, c, _ in changed] + [c for c, _ in added]
    records = [j for _, _, j in changed] + [j for _, j in added]
    return Plan(n_old, rowmap, removed, holes, tail, changed_rows, fresh,
                fresh_rows.astype(np.int64), records, len(added), unchanged, unknown)  # fmt: skip


@dataclass
class Fresh:
    """The vectors of the plan's changed and added creators (``fresh`` order)."""

    content: np.ndarray
    voice: np.ndarray
    voice_known: np.ndarray
    style: np.ndarray | None
    embedded: int


def fresh_vectors(
    index: CreatorIndex,
    plan: Plan,
    encoder: Encoder,
    text_model: TextModel | None = None,
    progress: bool = False,
) -> Fresh:
    """Vectors of the changed and added creators: a changed creator whose profile and voice
    texts did not change keeps its vectors; the others are embedded."""
    posts = index.manifest.posts_per_creator
    n_changed = len(plan.changed_rows)
    old = index.catalogue.get_rows(plan.changed_rows)
    same = [
        profile_text(o) == profile_text(c) and voice_text(o, posts) == voice_text(c, posts)
        for o, c in zip(old, plan.fresh[:n_changed], strict=True)
    ] + [False] * plan.added
    need = [i for i, s in enumerate(same) if not s]
    reuse = [i for i, s in enumerate(same) if s]
    k, dim = len(plan.fresh), index.manifest.dim
    content = np.zeros((k, dim), dtype=np.float32)
    voice = np.zeros((k, dim), dtype=np.float32)
    known = np.zeros(k, dtype=bool)
    if need:
        c, v, kn = embed_creators(
            [plan.fresh[i] for i in need], encoder, posts_per_creator=posts, progress=progress
        )
        content[need], voice[need], known[need] = c, v, kn
    if reuse:
        src = plan.changed_rows[reuse]
        content[reuse] = index.content[src]
        voice[reuse] = index.voice[src]
        known[reuse] = index.voice_known[src]
    style = text_model.style.transform(plan.fresh) if text_model is not None else None
    return Fresh(content, voice, known, style, len(need))


def update_index(
    out: str | Path,
    encoder: Encoder,
    *,
    creators: Sequence[Creator] = (),
    removals: Sequence[Removal] = (),
    text_model: TextModel | None = None,
    candidates: int = 3000,
    progress: bool = False,
) -> UpdateReport:
    """Add, change and remove creators of the index at ``out`` (see the module docstring).

    ``encoder`` must be the index's model and ``text_model`` the text model it is adapted for
    (None for an index not adapted); anything else is refused before any work."""
    out = Path(out)
    check_inputs(creators, removals)
    index = CreatorIndex.load(out, fingerprint=encoder.fingerprint)
    try:
        want = index.manifest.text_model
        got = text_model.fingerprint if text_model is not None else None
        if want != got:
            raise IndexMismatchError(
                f"{out}: the index is adapted for text model {want or '(none)'}, the update "
                f"was given {got or 'none'}; give the model the index was built with (--model), "
                "or rebuild the index with 'matcher index --creators'"
            )
        plan = plan_update(index.catalogue, len(index), creators, removals)
        if plan.n == 0:
            raise MatcherError(f"{out}: this update would remove every creator of the index")
        lexical, embedded = "updated", 0
        if plan.changes:
            fresh = fresh_vectors(index, plan, encoder, text_model, progress)
            embedded = fresh.embedded
            with replacing_dir(out, marker="manifest.json", what="an index", contents=FILES) as tmp:
                lexical = _write(index, plan, fresh, tmp, candidates)
                still_the_same(out, index.manifest)
    finally:
        index.catalogue.close()
    return UpdateReport(
        added=plan.added, changed=len(plan.changed_rows), embedded=embedded,
        unchanged=plan.unchanged, removed=len(plan.removed), unknown=tuple(plan.unknown),
        count=plan.n, written=plan.changes, lexical=lexical,
    )  # fmt: skip


def _write(index: CreatorIndex, plan: Plan, fresh: Fresh, tmp: Path, candidates: int) -> str:
    """Fill the new index directory ``tmp``; returns how BM25 was brought up to date."""
    assert index.path is not None  # loaded from disk
    shutil.copyfile(index.path / "catalogue.sqlite", tmp / "catalogue.sqlite")
    db = CatalogueDB(tmp / "catalogue.sqlite")
    try:
        db.update(
            delete=plan.removed.tolist(),
            moves=list(zip(plan.tail.tolist(), plan.holes.tolist(), strict=True)),
            put=list(zip(plan.fresh_rows.tolist(), plan.fresh, plan.records, strict=True)),
        )
        db.fill_events()  # rows kept from an index written before events were stored
        prices = PriceModel.fit(db.priced()).to_dict()
        lexical = updated_lexical(index, db, plan, tmp / "lexical")
        if index.columns is None:  # an index written before they were stored: all made now
            np.save(tmp / "columns.npy", columns.narrow(columns.of_catalogue(db.each(), plan.n)))
    finally:
        db.close()
    write_lookups(tmp)
    if index.columns is not None:
        fresh_cols = columns.of_creators(plan.fresh)  # stored as the index stores them
        fresh_cols = (
            columns.narrow(fresh_cols) if index.columns.dtype == columns.STORED else fresh_cols
        )
        write_rows(tmp / "columns.npy", index.columns, plan, fresh_cols)
    content = stored_vectors.reopened_like(index.content, write_rows(
        tmp / "content.npy", stored_vectors.stored(index.content), plan,
        stored_vectors.rows_like(index.content, fresh.content),
    ))  # fmt: skip
    write_rows(tmp / "voice.npy", stored_vectors.stored(index.voice), plan,
               stored_vectors.rows_like(index.voice, fresh.voice))  # fmt: skip
    if index.manifest.vectors == stored_vectors.INT8:  # the codes keep their scales
        shutil.copyfile(index.path / stored_vectors.SCALES, tmp / stored_vectors.SCALES)
    write_rows(tmp / "voice_known.npy", np.asarray(index.voice_known), plan, fresh.voice_known)
    if index.style is not None and fresh.style is not None:
        write_rows(tmp / "style.npy", index.style, plan, fresh.style)
    vectors, info = updated_ann(index, content, plan, candidates)
    ivf_codes.write(vectors, tmp)
    manifest = dataclasses.replace(
        index.manifest, count=plan.n, created_at=time.time(), prices=prices, ann=info
    )
    (tmp / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2), encoding="utf-8")
    return lexical


def still_the_same(
    out: Path, manifest: Manifest, what: str = "this update", again: str = "run the update again"
) -> None:
    """Refuse to swap in a new index over one that was replaced while ``what`` ran (its changes
    would be lost)."""
    now = Manifest.read(out)
    if (now.created_at, now.count) != (manifest.created_at, manifest.count):
        raise MatcherError(f"{out}: the index was replaced while {what} ran; {again}")
