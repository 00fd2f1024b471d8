"""Matcher: the front door. ``Matcher.open(index_dir).recommend(brief) -> Shortlist``."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import signals
from matcher.columns import of_creators
from matcher.config import Settings
from matcher.encoder import Encoder, index_encoder
from matcher.errors import IndexMismatchError
from matcher.explain import contribution_row, reasons_for
from matcher.history import EventCache
from matcher.index import CreatorIndex, mean_pairwise_cosine
from matcher.lazy import LazyCreators, brief_events
from matcher.ranking import Ranker, SignalMatrix, WeightedRanker
from matcher.retrieval import Retrieval
from matcher.rules import Broken, HardRules, OffNiche, shortfall
from matcher.schema import Brief, Creator, Excluded, Match, Shortlist
from matcher.scored import Scored, pick_near
from matcher.signals import SIGNALS
from matcher.signals.base import Candidates, Flag, QueryContext, Resources, SignalResult
from matcher.signals.niche import niche_signal
from matcher.threads import one_blas_thread
from matcher.vectors import RowsAt

if TYPE_CHECKING:
    from matcher.learn.text import AdaptedIndex, TextScores
    from matcher.plan import Plan

#: creators whose parsed sponsorship history is kept in memory between briefs
EVENTS_CACHE_MAX = 200_000
#: how many best matches the clarity of a brief is measured on
CLARITY_TOP = 5


class Matcher:
    """Ranks the creators of an index for campaign briefs.

    Parameters
    ----------
    index : a loaded :class:`CreatorIndex`.
    encoder : the encoder the index was built with (checked by fingerprint).
    settings : :class:`matcher.config.Settings`.
    ranker : the weighted ranker by default, or a learned ranker (see :meth:`open` for how the
        installed default model is picked).
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
        self.index, self.encoder = index, encoder
        self.ranker: Ranker = ranker or WeightedRanker(
            self.settings.weights, self.settings.unknown_value
        )
        #: fixed date post ages are measured from; None means today, read at each query
        self.as_of = as_of
        #: what a ranker resolved by name had to say (e.g. why the default model was skipped)
        self.ranker_note: str | None = None
        #: what the signals' prepare hooks use (the encoder, the index, a memo across briefs)
        self.resources = Resources(encoder, index)
        #: the index in the learned text model's space, when the ranker has a text model
        self.text = _adapted(self.ranker, index)
        self._events = EventCache(EVENTS_CACHE_MAX)

    @classmethod
    def open(
        cls,
        index_dir: str | Path,
        settings: Settings | None = None,
        ranker: Ranker | str | None = "auto",
        as_of: date | None = None,
    ) -> Matcher:
        """Load an index and its encoder; ``ranker`` is a ranker or a spec.

        Specs (see :func:`matcher.learn.resolve.resolve_ranker`): ``"auto"`` (the installed
        default model when it fits the index, else the weighted ranker; its note is kept in
        :attr:`ranker_note`), ``"weighted"``, ``"learned"`` (the default model, always), or the
        path of a model directory from ``matcher train``.
        """
        settings = settings or Settings()
        encoder = index_encoder(index_dir, settings)
        index = CreatorIndex.load(index_dir, fingerprint=encoder.fingerprint)
        note = None
        if isinstance(ranker, str) or ranker is None:
            from matcher.learn.resolve import resolve_ranker

            ranker, note = resolve_ranker(ranker or "weighted", index, settings)
        m = cls(index, encoder, settings, ranker, as_of)
        m.ranker_note = note
        return m

    # -- one brief -------------------------------------------------------------------------

    def context(
        self, brief: Brief, depth: int | None = None, text: TextScores | None = None
    ) -> QueryContext:
        """The brief's query vector, its dense and lexical rankings (top ``depth``, default the
        ``candidates`` setting) and what every signal's ``prepare`` hook adds. ``text``: the
        learned text model's scores to use instead of this matcher's (cross-fitted training)."""
        query, retrieval = self._retrieve(brief, depth, text)
        ctx = QueryContext(
            clarity=self.clarity(retrieval),
            query=query,
            as_of=self.as_of or date.today(),
            exclusivity_days=self.settings.exclusivity_days,
            show_conflicts=self.settings.show_conflicts,
            rates=self.settings.rates or None,
            prices=self.index.prices,
            brief=brief,
            resources=self.resources,
            retrieval=retrieval,
        )
        signals.prepare(ctx)
        return ctx

    def candidates(self, brief: Brief, ctx: QueryContext, n: int | None = None) -> Candidates:
        """Top-n creators by fused dense and lexical rank, enough of them passing the hard
        filters (when too few do, the filters are applied to both retrievers)."""
        n = n or self.settings.candidates
        assert ctx.retrieval is not None  # set by context()
        rows = ctx.retrieval.candidates(self.index, n)
        cands = self.candidates_at(rows, brief)
        passing = sum(w is None for w in cands.hard_why or ())
        if passing < min(n, max(5 * brief.k, 100)) and (
            brief.languages or brief.platforms or brief.countries or brief.exclude_creators
        ):
            allowed = self.index.catalogue.allowed_rows(
                languages=brief.languages, platforms=brief.platforms, countries=brief.countries
            )
            more = ctx.retrieval.filtered(self.index, n, allowed)
            seen = set(rows.tolist())
            extra = np.array([r for r in more if r not in seen], dtype=np.int64)
            if extra.size:
                cands = self.candidates_at(np.concatenate([rows, extra]), brief)
        return cands

    def candidates_at(self, rows: np.ndarray, brief: Brief) -> Candidates:
        """The creators at these index rows as candidates of ``brief`` (hard rules checked):
        their column records; the creators and their vectors read only when needed."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = self.index.columns_at(rows)
        creators: Sequence[Creator]
        if cols is None:  # an index written before columns were stored
            creators = self.index.catalogue.get_rows(rows)
            cols = of_creators(creators)
            ids = [c.creator_id for c in creators]
        else:
            creators = lazy = LazyCreators(self.index.catalogue, rows)
            ids = lazy.ids
        return Candidates(
            creators=creators,
            content=RowsAt(self.index.content, rows),
            voice=RowsAt(self.index.voice, rows),
            voice_known=np.asarray(self.index.voice_known[rows], dtype=bool),
            hard_why=HardRules(brief).check(cols, ids, creators),
            rows=rows,
            cols=cols,
        )

    def signals(
        self,
        brief: Brief,
        cands: Candidates,
        ctx: QueryContext,
        done: Mapping[str, SignalResult] | None = None,
    ) -> SignalMatrix:
        """The signals of the candidates (``done``: those already computed for them)."""
        results = signals.compute(brief, cands, ctx, done)
        return SignalMatrix.from_results(results, brief, ctx.as_of)

    def score(
        self,
        brief: Brief,
        cands: Candidates,
        ctx: QueryContext,
        done: Mapping[str, SignalResult] | None = None,
    ) -> Scored:
        if cands.events is None:  # those that may name a competitor
            found = brief_events(
                self.index.catalogue, self._events, brief, cands.rows, cands.creators
            )
            cands = dataclasses.replace(cands, events=found)
        sm = self.signals(brief, cands, ctx, done)
        score, contrib = self.ranker.rank(sm, cands)
        conflict = sm.results["conflict"]
        niche = sm.results["niche"]
        gate = self.settings.niche_gate
        absent = self.niche_absent(ctx)
        hard = cands.hard_why
        if hard is None:
            hard = HardRules(brief).check(cands.columns, cands.ids, cands.creators)
        excluded: list[str | OffNiche | Broken | None] = []
        for i, why_hard in enumerate(hard):
            why: str | OffNiche | Broken | None = why_hard
            if why is None and conflict.exclude is not None and conflict.exclude[i]:
                why = conflict.why[i]
            if why is None and absent:
                why = OffNiche(niche, i, clarity=ctx.clarity)
            elif why is None and gate > 0 and niche.known[i] and niche.score[i] < gate:
                why = OffNiche(niche, i, gate)
            excluded.append(why)
        floor = self.settings.niche_floor
        far = niche.known & (niche.score < floor) if floor > 0 else None
        return Scored(cands, sm, np.asarray(score, dtype=np.float64), contrib, excluded, far)

    def _near(
        self, brief: Brief, cands: Candidates, ctx: QueryContext
    ) -> tuple[np.ndarray | None, SignalResult | None]:
        """(the candidates near the brief's niche (niche value at least ``niche_floor``, or not
        known) when they are all a shortlist needs scored, as every far one ranks after them;
        else None: no floor, none far, or a ranker whose scores depend on the other candidates
        (``row_independent`` not set). Then the niche signal of all, or None if not computed)."""
        floor = self.settings.niche_floor
        if floor <= 0 or not getattr(self.ranker, "row_independent", False):
            return None, None
        niche = niche_signal(brief, cands, ctx)
        near = ~niche.known | (niche.score >= floor)
        return (None if near.all() else np.flatnonzero(near)), niche

    @one_blas_thread
    def recommend(self, brief: Brief, k: int | None = None) -> Shortlist:
        k = k or brief.k
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        ctx = self.context(brief)
        cands = self.candidates(brief, ctx)
        near, niche = self._near(brief, cands, ctx)
        absent = self.niche_absent(ctx)
        # competitor work read last, unless every candidate is passed over (no niche)
        lazy = bool(brief.competitors) and not absent and getattr(self.ranker, "monotone", False)
        scored = functools.partial(self.score, brief, ctx=ctx)
        s, p = pick_near(scored, cands, near, niche, k, lazy)
        prefetch = getattr(s.contributions, "prefetch", None)
        if prefetch is not None:  # lazily explained rankers: one batch for the rows shown
            prefetch(p.shown)
        matches = [self.match_of(s, i, rank) for rank, i in enumerate(p.shown, 1)]
        ids = s.cands.ids
        excluded = [Excluded(ids[i], why) for i, why in p.excluded]
        if absent:
            notes: tuple[str, ...] = (
                "no creator in this catalogue fits the brief's niche: its closest matches "
                f"have nothing in common (clarity {ctx.clarity:.2f}); describe the niche "
                "differently or search another catalogue",
            )
        else:
            notes = shortfall(brief, len(matches), k, p.off_niche, p.other)
        return Shortlist(brief.brief_id, tuple(matches), tuple(excluded), self.ranker.name, notes)

    def match_of(self, s: Scored, i: int, rank: int) -> Match:
        """Candidate ``i`` of ``s`` as the shortlist entry of that ``rank``: its signals, flags,
        contributions and reasons."""
        c = s.cands.creators[i]
        sig: dict[str, float | None] = {
            name: (float(s.sm.values[i, j]) if s.sm.known[i, j] else None)
            for j, name in enumerate(SIGNALS)
        }
        flags: list[str] = []
        if self.settings.show_conflicts and s.sm.results["conflict"].flagged(
            Flag.CURRENT_CONFLICT, i
        ):
            flags.append("current-competitor-conflict")
        if s.sm.results["authenticity"].flagged(Flag.SUSPECTED_FAKE, i):
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

    def similar(self, creator_ids: Sequence[str], k: int = 20, **constraints: Any) -> Shortlist:
        """Lookalikes of these creators (tiers, countries, platforms, languages: optional
        constraints); see :func:`matcher.similar.similar`."""
        from matcher.similar import similar

        return similar(self, creator_ids, k, **constraints)

    def plan(self, brief: Brief, budget: float | None = None, **options: Any) -> Plan:
        """The creators worth most for the brief within the budget; see :func:`matcher.plan.plan`."""
        from matcher.plan import plan

        return plan(self, brief, budget, **options)

    def recommend_many(self, briefs: Iterable[Brief], k: int | None = None) -> Iterable[Shortlist]:
        for b in briefs:
            yield self.recommend(b, k)

    # -- whole-catalogue scores (offline evaluation) --------------------------------------

    @one_blas_thread
    def score_catalogue(self, brief: Brief, n: int | None = None) -> np.ndarray:
        """A score for every creator in index row order, for offline evaluation.

        The top-n by fused rank (the engine's candidates, without the filter top-up) are ranked
        by the ranker (those far from the niche after the others, as in :meth:`recommend`); the
        rest follow in fused order; creators removed by a hard rule go last.
        """
        n = min(n or self.settings.candidates, len(self.index))
        ctx = self.context(brief, depth=n)
        out, rows = self.catalogue_base(ctx, n)
        s = self.score(brief, self.candidates_at(rows, brief), ctx)
        out[rows] = s.score
        if s.far is not None and s.far.any():  # below every near-niche candidate, same order
            f = s.score[s.far]
            out[rows[s.far]] = s.score.min() - 2.0 + (f - f.min()) / (f.max() - f.min() + 1e-9)
        bad = np.array([e is not None for e in s.excluded], dtype=bool)
        out[rows[bad]] = -20.0 + s.score[bad]
        return out

    def clarity(self, retrieval: Retrieval, top: int = CLARITY_TOP) -> float | None:
        """How much more alike than random creators the ``top`` best matches are, from 0 (as
        alike as random creators) to 1 (identical); None for a catalogue too small to tell.

        The matches are those of the plain MiniLM similarity fused with BM25, never of a learned
        text model: a model trained to find *something* for every brief pulls similar creators
        together even for a niche the catalogue lacks (sample music brief: 0.18 with the learned
        ranking, 0.07 with the plain one)."""
        if len(self.index) < 2 * top:
            return None
        rows = retrieval.candidates(self.index, top, plain=True)  # never a learned score
        base = self.index.coherence_baseline()
        coherence = mean_pairwise_cosine(np.asarray(self.index.content[np.sort(rows)]))
        return (coherence - base) / max(1.0 - base, 1e-9)

    def niche_absent(self, ctx: QueryContext) -> bool:
        """Whether the brief's niche is missing from the catalogue (clarity below the setting)."""
        floor = self.settings.min_clarity
        return floor > 0 and ctx.clarity is not None and ctx.clarity < floor

    def retrieval_scores(self, brief: Brief) -> np.ndarray:
        """Every creator scored by retrieval alone: fused dense and lexical rank, no other
        signal and no ranker (the ``hybrid`` baseline of ``matcher eval``)."""
        query, retrieval = self._retrieve(brief)
        return self.catalogue_base(QueryContext(query, date.today(), retrieval=retrieval), 0)[0]

    def _retrieve(
        self, brief: Brief, depth: int | None = None, text: TextScores | None = None
    ) -> tuple[np.ndarray, Retrieval]:
        """The brief's query vector and its dense and lexical rankings (top ``depth``)."""
        query = self.encoder.encode([brief.query_text])[0]
        if text is None and self.text is not None:
            text = self.text.scores(brief, self.encoder)
        lexical = (
            self.index.lexical.scores(brief.query_text, brief.languages)
            if self.index.lexical is not None
            else np.zeros(len(self.index), dtype=np.float32)
        )
        depth = min(depth or self.settings.candidates, len(self.index))
        return query, Retrieval.run(self.index, query, lexical, depth, text)

    def catalogue_base(self, ctx: QueryContext, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(a score for every row that orders it as retrieval does, below every ranked
        candidate; the top ``n`` rows, the engine's candidates)."""
        assert ctx.retrieval is not None  # set by context()
        dense = np.asarray(self.index.content @ ctx.query, dtype=np.float64)
        order = ctx.retrieval.catalogue_order(dense)
        base = np.empty(order.size, dtype=np.float64)
        base[order] = -10.0 - np.arange(order.size) / max(order.size, 1)
        return base, order[:n]

    def creator(self, creator_id: str) -> Creator | None:
        return self.creators([creator_id]).get(creator_id)

    def creators(self, creator_ids: Sequence[str]) -> dict[str, Creator]:
        """The creators of these ids that the catalogue holds, in the order asked."""
        return self.index.catalogue.by_id(creator_ids)


def _adapted(ranker: Ranker, index: CreatorIndex) -> AdaptedIndex | None:
    model = getattr(ranker, "text_model_", None)
    if model is None:
        return None
    from matcher.learn.text import AdaptedIndex

    return AdaptedIndex(model, index)
