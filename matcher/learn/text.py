"""The learned text model: how relevant a creator's text is to a brief, learned from labels.

It reads only what is already stored (the MiniLM profile and voice vectors of the index, and the
catalogue's style vectors, :mod:`matcher.learn.style`), so adapting a catalogue never re-encodes
it. For a brief it scores every creator with two parts:

* **niche**: the brief's query vector plus a learned weighting of its sentence vectors
  (sentence attention: "Our ideal partners speak to riders ..." weighs more than "We will
  measure success by sales"; a weight may be negative), through an identity-plus-low-rank map,
  against the creator's profile and voice vectors through their own identity-plus-low-rank maps;
  ``w_p cos(q, P) + w_v cos(q, V)``, the profile standing in for the voice of a creator without
  posts (never a learned constant: a catalogue with posts for everyone could not learn it);
* **style** (the learned tone): the wanted tone (``"The voice is <tone>"``) plus a second learned
  weighting of the sentences ("someone who does not take themselves too seriously"), through a
  learned 384 x 64 map, against the creator's style vector (zero without posts).

Training (:mod:`matcher.learn.text_train`) fits them with a listwise softmax over a pool of
creators per brief (its labelled relevant creators, hard negatives from the plain similarity,
random creators), the target proportional to the gain ``2^rel - 1``. Inference is numpy only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import ModelNotFoundError
from matcher.learn.style import StyleTransform
from matcher.schema import Brief

#: the arrays a fitted model holds (names of ``text.npz``)
ARRAYS = ("qA", "qB", "pA", "pB", "vA", "vB", "w", "u", "beta", "u2", "beta2", "Wt")


@dataclass(frozen=True)
class TextConfig:
    """How a text model is shaped and trained (see :mod:`matcher.learn.text_train`)."""

    rank: int = 64
    epochs: int = 10
    batch: int = 16
    hard: int = 200
    hard_from: int = 2000
    n_random: int = 1000
    lr: float = 3e-3
    l2: float = 1e-3
    tau0: float = 20.0
    seed: int = 0
    style_dim: int = 64


def brief_sentences(brief: Brief) -> list[str]:
    """The category, then the description's sentences (lines, bullets, sentence ends)."""
    out = [brief.category] if brief.category else []
    for line in brief.description.split("\n"):
        line = re.sub(r"^\s*[-*•]\s*", "", line).strip()
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
    return out


def tone_sentence(brief: Brief) -> str | None:
    parts = [t.strip() for t in brief.tone if t and t.strip()]
    return f"The voice is {', '.join(parts)}" if parts else None


def profile_vectors(content: np.ndarray, voice: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The profile vectors, recovered from content = normalise(profile + voice) and the voice
    (both unit vectors): ``p = 2 (c . v) c - v``; the content itself without a voice."""
    c = np.asarray(content, dtype=np.float32)
    v = np.asarray(voice, dtype=np.float32)
    cv = (c * v).sum(axis=1, keepdims=True)
    p = np.where(np.asarray(known, bool)[:, None], 2.0 * cv * c - v, c)
    return _unit(p)


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32)


def _low_rank(x: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``x (I + B A^T)``: identity plus a learned low-rank residual."""
    return x + (x @ B) @ A.T if A.size else x


@dataclass
class BriefVectors:
    """A brief as the text model reads it: query, sentence and tone vectors."""

    query: np.ndarray
    sentences: np.ndarray
    tone: np.ndarray


def brief_vectors(brief: Brief, encoder: Any) -> BriefVectors:
    """Encode what a text model reads of a brief: its query, sentences and wanted tone."""
    sentences = brief_sentences(brief)
    tone = tone_sentence(brief)
    vecs = encoder.encode([brief.query_text, *sentences, *([tone] if tone else [])])
    d = vecs.shape[1]
    return BriefVectors(
        query=vecs[0],
        sentences=vecs[1 : 1 + len(sentences)].reshape(-1, d),
        tone=vecs[-1] if tone else np.zeros(d, dtype=np.float32),
    )


class TextModel:
    """A fitted text model (numpy); ``arrays`` as trained, ``style`` its style transform."""

    def __init__(self, config: TextConfig, arrays: dict[str, np.ndarray], style: StyleTransform):
        missing = set(ARRAYS) - set(arrays)
        if missing:
            raise ValueError(f"text model arrays missing: {sorted(missing)}")
        self.config = config
        self.arrays = {k: np.asarray(arrays[k], dtype=np.float32) for k in ARRAYS}
        self.style = style

    @property
    def dim(self) -> int:
        """Dimensions of the encoder vectors it reads (384: all-MiniLM-L6-v2)."""
        return int(self.arrays["u"].shape[0])

    @property
    def fingerprint(self) -> str:
        """sha256 of the weights and the style transform: what an adapted index records."""
        h = hashlib.sha256()
        for k in ARRAYS:
            h.update(k.encode())
            h.update(np.ascontiguousarray(self.arrays[k]).tobytes())
        h.update(json.dumps(sorted(self.style.vocabulary_)).encode())
        h.update(np.ascontiguousarray(self.style.components_).tobytes())
        return h.hexdigest()[:32]

    # -- inference -----------------------------------------------------------------------------

    def adapt_creators(
        self, profile: np.ndarray, voice: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The creators' profile and voice vectors in the model's space (rows L2-normalised)."""
        a = self.arrays
        return _unit(_low_rank(profile, a["pA"], a["pB"])), _unit(
            _low_rank(voice, a["vA"], a["vB"])
        )

    def query(self, b: BriefVectors) -> tuple[np.ndarray, np.ndarray]:
        """(the niche query in the model's space, the tone query through the tone map)."""
        a = self.arrays
        S = b.sentences
        q = b.query + (S @ a["u"] + a["beta"]) @ S if len(S) else b.query
        tq = b.tone + (S @ a["u2"] + a["beta2"]) @ S if len(S) else b.tone
        return _unit(_low_rank(q[None, :], a["qA"], a["qB"]))[0], tq @ a["Wt"]

    def score(
        self,
        b: BriefVectors,
        profile: np.ndarray,
        voice: np.ndarray,
        voice_known: np.ndarray,
        style: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(niche part, style part) for creators whose vectors are already adapted."""
        a = self.arrays
        q, t = self.query(b)
        sp = profile @ q
        sv = np.where(np.asarray(voice_known, bool), voice @ q, sp)  # no posts: the profile speaks
        niche = a["w"][0] * sp + a["w"][1] * sv
        return niche.astype(np.float32), np.asarray(style @ t, dtype=np.float32)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, out: str | Path) -> None:
        """Write ``text.json``, ``text.npz`` and the style transform into directory ``out``."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        np.savez(d / "text.npz", **self.arrays)  # type: ignore[arg-type]
        meta = {"config": asdict(self.config), "fingerprint": self.fingerprint}
        (d / "text.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        self.style.save(d)

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        d = Path(path)
        try:
            meta = json.loads((d / "text.json").read_text(encoding="utf-8"))
            arrays = dict(np.load(d / "text.npz"))
        except FileNotFoundError as e:
            raise ModelNotFoundError(f"{d}: text model incomplete ({e.filename} missing)") from None
        model = cls(TextConfig(**meta["config"]), arrays, StyleTransform.load(d))
        if model.fingerprint != meta.get("fingerprint"):
            raise ModelNotFoundError(
                f"{d / 'text.json'}: fingerprint differs from the weights; the model is corrupt"
            )
        return model


@dataclass
class TextScores:
    """A brief's text-model scores of every creator of an index (row order)."""

    niche: np.ndarray
    style: np.ndarray

    def __post_init__(self) -> None:
        self.total = self.niche + self.style


class AdaptedIndex:
    """An index's vectors in a text model's space, to score briefs against the whole catalogue.

    The index must be adapted for the model (its manifest names the model's fingerprint and it
    holds the model's style vectors); anything else is refused with what to run.
    """

    def __init__(self, model: TextModel, index: Any) -> None:
        from matcher.errors import IndexMismatchError

        if index.manifest.dim != model.dim:
            raise IndexMismatchError(
                f"the ranker's text model reads {model.dim}-dimension vectors, the index's "
                f"(model {index.manifest.model!r}) have {index.manifest.dim}; use the weighted "
                "ranker, or 'matcher index --fill' the index with the default model"
            )
        got = index.manifest.text_model
        if got != model.fingerprint or index.style is None:
            raise IndexMismatchError(
                f"the index is adapted for text model {got or '(none)'}, the ranker's text model "
                f"is {model.fingerprint}; re-run 'matcher index' with that model (the vectors come "
                "from the embedding cache: only the adaptation runs)"
            )
        self.model = model
        content, voice = np.asarray(index.content), np.asarray(index.voice)
        self.known = np.asarray(index.voice_known, dtype=bool)
        profile = profile_vectors(content, voice, self.known)
        self.profile, self.voice = model.adapt_creators(profile, voice)
        self.style = np.asarray(index.style, dtype=np.float32)

    def scores(self, brief: Brief, encoder: Any) -> TextScores:
        niche, style = self.model.score(
            brief_vectors(brief, encoder), self.profile, self.voice, self.known, self.style
        )
        return TextScores(niche, style)
