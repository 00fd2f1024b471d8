"""The signals, in one registry: each one's name, function, parts and ``prepare`` hook.

:data:`REGISTRY` is the one place the six signals are named; :data:`SIGNALS` (their names in
ranking order) and everything that lists signals derive from it. The engine runs every
``prepare(ctx)`` once per brief (e.g. the tone axis), then every signal over the candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from matcher.schema import Brief
from matcher.signals import audience, authenticity, conflict, niche, tier, tone
from matcher.signals.base import Candidates, QueryContext, SignalResult


@dataclass(frozen=True)
class SignalSpec:
    """One signal: ``compute(brief, candidates, ctx)``, the parts it reports and its hook."""

    name: str
    #: at most 4 characters, for narrow table columns
    short: str
    compute: Callable[[Brief, Candidates, QueryContext], SignalResult]
    parts: tuple[str, ...]
    prepare: Callable[[QueryContext], None] | None = None


REGISTRY: tuple[SignalSpec, ...] = (
    SignalSpec("niche", "nich", niche.niche_signal, niche.PARTS),
    SignalSpec("tone", "tone", tone.tone_signal, tone.PARTS, tone.prepare),
    SignalSpec("audience", "aud", audience.audience_signal, audience.PARTS),
    SignalSpec("tier", "tier", tier.tier_signal, tier.PARTS),
    SignalSpec("conflict", "conf", conflict.conflict_signal, conflict.PARTS),
    SignalSpec("authenticity", "auth", authenticity.authenticity_signal, authenticity.PARTS),
)
#: the signal names, in the order of every signal matrix and table
SIGNALS: tuple[str, ...] = tuple(s.name for s in REGISTRY)


def prepare(ctx: QueryContext) -> None:
    """Run every signal's ``prepare`` hook on a brief's context."""
    for spec in REGISTRY:
        if spec.prepare is not None:
            spec.prepare(ctx)


def compute(
    brief: Brief,
    cands: Candidates,
    ctx: QueryContext,
    done: Mapping[str, SignalResult] | None = None,
) -> dict[str, SignalResult]:
    """Every signal over the candidates, by name; each must report exactly its declared parts.
    ``done``: results already computed for these same candidates, used as they are."""
    out: dict[str, SignalResult] = {}
    for spec in REGISTRY:
        given = (done or {}).get(spec.name)
        result = spec.compute(brief, cands, ctx) if given is None else given
        if len(result.score) != len(cands):
            raise ValueError(f"signal {spec.name!r} given for {len(result.score)} candidates, "
                             f"not {len(cands)}")  # fmt: skip
        if result.name != spec.name or set(result.parts) != set(spec.parts):
            raise RuntimeError(
                f"signal {spec.name!r} returned {result.name!r} with parts {sorted(result.parts)}, "
                f"declared {sorted(spec.parts)}"
            )
        out[spec.name] = result
    return out


__all__ = ["REGISTRY", "SIGNALS", "SignalSpec", "compute", "prepare"]
