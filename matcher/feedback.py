"""Relevance feedback: a brief's shortlist re-ranked by the creators a user liked and disliked.

The brief's query vector q is moved towards the content vectors of the liked creators and away
from the disliked ones (Rocchio, 1971; Manning, Raghavan & Schütze, *Introduction to Information
Retrieval*, 2008, section 9.1.1):

    q' = a q + b mean(liked) - c mean(disliked),   then L2-normalised,

with IIR's values a = 1, b = 0.75, c = 0.15 (:data:`ROCCHIO`): the brief keeps the most weight,
a liked creator counts five times as much as a disliked one (a dislike says less about what is
wanted than a like does).

What is ranked, and how:

* the candidates are the engine's for the brief (:meth:`matcher.engine.Matcher.candidates`), the
  creators nearest q' in the vector index and every liked or disliked creator; the engine scores
  them all for the brief (:meth:`~matcher.engine.Matcher.score`: same signals, ranker, hard rules,
  competitor exclusions, niche gate and reasons as ``recommend``);
* two rankings of them, the engine's and by cosine with q', are fused by reciprocal rank (RRF,
  k = 60, as retrieval fuses dense and lexical ranks): the brief's evidence (audience, tier,
  budget, conflicts) still counts as much as the likeness to what was liked. Equal values share
  a rank (an engine tie prefers no one) and a fused tie goes to the creator nearer q'. On the
  sample, liking the 6th and disliking the 1st of a brief's top 10 brings in 7 creators that
  were not in it: the votes move the list a lot. A match's ``score``
  is its fused value over the largest possible (1: first by both); its signals and contributions
  are the engine's;
* liked creators stay in the list: each one the hard rules and conflicts let through is
  shortlisted even when it ranks below ``k`` (it takes the last places) and even when the niche
  gate would cut it (the user has judged its niche);
* disliked creators are out of the list: they are listed under ``excluded`` ("you disliked this
  creator") until the vote is cleared;
* every match gets a first reason saying how alike it is to the liked creators (the mean cosine
  of the content vectors, e.g. "like the creators you liked (0.81)"), and one when it is closer
  to a disliked creator than that ("closer to a creator you disliked (0.86)"; with dislikes
  only, "unlike the closest creator you disliked (0.21)");
* without any vote the answer is ``recommend``'s, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from matcher.retrieval import RRF_MAX, rrf
from matcher.rules import OffNiche, shortfall
from matcher.schema import Brief, Excluded, Match, Shortlist

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.scored import Scored

#: cosine of content vectors from which a creator reads as "like" another (MiniLM: creators of
#: one niche are mostly above 0.5, unrelated ones below 0.3)
ALIKE, SOMEWHAT_ALIKE = 0.5, 0.3
DISLIKED_WHY = "you disliked this creator"


@dataclass(frozen=True)
class Rocchio:
    """The weights of ``q' = a q + b mean(liked) - c mean(disliked)`` (each >= 0, a + b > 0)."""

    a: float = 1.0
    b: float = 0.75
    c: float = 0.15

    def __post_init__(self) -> None:
        for name in ("a", "b", "c"):
            v = getattr(self, name)
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"Rocchio {name} must be a finite number >= 0, got {v}")
        if self.a + self.b <= 0:
            raise ValueError(f"Rocchio a + b must be > 0, got a={self.a}, b={self.b}")

    def query(self, q: np.ndarray, liked: np.ndarray, disliked: np.ndarray) -> np.ndarray:
        """q' (L2-normalised, float32) from the brief's vector and the voted rows' vectors; q
        itself when the sum vanishes."""
        v = self.a * np.asarray(q, dtype=np.float64)
        if len(liked):
            v = v + self.b * np.asarray(liked, dtype=np.float64).mean(axis=0)
        if len(disliked):
            v = v - self.c * np.asarray(disliked, dtype=np.float64).mean(axis=0)
        norm = float(np.linalg.norm(v))
        return np.asarray(q if norm < 1e-9 else v / norm, dtype=np.float32)


#: the weights used unless told otherwise (IIR's)
ROCCHIO = Rocchio()


@dataclass
class _Votes:
    likes: list[str]
    dislikes: list[str]
    liked: np.ndarray  # content vectors, one row per like
    disliked: np.ndarray
    rows: np.ndarray  # index rows of every voted creator


def rerank(
    matcher: Matcher,
    brief: Brief,
    likes: Sequence[str] = (),
    dislikes: Sequence[str] = (),
    k: int | None = None,
    rocchio: Rocchio = ROCCHIO,
) -> Shortlist:
    """The brief's shortlist re-ranked with the user's votes (see the module docstring).

    ``likes`` and ``dislikes`` are creator ids of the index, none in both; ``k`` defaults to the
    brief's. Raises ValueError for an id the index lacks, one given twice, or one in both lists.
    """
    k = brief.k if k is None else k
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if not likes and not dislikes:
        return matcher.recommend(brief, k)
    votes = _votes(matcher, likes, dislikes)
    ctx = matcher.context(brief)
    q = rocchio.query(ctx.query, votes.liked, votes.disliked)
    near, _ = matcher.index.search(q, matcher.settings.candidates)
    base = matcher.candidates(brief, ctx).rows
    assert base is not None  # candidates taken from the index
    rows = np.unique(np.concatenate([base, near, votes.rows]).astype(np.int64))
    s = matcher.score(brief, matcher.candidates_at(rows, brief), ctx)
    matches, excluded, counts = _pick(matcher, s, q, votes, k)
    notes = [
        f"re-ranked by your feedback: {len(votes.likes)} liked, {len(votes.dislikes)} disliked"
    ]
    if matcher.niche_absent(ctx):
        notes.append(
            "no creator in this catalogue fits the brief's niche "
            f"(clarity {ctx.clarity or 0.0:.2f}); only creators you liked are listed"
        )
    else:
        notes += shortfall(brief, len(matches), k, *counts)
    return Shortlist(
        brief.brief_id, tuple(matches), tuple(excluded), matcher.ranker.name, tuple(notes)
    )


def _votes(matcher: Matcher, likes: Sequence[str], dislikes: Sequence[str]) -> _Votes:
    """The votes checked, with the content vectors of the voted creators."""
    for name, ids in (("likes", likes), ("dislikes", dislikes)):
        if isinstance(ids, str):
            raise ValueError(f"{name} must be a list of creator ids, got the string {ids!r}")
        twice = sorted({c for c in ids if list(ids).count(c) > 1})
        if twice:
            raise ValueError(f"{name} repeats creator id(s) {twice}")
    both = sorted(set(likes) & set(dislikes))
    if both:
        raise ValueError(f"creator id(s) {both} are both liked and disliked")
    found = matcher.index.catalogue.row_of([*likes, *dislikes])
    missing = [c for c in (*likes, *dislikes) if c not in found]
    if missing:
        raise ValueError(f"unknown creator id(s) {missing}: not in the index")
    content = matcher.index.content
    lr = np.array([found[c] for c in likes], dtype=np.int64)
    dr = np.array([found[c] for c in dislikes], dtype=np.int64)
    dim = int(content.shape[1])
    return _Votes(
        list(likes),
        list(dislikes),
        np.asarray(content[lr], dtype=np.float32) if lr.size else np.zeros((0, dim), np.float32),
        np.asarray(content[dr], dtype=np.float32) if dr.size else np.zeros((0, dim), np.float32),
        np.concatenate([lr, dr]),
    )


def competition_ranks(values: np.ndarray) -> np.ndarray:
    """0-based ranks, best (highest) first, equal values sharing the best rank ("1224")."""
    v = np.asarray(values, dtype=np.float64)
    ordered = np.sort(v)[::-1]
    return np.searchsorted(-ordered, -v, side="left").astype(np.int64)


def fused_order(
    engine: np.ndarray, feedback: np.ndarray, ids: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate indices best first, each one's fused value): the engine's ranking (``engine``:
    one value per candidate, higher ranks first) and the feedback similarity's fused by
    reciprocal rank. Equal values share a rank (an engine tie prefers no one); equal fused
    values go to the creator closer to the feedback query (the votes are the newest word), then
    by creator id."""
    id_rank = np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"), kind="stable")
    fused = rrf(competition_ranks(engine), competition_ranks(feedback))
    return np.lexsort((id_rank, -feedback, -fused)), fused


def keep_liked(ok: Sequence[int], ids: Sequence[str], liked: set[str], k: int) -> list[int]:
    """The first ``k`` of ``ok`` (candidate indices, best first), every liked one kept: liked
    ones ranked below ``k`` take the last places (the list is longer only when more than ``k``
    are liked)."""
    liked_ok = [i for i in ok if ids[i] in liked]
    rest = [i for i in ok if ids[i] not in liked][: max(k - len(liked_ok), 0)]
    keep = {*liked_ok, *rest}
    return [i for i in ok if i in keep]


def _pick(
    matcher: Matcher, s: Scored, q: np.ndarray, votes: _Votes, k: int
) -> tuple[list[Match], list[Excluded], tuple[int, int]]:
    """(matches, excluded, (off-niche, other) exclusion counts) in fused order."""
    ids = s.cands.ids
    liked, disliked = set(votes.likes), set(votes.dislikes)
    order, fused = fused_order(engine_value(s), np.asarray(s.cands.content @ q), ids)

    def eligible(i: int) -> bool:
        why = s.excluded[i]
        return ids[i] not in disliked and (
            why is None or (ids[i] in liked and isinstance(why, OffNiche))
        )

    shown = keep_liked([int(i) for i in order if eligible(int(i))], ids, liked, k)
    prefetch = getattr(s.contributions, "prefetch", None)
    if prefetch is not None:  # lazily explained rankers: one batch for the rows shown
        prefetch(shown)
    matches = []
    for rank, i in enumerate(shown, start=1):
        m = matcher.match_of(s, i, rank)  # the engine's match: signals, flags, reasons
        lines = feedback_reasons(s.cands.content[i], ids[i], votes)
        matches.append(replace(m, score=float(fused[i]) / RRF_MAX, reasons=(*lines, *m.reasons)))
    excluded: list[Excluded] = []
    off_niche = other = listed = 0
    for i in (int(i) for i in order):
        why = s.excluded[i]
        if ids[i] in disliked:
            excluded.append(Excluded(ids[i], DISLIKED_WHY))
        elif why is not None and not eligible(i):
            off_niche += isinstance(why, OffNiche)
            other += not isinstance(why, OffNiche)
            if listed < k or ids[i] in liked:  # those that would have ranked within k
                excluded.append(Excluded(ids[i], str(why)))
                listed += 1
    return matches, excluded, (off_niche, other)


def engine_value(s: Scored) -> np.ndarray:
    """The engine's score of each candidate, those far from the niche moved below every other
    (the order of :meth:`matcher.engine.Scored.order`, ties left tied)."""
    score = np.asarray(s.score, dtype=np.float64)
    if s.far is None or not s.far.any() or score.size == 0:
        return score
    return np.where(s.far, score - (score.max() - score.min() + 1.0), score)


def feedback_reasons(vector: np.ndarray, creator_id: str, votes: _Votes) -> list[str]:
    """What the votes say of one creator (its content vector): how alike it is to the liked
    creators (mean cosine), and how alike to the closest disliked one when there are no likes
    or when it is closer to that one than to the liked ones."""
    v = np.asarray(vector, dtype=np.float32)
    lines = []
    liked = -1.0
    if creator_id in votes.likes:
        lines.append("you liked this creator")
        liked = 1.0
    elif len(votes.liked):
        liked = float((votes.liked @ v).mean())
        lines.append(f"{_alike(liked)} the creators you liked ({liked:.2f})")
    if len(votes.disliked):
        top = float((votes.disliked @ v).max())
        if not len(votes.liked):
            lines.append(f"{_alike(top)} the closest creator you disliked ({top:.2f})")
        elif top > liked:
            lines.append(f"closer to a creator you disliked ({top:.2f})")
    return lines


def _alike(sim: float) -> str:
    if sim >= ALIKE:
        return "like"
    return "somewhat like" if sim >= SOMEWHAT_ALIKE else "unlike"
