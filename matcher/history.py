"""A creator's sponsorship history: its sponsored posts as :class:`SponsorEvent`, parsed once.

:func:`sponsorship_events` runs :func:`matcher.sponsorship.detect_sponsorship` over a creator's
posts; :class:`EventCache` keeps the result per creator between briefs (bounded).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from matcher.brands import brand_key
from matcher.schema import Creator
from matcher.sponsorship import detect_sponsorship

__all__ = [
    "EVENTS_VERSION",
    "EventCache",
    "SponsorEvent",
    "events_from_json",
    "events_to_json",
    "sponsorship_events",
]

#: version of what :func:`sponsorship_events` finds; the catalogue stores each creator's events
#: under it (:class:`matcher.catalogue.CatalogueDB`) and parses afresh when it differs. Raise it
#: whenever :mod:`matcher.sponsorship` or :mod:`matcher.brands` would find other events.
EVENTS_VERSION = 1


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class SponsorEvent:
    """One sponsored post of a creator: when, with whom (brand keys), the evidence, and which
    post (index into ``Creator.posts``). Serialisable with :meth:`to_dict` / :meth:`from_dict`."""

    posted_at: date | None
    brands: tuple[str, ...]
    evidence: str
    post_index: int

    def to_dict(self) -> dict[str, object]:
        return {
            "posted_at": self.posted_at.isoformat() if self.posted_at else None,
            "brands": list(self.brands),
            "evidence": self.evidence,
            "post_index": self.post_index,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> SponsorEvent:
        brands = d.get("brands") or ()
        if not isinstance(brands, list | tuple):
            raise ValueError(f"SponsorEvent brands must be a list, got {brands!r}")
        index = d.get("post_index", -1)
        if not isinstance(index, int):
            raise ValueError(f"SponsorEvent post_index must be an integer, got {index!r}")
        return cls(
            posted_at=_as_date(d.get("posted_at")),
            brands=tuple(str(b) for b in brands),
            evidence=str(d.get("evidence", "")),
            post_index=index,
        )


def sponsorship_events(creator: Creator) -> list[SponsorEvent]:
    """Every sponsored post of ``creator`` as a :class:`SponsorEvent` (the creator's own handle is
    not counted as a partner)."""
    own = brand_key(creator.handle) if creator.handle else ""
    events = []
    for i, post in enumerate(creator.posts):
        s = detect_sponsorship(post)
        if s.sponsored is not True:
            continue
        brands = tuple(b for b in s.brands if b != own) if own else s.brands
        events.append(SponsorEvent(_as_date(post.posted_at), brands, s.evidence, i))
    return events


def events_to_json(events: Sequence[SponsorEvent]) -> str:
    """A creator's events in the catalogue's compact form: ``[[date or null, [brands...],
    evidence, post index], ...]``."""
    return json.dumps(
        [
            [e.posted_at.isoformat() if e.posted_at else None, list(e.brands), e.evidence,
             e.post_index]
            for e in events
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )  # fmt: skip


def events_from_json(s: str) -> list[SponsorEvent]:
    """The events written by :func:`events_to_json` (trusted input)."""
    if s == "[]":
        return []
    return [
        SponsorEvent(date.fromisoformat(d) if d else None, tuple(b), ev, i)
        for d, b, ev, i in json.loads(s)
    ]


class EventCache:
    """Each creator's :func:`sponsorship_events`, parsed once and kept for later briefs.

    Keyed by ``creator_id``: one cache serves one (unchanging) catalogue. Past ``max_size``
    creators the least recently used are dropped, so memory stays bounded.
    """

    def __init__(self, max_size: int = 200_000) -> None:
        if max_size < 1:
            raise ValueError(f"max_size must be >= 1, got {max_size}")
        self.max_size = max_size
        self._events: OrderedDict[str, list[SponsorEvent]] = OrderedDict()
        self._lock = threading.Lock()  # briefs served on several threads share the cache

    def __len__(self) -> int:
        return len(self._events)

    def of(self, creators: Sequence[Creator]) -> list[list[SponsorEvent]]:
        """The events of each creator, in order."""
        out = []
        with self._lock:
            for c in creators:
                ev = self._events.get(c.creator_id)
                if ev is None:
                    ev = self._events[c.creator_id] = sponsorship_events(c)
                    if len(self._events) > self.max_size:
                        self._events.popitem(last=False)
                else:
                    self._events.move_to_end(c.creator_id)
                out.append(ev)
        return out

    def fill(
        self, stored: Sequence[list[SponsorEvent] | None], creators: Sequence[Creator]
    ) -> list[list[SponsorEvent]]:
        """``stored[i]`` (creator i's events as a catalogue keeps them), each None replaced by
        the events parsed (or recalled) here for that creator."""
        lacking = [i for i, e in enumerate(stored) if e is None]
        parsed = iter(self.of([creators[i] for i in lacking]) if lacking else ())
        return [next(parsed) if e is None else e for e in stored]
