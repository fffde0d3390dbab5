"""Tests of helpers.analysis.demand.prices: unit costs moved between years (the deflator is a SYNTHETIC stand-in)."""

from __future__ import annotations

import pytest

from helpers.analysis.demand import prices


@pytest.fixture
def deflator(monkeypatch):
    d = {2016: 100.0, 2017: 102.0, 2018: 104.04}  # SYNTHETIC: 2% a year
    monkeypatch.setattr(prices, "_deflator", lambda: d)
    return d


def test_uplift_uses_published_nlw_on_the_pay_share(deflator):
    up = prices.cost_uplift("2016-17", "2018-19", pay_share_pct=60, nlw_rise_pct=6.7, price_uplift_pct=2.0)
    nlw17, nlw18 = 7.50 / 7.20 - 1, 7.83 / 7.50 - 1
    assert up.factor == pytest.approx((1 + 0.6 * nlw17 + 0.4 * 0.02) * (1 + 0.6 * nlw18 + 0.4 * 0.02))
    assert up.assumed == () and "published rates" in up.basis


def test_years_without_figures_use_the_assumptions_and_say_so(deflator):
    up = prices.cost_uplift("2018-19", "2019-20", pay_share_pct=50, nlw_rise_pct=4.0, price_uplift_pct=2.0)
    assert up.factor == pytest.approx(1 + 0.5 * 0.04 + 0.5 * 0.02) and up.assumed == ("2019-20",)
    assert "2019-20 from this report's assumptions" in up.basis


def test_moving_back_and_no_move(deflator):
    fwd = prices.cost_uplift("2016-17", "2017-18", pay_share_pct=60, nlw_rise_pct=0, price_uplift_pct=0)
    back = prices.cost_uplift("2017-18", "2016-17", pay_share_pct=60, nlw_rise_pct=0, price_uplift_pct=0)
    assert back.factor == pytest.approx(1 / fwd.factor)
    assert prices.cost_uplift("2016-17", "2016-17", pay_share_pct=60, nlw_rise_pct=0, price_uplift_pct=0).factor == 1
