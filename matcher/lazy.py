"""Creators read from a catalogue only when needed.

A brief's candidates are scored on their column records (:mod:`matcher.columns`); the creators
themselves are decoded for the few rows a shortlist shows, and a post's text is read by SQLite
for the sponsored posts whose partners name no competitor (:mod:`matcher.signals.conflict`).
Sponsored posts are read only for the candidates whose search text may name one of the brief's
competitors (:func:`brief_events`, :mod:`matcher.competitor_search`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.brands import BrandMatcher
from matcher.catalogue import CatalogueDB
from matcher.competitor_search import may_name, needles
from matcher.history import EventCache, SponsorEvent
from matcher.schema import Brief, Creator


class LazyCreators(Sequence[Creator]):
    """The creators at some rows of a catalogue, decoded one by one as they are read; ``ids``
    are read at once, without decoding."""

    def __init__(self, db: CatalogueDB, rows: np.ndarray, ids: list[str] | None = None) -> None:
        self.db, self.rows = db, np.asarray(rows, dtype=np.int64)
        self.ids = db.ids(self.rows) if ids is None else ids

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):  # type: ignore[no-untyped-def,override]
        if isinstance(i, slice):
            return self.take(np.arange(len(self.rows))[i])
        return self.db.get_rows([int(self.rows[i])])[0]

    def take(self, idx: np.ndarray) -> LazyCreators:
        """The creators at these positions, still lazy."""
        return LazyCreators(self.db, self.rows[idx], [self.ids[i] for i in idx])

    def post_texts(self, pairs: Sequence[tuple[int, int]]) -> list[str]:
        """The text of post j of creator i for each (i, j) ("" for a post that is not there)."""
        return self.db.post_texts([(int(self.rows[i]), j) for i, j in pairs])


def take_creators(creators: Sequence[Creator], idx: np.ndarray) -> Sequence[Creator]:
    """The creators at these positions (lazily read creators stay lazy)."""
    take = getattr(creators, "take", None)
    return take(idx) if take is not None else [creators[i] for i in idx.tolist()]


def post_texts(creators: Sequence[Creator], pairs: Sequence[tuple[int, int]]) -> list[str]:
    """The text of post j of creator i for each (i, j), read without decoding lazily read
    creators ("" for a post that is not there)."""
    fetch = getattr(creators, "post_texts", None)
    if fetch is not None:
        return list(fetch(pairs))
    out = []
    for i, j in pairs:
        posts = creators[i].posts
        out.append(posts[j].text if 0 <= j < len(posts) else "")
    return out


def brief_events(
    db: CatalogueDB, cache: EventCache, brief: Brief, rows: np.ndarray | None,
    creators: Sequence[Creator],
) -> list[Sequence[SponsorEvent]]:  # fmt: skip
    """The sponsored posts of each candidate that the conflict signal must match against
    ``brief``'s competitors: as stored (or parsed here, through ``cache``, for a row stored
    without them), those whose sponsor search text may name a competitor, or all of them for a
    row without search text; none for the others (they name no competitor) and for every
    candidate when the brief names no competitor."""
    n = len(creators)
    matcher = BrandMatcher(brief.competitors)
    events: list[Sequence[SponsorEvent]] = [()] * n
    if not matcher:
        return events
    if rows is None:
        return list(cache.of(creators))
    wanted = needles(matcher)
    texts = db.sponsor_texts(rows, wanted)
    if texts is None:
        read = list(range(n))
    else:
        read = [i for i, r in enumerate(rows.tolist()) if texts.get(r, "") is not None]
    if read:
        at = np.array(read, dtype=np.int64)
        some = take_creators(creators, at)
        for i, e in zip(read, cache.fill(db.events(rows[at]), some), strict=True):
            text = None if texts is None else texts.get(int(rows[i]))
            events[i] = e if text is None else may_name(text, e, wanted)
    return events
