"""The training set: for every labelled brief, its candidates' features and labels.

For every brief, the candidates are the matcher's top-N creators by niche similarity (as in
:meth:`matcher.engine.Matcher.score_catalogue`) plus every labelled creator of the brief, so that
relevant creators outside the retrieval are seen; each row gets the features of
:mod:`matcher.learn.features` and its relevance (unlabelled = 0); the brief is the group.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.learn.features import FEATURE_NAMES, build_features, select
from matcher.learn.ranker import LearnedRanker
from matcher.metrics import evaluate_ranking
from matcher.schema import Brief, Label

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.learn.text import TextScores

METRIC = "ndcg@10"


@dataclass
class BriefData:
    """One brief's candidates: features, labels, and what placing the whole catalogue needs.

    ``rows`` are catalogue rows; ``in_top[i]`` says row i is among the engine's top-N candidates
    (the others are labelled creators added for training); ``base`` scores every creator in the
    catalogue in retrieval order, below every candidate (:meth:`Matcher.catalogue_base`), and
    ``relevance`` is every creator's label.
    """

    brief_id: str
    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    in_top: np.ndarray
    excluded: np.ndarray
    weighted: np.ndarray
    base: np.ndarray
    relevance: np.ndarray

    def catalogue_scores(self, cand_scores: np.ndarray) -> np.ndarray:
        """Whole-catalogue scores as :meth:`Matcher.score_catalogue` makes them, given the
        ranker's scores of this brief's candidates (entries outside the top-N are ignored)."""
        out = self.base.copy()
        top = self.in_top
        out[self.rows[top]] = cand_scores[top]
        bad = top & self.excluded
        out[self.rows[bad]] = -20.0 + cand_scores[bad]
        return out


def collect(
    matcher: Matcher,
    briefs: Sequence[Brief],
    labels: Sequence[Label],
    candidates: int,
    progress: bool = False,
    text: Mapping[str, TextScores] | None = None,
) -> list[BriefData]:
    """The training rows of every brief (see the module docstring).

    ``matcher`` must use the weighted ranker: its scores are kept as the baseline. ``text``
    gives briefs their (cross-fitted) text-model scores, which then drive retrieval and the
    text features, as an engine with that text model would.
    """
    if matcher.ranker.name != "weighted":
        raise ValueError(
            f"collect needs a matcher with the weighted ranker, got {matcher.ranker.name!r}"
        )
    index = matcher.index
    ids = index.catalogue.all_ids()
    row_of = {c: i for i, c in enumerate(ids)}
    by_brief: dict[str, dict[int, int]] = {}
    for lab in labels:
        r = row_of.get(lab.creator_id)
        if r is not None:
            by_brief.setdefault(lab.brief_id, {})[r] = lab.relevance
    n = min(candidates, len(ids))
    out: list[BriefData] = []
    it: Any = briefs
    if progress:
        from tqdm import tqdm

        it = tqdm(briefs, desc="features", unit="brief", file=sys.stderr)
    for brief in it:
        ctx = matcher.context(brief, depth=n, text=(text or {}).get(brief.brief_id))
        base, top = matcher.catalogue_base(ctx, n)
        labelled = by_brief.get(brief.brief_id, {})
        extra = np.array(sorted(set(labelled) - set(top.tolist())), dtype=np.int64)
        rows = np.concatenate([top, extra]).astype(np.int64)
        cands = matcher.candidates_at(rows, brief)
        s = matcher.score(brief, cands, ctx)
        X, _ = build_features(brief, s.sm, cands, ctx.as_of)
        rel = np.zeros(len(ids), dtype=np.int8)
        for r, v in labelled.items():
            rel[r] = v
        out.append(
            BriefData(
                brief_id=brief.brief_id,
                X=X,
                y=rel[rows].astype(np.int64),
                rows=rows,
                in_top=np.arange(rows.size) < top.size,
                excluded=np.array([e is not None for e in s.excluded], dtype=bool),
                weighted=s.score,
                base=base,
                relevance=rel,
            )
        )
    return out


def stack(
    data: Sequence[BriefData], features: Sequence[str], drop_excluded: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups) of the briefs' rows, brief by brief (rows of a brief contiguous)."""
    pos = {f: j for j, f in enumerate(FEATURE_NAMES)}
    cols = [pos[f] for f in features]
    Xs, ys, gs = [], [], []
    for bd in data:
        keep = ~bd.excluded if drop_excluded else np.ones(bd.y.size, dtype=bool)
        Xs.append(bd.X[keep][:, cols])
        ys.append(bd.y[keep])
        gs.append(np.full(int(keep.sum()), bd.brief_id, dtype=object))
    if not Xs:
        return np.zeros((0, len(cols)), np.float32), np.zeros(0, np.int64), np.zeros(0, object)
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(gs)


def brief_metric(bd: BriefData, cand_scores: np.ndarray, ids: np.ndarray) -> float:
    """NDCG@10 of one brief over the whole catalogue."""
    return evaluate_ranking(bd.catalogue_scores(cand_scores), bd.relevance, k=10, ids=ids)[METRIC]


def score_briefs(
    ranker: LearnedRanker | None, data: Sequence[BriefData], ids: np.ndarray
) -> dict[str, float]:
    """Per brief NDCG@10 of ``ranker`` (None = the weighted ranker's stored scores)."""
    out: dict[str, float] = {}
    for bd in data:
        if ranker is None:
            s = bd.weighted
        else:
            s = np.zeros(bd.y.size)
            top = bd.in_top
            s[top] = ranker.predict(select(bd.X[top], FEATURE_NAMES, ranker.features_))
        out[bd.brief_id] = brief_metric(bd, s, ids)
    return out
