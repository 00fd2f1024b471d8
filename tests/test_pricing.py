"""Price estimates fitted on a catalogue's stated prices (per tier and platform, log-linear in
followers), with the field's benchmarks where there are too few; stored in the index manifest."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from matcher.money import convert
from matcher.pricing import MIN_PRICES, PriceModel
from matcher.schema import TIER_PRICE_USD, Creator
from matcher.signals.tier import price_of


def _creators(n: int, tier_range: tuple[int, int], a: float, b: float, platform: str = "tiktok",
              noise: float = 0.05, seed: int = 0, currency: str = "USD") -> list[Creator]:  # fmt: skip
    """n creators whose price is exp(a + b log f) (USD) times a little noise."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        f = int(rng.integers(*tier_range))
        usd = math.exp(a + b * math.log(f) + rng.normal(0, noise))
        price = convert(usd, "USD", currency)
        assert price is not None
        out.append(Creator(f"{platform}{seed}-{i}", followers=f, platform=platform,
                           price_per_post=round(price, 2), currency=currency))  # fmt: skip
    return out


def test_a_known_line_is_recovered_per_tier_and_platform() -> None:
    cs = _creators(200, (10_000, 100_000), a=-4.0, b=1.0)
    model = PriceModel.fit(cs)
    f = model.fits[("micro", "tiktok")]
    assert f.slope == pytest.approx(1.0, abs=0.05) and f.n == 200
    price, source = model.estimate(Creator("x", followers=50_000, platform="TikTok"))  # type: ignore[misc]
    assert price == pytest.approx(math.exp(-4.0) * 50_000, rel=0.05)
    assert source == "micro tiktok estimate from 200 stated prices"


def test_a_few_mistyped_prices_do_not_pull_the_line() -> None:
    cs = _creators(100, (10_000, 100_000), a=-4.0, b=1.0)
    typo = [Creator(f"t{i}", followers=12_000 + i, platform="tiktok", price_per_post=900_000.0)
            for i in range(5)]  # fmt: skip
    f = PriceModel.fit(cs + typo).fits[("micro", "tiktok")]
    assert f.slope == pytest.approx(1.0, abs=0.15)
    assert f.predict(50_000) == pytest.approx(math.exp(-4.0) * 50_000, rel=0.15)


def test_prices_in_other_currencies_are_converted_before_fitting() -> None:
    usd = PriceModel.fit(_creators(100, (10_000, 100_000), a=-4.0, b=1.0))
    gbp = PriceModel.fit(_creators(100, (10_000, 100_000), a=-4.0, b=1.0, currency="GBP"))
    a, b = usd.fits[("micro", "tiktok")], gbp.fits[("micro", "tiktok")]
    assert b.predict(40_000) == pytest.approx(a.predict(40_000), rel=1e-3)


def test_too_few_prices_fall_back_to_the_tier_then_the_benchmark() -> None:
    tiktok = _creators(MIN_PRICES - 1, (10_000, 100_000), a=-4.0, b=1.0, platform="tiktok")
    insta = _creators(MIN_PRICES, (10_000, 100_000), a=-3.0, b=1.0, platform="instagram", seed=1)
    model = PriceModel.fit(tiktok + insta)
    assert ("micro", "tiktok") not in model.fits and ("micro", "instagram") in model.fits
    _, source = model.estimate(Creator("x", followers=50_000, platform="tiktok"))  # type: ignore[misc]
    assert source.startswith("micro estimate from 39 stated prices")  # the tier, all platforms
    assert model.estimate(Creator("y", followers=500_000)) == (TIER_PRICE_USD["macro"][1],
                                                               "macro estimate")  # fmt: skip
    assert model.estimate(Creator("z")) is None  # no followers: no tier, no estimate


def test_an_implausible_slope_is_not_used() -> None:
    falling = _creators(60, (10_000, 100_000), a=12.0, b=-0.8)  # price falls with followers
    assert ("micro", "tiktok") not in PriceModel.fit(falling).fits


def test_estimates_stay_within_the_prices_seen() -> None:
    f = PriceModel.fit(_creators(100, (10_000, 100_000), a=-4.0, b=1.0)).fits[("micro", "tiktok")]
    assert f.low <= f.predict(10) <= f.predict(10**9) <= f.high


def test_the_model_round_trips_through_json() -> None:
    model = PriceModel.fit(_creators(100, (10_000, 100_000), a=-4.0, b=1.0))
    back = PriceModel.from_dict(json.loads(json.dumps(model.to_dict())))
    c = Creator("x", followers=33_333, platform="tiktok")
    assert back.estimate(c) == model.estimate(c) and len(back) == len(model)
    assert len(PriceModel.from_dict(None)) == 0


def test_price_of_prefers_a_stated_price_and_says_where_an_estimate_comes_from() -> None:
    model = PriceModel.fit(_creators(100, (10_000, 100_000), a=-4.0, b=1.0))
    stated = Creator("s", followers=50_000, platform="tiktok", price_per_post=1_234.0)
    assert price_of(stated, "USD", None, model) == (1_234.0, None, None)
    price, source, _ = price_of(Creator("e", followers=50_000, platform="tiktok"), "GBP", None,
                                model)  # type: ignore[misc]  # fmt: skip
    want = convert(model.fits[("micro", "tiktok")].predict(50_000), "USD", "GBP")
    assert price == pytest.approx(want) and source == "micro tiktok estimate from 100 stated prices"
    # without a fitted model: the benchmark, as before
    assert price_of(Creator("e", followers=50_000), "USD") == (800.0, "micro estimate", None)


@pytest.mark.integration
def test_the_index_stores_the_fit_and_reasons_name_it(sample_index_dir) -> None:  # type: ignore[no-untyped-def]
    from matcher.index import CreatorIndex

    manifest = json.loads((sample_index_dir / "manifest.json").read_text())
    assert manifest["prices"]["fits"], "400 sample creators state enough prices to fit"
    idx = CreatorIndex.load(sample_index_dir)
    assert len(idx.prices) == len(manifest["prices"]["fits"])
    unpriced = [c for c in idx.catalogue.get_rows(range(len(idx))) if c.price_per_post is None]
    sources = {price_of(c, "USD", None, idx.prices)[1] for c in unpriced if c.followers}  # type: ignore[index]
    assert any("stated prices" in s for s in sources)


def test_a_large_cell_is_fitted_on_a_seeded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    import matcher.pricing as pricing

    cs = _creators(300, (10_000, 100_000), a=-4.0, b=1.0)
    full = PriceModel.fit(cs).fits[("micro", "tiktok")]
    monkeypatch.setattr(pricing, "MAX_FIT_PRICES", 100)
    sampled = PriceModel.fit(cs).fits[("micro", "tiktok")]
    assert sampled.n == 300 and (sampled.low, sampled.high) == (full.low, full.high)
    assert sampled.slope == pytest.approx(full.slope, abs=0.05)
    assert sampled == PriceModel.fit(cs).fits[("micro", "tiktok")]  # the same sample each time
