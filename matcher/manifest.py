"""The manifest of an index directory: what built it, in which format, for which text model.

Read with :meth:`Manifest.read`, which refuses anything that is not a manifest matcher wrote in
this format, with one line saying what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import IndexMismatchError, MatcherError
from matcher.vectors import FLOAT32, INT8

#: 2: a lexical (BM25) index beside the vectors; 3: the text model it is adapted for (style vectors)
FORMAT_VERSION = 3

#: the end of every message about an index whose files do not read back
DAMAGED = "this index is damaged; rebuild it with 'matcher index'"
_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "format_version": int, "model": str, "model_fingerprint": str, "dim": int, "count": int,
    "posts_per_creator": int, "index_type": str, "created_at": (int, float), "lexical": dict,
    "text_model": (str, type(None)), "ann": (dict, type(None)),
    "prices": (dict, type(None)), "vectors": str,
}  # fmt: skip
#: keys an older manifest of the same format may lack
_OPTIONAL = frozenset({"text_model", "ann", "prices", "vectors"})


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    model_fingerprint: str
    dim: int
    count: int
    posts_per_creator: int
    index_type: str
    created_at: float
    #: the lexical index's settings (k1, b, method, stem, handle)
    lexical: dict[str, float | str | bool]
    #: fingerprint of the learned text model the index is adapted for (its style vectors), or None
    text_model: str | None = None
    #: how the approximate index was built and checked (nlist, nprobe, measured recall), or None
    ann: dict[str, object] | None = None
    #: the price per post fitted on the catalogue's stated prices (:mod:`matcher.pricing`)
    prices: dict[str, object] | None = None
    #: how ``content.npy`` and ``voice.npy`` store the vectors: float32, or int8 (:mod:`matcher.vectors`)
    vectors: str = FLOAT32

    @classmethod
    def read(cls, path: Path) -> Manifest:
        if not path.is_dir():
            what = "a file" if path.exists() else "missing"
            raise MatcherError(
                f"{path}: not an index ({what}); give the directory 'matcher index' wrote"
            )
        try:
            d = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise MatcherError(
                f"{path}: not an index (no manifest.json); build one with 'matcher index'"
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise IndexMismatchError(f"{path}/manifest.json: {DAMAGED} ({e})") from None
        if not isinstance(d, dict):
            raise IndexMismatchError(f"{path}/manifest.json: {DAMAGED} (not a JSON object)")
        if d.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"{path}: index format version {d.get('format_version')!r}, this matcher reads "
                f"version {FORMAT_VERSION}; rebuild it with 'matcher index'"
            )
        for name, kind in _MANIFEST_TYPES.items():
            if name not in d and name not in _OPTIONAL:
                raise IndexMismatchError(f"{path}/manifest.json: {DAMAGED} (no {name!r})")
            if name in d and not isinstance(d[name], kind) or isinstance(d.get(name), bool):
                raise IndexMismatchError(
                    f"{path}/manifest.json: {DAMAGED} ({name!r} is {d[name]!r})"
                )
        if d.get("vectors", FLOAT32) not in (FLOAT32, INT8):
            raise IndexMismatchError(
                f"{path}/manifest.json: {DAMAGED} ('vectors' is {d['vectors']!r})"
            )
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})
