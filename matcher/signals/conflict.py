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
  A brief without competitors scores everyone 1.0, known.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from matcher.brands import BrandMatcher
from matcher.schema import Brief, Post
from matcher.signals.base import Candidates, QueryContext, SignalResult
from matcher.sponsorship import SponsorEvent, sponsorship_events

NAME = "conflict"
#: score of competitor work just outside the exclusivity window, and of work a year old or more
OLD_WORK_FLOOR = 0.6
OLD_WORK_CEILING = 0.9
#: age in days at which old competitor work reaches the ceiling (at least window + 90 days)
OLD_WORK_FULL_DAYS = 365


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _ago(days: int) -> str:
    if days == 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _competitor_hits(
    matcher: BrandMatcher, posts: tuple[Post, ...], events: list[SponsorEvent], as_of: date
) -> tuple[float, bool, int, int]:
    """(age in days of the most recent dated competitor post or inf, any undated one, index of the
    competitor named by the most recent dated post, index of the competitor of an undated post).
    """
    recent = np.inf
    recent_comp = -1
    undated_comp = -1
    for ev in events:
        found = matcher.match_indices(ev.brands)
        if not found and 0 <= ev.post_index < len(posts):
            found = matcher.match_indices((), posts[ev.post_index].text)
        if not found:
            continue
        comp = min(found)
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
    events: list[list[SponsorEvent]] | None = None,
    show_conflicts: bool = False,
) -> SignalResult:
    """Score each candidate by competitor partnerships; exclude current conflicts.

    ``events[i]`` are candidate i's precomputed :func:`matcher.sponsorship.sponsorship_events`
    (computed here from ``candidates.creators`` when None).
    """
    creators = candidates.creators
    n = len(creators)
    if events is not None and len(events) != n:
        raise ValueError(f"events must hold one list per candidate ({n}), got {len(events)}")
    window = int(ctx.window(brief))
    if window < 0:
        raise ValueError(f"exclusivity_days must be >= 0, got {window}")
    has_posts = np.fromiter((len(c.posts) > 0 for c in creators), dtype=bool, count=n)
    score = np.ones(n, dtype=np.float64)
    exclude = np.zeros(n, dtype=bool)
    why = [""] * n

    matcher = BrandMatcher(brief.competitors)
    if not matcher:
        none_named = ["no competitors named in the brief"] * n
        return SignalResult(NAME, score, np.ones(n, dtype=bool), none_named, exclude, why)

    as_of = _as_date(ctx.as_of)
    recent = np.full(n, np.inf)
    undated = np.zeros(n, dtype=bool)
    recent_comp = np.full(n, -1, dtype=np.int64)
    undated_comp = np.full(n, -1, dtype=np.int64)
    for i, creator in enumerate(creators):
        if not creator.posts:
            continue
        evs = events[i] if events is not None else sponsorship_events(creator)
        if evs:
            recent[i], undated[i], recent_comp[i], undated_comp[i] = _competitor_hits(
                matcher, creator.posts, evs, as_of
            )

    dated = np.isfinite(recent)
    # exclusivity_days = 0: no window, nothing is current
    current = (undated | (dated & (recent < window))) & (window > 0)
    older = (dated | undated) & ~current
    ramp_end = max(OLD_WORK_FULL_DAYS, window + 90)
    age = np.where(dated, recent, window)  # an undated post outside any window: the floor
    ramp = np.clip((age - window) / (ramp_end - window), 0.0, 1.0)
    score[older] = OLD_WORK_FLOOR + (OLD_WORK_CEILING - OLD_WORK_FLOOR) * ramp[older]
    score[current] = 0.0
    if not show_conflicts:
        exclude = current.copy()

    notes: list[str] = []
    names = matcher.competitors
    for i in range(n):
        if not has_posts[i]:
            notes.append("no posts to check for competitor deals")
        elif current[i]:
            if not (dated[i] and recent[i] < window):
                phrase = (
                    f"promoted {names[undated_comp[i]]} (competitor) in an undated post "
                    "(counted as current)"
                )
            else:
                phrase = f"promoted {names[recent_comp[i]]} (competitor) {_ago(int(recent[i]))}"
            why[i] = phrase
            notes.append(phrase)
        elif older[i]:
            if dated[i]:
                when = _ago(int(recent[i]))
                brand = names[recent_comp[i]]
            else:
                when, brand = "in an undated post", names[undated_comp[i]]
            notes.append(
                f"promoted {brand} (competitor) {when}: older, non-exclusive work, mild penalty"
            )
        else:
            notes.append("no competitor partnerships found")
    return SignalResult(NAME, score, has_posts.copy(), notes, exclude, why)
