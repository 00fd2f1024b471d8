"""``matcher train``'s run: split, collect, cross-validate, pick, refit, compare, save.

1. optionally hold out a seeded fraction of the briefs (``holdout`` in the recipe): training never
   sees them; they only compare the final model with the weighted ranker at the end;
2. collect every brief's candidates with features and labels (:mod:`matcher.learn.collect`);
3. score every learner of the recipe, and the weighted ranker, by grouped K-fold
   cross-validation over the training briefs (:mod:`matcher.learn.cv`);
4. refit the learner with the best mean CV NDCG@10 on all training briefs and save it with its
   card (:class:`matcher.learn.card.ModelCard`).

A model directory becomes the default ranker (:mod:`matcher.learn.resolve`) only when its card
says it beat the weighted ranker on the held-out briefs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.evaluation import mean_with_ci
from matcher.learn.card import ModelCard, library_versions
from matcher.learn.collect import METRIC, BriefData, collect, score_briefs, stack
from matcher.learn.coverage import index_coverage
from matcher.learn.cv import Log, cross_validate
from matcher.learn.ranker import LearnedRanker
from matcher.learn.recipe import Recipe
from matcher.learn.split import split_briefs, write_split
from matcher.learn.text_cv import TextRun
from matcher.schema import Brief, Label

if TYPE_CHECKING:
    from matcher.engine import Matcher


def train(
    matcher: Matcher,
    briefs: Sequence[Brief],
    labels: Sequence[Label],
    out: str | Path,
    recipe: Recipe,
    fingerprints: dict[str, str] | None = None,
    split_dir: str | Path | None = None,
    briefs_source: str | Path | None = None,
    progress: bool = False,
    log: Log | None = None,
) -> ModelCard:
    """Cross-validate, pick, refit and save a learned ranker to ``out``; returns its card.

    ``matcher`` must use the weighted ranker (the baseline) over the index of the labelled
    creators. With ``split_dir``, the held-out briefs and their labels are written there
    (``heldout_briefs.jsonl``, ``heldout_labels.csv``, and the training side likewise).
    """
    t0 = time.perf_counter()
    say: Log = log or (lambda s: None)
    ids = np.array(matcher.index.catalogue.all_ids(), dtype=object)
    train_ids, held_ids = split_briefs([b.brief_id for b in briefs], recipe.holdout, recipe.seed)
    if split_dir is not None:
        write_split(split_dir, briefs, labels, train_ids, held_ids, briefs_source)
        say(
            f"split: {len(train_ids)} training / {len(held_ids)} held-out briefs written to {split_dir}"
        )
    data = collect(matcher, briefs, labels, recipe.candidates, progress=progress)
    by_id = {d.brief_id: d for d in data}
    train_d = [by_id[b] for b in train_ids]
    held_d = [by_id[b] for b in held_ids]
    n_rows = sum(d.y.size for d in data)
    say(f"features: {len(data)} briefs, {n_rows} rows in {time.perf_counter() - t0:.1f}s")

    text = (
        TextRun(matcher, briefs, labels, train_ids, recipe, say)
        if recipe.text is not None
        else None
    )
    cv = cross_validate(train_d, recipe, ids, log=say, fold_data=text.fold_data if text else None)
    best = cv.best()
    say(f"best in cross-validation: {best}")
    X, y, g = stack(text.final_rows() if text else train_d, recipe.features, recipe.drop_excluded)
    t = time.perf_counter()
    final = recipe.ranker(best).fit(X, y, g)
    fit_s = time.perf_counter() - t
    if text:
        final.text_model_ = text.model()
    held_rows = text.heldout_rows(held_ids) if text and held_d else held_d

    card = ModelCard(
        learner=best,
        features=list(recipe.features),
        params=dict(recipe.params.get(best, {})),
        seed=recipe.seed,
        n_jobs=recipe.n_jobs,
        recipe=recipe.to_dict(),
        candidates=recipe.candidates,
        as_of=(matcher.as_of or date.today()).isoformat(),
        metric=METRIC,
        cv={
            "folds": recipe.folds,
            "n_briefs": len(train_d),
            "systems": cv.summary(seed=recipe.seed),
            "selected": best,
            "validation_briefs": [va for _, va in cv.folds],
        },
        heldout=heldout_comparison(final, held_rows, held_d, ids, recipe.seed),
        text_model=text.card_entry(ids) if text else None,
        data=_data_entry(matcher, briefs, train_d, held_d, y, fingerprints),
        libraries=library_versions(),
        final_fit_seconds=round(fit_s, 1),
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    card.training_seconds = round(time.perf_counter() - t0, 1)
    card.save(final, out)
    say(f"model saved to {out}")
    return card


def heldout_comparison(
    final: LearnedRanker,
    held: Sequence[BriefData],
    held_weighted: Sequence[BriefData],
    ids: np.ndarray,
    seed: int,
) -> dict[str, Any] | None:
    """The fitted ranker (on ``held``, its rows) against the weighted one (on
    ``held_weighted``, the same briefs as it sees them) on the held-out briefs."""
    if not held:
        return None
    learned = score_briefs(final, held, ids)
    weighted = score_briefs(None, held_weighted, ids)
    diff = mean_with_ci([learned[b] - weighted[b] for b in learned], seed=seed)
    return {
        "n_briefs": len(held),
        "learned": [round(x, 4) for x in mean_with_ci(list(learned.values()), seed=seed)],
        "weighted": [round(x, 4) for x in mean_with_ci(list(weighted.values()), seed=seed)],
        "difference": [round(x, 4) for x in diff],
        # better on average and the paired 95% interval of the difference excludes 0
        "beats_weighted": bool(diff[0] > 0 and diff[1] > 0),
        "brief_ids": [bd.brief_id for bd in held],
    }


def _data_entry(
    matcher: Matcher,
    briefs: Sequence[Brief],
    train_d: Sequence[BriefData],
    held_d: Sequence[BriefData],
    y: np.ndarray,
    fingerprints: dict[str, str] | None,
) -> dict[str, Any]:
    return {
        "fingerprints": dict(fingerprints or {}),
        "n_briefs": len(briefs),
        "n_train_briefs": len(train_d),
        "n_heldout_briefs": len(held_d),
        "n_rows": int(y.size),
        "n_relevant_rows": int((y >= 1).sum()),
        "index_model_fingerprint": matcher.index.manifest.model_fingerprint,
        "catalogue_size": len(matcher.index),
        # what the catalogue had: an index that mostly lacks it gets the weighted ranker instead
        # (matcher.learn.coverage)
        "coverage": index_coverage(matcher.index),
    }
