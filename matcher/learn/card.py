"""A learned ranker's artifact: the model file, ``card.json`` and ``card.md``, in one place.

:class:`ModelCard` is what ``card.json`` holds (typed): how the model was trained, on what data,
how it did, and how to load it. ``ModelCard.load(dir)`` reads and checks the card once;
``card.load_ranker()`` then reads the model file (checked against the card's sha256);
``card.save(ranker, dir)`` writes the model file, ``card.json`` and ``card.md`` atomically.
A card whose format version, feature version or feature list this code does not match is
refused with a message naming ``card.json`` and the difference.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import MatcherError, ModelNotFoundError
from matcher.io.atomic import recover, replacing_dir
from matcher.learn.card_md import card_markdown
from matcher.learn.features import FEATURE_NAMES, FEATURE_VERSION
from matcher.learn.ranker import LEARNERS, LearnedRanker

#: version of the artifact layout (card.json keys, model file names); bump on change
ARTIFACT_FORMAT = 1
CARD = "card.json"

#: what a model directory holds (anything else: not a model directory matcher wrote)
FILES = frozenset({CARD, "card.md", "model.txt", "model.pkl", "text"})


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import lightgbm
    import sklearn

    try:
        mine = version("matcher")
    except PackageNotFoundError:
        mine = "unknown"
    return {
        "matcher": mine,
        "lightgbm": lightgbm.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


@dataclass
class ModelCard:
    """What ``card.json`` holds. ``path`` is where it was read from (not saved)."""

    learner: str
    features: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    n_jobs: int = 2
    format_version: int = ARTIFACT_FORMAT
    feature_version: int = FEATURE_VERSION
    recipe: dict[str, Any] = field(default_factory=dict)
    candidates: int | None = None
    as_of: str | None = None
    metric: str = "ndcg@10"
    #: grouped cross-validation: folds, n_briefs, systems (metric, vs_weighted, fold means), selected
    cv: dict[str, Any] = field(default_factory=dict)
    #: the held-out comparison with the weighted ranker (None: no held-out briefs)
    heldout: dict[str, Any] | None = None
    #: fingerprints, counts and the catalogue's coverage (:mod:`matcher.learn.coverage`)
    data: dict[str, Any] = field(default_factory=dict)
    libraries: dict[str, str] = field(default_factory=dict)
    training_seconds: float | None = None
    final_fit_seconds: float | None = None
    created_at: str | None = None
    #: the learned text model (fingerprint, shape, cross-validation), when the ranker has one
    text_model: dict[str, Any] | None = None
    #: written by :meth:`save`
    model_file: str = ""
    model_sha256: str = ""
    baseline: list[float | None] = field(default_factory=list)
    n_groups: int = 0
    path: Path | None = field(default=None, compare=False)

    # -- what it says ----------------------------------------------------------------------------

    @property
    def beats_weighted(self) -> bool:
        """Whether it beat the weighted ranker on held-out briefs (interval excluding 0)."""
        return isinstance(self.heldout, dict) and self.heldout.get("beats_weighted") is True

    @property
    def coverage(self) -> dict[str, float]:
        """Share of the training catalogue's creators with posts, audience, price, engagement."""
        return dict(self.data.get("coverage") or {})

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("path")
        return d

    def markdown(self) -> str:
        """The human-readable card (``card.md``)."""
        return card_markdown(self.to_dict())

    # -- reading ---------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str | Path = CARD) -> ModelCard:
        """A card from decoded JSON, checked against this code (errors name ``source``)."""
        if d.get("format_version") != ARTIFACT_FORMAT:
            raise MatcherError(
                f"{source}: model format version {d.get('format_version')!r}, this matcher reads "
                f"version {ARTIFACT_FORMAT}; retrain it with 'matcher train'"
            )
        if d.get("feature_version") != FEATURE_VERSION:
            raise MatcherError(
                f"{source}: features were built by feature version {d.get('feature_version')!r}, "
                f"this matcher builds version {FEATURE_VERSION}; retrain it with 'matcher train'"
            )
        feats = d.get("features")
        if not isinstance(feats, list) or not feats or not all(isinstance(f, str) for f in feats):
            raise MatcherError(
                f"{source}: 'features' must be a non-empty list of names, got {feats!r}"
            )
        unknown = [f for f in feats if f not in FEATURE_NAMES]
        if unknown:
            raise MatcherError(
                f"{source}: the model reads feature(s) {unknown} that this matcher does not build "
                f"(it builds {list(FEATURE_NAMES)}); retrain it with 'matcher train'"
            )
        if d.get("learner") not in LEARNERS:
            raise MatcherError(
                f"{source}: learner must be one of {LEARNERS}, got {d.get('learner')!r}"
            )
        known = {f.name for f in fields(cls)} - {"path"}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def load(cls, path: str | Path) -> ModelCard:
        """The card of a model directory written by ``matcher train``."""
        p = Path(path)
        card = p / CARD
        if not p.exists():
            recover(p)  # a replacement killed between its two renames (where not atomic)
        if not p.is_dir():
            raise ModelNotFoundError(
                f"{p}: no such model directory; train one with 'matcher train'"
            )
        try:
            d = json.loads(card.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelNotFoundError(
                f"{card}: missing; {p} is not a model from 'matcher train'"
            ) from None
        except json.JSONDecodeError as e:
            raise ModelNotFoundError(
                f"{card}: not valid JSON ({e}); the model is corrupt"
            ) from None
        if not isinstance(d, dict):
            raise ModelNotFoundError(f"{card}: expected a JSON object, got {type(d).__name__}")
        out = cls.from_dict(d, card)
        out.path = p
        return out

    def load_ranker(self) -> LearnedRanker:
        """The fitted ranker this card describes (its model file checked by sha256)."""
        if self.path is None:
            raise ValueError("this card was not read from a model directory")
        card = self.path / CARD
        model_file = self.path / self.model_file
        try:
            data = model_file.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise ModelNotFoundError(
                f"{model_file}: model file named in {card} is missing"
            ) from None
        if hashlib.sha256(data).hexdigest() != self.model_sha256:
            raise MatcherError(
                f"{model_file}: sha256 differs from the one in {card}; the model was changed or "
                "is corrupt"
            )
        feats = list(self.features)
        r = LearnedRanker(self.learner, feats, self.params or {}, int(self.seed), int(self.n_jobs))
        if self.learner == "lightgbm":
            from matcher.learn.lgbm_c import CBooster

            # LightGBM's C library directly: no lightgbm/scikit-learn import (1.3 s) to rank
            booster = CBooster(data.decode("utf-8"))
            if booster.feature_name() != feats:
                raise MatcherError(
                    f"{model_file}: the model's features {booster.feature_name()} differ from the "
                    f"feature list in {card} {feats}"
                )
            r.booster_ = booster
        else:
            est = pickle.loads(data)  # trusted: its sha256 matched the card
            if getattr(est, "n_features_in_", len(feats)) != len(feats):
                raise MatcherError(
                    f"{model_file}: the model reads {est.n_features_in_} features, {card} lists "
                    f"{len(feats)}"
                )
            r.estimator_ = est
        base = self.baseline or [None] * len(feats)
        if len(base) != len(feats):
            raise MatcherError(
                f"{card}: 'baseline' has {len(base)} values for {len(feats)} features"
            )
        r.baseline_ = np.array([np.nan if v is None else float(v) for v in base], dtype=np.float64)
        r.features_ = feats
        r.n_features_in_ = len(feats)
        r.n_groups_ = int(self.n_groups)
        if self.text_model:
            from matcher.learn.text import TextModel

            r.text_model_ = TextModel.load(self.path / "text")
            if r.text_model_.fingerprint != self.text_model.get("fingerprint"):
                raise MatcherError(f"{card}: the text model's fingerprint differs from its files")
        return r

    # -- writing ---------------------------------------------------------------------------------

    def save(self, ranker: LearnedRanker, out: str | Path) -> Path:
        """Write the model file, ``card.json`` and ``card.md`` to ``out``, replacing it atomically.

        The card's model entries (file, sha256, baseline, group count) are filled from ``ranker``.
        """
        out = Path(out)
        name, data = ranker.model_bytes()
        self.model_file = name
        self.model_sha256 = hashlib.sha256(data).hexdigest()
        self.baseline = [None if np.isnan(v) else float(v) for v in ranker.baseline_]
        self.n_groups = int(ranker.n_groups_)
        text = getattr(ranker, "text_model_", None)
        with replacing_dir(out, marker=CARD, what="a model directory", contents=FILES) as tmp:
            (tmp / name).write_bytes(data)
            if text is not None:
                text.save(tmp / "text")
            (tmp / CARD).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
            (tmp / "card.md").write_text(self.markdown(), encoding="utf-8")
        self.path = out
        return out


def load_learned_ranker(path: str | Path) -> LearnedRanker:
    """The learned ranker of a model directory written by ``matcher train``."""
    return ModelCard.load(path).load_ranker()
