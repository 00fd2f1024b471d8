"""Features of a learned ranker: one row per (brief, candidate), vectorised over the candidates.

:func:`build_features` turns the signal matrix of N candidates (and the brief, and the date post
ages are measured from) into an ``N x F`` float32 matrix and the F feature names of
:data:`FEATURES`. A learned model uses a subset of these columns, picked by name (the recipe's
``features``), and :func:`select` takes that subset.

The signals' parts (:attr:`matcher.signals.base.SignalResult.parts`) are copied as they are,
as ``<signal>_<part>``; the rest are raw creator features, features relative to the brief's
other candidates, and flags of the brief. Names start with the signal they belong to (``audience_known``, ``tier_log_followers``,
``conflict_days_since``), so :func:`matcher.explain.reasons_for` credits a feature's
contribution to that signal. Features of the brief alone start with ``brief_``: they are the
same for every candidate of a brief and are credited to no signal.

Missing values are ``nan`` (both learners handle them natively) unless a feature says otherwise;
every creator-side value that can be missing also has a ``*_known`` style companion.

Bump :data:`FEATURE_VERSION` whenever the meaning of an existing feature changes: a saved model
records it and is refused by code of another version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from matcher.columns import TIER_ORDER, tier_codes
from matcher.ranking import SignalMatrix
from matcher.schema import GOALS, Brief
from matcher.signals import REGISTRY, SIGNALS
from matcher.signals.base import Candidates
from matcher.signals.conflict import DAYS_CAP

FEATURE_VERSION = 2
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
    "niche_lexical": "BM25 score of the brief's text against the creator's (bio, posts, handle)",
    "niche_fused": "reciprocal-rank fusion of the plain dense and lexical rankings, 1 = first in both",
    "niche_fit": "absolute evidence that the creator is in the brief's niche, in [0, 1]",
    "niche_lexical_z": "the BM25 score standardised over the whole catalogue",
    "niche_lexical_gap": "the BM25 score minus the catalogue's best for the brief",
    "niche_text": "the learned text model's score (niche + style parts)",
    "niche_text_z": "the learned text score standardised over the whole catalogue",
    "niche_text_gap": "the learned text score minus the catalogue's best for the brief",
    "niche_learned": "the learned text model's niche part (query and sentences vs profile, voice)",
    "niche_learned_z": "the learned niche part standardised over the whole catalogue",
    "tone_learned": "the learned text model's style part (wanted tone vs style vector)",
    "tone_learned_z": "the learned style part standardised over the whole catalogue",
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


#: features that are a signal's part, copied from its result
PART_FEATURES: dict[str, tuple[str, str]] = {
    f"{spec.name}_{part}": (spec.name, part) for spec in REGISTRY for part in spec.parts
}
_undocumented = set(PART_FEATURES) - set(FEATURES)
if _undocumented:  # a programming error: a signal reports a part FEATURES does not describe
    raise RuntimeError(f"signal parts without a feature description: {sorted(_undocumented)}")


def build_features(
    brief: Brief, sm: SignalMatrix, cands: Candidates, as_of: date
) -> tuple[np.ndarray, list[str]]:
    """All :data:`FEATURES` of the N candidates of ``brief``: ``(X (N x F) float32, names)``.

    ``as_of`` is accepted for symmetry with the signals, whose parts already carry the dates.
    """
    n = len(cands)
    if len(sm) != n:
        raise ValueError(f"sm has {len(sm)} rows, cands has {n}")
    cols: dict[str, np.ndarray] = {}
    for j, s in enumerate(SIGNALS):
        cols[f"{s}_signal"] = sm.values[:, j]
        cols[f"{s}_known"] = sm.known[:, j]
    for name, (signal, part) in PART_FEATURES.items():
        cols[name] = sm.results[signal].parts[part]
    cols.update(_creator_features(cands))
    cols.update(_relative_features(np.asarray(sm.niche_sim, dtype=np.float64)))
    cols.update(_brief_flags(brief, n))
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


def _creator_features(cands: Candidates) -> dict[str, np.ndarray]:
    """What the catalogue says of each creator, whatever the brief."""
    cols = cands.columns
    followers = np.asarray(cols["followers"], dtype=np.float64)
    tier = tier_codes(followers)
    ordinal = np.array([_TIER_ORDINAL.get(t, np.nan) for t in TIER_ORDER], dtype=np.float64)
    return {
        "niche_n_posts": cols["n_posts"].astype(np.float64),
        "tone_has_voice": np.asarray(cands.voice_known, dtype=np.float64),
        "tier_log_followers": np.log10(1.0 + followers),
        "tier_ordinal": np.where(tier >= 0, ordinal[np.maximum(tier, 0)], np.nan),
        "tier_price_known": ~np.isnan(cols["price"]),
        "audience_has_data": cols["audience"].copy(),
    }


#: the features read against the brief's other candidates (a ranker using any of them scores a
#: candidate differently in another set of candidates)
RELATIVE_FEATURES = frozenset({"niche_cosine_gap", "niche_rank_pct", "niche_z"})


def _relative_features(cos: np.ndarray) -> dict[str, np.ndarray]:
    """Niche similarity against the brief's other candidates (they differ between training,
    which adds labelled creators, and run time: the default recipe leaves them out)."""
    n = cos.size
    order = np.argsort(-cos, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    sd = float(cos.std()) if n else 0.0
    return {
        # against the best candidate: absolute cosines shift from brief to brief, the gap less so
        "niche_cosine_gap": cos - cos.max() if n else np.zeros(0),
        "niche_rank_pct": rank / max(n - 1, 1),
        "niche_z": (cos - cos.mean()) / sd if sd > 0 else np.zeros(n),
    }


def _brief_flags(brief: Brief, n: int) -> dict[str, np.ndarray]:
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
    return {name: np.full(n, float(flag)) for name, flag in flags.items()}
