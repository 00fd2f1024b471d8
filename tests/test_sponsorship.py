"""Sponsorship detection and sponsorship events (matcher.sponsorship)."""

from __future__ import annotations

import json
import pickle
import time
from datetime import date
from pathlib import Path

import pytest

from matcher.brands import BrandMatcher
from matcher.history import SponsorEvent, sponsorship_events
from matcher.schema import Creator, Post
from matcher.sponsorship import detect_sponsorship

WORLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "world"

# -- sponsorship detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "evidence", "brand"),
    [
        ("Morning miles #ad", "#ad", None),
        ("Long run done. #Sponsored", "#sponsored", None),
        ("#partner @hoka new season", "#partner", "hoka"),
        ("Paid partnership with @hoka. Loving these", "paid partnership with @hoka", "hoka"),
        ("Use code LUKE15 for 15% off at @brand", "discount code LUKE15", "brand"),
        ("Thanks @hoka for sending these!", "thanks @hoka for sending", "hoka"),
        ("This video is sponsored by Rapha, obviously", "sponsored by rapha", "rapha"),
        ("sponsored by Rapha. Let's ride", "sponsored by Rapha", "rapha"),
        ("Probando @merrell estos días #publicidad", "#publicidad", "merrell"),
        ("Nuevas zapatillas #publi", "#publi", None),
        ("Colaboración pagada con Optimum Nutrition. 🥩", None, "optimumnutrition"),
        ("Usa mi código RUN20 para un 20% de descuento", "discount code RUN20", None),
        ("Neue Laufschuhe #werbung", "#werbung", None),
        ("Anzeige | @hoka Laufschuhe", None, "hoka"),
        ("ad: Kobo has been part of my routine", "ad:", "kobo"),
        ("#ad | Alo Yoga ✨", "#ad", "aloyoga"),
        ("In partnership with @dewalt. Building a shelf", "in partnership with @dewalt", "dewalt"),
        ("#gifted from the lovely team", "#gifted", None),
    ],
)
def test_textual_disclosure_detected(text, evidence, brand):
    for flag in (None, False):  # a strong disclosure overrides an explicit false flag
        s = detect_sponsorship(Post(text=text, sponsored=flag))
        assert s.sponsored is True
        if evidence is not None:
            assert s.evidence.lower() == evidence.lower()
        assert s.evidence
        if brand is not None:
            assert brand in s.brands


def test_flag_alone_marks_sponsored():
    s = detect_sponsorship(
        Post(text="Loving these for long runs", sponsored=True, brands=("Hoka",))
    )
    assert s == type(s)(True, ("hoka",), "marked sponsored")


def test_listed_brands_with_unknown_flag_count_as_partners():
    s = detect_sponsorship(Post(text="new kicks", sponsored=None, brands=("HOKA ONE ONE",)))
    assert s.sponsored is True
    assert s.brands == ("hokaoneone",)
    assert s.evidence == "partner brands listed"


def test_plain_brand_mention_is_not_sponsorship():
    text = "I love my old hoka shoes @hoka"
    assert detect_sponsorship(Post(text=text, sponsored=False)).sponsored is False
    s = detect_sponsorship(Post(text=text))
    assert s.sponsored is None
    assert s.brands == ()


@pytest.mark.parametrize(
    "text",
    [
        "Not sponsored, I just love @hoka",
        "#notanad just love these",
        "this is not an ad, bought them myself",
        "my code compiles now, thanks for the tips",
        "thanks so much for watching!",
        "Thanks everyone for sending your questions",
        "Gracias a todos por el envío de preguntas",
        "Love my partner, we ran 10k together",
        "Started reading about the ad industry",
    ],
)
def test_non_disclosures_are_not_sponsorship(text):
    assert detect_sponsorship(Post(text=text)).sponsored is None


def test_weak_cue_counts_only_when_flag_unknown():
    text = "Partnered with On Running on this one"
    s = detect_sponsorship(Post(text=text))
    assert s.sponsored is True
    assert s.brands == ("onrunning",)
    assert s.evidence == "partnered with On Running"
    assert detect_sponsorship(Post(text=text, sponsored=False)).sponsored is False


def test_mentions_in_sponsored_post_are_partners():
    s = detect_sponsorship(Post(text="Race day with @hoka and @strava #ad"))
    assert s.brands == ("hoka", "strava")


# -- sponsorship events ------------------------------------------------------------------------


def _creator() -> Creator:
    return Creator(
        creator_id="c1",
        handle="trail_tom",
        posts=(
            Post(text="easy miles today", posted_at=date(2026, 10, 30), sponsored=False),
            Post(text="#ad with @hoka, thanks @trail_tom", posted_at=date(2026, 10, 1)),
            Post(text="undated promo", sponsored=True, brands=("Salomon",)),
            Post(text="I love my old hoka shoes", posted_at=date(2026, 9, 1), sponsored=False),
        ),
    )


def test_sponsorship_events():
    events = sponsorship_events(_creator())
    assert [e.post_index for e in events] == [1, 2]
    assert events[0] == SponsorEvent(date(2026, 10, 1), ("hoka",), "#ad", 1)
    assert events[1] == SponsorEvent(None, ("salomon",), "marked sponsored", 2)
    assert sponsorship_events(Creator(creator_id="empty")) == []


def test_sponsor_event_serialises():
    events = sponsorship_events(_creator())
    as_json = json.loads(json.dumps([e.to_dict() for e in events]))
    assert [SponsorEvent.from_dict(d) for d in as_json] == events
    assert pickle.loads(pickle.dumps(events)) == events
    with pytest.raises(ValueError, match="post_index"):
        SponsorEvent.from_dict({"posted_at": None, "brands": [], "post_index": "1"})


# -- the real world catalogue ------------------------------------------------------------------


def _load_world(path: Path) -> list[Creator]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            posts = tuple(
                Post(
                    text=p.get("text", ""),
                    posted_at=date.fromisoformat(p["posted_at"][:10])
                    if p.get("posted_at")
                    else None,
                    sponsored=p.get("sponsored"),
                    brands=tuple(p.get("brands") or ()),
                )
                for p in d.get("posts") or ()
            )
            out.append(Creator(creator_id=d["creator_id"], handle=d.get("handle"), posts=posts))
    return out


@pytest.mark.skipif(not (WORLD / "creators.jsonl").exists(), reason="world data not present")
def test_world_catalogue_has_competitor_sponsorships():
    creators = _load_world(WORLD / "creators.jsonl")
    start = time.perf_counter()
    events = [sponsorship_events(c) for c in creators]
    elapsed = time.perf_counter() - start
    n_posts = sum(len(c.posts) for c in creators)
    print(f"\nsponsorship_events: {len(creators)} creators, {n_posts} posts in {elapsed:.2f}s")

    # every flagged post is found, and no post flagged false is counted without a disclosure
    flagged = {(i, j) for i, c in enumerate(creators) for j, p in enumerate(c.posts) if p.sponsored}
    found = {(i, e.post_index) for i, evs in enumerate(events) for e in evs}
    assert flagged <= found

    briefs = [json.loads(line) for line in (WORLD / "briefs.jsonl").open(encoding="utf-8")]
    with_competitors = [b for b in briefs if b.get("competitors")][:5]
    assert with_competitors
    for b in with_competitors:
        matcher = BrandMatcher(b["competitors"])
        hits = sum(
            1
            for c, evs in zip(creators, events, strict=True)
            for e in evs
            if matcher.match_indices(e.brands, c.posts[e.post_index].text)
        )
        assert hits >= 1, b["brief_id"]


def test_event_cache_parses_each_creator_once_and_stays_bounded(monkeypatch):
    import matcher.history as history

    calls: list[str] = []
    real = history.sponsorship_events

    def counted(c: Creator) -> list[SponsorEvent]:
        calls.append(c.creator_id)
        return real(c)

    monkeypatch.setattr(history, "sponsorship_events", counted)
    cache = history.EventCache(max_size=2)
    a = Creator("a", posts=(Post("#ad thanks @nike for the shoes"),))
    b, c = Creator("b"), Creator("c")
    first = cache.of([a, b])
    assert first[0] and first[0][0].brands and first[1] == []
    cache.of([a, b])
    assert calls == ["a", "b"]  # parsed once each
    cache.of([c])  # past max_size: the least recently used (a) goes
    assert len(cache) == 2
    cache.of([a])
    assert calls == ["a", "b", "c", "a"]
