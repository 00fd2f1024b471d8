"""The learned ranker: gradient-boosted trees over :mod:`matcher.learn.features`, saved with a card.

:class:`LearnedRanker` follows scikit-learn's estimator rules (settings in ``__init__``,
``fit(X, y, groups)`` returns ``self``, learned state ends in ``_``, :class:`NotFittedError`
before fit) and the ranker contract of :mod:`matcher.engine` (``name`` and ``rank(sm, cands)``).

Learners (``learner=``):

* ``lightgbm``: :class:`lightgbm.LGBMRanker` with the listwise lambdarank objective; rows of a
  brief are made contiguous before fitting. Contributions per feature are LightGBM's exact
  TreeSHAP values (``pred_contrib=True``); they sum with ``bias`` to the raw score.
* ``hgb_regressor``: :class:`sklearn.ensemble.HistGradientBoostingRegressor` on the relevance.
* ``hgb_classifier``: :class:`sklearn.ensemble.HistGradientBoostingClassifier` on
  ``relevance >= 1``; the raw score is its log-odds.

For the scikit-learn learners a feature's contribution is how much the raw score falls when that
feature alone is replaced by its training mean (``f(x) - f(x with x_j := mean_j)``). That is
cheaper than SHAP and good enough to say which signals moved a creator up; unlike SHAP the
contributions need not add up to the score.

``rank`` returns ``sigmoid(raw score)``: the same order as the raw score, kept inside (0, 1)
so that :meth:`matcher.engine.Matcher.score_catalogue` can still place creators outside the
ranked candidates below every ranked one. Contributions stay in raw-score units.

Saving and loading (the model file beside ``card.json`` / ``card.md``) is
:class:`matcher.learn.card.ModelCard`'s.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from matcher.errors import MatcherError, NotFittedError
from matcher.learn.features import FEATURE_NAMES, RELATIVE_FEATURES, build_features, select
from matcher.learn.treeshap import LazyTreeShap
from matcher.ranking import SignalMatrix
from matcher.schema import Brief
from matcher.signals.base import Candidates

LEARNERS = ("lightgbm", "hgb_regressor", "hgb_classifier")

#: the constructor's parameters (scikit-learn's get_params / set_params / clone conventions,
#: kept by hand: importing scikit-learn costs over a second of every `matcher match`)
_PARAMS = ("learner", "features", "params", "seed", "n_jobs")


class LearnedRanker:
    """Gradient-boosted ranking over the features of :mod:`matcher.learn.features`.

    Parameters
    ----------
    learner : one of :data:`LEARNERS`.
    features : the feature names the model reads, in column order (default: all of
        :data:`matcher.learn.features.FEATURE_NAMES`).
    params : hyperparameters passed to the learner (for LightGBM its scikit-learn names:
        ``n_estimators``, ``learning_rate``, ``num_leaves``, ...).
    seed : random seed; the same seed, data and ``n_jobs`` give the same model.
    n_jobs : threads (fixed, so that training is reproducible).
    """

    name = "learned"
    #: the learned text model whose scores the features read (None: features without it)
    text_model_: Any = None

    def __init__(
        self,
        learner: str = "lightgbm",
        features: Sequence[str] | None = None,
        params: dict[str, Any] | None = None,
        seed: int = 0,
        n_jobs: int = 2,
    ) -> None:
        self.learner = learner
        self.features = features
        self.params = params
        self.seed = seed
        self.n_jobs = n_jobs

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters (scikit-learn convention; ``clone`` works)."""
        return {k: getattr(self, k) for k in _PARAMS}

    def set_params(self, **params: Any) -> LearnedRanker:
        """Change constructor parameters; an unknown name is a ValueError."""
        unknown = sorted(set(params) - set(_PARAMS))
        if unknown:
            raise ValueError(f"invalid parameter(s) {unknown} for LearnedRanker; valid: {_PARAMS}")
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in _PARAMS)
        return f"LearnedRanker({args})"

    # -- settings ------------------------------------------------------------------------------

    def _features(self) -> list[str]:
        feats = list(self.features) if self.features is not None else list(FEATURE_NAMES)
        if not feats:
            raise ValueError("features must name at least one feature, got []")
        if len(set(feats)) != len(feats):
            raise ValueError(f"features must not repeat names, got {feats}")
        return feats

    def _check_learner(self) -> None:
        if self.learner not in LEARNERS:
            raise ValueError(f"learner must be one of {LEARNERS}, got {self.learner!r}")

    def _make_model(self) -> Any:
        params = dict(self.params or {})
        # domain knowledge: the score may only rise with these features (a better niche, audience
        # or tier fit never hurts); keeps the model from learning shapes that do not transfer
        increasing = set(params.pop("monotone_increasing", []) or [])
        unknown = increasing - set(self._features())
        if unknown:
            raise ValueError(f"monotone_increasing names unknown feature(s) {sorted(unknown)}")
        cst = [1 if f in increasing else 0 for f in self._features()]
        if increasing:
            params["monotone_constraints" if self.learner == "lightgbm" else "monotonic_cst"] = cst
        if self.learner == "lightgbm":
            import lightgbm as lgb

            base: dict[str, Any] = {
                "objective": "lambdarank",
                "random_state": self.seed,
                "n_jobs": self.n_jobs,
                "deterministic": True,
                "force_row_wise": True,
                "verbose": -1,
            }
            return lgb.LGBMRanker(**{**base, **params})
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        base = {"random_state": self.seed, "early_stopping": False}
        cls = (
            HistGradientBoostingRegressor
            if self.learner == "hgb_regressor"
            else HistGradientBoostingClassifier
        )
        return cls(**{**base, **params})

    # -- fitting -------------------------------------------------------------------------------

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> LearnedRanker:
        """Fit on rows ``X`` (columns = ``features``), relevance ``y`` (0-3), brief ``groups``."""
        self._check_learner()
        feats = self._features()
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        groups = np.asarray(groups)
        if X.ndim != 2 or X.shape[1] != len(feats):
            raise ValueError(
                f"X must have {len(feats)} columns (one per feature), got shape {X.shape}"
            )
        if y.shape != (X.shape[0],) or groups.shape != (X.shape[0],):
            raise ValueError(
                f"y and groups must have one value per row of X ({X.shape[0]}), got {y.shape} and {groups.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError("X must have at least one row, got 0")
        # rows of a group made contiguous, groups in order of first appearance (stable)
        _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
        rank_of_group = np.argsort(np.argsort(first, kind="stable"), kind="stable")
        order = np.argsort(rank_of_group[inverse], kind="stable")
        X, y, g = X[order], y[order], rank_of_group[inverse][order]
        sizes = np.bincount(g)
        model = self._make_model()
        if self.learner != "lightgbm":
            # scikit-learn cannot bin a column that is missing everywhere; it carries nothing
            X = np.where(np.isnan(X).all(axis=0), np.float32(0.0), X)
        if self.learner == "lightgbm":
            model.fit(X, y.astype(np.int32), group=sizes, feature_name=feats)
            self.booster_ = model.booster_
        elif self.learner == "hgb_classifier":
            yb = (y >= 1).astype(np.int64)
            if yb.min() == yb.max():
                raise ValueError(
                    "hgb_classifier needs both relevant (>= 1) and irrelevant rows in y"
                )
            model.fit(X, yb)
            self.estimator_ = model
        else:
            model.fit(X, y.astype(np.float64))
            self.estimator_ = model
        finite = np.isfinite(X)
        counts = finite.sum(axis=0)
        sums = np.where(finite, X, 0.0).sum(axis=0, dtype=np.float64)
        self.baseline_ = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        self.features_ = feats
        self.n_features_in_ = len(feats)
        self.n_groups_ = int(sizes.size)
        return self

    @property
    def row_independent(self) -> bool:
        """Whether a candidate's score depends on it alone, not on the brief's other candidates
        (none of :data:`~matcher.learn.features.RELATIVE_FEATURES` used): then the engine may
        score only the candidates that can reach a shortlist."""
        return hasattr(self, "features_") and not RELATIVE_FEATURES & set(self.features_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "features_"):
            raise NotFittedError(
                "this LearnedRanker is not fitted yet: call fit(X, y, groups) or load one with "
                "matcher.learn.card.load_learned_ranker(path)"
            )

    # -- predicting ----------------------------------------------------------------------------

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (higher = better) of the rows of ``X``."""
        self._check_fitted()
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} columns, got shape {X.shape}")
        if X.shape[0] == 0:
            return np.zeros(0, dtype=np.float64)
        if self.learner == "lightgbm":
            return np.asarray(self.booster_.predict(X, num_threads=self.n_jobs), dtype=np.float64)
        if self.learner == "hgb_classifier":
            return np.asarray(self.estimator_.decision_function(X), dtype=np.float64)
        return np.asarray(self.estimator_.predict(X), dtype=np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in (0, 1), ordered like :meth:`decision_function`."""
        return _sigmoid(self.decision_function(X))

    def contributions(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Per feature (and ``bias`` for LightGBM), its contribution to each row's raw score."""
        self._check_fitted()
        X = np.asarray(X, dtype=np.float32)
        n = X.shape[0]
        if n == 0:
            return {f: np.zeros(0) for f in self.features_}
        if self.learner == "lightgbm":
            c = self._treeshap()(X)
            out = {f: c[:, j].astype(np.float64) for j, f in enumerate(self.features_)}
            out["bias"] = c[:, -1].astype(np.float64)
            return out
        full = self.decision_function(X)
        stacked = np.repeat(X[None, :, :], len(self.features_), axis=0)
        for j in range(len(self.features_)):
            stacked[j, :, j] = self.baseline_[j]
        replaced = self.decision_function(stacked.reshape(-1, X.shape[1])).reshape(
            len(self.features_), n
        )
        return {f: full - replaced[j] for j, f in enumerate(self.features_)}

    def _treeshap(self) -> LazyTreeShap:
        """LightGBM's TreeSHAP, then (from the second call) the same values from tables."""
        lazy = getattr(self, "treeshap_", None)
        if lazy is None or lazy.booster is not self.booster_:
            booster = self.booster_
            lazy = LazyTreeShap(booster.dump_model, lambda X: np.asarray(
                booster.predict(X, pred_contrib=True, num_threads=self.n_jobs)))  # fmt: skip
            lazy.booster = booster
            self.treeshap_ = lazy
        return lazy

    def model_bytes(self) -> tuple[str, bytes]:
        """(file name, contents) of the fitted model in its library's own format (pickle for
        scikit-learn, which has none; the card keeps its sha256)."""
        self._check_fitted()
        if self.learner == "lightgbm":
            return "model.txt", self.booster_.model_to_string().encode("utf-8")
        return "model.pkl", pickle.dumps(self.estimator_, protocol=pickle.HIGHEST_PROTOCOL)

    # -- the ranker contract -------------------------------------------------------------------

    def rank(
        self,
        sm: SignalMatrix,
        cands: Candidates,
        brief: Brief | None = None,
        as_of: date | None = None,
    ) -> tuple[np.ndarray, Mapping[str, np.ndarray]]:
        """(scores in (0, 1), contributions by feature name) for the N candidates.

        The brief and the date come from the arguments or, failing that, from ``sm.brief`` /
        ``sm.as_of`` (which the engine sets); without a date, today.
        """
        self._check_fitted()
        brief = brief if brief is not None else getattr(sm, "brief", None)
        if brief is None:
            raise MatcherError(
                "the learned ranker needs the brief: pass rank(sm, cands, brief=...) or a "
                "SignalMatrix with .brief set"
            )
        as_of = as_of or getattr(sm, "as_of", None) or date.today()
        X_all, names = build_features(brief, sm, cands, as_of)
        X = select(X_all, names, self.features_)
        return self.predict(X), LazyContributions(self, X)


class LazyContributions(Mapping[str, np.ndarray]):
    """Per-feature contributions, computed only when asked: a shortlist explains its top k, not
    every candidate. ``row(i)`` computes one candidate's; indexing by feature computes all rows."""

    def __init__(self, ranker: LearnedRanker, X: np.ndarray) -> None:
        self._ranker = ranker
        self._X = X
        self._all: dict[str, np.ndarray] | None = None
        self._rows: dict[int, dict[str, float]] = {}

    def _full(self) -> dict[str, np.ndarray]:
        if self._all is None:
            self._all = self._ranker.contributions(self._X)
        return self._all

    def prefetch(self, rows: Sequence[int]) -> None:
        """Compute the contributions of these rows in one call (those a shortlist will show)."""
        rows = [int(r) for r in rows if int(r) not in self._rows]
        if rows and self._all is None:
            part = self._ranker.contributions(self._X[rows])
            for j, r in enumerate(rows):
                self._rows[r] = {k: float(v[j]) for k, v in part.items()}

    def row(self, i: int) -> dict[str, float]:
        if self._all is not None:
            return {k: float(v[i]) for k, v in self._all.items()}
        if i not in self._rows:
            self.prefetch([i])
        return self._rows[i]

    def __getitem__(self, key: str) -> np.ndarray:
        return self._full()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)
