"""Charts of the data overview report: which years each table holds."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core import periods
from helpers.reports import plots
from helpers.reports.contrast import text_colour_on

#: First financial year on the axis of :func:`coverage_chart`; a table that starts earlier (the GDP deflators,
#: from 1955-56) is cut there and says where it starts.
COVERAGE_FROM = 2000
#: Edge of the bars (contrast 10:1 on white).
EDGE = "#333333"


def coverage_alt(overview: pd.DataFrame, years: dict[str, list[str]] | None = None) -> str:
    """The coverage chart's alt text: what it shows and, table by table, the years held (the chart's data)."""
    df = overview.dropna(subset=["first_year", "last_year"])
    df = df[df["first_year"].map(periods.is_fy).astype(bool)]
    if df.empty:
        return "Chart: financial years held by each processed table. No built table has financial years yet."
    parts = []
    for _, r in df.sort_values(["kind", "table"]).iterrows():
        held = (years or {}).get(r["table"], [])
        n = len(held) if held else None
        span = f"{r['first_year']} to {r['last_year']}" if r["first_year"] != r["last_year"] else r["first_year"]
        parts.append(f"{r['table']} ({r['kind']}) {span}" + (f", {n} years held" if n else ""))
    return ("Chart: financial years held by each processed table, one bar per run of consecutive years. "
            + "; ".join(parts) + ".")


def coverage_chart(overview: pd.DataFrame, years: dict[str, list[str]] | None = None) -> plt.Figure:
    """Financial years held by each built table: a bar for each run of consecutive years (gaps show).

    Parameters
    ----------
    overview
        :func:`helpers.data.tables.overview`.
    years
        :func:`helpers.reports.data_overview.table_years` (each table's years); without it, one bar from the first to the
        last year of each table.
    """
    df = overview.dropna(subset=["first_year", "last_year"]).copy()
    df = df[df["first_year"].map(periods.is_fy).astype(bool)]
    fig, ax = plots.figure("wide")
    labels = dict(title="Financial years held by each processed table", xlabel="financial year", ylabel="table",
                  source="data/processed, built by `asc data build` from the registered sources and council reports")
    if df.empty:
        ax.text(0.5, 0.5, "No built table has financial years yet: run `asc data build`", ha="center")
        ax.set_axis_off()
        plots.finish(ax, **labels)
        return fig
    df["start"] = df["first_year"].map(periods.fy_start)
    df["end"] = df["last_year"].map(periods.fy_start) + 1
    df = df.sort_values(["kind", "start", "table"], ascending=[True, False, False]).reset_index(drop=True)
    colours = {k: plots.PALETTE[i] for i, k in enumerate(sorted(df["kind"].unique()))}
    lo = min(COVERAGE_FROM, int(df.loc[df["start"] >= COVERAGE_FROM, "start"].min())
             if (df["start"] >= COVERAGE_FROM).any() else COVERAGE_FROM)
    hi = int(df["end"].max())
    for i, r in df.iterrows():
        held = (sorted(periods.fy_start(y) for y in (years or {}).get(r["table"], []))
                or list(range(r["start"], r["end"])))
        runs: list[tuple[int, int]] = []
        for y in held:
            if runs and y == runs[-1][0] + runs[-1][1]:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((y, 1))
        clipped = [(max(a, lo), a + n - max(a, lo)) for a, n in runs if a + n > lo]
        # a dark edge: the bars keep a 3:1 contrast with the white background whatever their fill (WCAG 1.4.11)
        ax.broken_barh(clipped, (i - 0.35, 0.7), facecolor=colours[r["kind"]], edgecolor=EDGE, linewidth=0.8)
        if r["start"] < lo:
            ax.text(lo + 0.2, i, f"from {r['first_year']}", va="center", ha="left", fontsize=7,
                    color=text_colour_on(colours[r["kind"]]), fontweight="bold")
    ax.set_yticks(range(len(df)), df["table"], fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlim(lo, hi)
    handles = [mpl.patches.Patch(facecolor=c, edgecolor=EDGE, label=k) for k, c in colours.items()]
    ax.legend(handles=handles, title="from", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ticks = list(range(lo, hi + 1, 2))
    ax.set_xticks(ticks, [periods.fy(t) for t in ticks], rotation=45, ha="right", fontsize=8)
    plots.finish(ax, note=f"Gaps are years a table does not hold. The axis starts at {periods.fy(lo)}; a table "
                    "held from earlier says so on its bar.", **labels)
    return fig
