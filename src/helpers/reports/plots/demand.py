"""Charts of the demand trends report: the forecast with its ranges, the driving population; alt text."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core import periods
from helpers.reports import plots


def with_alt(image: object, alt: str) -> object:
    """A chart with its own alt text: :func:`helpers.reports.plots.with_alt`."""
    return plots.with_alt(image, alt)


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, title: str, ylabel: str, source: str,
                   note: str | None = None, break_years: tuple[str, ...] = (),
                   past: pd.DataFrame | None = None) -> plt.Figure:
    """A series, its forecast and the 80% and 95% ranges, on a y axis from zero.

    Parameters
    ----------
    history
        Every year found: ``year``, ``value`` (as published), ``modelled`` (the value the forecasts see: an
        earlier collection put on today's basis), ``used``.
    forecast
        Indexed by period label: ``mean``, ``lower_80``, ``upper_80``, ``lower_95``, ``upper_95``; empty for none.
    title, ylabel, source, note
        As in :func:`helpers.reports.plots.finish`.
    break_years
        Years to mark with a dotted vertical line (a change of collection, COVID).
    past
        The council's past one-year forecasts made this way (``target``, ``forecast``), drawn as hollow diamonds.
    """
    fig, ax = plots.figure("wide")
    h = history.dropna(subset=["value"]).copy()
    h["x"] = h["year"].map(periods.fy_start)
    used = h[h["used"]]
    other = h[~h["used"]]
    shown = used["modelled"] if "modelled" in used else used["value"]
    if len(other):
        ax.scatter(other["x"], other["value"], facecolors="none", edgecolors=plots.COLOURS["other"], s=30, zorder=2,
                   label="not used (another collection, area or a gap)")
    ax.plot(used["x"], shown, color=plots.COLOURS["council"], marker="o", markersize=4, zorder=3, label="figures")
    xs = list(h["x"])
    if past is not None and len(past):
        px = [periods.fy_start(str(t)) for t in past["target"]]
        ax.scatter(px, past["forecast"], marker="D", facecolors="none", edgecolors=plots.COLOURS["england"], s=22,
                   zorder=4, label="forecast made a year before (this method)")
    if len(forecast):
        f = forecast
        fx = [periods.fy_start(str(p)) for p in f.index]
        x0, y0 = int(used["x"].iloc[-1]), float(shown.iloc[-1])
        xx = [x0, *fx]
        for lv, alpha in ((95, 0.18), (80, 0.35)):
            lo, hi = f[f"lower_{lv}"], f[f"upper_{lv}"]
            if lo.notna().all():
                ax.fill_between(xx, [y0, *lo.clip(lower=0)], [y0, *hi], color=plots.COLOURS["comparator"],
                                alpha=alpha, linewidth=0, label=f"{lv}% range")
        ax.plot(xx, [y0, *f["mean"]], color=plots.COLOURS["comparator"], linestyle="--", marker="s", zorder=3,
                markevery=list(range(1, len(fx) + 1)), label="forecast")
        xs += fx
    for i, b in enumerate(break_years):
        ax.axvline(periods.fy_start(b) - 0.5, color=plots.COLOURS["england"], linestyle=":", linewidth=1,
                   label="break in the series" if i == 0 else None)
    if xs:
        plots.fy_ticks(ax, xs)
    tops = [h["value"].max(), shown.max(), *(forecast[["mean", "upper_95"]].max() if len(forecast) else [])]
    top = max((float(t) for t in tops if pd.notna(t)), default=1.0)
    ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
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
    top = float(population["population"].max()) if len(population) else 1.0
    ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="lower right", frameon=True, fontsize=8)
    plots.finish(ax, title=title, xlabel="mid-year (30 June)", ylabel=ylabel, source=source, note=note)
    return fig


__all__ = ["forecast_chart", "population_chart", "with_alt"]
