"""Conflict signal: has the creator recently promoted one of the brief's competitors?

A sponsored post (see :func:`matcher.sponsorship.detect_sponsorship`) counts as competitor work when
its partners (brand keys) or its text name one of ``brief.competitors`` in any spelling
(:class:`matcher.brands.BrandMatcher`). Its age is ``(ctx.as_of - posted_at).days`` (a post dated
after ``as_of`` counts as 0 days old; a post without a date counts as current).

* Current conflict (younger than the window, ``brief.exclusivity_days`` or else the
  ``exclusivity_days`` setting, or undated): the creator is
  excluded with ``why = "promoted Hoka (competitor) 41 days ago"``; with ``show_conflicts`` the
  creator is kept but scores 0.0. ``why[i]`` is set for every current conflict either way, so a
  shown conflict can be flagged.
* Older competitor work: a mild penalty, 0.6 at the window edge rising linearly to 0.9 at 365
  days (or ``exclusivity_days + 90`` when the window is longer than 275 days) and beyond.
  ``exclusivity_days = 0`` means no exclusivity: all competitor work is older work (an undated
  post then scores 0.6).
* No competitor work: 1.0. A creator without posts is unknown (``known`` False, score 1.0).
  A brief without competitors scores everyone 1.0, known (flagged NOT_ASKED).

Parts: ``days_since`` (days since the newest sponsored post naming a competitor, capped at
:data:`DAYS_CAP`; the cap when there is none; nan when that post has no date) and
``has_competitor_post``. Current conflicts carry :attr:`Flag.CURRENT_CONFLICT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np

from matcher.brands import BrandMatcher
from matcher.history import SponsorEvent, sponsorship_events
from matcher.lazy import post_texts
from matcher.schema import Brief
from matcher.signals.base import Candidates, Flag, LazyNotes, QueryContext, SignalResult

NAME = "conflict"
#: score of competitor work just outside the exclusivity window, and of work a year old or more
OLD_WORK_FLOOR = 0.6
OLD_WORK_CEILING = 0.9
#: age in days at which old competitor work reaches the ceiling (at least window + 90 days)
OLD_WORK_FULL_DAYS = 365
#: competitor-sponsored posts older than this many days all look the same (part ``days_since``)
DAYS_CAP = 730
PARTS = ("days_since", "has_competitor_post")


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _ago(days: int) -> str:
    if days == 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _competitor_hits(
    found: Sequence[set[int]], events: Sequence[SponsorEvent], as_of: date
) -> tuple[float, bool, int, int]:
    """(age in days of the most recent dated competitor post or inf, any undated one, index of the
    competitor named by the most recent dated post, index of the competitor of an undated post),
    from the competitors each event names (``found``, by its partners or else its text).
    """
    recent = np.inf
    recent_comp = -1
    undated_comp = -1
    for ev, names in zip(events, found, strict=True):
        if not names:
            continue
        comp = min(names)
        if ev.posted_at is None:
            if undated_comp < 0:
                undated_comp = comp
            continue
        days = max(0, (as_of - _as_date(ev.posted_at)).days)
        if days < recent:
            recent, recent_comp = float(days), comp
    return recent, undated_comp >= 0, recent_comp, undated_comp


def conflict_signal(
    brief: Brief,
    candidates: Candidates,
    ctx: QueryContext,
    events: Sequence[Sequence[SponsorEvent]] | None = None,
    show_conflicts: bool | None = None,
) -> SignalResult:
    """Score each candidate by competitor partnerships; exclude current conflicts.

    ``events[i]`` are candidate i's precomputed :func:`matcher.history.sponsorship_events`
    (default: ``candidates.events``, else parsed here). ``show_conflicts`` defaults to the
    context's.
    """
    creators = candidates.creators
    n = len(creators)
    events = candidates.events if events is None else events
    if events is not None and len(events) != n:
        raise ValueError(f"events must hold one list per candidate ({n}), got {len(events)}")
    show = ctx.show_conflicts if show_conflicts is None else show_conflicts
    window = int(ctx.window(brief))
    if window < 0:
        raise ValueError(f"exclusivity_days must be >= 0, got {window}")
    has_posts = candidates.columns["n_posts"] > 0
    score = np.ones(n, dtype=np.float64)
    exclude = np.zeros(n, dtype=bool)
    none_parts = {"days_since": np.full(n, float(DAYS_CAP)), "has_competitor_post": np.zeros(n)}

    matcher = BrandMatcher(brief.competitors)
    if not matcher:
        none_named = ["no competitors named in the brief"] * n
        flags = {Flag.NOT_ASKED: np.ones(n, bool), Flag.CURRENT_CONFLICT: exclude.copy()}
        return SignalResult(NAME, score, np.ones(n, bool), none_named, none_parts, flags,
                            exclude, [""] * n)  # fmt: skip

    as_of = _as_date(ctx.as_of)
    hits = np.full(n, np.inf), np.zeros(n, bool), np.full(n, -1), np.full(n, -1)
    recent, undated, recent_comp, undated_comp = hits
    todo = []
    for i in np.flatnonzero(has_posts).tolist():
        evs = events[i] if events is not None else sponsorship_events(creators[i])
        if evs:
            todo.append((i, evs, [matcher.match_indices(ev.brands) for ev in evs]))
    # posts whose partners name no competitor: their text, read for all at once
    need = [(i, ev.post_index) for i, evs, found in todo
            for ev, f in zip(evs, found, strict=True) if not f and ev.post_index >= 0]  # fmt: skip
    texts = dict(zip(need, post_texts(creators, need), strict=True))
    for i, evs, found in todo:
        for k, ev in enumerate(evs):
            if not found[k] and ev.post_index >= 0:
                found[k] = matcher.match_indices((), texts[(i, ev.post_index)])
        recent[i], undated[i], recent_comp[i], undated_comp[i] = _competitor_hits(found, evs, as_of)

    dated = np.isfinite(recent)
    # exclusivity_days = 0: no window, nothing is current
    current = (undated | (dated & (recent < window))) & (window > 0)
    older = (dated | undated) & ~current
    ramp_end = max(OLD_WORK_FULL_DAYS, window + 90)
    age = np.where(dated, recent, window)  # an undated post outside any window: the floor
    ramp = np.clip((age - window) / (ramp_end - window), 0.0, 1.0)
    score[older] = OLD_WORK_FLOOR + (OLD_WORK_CEILING - OLD_WORK_FLOOR) * ramp[older]
    score[current] = 0.0
    if not show:
        exclude = current.copy()
    notes, why = _notes(has_posts, current, older, dated, hits, window, matcher.competitors)
    parts = {
        "days_since": np.where(
            dated, np.minimum(recent, DAYS_CAP), np.where(undated, np.nan, DAYS_CAP)
        ),
        "has_competitor_post": (dated | undated).astype(np.float64),
    }
    flags = {Flag.CURRENT_CONFLICT: current}
    return SignalResult(NAME, score, has_posts.copy(), notes, parts, flags, exclude, why)


def _notes(
    has_posts: np.ndarray,
    current: np.ndarray,
    older: np.ndarray,
    dated: np.ndarray,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    window: int,
    names: Sequence[str],
) -> tuple[LazyNotes, list[str]]:
    """(note, why) of each candidate; ``why`` is set for every current conflict. The notes are
    made when read (a shortlist reads those of the rows it shows)."""
    recent, _, recent_comp, undated_comp = hits

    def phrase(i: int) -> str:  # a current conflict
        if not (dated[i] and recent[i] < window):
            return (f"promoted {names[undated_comp[i]]} (competitor) in an undated post "
                    "(counted as current)")  # fmt: skip
        return f"promoted {names[recent_comp[i]]} (competitor) {_ago(int(recent[i]))}"

    def note(i: int) -> str:
        if not has_posts[i]:
            return "no posts to check for competitor deals"
        if current[i]:
            return phrase(i)
        if older[i]:
            if dated[i]:
                when = _ago(int(recent[i]))
                brand = names[recent_comp[i]]
            else:
                when, brand = "in an undated post", names[undated_comp[i]]
            return f"promoted {brand} (competitor) {when}: older, non-exclusive work, mild penalty"
        return "no competitor partnerships found"

    why = [""] * len(has_posts)
    for i in np.flatnonzero(has_posts & current).tolist():
        why[i] = phrase(i)
    return LazyNotes(len(has_posts), note), why
