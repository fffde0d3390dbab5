"""Unit costs moved from the year they were published to another year: the budget table's price assumptions.

A weekly unit cost in the data is often years older than the series' last year (ASC-FR unit costs stop in
2016-17). :func:`cost_uplift` carries it forward year by year with the budget table's own price model: the
National Living Wage rise on the pay share of the cost and general inflation (the GDP deflator) on the rest.
Years with published figures use them; a year without (beyond the last NLW rate or the last outturn deflator)
uses the report's assumptions (``Scenario.nlw_rise_pct``, ``Scenario.price_uplift_pct``) and says so.

Sources: the NLW / adult National Minimum Wage rates in force on 1 April of each financial year (GOV.UK,
"National Minimum Wage and National Living Wage rates", https://www.gov.uk/national-minimum-wage-rates; the
NLW replaced the adult NMW for workers aged 25+ on 1 April 2016, 23+ from April 2021, 21+ from April 2024);
HM Treasury GDP deflators (the ``deflators`` table, outturn years only).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.core import periods
from helpers.data import tables

#: £ an hour in force on 1 April of the financial year starting that year: adult National Minimum Wage to
#: 2015 (the October 2013 and 2014 rates), the National Living Wage from 2016 (GOV.UK rates page).
NLW_GBP_PER_HOUR: dict[int, float] = {2014: 6.31, 2015: 6.50, 2016: 7.20, 2017: 7.50, 2018: 7.83, 2019: 8.21,
                                      2020: 8.72, 2021: 8.91, 2022: 9.50, 2023: 10.42, 2024: 11.44, 2025: 12.21}


@dataclass(frozen=True)
class CostUplift:
    """How a unit cost was moved between two years.

    Attributes
    ----------
    from_year, to_year
        Financial years (``"2016-17"``, ``"2021-22"``).
    factor
        The multiplier (1 when the years are equal; below 1 when moving back).
    assumed
        Years whose rise came from the report's assumptions, not published figures.
    basis
        One sentence for the report.
    """

    from_year: str
    to_year: str
    factor: float
    assumed: tuple[str, ...]
    basis: str


def _deflator() -> dict[int, float]:
    d = tables.cached("deflators")
    d = d[~d["is_forecast"]]
    return {periods.fy_start(y): float(v) for y, v in zip(d["year"], d["gdp_deflator"], strict=True)}


def yearly_rise(year: int, pay_share_pct: float, nlw_rise_pct: float, price_uplift_pct: float
                ) -> tuple[float, bool]:
    """The unit-cost rise into the financial year starting ``year`` (a fraction) and whether it was assumed."""
    pay = pay_share_pct / 100
    defl = _deflator()
    nlw = NLW_GBP_PER_HOUR
    published = year in nlw and year - 1 in nlw and year in defl and year - 1 in defl
    if published:
        return pay * (nlw[year] / nlw[year - 1] - 1) + (1 - pay) * (defl[year] / defl[year - 1] - 1), False
    return pay * nlw_rise_pct / 100 + (1 - pay) * price_uplift_pct / 100, True


def cost_uplift(from_year: str, to_year: str, *, pay_share_pct: float, nlw_rise_pct: float,
                price_uplift_pct: float) -> CostUplift:
    """The factor that moves a unit cost of ``from_year`` to ``to_year`` (module notes)."""
    a, b = periods.fy_start(from_year), periods.fy_start(to_year)
    factor, assumed = 1.0, []
    for y in range(min(a, b) + 1, max(a, b) + 1):
        rise, was_assumed = yearly_rise(y, pay_share_pct, nlw_rise_pct, price_uplift_pct)
        factor *= 1 + rise
        if was_assumed:
            assumed.append(periods.fy(y))
    if b < a:
        factor = 1 / factor
    if a == b:
        basis = "no uplift: the cost is of the same year"
    else:
        basis = (f"{factor - 1:+.1%} from {from_year} to {to_year}: each year the National Living Wage rise on the "
                 f"{pay_share_pct:g}% pay share and the GDP deflator on the rest")
        basis += (f"; {', '.join(assumed)} from this report's assumptions (no published figure)" if assumed
                  else " (published rates)")
    return CostUplift(from_year, to_year, factor, tuple(assumed), basis)


__all__ = ["NLW_GBP_PER_HOUR", "CostUplift", "cost_uplift", "yearly_rise"]
