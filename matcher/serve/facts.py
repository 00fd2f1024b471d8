"""The catalogue's facts about each creator of a shortlist, for the web page's cards.

:func:`shortlist_json` is the body of every route that answers with a shortlist
(``/v1/match`` and the routes shaped like it): FORMATS.md "Shortlist output", the ranker, and a
``facts`` object on each match (:class:`matcher.serve.models.FactsOut`). The creators are read
from the catalogue in one call; the price of a post is :func:`matcher.signals.tier.price_of` in
the brief's currency, the price the tier signal judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matcher.pricing import PriceModel
from matcher.schema import TIER_ENGAGEMENT_NORM, Creator, Shortlist
from matcher.signals.tier import price_of


def shortlist_json(matcher: Any, shortlist: Shortlist, currency: str = "USD") -> dict[str, Any]:
    """The shortlist as the API sends it, each match with its creator's ``facts`` (left out for
    a creator no longer in the catalogue). Call it holding the matcher's (read) lock."""
    out = shortlist.to_dict()
    out["ranker"] = shortlist.ranker
    ids = [m.creator_id for m in shortlist.matches]
    creators = creators_by_id(matcher, ids)
    rates = getattr(getattr(matcher, "settings", None), "rates", None) or None
    prices = getattr(getattr(matcher, "index", None), "prices", None)
    for m in out["matches"]:  # type: ignore[attr-defined]
        c = creators.get(m["creator_id"])
        if c is not None:
            m["facts"] = facts_of(c, currency, rates, prices)
    return out


def saved_facts(
    matcher: Any, creator_ids: Sequence[str], brief: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The facts of a saved shortlist's creators still in the catalogue, prices in the saved
    brief's currency (US dollars without one). Call it holding the matcher's (read) lock."""
    currency = str((brief or {}).get("currency") or "USD").upper()
    rates = getattr(getattr(matcher, "settings", None), "rates", None) or None
    prices = getattr(getattr(matcher, "index", None), "prices", None)
    found = creators_by_id(matcher, creator_ids)
    return {cid: facts_of(c, currency, rates, prices) for cid, c in found.items()}


def creators_by_id(matcher: Any, ids: Sequence[str]) -> dict[str, Creator]:
    """The creators of these ids that the catalogue holds: one query when the matcher has a
    catalogue (:meth:`matcher.catalogue.CatalogueDB.by_id`), else one ``creator(id)`` call each."""
    catalogue = getattr(getattr(matcher, "index", None), "catalogue", None)
    if catalogue is not None:
        return dict(catalogue.by_id(ids))
    found = ((cid, matcher.creator(cid)) for cid in ids)
    return {cid: c for cid, c in found if c is not None}


def facts_of(
    c: Creator,
    currency: str,
    rates: Mapping[str, float] | None = None,
    prices: PriceModel | None = None,
) -> dict[str, Any]:
    """Followers, tier, platform, country, language, engagement against the tier's norm, the
    price of a post in ``currency`` (stated, else estimated by ``prices`` or the tier benchmark)
    and whether the audience is known. Unknown values are None."""
    tier = c.tier
    price = price_of(c, currency, rates, prices)
    return {
        "followers": c.followers,
        "tier": tier,
        "platform": c.platform,
        "country": c.country,
        "language": c.language,
        "engagement_rate": c.engagement_rate,
        "tier_engagement_norm": None if tier is None else TIER_ENGAGEMENT_NORM[tier],
        "price": None if price is None else round(price[0], 2),
        "price_currency": (currency or "USD").upper(),
        "price_estimated": None if price is None else bool(price[1]),
        "price_basis": None if price is None else price[1],
        "audience_known": c.audience is not None and not c.audience.empty,
    }
