"""Grouped K-fold cross-validation by brief of the recipe's learners and the weighted ranker.

The metric is NDCG@10 over the *whole catalogue* of each validation brief, exactly as
``matcher eval`` computes it: the top-N are ordered by the ranker, the rest follow by niche
similarity, hard-rule exclusions last.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.evaluation import mean_with_ci
from matcher.learn.collect import METRIC, BriefData, score_briefs, stack
from matcher.learn.recipe import Recipe
from matcher.learn.split import grouped_folds

Log = Callable[[str], None]


@dataclass
class CVResult:
    """Per-brief validation NDCG@10 of every system (each brief validated exactly once)."""

    per_brief: dict[str, dict[str, float]]
    folds: list[tuple[list[str], list[str]]]
    fit_seconds: dict[str, float]

    def summary(self, seed: int = 0) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        base = self.per_brief["weighted"]
        for name, vals in self.per_brief.items():
            briefs = list(vals)
            m = mean_with_ci([vals[b] for b in briefs], seed=seed)
            d = mean_with_ci([vals[b] - base[b] for b in briefs], seed=seed)
            fold_means = [float(np.nanmean([vals[b] for b in va])) for _, va in self.folds]
            out[name] = {
                METRIC: [round(x, 4) for x in m],
                "vs_weighted": [round(x, 4) for x in d],
                "fold_means": [round(x, 4) for x in fold_means],
            }
            if name in self.fit_seconds:
                out[name]["fit_seconds"] = round(self.fit_seconds[name], 1)
        return out

    def best(self) -> str:
        learned = {k: v for k, v in self.per_brief.items() if k != "weighted"}
        return max(
            learned,
            key=lambda k: (float(np.nanmean(list(learned[k].values()))), -list(learned).index(k)),
        )


#: the training and validation rows of outer fold k (their features may depend on the fold)
FoldData = Callable[[int], tuple[list[BriefData], list[BriefData]]]


def cross_validate(
    data: Sequence[BriefData],
    recipe: Recipe,
    ids: np.ndarray,
    log: Log | None = None,
    fold_data: FoldData | None = None,
) -> CVResult:
    """Grouped K-fold CV by brief of every learner of the recipe, plus the weighted ranker.

    ``data`` are the briefs' rows as the weighted ranker sees them (its scores are the baseline);
    ``fold_data``, when given, gives each fold's rows for the learners instead (cross-fitted
    text scores make them differ from fold to fold).
    """
    brief_ids = [bd.brief_id for bd in data]
    if len(set(brief_ids)) != len(brief_ids):
        raise ValueError("each brief must appear once in data")
    folds = grouped_folds(brief_ids, recipe.folds, recipe.seed)
    per: dict[str, dict[str, float]] = {name: {} for name in (*recipe.learners, "weighted")}
    secs = dict.fromkeys(recipe.learners, 0.0)
    fold_ids: list[tuple[list[str], list[str]]] = []
    for k, (tr, va) in enumerate(folds):
        train_d, val_d = (
            fold_data(k) if fold_data else ([data[i] for i in tr], [data[i] for i in va])
        )
        tr_ids, va_ids = [d.brief_id for d in train_d], [d.brief_id for d in val_d]
        if set(va_ids) != {brief_ids[i] for i in va}:
            raise RuntimeError(f"fold {k}: fold_data gave other validation briefs than the fold's")
        if set(tr_ids) & set(va_ids):
            raise RuntimeError(f"fold {k}: a brief is both in training and validation")
        fold_ids.append((tr_ids, va_ids))
        X, y, g = stack(train_d, recipe.features, recipe.drop_excluded)
        for name in recipe.learners:
            t = time.perf_counter()
            r = recipe.ranker(name).fit(X, y, g)
            secs[name] += time.perf_counter() - t
            per[name].update(score_briefs(r, val_d, ids))
        per["weighted"].update(score_briefs(None, [data[i] for i in va], ids))
        if log:
            cells = ", ".join(f"{n} {np.mean([per[n][b] for b in va_ids]):.4f}" for n in per)
            log(
                f"fold {k + 1}/{len(folds)}: {len(tr_ids)} train / {len(va_ids)} validation briefs; {METRIC} {cells}"
            )
    return CVResult(per, fold_ids, secs)
