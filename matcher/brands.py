"""Brand names: canonical keys, the variants a brand is known by, and matching them.

:func:`brand_key` folds a brand name or handle to one canonical spelling: lower case, accents
stripped, ``@``/``#`` and every space, dot, underscore, hyphen and punctuation mark removed,
then corporate suffixes dropped while at least 3 characters remain ("rapha.cc" -> "rapha",
"belkin_official" -> "belkin", "ElvieHQ" -> "elvie"). Short suffixes ("co", "cc", "app", "inc",
...) only as a separate word ("Costco" stays); "official", "hq" also glued ("razerofficial").

:func:`brand_keys` adds the variants a brand is also known by:

* the name without trailing market or line descriptors ("uk", "usa", "running", "cycling",
  "fitness", "outdoors", "packs", "store", "women", "beauty", ...), glued or separate, when at
  least 4 characters remain: "castelli_cycling" -> "castelli", "whiskasuk" -> "whiskas";
* the first word of a name of several words when it is distinctive: at least 4 characters
  and not an ordinary word ("HOKA ONE ONE" -> "hoka", "Logitech G" -> "logitech"; but
  "New Balance", "Royal Canin", "Four Seasons", "The Ordinary" keep only their full key).
Matching (:class:`BrandMatcher`)
Two keys match when one of their variants is equal, or when the shorter key is distinctive
(not an ordinary word or a descriptor) and starts the longer one (>= 4 characters: "hoka"
matches "@hokarunning" and "hokaoneone") or ends it (>= 5 characters and not itself ending
in a descriptor: "kindle" matches "amazonkindle", "onrunning" does not match
"salomonrunning"). Keys of 2-3 characters ("On", "NB", "Alo") only match exactly: "on" never
matches "onrunning". Acronyms and numerals are not expanded ("NB" does not match "New
Balance", "4 Seasons" not "Four Seasons"); list both spellings as competitors.

In free text, a competitor is found when its name is written as a whole word or phrase, with
or without the separators the brief used ("Logitech G", "logitech-g", "logitechg"). A
one-word name that is also an ordinary word ("Moment", "Wise") must be capitalised there, as
must the first word of a longer name, written alone, when it is an everyday English word
(:func:`matcher.brand_words.everyday_english`): "Testing Google" names Google Pixel, "look
under the bed" does not name Under Armour. Names under 3 characters are never looked for in
free text (only as handles or partner lists).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from matcher.brand_words import (
    COMMON_WORDS,
    COMMONEST_ZIPF,
    CORPORATE_GLUED,
    CORPORATE_WORDS,
    DESCRIPTORS,
    DESCRIPTORS_GLUED,
    LONG_DESCRIPTORS,
    everyday_english,
)

__all__ = ["BrandMatcher", "brand_key", "brand_keys", "display_brand", "fold_accents",
           "mentions", "mentions_brand", "normalize_text"]  # fmt: skip


# -- normalisation ----------------------------------------------------------------------------

WS_RE = re.compile(r"\s+")
_KEY_WORD_RE = re.compile(r"[0-9a-z]+")


def fold_accents(s: str) -> str:
    """``s`` with accents removed and compatibility forms folded (NFKD), case kept."""
    if s.isascii():
        return s
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """:func:`fold_accents`, remembered: the same posts are checked for brief after brief."""
    return fold_accents(text)


def _sentence_start(text: str, m: re.Match[str]) -> bool:
    """Whether match ``m`` starts a sentence of ``text``: nothing before it but spaces, quotes or
    brackets, or a character that ends one (not a letter, digit or one of ``,;:&/-``: a full
    stop, a line break, an emoji). After a colon ("NEW VIDEO: Google is ..."), a hashtag or a
    handle ("#ad Beyond is my go-to") a capital still counts."""
    before = text[: m.start()].rstrip(" \t\"'“‘([")
    return not before or not (before[-1].isalnum() or before[-1] in ",;:&/-–—")


def normalize_text(s: str) -> str:
    """Lower-case, accent-free text with whitespace collapsed to single spaces."""
    return WS_RE.sub(" ", fold_accents(s).lower()).strip()


def key_words(name: str) -> list[str]:
    """The alphanumeric words of a brand name, folded ("hoka.one.one" -> hoka, one, one)."""
    return _KEY_WORD_RE.findall(fold_accents(name).lower())


def _strip_corporate(words: list[str]) -> list[str]:
    words = list(words)
    while len(words) > 1 and words[-1] in CORPORATE_WORDS and len("".join(words[:-1])) >= 3:
        words.pop()
    return words


@lru_cache(maxsize=65536)
def brand_key(name: str) -> str:
    """The canonical key of a brand name or handle: "HOKA ONE ONE", "@hoka_one_one" -> "hokaoneone".

    Lower case, accents stripped, ``@``/``#``, spaces, dots, underscores, hyphens and punctuation
    removed; corporate suffixes ("official", "hq", "cc", "app", "inc", "co", ...) dropped while at
    least 3 characters remain. Short suffixes are only dropped as separate words ("Costco" stays).
    """
    words = _strip_corporate(key_words(name))
    key = "".join(words)
    changed = True
    while changed:
        changed = False
        for suffix in CORPORATE_GLUED:
            if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                key = key[: -len(suffix)]
                changed = True
    return key


def _strip_descriptors_glued(key: str) -> str:
    """``key`` without glued-on trailing descriptors, keeping at least 4 characters."""
    changed = True
    while changed:
        changed = False
        for d in DESCRIPTORS_GLUED:
            if key.endswith(d) and len(key) - len(d) >= 4:
                key = key[: -len(d)]
                changed = True
                break
    return key


def _is_distinctive(word: str) -> bool:
    return len(word) >= 4 and word not in COMMON_WORDS and not word.isdigit()


@lru_cache(maxsize=65536)
def brand_keys(name: str) -> frozenset[str]:
    """The full :func:`brand_key` of ``name`` plus the variants it is also known by.

    Variants: the name without trailing descriptors ("castelli_cycling" -> "castelli",
    "whiskasuk" -> "whiskas", "Brooks Running" -> "brooks"), at least 4 characters left; and
    the first word of a multi-word name when it is distinctive, i.e. >= 4 characters and not an
    ordinary word ("HOKA ONE ONE" -> "hoka", "Logitech G" -> "logitech"; "New Balance" and
    "Royal Canin" are never reduced to "new" / "royal", nor "Under Armour", whose first word
    is one of the commonest in English, to "under").
    """
    full = brand_key(name)
    if not full:
        return frozenset()
    keys = {full}
    words = _strip_corporate(key_words(name))
    # separate trailing descriptor words
    trimmed = list(words)
    while len(trimmed) > 1 and trimmed[-1] in DESCRIPTORS and len("".join(trimmed[:-1])) >= 4:
        trimmed.pop()
    if trimmed:
        keys.add("".join(trimmed))
    # glued descriptors ("hokarunning"), also after removing separate ones
    for k in list(keys):
        keys.add(_strip_descriptors_glued(k))
    # distinctive first word, unless one of the commonest words: "#under" or a partner
    # "Underdog Coffee" does not name Under Armour (free text asks a capital of any everyday
    # first word instead: BrandMatcher)
    if (
        len(words) >= 2
        and _is_distinctive(words[0])
        and not everyday_english(words[0], COMMONEST_ZIPF)
    ):
        keys.add(words[0])
    return frozenset(k for k in keys if k)


_DOTTED_SUFFIX_RE = re.compile(r"\.(?:cc|co|io|app)$")
_UNDERSCORE_SUFFIX_RE = re.compile(r"_(?:official|officiel|oficial|hq|app)$")


def display_brand(name: str) -> str:
    """A brand as the user wrote it, for messages: without ``@``/``#``. An all-lowercase,
    handle-like name is tidied: "hoka" -> "Hoka", "logitech g" -> "Logitech G",
    "rapha.cc" -> "Rapha", "belkin_official" -> "Belkin", "on_running" -> "On Running";
    any other spelling is kept ("HOKA", "CeraVe", "booking.com" -> "Booking.com")."""
    s = name.strip().lstrip("@#").strip()
    if s and s == s.lower():
        s = _UNDERSCORE_SUFFIX_RE.sub("", _DOTTED_SUFFIX_RE.sub("", s)).replace("_", " ")
        s = " ".join(w[:1].upper() + w[1:] for w in s.split())
    return s


# -- mentions ---------------------------------------------------------------------------------

_MENTION_RE = re.compile(r"(?<![\w@#])([@#])(\w(?:[\w.]*\w)?)")


@lru_cache(maxsize=65536)  # the same sponsored posts are checked brief after brief
def mention_keys(text: str) -> tuple[tuple[str, bool], ...]:
    """(:func:`brand_key`, is a handle) of each ``@handle``/``#tag`` in ``text``, remembered."""
    return tuple((brand_key(m.group(2)), m.group(1) == "@") for m in _MENTION_RE.finditer(text))


def mentions(text: str) -> list[str]:
    """The ``@handles`` and ``#tags`` in ``text``, in order, with their sigil ("@hoka", "#ad")."""
    return [m.group(1) + m.group(2) for m in _MENTION_RE.finditer(text)]


def handles(text: str) -> list[str]:
    return [m.group(2) for m in _MENTION_RE.finditer(text) if m.group(1) == "@"]


# -- brand matching ---------------------------------------------------------------------------


def _contains(short: str, long: str) -> bool:
    """``short`` names the same brand as the longer key ``long``.

    ``short`` must be distinctive (not an ordinary word, one of the commonest English words or
    a descriptor) and either start ``long`` (at least 4 characters: "hoka" in "hokarunning")
    or end it (at least 5 characters and not itself ending in a descriptor: "kindle" in
    "amazonkindle", but "onrunning" is not found in "salomonrunning").
    """
    if short in COMMON_WORDS or short in DESCRIPTORS or everyday_english(short, COMMONEST_ZIPF):
        return False
    if len(short) >= 4 and long.startswith(short):
        return True
    return len(short) >= 5 and long.endswith(short) and not short.endswith(LONG_DESCRIPTORS)


def _keys_match(a: frozenset[str], b: frozenset[str], contain: bool) -> bool:
    if a & b:
        return True
    if not contain:
        return False
    for x in a:
        for y in b:
            if len(x) < len(y):
                if _contains(x, y):
                    return True
            elif len(y) < len(x) and _contains(y, x):
                return True
    return False


_PHRASE_SEP = r"[\s._-]?"


def _phrase_pattern(name: str) -> tuple[str, str, bool, str] | None:
    """A regex for ``name`` in free text, the key a match folds to, whether the name must be
    capitalised there, and its words joined (what any match is, folded to [0-9a-z]).

    Words of the name may be joined by nothing or by a space, dot, underscore or hyphen. A name
    that becomes one word once its corporate suffix is dropped ("rapha.cc" -> "rapha"), and a
    one-word name that is short or an ordinary word, must be capitalised in the text.
    """
    all_words = key_words(name)
    words = _strip_corporate(all_words)
    joined = "".join(words)
    if len(joined) < 3:
        return None
    body = _PHRASE_SEP.join(re.escape(w) for w in words)
    needs_capital = len(words) == 1 and (
        joined in COMMON_WORDS or len(joined) < 4 or len(all_words) > 1
    )
    return body, brand_key(joined), needs_capital, joined


def _alternation(bodies: set[str], flags: int) -> re.Pattern[str] | None:
    """One regex matching any of ``bodies`` as a whole word (not inside a handle or hashtag)."""
    if not bodies:
        return None
    alternatives = "|".join(sorted(bodies, key=len, reverse=True))
    return re.compile(rf"(?<![\w@#-])(?:{alternatives})(?![\w-])", flags)


class BrandMatcher:
    """Tells which of a list of competitors a set of brand keys, or a raw text, names.

    Built once per brief from its competitor names (any spelling: "HOKA ONE ONE", "@hoka",
    "hokaoneone"). :meth:`match_keys` compares brand keys (partners of a sponsored post);
    :meth:`match_text` also reads free text, handles and hashtags. Both return the competitor
    names as the brief wrote them (see :func:`display_brand`), in brief order.
    """

    def __init__(self, competitors: Iterable[str]) -> None:
        #: competitor names for messages, in brief order, one per distinct brand key
        self.competitors: list[str] = []
        #: each competitor's key variants (:func:`brand_keys`)
        self.keys: list[frozenset[str]] = []
        self._cache: dict[str, tuple[int, ...]] = {}
        self._phrase_owner: dict[str, list[int]] = {}
        #: phrases that are only an everyday first word ("under" of "Under Armour"): its capital
        #: names the brand, except where a sentence starts (:func:`_sentence_start`)
        self._weak: set[str] = set()
        full: set[str] = set()
        #: each free-text phrase's words joined, lower case (:mod:`matcher.competitor_search`)
        self.phrases: list[str] = []
        seen: set[str] = set()
        insensitive: set[str] = set()
        sensitive: set[str] = set()
        for raw in competitors:
            name = (raw or "").strip().lstrip("@#").strip()
            key = brand_key(name)
            if not key or key in seen:
                continue
            seen.add(key)
            i = len(self.competitors)
            self.competitors.append(display_brand(name))
            self.keys.append(brand_keys(name))
            words = key_words(name)
            variants = [(name, False)]  # (text, the first word of a longer name)
            if len(words) >= 2 and _is_distinctive(words[0]):
                variants.append((words[0], True))
            for v, first in variants:
                built = _phrase_pattern(v)
                if built is None:
                    continue
                body, phrase_key, needs_capital, joined = built
                # the first word alone, an everyday word: a name only when capitalised
                weak = first and everyday_english(joined)
                needs_capital = needs_capital or weak
                (self._weak if weak else full).add(phrase_key)
                self.phrases.append(joined)
                owners = self._phrase_owner.setdefault(phrase_key, [])
                if i not in owners:
                    owners.append(i)
                if needs_capital:
                    sensitive.update({body.capitalize(), body.upper()})
                else:
                    insensitive.add(body)
        self._weak -= full
        self._text_ci = _alternation(insensitive, re.IGNORECASE)
        self._text_cs = _alternation(sensitive, 0)

    def __len__(self) -> int:
        return len(self.competitors)

    def __bool__(self) -> bool:
        return bool(self.competitors)

    def _match_key(self, key: str, contain: bool = True) -> tuple[int, ...]:
        cache_key = key if contain else "\0" + key
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        variants = brand_keys(key)
        out = tuple(i for i, ck in enumerate(self.keys) if _keys_match(ck, variants, contain))
        self._cache[cache_key] = out
        return out

    def match_indices(self, keys: Iterable[str], text: str | None = None) -> set[int]:
        """Indices (into :attr:`competitors`) named by ``keys`` or by ``text``."""
        found: set[int] = set()
        for k in keys:
            found.update(self._match_key(k))
        if text:
            found.update(self._text_indices(text))
        return found

    def _text_indices(self, text: str) -> set[int]:
        found: set[int] = set()
        for key, contain in mention_keys(text):  # a handle may contain a brand: "@hokarunning"
            found.update(self._match_key(key, contain=contain))
        folded = _folded(text)
        for pattern in (self._text_ci, self._text_cs):
            if pattern is None:
                continue
            for m in pattern.finditer(folded):
                key = brand_key(m.group(0))
                if key in self._weak and not m.group(0).isupper() and _sentence_start(folded, m):
                    continue  # "Under the radar": a capital any sentence starts with
                found.update(self._phrase_owner.get(key, ()))
        return found

    def match_keys(self, keys: Iterable[str]) -> list[str]:
        """The competitors (as the brief wrote them) that any of the brand ``keys`` names."""
        return [self.competitors[i] for i in sorted(self.match_indices(keys))]

    def match_text(self, text: str) -> list[str]:
        """The competitors named in ``text``: as words, handles (``@hokarunning``) or hashtags."""
        return [self.competitors[i] for i in sorted(self._text_indices(text))]


def mentions_brand(sponsorship_brands: Iterable[str], competitor: str) -> bool:
    """True when any of the brand names/keys names ``competitor`` (any spelling)."""
    return bool(BrandMatcher([competitor]).match_keys(b for b in sponsorship_brands if b))
