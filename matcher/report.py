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


#: the metrics the "where the matcher loses" section compares
LOSS_METRICS = ("map", "auc")


def _loss_lines(res: EvalResult) -> list[str]:
    """Paired differences of the matcher to every other system, and the briefs it loses."""
    key = f"ndcg@{res.k}"
    metrics = (key, *LOSS_METRICS)
    others = [s for s in res.per_brief if s != "matcher"]
    md = [
        f"## Where the matcher loses ({', '.join(metrics)})",
        "",
        "Mean paired difference, matcher minus each system, brief by brief, with its bootstrap "
        "95% interval; **bold** where the interval lies below 0 (the matcher is worse).",
        "",
        "| system | " + " | ".join(f"Δ {m}" for m in metrics) + " |",
        "|---|" + "---|" * len(metrics),
    ]
    for other in others:
        cells = []
        for m in metrics:
            d = res.paired("matcher", other, m)
            cell = f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"
            cells.append(f"**{cell}**" if d[2] < 0 else cell)
        md.append(f"| {other} | " + " | ".join(cells) + " |")
    losses = []
    for b in res.brief_ids:
        mine = res.per_brief["matcher"][b]
        if np.isnan(mine[key]):
            continue
        for m in metrics:
            theirs = {s: res.per_brief[s][b][m] for s in others}
            best = max(theirs, key=theirs.__getitem__)
            gap = theirs[best] - mine[m]
            if gap > 0:
                losses.append((gap, b, m, best, mine[m], res.per_brief[best][b][m]))
    losses.sort(reverse=True)
    md += [
        "",
        "Briefs where another system beats the matcher most:",
        "",
        "| brief | metric | best other | other | matcher | gap |",
        "|---|---|---|---|---|---|",
    ]
    md += [
        f"| {b} | {m} | {best} | {theirs:.3f} | {mine:.3f} | {gap:+.3f} |"
        for gap, b, m, best, mine, theirs in losses[:15]
    ]
    if not losses:
        md.append(
            "| (none: the matcher is at least as good as every other system on every brief) |||||"
        )
    return md


def _markdown(res: EvalResult, title: str, notes: str) -> list[str]:
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
    ]
    md += _loss_lines(res)
    md += ["", "Per-brief metrics: `per_brief.csv`.", "", "```", format_table(res), "```", ""]
    return md
