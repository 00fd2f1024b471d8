"""Tone: the wanted voice (words or a sentence) against how the creator writes in posts.

A creator's voice vector (its newest posts) carries mostly *topic*, and the topic is already the
niche signal. To read the voice, the wanted tone is turned into a direction in embedding space,
as in SemAxis (An et al., 2018): the embedding of the wanted tone minus the mean embedding of a
fixed set of contrasting tone descriptions. What all tones share cancels, and the projection of
a creator's voice vector on that direction says how much more its posts sound like the wanted
tone than like tones in general. The projection is centred on the catalogue's average voice
(so 0.5 means "as much as a typical creator here") and mapped to [0, 1] with a logistic curve.

Part: ``projection``, the centred projection in logit units (nan without posts or tone).
:func:`prepare` computes the axis and the centre once per brief.
"""

from __future__ import annotations

import numpy as np

from matcher.encoder import Encoder
from matcher.schema import Brief
from matcher.signals.base import Candidates, QueryContext, SignalResult, unscored

#: contrasting voices that span how creators write; the wanted tone is measured against their mean
TONE_ANCHORS = (
    "playful, funny, joking and lighthearted",
    "expert, educational, explaining facts and research",
    "luxurious, polished, elegant and exclusive",
    "calm, cozy, gentle and soothing",
    "raw, honest, unfiltered and real",
    "high-energy, hype, loud and motivational",
    "wholesome, warm and family friendly",
    "aspirational, inspiring and dreamy",
)
#: spread of the logistic mapping of the (centred) projection
SCALE = 0.03


def tone_text(brief: Brief) -> str | None:
    parts = [t.strip() for t in brief.tone if t and t.strip()]
    return ", ".join(parts) if parts else None


def tone_axis(text: str, encoder: Encoder, anchors: np.ndarray | None = None) -> np.ndarray:
    """Unit direction of the wanted tone against the anchors' mean."""
    if anchors is None:
        anchors = encoder.encode(list(TONE_ANCHORS))
    t = encoder.encode([f"The voice is {text}"])[0]
    axis = t - anchors.mean(axis=0)
    norm = float(np.linalg.norm(axis))
    return (axis / norm).astype(np.float32) if norm > 0 else axis.astype(np.float32)


PARTS = ("projection", "learned", "learned_z")
#: what :func:`prepare` keeps in the engine's memo: the anchors' vectors
_ANCHORS_MEMO = "tone.anchors"


def prepare(ctx: QueryContext) -> None:
    """Set the context's tone axis, label and centre for its brief (nothing when it names none)."""
    text = tone_text(ctx.brief) if ctx.brief is not None else None
    if not text or ctx.resources is None:
        return
    res = ctx.resources
    anchors = res.memo.get(_ANCHORS_MEMO)
    if anchors is None:
        anchors = res.memo[_ANCHORS_MEMO] = res.encoder.encode(list(TONE_ANCHORS))
    ctx.tone_axis = tone_axis(text, res.encoder, anchors)
    ctx.tone_label = text
    ctx.tone_center = float(res.index.voice_mean() @ ctx.tone_axis)


def tone_signal(brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalResult:
    n = len(cands)
    if ctx.tone_axis is None:
        return unscored(
            "tone", n, "brief names no tone: tone not scored", PARTS, _learned(ctx, cands)
        )
    known = np.asarray(cands.voice_known, dtype=bool)
    proj = np.asarray(cands.voice @ ctx.tone_axis, dtype=np.float64) if n else np.zeros(0)
    score = 1.0 / (1.0 + np.exp(-(proj - ctx.tone_center) / SCALE))
    score = np.where(known, score, 0.5)
    label = ctx.tone_label or "the wanted tone"
    notes = []
    for i in range(n):
        if not known[i]:
            notes.append("no post text: tone not scored")
        elif score[i] >= 0.65:
            notes.append(f"posts sound {label}")
        elif score[i] >= 0.4:
            notes.append(f"posts are somewhat {label}")
        else:
            notes.append(f"posts do not sound {label}")
    t = np.clip(score, 1e-6, 1 - 1e-6)
    parts = {"projection": np.where(known, np.log(t / (1 - t)), np.nan), **_learned(ctx, cands)}
    return SignalResult("tone", score, known, notes, parts)


def _learned(ctx: QueryContext, cands: Candidates) -> dict[str, np.ndarray]:
    """The learned text model's style (tone) score, raw and standardised over the catalogue;
    nan without a text model or for a creator without posts."""
    n = len(cands)
    r = ctx.retrieval
    if r is None or r.text is None or cands.rows is None or not n:
        return {"learned": np.full(n, np.nan), "learned_z": np.full(n, np.nan)}
    has = np.asarray(cands.voice_known, dtype=bool)
    raw = np.asarray(r.text.style[cands.rows], dtype=np.float64)
    return {
        "learned": np.where(has, raw, np.nan),
        "learned_z": np.where(has, r.text_z["style"][cands.rows], np.nan),
    }
