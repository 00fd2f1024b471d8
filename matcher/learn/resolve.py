"""Which ranker a matcher uses: the one place that decides.

:func:`resolve_ranker` turns a spec into a ranker, reading a model's card once:

* ``"weighted"``: the weighted ranker with the settings' weights;
* ``"auto"``: the installed default model (:func:`default_model_dir`) when its card says it beat
  the weighted ranker on held-out briefs *and* the index's catalogue has the kinds of data the
  model was trained with (:mod:`matcher.learn.coverage`); otherwise the weighted ranker, with a
  note saying why when the model was skipped for coverage;
* ``"learned"``: the default model, always (an error when none is installed);
* a path: the model directory from ``matcher train`` found there.

The installed default is ``matcher/models/default``, shipped as package data, or the model
directory named by ``$MATCHER_MODEL`` (read at call time; an explicit choice, used even if its
card records no held-out win).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.config import Settings
from matcher.errors import MatcherError
from matcher.ranking import Ranker, WeightedRanker

if TYPE_CHECKING:  # imported when a learned ranker is needed (they bring scikit-learn)
    from matcher.learn.card import ModelCard

ENV_MODEL = "MATCHER_MODEL"
SPECS = ("auto", "weighted", "learned")


def packaged_model_dir() -> Path:
    """Where the package keeps its default model (package data)."""
    return Path(str(files("matcher") / "models" / "default"))


def default_model_dir() -> Path | None:
    """The default model's directory: ``$MATCHER_MODEL`` when set, else the packaged one when
    its card says it beat the weighted ranker on held-out briefs, else None."""
    env = os.environ.get(ENV_MODEL)
    if env:
        return Path(env)
    return accept_default(packaged_model_dir())


def accept_default(path: Path) -> Path | None:
    """``path`` when it holds a model whose card says it beat the weighted ranker, else None."""
    card = _accepted_card(path)
    return None if card is None else path


def _accepted_card(path: Path) -> ModelCard | None:
    from matcher.learn.card import ModelCard

    try:
        card = ModelCard.load(path)
    except MatcherError:
        return None
    return card if card.beats_weighted else None


def _default_card() -> tuple[ModelCard | None, Path]:
    """(the default model's card, read once, or None; where it was looked for)."""
    from matcher.learn.card import ModelCard

    env = os.environ.get(ENV_MODEL)
    if env:
        path = Path(env)
        return (ModelCard.load(path) if path.exists() else None), path
    path = packaged_model_dir()
    return _accepted_card(path), path


def resolve_ranker(
    spec: str | Path, index: Any = None, settings: Settings | None = None
) -> tuple[Ranker, str | None]:
    """(ranker, note) for a spec (see the module docstring); ``index`` is the one it will rank.

    The note, when not None, says why the default model was not used (for stderr or a log).
    """
    settings = settings or Settings()
    weighted = WeightedRanker(settings.weights, settings.unknown_value)
    if spec == "weighted":
        return weighted, None
    from matcher.learn.card import ModelCard
    from matcher.learn.coverage import coverage_mismatch, index_coverage

    if spec not in ("auto", "learned"):
        return ModelCard.load(spec).load_ranker(), None
    card, path = _default_card()
    if card is None:
        if spec == "learned":
            raise MatcherError(
                f"{path}: no learned ranker installed there; train one with 'matcher train' and "
                f"pass --model DIR (or set ${ENV_MODEL})"
            )
        return weighted, None
    if spec == "auto" and index is not None and card.coverage:
        lacking = coverage_mismatch(card.coverage, index_coverage(index))
        if lacking:
            return weighted, (
                f"using the weighted ranker: {path} was trained on a catalogue with data this "
                f"one mostly lacks ({'; '.join(lacking)}); --ranker learned forces it"
            )
    wanted = (card.text_model or {}).get("fingerprint")
    if spec == "auto" and index is not None and wanted != index.manifest.text_model:
        return weighted, (
            f"using the weighted ranker: the index is not adapted for the text model of {path}; "
            "re-run 'matcher index' to adapt it (its vectors come from the embedding cache)"
        )
    return card.load_ranker(), None


def index_text_model(spec: str | Path | None = None, dim: int | None = None) -> Any:
    """The learned text model an index should be adapted for: that of the model directory
    ``spec``, or of the installed default model (None: the default has none, or ``spec`` is
    ``"none"``, or the default reads vectors of another size than ``dim``, the index's encoder's:
    e.g. the static encoder's; a ``spec`` that does so is an error)."""
    from matcher.learn.card import ModelCard
    from matcher.learn.text import TextModel

    if spec == "none":
        return None
    if spec is None:
        card, _ = _default_card()
    else:
        card = ModelCard.load(spec)
    if card is None or not card.text_model or card.path is None:
        return None
    model = TextModel.load(card.path / "text")
    if dim is not None and model.dim != dim:
        if spec is None:
            return None
        raise MatcherError(
            f"{spec}: its text model reads {model.dim}-dimension vectors, the encoder makes "
            f"{dim}; adapt the index for it with the encoder it was trained on"
        )
    return model
