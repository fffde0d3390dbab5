"""Charts of the demand trends report: forecast with intervals, the driving population."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core import periods
from helpers.reports import plots


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, title: str, ylabel: str, source: str,
                   note: str | None = None, break_years: tuple[str, ...] = ()) -> plt.Figure:
    """A series, its forecast and the 80% and 95% prediction intervals.

    Parameters
    ----------
    history
        ``year`` (``YYYY-YY``), ``value`` and ``used`` (True for the years the models saw; other years, e.g.
        an earlier collection, are drawn as hollow grey points and never joined to the line).
    forecast
        The forecast table (:attr:`helpers.analysis.demand.models.Forecast.table`): index ``YYYY-YY``, ``mean``,
        ``lower_80``, ``upper_80``, ``lower_95``, ``upper_95``; empty for no forecast.
    title, ylabel, source, note
        As in :func:`finish`; put the backtest error in ``note`` (never a forecast without it).
    break_years
        Years to mark with a dotted vertical line (e.g. the COVID year ``2020-21``).
    """
    fig, ax = plots.figure("wide")
    h = history.dropna(subset=["value"]).copy()
    h["x"] = h["year"].map(periods.fy_start)
    used, other = h[h["used"]], h[~h["used"]]
    if len(other):
        ax.scatter(other["x"], other["value"], facecolors="none", edgecolors=plots.COLOURS["other"], s=30, zorder=2,
                   label="not modelled (other collection, area or a gap)")
    ax.plot(used["x"], used["value"], color=plots.COLOURS["council"], marker="o", zorder=3, label="modelled years")
    xs = list(h["x"])
    if len(forecast):
        f = forecast.copy()
        fx = [periods.fy_start(str(p)) for p in f.index]
        x0, y0 = int(used["x"].iloc[-1]), float(used["value"].iloc[-1])
        ax.vlines(fx, f["lower_95"].clip(lower=0), f["upper_95"], color=plots.COLOURS["comparator"], alpha=0.25,
                  linewidth=14, label="95% prediction interval")
        ax.vlines(fx, f["lower_80"].clip(lower=0), f["upper_80"], color=plots.COLOURS["comparator"], alpha=0.5,
                  linewidth=14, label="80% prediction interval")
        ax.plot([x0, *fx], [y0, *f["mean"]], color=plots.COLOURS["comparator"], linestyle="--", marker="s", zorder=3,
                markevery=list(range(1, len(fx) + 1)), label="forecast (mean)")  # the last actual stays visible
        xs += fx
    for i, b in enumerate(break_years):
        ax.axvline(periods.fy_start(b) - 0.5, color=plots.COLOURS["england"], linestyle=":", linewidth=1,
                   label="series break" if i == 0 else None)
    if xs:
        plots.fy_ticks(ax, xs)
    tops = [h["value"].max(), *(forecast[["mean", "upper_95"]].max() if len(forecast) else [])]
    top = max((float(t) for t in tops if pd.notna(t)), default=1.0)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1.0)  # room above the highest point and interval
    ax.legend(loc="lower left", frameon=True, fontsize=8)
    plots.finish(ax, title=title, xlabel="financial year", ylabel=ylabel, source=source, note=note)
    return fig


def population_chart(population: pd.DataFrame, *, title: str, ylabel: str, source: str,
                     note: str | None = None) -> plt.Figure:
    """A population band by mid-year: ONS estimates (solid) and the projection (dashed, labelled as such).

    Parameters
    ----------
    population
        ``mid_year``, ``population``, ``kind`` (``estimate`` / ``projection``), e.g.
        :attr:`helpers.analysis.demand.drivers.Driver.population`.
    """
    fig, ax = plots.figure("wide")
    est = population[population["kind"] == "estimate"]
    ax.plot(est["mid_year"], est["population"], color=plots.COLOURS["council"], marker="o",
            label="ONS mid-year estimates")
    proj = population[population["kind"] == "projection"]
    if len(proj) and len(est):
        ax.plot([est["mid_year"].iloc[-1], *proj["mid_year"]], [est["population"].iloc[-1], *proj["population"]],
                color=plots.COLOURS["comparator"], linestyle="--", marker="s",
                label="cohort ageing of ONS mid-year estimates (not an ONS projection)")
    years = [int(y) for y in population["mid_year"]]
    ax.set_xticks(years, [f"mid-{y}" for y in years], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="lower right", frameon=True, fontsize=8)
    plots.finish(ax, title=title, xlabel="mid-year (30 June)", ylabel=ylabel, source=source, note=note)
    return fig


