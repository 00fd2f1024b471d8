"""Splitting briefs: a seeded held-out share, grouped K-fold, and the split files on disk."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import MatcherError
from matcher.io.atomic import atomic_write_text
from matcher.schema import Brief, Label


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
