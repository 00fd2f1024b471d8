"""``card.md``: a model card as a person reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from matcher.learn.features import FEATURES


def _ci(v: Sequence[float | None]) -> str:
    if v is None or v[0] is None:
        return "n/a"
    return f"{v[0]:.4f} [{v[1]:.4f}, {v[2]:.4f}]"


def card_markdown(card: dict[str, Any]) -> str:
    """The human-readable model card."""
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
    lines += _cv_lines(card)
    lines += _heldout_lines(card)
    lines += _text_lines(card)
    lines += ["", "## Features", ""]
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


def _cv_lines(card: dict[str, Any]) -> list[str]:
    cv = card["cv"]
    lines = [
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
    return lines


def _heldout_lines(card: dict[str, Any]) -> list[str]:
    h = card.get("heldout")
    lines = ["", "## Held-out briefs", ""]
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
    return lines


def _text_lines(card: dict[str, Any]) -> list[str]:
    t = card.get("text_model")
    if not t:
        return ["", "## Text model", "", "None: the features read the plain MiniLM similarity."]
    c = t["config"]
    return [
        "",
        "## Text model",
        "",
        f"Learned from the training briefs' labels (`text/`, fingerprint `{t['fingerprint']}`): "
        f"sentence attention and rank-{c['rank']} adapters on the stored profile and voice "
        f"vectors, and a tone head over {c['style_dim']}-dimensional label-free style vectors; "
        f"{c['epochs']} epochs, batches of {c['batch']} briefs, {c['hard']} hard negatives "
        f"from the top {c['hard_from']}, {c['n_random']} random creators per step.",
        "",
        f"- {t['fits']} fits for cross-fitting (nested: no brief's features come from a model "
        f"that saw its labels), {t['fit_seconds']} s on this machine's CPU",
        f"- the text score alone, out of fold, {card['metric'].upper()}: "
        f"{_ci(t['text_alone_ndcg@10_out_of_fold'])}",
        "",
        "Why an adapter on frozen vectors and not a fine-tuned MiniLM: on the same grouped fold, "
        "fine-tuning scored lower and costs about 16 minutes per epoch on a 2-core CPU plus "
        "re-encoding the catalogue for every model, while the adapter fits in seconds and adapts "
        "a stored index without re-encoding (`eval/notes/text-model-choice.md`).",
    ]
