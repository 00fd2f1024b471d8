"""Offline evaluation: the matcher and honest baselines ranked against labelled matches.

Every system scores the *whole* catalogue for each brief (unlabelled creators count as 0), and
the metrics of :mod:`matcher.metrics` are averaged over the briefs with at least one relevant
creator, with bootstrap 95% intervals.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

from matcher.metrics import evaluate_ranking, ndcg_curve
from matcher.schema import Brief, Label

CURVE_KS = tuple(range(1, 51))


@dataclass
class EvalResult:
    k: int
    brief_ids: list[str]
    #: system -> brief_id -> metric -> value
    per_brief: dict[str, dict[str, dict[str, float]]]
    #: system -> (n_briefs x 50) nDCG@1..50
    curves: dict[str, np.ndarray]
    wall_time_s: float
    ranker: str = "weighted"
    timings: dict[str, float] = field(default_factory=dict)

    def metric_names(self) -> list[str]:
        return [f"ndcg@{self.k}", "recall@10", "recall@50", "mrr", "map", "auc"]

    def summary(self, seed: int = 0) -> dict[str, dict[str, tuple[float, float, float]]]:
        out: dict[str, dict[str, tuple[float, float, float]]] = {}
        for sys_, rows in self.per_brief.items():
            out[sys_] = {
                m: mean_with_ci([rows[b][m] for b in self.brief_ids], seed=seed)
                for m in self.metric_names()
            }
        return out

    def paired(self, a: str, b: str, metric: str, seed: int = 0) -> tuple[float, float, float]:
        """Mean difference ``a - b`` of ``metric`` over the briefs, with its bootstrap interval."""
        pa, pb = self.per_brief[a], self.per_brief[b]
        return mean_with_ci([pa[x][metric] - pb[x][metric] for x in self.brief_ids], seed=seed)

    def to_json(self) -> dict[str, object]:
        """FORMATS.md "Evaluation output", plus intervals and timing under extra keys."""
        summ = self.summary()
        n_rel = sum(
            1
            for b in self.brief_ids
            if not np.isnan(next(iter(self.per_brief.values()))[b][f"ndcg@{self.k}"])
        )
        return {
            "k": self.k,
            "n_briefs": n_rel,
            "systems": {s: {m: _r(v[0]) for m, v in ms.items()} for s, ms in summ.items()},
            "intervals_95": {
                s: {m: [_r(v[1]), _r(v[2])] for m, v in ms.items()} for s, ms in summ.items()
            },
            "ranker": self.ranker,
            "wall_time_s": round(self.wall_time_s, 2),
        }


def _r(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 4)


def relevance_matrix(
    labels: Sequence[Label], brief_ids: Sequence[str], creator_ids: Sequence[str]
) -> dict[str, np.ndarray]:
    pos = {c: i for i, c in enumerate(creator_ids)}
    out = {b: np.zeros(len(creator_ids), dtype=np.int64) for b in brief_ids}
    for lab in labels:
        if lab.brief_id in out and lab.creator_id in pos:
            out[lab.brief_id][pos[lab.creator_id]] = lab.relevance
    return out


ScoreFn = Callable[[Brief], np.ndarray]


def evaluate_systems(
    systems: Mapping[str, ScoreFn],
    briefs: Sequence[Brief],
    labels: Sequence[Label],
    creator_ids: Sequence[str],
    k: int = 10,
    ranker: str = "weighted",
    progress: bool = False,
) -> EvalResult:
    """Score every brief with every system; metrics per brief and nDCG curves."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    t0 = time.perf_counter()
    ids = np.array(creator_ids, dtype=object)
    rel = relevance_matrix(labels, [b.brief_id for b in briefs], creator_ids)
    per: dict[str, dict[str, dict[str, float]]] = {s: {} for s in systems}
    curves: dict[str, list[np.ndarray]] = {s: [] for s in systems}
    timings = dict.fromkeys(systems, 0.0)
    it: Iterable[Brief] = briefs
    if progress:
        from tqdm import tqdm

        it = tqdm(briefs, desc="evaluating", unit="brief")
    for brief in it:
        r = rel[brief.brief_id]
        for name, fn in systems.items():
            t = time.perf_counter()
            scores = np.asarray(fn(brief), dtype=np.float64)
            timings[name] += time.perf_counter() - t
            per[name][brief.brief_id] = evaluate_ranking(scores, r, k=k, ids=ids)
            curves[name].append(ndcg_curve(scores, r, CURVE_KS, ids=ids))
    return EvalResult(
        k=k,
        brief_ids=[b.brief_id for b in briefs],
        per_brief=per,
        curves={s: np.vstack(c) if c else np.zeros((0, len(CURVE_KS))) for s, c in curves.items()},
        wall_time_s=time.perf_counter() - t0,
        ranker=ranker,
        timings=timings,
    )


# -- averaging over briefs --------------------------------------------------------------------------------


def mean_with_ci(
    values: Sequence[float] | np.ndarray, n_boot: int = 1000, seed: int = 0, alpha: float = 0.05
) -> tuple[float, float, float]:
    """Mean over briefs with a bootstrap percentile interval ``(mean, lo, hi)``; ``nan`` ignored.

    Resamples the briefs with replacement ``n_boot`` times with ``numpy.random.default_rng(seed)``,
    so the interval is reproducible for a seed. All ``nan`` (or empty) gives ``(nan, nan, nan)``.
    """
    for name, v in (("n_boot", n_boot), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, Integral):
            raise ValueError(f"{name} must be an integer, got {v!r}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"values must be a 1-D array, got shape {arr.shape}")
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return (math.nan, math.nan, math.nan)
    rng = np.random.default_rng(int(seed))
    n = arr.size
    chunk = max(1, 4_000_000 // n)  # bound memory: at most ~4M resampled indices at once
    means = np.concatenate(
        [
            arr[rng.integers(0, n, size=(min(chunk, n_boot - start), n))].mean(axis=1)
            for start in range(0, n_boot, chunk)
        ]
    )
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return (float(arr.mean()), float(lo), float(hi))


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def per_brief_csv(res: EvalResult) -> str:
    metrics = res.metric_names()
    lines = ["brief_id,system," + ",".join(metrics)]
    for b in res.brief_ids:
        for s in res.per_brief:
            vals = res.per_brief[s][b]
            lines.append(
                f"{b},{s},"
                + ",".join("" if np.isnan(vals[m]) else f"{vals[m]:.4f}" for m in metrics)
            )
    return "\n".join(lines) + "\n"


def format_table(res: EvalResult) -> str:
    summ = res.summary()
    metrics = res.metric_names()
    head = f"{'system':<11}" + "".join(f"{m:>22}" for m in metrics)
    rows = [head, "-" * len(head)]
    for s, ms in summ.items():
        cells = "".join(f"{ms[m][0]:>8.3f} [{ms[m][1]:.3f},{ms[m][2]:.3f}]" for m in metrics)
        rows.append(f"{s:<11}{cells}")
    return "\n".join(rows)


def off_niche_counts(
    matcher: Any,
    briefs: Sequence[Brief],
    known: Mapping[str, set[str]],
    related: Mapping[str, set[str]],
    k: int = 10,
) -> dict[str, dict[str, Any]]:
    """Per brief: how many of the top-``k`` creators have known niches, none of them related.

    ``known`` maps a creator to its known niches (a creator with none known is not counted);
    ``related`` maps a brief to the niches that are not unrelated to it.
    """
    out: dict[str, dict[str, Any]] = {}
    for brief in briefs:
        shortlist = matcher.recommend(brief, k)
        ids = [m.creator_id for m in shortlist.matches]
        off = [c for c in ids if known.get(c) and not known[c] & related.get(brief.brief_id, set())]
        out[brief.brief_id] = {"returned": len(ids), "off_niche": len(off), "ids": off}
    return out
