"""Fitting a :class:`matcher.learn.text.TextModel` on labelled briefs (torch, CPU).

Each step takes ``batch`` briefs; the softmax of each brief runs over a pool of creators: the
batch's labelled relevant creators, ``hard`` creators drawn from each brief's ``hard_from`` most
similar by the plain MiniLM similarity (hard negatives), and ``n_random`` random creators. The
target distribution is proportional to the gain ``2^rel - 1``; the loss is its cross-entropy
with the softmax of the scores (ListNet / InfoNCE with graded positives), plus an L2 penalty that
keeps the maps near the identity and the sentence weightings near zero (the plain similarity is
where training starts). Adam, fixed seed, fixed thread count: the same data give the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.learn.style import StyleTransform
from matcher.learn.text import ARRAYS, BriefVectors, TextConfig, TextModel


@dataclass
class TextData:
    """What training reads: the catalogue's vectors and the labelled briefs."""

    content: np.ndarray
    profile: np.ndarray
    voice: np.ndarray
    voice_known: np.ndarray
    style: np.ndarray
    briefs: Sequence[BriefVectors]
    #: briefs x creators, relevance 0-3 (unlabelled 0)
    relevance: np.ndarray


def _net(cfg: TextConfig, d: int, ds: int):  # type: ignore[no-untyped-def]
    import torch

    g = torch.Generator().manual_seed(cfg.seed)

    def low_rank() -> tuple[torch.nn.Parameter, torch.nn.Parameter]:
        A = torch.nn.Parameter(torch.randn(d, cfg.rank, generator=g) * 0.01)
        return A, torch.nn.Parameter(torch.zeros(d, cfg.rank))

    p: dict[str, torch.nn.Parameter] = {}
    p["qA"], p["qB"] = low_rank()
    p["pA"], p["pB"] = low_rank()
    p["vA"], p["vB"] = low_rank()
    p["w"] = torch.nn.Parameter(torch.tensor([0.5, 0.5]))
    p["u"] = torch.nn.Parameter(torch.zeros(d))
    p["beta"] = torch.nn.Parameter(torch.tensor(0.0))
    p["u2"] = torch.nn.Parameter(torch.zeros(d))
    p["beta2"] = torch.nn.Parameter(torch.tensor(0.0))
    p["Wt"] = torch.nn.Parameter(torch.zeros(d, ds))
    p["log_tau"] = torch.nn.Parameter(torch.tensor(float(np.log(cfg.tau0))))
    return p


def _scores(p, briefs: Sequence[BriefVectors], P, V, K, Z):  # type: ignore[no-untyped-def]
    """Scores (briefs x pool) of the torch parameters ``p``, as TextModel.score computes them."""
    import torch
    import torch.nn.functional as F

    def low(x, A, B):  # type: ignore[no-untyped-def]
        return x + (x @ B) @ A.T

    rows_q, rows_t = [], []
    for b in briefs:
        S = torch.from_numpy(b.sentences)
        q = torch.from_numpy(b.query)
        t = torch.from_numpy(b.tone)
        if len(b.sentences):
            q = q + (S @ p["u"] + p["beta"]) @ S
            t = t + (S @ p["u2"] + p["beta2"]) @ S
        rows_q.append(q)
        rows_t.append(t)
    q = F.normalize(low(torch.stack(rows_q), p["qA"], p["qB"]), dim=1)
    Pa = F.normalize(low(P, p["pA"], p["pB"]), dim=1)
    Va = F.normalize(low(V, p["vA"], p["vB"]), dim=1)
    sp = q @ Pa.T
    sv = torch.where(K[None, :], q @ Va.T, sp)
    niche = p["w"][0] * sp + p["w"][1] * sv
    return niche + (torch.stack(rows_t) @ p["Wt"]) @ Z.T


def fit_text_model(
    data: TextData, train: Sequence[int], style: StyleTransform, cfg: TextConfig | None = None
) -> TextModel:
    """Fit on the briefs ``train`` (positions in ``data.briefs``); returns the numpy model."""
    import torch

    cfg = cfg or TextConfig()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    P = torch.from_numpy(np.array(data.profile, dtype=np.float32))  # copies: torch writes nothing,
    V = torch.from_numpy(np.array(data.voice, dtype=np.float32))  # but wants writable arrays
    K = torch.from_numpy(np.array(data.voice_known, dtype=bool))
    Z = torch.from_numpy(np.array(data.style, dtype=np.float32))
    p = _net(cfg, P.shape[1], Z.shape[1])
    opt = torch.optim.Adam(list(p.values()), lr=cfg.lr)
    rows = np.asarray(train, dtype=np.int64)
    rel = np.asarray(data.relevance[rows], dtype=np.float32)
    Q = np.stack([data.briefs[i].query for i in rows])
    hard_lists = np.argsort(-(Q @ np.asarray(data.content).T), axis=1)[:, : cfg.hard_from]
    n = P.shape[0]
    for _ in range(cfg.epochs):
        perm = rng.permutation(len(rows))
        for start in range(0, len(perm), cfg.batch):
            bi = perm[start : start + cfg.batch]
            pos = np.flatnonzero(rel[bi].max(axis=0) > 0)
            hard = np.concatenate(
                [rng.choice(hard_lists[j], min(cfg.hard, hard_lists.shape[1]), replace=False)
                 for j in bi]
            )  # fmt: skip
            pool = np.unique(
                np.concatenate([pos, hard, rng.choice(n, min(cfg.n_random, n), replace=False)])
            )
            pt = torch.from_numpy(pool)
            gain = torch.pow(2.0, torch.from_numpy(rel[bi][:, pool])) - 1.0
            target = gain / gain.sum(dim=1, keepdim=True).clamp_min(1e-9)
            opt.zero_grad()
            s = _scores(p, [data.briefs[rows[j]] for j in bi], P[pt], V[pt], K[pt], Z[pt])
            loss = -(target * torch.log_softmax(p["log_tau"].exp() * s, dim=1)).sum(dim=1).mean()
            penalty = sum(
                (p[k] ** 2).sum() for k in ("qA", "qB", "pA", "pB", "vA", "vB", "u", "u2", "Wt")
            )
            (loss + cfg.l2 * penalty).backward()
            opt.step()
    arrays = {k: p[k].detach().numpy().copy() for k in ARRAYS}
    return TextModel(cfg, arrays, style)
