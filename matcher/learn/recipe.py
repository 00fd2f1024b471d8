"""A training recipe: what ``matcher train`` fits (a TOML file, see ``recipes/``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from matcher.config import check_keys, read_toml
from matcher.errors import MatcherError
from matcher.learn.features import FEATURE_NAMES, check_feature_names
from matcher.learn.ranker import LEARNERS, LearnedRanker
from matcher.learn.text import TextConfig


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
    learners: learners compared in cross-validation (see :data:`matcher.learn.ranker.LEARNERS`).
    features: feature names (see :data:`matcher.learn.features.FEATURES`).
    params: learner -> its hyperparameters.
    text: also learn a text model (:mod:`matcher.learn.text`) whose scores the features read;
        ``None`` for none, else the settings of :class:`matcher.learn.text.TextConfig` (the
        recipe's ``[text]`` table; ``{}`` for the defaults).
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
    text: dict[str, Any] | None = None

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
        if self.text is not None:
            known = set(TextConfig.__dataclass_fields__)
            check_keys(self.text, known, "recipe: [text] has")

    def text_config(self) -> TextConfig | None:
        """The text model's settings (its seed is the recipe's unless set), or None."""
        if self.text is None:
            return None
        return TextConfig(**{"seed": self.seed, **self.text})

    def with_(self, **changes: Any) -> Recipe:
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
    data = read_toml(p, "recipe")
    table = dict(data.get("train", {}))
    check_keys(table, _RECIPE_KEYS, f"{p}: [train] has")
    extra_tables = sorted(set(data) - {"train", "text", *LEARNERS})
    if extra_tables:
        raise MatcherError(
            f"{p}: unknown table(s) {extra_tables}; known: ['train', 'text', {', '.join(map(repr, LEARNERS))}]"
        )
    for key in ("learners", "features"):
        if key in table:
            table[key] = tuple(table[key])
    params = {name: dict(data[name]) for name in LEARNERS if name in data}
    text = dict(data["text"]) if "text" in data else None
    try:
        return Recipe(**table, params=params, text=text)
    except (MatcherError, TypeError) as e:
        raise MatcherError(f"{p}: {e}") from None
