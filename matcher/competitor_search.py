"""Which candidates may have promoted a brief's competitor, found without reading their posts.

When a catalogue row is written, its sponsored posts (:func:`matcher.history.sponsorship_events`)
leave a *search text* (:func:`search_text`): each post's partner keys, the keys of its
``@handles`` and ``#tags`` and its text folded to ``[0-9a-z]`` (:func:`squash`), separated by
spaces, one post after the other separated by ``|``. For a brief, :func:`needles` gives short
strings at least one of which is in the search text of every sponsored post in which
:class:`matcher.brands.BrandMatcher` could find a competitor. SQLite keeps the candidates
whose text holds one (:meth:`matcher.catalogue.CatalogueDB.sponsor_texts`); only their
sponsored posts are read, and only those whose part holds one (:func:`may_name`) are matched
exactly (the conflict signal). The others name no competitor: the same result without reading
or matching them.

Why no competitor work is missed (the needles find a superset):

* A brand key ``m`` (a partner, an ``@handle`` or a ``#tag``) is ``[0-9a-z]*`` and each of its
  variants (:func:`matcher.brands.brand_keys`) is a prefix of it. A competitor variant ``x``
  matches a variant ``y`` of ``m`` when ``x == y``, when ``x`` starts or ends ``y`` (``x`` is
  then inside ``m``), when ``y`` (4 characters or more) starts ``x`` (then ``x[:4]`` starts
  ``m``) or when ``y`` (5 or more) ends ``x`` (then ``x[-5:]`` ends ``y``, inside ``m``). So
  ``x[:4]`` or ``x[-5:]`` is inside ``m``, or ``x`` itself when shorter than 4 characters.
* A phrase found in free text is its words, each separated by at most one space, dot,
  underscore or hyphen, matched in the accent-folded text ignoring case (or capitalised).
  Squashed to ``[0-9a-z]``, with every character that Python's ``re`` matches to an ASCII letter
  or digit when ignoring case mapped to it (the Kelvin sign, a dotless ı, a long ſ), the text
  then holds the phrase's words joined (:attr:`matcher.brands.BrandMatcher.phrases`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from matcher.brands import BrandMatcher, fold_accents, key_words, mention_keys
from matcher.history import SponsorEvent
from matcher.schema import Creator

#: the version of :func:`search_text`: texts written under another are not used
SEARCH_VERSION = 1

_NOT_KEY = re.compile(r"[^0-9a-z]+")


#: the non-ASCII characters that Python's ``re`` matches to an ASCII letter or digit when
#: ignoring case (tests/test_competitor_search.py checks every code point)
ASCII_EQUIVALENTS = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def squash(text: str) -> str:
    """``text`` accent-folded, lower case, and reduced to ``[0-9a-z]`` (characters that ``re``
    matches to one of those when ignoring case become it; every other one is dropped)."""
    folded = fold_accents(text)
    if not folded.isascii():
        folded = folded.translate(ASCII_EQUIVALENTS)
    return _NOT_KEY.sub("", folded.lower())


def search_text(creator: Creator, events: Sequence[SponsorEvent]) -> str:
    """What a brief's :func:`needles` are looked for in: for each sponsored post, its partner
    keys, the keys of its ``@handles``/``#tags`` and its :func:`squash`-ed text, separated by
    spaces; the posts' parts separated by ``|`` (:func:`may_name`)."""
    return "|".join(_event_text(creator, ev) for ev in events)


def _event_text(creator: Creator, ev: SponsorEvent) -> str:
    parts = ["".join(key_words(b)) for b in ev.brands]
    if 0 <= ev.post_index < len(creator.posts):
        text = creator.posts[ev.post_index].text
        if text:
            parts.extend(key for key, _ in mention_keys(text))
            parts.append(squash(text))
    return " ".join(p for p in parts if p)


def may_name(
    text: str, events: Sequence[SponsorEvent], needles: Sequence[str]
) -> list[SponsorEvent]:
    """The ``events`` (those :func:`search_text` was made of) whose part of ``text`` holds one of
    ``needles``: the others name no competitor. All of them if the parts do not line up."""
    parts = text.split("|")
    if len(parts) != len(events):
        return list(events)
    return [ev for ev, part in zip(events, parts, strict=True) if holds(part, needles)]


def holds(text: str, needles: Sequence[str]) -> bool:
    """Whether ``text`` holds one of ``needles``."""
    return any(n in text for n in needles)


def needles(matcher: BrandMatcher) -> list[str]:
    """Strings of which one is in the :func:`search_text` of every creator whose sponsored
    posts ``matcher`` could find naming a competitor (see the module's docstring)."""
    out: set[str] = set(matcher.phrases)
    for variants in matcher.keys:
        for x in variants:
            out.add(x[:4])
            if len(x) >= 5:
                out.add(x[-5:])
    return sorted(n for n in out if n)
