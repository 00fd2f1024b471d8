"""Matcher: the front door. ``Matcher.open(index_dir).recommend(brief) -> Shortlist``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from matcher.config import Settings
from matcher.encoder import Encoder, build_encoder
from matcher.errors import IndexMismatchError
from matcher.explain import contribution_row, reasons_for
from matcher.index import CreatorIndex
from matcher.ranking import SignalMatrix, WeightedRanker
from matcher.schema import SIGNALS, Brief, Creator, Excluded, Match, Shortlist
from matcher.signals.audience import audience_signal
from matcher.signals.authenticity import authenticity_signal
from matcher.signals.base import Candidates, QueryContext, SignalResult
from matcher.signals.conflict import conflict_signal
from matcher.signals.niche import niche_signal, niche_similarity
from matcher.signals.tier import tier_signal
from matcher.signals.tone import TONE_ANCHORS, tone_axis, tone_signal, tone_text
from matcher.sponsorship import SponsorEvent, sponsorship_events

#: creators whose parsed sponsorship history is kept in memory between briefs
EVENTS_CACHE_MAX = 200_000


class Ranker(Protocol):
    name: str

    def rank(
        self, sm: SignalMatrix, cands: Candidates
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]: ...


def hard_filter(brief: Brief, c: Creator) -> str | None:
    """Why a creator fails the brief's hard rules, or None when it passes."""
    if c.creator_id in brief.exclude_creators:
        return "excluded by the brief (exclude_creators)"
    if (
        brief.languages
        and c.language
        and c.language.lower() not in {x.lower() for x in brief.languages}
    ):
        return f"writes in {c.language}, brief wants {'/'.join(brief.languages)}"
    if (
        brief.platforms
        and c.platform
        and c.platform.lower() not in {x.lower() for x in brief.platforms}
    ):
        return f"on {c.platform}, brief wants {'/'.join(brief.platforms)}"
    if brief.countries and c.country:
        want = {x.upper() for x in brief.countries}
        aud = (c.audience.countries if c.audience and c.audience.countries else {}) or {}
        in_market = any(v >= 0.25 and k.upper() in want for k, v in aud.items())
        if c.country.upper() not in want and not in_market:
            return f"based in {c.country.upper()}, campaign runs in {'/'.join(sorted(want))}"
    return None


@dataclass
class Scored:
    """Every candidate of one brief, scored (before cutting to k)."""

    cands: Candidates
    sm: SignalMatrix
    score: np.ndarray
    contributions: Mapping[str, np.ndarray]
    excluded: list[str | None]


class Matcher:
    """Ranks the creators of an index for campaign briefs.

    Parameters
    ----------
    index : a loaded :class:`CreatorIndex`.
    encoder : the encoder the index was built with (checked by fingerprint).
    settings : :class:`matcher.config.Settings`.
    ranker : the weighted ranker by default, or a learned ranker.
    as_of : the date post ages are measured from (default: today).
    """

    def __init__(
        self,
        index: CreatorIndex,
        encoder: Encoder,
        settings: Settings | None = None,
        ranker: Ranker | None = None,
        as_of: date | None = None,
    ) -> None:
        self.settings = settings or Settings()
        if encoder.fingerprint != index.manifest.model_fingerprint:
            raise IndexMismatchError(
                f"index was built with model {index.manifest.model!r} (fingerprint "
                f"{index.manifest.model_fingerprint}), the encoder has fingerprint "
                f"{encoder.fingerprint}; rebuild the index or configure that model"
            )
        self.index = index
        self.encoder = encoder
        self.ranker: Ranker = ranker or WeightedRanker(
            self.settings.weights, self.settings.unknown_value
        )
        #: fixed date post ages are measured from; None means today, read at each query
        self.as_of = as_of
        self._anchors: np.ndarray | None = None
        self._voice_mean_: np.ndarray | None = None
        self._events: dict[str, list[SponsorEvent]] = {}

    @classmethod
    def open(
        cls,
        index_dir: str | Path,
        settings: Settings | None = None,
        ranker: Ranker | None = None,
        as_of: date | None = None,
    ) -> Matcher:
        settings = settings or Settings()
        encoder = build_encoder(
            settings.model,
            max_seq_length=settings.max_seq_length,
            batch_size=settings.batch_size,
            cache_dir=settings.cache_dir,
        )
        index = CreatorIndex.load(index_dir, fingerprint=encoder.fingerprint)
        return cls(index, encoder, settings, ranker, as_of)

    # -- one brief -------------------------------------------------------------------------

    def context(self, brief: Brief) -> QueryContext:
        q = self.encoder.encode([brief.query_text])[0]
        text = tone_text(brief)
        axis = None
        center = 0.0
        if text:
            if self._anchors is None:
                self._anchors = self.encoder.encode(list(TONE_ANCHORS))
            axis = tone_axis(text, self.encoder, self._anchors)
            center = float(self._voice_mean() @ axis)
        return QueryContext(
            query=q,
            as_of=self.as_of or date.today(),
            tone_axis=axis,
            tone_label=text,
            tone_center=center,
            exclusivity_days=self.settings.exclusivity_days,
        )

    def _voice_mean(self) -> np.ndarray:
        """Mean voice vector of the catalogue (from up to 50,000 creators with posts)."""
        if self._voice_mean_ is None:
            known = np.flatnonzero(np.asarray(self.index.voice_known))
            if known.size > 50_000:
                known = np.random.default_rng(0).choice(known, 50_000, replace=False)
                known.sort()
            v = np.asarray(self.index.voice[known], dtype=np.float64)
            self._voice_mean_ = v.mean(axis=0) if len(v) else np.zeros(self.index.manifest.dim)
        return self._voice_mean_

    def candidates(self, brief: Brief, ctx: QueryContext, n: int | None = None) -> Candidates:
        """Top-n creators by niche similarity, enough of them passing the hard filters."""
        n = n or self.settings.candidates
        rows, _ = self.index.search(ctx.query, n)
        creators = self.index.catalogue.get_rows(rows)
        passing = sum(hard_filter(brief, c) is None for c in creators)
        if passing < min(n, max(5 * brief.k, 100)) and (
            brief.languages or brief.platforms or brief.countries or brief.exclude_creators
        ):
            allowed = self.index.catalogue.allowed_rows(
                languages=brief.languages, platforms=brief.platforms, countries=brief.countries
            )
            more, _ = self.index.search(ctx.query, n, allowed)
            seen = set(rows.tolist())
            extra = np.array([r for r in more if r not in seen], dtype=np.int64)
            rows = np.concatenate([rows, extra])
            creators += self.index.catalogue.get_rows(extra)
        return self._make_candidates(rows, creators)

    def _make_candidates(self, rows: np.ndarray, creators: list[Creator]) -> Candidates:
        rows = np.asarray(rows, dtype=np.int64)
        return Candidates(
            creators=creators,
            content=np.asarray(self.index.content[rows], dtype=np.float32),
            voice=np.asarray(self.index.voice[rows], dtype=np.float32),
            voice_known=np.asarray(self.index.voice_known[rows], dtype=bool),
        )

    def signals(self, brief: Brief, cands: Candidates, ctx: QueryContext) -> SignalMatrix:
        events = self._sponsor_events(cands)
        results: dict[str, SignalResult] = {
            "niche": niche_signal(brief, cands, ctx),
            "tone": tone_signal(brief, cands, ctx),
            "audience": audience_signal(brief, cands, ctx),
            "tier": tier_signal(brief, cands, ctx),
            "conflict": conflict_signal(
                brief,
                cands,
                ctx,
                events=events,
                show_conflicts=self.settings.show_conflicts,
            ),
            "authenticity": authenticity_signal(brief, cands, ctx),
        }
        sm = SignalMatrix.from_results(
            results, niche_similarity(ctx, cands), brief, ctx.as_of, ctx.query
        )
        sm.events = events
        return sm

    def _sponsor_events(self, cands: Candidates) -> list[list[SponsorEvent]]:
        """Sponsored posts per candidate, parsed once per creator and kept (bounded)."""
        if len(self._events) > EVENTS_CACHE_MAX:
            self._events.clear()
        out = []
        for c in cands.creators:
            ev = self._events.get(c.creator_id)
            if ev is None:
                ev = self._events[c.creator_id] = sponsorship_events(c)
            out.append(ev)
        return out

    def score(self, brief: Brief, cands: Candidates, ctx: QueryContext) -> Scored:
        sm = self.signals(brief, cands, ctx)
        score, contrib = self.ranker.rank(sm, cands)
        conflict = sm.results["conflict"]
        excluded: list[str | None] = []
        for i, c in enumerate(cands.creators):
            why = hard_filter(brief, c)
            if why is None and conflict.exclude is not None and conflict.exclude[i]:
                why = conflict.why[i]
            excluded.append(why)
        return Scored(cands, sm, np.asarray(score, dtype=np.float64), contrib, excluded)

    def recommend(self, brief: Brief, k: int | None = None) -> Shortlist:
        k = k or brief.k
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        ctx = self.context(brief)
        s = self.score(brief, self.candidates(brief, ctx), ctx)
        order = _order(s.score, s.cands.ids)
        prefetch = getattr(s.contributions, "prefetch", None)
        if prefetch is not None:  # lazily explained rankers: one batch for the rows shown
            shown = [int(i) for i in order if s.excluded[i] is None][:k]
            prefetch(shown)
        matches: list[Match] = []
        excluded: list[Excluded] = []
        for i in order:
            if len(matches) >= k:
                break
            c = s.cands.creators[i]
            if s.excluded[i] is not None:
                excluded.append(Excluded(c.creator_id, s.excluded[i] or ""))
                continue
            matches.append(self._match(s, int(i), len(matches) + 1))
        return Shortlist(brief.brief_id, tuple(matches), tuple(excluded), self.ranker.name)

    def _match(self, s: Scored, i: int, rank: int) -> Match:
        c = s.cands.creators[i]
        sig: dict[str, float | None] = {
            name: (float(s.sm.values[i, j]) if s.sm.known[i, j] else None)
            for j, name in enumerate(SIGNALS)
        }
        flags: list[str] = []
        conflict = s.sm.results["conflict"]
        if self.settings.show_conflicts and conflict.why and conflict.why[i]:
            flags.append("current-competitor-conflict")
        if "suspected bought followers" in s.sm.results["authenticity"].notes[i]:
            flags.append("suspected-fake-followers")
        return Match(
            creator_id=c.creator_id,
            rank=rank,
            score=float(s.score[i]),
            signals=sig,
            contributions=contribution_row(s.contributions, i),
            reasons=reasons_for(i, s.sm.results, s.contributions),
            handle=c.handle,
            flags=tuple(flags),
        )

    def recommend_many(self, briefs: Iterable[Brief], k: int | None = None) -> Iterable[Shortlist]:
        for b in briefs:
            yield self.recommend(b, k)

    # -- whole-catalogue scores (offline evaluation) --------------------------------------

    def score_catalogue(self, brief: Brief, n: int | None = None) -> np.ndarray:
        """A score for every creator in index row order, for offline evaluation.

        The top-n by niche similarity are ranked by the ranker; the rest follow in niche order;
        creators removed by a hard rule go last.
        """
        ctx = self.context(brief)
        sims = np.asarray(self.index.content @ ctx.query, dtype=np.float64)
        out = sims - 10.0  # below every ranked candidate (ranker scores are >= ~-1)
        n = min(n or self.settings.candidates, len(self.index))
        rows = np.argsort(-sims, kind="stable")[:n]
        cands = self._make_candidates(rows, self.index.catalogue.get_rows(rows))
        s = self.score(brief, cands, ctx)
        out[rows] = s.score
        bad = np.array([e is not None for e in s.excluded], dtype=bool)
        out[rows[bad]] = -20.0 + s.score[bad]
        return out

    def creator(self, creator_id: str) -> Creator | None:
        row = self.index.catalogue.row_of([creator_id]).get(creator_id)
        return None if row is None else self.index.catalogue.get_rows([row])[0]


def _order(score: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Indices by score descending, ties by creator_id ascending (deterministic)."""
    id_rank = np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"), kind="stable")
    return np.lexsort((id_rank, -score))
