"""The vector index after an update (:mod:`matcher.update`), without retraining.

An IVF index keeps its trained quantiser and its ``nlist``: the rows removed, moved or changed
are taken out of its inverted lists (``remove_ids``) and the vectors of the rows that are new,
moved or changed are added under their rows (``add_with_ids``), so adding 10,000 creators to a
million costs 10,000 assignments to the coarse centroids. Its candidate recall against exact
search is measured again as at build time (:func:`checked_recall`) and ``nprobe`` doubled if the
updated vectors need it. Flat (exact) and HNSW indexes are rebuilt from the vectors: a copy for
flat; HNSW cannot remove a vector, so its graph is built again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import ann
from matcher.vectors import Rows, read_rows

if TYPE_CHECKING:
    from matcher.index import CreatorIndex
    from matcher.update import Plan

#: vector rows multiplied at a time by the exact search of the recall check
ROWS_CHUNK = 100_000


def updated_ann(
    index: CreatorIndex, content: Rows, plan: Plan, candidates: int
) -> tuple[Any, dict | None]:
    """(FAISS index over the updated ``content``, the manifest's ``ann`` record of it)."""
    import faiss

    kind = index.manifest.index_type
    if kind != "ivf":
        return ann.build(np.asarray(content), kind, candidates)
    ivf = index.faiss_index
    drop = np.unique(np.concatenate([plan.removed, plan.tail, plan.changed_rows]))
    if len(drop):
        ivf.remove_ids(faiss.IDSelectorBatch(drop.astype(np.int64)))
    touched = np.unique(np.concatenate([plan.holes, plan.fresh_rows])).astype(np.int64)
    if len(touched):
        ivf.add_with_ids(np.ascontiguousarray(content[touched], dtype=np.float32), touched)
    if ivf.ntotal != plan.n:
        raise RuntimeError(f"IVF index holds {ivf.ntotal} vectors after the update, not {plan.n}")
    return ivf, checked_recall(ivf, content, index.manifest.ann or {}, candidates)


def exact_top(content: Rows, queries: np.ndarray, k: int) -> np.ndarray:
    """The rows of the ``k`` largest inner products with each query (unordered), exactly."""
    n = content.shape[0]
    sims = np.empty((len(queries), n), dtype=np.float32)
    for s in range(0, n, ROWS_CHUNK):
        e = min(s + ROWS_CHUNK, n)
        sims[:, s:e] = queries @ read_rows(content, s, e).astype(np.float32, copy=False).T
    if k >= n:
        return np.tile(np.arange(n), (len(queries), 1))
    return np.argpartition(-sims, k - 1, axis=1)[:, :k]


def checked_recall(index: Any, content: Rows, info: dict, candidates: int) -> dict:
    """``info`` with the candidate recall of the IVF ``index`` measured again against exact
    search (the queries of :func:`matcher.ann.calibrate`: rows drawn with seed 1), ``nprobe``
    doubled from its recorded value until the recall reaches :data:`matcher.ann.TARGET_RECALL`
    (or every list is probed)."""
    n = int(index.ntotal)
    k = min(candidates, n)
    nq = min(ann.RECALL_QUERIES, n)
    rows = np.sort(np.random.default_rng(1).choice(n, nq, replace=False))
    queries = np.ascontiguousarray(content[rows], dtype=np.float32)
    truth = exact_top(content, queries, k)
    nlist = int(index.nlist)
    start = min(nlist, int(info.get("nprobe", max(1, nlist // 64))))
    nprobe, recall = ann.probe_until(index, queries, np.asarray(truth), start)
    return {**info, "nprobe": nprobe, "recall": round(recall, 4), "recall_at": k,
            "recall_queries": nq}  # fmt: skip
