"""The FAISS index of the content vectors, chosen by catalogue size and checked at build time.

* ``flat``: exact inner-product search. Linear in the catalogue (about 5 ms at 20,000 creators,
  175 ms at 1M on 2 cores), so the default below :data:`AUTO_IVF_MIN` creators.
* ``ivf``: an inverted file over ``nlist`` = 4 sqrt(n) clusters with 8-bit scalar quantisation
  (a quarter of the memory of the vectors). ``nprobe`` (clusters searched per query) is chosen
  at build time: doubled from a start until the candidate set (the top ``candidates`` rows,
  3,000 by default) of a sample of queries holds at least :data:`TARGET_RECALL` of the rows
  exact search returns. The measured recall, ``nlist`` and ``nprobe`` go into the manifest
  (``ann``). The similarities of the rows found are recomputed exactly from the vectors, so the
  order of the candidates is that of exact search.
* ``hnsw``: a graph index (32 links), searched with efSearch >= 2 x the rows asked for.
* ``auto`` (the default of ``matcher index``): ``flat`` below :data:`AUTO_IVF_MIN`, else ``ivf``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from matcher.errors import MatcherError

INDEX_TYPES = ("auto", "flat", "ivf", "hnsw")
#: catalogues at least this large get an IVF index under ``auto``
AUTO_IVF_MIN = 100_000
#: the candidate-set recall an IVF index must reach against exact search
TARGET_RECALL = 0.99
#: queries the recall is measured on (creators' own content vectors, drawn with a fixed seed)
RECALL_QUERIES = 50
#: the least efSearch of an HNSW search; it grows to twice the rows asked for
HNSW_EF_MIN = 64


def resolve_type(index_type: str, n: int) -> str:
    if index_type not in INDEX_TYPES:
        raise MatcherError(
            f"index_type must be one of {', '.join(INDEX_TYPES)}, got {index_type!r}"
        )
    if index_type == "auto":
        return "ivf" if n >= AUTO_IVF_MIN else "flat"
    return index_type


def build(
    content: np.ndarray, index_type: str, candidates: int = 3000, scale: np.ndarray | None = None
) -> tuple[Any, dict | None]:
    """(FAISS index over ``content``, what the manifest records of it: None for exact search).
    With ``scale``, the content is stored as int8 at that scale (:mod:`matcher.vectors`) and an
    IVF index holds those codes (:mod:`matcher.ivf_codes`): it is given the int8 vectors."""
    import faiss

    x = np.ascontiguousarray(content, dtype=np.float32)
    n, d = x.shape
    kind = resolve_type(index_type, n)
    index: Any
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
        index.add(x)
        return index, None
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        if n:
            index.add(x)
        return index, {"type": "hnsw", "M": 32, "ef_search_min": HNSW_EF_MIN}
    nlist = int(max(1, min(4 * math.sqrt(max(n, 1)), n // 39 if n >= 39 else 1)))
    rng = np.random.default_rng(0)
    train = x if n <= 64 * nlist else x[np.sort(rng.choice(n, 64 * nlist, replace=False))]
    if scale is None:
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.train(train)
        index.add(x)
    else:
        from matcher import ivf_codes

        index = ivf_codes.new_index(d, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(train)
        ivf_codes.align(index, scale)
        ivf_codes.add_rows(index, x, scale)
    nprobe, recall = calibrate(index, x, nlist, candidates)
    info = {"type": "ivf", "nlist": nlist, "nprobe": nprobe, "quantizer": "SQ8",
            "recall": round(recall, 4), "recall_at": min(candidates, n),
            "recall_queries": min(RECALL_QUERIES, n)}  # fmt: skip
    if scale is not None:
        info["codes"] = "int8"  # the lists are the int8 content vectors (:mod:`matcher.ivf_codes`)
    return index, info


def calibrate(index: Any, x: np.ndarray, nlist: int, candidates: int) -> tuple[int, float]:
    """The smallest nprobe (doubling from nlist / 64) whose candidate-set recall against exact
    search reaches :data:`TARGET_RECALL` on a sample of queries, and that recall."""
    import faiss

    n = x.shape[0]
    k = min(candidates, n)
    if n == 0:
        return 1, 1.0
    rows = np.sort(np.random.default_rng(1).choice(n, min(RECALL_QUERIES, n), replace=False))
    queries = x[rows]
    # exact search straight over x (what IndexFlatIP.search does, without a copy of x)
    _, truth = faiss.knn(queries, x, k, metric=faiss.METRIC_INNER_PRODUCT)
    return probe_until(index, queries, truth, max(1, nlist // 64))


def probe_until(
    index: Any, queries: np.ndarray, truth: np.ndarray, nprobe: int
) -> tuple[int, float]:
    """(nprobe, recall): ``nprobe`` doubled until the IVF ``index`` finds :data:`TARGET_RECALL`
    of the exact top rows ``truth`` of the ``queries`` (or probes every list)."""
    import faiss

    nlist, k = int(index.nlist), truth.shape[1]
    while True:
        params = faiss.SearchParametersIVF(nprobe=nprobe)  # type: ignore[attr-defined,call-arg]
        _, got = index.search(queries, k, params=params)
        recall = float(
            np.mean(
                [len(set(t) & set(g[g >= 0])) / len(t) for t, g in zip(truth, got, strict=True)]
            )
        )
        if recall >= TARGET_RECALL or nprobe >= nlist:
            return nprobe, recall
        nprobe = min(nlist, nprobe * 2)


def search_params(index: Any, n: int, ann: dict | None, sel: Any = None) -> Any:
    """The FAISS search parameters for ``n`` rows (an IVF index's calibrated nprobe, an HNSW
    index's efSearch), with the row selector ``sel`` if given."""
    import faiss

    kw: dict[str, Any] = {} if sel is None else {"sel": sel}
    if isinstance(index, faiss.IndexHNSW):  # its default efSearch (16) caps the results
        return faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_MIN, 2 * n), **kw)  # type: ignore[attr-defined]
    if isinstance(index, faiss.IndexIVF):
        nprobe = int((ann or {}).get("nprobe", max(1, index.nlist // 64)))
        return faiss.SearchParametersIVF(nprobe=nprobe, **kw)  # type: ignore[attr-defined,call-arg]
    return faiss.SearchParameters(**kw) if kw else None
