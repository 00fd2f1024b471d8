"""Price per post: fitted from a catalogue's stated prices where there are enough, else the
field's benchmarks.

Creators who state a ``price_per_post`` say what a post of their size costs on their platform.
:meth:`PriceModel.fit` learns that per tier and platform: ``log(price) = a + b * log(followers)``
(prices in US dollars, converted through :mod:`matcher.money`), fitted with scikit-learn's
:class:`~sklearn.linear_model.HuberRegressor` so that a few mistyped prices do not pull the line.
A cell (tier x platform) needs :data:`MIN_PRICES` stated prices; with fewer, the tier's fit over
every platform is used; with fewer still, or a fit whose slope is not plausible (price falling
with followers, or growing faster than their square), the benchmark of
:data:`matcher.schema.TIER_PRICE_USD` (the field's typical price of the tier). A fitted estimate is
kept within the 5th-95th percentile of the prices it was fitted on, never extrapolated beyond.

The fit is made when the index is built and stored in its manifest (``prices``), so queries only
evaluate a line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from matcher.money import convert
from matcher.schema import TIER_PRICE_USD, Creator, tier_of

#: stated prices a tier (or tier x platform) needs before its fitted line replaces the benchmark
MIN_PRICES = 20
#: stated prices a line is fitted on at most (a seeded sample of a larger cell: the fit of a
#: million-creator catalogue takes seconds, not minutes, and its line hardly moves)
MAX_FIT_PRICES = 20_000
#: plausible slopes of log price on log followers (0: flat within the tier; 2: grows as f^2)
SLOPE_RANGE = (0.0, 2.0)


@dataclass(frozen=True)
class PriceFit:
    """``log(price USD) = intercept + slope * log(followers)``, fitted on ``n`` stated prices;
    estimates are kept between ``low`` and ``high`` US dollars (their 5th and 95th percentiles)."""

    tier: str
    platform: str | None  # None: every platform of the tier
    intercept: float
    slope: float
    n: int
    low: float
    high: float

    def predict(self, followers: int) -> float:
        price = math.exp(self.intercept + self.slope * math.log(max(followers, 1)))
        return min(max(price, self.low), self.high)

    def describe(self) -> str:
        where = f"{self.tier} {self.platform}" if self.platform else self.tier
        return f"{where} estimate from {self.n:,} stated prices"


class PriceModel:
    """Estimates a creator's price per post (US dollars); see the module docstring.

    Parameters
    ----------
    fits : the fitted lines by (tier, platform or None).
    """

    def __init__(self, fits: Mapping[tuple[str, str | None], PriceFit] | None = None) -> None:
        self.fits = dict(fits or {})

    @classmethod
    def fit(
        cls,
        creators: Iterable[Creator],
        rates: Mapping[str, float] | None = None,
        min_prices: int = MIN_PRICES,
    ) -> PriceModel:
        """Fit a line per tier x platform and per tier from the creators' stated prices."""
        points: dict[tuple[str, str | None], list[tuple[float, float]]] = defaultdict(list)
        for c in creators:
            tier = tier_of(c.followers)
            if tier is None or c.price_per_post is None or c.price_per_post <= 0:
                continue
            usd = convert(c.price_per_post, c.currency, "USD", rates)
            if usd is None or c.followers is None:
                continue
            xy = (math.log(max(c.followers, 1)), math.log(usd))
            points[(tier, None)].append(xy)
            if c.platform:
                points[(tier, c.platform.lower())].append(xy)
        fits = {}
        for (tier, platform), pts in points.items():
            f = _fit_line(tier, platform, pts, min_prices)
            if f is not None:
                fits[(tier, platform)] = f
        return cls(fits)

    def estimate(self, c: Creator) -> tuple[float, str] | None:
        """(price per post in US dollars, where the estimate comes from); None without a tier."""
        tier = tier_of(c.followers)
        if tier is None or c.followers is None:
            return None
        f = self._line(tier, c.platform)
        if f is None:
            return TIER_PRICE_USD[tier][1], f"{tier} estimate"
        return f.predict(c.followers), f.describe()

    def price_at(self, followers: float, platform: str | None) -> float:
        """The price of :meth:`estimate` alone, of a creator with these (known) followers and
        this platform."""
        tier = tier_of(followers)  # type: ignore[arg-type]
        assert tier is not None
        f = self._line(tier, platform)
        return TIER_PRICE_USD[tier][1] if f is None else f.predict(followers)  # type: ignore[arg-type]

    def _line(self, tier: str, platform: str | None) -> PriceFit | None:
        key = platform.lower() if platform else None
        return self.fits.get((tier, key)) or self.fits.get((tier, None))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for the index manifest)."""
        return {"min_prices": MIN_PRICES, "fits": [asdict(f) for f in self.fits.values()]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> PriceModel:
        if not d:
            return cls()
        fits = [PriceFit(**f) for f in d.get("fits", [])]
        return cls({(f.tier, f.platform): f for f in fits})

    def __len__(self) -> int:
        return len(self.fits)


def _fit_line(
    tier: str, platform: str | None, xy: list[tuple[float, float]], min_prices: int
) -> PriceFit | None:
    if len(xy) < min_prices:
        return None
    import numpy as np
    from sklearn.linear_model import HuberRegressor

    a = np.asarray(xy, dtype=np.float64)
    y_all = a[:, 1]
    if len(a) > MAX_FIT_PRICES:
        a = a[np.random.default_rng(0).choice(len(a), MAX_FIT_PRICES, replace=False)]
    x, y = a[:, 0], a[:, 1]
    if float(np.ptp(x)) < 1e-9:  # every creator the same size: no slope to learn
        slope, intercept = 0.0, float(np.median(y))
    else:
        h = HuberRegressor(max_iter=500).fit(x[:, None], y)
        slope, intercept = float(h.coef_[0]), float(h.intercept_)
    if not SLOPE_RANGE[0] <= slope <= SLOPE_RANGE[1]:
        return None
    low, high = (float(v) for v in np.exp(np.percentile(y_all, [5.0, 95.0])))
    return PriceFit(tier, platform, intercept, slope, len(xy), low, high)
