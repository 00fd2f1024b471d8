"""Competitor work read last (matcher.scored.pick_checked): the same shortlists, fewer posts read.

A monotone ranker (the weighted one) scores every candidate as if none had competitor work,
then reads sponsored posts only for those that can reach the shortlist. Each case compares
its shortlist (matches, signals, reasons, excluded creators and why, notes) with the one the
same ranker gives when it is told it is not monotone, which scores every candidate exactly.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

import pytest
from conftest import SAMPLE

import matcher.engine as engine
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_briefs
from matcher.ranking import WeightedRanker
from matcher.schema import Brief, Creator, Post

AS_OF = date(2026, 11, 1)
NICHE = "trail running ultra marathon mountain race"
BRANDS = ["@hoka", "@brooksrunning", "Nike", "@salomon", "On Running", "@garmin"]


class _Exact(WeightedRanker):
    """The weighted ranker, said not to be monotone: every candidate is scored exactly."""

    monotone = False


def _post(rng: random.Random) -> Post:
    brand = rng.choice(BRANDS)
    text = rng.choice([
        f"Paid partnership with {brand}. Long run today #ad",
        f"Loving my new {brand} shoes on the ridge, code TRAIL15 #sponsored",
        f"Easy miles in the fog with {brand}",
        "Hill repeats and a slow recovery jog",
    ])  # fmt: skip
    when = None if rng.random() < 0.1 else AS_OF - timedelta(days=rng.randrange(0, 800))
    return Post(text, when)


def _catalogue(tmp_path, fake_encoder) -> CreatorIndex:
    """400 runners of every tier, most with sponsored posts naming one of six brands."""
    rng = random.Random(7)
    creators = [
        Creator(
            f"c{i:03d}",
            bio=f"{NICHE} {rng.choice(['coach', 'vlog', 'gear reviews', 'training', ''])}",
            followers=rng.choice([3_000, 20_000, 60_000, 300_000, 2_000_000]),
            engagement_rate=rng.choice([None, 0.01, 0.05, 0.09]),
            posts=tuple(_post(rng) for _ in range(rng.randrange(0, 4))),
        )
        for i in range(400)
    ]
    return CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))


def _rows_read(monkeypatch) -> list[int]:
    """How many candidates' sponsored posts the engine reads, per call."""
    sizes: list[int] = []
    real = engine.brief_events

    def spy(db, cache, brief, rows, creators):  # type: ignore[no-untyped-def]
        sizes.append(len(creators))
        return real(db, cache, brief, rows, creators)

    monkeypatch.setattr(engine, "brief_events", spy)
    return sizes


@pytest.mark.parametrize("show_conflicts", [False, True])
def test_the_shortlist_is_the_one_every_candidate_scored_exactly_gives(
    tmp_path, fake_encoder, monkeypatch, show_conflicts
):
    idx = _catalogue(tmp_path, fake_encoder)
    settings = Settings(show_conflicts=show_conflicts)
    lazy = Matcher(idx, fake_encoder, settings, as_of=AS_OF)
    exact = Matcher(idx, fake_encoder, settings, _Exact(), as_of=AS_OF)
    read = _rows_read(monkeypatch)
    competitor_sets = [("Hoka",), ("Hoka", "Brooks"), ("nike", "On"), ("Salomon", "Garmin", "Hoka")]
    checked = 0
    for competitors in competitor_sets:
        for days in (None, 0, 30, 400):
            for goal, tiers in (("awareness", ()), ("conversion", ("micro", "nano"))):
                brief = Brief(brand="Trailco", description=NICHE, competitors=competitors,
                              exclusivity_days=days, goal=goal, tiers=tiers)  # fmt: skip
                for k in (1, 5, 40, 400):
                    read.clear()
                    got = lazy.recommend(brief, k)
                    lazy_read = sum(read)
                    read.clear()
                    assert got == exact.recommend(brief, k), (competitors, days, goal, k)
                    checked += k == 5 and lazy_read < sum(read)
    # with a handful of places, most candidates' posts are never read
    assert checked == 2 * len(competitor_sets) * 4


@pytest.mark.parametrize(
    ("days_ago", "show_conflicts"), [(200, False), (10, False), (10, True), (None, False)]
)
def test_competitor_work_at_the_top_lets_the_creators_after_it_through(
    tmp_path, fake_encoder, days_ago, show_conflicts
):
    """Sixty creators alike but for their posts tie before their posts are read; the first
    thirty by id promoted the competitor (long ago: a penalty; lately or undated: excluded, or
    shown at 0 with ``show_conflicts``), so the clean ones after them must take their places."""
    when = None if days_ago is None else AS_OF - timedelta(days=days_ago)
    deal = (Post("Paid partnership with @hoka #ad", when),)
    clean = (Post("Hill repeats and a slow recovery jog", when),)
    creators = [
        Creator(
            f"{'a' if i < 30 else 'b'}{i:02d}",
            bio=NICHE,
            followers=40_000,
            engagement_rate=0.08,
            posts=deal if i < 30 else clean,
        )  # fmt: skip
        for i in range(60)
    ]
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    # all alike: the clarity check would take them for a catalogue without the niche
    settings = Settings(show_conflicts=show_conflicts, min_clarity=0.0)
    brief = Brief(brand="Trailco", description=NICHE, competitors=("Hoka",))
    for k in (1, 5, 25, 40, 60):
        got = Matcher(idx, fake_encoder, settings, as_of=AS_OF).recommend(brief, k)
        want = Matcher(idx, fake_encoder, settings, _Exact(), as_of=AS_OF).recommend(brief, k)
        assert got == want, k
        assert got.matches[0].creator_id == "b30"


def test_a_pick_that_passes_over_every_candidate_reads_them_all(tmp_path, fake_encoder):
    """A niche the catalogue lacks (its closest creators each share one stray word): nothing
    is shown, and the excluded and the notes are those of every candidate checked (a current
    conflict is named before the niche)."""
    rng = random.Random(3)
    niches = ["trail running ultra marathon", "sourdough bread baking oven", "python code software",
              "puppy training dog walks", "tent camping hiking stove"]  # fmt: skip
    stray = ["guitar", "piano", "songs", "chords", "band"]
    creators = [
        Creator(
            f"{j}-{i}",
            bio=f"{words} {stray[j] if i == 0 else ''}",
            posts=tuple(_post(rng) for _ in range(3)),
        )  # fmt: skip
        for j, words in enumerate(niches)
        for i in range(8)
    ]
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    brief = Brief(brand="Chordly", description="guitar piano songs chords band",
                  competitors=("Hoka", "Nike"), exclusivity_days=800)  # fmt: skip
    got = Matcher(idx, fake_encoder, Settings(), as_of=AS_OF).recommend(brief, 5)
    want = Matcher(idx, fake_encoder, Settings(), _Exact(), as_of=AS_OF).recommend(brief, 5)
    assert got == want and got.matches == () and got.notes
    whys = [e.why for e in got.excluded]
    assert any(w.startswith("promoted") for w in whys) and any("niche" in w for w in whys)


def test_real_sample_shortlists_are_unchanged(sample_index_dir):
    """The real model, FAISS and catalogue: every sample brief, with competitors added."""
    briefs = read_briefs(SAMPLE / "briefs.jsonl")
    lazy = Matcher.open(sample_index_dir, ranker="weighted", as_of=AS_OF)
    exact = Matcher.open(sample_index_dir, ranker=_Exact(), as_of=AS_OF)
    for b in briefs:
        for competitors in (b.competitors, ("Nike", "Adidas", "Sephora", "HelloFresh")):
            brief = dataclasses.replace(b, competitors=competitors)
            for k in (3, 30):
                assert lazy.recommend(brief, k) == exact.recommend(brief, k), b.brief_id
