"""Fitting a learned ranker: recipe, training set, grouped cross-validation, artifact and card.

``matcher train`` (:mod:`matcher.cli_train`) runs :func:`train`:

1. optionally hold out a seeded fraction of the briefs (``holdout`` in the recipe): training never
   sees them; they only compare the final model with the weighted ranker at the end;
2. for every brief, the candidates are the matcher's top-N creators by niche similarity (as in
   :meth:`matcher.engine.Matcher.score_catalogue`) plus every labelled creator of the brief, so
   that relevant creators outside the retrieval are seen; each row gets the features of
   :mod:`matcher.features` and its relevance (unlabelled = 0); the brief is the group;
3. every learner of the recipe, and the weighted ranker, is scored by grouped K-fold
   cross-validation over the training briefs (no brief on both sides). The metric is NDCG@10 over
   the *whole catalogue* of each validation brief, exactly as ``matcher eval`` computes it: the
   top-N are ordered by the ranker, the rest follow by niche similarity, hard-rule exclusions last;
4. the learner with the best mean CV NDCG@10 is refitted on all training briefs and saved with a
   card (metrics with bootstrap 95% intervals, data fingerprints, library versions).

A model directory becomes the default ranker (:func:`default_model_dir`) only when its card says
it beat the weighted ranker on the held-out briefs.
"""

from __future__ import annotations

import os
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.coverage import index_coverage
from matcher.errors import MatcherError
from matcher.features import FEATURE_NAMES, FEATURE_VERSION, build_features, check_feature_names
from matcher.learned import (
    ARTIFACT_FORMAT,
    LEARNERS,
    LearnedRanker,
    load_learned_ranker,
    read_card,
)
from matcher.metrics import evaluate_ranking, mean_with_ci
from matcher.model_card import library_versions, save, write_split  # the artifact half
from matcher.schema import Brief, Label

if TYPE_CHECKING:
    from matcher.engine import Matcher

__all__ = [
    "BriefData",
    "LearnedRanker",
    "Recipe",
    "cross_validate",
    "default_model_dir",
    "grouped_folds",
    "load_learned_ranker",
    "load_recipe",
    "split_briefs",
    "train",
]

METRIC = "ndcg@10"
ENV_MODEL = "MATCHER_MODEL"
Log = Callable[[str], None]


# -- recipe -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """What ``matcher train`` fits: data handling, features and hyperparameters (a TOML file).

    candidates: top-N creators by niche similarity per brief (match the matcher's ``candidates``).
    folds: K of the grouped K-fold cross-validation.
    holdout: fraction of briefs held out for the final comparison (0 = none).
    seed: seed of the split, the folds, the learners and the bootstrap intervals.
    n_jobs: threads of the learners (fixed so that training is reproducible).
    drop_excluded: leave creators removed by a hard rule out of the training rows (they are
        ranked last whatever the model says).
    learners: learners compared in cross-validation (see :data:`matcher.learned.LEARNERS`).
    features: feature names (see :data:`matcher.features.FEATURES`).
    params: learner -> its hyperparameters.
    """

    name: str = "default"
    candidates: int = 1000
    folds: int = 5
    holdout: float = 0.0
    seed: int = 0
    n_jobs: int = 2
    drop_excluded: bool = True
    learners: tuple[str, ...] = ("lightgbm", "hgb_regressor")
    features: tuple[str, ...] = FEATURE_NAMES
    params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.candidates < 1:
            raise MatcherError(f"recipe: candidates must be >= 1, got {self.candidates}")
        if self.folds < 2:
            raise MatcherError(f"recipe: folds must be >= 2, got {self.folds}")
        if not 0.0 <= self.holdout < 1.0:
            raise MatcherError(f"recipe: holdout must be in [0, 1), got {self.holdout}")
        if self.n_jobs < 1:
            raise MatcherError(f"recipe: n_jobs must be >= 1, got {self.n_jobs}")
        bad = [x for x in self.learners if x not in LEARNERS]
        if bad or not self.learners:
            raise MatcherError(
                f"recipe: learners must be a non-empty list of {LEARNERS}, got {list(self.learners)}"
            )
        unknown = check_feature_names(self.features)
        if unknown or not self.features:
            raise MatcherError(
                f"recipe: unknown feature(s) {unknown}; known: {list(FEATURE_NAMES)}"
                if unknown
                else "recipe: features must not be empty"
            )
        extra = sorted(set(self.params) - set(LEARNERS))
        if extra:
            raise MatcherError(
                f"recipe: hyperparameters for unknown learner(s) {extra}; known: {LEARNERS}"
            )

    def with_(self, **changes: Any) -> Recipe:
        from dataclasses import replace

        return replace(self, **changes)

    def ranker(self, learner: str) -> LearnedRanker:
        return LearnedRanker(
            learner=learner,
            features=list(self.features),
            params=dict(self.params.get(learner, {})),
            seed=self.seed,
            n_jobs=self.n_jobs,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["learners"] = list(self.learners)
        d["features"] = list(self.features)
        return d


_RECIPE_KEYS = {
    "name",
    "candidates",
    "folds",
    "holdout",
    "seed",
    "n_jobs",
    "drop_excluded",
    "learners",
    "features",
}


def load_recipe(path: str | Path | None) -> Recipe:
    """A :class:`Recipe` from TOML: a ``[train]`` table and one table of hyperparameters per learner."""
    if path is None:
        return Recipe()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MatcherError(f"{p}: recipe not found") from None
    except tomllib.TOMLDecodeError as e:
        raise MatcherError(f"{p}: not valid TOML: {e}") from None
    table = dict(data.get("train", {}))
    unknown = sorted(set(table) - _RECIPE_KEYS)
    if unknown:
        raise MatcherError(
            f"{p}: [train] has unknown key(s) {unknown}; known: {sorted(_RECIPE_KEYS)}"
        )
    extra_tables = sorted(set(data) - {"train", *LEARNERS})
    if extra_tables:
        raise MatcherError(
            f"{p}: unknown table(s) {extra_tables}; known: ['train', {', '.join(map(repr, LEARNERS))}]"
        )
    for key in ("learners", "features"):
        if key in table:
            table[key] = tuple(table[key])
    params = {name: dict(data[name]) for name in LEARNERS if name in data}
    try:
        return Recipe(**table, params=params)
    except MatcherError as e:
        raise MatcherError(f"{p}: {e}") from None
    except TypeError as e:
        raise MatcherError(f"{p}: {e}") from None


# -- splitting --------------------------------------------------------------------------------


def split_briefs(
    brief_ids: Sequence[str], fraction: float, seed: int
) -> tuple[list[str], list[str]]:
    """(training ids, held-out ids): a seeded ``fraction`` of the briefs held out, input order kept."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction}")
    ids = list(brief_ids)
    n_hold = int(round(fraction * len(ids)))
    rng = np.random.default_rng(seed)
    held = set(rng.permutation(sorted(ids))[:n_hold].tolist())
    train_ids = [b for b in ids if b not in held]
    held_ids = [b for b in ids if b in held]
    if set(train_ids) & set(held_ids):  # by construction; a check, not an input validation
        raise RuntimeError("a brief is both in the training and the held-out split")
    return train_ids, held_ids


def grouped_folds(
    groups: Sequence[str], n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped K-fold over items whose group is ``groups[i]``: (train idx, validation idx) per fold.

    Raises RuntimeError if any group lands on both sides of a fold (it never should).
    """
    from sklearn.model_selection import GroupKFold

    g = np.asarray(groups, dtype=object)
    n_groups = len(set(g.tolist()))
    if n_splits > n_groups:
        raise MatcherError(
            f"cross-validation needs at least {n_splits} briefs (folds), got {n_groups}"
        )
    kf = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = []
    for tr, va in kf.split(np.zeros((len(g), 1)), groups=g):
        leak = set(g[tr].tolist()) & set(g[va].tolist())
        if leak:
            raise RuntimeError(f"grouped folds leak brief(s) {sorted(leak)[:5]} into both sides")
        folds.append((tr, va))
    return folds


# -- the training set -------------------------------------------------------------------------


@dataclass
class BriefData:
    """One brief's candidates: features, labels, and what placing the whole catalogue needs.

    ``rows`` are catalogue rows; ``in_top[i]`` says row i is among the top-N by niche similarity
    (the others are labelled creators added for training); ``sims`` is the niche cosine of every
    creator in the catalogue and ``relevance`` every creator's label.
    """

    brief_id: str
    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    in_top: np.ndarray
    excluded: np.ndarray
    weighted: np.ndarray
    sims: np.ndarray
    relevance: np.ndarray

    def catalogue_scores(self, cand_scores: np.ndarray) -> np.ndarray:
        """Whole-catalogue scores as :meth:`Matcher.score_catalogue` makes them, given the
        ranker's scores of this brief's candidates (entries outside the top-N are ignored)."""
        out = self.sims.astype(np.float64) - 10.0
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
) -> list[BriefData]:
    """The training rows of every brief (see the module docstring, step 2).

    ``matcher`` must use the weighted ranker: its scores are kept as the baseline.
    """
    if matcher.ranker.name != "weighted":
        raise ValueError(
            f"collect needs a matcher with the weighted ranker, got {matcher.ranker.name!r}"
        )
    index = matcher.index
    ids = index.catalogue.all_ids()
    row_of = {c: i for i, c in enumerate(ids)}
    content = np.asarray(index.content)
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
        ctx = matcher.context(brief)
        sims = np.asarray(content @ ctx.query, dtype=np.float32)
        top = np.argsort(-sims.astype(np.float64), kind="stable")[:n]
        labelled = by_brief.get(brief.brief_id, {})
        extra = np.array(sorted(set(labelled) - set(top.tolist())), dtype=np.int64)
        rows = np.concatenate([top, extra]).astype(np.int64)
        cands = matcher._make_candidates(rows, index.catalogue.get_rows(rows.tolist()))
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
                sims=sims,
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
            from matcher.features import select

            s[top] = ranker.predict(select(bd.X[top], FEATURE_NAMES, ranker.features_))
        out[bd.brief_id] = brief_metric(bd, s, ids)
    return out


# -- cross-validation -------------------------------------------------------------------------


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


def cross_validate(
    data: Sequence[BriefData], recipe: Recipe, ids: np.ndarray, log: Log | None = None
) -> CVResult:
    """Grouped K-fold CV by brief of every learner of the recipe, plus the weighted ranker."""
    brief_ids = [bd.brief_id for bd in data]
    if len(set(brief_ids)) != len(brief_ids):
        raise ValueError("each brief must appear once in data")
    folds = grouped_folds(brief_ids, recipe.folds, recipe.seed)
    per: dict[str, dict[str, float]] = {name: {} for name in (*recipe.learners, "weighted")}
    secs = dict.fromkeys(recipe.learners, 0.0)
    fold_ids: list[tuple[list[str], list[str]]] = []
    for k, (tr, va) in enumerate(folds):
        train_d = [data[i] for i in tr]
        val_d = [data[i] for i in va]
        tr_ids, va_ids = [d.brief_id for d in train_d], [d.brief_id for d in val_d]
        if set(tr_ids) & set(va_ids):
            raise RuntimeError(f"fold {k}: a brief is both in training and validation")
        fold_ids.append((tr_ids, va_ids))
        X, y, g = stack(train_d, recipe.features, recipe.drop_excluded)
        for name in recipe.learners:
            t = time.perf_counter()
            r = recipe.ranker(name).fit(X, y, g)
            secs[name] += time.perf_counter() - t
            per[name].update(score_briefs(r, val_d, ids))
        per["weighted"].update(score_briefs(None, val_d, ids))
        if log:
            cells = ", ".join(f"{n} {np.mean([per[n][b] for b in va_ids]):.4f}" for n in per)
            log(
                f"fold {k + 1}/{len(folds)}: {len(tr_ids)} train / {len(va_ids)} validation briefs; {METRIC} {cells}"
            )
    return CVResult(per, fold_ids, secs)


# -- the whole run ----------------------------------------------------------------------------


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
) -> dict[str, Any]:
    """Cross-validate, pick, refit and save a learned ranker to ``out``; returns the card.

    ``matcher`` must use the weighted ranker (the baseline) over the index of the labelled
    creators. With ``split_dir``, the held-out briefs and their labels are written there
    (``heldout_briefs.jsonl``, ``heldout_labels.csv``, and the training side likewise).
    """
    t0 = time.perf_counter()
    say: Log = log or (lambda s: None)
    ids = np.array(matcher.index.catalogue.all_ids(), dtype=object)
    all_ids = [b.brief_id for b in briefs]
    train_ids, held_ids = split_briefs(all_ids, recipe.holdout, recipe.seed)
    if split_dir is not None:
        write_split(split_dir, briefs, labels, train_ids, held_ids, briefs_source)
        say(
            f"split: {len(train_ids)} training / {len(held_ids)} held-out briefs written to {split_dir}"
        )
    data = collect(matcher, briefs, labels, recipe.candidates, progress=progress)
    by_id = {d.brief_id: d for d in data}
    train_d = [by_id[b] for b in train_ids]
    held_d = [by_id[b] for b in held_ids]
    say(
        f"features: {len(data)} briefs, {sum(d.y.size for d in data)} rows in {time.perf_counter() - t0:.1f}s"
    )

    cv = cross_validate(train_d, recipe, ids, log=say)
    summary = cv.summary(seed=recipe.seed)
    best = cv.best()
    say(f"best in cross-validation: {best}")

    X, y, g = stack(train_d, recipe.features, recipe.drop_excluded)
    t = time.perf_counter()
    final = recipe.ranker(best).fit(X, y, g)
    fit_s = time.perf_counter() - t

    heldout: dict[str, Any] | None = None
    if held_d:
        learned = score_briefs(final, held_d, ids)
        weighted = score_briefs(None, held_d, ids)
        diff = mean_with_ci([learned[b] - weighted[b] for b in learned], seed=recipe.seed)
        heldout = {
            "n_briefs": len(held_d),
            "learned": [
                round(x, 4) for x in mean_with_ci(list(learned.values()), seed=recipe.seed)
            ],
            "weighted": [
                round(x, 4) for x in mean_with_ci(list(weighted.values()), seed=recipe.seed)
            ],
            "difference": [round(x, 4) for x in diff],
            # better on average and the paired 95% interval of the difference excludes 0
            "beats_weighted": bool(diff[0] > 0 and diff[1] > 0),
            "brief_ids": held_ids,
        }
    card: dict[str, Any] = {
        "format_version": ARTIFACT_FORMAT,
        "feature_version": FEATURE_VERSION,
        "learner": best,
        "features": list(recipe.features),
        "params": dict(recipe.params.get(best, {})),
        "seed": recipe.seed,
        "n_jobs": recipe.n_jobs,
        "recipe": recipe.to_dict(),
        "candidates": recipe.candidates,
        "as_of": (matcher.as_of or date.today()).isoformat(),
        "metric": METRIC,
        "cv": {
            "folds": recipe.folds,
            "n_briefs": len(train_d),
            "systems": summary,
            "selected": best,
            "validation_briefs": [va for _, va in cv.folds],
        },
        "heldout": heldout,
        "data": {
            "fingerprints": dict(fingerprints or {}),
            "n_briefs": len(briefs),
            "n_train_briefs": len(train_d),
            "n_heldout_briefs": len(held_d),
            "n_rows": int(y.size),
            "n_relevant_rows": int((y >= 1).sum()),
            "index_model_fingerprint": matcher.index.manifest.model_fingerprint,
            "catalogue_size": int(ids.size),
            # what the catalogue had: the engine falls back to the weighted ranker on an index
            # that mostly lacks it (matcher.coverage)
            "coverage": index_coverage(matcher.index),
        },
        "libraries": library_versions(),
        "training_seconds": None,
        "final_fit_seconds": round(fit_s, 1),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    save(final, card, out)
    say(f"model saved to {out}")
    return read_card(out)


# -- the default model ------------------------------------------------------------------------


def default_model_dir() -> Path | None:
    """The model the matcher uses when none is given.

    ``$MATCHER_MODEL`` (read at call time) when set; otherwise ``models/default`` of the
    repository, but only if its card says it beat the weighted ranker on held-out briefs.
    """
    env = os.environ.get(ENV_MODEL)
    if env:
        return Path(env)
    return _accept_default(Path(__file__).resolve().parents[1] / "models" / "default")


def _accept_default(path: Path) -> Path | None:
    """``path`` when it holds a model whose card says it beat the weighted ranker, else None."""
    try:
        card = read_card(path)
    except MatcherError:
        return None
    h = card.get("heldout")
    return path if isinstance(h, dict) and h.get("beats_weighted") is True else None
