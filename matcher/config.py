"""Settings with documented defaults. Nothing here reads the environment at import time."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError

#: Default weights of the weighted ranker. Chosen from the field facts in the README, not fitted:
#: niche fit matters most (a creator outside the niche is useless whatever else holds), then who
#: the audience is and whether the reach/price fits, then the creator's voice and the
#: authenticity of the engagement; a competitor conflict is mostly a hard rule (exclusion) and
#: only a mild penalty when old.
DEFAULT_WEIGHTS: dict[str, float] = {
    "niche": 0.40,
    "audience": 0.15,
    "tier": 0.15,
    "tone": 0.10,
    "authenticity": 0.10,
    "conflict": 0.10,
}


@dataclass(frozen=True)
class Settings:
    """Every tunable of the matching engine.

    model: sentence-transformers model: ``default`` (bundled all-MiniLM-L6-v2) or a local
        directory.
    candidates: how many creators FAISS retrieves per brief before ranking.
    exclusivity_days: default window in which a competitor partnership is a current conflict.
    show_conflicts: keep currently conflicted creators in the shortlist (flagged) instead of
        excluding them.
    unknown_value: the value an unknown signal counts as in the weighted ranker (neutral).
    max_seq_length: tokens the encoder reads per text (longer texts are truncated).
    posts_per_creator: how many most recent posts make a creator's voice text.
    niche_gate: the niche signal's value (in [0, 1], label-free) a creator needs to be
        shortlisted at all, whichever ranker; creators below it are listed as excluded ("outside
        the brief's niche"), whatever their tier, audience, price or engagement. 0.05 cuts only
        creators neither close in meaning (similarity under 0.08) nor in the best few hundred by
        meaning or words; 0 turns the gate off.
    niche_floor: creators whose niche value is under it ("far from the brief" in the reasons)
        rank after every creator at or above it, whatever the ranker and whatever their tier,
        audience, price, engagement or learned text score. 0 turns it off.
    min_clarity: how much more alike than random creators a brief's five best matches must be
        (their mean pairwise similarity, from the catalogue's random-pair level 0 to identical 1)
        for the brief's niche to count as present in the catalogue; below it no creator fits and
        the shortlist is empty, saying so. 0 turns the check off.
    """

    model: str = "default"
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    candidates: int = 3000
    exclusivity_days: int = 90
    show_conflicts: bool = False
    unknown_value: float = 0.5
    max_seq_length: int = 128
    posts_per_creator: int = 6
    niche_gate: float = 0.05
    niche_floor: float = 0.3
    min_clarity: float = 0.10
    batch_size: int = 64
    cache_dir: str | None = None
    #: US dollars per unit of a currency, over the shipped table of :mod:`matcher.money`
    rates: dict[str, float] = field(default_factory=dict)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def read_toml(path: str | Path, what: str = "config file") -> dict[str, Any]:
    """A TOML file as a dict; a missing or malformed file is a :class:`MatcherError` naming it."""
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MatcherError(f"{p}: {what} not found") from None
    except tomllib.TOMLDecodeError as e:
        raise MatcherError(f"{p}: not valid TOML: {e}") from None


def check_keys(table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """Refuse keys of ``table`` outside ``known``: ``"<where> unknown key(s) [...]; known: [...]"``."""
    known = sorted(known)
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise MatcherError(f"{where} unknown key(s) {unknown}; known: {known}")


def load_settings(path: str | Path | None) -> Settings:
    """Settings from a TOML file (``[matcher]`` table, optional ``[weights]`` and ``[rates]``)."""
    if path is None:
        return Settings()
    p = Path(path)
    data = read_toml(p)
    table = dict(data.get("matcher", {}))
    check_keys(table, (f.name for f in fields(Settings)), f"{p}: [matcher] has")
    weights = dict(DEFAULT_WEIGHTS)
    for k, v in data.get("weights", {}).items():
        if k not in DEFAULT_WEIGHTS:
            raise MatcherError(f"{p}: [weights] has unknown signal {k!r}")
        if not isinstance(v, int | float) or v < 0:
            raise MatcherError(f"{p}: [weights] {k} must be a number >= 0, got {v!r}")
        weights[k] = float(v)
    rates: dict[str, float] = {}
    for k, v in data.get("rates", {}).items():
        code = str(k).upper()
        if len(code) != 3 or not code.isalpha():
            raise MatcherError(f"{p}: [rates] {k!r} is not a 3-letter ISO 4217 code")
        if not isinstance(v, int | float) or isinstance(v, bool) or not v > 0:
            raise MatcherError(f"{p}: [rates] {k} must be US dollars per unit (> 0), got {v!r}")
        rates[code] = float(v)
    table.pop("rates", None)
    return Settings(**table, weights=weights, rates=rates)


def default_cache_dir() -> Path:
    """Where embeddings are cached: ``$MATCHER_CACHE`` or ``~/.cache/matcher`` (read at call time)."""
    import os

    env = os.environ.get("MATCHER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "matcher"
