"""The engine with a fake encoder: settings reach the ranking."""

from __future__ import annotations

from datetime import date

from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.ranking import WeightedRanker
from matcher.schema import Brief, Creator, Post

AS_OF = date(2026, 11, 1)


def _trail(cid: str, post: Post) -> Creator:
    return Creator(cid, bio="trail running and ultra marathons", followers=40_000, posts=(post,))


def test_exclusivity_days_setting_applies_to_briefs_that_name_none(tmp_path, fake_encoder):
    creators = [
        _trail("clean", Post("Long run in the mountains today #trailrunning", date(2026, 10, 20))),
        _trail("deal", Post("Paid partnership with @hoka #trailrunning", date(2026, 9, 21))),
    ]
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    brief = Brief(brand="Salomon", description="trail running shoes", competitors=("Hoka",), k=2)

    def excluded(settings: Settings, b: Brief = brief) -> list[str]:
        sl = Matcher(idx, fake_encoder, settings, as_of=AS_OF).recommend(b)
        return [e.creator_id for e in sl.excluded]

    # the deal is 41 days old: inside the default 90-day window, outside a 30-day one
    assert excluded(Settings()) == ["deal"]
    assert excluded(Settings(exclusivity_days=30)) == []
    # a brief's own window wins over the setting
    own = Brief(brand="Salomon", description="trail running shoes", competitors=("Hoka",), k=2,
                exclusivity_days=60)  # fmt: skip
    assert excluded(Settings(exclusivity_days=30), own) == ["deal"]


def _catalogue(tmp_path, fake_encoder) -> CreatorIndex:
    runners = [
        Creator(f"run{i}", bio="trail running ultra marathon mountain", followers=20_000 * (i + 1))
        for i in range(3)
    ]
    # far off the niche, but a perfect tier, price and engagement for the brief
    bakers = [
        Creator(f"bake{i}", bio="sourdough bread baking kitchen", followers=50_000,
                engagement_rate=0.08, price_per_post=500.0)
        for i in range(5)
    ]  # fmt: skip
    return CreatorIndex.load(build_and_save(runners + bakers, fake_encoder, tmp_path / "idx"))


def test_niche_gate_cuts_off_niche_creators_and_says_so(tmp_path, fake_encoder):
    idx = _catalogue(tmp_path, fake_encoder)
    brief = Brief(brand="Salomon", description="trail running ultra marathon mountain shoes",
                  goal="conversion", tiers=("micro",), budget=5_000.0, k=5)  # fmt: skip
    open_ = Matcher(idx, fake_encoder, Settings(), as_of=AS_OF).recommend(brief)
    assert len(open_.matches) == 5 and not open_.notes  # default gate: 8 creators all rank high
    gated = Matcher(idx, fake_encoder, Settings(niche_gate=0.6), as_of=AS_OF).recommend(brief)
    assert [m.creator_id for m in gated.matches] == ["run0", "run1", "run2"]
    assert {e.creator_id for e in gated.excluded} == {f"bake{i}" for i in range(5)}
    assert all(e.why.startswith("outside the brief's niche:") for e in gated.excluded)
    assert gated.notes == (
        "only 3 creators fit this brief's niche (5 candidates are outside it); "
        "describe the niche more broadly",
    )
    assert gated.to_dict()["notes"] == list(gated.notes)


def test_gated_creators_rank_below_every_fitting_one_offline(tmp_path, fake_encoder):
    idx = _catalogue(tmp_path, fake_encoder)
    brief = Brief(brand="Salomon", description="trail running ultra marathon mountain shoes")
    scores = Matcher(idx, fake_encoder, Settings(niche_gate=0.6), as_of=AS_OF).score_catalogue(
        brief
    )
    ids = idx.catalogue.all_ids()
    fit = [scores[i] for i, c in enumerate(ids) if c.startswith("run")]
    off = [scores[i] for i, c in enumerate(ids) if c.startswith("bake")]
    assert min(fit) > max(off)


def test_a_brief_whose_niche_the_catalogue_lacks_gets_no_creators(tmp_path, fake_encoder):
    """Its closest matches are scattered over unrelated niches (each shares a stray word)."""
    niches = {
        "run": "trail running ultra marathon mountain race",
        "bake": "sourdough bread baking oven flour loaf",
        "code": "python programming code software developer",
        "dog": "puppy training dog walks leash treats",
        "camp": "tent camping hiking backpack trail stove",
    }
    stray = ["guitar", "piano", "songs", "chords", "band"]
    creators = [
        Creator(f"{key}{i}", bio=f"{words} {stray[j] if i == 0 else ''}")
        for j, (key, words) in enumerate(niches.items())
        for i in range(6)
    ]
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    m = Matcher(idx, fake_encoder, Settings(), as_of=AS_OF)
    present = m.recommend(Brief(brand="Hoka", description="trail running ultra marathon race", k=5))
    assert [x.creator_id[:3] for x in present.matches] == ["run"] * 5 and not present.notes
    music = Brief(brand="Chordly", description="guitar piano songs chords band", k=5)
    absent = m.recommend(music)
    assert absent.matches == ()
    assert absent.notes and absent.notes[0].startswith("no creator in this catalogue fits")
    assert absent.excluded and all("share no niche" in e.why for e in absent.excluded)
    # the check can be turned off
    off = Matcher(idx, fake_encoder, Settings(min_clarity=0.0), as_of=AS_OF)
    assert len(off.recommend(music).matches) == 5


class _Spy(WeightedRanker):
    """The weighted ranker, counting the candidates it is asked to score."""

    def __init__(self, row_independent: bool) -> None:
        super().__init__()
        self.row_independent = row_independent  # type: ignore[misc]
        self.sizes: list[int] = []

    def rank(self, sm, cands):  # type: ignore[no-untyped-def]
        self.sizes.append(len(cands))
        return super().rank(sm, cands)


def _mixed(tmp_path, fake_encoder) -> CreatorIndex:
    """12 trail runners and 300 bakers with every other quality a brief could want."""
    runners = [Creator(f"run{i:02d}", bio="trail running ultra marathon mountain race",
                       followers=15_000 + 1_000 * i) for i in range(12)]  # fmt: skip
    bakers = [Creator(f"bake{i:02d}", bio="sourdough bread baking oven flour loaf",
                      followers=50_000, engagement_rate=0.08, price_per_post=500.0,
                      language="de" if i % 3 == 0 else "en") for i in range(300)]  # fmt: skip
    return CreatorIndex.load(build_and_save(runners + bakers, fake_encoder, tmp_path / "idx"))


def test_only_the_candidates_near_the_niche_are_scored_and_the_shortlist_is_the_same(
    tmp_path, fake_encoder
):
    """Far candidates rank after every near one whatever their score: a ranker that scores each
    candidate alone need not score them when the near ones fill the list."""
    idx = _mixed(tmp_path, fake_encoder)
    brief = Brief(brand="Salomon", description="trail running ultra marathon mountain race",
                  goal="conversion", budget=5_000.0, k=5)  # fmt: skip
    pruned, full = _Spy(row_independent=True), _Spy(row_independent=False)
    a = Matcher(idx, fake_encoder, Settings(), pruned, as_of=AS_OF).recommend(brief)
    b = Matcher(idx, fake_encoder, Settings(), full, as_of=AS_OF).recommend(brief)
    assert a == b and [m.creator_id[:3] for m in a.matches] == ["run"] * 5
    near = pruned.sizes[0]  # the runners and the bakers the fused ranking still finds close
    assert full.sizes == [312] and 12 <= near <= 150  # most bakers are far: never scored
    # more asked than the near ones can fill: everything is scored, same answer as before
    for k in (near, near + 1, 200):
        pruned.sizes.clear()
        a = Matcher(idx, fake_encoder, Settings(), pruned, as_of=AS_OF).recommend(brief, k)
        b = Matcher(idx, fake_encoder, Settings(), full, as_of=AS_OF).recommend(brief, k)
        assert a == b and len(a.matches) == k
        assert pruned.sizes == ([near] if k <= near else [near, 312])
    # excluded near ones are listed, and far excluded ones only when they would have ranked
    rules = Brief(brand="Salomon", description="trail running ultra marathon mountain race",
                  languages=("en",), exclude_creators=("run00", "run03"), k=20)  # fmt: skip
    a = Matcher(idx, fake_encoder, Settings(), pruned, as_of=AS_OF).recommend(rules)
    b = Matcher(idx, fake_encoder, Settings(), full, as_of=AS_OF).recommend(rules)
    assert a == b and {e.creator_id for e in a.excluded} >= {"run00", "run03"}


def test_a_learned_ranker_reading_other_candidates_is_not_pruned() -> None:
    from matcher.learn.ranker import LearnedRanker

    r = LearnedRanker()
    assert not r.row_independent  # not fitted: nothing to tell
    r.features_ = ["niche_signal", "tier_signal"]
    assert r.row_independent
    r.features_ = ["niche_signal", "niche_z"]  # standardised over the brief's candidates
    assert not r.row_independent


def test_the_niche_signal_is_computed_once_per_brief_and_notes_only_for_shown_rows(
    tmp_path, fake_encoder, monkeypatch
):
    """The near-niche pass computes the niche signal of every candidate; scoring reuses it for
    the near ones (taken, its notes still made on demand) instead of computing it again."""
    import dataclasses

    from conftest import SAMPLE, sample_creators

    from matcher import engine, signals
    from matcher.io import read_briefs
    from matcher.signals import base, niche

    idx = CreatorIndex.load(build_and_save(sample_creators(300), fake_encoder, tmp_path / "i"))
    calls: list[int] = []
    notes_made: list[int] = []

    def counted(brief, cands, ctx):  # type: ignore[no-untyped-def]
        calls.append(len(cands))
        return niche.niche_signal(brief, cands, ctx)

    made = base.LazyNotes.__getitem__

    def counted_note(self, i):  # type: ignore[no-untyped-def]
        notes_made.append(i)
        return made(self, i)

    registry = tuple(
        dataclasses.replace(s, compute=counted) if s.name == "niche" else s
        for s in signals.REGISTRY
    )
    monkeypatch.setattr(signals, "REGISTRY", registry)
    monkeypatch.setattr(engine, "niche_signal", counted)
    s = Settings(min_clarity=0.0)  # the fake encoder's niches are not clear
    m = Matcher(idx, fake_encoder, s, WeightedRanker(s.weights, s.unknown_value))
    briefs = read_briefs(SAMPLE / "briefs.jsonl")
    shown = 0
    for brief in briefs:
        monkeypatch.setattr(base.LazyNotes, "__getitem__", made)
        reference = m.score(brief, m.candidates(brief, m.context(brief)), m.context(brief))
        calls.clear()
        monkeypatch.setattr(base.LazyNotes, "__getitem__", counted_note)
        notes_made.clear()
        sl = m.recommend(brief, 5)
        assert len(calls) == 1 or (len(calls) == 2 and calls[1] > calls[0]), calls
        rows = len(sl.matches) + len(sl.excluded)
        assert len(notes_made) <= 6 * 3 * rows  # the rows shown and excluded, a few per signal
        shown += len(sl.matches)
        by_id = {c.creator_id: i for i, c in enumerate(reference.cands.creators)}
        for match in sl.matches:  # the reused niche values are those computed afresh
            i = by_id[match.creator_id]
            assert match.signals["niche"] == float(reference.sm.values[i, 0])
    assert shown >= 5 * len(briefs) - 5
