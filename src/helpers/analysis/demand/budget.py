"""The budget-ready table: next year's cost pressure split into demography, need and price.

:func:`budget_table` is the arithmetic (clients x weekly unit cost x weeks, split by component);
:class:`Scenario` holds its assumptions (each a notebook parameter); :func:`unit_cost_for` finds the latest
published weekly unit cost of a council's series; :func:`demography_growth`, :func:`why_no_budget` and
:func:`council_budget` put them together for one council's forecast. The method is in ``docs/methods.md``
("Demand series", "Budget table").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import (
    KEY_ACTIVITY_LINES,
    SERIES,
    WEEKS_PER_YEAR,
    SeriesSpec,
    check_series_key,
)
from helpers.analysis.demand.checks import Period, check_pct, check_unit_cost, parse_period
from helpers.analysis.demand.drivers import Driver
from helpers.analysis.demand.frames import series_frame
from helpers.analysis.demand.models import Forecast
from helpers.analysis.demand.prices import CostUplift, cost_uplift
from helpers.analysis.demand.series import same_area_codes
from helpers.core.errors import ParameterError
from helpers.data import tables


@dataclass(frozen=True)
class Scenario:
    """The budget table's assumptions, each a parameter of the notebook.

    Attributes
    ----------
    price_uplift_pct
        Inflation on the non-pay part of the unit cost next year, per cent.
    nlw_rise_pct
        National Living Wage rise next year, per cent.
    pay_share_pct
        Share of the unit cost that is pay moving with the National Living Wage, per cent.
    need_growth_pct
        Growth in clients beyond demography, per cent; ``None`` uses the forecast.
    demography_growth_pct
        Growth of the driving population, per cent; ``None`` uses the population estimates / projection.
    unit_cost_gbp_per_week
        This year's weekly unit cost in £; ``None`` uses the latest published figure.
    """

    price_uplift_pct: float = 2.0
    nlw_rise_pct: float = 6.7
    pay_share_pct: float = 60.0
    need_growth_pct: float | None = None
    demography_growth_pct: float | None = None
    unit_cost_gbp_per_week: float | None = None

    def __post_init__(self) -> None:
        check_pct(self.price_uplift_pct, "price_uplift_pct")
        check_pct(self.nlw_rise_pct, "nlw_rise_pct")
        check_pct(self.pay_share_pct, "pay_share_pct", low=0.0, high=100.0)
        check_pct(self.need_growth_pct, "need_growth_pct", optional=True)
        check_pct(self.demography_growth_pct, "demography_growth_pct", optional=True)
        check_unit_cost(self.unit_cost_gbp_per_week)

    @classmethod
    def from_params(cls, params: dict) -> Scenario:
        """The scenario from checked notebook parameters (:func:`helpers.pipeline.params.check`); other keys ignored."""
        names = ("price_uplift_pct", "nlw_rise_pct", "pay_share_pct", "need_growth_pct", "demography_growth_pct",
                 "unit_cost_gbp_per_week")
        return cls(**{n: params[n] for n in names if n in params})

    def uplifts(self) -> dict[str, float]:
        """Unit-cost rises as fractions: the NLW rise on the pay share, inflation on the rest."""
        pay = self.pay_share_pct / 100
        return {
            f"National Living Wage ({self.nlw_rise_pct:g}% on the {self.pay_share_pct:g}% pay share)":
                self.nlw_rise_pct / 100 * pay,
            f"inflation ({self.price_uplift_pct:g}% on the {100 - self.pay_share_pct:g}% non-pay share)":
                self.price_uplift_pct / 100 * (1 - pay),
        }


def budget_table(
    clients_forecast: Forecast | float,
    unit_cost: float,
    weeks: float = 52.0,
    *,
    demography_growth: float,
    price_uplifts: Mapping[str, float] | None = None,
    base_clients: float | None = None,
    demography_basis: str = "population growth of the driving age band",
) -> pd.DataFrame:
    """Split next year's cost pressure into demography, need (other volume growth) and price.

    With base clients ``c0``, next year's clients ``c1``, weekly unit cost ``u``, weeks ``w``, demographic
    growth ``g`` and price uplifts ``p_i`` (each the rise in the unit cost it causes, added):

    * demography = ``c0 x g x u x w``
    * need = ``(c1 - c0 x (1 + g)) x u x w`` (volume growth not explained by demography)
    * price ``i`` = ``c1 x u x p_i x w``

    They add up exactly to ``c1 x u x (1 + sum p_i) x w - c0 x u x w`` (volume at this year's price, price at
    next year's volume: the convention of the design's price/volume variance split).

    Parameters
    ----------
    clients_forecast
        A :class:`Forecast` (its first step is next year; its 80% interval gives the low/high columns) or
        next year's clients as a number (then ``base_clients`` is needed).
    unit_cost
        Cost per client per week in pounds (for an annual cost per client pass ``weeks=1``).
    weeks
        Weeks of care per client per year.
    demography_growth
        Growth of the driving population next year as a fraction (``0.012`` = 1.2%), e.g. from
        :func:`helpers.analysis.demand.demography.band_growth`.
    price_uplifts
        Named unit-cost rises as fractions, e.g. ``{"inflation (CPI)": 0.02, "National Living Wage": 0.04}``.
        None means no price rise, and the table says so.
    base_clients
        This year's clients; default the forecast's last observed value.
    demography_basis
        Text describing where ``demography_growth`` comes from (shown in the table).

    Returns
    -------
    pandas.DataFrame
        Rows ``base year cost``, ``demography``, ``need (other volume growth)``, one ``price: <name>`` row per
        uplift, ``total pressure``, ``next year cost``; columns ``component``, ``clients``,
        ``unit_cost_gbp_per_week``, ``amount_gbp_k`` (£ thousands), ``low_80_gbp_k``, ``high_80_gbp_k`` (from
        the forecast's 80% interval of clients, where it applies) and ``assumption``.
    """
    if isinstance(clients_forecast, Forecast):
        row = clients_forecast.table.iloc[0]
        c1, lo, hi = float(row["mean"]), float(row["lower_80"]), float(row["upper_80"])
        c0 = clients_forecast.last_value if base_clients is None else float(base_clients)
        basis = f"{clients_forecast.method} forecast for {clients_forecast.table.index[0]}" + (
            f" (80% range {lo:,.0f} to {hi:,.0f})" if np.isfinite(lo) and np.isfinite(hi) else " (no range)")
    else:
        if base_clients is None:
            raise ParameterError("base_clients is needed when clients_forecast is a number")
        c1, lo, hi, c0 = float(clients_forecast), np.nan, np.nan, float(base_clients)
        basis = "clients assumed for next year"
    for label, v in (("unit_cost", unit_cost), ("weeks", weeks), ("base_clients", c0), ("clients", c1)):
        if not np.isfinite(v) or v < 0:
            raise ParameterError(f"{label} must be a non-negative number, not {v!r}")
    if not np.isfinite(demography_growth):
        raise ParameterError(f"demography_growth must be a number (a fraction), not {demography_growth!r}")
    uplifts = dict(price_uplifts or {})
    k = unit_cost * weeks / 1000.0  # £ thousands per client-year at this year's price
    p = sum(uplifts.values())
    c_demog = c0 * demography_growth
    rows = [("base year cost", c0, unit_cost, c0 * k, np.nan, np.nan, "this year's clients x unit cost x weeks")]
    rows.append(("demography", c_demog, unit_cost, c_demog * k, np.nan, np.nan,
                 f"{demography_growth:+.2%} {demography_basis}"))

    def need(c: float) -> float:
        return (c - c0 - c_demog) * k

    rows.append(("need (other volume growth)", c1 - c0 - c_demog, unit_cost, need(c1), need(lo), need(hi),
                 f"{basis}, less demography"))
    for nm, u in uplifts.items():
        rows.append((f"price: {nm}", c1, unit_cost * u, c1 * u * k, lo * u * k, hi * u * k,
                     f"unit cost {u:+.2%}"))
    if not uplifts:
        rows.append(("price", c1, 0.0, 0.0, 0.0, 0.0, "no price rise assumed"))

    def total(c: float) -> float:
        return c * (1 + p) * k - c0 * k

    rows.append(("total pressure", c1 - c0, np.nan, total(c1), total(lo), total(hi), "sum of the rows above"))
    rows.append(("next year cost", c1, unit_cost * (1 + p), c1 * (1 + p) * k, lo * (1 + p) * k,
                 hi * (1 + p) * k, f"unit cost {p:+.2%} in all, {weeks:g} weeks"))
    return pd.DataFrame(rows, columns=["component", "clients", "unit_cost_gbp_per_week", "amount_gbp_k",
                                       "low_80_gbp_k", "high_80_gbp_k", "assumption"])



# ------------------------------------------------------------------------------------------------------
# Unit costs
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCost:
    """A weekly unit cost and where it comes from.

    Attributes
    ----------
    gbp_per_week
        £ per client per week.
    year
        Financial year of the figure.
    source
        Plain-English source and definition.
    """

    gbp_per_week: float
    year: str
    source: str


def _key_activity_cost(council: str, key: str) -> UnitCost | None:
    groups_lines = {"ld_council": KEY_ACTIVITY_LINES["ld_clients"],
                    "op_care_home_council": KEY_ACTIVITY_LINES["op_care_home_clients"],
                    "op_residential": (("Older People", "Older People Mental Health"),
                                       ("Residential", "Residential Dementia")),
                    "op_nursing": (("Older People", "Older People Mental Health"), ("Nursing", "Nursing Dementia")),
                    "op_care_home": KEY_ACTIVITY_LINES["op_care_home_clients"]}
    if key not in groups_lines:
        return None
    groups, lines = groups_lines[key]
    ka = tables.cached("council_key_activity")
    sel = ka[(ka["gss_code"] == council) & ka["service_group"].isin(groups) & ka["line"].isin(lines)
             & (ka["unit_of_cost"] == "per week") & ka["actual_clients"].notna() & ka["actual_unit_cost_gbp"].notna()]
    if sel.empty:
        return None
    sel = sel[sel["period_end"] == sel["period_end"].max()]
    w = sel["actual_clients"].to_numpy(dtype=float)
    if w.sum() <= 0:
        return None
    cost = float(np.sum(w * sel["actual_unit_cost_gbp"].to_numpy(dtype=float)) / w.sum())
    lines_used = ", ".join(dict.fromkeys(sel["line"]))
    groups_used = "; ".join(dict.fromkeys(sel["service_group"]))
    return UnitCost(cost, str(sel["year"].iloc[0]),
                    f"council key activity data ({sel['period'].iloc[0]} {sel['year'].iloc[0]}): current average "
                    f"weekly cost of {lines_used} ({groups_used}), weighted by service users")


def _ascfr_cost(council: str, key: str) -> UnitCost | None:
    settings = {"op_residential": ("op_residential_unit_cost",), "op_nursing": ("op_nursing_unit_cost",),
                "op_care_home": ("op_residential_unit_cost", "op_nursing_unit_cost")}.get(key)
    if settings is None:
        return None
    frames = []
    for s in settings:
        df = series_frame(s)
        frames.append(df[(df["gss_code"] == council) & df["value"].notna()].set_index("year")["value"])
    common = sorted(set.intersection(*(set(f.index) for f in frames)))
    if not common:
        return None
    y = common[-1]
    if len(settings) == 1:
        return UnitCost(float(frames[0][y]), y, f"ASC-FR {y}: gross current expenditure / weeks of care, "
                                                 "long-term care for people aged 65+")
    act_r, act_n = (series_frame(s).set_index(["gss_code", "year"])["value"]
                    for s in ("op_residential_placements", "op_nursing_placements"))
    wr, wn = float(act_r[(council, y)]), float(act_n[(council, y)])
    cost = (frames[0][y] * wr + frames[1][y] * wn) / (wr + wn)
    return UnitCost(float(cost), y, f"ASC-FR {y}: gross current expenditure / weeks of care, long-term residential "
                                    "and nursing care for people aged 65+ (weighted by weeks)")


def unit_cost_for(council: str, series: str) -> UnitCost | None:
    """The latest published weekly unit cost for a series' budget table, or ``None`` where there is none.

    Candidates: the council's own key activity data (current average weekly cost of the matching lines,
    weighted by service users) and, for the older people's care-home series, ASC-FR gross current expenditure
    / weeks of care. The most recent year wins (the council's figure on a tie).
    """
    spec = SERIES[check_series_key(series)]
    if spec.unit_cost is None:
        return None
    code = same_area_codes(council)[0]
    found = [c for c in (_key_activity_cost(code, spec.unit_cost), _ascfr_cost(code, spec.unit_cost)) if c]
    if not found:
        return None
    return max(found, key=lambda c: c.year)  # stable: the council's figure first on a tie


# ------------------------------------------------------------------------------------------------------
# One council's budget table
# ------------------------------------------------------------------------------------------------------


def demography_growth(scenario: Scenario, driver: Driver | None,
                      next_year: Period | None) -> tuple[float, str] | None:
    """Next year's growth of the driving band (a fraction) and where it comes from, or ``None``.

    Parameters
    ----------
    scenario
        Its ``demography_growth_pct``, when set, wins.
    driver
        The driving population (``None``: no growth unless the scenario gives one).
    next_year
        The first forecast year (``YYYY-YY``, or a year); ``None`` when there is no forecast.
    """
    if scenario.demography_growth_pct is not None:
        return scenario.demography_growth_pct / 100, "growth of the driving population (scenario)"
    if driver is None or next_year is None:
        return None
    nxt = parse_period(next_year)[0]
    kind = driver.population.set_index("mid_year")["kind"].get(nxt, "projection")
    basis = "ONS estimate" if kind == "estimate" else "cohort-ageing projection (not ONS)"
    return driver.growth(nxt), f"growth of the {driver.band} population, mid-{nxt - 1} to mid-{nxt} ({basis})"


def why_no_budget(spec: SeriesSpec, scenario: Scenario, unit_cost: UnitCost | None, driver: Driver | None,
                  next_year: Period | None) -> str | None:
    """Why a series' forecast gets no budget table (one sentence), or ``None`` when it gets one.

    Only series of people supported at a time (``kind == "stock"``) with a weekly unit cost (the parameter, or
    the latest published figure) and a demographic growth (:func:`demography_growth`) have one.
    """
    if spec.kind != "stock":
        what = {"flow": "admissions are events in a year, not people supported at a time, so clients x weekly "
                        "cost does not apply",
                "money": "the series is already money: its forecast is the budget line (at the prices of the "
                         "trend)",
                "unit_cost": "the series is itself a unit cost"}[spec.kind]
        return f"No budget table for this series: {what}. Choose a placements or clients series."
    if scenario.unit_cost_gbp_per_week is None and unit_cost is None:
        return ("No budget table: no weekly unit cost is published for this council and series in the data here. "
                "Run the report with your own weekly unit cost to get one.")
    if demography_growth(scenario, driver, next_year) is None:
        return ("No budget table: no demographic growth for this council (no population); run the report with "
                "your own assumption for the growth of the driving population.")
    return None


def base_cost_uplift(unit_cost: UnitCost, scenario: Scenario, base_year: str) -> CostUplift:
    """How the published unit cost is moved from its year to the base year (:func:`~helpers.analysis.demand.prices.cost_uplift`
    with the scenario's pay share and, for years without published figures, its rises)."""
    return cost_uplift(unit_cost.year, base_year, pay_share_pct=scenario.pay_share_pct,
                       nlw_rise_pct=scenario.nlw_rise_pct, price_uplift_pct=scenario.price_uplift_pct)


def council_budget(forecast: Forecast, scenario: Scenario, unit_cost: UnitCost | None, driver: Driver | None,
                   last_year: str) -> pd.DataFrame:
    """The budget-ready table of one council's forecast (where :func:`why_no_budget` gives ``None``).

    Clients from the forecast, or, with the scenario's ``need_growth_pct``, this year's clients grown by
    demography and need; the unit cost from the scenario, or the latest published figure moved to the base year
    (``last_year``) by :func:`base_cost_uplift`; next year's price rise from the scenario; the demographic
    growth from :func:`demography_growth`; amounts rounded for the report (clients 1 decimal, £ a week 2,
    £ thousands 1).
    """
    cost = scenario.unit_cost_gbp_per_week
    cost_basis = "your own weekly unit cost, given when the report was run"
    if cost is None:
        up = base_cost_uplift(unit_cost, scenario, last_year)
        cost = unit_cost.gbp_per_week * up.factor
        cost_basis = f"£{unit_cost.gbp_per_week:,.2f} a week in {unit_cost.year} ({unit_cost.source}), {up.basis}"
    rate, basis = demography_growth(scenario, driver, forecast.table.index[0])
    if scenario.need_growth_pct is not None:
        c0 = forecast.last_value
        c1 = c0 * (1 + rate) * (1 + scenario.need_growth_pct / 100)
        table = budget_table(c1, cost, WEEKS_PER_YEAR, demography_growth=rate, price_uplifts=scenario.uplifts(),
                             base_clients=c0, demography_basis=basis)
        table.loc[table["component"] == "need (other volume growth)", "assumption"] = (
            f"need growth {scenario.need_growth_pct:+g}% a year (scenario), beyond demography")
    else:
        table = budget_table(forecast, cost, WEEKS_PER_YEAR, demography_growth=rate,
                             price_uplifts=scenario.uplifts(), demography_basis=basis)
    table.loc[table["component"] == "base year cost", "assumption"] = (
        f"{last_year} clients x £{cost:,.2f} a week x 52 ({cost_basis})")
    return table.round({"clients": 1, "unit_cost_gbp_per_week": 2, "amount_gbp_k": 1, "low_80_gbp_k": 1,
                        "high_80_gbp_k": 1})


__all__ = ["Scenario", "UnitCost", "base_cost_uplift", "budget_table", "council_budget", "demography_growth", "unit_cost_for",
           "why_no_budget"]
