"""Brand-name normalisation, keys and matching (matcher.brands)."""

from __future__ import annotations

from itertools import combinations

import pytest

from matcher.brands import (
    BrandMatcher,
    brand_key,
    brand_keys,
    display_brand,
    mentions,
    mentions_brand,
    normalize_text,
)

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


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        ("Under Armour", "#ad Look under the sink before you buy another cleaner @mrmuscle", ""),
        ("Beyond Meat", "#ad Going beyond my limits this month with @gymshark", ""),
        ("Away luggage", "#ad Packed and ready to get away for the weekend, thanks @samsonite", ""),
        ("Drunk Elephant", "#ad drunk on sunshine in this @glossier blush", ""),
        ("Google Pixel", "#ad just google it", ""),
        ("Google Pixel", "#ad Testing Google so you don't have to", "Google Pixel"),
        ("Google Pixel", "#AD TESTING GOOGLE", "Google Pixel"),
        ("Samsung Galaxy", "#ad been putting samsung to the test", "Samsung Galaxy"),
        ("Beyond Meat", "#ad Beyond is my go-to burger", "Beyond Meat"),
        ("HOKA ONE ONE", "#ad my hoka haul", "HOKA ONE ONE"),
        ("Logitech G", "#ad new logitech mouse", "Logitech G"),
        ("Nike Training", "#ad nike all week", "Nike Training"),
        ("Under Armour", "#ad under armour sent me these", "Under Armour"),
    ],
)
def test_first_word_alone_in_text_is_capitalised_when_an_everyday_word(name, text, named):
    """The first word of a longer name, written alone, names the brand in free text in any
    case when it is rare as a word ("hoka"), only capitalised when it is an everyday English
    word ("look under the sink" is not Under Armour work, "Testing Google" is Google's)."""
    assert BrandMatcher([name]).match_text(text) == ([named] if named else [])


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        ("Under Armour", "Under the radar gems for fall", ""),
        ("Under Armour", "Best week yet. Under the radar picks below", ""),
        ("Under Armour", 'my picks:\n"Under the radar" finds', ""),
        ("Beyond Meat", "\N{FIRE} Beyond grateful for you all", ""),
        ("Beyond Meat", "So good! Beyond Meat burgers tonight", "Beyond Meat"),  # the whole name
        ("Under Armour", "Loving my Under haul", "Under Armour"),  # a capital mid-sentence
        ("Under Armour", "UNDER HAUL TIME", "Under Armour"),  # capitals throughout
        ("Under Armour", "new gear, Under haul", "Under Armour"),
        ("Beyond Meat", "#ad Beyond is my go-to burger", "Beyond Meat"),  # after a hashtag
        ("Google Pixel", "NEW VIDEO: Google is part of my routine", "Google Pixel"),  # a colon
    ],
)
def test_an_everyday_first_word_at_a_sentence_start_names_no_brand(name, text, named):
    """Every sentence starts with a capital, so there it is no sign of a name: "Under the
    radar" is not Under Armour work. Elsewhere, or in capitals throughout, it still is."""
    assert BrandMatcher([name]).match_text(text) == ([named] if named else [])


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
        # a first word that is common but below the commonest still names its brand alone
        ("Google Pixel", "@madebygoogle"),
        ("Google Pixel", "google"),
        ("Brooks Running", "Brooks"),
        ("Under Armour", "@underarmour"),
        ("Under Armour", "UNDER ARMOUR"),
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
        # the first word alone, one of the commonest English words, names no brand
        ("Under Armour", "#under"),
        ("Under Armour", "@underdogcoffee"),
        ("Under Armour", "Underdog Coffee"),
        ("Away Luggage", "@awaydays"),
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


def test_a_hashtag_of_the_commonest_first_word_names_no_brand():
    m = BrandMatcher(["Under Armour", "Google Pixel"])
    assert m.match_text("#under #pressure new week") == []
    assert m.match_text("#underarmour drop") == ["Under Armour"]
    assert m.match_text("#google photos tips") == ["Google Pixel"]
