"""The brief's hard rules and the retrievers' rank lookup, against their plain definitions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.retrieval import RankOf
from matcher.rules import HardRules, hard_filter
from matcher.schema import Audience, Brief, Creator


def test_hard_rules_each_rule_and_its_reason() -> None:
    brief = Brief(
        brand="b",
        description="d",
        languages=("EN", "fr"),
        platforms=("Instagram",),
        countries=("gb", "IE"),
        exclude_creators=("c-out",),
    )
    rules = HardRules(brief)
    ok = Creator("c1", platform="instagram", language="en", country="GB")
    assert rules(ok) is None
    assert rules(Creator("c-out", platform="instagram", language="en", country="GB")) == (
        "excluded by the brief (exclude_creators)"
    )
    assert rules(Creator("c2", platform="instagram", language="de", country="GB")) == (
        "writes in de, brief wants EN/fr"
    )
    assert rules(Creator("c3", platform="tiktok", language="FR", country="ie")) == (
        "on tiktok, brief wants Instagram"
    )
    abroad = Creator("c4", platform="instagram", language="en", country="us")
    assert rules(abroad) == "based in US, campaign runs in GB/IE"
    # based abroad, but a quarter of the audience is in a market of the campaign: kept
    fans = Audience(countries={"Gb": 0.25, "US": 0.75})
    kept = Creator("c6", platform="instagram", language="en", country="US", audience=fans)
    assert rules(kept) is None
    few = Audience(countries={"GB": 0.2, "US": 0.8})
    assert rules(Creator("c7", platform="instagram", language="en", country="US", audience=few))
    # unknown fields never exclude
    assert rules(Creator("c8")) is None
    assert hard_filter(brief, abroad) == rules(abroad)
    assert HardRules(Brief(brand="b", description="d"))(abroad) is None


@settings(max_examples=200, deadline=None)
@given(
    ranked=st.lists(st.integers(0, 500), unique=True, max_size=60),
    asked=st.lists(st.integers(-3, 520), max_size=80),
)
def test_rank_of_is_the_position_in_the_ranking(ranked: list[int], asked: list[int]) -> None:
    where = {r: i for i, r in enumerate(ranked)}
    got = RankOf(np.array(ranked, dtype=np.int64))(np.array(asked, dtype=np.int64))
    assert got.tolist() == [where.get(r, -1) for r in asked]
