"""The words brand names are read with: corporate suffixes, market and line descriptors,
ordinary words (:mod:`matcher.brands`), and whether a word is everyday English."""

from __future__ import annotations

from functools import lru_cache


def wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: corporate / web suffixes, dropped from a key when written as a separate word
CORPORATE_WORDS = wordset(
    "official officiel oficial hq cc app inc co com ltd llc gmbh io net org plc corp"
)
#: corporate suffixes also dropped when glued to the name ("razerofficial", "elviehq")
CORPORATE_GLUED = ("official", "officiel", "oficial", "hq")
#: market and product-line descriptors that brands append to handles ("hokarunning", "lidlgb")
DESCRIPTORS = (
    "official", "hq", "app", "global", "world", "worldwide", "store", "shop", "online",
    "usa", "us", "uk", "gb", "eu", "nyc", "running", "run", "cycling", "fitness", "outdoors",
    "outdoor", "tools", "packs", "mobile", "hotels", "resorts", "books", "beauty", "cosmetics",
    "women", "womens", "men", "mens", "kids", "sport", "sports", "nutrition", "gaming",
    "esports", "home", "brand", "team", "de", "es", "fr", "it", "au", "ca", "mx",
)  # fmt: skip
#: descriptors that may only be stripped when written as a separate word (too short when glued)
DESCRIPTORS_WORD_ONLY = wordset("de es fr it au ca mx run home team")
LONG_DESCRIPTORS = tuple(d for d in DESCRIPTORS if len(d) >= 3)
DESCRIPTORS_GLUED = tuple(
    sorted((d for d in DESCRIPTORS if d not in DESCRIPTORS_WORD_ONLY), key=len, reverse=True)
)

#: ordinary words: never used alone as a brand variant, and matched in free text only when
#: capitalised. General English/Spanish vocabulary, not a list of brands.
COMMON_WORDS = wordset(
    """
    a an the and or of in on at to for by with from my our your their his her its this that
    new old big best good great top first last next one two three four five six seven eight nine
    ten hundred red blue green black white gold golden silver pink orange yellow purple brown grey
    gray royal west east north south central hello hi hey love life live living home house world
    city club team pro plus max mini ultra super smart simple pure true real free happy little
    daily fresh urban natural organic planet power total magic wild active body beauty style
    fashion market general national american british united global international original
    classic prime premium modern better open clear bright light dark sun moon star stars sky sea
    ocean river mountain mountains forest earth fire water air energy nature moment moments wise
    time day days night year way well good kind nice sweet baby kids family mother father mama
    papa friend friends people man men woman women girl girls boy boys game games play player
    sport sports fit fitness run running ride cycling yoga food kitchen coffee tea shop store
    brand studio lab labs co company group media news art design create story stories book books
    pixel optimum willow apple target shell monster
    el la los las de del y con para por mi tu su nuevo nueva casa vida amor mundo sol
    der die das und mit für fur mein dein neu
    """
)


#: an everyday English word is written at least this often: Zipf 4.5 on wordfreq's scale, about
#: 30 times per million words ("under" 5.7, "beyond" 5.0, "google" 4.9, "drunk" 4.6; not
#: "samsung" 4.1, "brooks" 4.0, "nike" 3.9, "logitech" 2.9, "hoka" 1.8)
EVERYDAY_ZIPF = 4.5

#: a word too common to name a brand alone as a handle, hashtag or partner key: Zipf 5.0, about
#: 100 per million words ("under" 5.7, "away" 5.6, "better" 5.8; not "beyond" 5.0, "google"
#: 4.9, "youtube" 4.7, "amazon" 4.6: "@madebygoogle" names Google Pixel)
COMMONEST_ZIPF = 5.0


@lru_cache(maxsize=65536)
def everyday_english(word: str, zipf: float = EVERYDAY_ZIPF) -> bool:
    """Whether ``word`` is written at least ``zipf`` often in English (default
    :data:`EVERYDAY_ZIPF`), by wordfreq's bundled frequency lists (imported when first needed:
    0.3 s; nothing is downloaded)."""
    from wordfreq import zipf_frequency

    return bool(zipf_frequency(word, "en") >= zipf)
