"""Niche: how well the creator's text fits the brief's niche.

The score is the stronger of two pieces of evidence: the semantic similarity of the brief's text
and the creator's content vector, mapped linearly to [0, 1] (absolute: a similarity of 0.60 is
"same niche" whatever the catalogue), and the creator's standing in the fused plain-dense and
lexical ranking (relative: 1 for a creator first by both meaning and words, see
:mod:`matcher.retrieval`). On posts-rich catalogues similarity saturates for the creators of a
niche, and the other signals order them; on catalogues of one-line bios similarity is weak for
everyone, and the fused ranking (which catches a bio that names the niche) decides.

Both pieces are label-free. A learned text model adds its own parts (``text``, ``learned`` and
their catalogue z-scores and gaps, read by a learned ranker) but never moves the value, which is
what the reasons explain and the engine's niche gate reads: a model trained on another catalogue
can rank a skincare creator high for a gadgets brief, the plain evidence cannot be talked into it.

Parts: ``cosine`` (brief text vs content vector, the raw similarity the score is mapped from),
``voice_cosine`` (brief text vs the posts alone; nan without posts), ``lexical`` (the BM25 score
of the brief's text against the creator's, see :mod:`matcher.lexical`), ``fused`` (the
reciprocal-rank fusion of the plain dense and lexical rankings, over its maximum: 1 = first in
both; these two are nan outside an engine) and ``fit`` (the mapped similarity alone).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from matcher.retrieval import RRF_MAX
from matcher.schema import Brief
from matcher.signals.base import Candidates, LazyNotes, QueryContext, SignalResult
from matcher.vectors import RowsAt, has_vector

#: cosine similarities of all-MiniLM-L6-v2 mapped linearly to [0, 1]: at or below LOW is "no
#: topical overlap", at or above HIGH is "same niche". Read off unrelated/related text pairs.
LOW, HIGH = 0.05, 0.60
_TAG = re.compile(r"#(\w+)", re.UNICODE)
_GENERIC = {"fyp", "foryou", "foryoupage", "ad", "sponsored", "viral", "reels", "publicidad"}
PARTS = (
    "cosine", "voice_cosine", "lexical", "lexical_z", "lexical_gap", "fused", "fit",
    "text", "text_z", "text_gap", "learned", "learned_z",
)  # fmt: skip


def niche_similarity(ctx: QueryContext, cands: Candidates) -> np.ndarray:
    """Raw cosine similarity (content vectors and query are L2-normalised); an index's rows
    read through the brief's retrieval, which has most of them already."""
    if len(cands) == 0:
        return np.zeros(0, dtype=np.float32)
    r, c = ctx.retrieval, cands.content
    if r is not None and r.query is ctx.query and isinstance(c, RowsAt):
        return r.similarity(c.matrix, c.rows)
    return np.asarray(c @ ctx.query, dtype=np.float32)


def _has_vector(cands: Candidates, sim: np.ndarray) -> np.ndarray:
    """Whether each candidate has a content vector: a similarity other than 0 says so without
    reading the row (a vector of zeros has similarity 0); the rows at 0 are read."""
    if not isinstance(cands.content, RowsAt):
        return has_vector(cands.content)
    out = sim != 0
    zero = np.flatnonzero(~out)
    if zero.size:
        out[zero] = has_vector(cands.content[zero])
    return out


def topics(creator_categories: tuple[str, ...], texts: list[str], n: int = 3) -> list[str]:
    tags = Counter(t.lower() for t in _TAG.findall(" ".join(texts)) if t.lower() not in _GENERIC)
    out = [c for c in creator_categories[:2]]
    out += ["#" + t for t, _ in tags.most_common(n)]
    return out[: n + 1]


def niche_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    sim = niche_similarity(ctx, cands)
    has_vec = _has_vector(cands, sim)
    lexical = fused = np.full(len(cands), np.nan)
    if ctx.retrieval is not None and cands.rows is not None:
        lexical = np.asarray(ctx.retrieval.lexical[cands.rows], dtype=np.float64)
        fused = ctx.retrieval.fused(cands.rows, plain=True) / RRF_MAX
    fit = np.clip((sim - LOW) / (HIGH - LOW), 0.0, 1.0)
    score = np.fmax(fit, fused)  # nan (no retrieval) leaves the similarity

    def note(i: int) -> str:
        c = cands.creators[i]
        if not has_vec[i]:
            return "no bio or posts: niche not scored"
        about = topics(c.categories, [c.bio, *(p.text for p in c.posts)])
        what = f"writes about {', '.join(about)}" if about else "profile text"
        if score[i] >= 0.6:
            verdict = "close to the brief"
        elif score[i] >= 0.3:
            verdict = "related to the brief"
        else:
            verdict = "far from the brief"
        words = ", shares the brief's key words" if lexical[i] > 0 else ""
        return f"{what}: {verdict} (similarity {sim[i]:.2f}{words})"

    notes = LazyNotes(len(cands), note)
    voice_cos = np.full(len(cands), np.nan)
    if len(cands):
        vc = np.asarray(cands.voice @ ctx.query, dtype=np.float64)
        voice_cos = np.where(cands.voice_known, vc, np.nan)
    parts = {
        "cosine": sim,
        "voice_cosine": voice_cos,
        "lexical": lexical,
        "fused": fused,
        "fit": fit.astype(np.float64),
        **_catalogue_parts(ctx, cands),
    }
    return SignalResult("niche", score.astype(np.float64), has_vec, notes, parts)


def _catalogue_parts(ctx: QueryContext, cands: Candidates) -> dict[str, np.ndarray]:
    """The parts read against the whole catalogue (standardised over it, or the gap to its best
    creator): the same at training and at run time, whatever the candidates. nan without an
    engine's retrieval (the lexical ones) or without a learned text model (the text ones)."""
    n = len(cands)
    out = {k: np.full(n, np.nan) for k in
           ("lexical_z", "lexical_gap", "text", "text_z", "text_gap", "learned", "learned_z")}  # fmt: skip
    r = ctx.retrieval
    if r is None or cands.rows is None:
        return out
    rows = cands.rows
    out["lexical_z"] = r.lexical_z[rows]
    out["lexical_gap"] = np.asarray(r.lexical[rows] - r.lexical.max(), dtype=np.float64)
    if r.text is not None and n:
        total = r.text.total
        out["text"] = np.asarray(total[rows], dtype=np.float64)
        out["text_z"] = r.text_z["total"][rows]
        out["text_gap"] = np.asarray(total[rows] - total.max(), dtype=np.float64)
        out["learned"] = np.asarray(r.text.niche[rows], dtype=np.float64)
        out["learned_z"] = r.text_z["niche"][rows]
    return out
