"""How much of each kind of data a catalogue has, and whether a learned ranker fits it.

A learned ranker weighs what its training catalogue had: posts, audience data, prices,
engagement. Applied to a catalogue that lacks them (bios only, say), it ranks by features that
are now constant or missing, and can do worse than the weighted ranker. The shares recorded in a
model's card let the engine notice that and fall back to the weighted ranker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from matcher.schema import Creator

FIELDS = ("posts", "audience", "price", "engagement")
#: a field the training catalogue had for at least this share of creators is one the model uses
USED = 0.3
#: ... and a catalogue with less than this fraction of that share is unlike the training one
TOO_LOW = 1 / 3


def catalogue_coverage(creators: Iterable[Creator]) -> dict[str, float]:
    """Share of creators with posts, audience data, a price and an engagement figure."""
    n = 0
    have = dict.fromkeys(FIELDS, 0)
    for c in creators:
        n += 1
        have["posts"] += bool(c.posts)
        have["audience"] += c.audience is not None and not c.audience.empty
        have["price"] += c.price_per_post is not None
        have["engagement"] += c.engagement_rate is not None or any(
            p.likes is not None for p in c.posts
        )
    return {k: round(v / n, 4) if n else 0.0 for k, v in have.items()}


def index_coverage(index: object, sample: int = 5000, seed: int = 0) -> dict[str, float]:
    """:func:`catalogue_coverage` of (a seeded sample of) an index's catalogue."""
    n = len(index)  # type: ignore[arg-type]
    rows = np.arange(n)
    if n > sample:
        rows = np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))
    return catalogue_coverage(index.catalogue.get_rows(rows))  # type: ignore[attr-defined]


def coverage_mismatch(trained: Mapping[str, float], here: Mapping[str, float]) -> list[str]:
    """What the training catalogue had that this one mostly lacks (empty when it fits)."""
    out = []
    for f in FIELDS:
        t, h = trained.get(f), here.get(f)
        if t is None or h is None:
            continue
        if t >= USED and h < t * TOO_LOW:
            out.append(f"{f}: {t:.0%} of training creators, {h:.0%} here")
    return out
