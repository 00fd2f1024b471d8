"""Money in one currency: a dated table of reference rates shipped with matcher.

Prices and budgets in different currencies are compared after converting the price into the
brief's currency; a stated price is never ignored because its currency differs. The table holds
US dollars per unit of each currency (approximate reference rates of :data:`RATES_DATE`); the
``rates`` setting (``[rates]`` in the settings TOML: ``GBP = 1.27``) overrides or adds entries.
A currency in neither is unknown: its amounts are not converted (and said so in the reasons).
"""

from __future__ import annotations

from collections.abc import Mapping

#: the date the shipped rates describe (approximate reference rates; update or override them)
RATES_DATE = "2024-06-28"
#: US dollars per one unit of the currency
USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0, "EUR": 1.071, "GBP": 1.265, "CHF": 1.113, "CAD": 0.731, "AUD": 0.667,
    "NZD": 0.609, "JPY": 0.00622, "CNY": 0.1376, "HKD": 0.1281, "SGD": 0.738, "KRW": 0.000725,
    "INR": 0.01199, "BRL": 0.179, "MXN": 0.0546, "SEK": 0.0944, "NOK": 0.0939, "DKK": 0.1436,
    "PLN": 0.2488, "CZK": 0.0428, "ZAR": 0.0548, "AED": 0.2723, "SAR": 0.2666, "TRY": 0.0305,
    "IDR": 0.0000611, "THB": 0.0272, "PHP": 0.0171, "MYR": 0.212, "ILS": 0.2655,
}  # fmt: skip


def rate(currency: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """US dollars per unit of ``currency`` (the settings' rate first), or None when unknown."""
    code = (currency or "USD").upper()
    if overrides and code in overrides:
        return float(overrides[code])
    return USD_PER_UNIT.get(code)


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
