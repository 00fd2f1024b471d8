"""Text normalisation, brand keys and matching, sponsorship detection (matcher.text)."""

from __future__ import annotations

import json
import pickle
import time
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from matcher.schema import Creator, Post
from matcher.text import (
    BrandMatcher,
    SponsorEvent,
    brand_key,
    brand_keys,
    detect_sponsorship,
    display_brand,
    mentions,
    mentions_brand,
    normalize_text,
    sponsorship_events,
)

WORLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "world"

# -- normalisation and keys --------------------------------------------------------------------


def test_normalize_text_folds_case_accents_and_space():
    assert normalize_text("  Colaboración   PAGADA\ncon Café ") == "colaboracion pagada con cafe"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("HOKA ONE ONE", "hokaoneone"),
        ("@hoka", "hoka"),
        ("hoka.one.one", "hokaoneone"),
        ("#Hoka", "hoka"),
        ("rapha.cc", "rapha"),
        ("belkin_official", "belkin"),
        ("razerofficial", "razer"),
        ("ElvieHQ", "elvie"),
        ("Fenty Beauty", "fentybeauty"),
        ("L'Oréal", "loreal"),
        ("Booking.com", "booking"),
        ("Costco", "costco"),  # a glued short suffix ("co") is not dropped
        ("Acme Co", "acme"),
        ("Joe & Co", "joe"),
        ("A Co", "aco"),  # dropping "co" would leave fewer than 3 characters
    ],
)
def test_brand_key(name, key):
    assert brand_key(name) == key


def test_brand_keys_variants():
    assert {"hokaoneone", "hoka"} <= brand_keys("HOKA ONE ONE")
    assert {"logitechg", "logitech"} <= brand_keys("logitech g")
    assert "castelli" in brand_keys("castelli_cycling")
    assert "whiskas" in brand_keys("whiskasuk")
    assert "brooks" in brand_keys("Brooks Running")
    assert "fenty" in brand_keys("@fentybeauty")


@pytest.mark.parametrize("name", ["New Balance", "Royal Canin", "Four Seasons", "The Ordinary"])
def test_brand_keys_never_reduce_to_an_ordinary_first_word(name):
    first = name.split()[0].lower()
    assert first not in brand_keys(name)
    assert brand_keys(name) == {brand_key(name)}


def test_brand_key_of_nothing():
    assert brand_key("@") == ""
    assert brand_keys("  ") == frozenset()
    assert not mentions_brand(["hoka"], "")


def test_display_brand():
    assert display_brand("@hoka") == "Hoka"
    assert display_brand("logitech g") == "Logitech G"
    assert display_brand("rapha.cc") == "Rapha"
    assert display_brand("HOKA ONE ONE") == "HOKA ONE ONE"
    assert display_brand("CeraVe") == "CeraVe"


def test_mentions():
    text = "Thanks @hoka.one.one. for the shoes #ad #colaboración, mail me@x.com @Trail_Runner"
    assert mentions(text) == ["@hoka.one.one", "#ad", "#colaboración", "@Trail_Runner"]
    assert mentions("no tags here") == []


# -- brand matching ----------------------------------------------------------------------------

HOKA_SPELLINGS = ["HOKA ONE ONE", "@hoka", "hokaoneone", "Hoka", "hoka.one.one", "#hoka"]


@pytest.mark.parametrize(("a", "b"), list(combinations(HOKA_SPELLINGS, 2)))
def test_brand_spellings_match_each_other(a, b):
    assert mentions_brand([a], b)
    assert mentions_brand([b], a)
    assert BrandMatcher([a]).match_keys([brand_key(b)]) == [display_brand(a)]


@pytest.mark.parametrize(
    ("competitor", "partner"),
    [
        ("logitech g", "@logitechg"),
        ("Logitech G", "LogitechG"),
        ("Fenty Beauty", "@fentybeauty"),
        ("fenty beauty", "Fenty"),
        ("rapha.cc", "Rapha"),
        ("@rapha", "rapha.cc"),
        ("Castelli", "castelli_cycling"),
        ("Hoka", "@hokarunning"),
        ("Kindle", "amazonkindle"),
        ("CeraVe", "cera ve"),
        ("Revolut", "revolutapp"),
    ],
)
def test_competitor_matches_partner_spelling(competitor, partner):
    assert mentions_brand([partner], competitor)
    assert BrandMatcher([competitor]).match_keys([brand_key(partner)]) == [
        display_brand(competitor)
    ]


@pytest.mark.parametrize(
    ("competitor", "partner"),
    [
        ("New Balance", "new"),
        ("New Balance", "@newyorker"),
        ("On", "onrunning"),  # keys under 4 characters only match exactly
        ("On", "@online"),
        ("on running", "salomonrunning"),  # ends with it, but "onrunning" ends in a descriptor
        ("Hoka", "@hokkaido"),
        ("Moment", "@momentsofjoy"),  # an ordinary word is never matched inside a handle
        ("Hoka", "Salomon"),
    ],
)
def test_competitor_does_not_match_unrelated_partner(competitor, partner):
    assert not mentions_brand([partner], competitor)
    assert BrandMatcher([competitor]).match_keys([brand_key(partner)]) == []


def test_matcher_reads_free_text_handles_and_tags():
    m = BrandMatcher(["HOKA ONE ONE", "logitech g", "@hyperx"])
    assert m.competitors == ["HOKA ONE ONE", "Logitech G", "Hyperx"]
    assert m.match_text("Hoka has been part of my routine") == ["HOKA ONE ONE"]
    assert m.match_text("testing the Hoka-One-One mafate") == ["HOKA ONE ONE"]
    assert m.match_text("new mouse from LOGITECH G today") == ["Logitech G"]
    assert m.match_text("#ad | @hokarunning") == ["HOKA ONE ONE"]
    assert m.match_text("#hyperx setup tour") == ["Hyperx"]
    assert m.match_text("hoka and @hyperx") == ["HOKA ONE ONE", "Hyperx"]
    assert m.match_text("a trip to hokkaido, nothing else") == []
    assert m.match_indices(["hyperx"], "hoka") == {0, 2}


def test_matcher_text_needs_capital_for_ordinary_words():
    m = BrandMatcher(["Moment"])
    assert m.match_text("A moment of quiet luxury.") == []
    assert m.match_text("New favourite from Moment.") == ["Moment"]
    assert m.match_text("MOMENT has been in my bag") == ["Moment"]


def test_matcher_never_reads_two_letter_names_in_text():
    m = BrandMatcher(["On"])
    assert m.match_text("On my way to the track, on repeat") == []
    assert m.match_keys(["on"]) == ["On"]


def test_new_balance_is_not_new():
    m = BrandMatcher(["New Balance"])
    assert m.match_text("my new shoes are great") == []
    assert m.match_keys(["new"]) == []
    assert m.match_keys(["newbalance"]) == ["New Balance"]
    assert m.match_text("NEW BALANCE has been part of my routine") == ["New Balance"]


def test_matcher_dedupes_and_skips_empty_competitors():
    m = BrandMatcher(["Hoka", "@hoka", "", "  ", "HOKA"])
    assert m.competitors == ["Hoka"]
    assert len(m) == 1 and bool(m)
    assert not BrandMatcher([])


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
