"""The one plotting style: colour-blind-safe palette, fixed figure sizes, titles, units and a source line.

Every chart in the notebooks is made through these helpers so that reports look the same and every chart
says what it shows, in what units, and where the numbers come from.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.patches  # noqa: F401  (mpl.patches)
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

#: Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), used for every categorical colour.
PALETTE: list[str] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Named roles, so that "our council" is the same colour in every chart.
COLOURS: dict[str, str] = {
    "council": "#D55E00",      # vermilion: the council being reported on
    "comparator": "#0072B2",   # blue: comparator group / median
    "england": "#000000",      # black: England
    "region": "#009E73",       # green: region
    "other": "#BBBBBB",        # grey: other councils
    "red": "#D55E00", "amber": "#E69F00", "green": "#009E73",  # RAG (with text labels, never colour alone)
}
#: Fixed figure sizes (inches) so outputs are deterministic.
SIZES: dict[str, tuple[float, float]] = {"wide": (10.0, 5.0), "tall": (10.0, 8.0), "square": (7.0, 7.0)}


def setup() -> None:
    """Apply the project style (call once at the top of a notebook)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update({
        "figure.figsize": SIZES["wide"],
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.titleweight": "bold",
        "axes.titlesize": 13,
        "axes.titlelocation": "left",
        "svg.hashsalt": "asc",  # deterministic SVG ids
    })


def figure(size: str = "wide") -> tuple[plt.Figure, plt.Axes]:
    """Return a new figure and axes of a named fixed size (``wide``, ``tall``, ``square``)."""
    fig, ax = plt.subplots(figsize=SIZES[size], layout="constrained")
    return fig, ax


def finish(ax: plt.Axes, *, title: str, xlabel: str, ylabel: str, source: str, note: str | None = None) -> plt.Axes:
    """Give a chart its title, axis labels (with units) and a source line; raise if any is missing.

    Parameters
    ----------
    ax
        The axes.
    title
        What the chart shows (e.g. "Gross spend per adult, 2023-24").
    xlabel, ylabel
        Axis labels **with units** (e.g. "£ per head of population aged 18+").
    source
        Where the numbers come from (e.g. "MHCLG RO3 2023-24; ONS mid-2023 population estimates").
    note
        Optional caveat printed under the source.
    """
    for label, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel), ("source", source)):
        if not text or not str(text).strip():
            raise ValueError(f"every chart needs a {label}")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    caption = f"Source: {source}" + (f"\n{note}" if note else "")
    ax.figure.text(0.0, -0.02, caption, ha="left", va="top", fontsize=8, color="#444444",
                   transform=ax.figure.transFigure, wrap=True)
    return ax


def coverage_chart(overview: pd.DataFrame) -> plt.Figure:
    """Horizontal bars from the first to the last financial year of each built table.

    Parameters
    ----------
    overview
        :func:`helpers.tables.overview`.
    """
    df = overview.dropna(subset=["first_year", "last_year"]).copy()
    df = df[df["first_year"].astype(str).str.match(r"^\d{4}-\d{2}$")]
    fig, ax = figure("wide")
    if df.empty:
        ax.text(0.5, 0.5, "No built table has financial years yet: run `asc data build`", ha="center")
        ax.set_axis_off()
        finish(ax, title="Years covered by each table", xlabel="financial year", ylabel="table",
               source="data/processed (asc data build)")
        return fig
    df["start"] = df["first_year"].str[:4].astype(int)
    df["end"] = df["last_year"].str[:4].astype(int) + 1
    df = df.sort_values(["start", "table"], ascending=[False, False])
    colours = {k: PALETTE[i] for i, k in enumerate(sorted(df["kind"].unique()))}
    ax.barh(df["table"], df["end"] - df["start"], left=df["start"], color=df["kind"].map(colours))
    handles = [mpl.patches.Patch(color=c, label=k) for k, c in colours.items()]
    ax.legend(handles=handles, title="kind", loc="lower left", frameon=True)
    ticks = list(range(int(df["start"].min()), int(df["end"].max()) + 1, 2))
    ax.set_xticks(ticks, [f"{t}-{(t + 1) % 100:02d}" for t in ticks], rotation=45, ha="right")
    finish(ax, title="Financial years covered by each processed table", xlabel="financial year",
           ylabel="table", source="data/processed, built by `asc data build` from the registered sources")
    return fig
