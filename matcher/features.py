"""Features of a learned ranker: one row per (brief, candidate), vectorised over the candidates.

:func:`build_features` turns the signal matrix of N candidates (and the brief, and the date post
ages are measured from) into an ``N x F`` float32 matrix and the F feature names of
:data:`FEATURES`. A learned model uses a subset of these columns, picked by name (the recipe's
``features``), and :func:`select` takes that subset.

Names start with the signal they belong to (``audience_known``, ``tier_log_followers``,
``conflict_days_since``), so :func:`matcher.explain.reasons_for` credits a feature's
contribution to that signal. Features of the brief alone start with ``brief_``: they are the
same for every candidate of a brief and are credited to no signal.

Missing values are ``nan`` (both learners handle them natively) unless a feature says otherwise;
every creator-side value that can be missing also has a ``*_known`` style companion.

Bump :data:`FEATURE_VERSION` whenever the meaning of an existing feature changes: a saved model
records it and is refused by code of another version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

import numpy as np

from matcher.brands import BrandMatcher
from matcher.ranking import SignalMatrix
from matcher.schema import GOALS, SIGNALS, Brief, Creator, tier_of
from matcher.signals.authenticity import engagement_ratio
from matcher.signals.base import Candidates
from matcher.sponsorship import SponsorEvent, sponsorship_events

FEATURE_VERSION = 2
#: competitor-sponsored posts older than this many days all look the same
DAYS_CAP = 730
_TIER_ORDINAL = {"emerging": 0.0, "nano": 1.0, "micro": 2.0, "macro": 3.0, "mega": 4.0}

#: every feature this code can build, in column order, with what it means
FEATURES: dict[str, str] = {
    **{f"{s}_signal": f"the {s} signal's value in [0, 1] (0.5 when unknown)" for s in SIGNALS},
    **{f"{s}_known": f"1 when the {s} signal knows this creator, else 0" for s in SIGNALS},
    "niche_cosine": "raw cosine of the brief's niche text and the creator's content vector",
    "niche_cosine_gap": "niche_cosine minus the best niche_cosine among the brief's candidates",
    "niche_n_posts": "number of recent posts in the catalogue",
    "tone_has_voice": "1 when the creator has post text (a voice vector)",
    "tier_log_followers": "log10(1 + followers); nan when unknown",
    "tier_ordinal": "emerging 0, nano 1, micro 2, macro 3, mega 4; nan when unknown",
    "tier_price_known": "1 when the creator states a price per post",
    "tier_price_budget_ratio": "price per post / brief budget, same currency; nan unless both known",
    "audience_has_data": "1 when the creator has any audience data",
    "authenticity_engagement_ratio": "engagement rate / the tier's norm; nan when unknown",
    "conflict_days_since": (
        f"days since the newest sponsored post naming a competitor, capped at {DAYS_CAP}; "
        f"{DAYS_CAP} when there is none; nan when that post has no date"
    ),
    "conflict_has_competitor_post": "1 when a sponsored post names one of the brief's competitors",
    "niche_rank_pct": "rank of niche_cosine among the brief's candidates, 0 = best, 1 = last",
    "niche_voice_cosine": "cosine of the brief's niche text and the creator's posts alone",
    "niche_z": "niche_cosine standardised over the brief's candidates",
    "tone_projection": "the voice's projection on the tone axis minus the catalogue's typical one",
    "audience_age_fit": "histogram intersection of target and audience ages; nan when unknown",
    "audience_gender_fit": "histogram intersection of target and audience genders; nan when unknown",
    "audience_country_fit": "histogram intersection of target and audience countries; nan when unknown",
    "audience_language_match": "1 creator language in the brief's languages, 0 not, nan unknown/no wish",
    "audience_country_match": "1 creator based in one of the brief's countries, 0 not, nan unknown/no wish",
    "tier_list_fit": "fit of the creator's tier to the brief's tiers; nan when the brief names none",
    "tier_goal_fit": "fit of the creator's tier to the brief's goal; nan when no goal",
    "tier_budget_fit": "fit of the price (or tier estimate) to the budget; nan when no budget",
    "brief_has_tone": "1 when the brief names a tone",
    "brief_has_audience": "1 when the brief targets an audience (or countries)",
    "brief_has_budget": "1 when the brief has a budget",
    "brief_has_tiers": "1 when the brief names tiers",
    "brief_has_competitors": "1 when the brief names competitors",
    **{f"brief_goal_{g}": f"1 when the brief's goal is {g}" for g in GOALS},
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)


def build_features(
    brief: Brief, sm: SignalMatrix, cands: Candidates, as_of: date
) -> tuple[np.ndarray, list[str]]:
    """All :data:`FEATURES` of the N candidates of ``brief``: ``(X (N x F) float32, names)``."""
    n = len(cands)
    if len(sm) != n:
        raise ValueError(f"sm has {len(sm)} rows, cands has {n}")
    creators = cands.creators
    cols: dict[str, np.ndarray] = {}
    for j, s in enumerate(SIGNALS):
        cols[f"{s}_signal"] = sm.values[:, j]
        cols[f"{s}_known"] = sm.known[:, j]
    cos = np.asarray(sm.niche_sim, dtype=np.float64)
    cols["niche_cosine"] = cos
    # against the best candidate: absolute cosines shift from brief to brief, the gap less so
    cols["niche_cosine_gap"] = cos - cos.max() if n else np.zeros(0)
    cols["niche_n_posts"] = np.array([len(c.posts) for c in creators], dtype=np.float64)
    cols["tone_has_voice"] = np.asarray(cands.voice_known, dtype=np.float64)

    followers = np.array(
        [np.nan if c.followers is None else float(c.followers) for c in creators], dtype=np.float64
    )
    cols["tier_log_followers"] = np.log10(1.0 + followers)
    cols["tier_ordinal"] = np.array(
        [_TIER_ORDINAL.get(tier_of(c.followers) or "", np.nan) for c in creators], dtype=np.float64
    )
    cols["tier_price_known"] = np.array([c.price_per_post is not None for c in creators])
    cols["tier_price_budget_ratio"] = _price_budget_ratio(brief, creators)
    cols["audience_has_data"] = np.array(
        [c.audience is not None and not c.audience.empty for c in creators]
    )
    cols["authenticity_engagement_ratio"] = engagement_ratio(creators)
    cols["conflict_days_since"], cols["conflict_has_competitor_post"] = _days_since_competitor(
        brief, creators, as_of, sm.events
    )

    cols.update(_extra_features(brief, sm, cands, cos))

    goal = (brief.goal or "").lower()
    flags = {
        "brief_has_tone": any(t and t.strip() for t in brief.tone),
        "brief_has_audience": bool(
            (brief.audience is not None and not brief.audience.empty) or brief.countries
        ),
        "brief_has_budget": brief.budget is not None,
        "brief_has_tiers": bool(brief.tiers),
        "brief_has_competitors": bool(brief.competitors),
        **{f"brief_goal_{g}": goal == g for g in GOALS},
    }
    for name, flag in flags.items():
        cols[name] = np.full(n, float(flag))

    missing = set(FEATURE_NAMES) - set(cols)
    if missing:  # a programming error: FEATURES and this function disagree
        raise RuntimeError(f"features declared but not built: {sorted(missing)}")
    X = np.empty((n, len(FEATURE_NAMES)), dtype=np.float32)
    for j, name in enumerate(FEATURE_NAMES):
        X[:, j] = cols[name]
    return X, list(FEATURE_NAMES)


def select(X: np.ndarray, names: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """The columns ``wanted`` of ``X`` (whose columns are ``names``), in the order of ``wanted``."""
    pos = {n: j for j, n in enumerate(names)}
    unknown = [w for w in wanted if w not in pos]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; known: {list(names)}")
    return X[:, [pos[w] for w in wanted]]


def check_feature_names(wanted: Sequence[str]) -> list[str]:
    """The names in ``wanted`` this code does not build (empty when all are known)."""
    return [w for w in wanted if w not in FEATURES]


# -- helpers ----------------------------------------------------------------------------------


def _price_budget_ratio(brief: Brief, creators: list[Creator]) -> np.ndarray:
    out = np.full(len(creators), np.nan)
    if not brief.budget:
        return out
    cur = (brief.currency or "USD").upper()
    for i, c in enumerate(creators):
        if c.price_per_post is not None and (c.currency or "USD").upper() == cur:
            out[i] = float(c.price_per_post) / float(brief.budget)
    return out


#: a creator's sponsored posts, as (date or None, partner keys, post text); bounded LRU
_EVENTS: OrderedDict[tuple[str, int], list[tuple[date | None, tuple[str, ...], str]]] = (
    OrderedDict()
)
_EVENTS_MAX = 200_000


def _events(c: Creator) -> list[tuple[date | None, tuple[str, ...], str]]:
    key = (c.creator_id, hash(tuple((p.text, p.posted_at, p.sponsored, p.brands) for p in c.posts)))
    hit = _EVENTS.get(key)
    if hit is not None:
        _EVENTS.move_to_end(key)
        return hit
    out = [(e.posted_at, e.brands, c.posts[e.post_index].text) for e in sponsorship_events(c)]
    _EVENTS[key] = out
    if len(_EVENTS) > _EVENTS_MAX:
        _EVENTS.popitem(last=False)
    return out


def _days_since_competitor(
    brief: Brief,
    creators: list[Creator],
    as_of: date,
    events: list[list[SponsorEvent]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Days since each creator's newest sponsored post naming a competitor (see FEATURES), and
    whether there is such a post at all."""
    days = np.full(len(creators), float(DAYS_CAP))
    has = np.zeros(len(creators), dtype=bool)
    if not brief.competitors:
        return days, has
    bm = BrandMatcher(brief.competitors)
    if not bm:
        return days, has
    for i, c in enumerate(creators):
        dated: list[int] = []
        evs = (
            _events(c)
            if events is None
            else [(e.posted_at, e.brands, c.posts[e.post_index].text) for e in events[i]]
        )
        for posted_at, brands, text in evs:
            if not bm.match_indices(brands, text):
                continue
            has[i] = True
            if posted_at is not None:
                dated.append((as_of - posted_at).days)
        if dated:
            days[i] = float(min(max(min(dated), 0), DAYS_CAP))
        elif has[i]:
            days[i] = np.nan  # a competitor post without a date: how recent is unknown
    return days, has


def _extra_features(
    brief: Brief, sm: SignalMatrix, cands: Candidates, cos: np.ndarray
) -> dict[str, np.ndarray]:
    """Parts of the signals kept apart, so a learner can weigh them as the labels do."""
    from matcher.signals.audience import _intersection, _target
    from matcher.signals.tier import GOAL_FIT, budget_fit, price_of, tier_list_fit

    n = len(cands)
    out: dict[str, np.ndarray] = {}
    order = np.argsort(-cos, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    out["niche_rank_pct"] = rank / max(n - 1, 1)
    out["niche_voice_cosine"] = np.full(n, np.nan)
    q = sm.query
    if q is not None and n:
        vc = np.asarray(cands.voice @ q, dtype=np.float64)
        out["niche_voice_cosine"] = np.where(cands.voice_known, vc, np.nan)
    sd = float(cos.std()) if n else 0.0
    out["niche_z"] = (cos - cos.mean()) / sd if sd > 0 else np.zeros(n)
    j = SIGNALS.index("tone")
    t = np.clip(sm.values[:, j], 1e-6, 1 - 1e-6)
    out["tone_projection"] = np.where(sm.known[:, j], np.log(t / (1 - t)), np.nan)

    target = _target(brief)
    age = np.full(n, np.nan)
    gender = np.full(n, np.nan)
    country = np.full(n, np.nan)
    lang = np.full(n, np.nan)
    based = np.full(n, np.nan)
    lfit = np.full(n, np.nan)
    gfit = np.full(n, np.nan)
    bfit = np.full(n, np.nan)
    langs = {x.lower() for x in brief.languages}
    markets = {x.upper() for x in brief.countries}
    wanted = tuple(t for t in brief.tiers if t in _TIER_ORDINAL)  # as the tier signal does
    goal = brief.goal if brief.goal in GOAL_FIT else None
    for i, c in enumerate(cands.creators):
        a = c.audience
        if a is not None:
            if "age" in target and a.age:
                age[i] = _intersection(target["age"], a.age)
            if "gender" in target and a.gender:
                gender[i] = _intersection(target["gender"], a.gender)
            if "countries" in target and a.countries:
                country[i] = _intersection(
                    target["countries"], {k.upper(): v for k, v in a.countries.items()}
                )
        if langs and c.language:
            lang[i] = float(c.language.lower() in langs)
        if markets and c.country:
            based[i] = float(c.country.upper() in markets)
        tier = tier_of(c.followers)
        if tier is not None:
            if wanted:
                lfit[i] = tier_list_fit(tier, wanted)
            if goal:
                gfit[i] = GOAL_FIT[goal][tier]
            if brief.budget:
                p = price_of(c, brief.currency)
                if p is not None:
                    bfit[i] = budget_fit(p[0], brief.budget)
    out.update(
        audience_age_fit=age,
        audience_gender_fit=gender,
        audience_country_fit=country,
        audience_language_match=lang,
        audience_country_match=based,
        tier_list_fit=lfit,
        tier_goal_fit=gfit,
        tier_budget_fit=bfit,
    )
    return out
