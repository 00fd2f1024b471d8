"""Sponsorship detection: which posts are sponsored, and by whom (brand names: :mod:`matcher.brands`).

Pure functions over :mod:`matcher.schema` nouns; no heavy imports. Everything that runs once per
post (137k posts at index time) uses regexes compiled at import time and returns early when a
post carries no sign of sponsorship.

Sponsorship (:func:`detect_sponsorship`)
    A post is sponsored when its ``sponsored`` flag is true, when its text discloses it (strong
    cues: "#ad", "ad:", "#sponsored", "#partner", "#gifted", "paid partnership", "sponsored by",
    "in partnership with", "thanks @x for sending", a discount code, "#publi"/"#publicidad",
    "colaboración pagada", "#werbung"/"Anzeige", ...), or, when the flag is unknown, when it
    lists partner brands or says "partnered with @x". An explicit ``sponsored: false`` is only
    overridden by a strong disclosure. Negations ("not sponsored", "#notanad") are not cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.brand_words import wordset
from matcher.brands import WS_RE, brand_key, handles
from matcher.schema import Post

__all__ = ["Sponsorship", "detect_sponsorship"]

# -- sponsorship ------------------------------------------------------------------------------

#: negated disclosures ("not sponsored", "#notanad"), removed before looking for cues
_NEGATION_RE = re.compile(
    r"#?\bnot?\s*(?:an?\s+)?(?:#?ad\b|#?sponsored|#?paid|a\s+sponsored)"
    r"|#not(?:an)?(?:ad|sponsored|spon)\b|#nonsponsored|\bunsponsored\b|#?\bnon[- ]sponsored\b"
    r"|\bno\s+(?:es\s+)?(?:publi|publicidad|patrocinado)\b|\bnicht\s+gesponsert\b"
    r"|\bunbezahlt(?:e)?\b",
    re.IGNORECASE,
)
_NEGATION_ANCHORS = ("not", "no ", "non", "unspons", "nicht", "unbezahlt")


def _tags(group: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), group)


#: disclosure hashtags (lower case, without "#") -> cue group
_DISCLOSURE_TAGS: dict[str, str] = {
    **_tags("tag_ad", "ad advert advertisement advertising anuncio anzeige werbung pub"),
    **_tags("tag_sponsored", "sponsored sponsoredpost spon sponsor sponsorise sponsorisé"),
    **_tags("tag_sponsored", "patrocinado patrocinio publi publicidad"),
    **_tags(
        "tag_partner",
        "partner partnership paidpartnership paidpartner paidpost brandpartner brandambassador"
        " ambassador collab colab colaboracion colaboración colaboracionpagada"
        " colaboraciónpagada partenariat affiliate affiliatelink afiliado",
    ),
    **_tags("tag_gifted", "gifted giftedbybrand prgift prpackage regalo regalado"),
}
_HASHTAG_RE = re.compile(r"#(\w+)")


def _cue(anchors: str, group: str, pattern: str) -> tuple[tuple[str, ...], str, re.Pattern[str]]:
    return tuple(anchors.split("/")), group, re.compile(pattern)


#: phrase cues, matched on lower-cased text: (anchor substrings, group, regex). The substring
#: test is a cheap necessary condition that skips the regex on almost every post.
_PHRASE_CUES = (
    _cue("paid", "paid", r"\bpaid\s+(?:partnership|promotion|post|collab(?:oration)?)\b"),
    _cue(
        "sponsored",
        "sponsored_by",
        r"\bsponsored\s+by\b|\bthis\s+(?:post|video|reel)\s+is\s+sponsored\b"
        r"|\bsponsored\s+(?:post|video|content)\b",
    ),
    _cue("partnership", "partnership", r"\bin\s+(?:paid\s+)?partnership\s+with\b"),
    _cue(
        "colaboraci/patrocin/publicidad",
        "es_collab",
        r"\bcolaboraci[oó]n\s+pagada\b|\ben\s+colaboraci[oó]n\s+con\b|\bpatrocinado\s+por\b"
        r"|(?<![\w#])publicidad\b",
    ),
    _cue(
        "partnerschaft/werbung/anzeige",
        "de_collab",
        r"\bbezahlte\s+partnerschaft\b|(?<![\w#])(?:werbung|anzeige)\b(?=\s*(?:[|:*\-–]|$))",
    ),
    # verified on the original text by _THANKS_RE (the thanked name must be a brand-like name)
    _cue("thank/gracias", "thanks", r"\bthanks?\b|\bthank\s+you\b|\bgracias\b"),
    _cue("gifted/package", "gifted_by", r"\bgifted\s+by\b|\bpr\s+package\s+from\b"),
    _cue(
        "code/digo",
        "code",
        r"\b(?:use|using|enter|apply|with)\s+(?:my\s+|the\s+|our\s+)?"
        r"(?:discount\s+|promo\s+|coupon\s+)?code\b"
        r"|\b(?:discount|promo|coupon|rabatt|gutschein)\s*-?\s*code\b"
        r"|\b(?:usa|con|utiliza)\s+(?:mi\s+|el\s+)?c[oó]digo\b|\bmit\s+(?:meinem\s+|dem\s+)?code\b",
    ),
    _cue(
        "ad:/ad |/ad|/ad :/(ad)/[ad]/anzeige/werbung/publi",
        "ad_sep",
        r"(?<![\w#@])(?:ad|anzeige|werbung|publi|publicidad)\s*[:|]"
        r"|[\[(](?:ad|anzeige|werbung|publi)[\])]",
    ),
)
#: weak cues: they count only when the post's flag is unknown
_WEAK_CUE = _cue(
    "partnered/partnering/teamed/collaborat/collabing/zusammenarbeit/colaborando",
    "weak",
    r"\b(?:partnered|partnering|teamed\s+up|collab(?:orat)?ing)\s+with\b"
    r"|\bin\s+collaboration\s+with\b|\bin\s+zusammenarbeit\s+mit\b|\bcolaborando\s+con\b",
)


_CODE_VALUE_RE = re.compile(
    r"\bcode\s*:?\s*[\"'“]?(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,24})"
    r"|\bc[oó]digo\s*:?\s*[\"'“]?(?P<codigo>[A-Za-z0-9][A-Za-z0-9_-]{2,24})",
    re.IGNORECASE,
)
_CODE_BRAND_RE = re.compile(r"\b(?:at|on|from|en|bei|auf)\s+(?P<name>@[\w.]*\w)", re.IGNORECASE)

# A partner name after a phrase: a handle, or up to 4 words (cut at stop words and punctuation).
_NAME = r"(?P<name>@[\w.]*\w|[^\W_][\w.'’&+-]*(?:[ \t]+[^\W_][\w.'’&+-]*){0,3})"
_NAME_AFTER_RE = re.compile(
    r"(?:\bpaid\s+partnership\s+with|\bsponsored\s+by|\bin\s+(?:paid\s+)?partnership\s+with"
    r"|\bpartnered\s+with|\bpartnering\s+with|\bteamed\s+up\s+with|\bin\s+collaboration\s+with"
    r"|\bgifted\s+by|\bpr\s+package\s+from|\bcolaboraci[oó]n\s+pagada\s+con|\ben\s+colaboraci[oó]n\s+con"
    r"|\bpatrocinado\s+por|\bbezahlte\s+partnerschaft\s+mit|\bin\s+zusammenarbeit\s+mit)\s+"
    + _NAME,
    re.IGNORECASE,
)
_THANKS_RE = re.compile(
    r"\b(?:thanks?|thank\s+you)\s+(?:to\s+)?"
    r"(?P<name>@[\w.]*\w|[^\W_][\w.'’&+-]*(?:\s+[^\W_][\w.'’&+-]*){0,2})\s+for\s+"
    r"(?:sending|gifting|the\s+gift|the\s+package|partnering|sponsoring)"
    r"|\bgracias\s+(?:a\s+)?"
    r"(?P<nombre>@[\w.]*\w|[^\W_][\w.'’&+-]*(?:\s+[^\W_][\w.'’&+-]*){0,2})\s+por\s+"
    r"(?:el\s+env[ií]o|enviarme|el\s+regalo|patrocinar)",
    re.IGNORECASE,
)
#: "ad: Brand", "#ad | @brand": the name must be a handle or end at punctuation / end of line
_NAME_AD_SEP_RE = re.compile(
    r"(?<![\w@])(?:#?ad|#?anzeige|#?werbung|#?publi)\s*[:|]\s*"
    r"(?P<name>@[\w.]*\w|[^\W_][\w.'’&+-]*(?:[ \t]+[^\W_][\w.'’&+-]*){0,2}(?=\s*(?:$|[^\w\s@'’&.+-]|#|\n)))",
    re.IGNORECASE,
)
_NAME_AD_SEP_ONE_RE = re.compile(
    r"(?<![\w@])(?:#?ad|#?anzeige|#?werbung|#?publi)\s*[:|]\s*(?P<name>[^\W_][\w.'’&+-]*)",
    re.IGNORECASE,
)
_NAME_TAG_HANDLE_RE = re.compile(r"#(?P<tag>\w+)\s*\|?\s*(?P<name>@[\w.]*\w)")

#: words that end a captured partner name or cannot be one
_NAME_STOP = wordset(
    """
    on for this these that the a an to and with at by in of from so you everyone all guys much
    me us them it is was has have been be my our your their his her today now here there just
    again always sending por para el la los las este esta en y con de del mit für und
    anyone who what why how when where please pls you're we i i'm also too very
    todos todas vosotros ustedes mucho muchas
    """
)
_TRAIL_PUNCT = ".,!?;:)]}\"'’“”"


_PRONOUNS = wordset(
    "i you me us we my our your them everyone all this these that it so todos todas mucho muchas"
)


def _clean_name(raw: str, single: bool = False) -> str | None:
    """A captured partner name cut at the first stop word or sentence end; None if nothing left.

    A capitalised first word may be a stop word ("The Ordinary", "On Running"); later words may
    not ("Kobo on this one" -> "Kobo"). ``single`` keeps only the first word.
    """
    raw = raw.strip()
    if raw.startswith("@"):
        name = raw.rstrip(_TRAIL_PUNCT)
        return name if len(name) > 1 else None
    kept: list[str] = []
    for token in raw.split():
        word = token.lower().strip(_TRAIL_PUNCT)
        first = not kept
        if token.startswith(("#", "@")):
            break
        if word in _NAME_STOP and not (first and token[:1].isupper() and word not in _PRONOUNS):
            break
        stripped = token.rstrip(_TRAIL_PUNCT)
        if stripped:
            kept.append(stripped)
        if stripped != token or single:  # sentence punctuation ends the name
            break
    name = " ".join(kept).strip()
    if not name or name.lower() in _NAME_STOP or len(brand_key(name)) < 2:
        return None
    return name


@dataclass(frozen=True)
class Sponsorship:
    """What one post says about sponsorship.

    ``sponsored`` is True (flag or disclosure), False (flag false and no strong disclosure) or
    None (unknown). ``brands`` are the :func:`brand_key` of the partners named, ``evidence`` a
    short phrase saying why ("#ad", "paid partnership with @hoka", "discount code LUKE15").
    """

    sponsored: bool | None
    brands: tuple[str, ...] = ()
    evidence: str = ""


_EVIDENCE_PRIORITY = (
    "paid", "sponsored_by", "thanks", "partnership", "es_collab", "de_collab", "gifted_by",
    "code", "ad_sep", "tag_ad", "tag_sponsored", "tag_partner", "tag_gifted",
)  # fmt: skip


_WEAK_HEADS = ("partnered", "partnering", "teamed", "in collaboration", "in zusammenarbeit")


def _named_partner(
    pattern: re.Pattern[str], text: str, single: bool = False
) -> list[tuple[str, re.Match[str]]]:
    out = []
    for m in pattern.finditer(text):
        name = _clean_name(m.group("name"), single)
        if name:
            out.append((name, m))
    return out


def _thanked(text: str) -> tuple[str, re.Match[str]] | None:
    """The first "thanks X for sending" (or Spanish "gracias X por el envío") whose X is a
    brand-like name, not "everyone" or "so much"."""
    for m in _THANKS_RE.finditer(text):
        name = _clean_name(m.group("name") or m.group("nombre") or "")
        if name:
            return name, m
    return None


def _code_is_plausible(code: str) -> bool:
    return any(ch.isdigit() for ch in code) or (code.isupper() and len(code) >= 4)


def _cues(low: str, text: str, want_weak: bool) -> tuple[dict[str, str], bool]:
    """Strong disclosure cues in a post (group -> evidence phrase), and whether a weak one is
    there. ``low`` is the lower-cased text, ``text`` the original (for discount code values)."""
    strong: dict[str, str] = {}
    if "#" in low:
        for tag in _HASHTAG_RE.findall(low):
            group = _DISCLOSURE_TAGS.get(tag)
            if group and group not in strong:
                strong[group] = "#" + tag
    for anchors, group, rx in _PHRASE_CUES:
        if group in strong or not any(a in low for a in anchors):
            continue
        m = rx.search(low)
        if m is None:
            continue
        if group == "thanks":
            thanks = _thanked(text)
            if thanks is None:
                continue
            strong[group] = WS_RE.sub(" ", thanks[1].group(0)).strip().lower()
        elif group == "code":
            value = _CODE_VALUE_RE.search(text)
            code = (value.group("code") or value.group("codigo") or "") if value else ""
            if not _code_is_plausible(code):
                continue
            strong[group] = f"discount code {code}"
        else:
            strong[group] = WS_RE.sub(" ", m.group(0)).strip()
    weak = False
    if want_weak and not strong:
        anchors, _, rx = _WEAK_CUE
        weak = any(a in low for a in anchors) and rx.search(low) is not None
    return strong, weak


def detect_sponsorship(post: Post) -> Sponsorship:
    """Whether ``post`` is sponsored, by whom, and the phrase that shows it."""
    text = post.text or ""
    flag = post.sponsored
    listed = tuple(b for b in post.brands if b and b.strip())
    low = text.lower()
    strong, weak = _cues(low, text, want_weak=flag is None)
    scan = text
    if (strong or weak) and any(a in low for a in _NEGATION_ANCHORS) and _NEGATION_RE.search(low):
        scan = _NEGATION_RE.sub(" ", text)
        strong, weak = _cues(_NEGATION_RE.sub(" ", low), scan, want_weak=flag is None)

    if flag is True or strong:
        sponsored: bool | None = True
    elif flag is None and (weak or listed):
        sponsored = True
    elif flag is False:
        return Sponsorship(False, (), "")
    else:
        return Sponsorship(None, (), "")

    # -- partners and evidence -------------------------------------------------------------
    names: list[str] = list(listed)
    evidence = ""
    for name, m in _named_partner(_NAME_AFTER_RE, scan):
        names.append(name)
        head = WS_RE.sub(" ", m.group(0)[: m.start("name") - m.start()]).strip().lower()
        if not evidence and not head.startswith(_WEAK_HEADS):
            evidence = f"{head} {name}"
        if not evidence and weak:
            evidence = f"{head} {name}"
    thanked = _thanked(scan) if "thanks" in strong else None
    if thanked is not None:
        names.append(thanked[0])
    after_ad = _named_partner(_NAME_AD_SEP_RE, scan) or _named_partner(
        _NAME_AD_SEP_ONE_RE, scan, single=True
    )
    names.extend(name for name, _ in after_ad)
    # handles are all taken below; a handle right after a disclosure tag comes first
    for m in _NAME_TAG_HANDLE_RE.finditer(scan):
        if m.group("tag").lower() in _DISCLOSURE_TAGS:
            names.append(m.group("name"))
    if "code" in strong:
        value = _CODE_VALUE_RE.search(scan)
        if value:
            cm = _CODE_BRAND_RE.search(scan, value.end(), value.end() + 80)
            if cm:
                names.append(cm.group("name"))
    names.extend("@" + h for h in handles(scan))
    keys: list[str] = []
    for name in names:
        k = brand_key(name)
        if len(k) >= 2 and k not in keys:
            keys.append(k)

    if not evidence:
        evidence = next((strong[g] for g in _EVIDENCE_PRIORITY if g in strong), "")
    if not evidence:
        evidence = "marked sponsored" if flag is True else "partner brands listed"
    return Sponsorship(sponsored, tuple(keys), evidence[:80])


# -- sponsorship events (precomputed per creator) --------------------------------------------
