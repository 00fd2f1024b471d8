"""The Markdown evaluation report with plots (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.evaluation import CURVE_KS, EvalResult, format_table, per_brief_csv
from matcher.io import atomic_write_text


def write_report(res: EvalResult, out_dir: str | Path, title: str, notes: str = "") -> Path:
    """``README.md`` (tables, the briefs the matcher loses), ``per_brief.csv`` and two plots."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _plots(res, out)
    atomic_write_text(out / "per_brief.csv", per_brief_csv(res))
    atomic_write_text(out / "README.md", "\n".join(_markdown(res, title, notes)))
    return out / "README.md"


def _plots(res: EvalResult, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = f"ndcg@{res.k}"
    fig, ax = plt.subplots(figsize=(7, 4))
    for s, curve in res.curves.items():
        ax.plot(CURVE_KS, np.nanmean(curve, axis=0), label=s, lw=2 if s == "matcher" else 1.2)
    ax.set_xlabel("k")
    ax.set_ylabel("mean NDCG@k")
    ax.set_title("NDCG@k, k = 1..50")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "ndcg_at_k.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    systems = list(res.per_brief)
    data = [
        [v for v in (res.per_brief[s][b][key] for b in res.brief_ids) if not np.isnan(v)]
        for s in systems
    ]
    ax.boxplot(data, tick_labels=systems, showmeans=True)
    ax.set_ylabel(key)
    ax.set_title(f"Per-brief spread of {key}")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(out / "per_brief_spread.png", dpi=110)
    plt.close(fig)


def _losses(res: EvalResult, key: str) -> list[tuple[float, str, str, float, float]]:
    """(gap, brief, best baseline, matcher, baseline) per brief, the largest gap first."""
    baselines = [s for s in res.per_brief if s != "matcher"]
    losses = []
    for b in res.brief_ids:
        mine = res.per_brief["matcher"][b][key]
        if np.isnan(mine):
            continue
        best = max(baselines, key=lambda s: res.per_brief[s][b][key])
        gap = res.per_brief[best][b][key] - mine
        losses.append((gap, b, best, mine, res.per_brief[best][b][key]))
    losses.sort(reverse=True)
    return losses


def _markdown(res: EvalResult, title: str, notes: str) -> list[str]:
    key = f"ndcg@{res.k}"
    losses = _losses(res, key)
    summ = res.summary()
    md = [f"# {title}", ""]
    if notes:
        md += [notes, ""]
    md += [
        f"Briefs with at least one relevant creator: {res.to_json()['n_briefs']}; "
        f"ranker: `{res.ranker}`; wall time {res.wall_time_s:.1f} s.",
        "",
        "| system | " + " | ".join(res.metric_names()) + " |",
        "|---|" + "---|" * len(res.metric_names()),
    ]
    for s, ms in summ.items():
        cells = " | ".join(f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]" for v in ms.values())
        md.append(f"| {s} | {cells} |")
    md += [
        "",
        "Values are means over briefs with bootstrap 95% intervals (1,000 resamples of briefs).",
        "",
        "![NDCG@k](ndcg_at_k.png)",
        "",
        "![per-brief spread](per_brief_spread.png)",
        "",
        f"## Briefs where the matcher loses most to a baseline ({key})",
        "",
        "| brief | best baseline | baseline | matcher | gap |",
        "|---|---|---|---|---|",
    ]
    for gap, b, best, mine, theirs in losses[:10]:
        if gap <= 0:
            break
        md.append(f"| {b} | {best} | {theirs:.3f} | {mine:.3f} | {gap:+.3f} |")
    if not losses or losses[0][0] <= 0:
        md.append(
            "| (none: the matcher is at least as good as every baseline on every brief) | | | | |"
        )
    md += ["", "Per-brief metrics: `per_brief.csv`.", "", "```", format_table(res), "```", ""]
    return md
