"""Lookalikes: creators like one or several seed creators ("more like this").

``similar(matcher, ["s00042"], k=20, tiers=["micro"]) -> Shortlist``

1. **Query**: the normalised mean of the seeds' content vectors (bio, categories, hashtags and
   posts: what brief retrieval searches), searched with the index's own FAISS search (exact, IVF
   or HNSW, whichever the index holds) for a pool of ``max(10 k, 200)`` creators.
2. **Constraints** (tiers, countries, platforms, languages) are hard, by the rules of a brief's
   hard filters (:func:`matcher.rules.hard_filter`: a market is where a creator is based or
   holds >= 25% of its audience; an unknown country, platform or language never fails). Unknown
   followers pass a tier constraint and the reasons say so. When too few of the pool pass, the
   search is repeated within the creators that pass (``catalogue.allowed_rows``), deepened x4
   until the pool is full or nothing is left: k come back whenever k qualify.
3. **Rescore**: ``score = (1 - w) content + w voice`` (``w`` = :data:`VOICE_WEIGHT`); *content*
   is the cosine of a creator's content vector with the query, *voice* that of its voice vector
   (its posts alone: topic and manner of writing) with the normalised mean of the seeds' voice
   vectors, both clipped to [0, 1]. A creator without posts has an unknown voice, counted as the
   pool's median (neither helps nor hurts); when no seed has posts the score is the content.
4. **Rank**: best score first, ties by creator_id; the seeds themselves are never returned.

The :class:`~matcher.schema.Shortlist` has ``brief_id`` ``similar:ID1+ID2`` and ranker
``similar``; each match's ``signals`` hold the content likeness under ``niche`` and the voice
likeness under ``tone`` (the signals those vectors feed for a brief); the others need a brief
and are null. ``excluded``: creators that would have ranked within k but fail a constraint.
Unknown seed ids raise :class:`UnknownCreatorError` naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from matcher.errors import MatcherError
from matcher.index import CreatorIndex
from matcher.rules import hard_filter
from matcher.schema import PLATFORMS, TIERS, Brief, Creator, Excluded, Match, Shortlist, tier_of
from matcher.signals import SIGNALS
from matcher.threads import one_blas_thread

#: the voice's part of the score (the content has the rest)
VOICE_WEIGHT = 0.25
#: creators rescored per request: ``max(POOL_FACTOR * k, POOL_MIN)`` that pass the constraints
POOL_FACTOR = 10
POOL_MIN = 200
#: how much deeper each top-up search goes when too few of the pool pass the constraints
DEEPEN = 4
#: the ``ranker`` of a lookalike shortlist
RANKER = "similar"


class UnknownCreatorError(MatcherError):
    """Seed ids that are not in the index (``creator_ids`` holds them, in the order given)."""

    def __init__(self, creator_ids: Sequence[str]) -> None:
        self.creator_ids = tuple(creator_ids)
        names = ", ".join(repr(c) for c in self.creator_ids)
        s = "s" * (len(self.creator_ids) != 1)
        super().__init__(f"unknown creator id{s} {names}: not in the index")


class HasIndex(Protocol):
    """A :class:`matcher.engine.Matcher` or anything else holding a loaded index."""

    @property
    def index(self) -> CreatorIndex: ...


@dataclass(frozen=True)
class Constraints:
    """The optional hard constraints of a lookalike search (normalised; see :meth:`checked`)."""

    tiers: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @classmethod
    def checked(
        cls,
        tiers: Sequence[str] = (),
        countries: Sequence[str] = (),
        platforms: Sequence[str] = (),
        languages: Sequence[str] = (),
    ) -> Constraints:
        """Constraints from user input: case-insensitive; a bad value is a
        :class:`MatcherError` naming the field and the value."""
        out = {}
        for field, values, vocab in (
            ("tiers", tiers, TIERS),
            ("countries", countries, None),
            ("platforms", platforms, PLATFORMS),
            ("languages", languages, None),
        ):
            if isinstance(values, str):
                raise MatcherError(f"{field} must be a list of strings, got the string {values!r}")
            norm: list[str] = []
            for v in values:
                if not isinstance(v, str) or not v.strip():
                    raise MatcherError(f"{field}: each value must be a non-empty string, got {v!r}")
                v = v.strip().upper() if field == "countries" else v.strip().lower()
                if vocab is not None and v not in vocab:
                    raise MatcherError(f"{field}: {v!r} is not one of {', '.join(vocab)}")
                if field == "countries" and not (len(v) == 2 and v.isalpha()):
                    raise MatcherError(f"countries: {v!r} is not an ISO 3166-1 alpha-2 code")
                if v not in norm:
                    norm.append(v)
            out[field] = tuple(norm)
        return cls(**out)

    def __bool__(self) -> bool:
        return bool(self.tiers or self.countries or self.platforms or self.languages)

    def why_not(self, c: Creator) -> str | None:
        """Why a creator fails the constraints, or None when it passes."""
        tier = tier_of(c.followers)
        if self.tiers and tier is not None and tier not in self.tiers:
            return f"{tier} tier ({c.followers:,} followers), you asked for {'/'.join(self.tiers)}"
        return hard_filter(self._as_brief(), c)

    def met(self, c: Creator) -> str | None:
        """The constraints a passing creator meets, as one reason (None without constraints)."""
        parts: list[str] = []
        if self.tiers:
            tier = tier_of(c.followers)
            parts.append(f"{tier} tier ({c.followers:,} followers)" if tier else
                         "followers unknown (tier not checked)")  # fmt: skip
        if self.countries:
            parts.append(self._market(c))
        if self.platforms:
            parts.append(f"on {c.platform}" if c.platform else "platform unknown (not checked)")
        if self.languages:
            parts.append(f"writes in {c.language}" if c.language else
                         "language unknown (not checked)")  # fmt: skip
        return "as asked: " + ", ".join(parts) if parts else None

    def _market(self, c: Creator) -> str:
        if not c.country:
            return "country unknown (market not checked)"
        if c.country.upper() in self.countries:
            return f"based in {c.country.upper()}"
        shares = (c.audience.countries if c.audience and c.audience.countries else {}) or {}
        share, code = max(
            ((v, k.upper()) for k, v in shares.items() if k.upper() in self.countries),
            default=(0.0, self.countries[0]),
        )
        return f"audience {share:.0%} in {code}"

    def _as_brief(self) -> Brief:
        return Brief(brand="", description="", countries=self.countries,
                     platforms=self.platforms, languages=self.languages)  # fmt: skip

    def widen(self) -> str:
        """What to widen, for a note: e.g. "tiers, markets"."""
        names = (("tiers", self.tiers), ("markets", self.countries),
                 ("platforms", self.platforms), ("languages", self.languages))  # fmt: skip
        return ", ".join(n for n, on in names if on)


@dataclass(frozen=True)
class Seeds:
    """The seed creators: their rows, names and vectors, and the query made of them."""

    ids: tuple[str, ...]
    rows: tuple[int, ...]
    #: "@handle" (or the creator_id when it has none), for reasons
    names: tuple[str, ...]
    #: each seed's content vector (seeds x d) and their normalised mean
    content: np.ndarray
    query: np.ndarray
    #: the voice vectors of the seeds with posts, their names, and their normalised mean (or None)
    voice: np.ndarray
    voice_names: tuple[str, ...]
    voice_query: np.ndarray | None

    @classmethod
    def of(cls, index: CreatorIndex, creator_ids: Sequence[str]) -> Seeds:
        if isinstance(creator_ids, str):
            raise MatcherError(f"creator_ids must be a list of ids, got the string {creator_ids!r}")
        ids = list(dict.fromkeys(creator_ids))  # duplicates dropped, order kept
        if not ids:
            raise MatcherError("creator_ids must name at least one creator, got none")
        bad = [c for c in ids if not isinstance(c, str) or not c]
        if bad:
            raise MatcherError(f"creator_ids: each id must be a non-empty string, got {bad[0]!r}")
        found = index.catalogue.row_of(ids)
        missing = [c for c in ids if c not in found]
        if missing:
            raise UnknownCreatorError(missing)
        rows = [int(found[c]) for c in ids]
        creators = index.catalogue.get_rows(rows)
        names = tuple(f"@{c.handle}" if c.handle else c.creator_id for c in creators)
        content = np.asarray(index.content[rows], dtype=np.float64)
        query = _unit(content.mean(axis=0))
        if query is None:
            raise MatcherError(
                f"creator(s) {', '.join(map(repr, ids))} have no bio, categories or posts: "
                "nothing to find lookalikes of"
            )
        known = np.asarray(index.voice_known[rows], dtype=bool)
        voice = np.asarray(index.voice[rows], dtype=np.float64)[known]
        voice_query = _unit(voice.mean(axis=0)) if len(voice) else None
        voice_names = tuple(n for n, k in zip(names, known, strict=True) if k)
        return cls(tuple(ids), tuple(rows), names, content, query.astype(np.float32),
                   voice, voice_names, voice_query)  # fmt: skip

    @property
    def brief_id(self) -> str:
        return "similar:" + "+".join(self.ids)


@dataclass(frozen=True)
class Pool:
    """Creators retrieved for rescoring (never a seed), and why each fails the constraints."""

    rows: np.ndarray
    creators: list[Creator]
    why: list[str | None]


@one_blas_thread
def similar(
    matcher: HasIndex | CreatorIndex,
    creator_ids: Sequence[str],
    k: int = 20,
    tiers: Sequence[str] = (),
    countries: Sequence[str] = (),
    platforms: Sequence[str] = (),
    languages: Sequence[str] = (),
    *,
    voice_weight: float = VOICE_WEIGHT,
) -> Shortlist:
    """The ``k`` creators most like the seeds ``creator_ids`` that meet the constraints (see the
    module's docstring), as a shortlist best first; fewer, with a note, when fewer qualify."""
    index = matcher if isinstance(matcher, CreatorIndex) else matcher.index
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise MatcherError(f"k must be an integer >= 1, got {k!r}")
    if not 0.0 <= voice_weight <= 1.0:
        raise MatcherError(f"voice_weight must be in [0, 1], got {voice_weight}")
    want = Constraints.checked(tiers, countries, platforms, languages)
    seeds = Seeds.of(index, creator_ids)
    pool = retrieve(index, seeds, want, max(POOL_FACTOR * k, POOL_MIN))
    sc = rescore(index, seeds, pool.rows, voice_weight)
    ids = np.array([c.creator_id for c in pool.creators], dtype=str)
    order = np.lexsort((ids, -sc.score)) if len(ids) else np.zeros(0, dtype=np.int64)
    matches: list[Match] = []
    excluded: list[Excluded] = []
    for i in (int(j) for j in order):
        if len(matches) >= k:
            break
        c = pool.creators[i]
        why = pool.why[i]
        if why is not None:
            if len(excluded) < k:  # those that would have ranked within k
                excluded.append(Excluded(c.creator_id, why))
            continue
        matches.append(
            Match(
                creator_id=c.creator_id,
                rank=len(matches) + 1,
                score=float(sc.score[i]),
                signals=sc.signals(i),
                contributions=sc.contributions(i),
                reasons=_reasons(index, seeds, int(pool.rows[i]), c, want),
                handle=c.handle,
            )
        )
    notes = _shortfall(seeds, want, len(matches), k, any(w is not None for w in pool.why))
    return Shortlist(seeds.brief_id, tuple(matches), tuple(excluded), RANKER, notes)


def retrieve(index: CreatorIndex, seeds: Seeds, want: Constraints, target: int) -> Pool:
    """The ``target`` creators closest to the seeds' query that meet ``want`` (fewer when fewer
    do), plus those nearer than them that fail it; the seeds are left out."""
    skip = set(seeds.rows)
    depth = target + len(skip)
    rows, _ = index.search(seeds.query, depth)
    keep = [int(r) for r in rows if int(r) not in skip]
    creators = index.catalogue.get_rows(keep)
    why = [want.why_not(c) for c in creators]
    exhausted = len(rows) < depth
    if want and not exhausted and sum(w is None for w in why) < target:
        allowed = index.catalogue.allowed_rows(
            languages=want.languages, platforms=want.platforms, countries=want.countries
        )
        seen = skip | set(keep)
        depth = depth if allowed is not None else DEEPEN * depth
        while sum(w is None for w in why) < target:
            more, _ = index.search(seeds.query, depth, allowed)
            fresh = [int(r) for r in more if int(r) not in seen]
            seen.update(fresh)
            got = index.catalogue.get_rows(fresh)
            keep += fresh
            creators += got
            why += [want.why_not(c) for c in got]
            if len(more) < depth:  # every allowed creator (or all an approximate index finds)
                break
            depth *= DEEPEN
    return Pool(np.asarray(keep, dtype=np.int64), creators, why)


@dataclass(frozen=True)
class Scores:
    """The rescored pool: content and voice likeness and the fused score, each in [0, 1]."""

    content: np.ndarray
    #: NaN where unknown (the creator, or every seed, has no posts)
    voice: np.ndarray
    #: the voice the score used: ``voice``, or the pool's median where unknown
    voice_used: np.ndarray
    #: the voice's weight (0 when no seed has posts)
    weight: float
    score: np.ndarray

    def signals(self, i: int) -> dict[str, float | None]:
        """Content likeness as the niche signal, voice likeness as tone; the rest unscored."""
        out: dict[str, float | None] = dict.fromkeys(SIGNALS)
        out["niche"] = float(self.content[i])
        out["tone"] = None if np.isnan(self.voice[i]) else float(self.voice[i])
        return out

    def contributions(self, i: int) -> dict[str, float]:
        return {
            "niche": (1.0 - self.weight) * float(self.content[i]),
            "tone": self.weight * float(self.voice_used[i]),
        }


def rescore(
    index: CreatorIndex, seeds: Seeds, rows: np.ndarray, voice_weight: float = VOICE_WEIGHT
) -> Scores:
    """The content and voice likeness of the creators at ``rows`` to the seeds, and their fused
    score."""
    n = len(rows)
    content = np.clip(np.asarray(index.content[rows], dtype=np.float64) @ seeds.query, 0.0, 1.0)
    voice = np.full(n, np.nan)
    if seeds.voice_query is None or n == 0:
        return Scores(content, voice, np.zeros(n), 0.0, content.copy())
    known = np.asarray(index.voice_known[rows], dtype=bool)
    if known.any():
        v = np.asarray(index.voice[rows[known]], dtype=np.float64)
        voice[known] = np.clip(v @ seeds.voice_query, 0.0, 1.0)
    neutral = float(np.median(voice[known])) if known.any() else 0.5
    used = np.where(known, voice, neutral)
    score = (1.0 - voice_weight) * content + voice_weight * used
    return Scores(content, voice, used, voice_weight, score)


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return None if n < 1e-9 else v / n


def _reasons(
    index: CreatorIndex, seeds: Seeds, row: int, c: Creator, want: Constraints
) -> tuple[str, ...]:
    """Which seed the creator is most alike in bio and posts, and in voice; what it meets."""
    vec = np.asarray(index.content[row], dtype=np.float64)
    per_seed = seeds.content @ vec
    j = int(np.argmax(per_seed))
    text = f"bio and posts {max(per_seed[j], 0.0):.2f} alike to {seeds.names[j]}"
    if len(seeds.ids) > 1:
        together = max(float(vec @ seeds.query), 0.0)
        text += f" ({together:.2f} to the {len(seeds.ids)} seeds together)"
    out = [text]
    if seeds.voice_query is None:
        out.append("voice not compared: no seed has posts")
    elif not bool(index.voice_known[row]):
        out.append("no posts: voice not compared")
    else:
        sims = seeds.voice @ np.asarray(index.voice[row], dtype=np.float64)
        j = int(np.argmax(sims))
        out.append(f"voice {max(sims[j], 0.0):.2f} alike to {seeds.voice_names[j]}")
    met = want.met(c)
    if met:
        out.append(met)
    return tuple(out)


def _shortfall(
    seeds: Seeds, want: Constraints, n: int, k: int, some_failed: bool
) -> tuple[str, ...]:
    """What to say when fewer than ``k`` lookalikes come back."""
    if n >= k:
        return ()
    if want and some_failed:
        fit = "no creator" if n == 0 else f"only {n} creator{'s' * (n != 1)}"
        verb = "meets" if n <= 1 else "meet"
        return (f"{fit} like {' + '.join(seeds.names)} {verb} the constraints; widen "
                f"{want.widen()}",)  # fmt: skip
    return (f"the index holds only {n} creator{'s' * (n != 1)} besides the seeds",)
