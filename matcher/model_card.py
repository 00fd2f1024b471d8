"""The artifact of a learned ranker: the model file, ``card.json`` and ``card.md``; the split files."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from matcher.io.atomic import replacing_dir
from matcher.learned import CARD, LearnedRanker
from matcher.schema import Brief, Label

__all__ = ["card_markdown", "library_versions", "save", "write_split"]


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


# -- artifact ---------------------------------------------------------------------------------


def save(ranker: LearnedRanker, card: dict[str, Any], out: str | Path) -> Path:
    """Write the model file, ``card.json`` and ``card.md`` to ``out``, replacing it atomically."""
    out = Path(out)
    with replacing_dir(out, marker=CARD, what="a model directory") as tmp:
        card = {**card, **ranker.save_model(tmp)}
        (tmp / CARD).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        (tmp / "card.md").write_text(card_markdown(card), encoding="utf-8")
    return out


def _ci(v: Sequence[float | None]) -> str:
    if v is None or v[0] is None:
        return "n/a"
    return f"{v[0]:.4f} [{v[1]:.4f}, {v[2]:.4f}]"


def card_markdown(card: dict[str, Any]) -> str:
    """The human-readable model card."""
    cv = card["cv"]
    lines = [
        f"# Model card: learned ranker ({card['learner']})",
        "",
        f"Trained {card['created_at']} in {card['training_seconds']} s; seed {card['seed']}, "
        f"{card['n_jobs']} threads; post ages measured from {card['as_of']}.",
        f"Artifact format {card['format_version']}, feature version {card['feature_version']}; "
        f"model file `{card.get('model_file')}` (sha256 `{card.get('model_sha256', '')[:16]}…`).",
        "",
        "## Data",
        "",
        f"- {card['data']['n_briefs']} briefs: {card['data']['n_train_briefs']} for training and "
        f"cross-validation, {card['data']['n_heldout_briefs']} held out (never seen in training)",
        f"- {card['data']['n_rows']} training rows ({card['data']['n_relevant_rows']} relevant): "
        f"top {card['candidates']} creators by niche similarity per brief plus every labelled creator",
        f"- catalogue of {card['data']['catalogue_size']} creators",
    ]
    cov = card["data"].get("coverage")
    if cov:
        lines.append(
            "- share of creators with "
            + ", ".join(f"{k} {v:.0%}" for k, v in cov.items())
            + " (on an index that mostly lacks one of these the engine uses the weighted ranker)"
        )
    for k, v in card["data"]["fingerprints"].items():
        lines.append(f"- {k}: sha256 `{v}`")
    lines += [
        "",
        f"## Grouped {cv['folds']}-fold cross-validation by brief ({cv['n_briefs']} briefs)",
        "",
        f"{card['metric'].upper()} over the whole catalogue per brief, as `matcher eval` computes it; "
        "mean with bootstrap 95% interval; the difference is paired, brief by brief.",
        "",
        "| system | NDCG@10 | vs weighted | fold means |",
        "|---|---|---|---|",
    ]
    for name, s in cv["systems"].items():
        mark = " (selected)" if name == cv["selected"] else ""
        vs = "—" if name == "weighted" else _ci(s["vs_weighted"])
        lines.append(
            f"| {name}{mark} | {_ci(s[card['metric']])} | {vs} | "
            f"{', '.join(f'{x:.3f}' for x in s['fold_means'])} |"
        )
    h = card.get("heldout")
    lines += ["", "## Held-out briefs", ""]
    if h:
        verdict = "beats" if h["beats_weighted"] else "does not beat"
        lines += [
            f"{h['n_briefs']} briefs never used in training or model selection.",
            "",
            "| system | NDCG@10 |",
            "|---|---|",
            f"| learned ({card['learner']}) | {_ci(h['learned'])} |",
            f"| weighted | {_ci(h['weighted'])} |",
            f"| difference (paired) | {_ci(h['difference'])} |",
            "",
            f"The learned ranker **{verdict}** the weighted ranker on the held-out briefs "
            "(it becomes the default ranker only when the mean difference is positive and its "
            "95% interval excludes 0).",
        ]
    else:
        lines.append("None: this model is never picked as the default ranker.")
    lines += ["", "## Features", ""]
    from matcher.features import FEATURES

    lines += [f"- `{f}`: {FEATURES.get(f, '?')}" for f in card["features"]]
    lines += [
        "",
        "## Hyperparameters",
        "",
        "```json",
        json.dumps(card["params"], indent=2),
        "```",
        "",
        "## Libraries",
        "",
    ]
    lines += [f"- {k} {v}" for k, v in card["libraries"].items()]
    return "\n".join(lines) + "\n"


def write_split(
    out_dir: str | Path,
    briefs: Sequence[Brief],
    labels: Sequence[Label],
    train_ids: Sequence[str],
    held_ids: Sequence[str],
    briefs_source: str | Path | None = None,
) -> None:
    """Write ``{train,heldout}_briefs.jsonl`` and ``{train,heldout}_labels.csv`` to ``out_dir``.

    Brief lines are copied verbatim from ``briefs_source`` when it is a ``.jsonl`` file.
    """
    from matcher.io import atomic_write_text

    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    raw: dict[str, str] = {}
    if briefs_source is not None and str(briefs_source).endswith(".jsonl"):
        for line in Path(briefs_source).read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                raw[str(obj.get("brief_id"))] = line
    by_id = {b.brief_id: b for b in briefs}
    for side, keep in (("train", train_ids), ("heldout", held_ids)):
        lines = [raw.get(b) or json.dumps(_brief_dict(by_id[b]), ensure_ascii=False) for b in keep]
        atomic_write_text(d / f"{side}_briefs.jsonl", "".join(x + "\n" for x in lines))
        ks = set(keep)
        rows = ["brief_id,creator_id,relevance"]
        rows += [
            f"{lab.brief_id},{lab.creator_id},{lab.relevance}"
            for lab in labels
            if lab.brief_id in ks
        ]
        atomic_write_text(d / f"{side}_labels.csv", "\n".join(rows) + "\n")


def _brief_dict(b: Brief) -> dict[str, Any]:
    d = asdict(b)
    return {
        k: (list(v) if isinstance(v, tuple) else v)
        for k, v in d.items()
        if v not in (None, (), "") and not (k == "audience" and v is None)
    }
