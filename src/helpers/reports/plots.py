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


def figure(size: str = "wide", layout: str | None = "constrained") -> tuple[plt.Figure, plt.Axes]:
    """Return a new figure and axes of a named fixed size (``wide``, ``tall``, ``square``).

    ``layout=None`` gives a figure without a layout engine, for charts that set fixed margins with
    :func:`margins` (constrained layout measures every text twice before drawing: about 40% of the time of
    the benchmarking charts).
    """
    fig, ax = plt.subplots(figsize=SIZES[size], layout=layout)
    return fig, ax


#: Average width of a character of the charts' font (DejaVu Sans), in ems: for fixed margins sized to labels.
CHAR_EM = 0.6


def text_inches(labels: list[str] | pd.Series, fontsize: float) -> float:
    """Estimated width in inches of the longest line of ``labels`` at ``fontsize`` points (for margins)."""
    longest = max((len(line) for lab in labels for line in str(lab).split("\n")), default=0)
    return longest * fontsize * CHAR_EM / 72


def margins(fig: plt.Figure, *, left: float, right: float = 0.25, top: float = 0.5, bottom: float = 0.7,
            hspace: float | None = None, wspace: float | None = None) -> None:
    """Fixed margins in inches around the axes of a figure made with ``layout=None`` (see :func:`figure`).

    :func:`image` keeps these margins in inches when it adds the strip for the source line under the chart.
    """
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h,
                        hspace=hspace, wspace=wspace)


def title_at_left_edge(ax: plt.Axes) -> None:
    """Put the axes title at the figure's left edge (call after :func:`margins` and :func:`finish`)."""
    w = ax.figure.get_size_inches()[0]
    pos = ax.get_position()
    ax.set_title(ax.get_title(loc="left"), loc="left", x=-(pos.x0 - 0.08 / w) / pos.width)


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
    ax.set_title(title, loc="left")  # the house style, whatever rcParams say
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    caption = f"Source: {source}" + (f"\n{note}" if note else "")
    ax.figure.text(0.0, -0.02, caption, ha="left", va="top", fontsize=8, color="#444444",
                   transform=ax.figure.transFigure, wrap=True)
    return ax


#: First financial year on the axis of :func:`coverage_chart`; a table that starts earlier (the GDP deflators,
#: from 1955-56) is cut there and says where it starts.
COVERAGE_FROM = 2000


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
    df = df[df["first_year"].astype(str).str.match(r"^\d{4}-\d{2}$")]
    fig, ax = figure("wide")
    labels = dict(title="Financial years held by each processed table", xlabel="financial year", ylabel="table",
                  source="data/processed, built by `asc data build` from the registered sources and council reports")
    if df.empty:
        ax.text(0.5, 0.5, "No built table has financial years yet: run `asc data build`", ha="center")
        ax.set_axis_off()
        finish(ax, **labels)
        return fig
    df["start"] = df["first_year"].str[:4].astype(int)
    df["end"] = df["last_year"].str[:4].astype(int) + 1
    df = df.sort_values(["kind", "start", "table"], ascending=[True, False, False]).reset_index(drop=True)
    colours = {k: PALETTE[i] for i, k in enumerate(sorted(df["kind"].unique()))}
    lo = min(COVERAGE_FROM, int(df.loc[df["start"] >= COVERAGE_FROM, "start"].min())
             if (df["start"] >= COVERAGE_FROM).any() else COVERAGE_FROM)
    hi = int(df["end"].max())
    for i, r in df.iterrows():
        held = sorted(int(y[:4]) for y in (years or {}).get(r["table"], [])) or list(range(r["start"], r["end"]))
        runs: list[tuple[int, int]] = []
        for y in held:
            if runs and y == runs[-1][0] + runs[-1][1]:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((y, 1))
        clipped = [(max(a, lo), a + n - max(a, lo)) for a, n in runs if a + n > lo]
        ax.broken_barh(clipped, (i - 0.35, 0.7), color=colours[r["kind"]])
        if r["start"] < lo:
            ax.text(lo + 0.2, i, f"from {r['first_year']}", va="center", ha="left", fontsize=7, color="white",
                    fontweight="bold")
    ax.set_yticks(range(len(df)), df["table"], fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlim(lo, hi)
    handles = [mpl.patches.Patch(color=c, label=k) for k, c in colours.items()]
    ax.legend(handles=handles, title="from", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ticks = list(range(lo, hi + 1, 2))
    ax.set_xticks(ticks, [f"{t}-{(t + 1) % 100:02d}" for t in ticks], rotation=45, ha="right", fontsize=8)
    finish(ax, note=f"Gaps are years a table does not hold. The axis starts at {lo}-{(lo + 1) % 100:02d}; a table "
                    "held from earlier says so on its bar.", **labels)
    return fig


# ------------------------------------------------------------------------------------------------
# benchmarking charts (helpers.analysis.benchmarking.spend, helpers.analysis.benchmarking.outcomes)
# ------------------------------------------------------------------------------------------------

#: Marker and size of each role in the benchmarking charts (never colour alone: the council is also
#: bigger, outlined and labelled).
_ROLE_STYLE: dict[str, dict] = {
    "other": {"color": COLOURS["other"], "s": 14, "zorder": 1, "label": "other councils"},
    "comparator": {"color": COLOURS["comparator"], "s": 26, "zorder": 2, "marker": "D", "label": "comparator group"},
    "council": {"color": COLOURS["council"], "s": 90, "zorder": 3, "edgecolor": "black", "linewidth": 0.8},
}


def empty_chart(message: str, *, title: str, source: str, size: str = "wide") -> plt.Figure:
    """A chart that says why it has nothing to show (never a silent empty chart)."""
    fig, ax = figure(size)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    finish(ax, title=title, xlabel="(no data)", ylabel="(no data)", source=source)
    return fig


def _fill(text: str, inches: float, fontsize: float) -> str:
    """Wrap ``text`` to lines that fit ``inches`` at ``fontsize`` points (estimated with :data:`CHAR_EM`)."""
    import textwrap

    return textwrap.fill(str(text), max(20, int(inches * 72 / (fontsize * CHAR_EM))))


def dot_strip(data: pd.DataFrame, *, council_name: str, title: str, xlabel: str, source: str,
              note: str | None = None) -> plt.Figure:
    """One row of dots per measure: every council, the comparator group and the council highlighted.

    Parameters
    ----------
    data
        ``line_label`` (row), ``pct_of_median`` (x) and ``role`` (``council``, ``comparator``, ``other``),
        e.g. :func:`helpers.analysis.benchmarking.spend.spend_strip`, in row order.
    council_name
        For the legend.
    """
    if data.empty:
        return empty_chart("No council has a value to show.", title=title, source=source)
    labels = list(dict.fromkeys(data["line_label"]))
    shown = {lab: _wrap(lab, 30, 2) for lab in labels}
    ypos = {lab: len(labels) - 1 - i for i, lab in enumerate(labels)}
    fig, ax = figure("tall" if len(labels) > 5 else "wide", layout=None)
    left = text_inches(list(shown.values()), 11) + 0.6
    margins(fig, left=left, bottom=0.95)
    jitter = (pd.util.hash_pandas_object(data["gss_code"], index=False) % 1000 / 1000 - 0.5) * 0.3
    y = data["line_label"].map(ypos) + jitter.where(data["role"] != "council", 0).to_numpy()
    for role in ("other", "comparator", "council"):
        sel = (data["role"] == role).to_numpy()
        if not sel.any():
            continue
        style = dict(_ROLE_STYLE[role])
        if role == "council":
            style["label"] = council_name
        ax.scatter(data.loc[sel, "pct_of_median"], y[sel], **style)
    mine = data[data["role"] == "council"]
    for lab, pct in zip(mine["line_label"], mine["pct_of_median"], strict=True):
        ax.annotate(f"{pct:.0f}%", (pct, ypos[lab]), xytext=(0, 11), textcoords="offset points", ha="center",
                    fontsize=9, fontweight="bold", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
                    zorder=4)
    ax.axvline(100, color=COLOURS["england"], linewidth=1, linestyle="--", label="median council (100)")
    ax.set_yticks(list(ypos.values()), [shown[k] for k in ypos])
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.legend(loc="upper right", frameon=True, fontsize=9)
    width = fig.get_size_inches()[0] - left - 0.25
    finish(ax, title=title, xlabel=_fill(xlabel, width, 12), ylabel="spend line", source=source, note=note)
    title_at_left_edge(ax)
    return fig


def _finish_any(ax: plt.Axes, **kw) -> plt.Figure:
    finish(ax, **kw)
    return ax.figure


def trend_chart(trend: pd.DataFrame, *, council_name: str, group_label: str, title: str, ylabel: str,
                source: str, value: str = "", note: str | None = None) -> plt.Figure:
    """Lines of the council, its comparator group's median and England by financial year.

    Parameters
    ----------
    trend
        ``year``, ``council``, ``group_median``, ``england`` (columns suffixed ``value``, e.g. ``_real``) and,
        optionally, ``collection``: a change of collection is marked and the line is broken there. The
        council is drawn on top, so that a point equal to England's stays visible.
    """
    import numpy as np

    cols = [f"{c}{value}" for c in ("council", "group_median", "england")]
    if trend.empty or trend[cols].notna().sum().sum() == 0:
        return empty_chart("No values to draw for any year.", title=title, source=source)
    fig, ax = figure("wide", layout=None)
    margins(fig, left=1.05, top=0.5, bottom=0.75)
    years = list(trend["year"])
    x = np.array([int(y[:4]) for y in years], dtype=float)  # spaced by calendar time: gaps show
    segments = (trend["collection"] != trend["collection"].shift()).cumsum() if "collection" in trend else \
        pd.Series(0, index=trend.index)
    styles = [(cols[0], council_name, COLOURS["council"], "o", "-", 4, 8),
              (cols[1], f"median of {group_label}", COLOURS["comparator"], "D", "--", 3, 6),
              (cols[2], "England", COLOURS["england"], "s", ":", 3, 6)]
    for col, label, colour, marker, ls, z, size in styles:
        first = True
        for _, idx in trend.groupby(segments).groups.items():
            pos = [trend.index.get_loc(i) for i in idx]
            ax.plot(x[pos], trend.loc[idx, col], color=colour, marker=marker, linestyle=ls, zorder=z,
                    markersize=size, label=label if first else None)
            first = False
    if "collection" in trend:
        for i in range(1, len(years)):
            if trend["collection"].iloc[i] != trend["collection"].iloc[i - 1]:
                mid = (x[i] + x[i - 1]) / 2
                ax.axvline(mid, color="#888888", linewidth=1)
                ax.text(mid + 0.05, 0.98, f"{trend['collection'].iloc[i]} from here", transform=ax.get_xaxis_transform(),
                        va="top", fontsize=8, color="#555555")
    ax.set_xticks(x, years)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="best", frameon=True, fontsize=9)
    return _finish_any(ax, title=title, xlabel="financial year", ylabel=ylabel, source=source, note=note)


def quadrant(data: pd.DataFrame, *, council_name: str, title: str, xlabel: str, ylabel: str, source: str,
             polarity: str = "higher", note: str | None = None) -> plt.Figure:
    """Spend against an outcome for every council, split at the medians into four quadrants.

    Parameters
    ----------
    data
        ``spend`` (x), ``outcome`` (y), ``role`` (from :func:`helpers.analysis.benchmarking.spend.spend_vs_outcome`).
    polarity
        The outcome's polarity: which half is labelled "better outcome".
    """
    if data.empty:
        return empty_chart(note or "No council has both values.", title=title, source=source, size="square")
    fig, ax = figure("square", layout=None)
    margins(fig, left=1.15, top=0.5, bottom=1.05)
    for role in ("other", "comparator", "council"):
        sel = data["role"] == role
        if not sel.any():
            continue
        style = dict(_ROLE_STYLE[role])
        if role == "council":
            style["label"] = council_name
        ax.scatter(data.loc[sel, "spend"], data.loc[sel, "outcome"], **style)
    mx, my = float(data["spend"].median()), float(data["outcome"].median())
    ax.axvline(mx, color="#555555", linewidth=1, linestyle="--")
    ax.axhline(my, color="#555555", linewidth=1, linestyle="--")
    good_top = polarity != "lower"
    words = {True: "better outcome", False: "worse outcome"} if polarity != "none" else \
        {True: "higher outcome", False: "lower outcome"}
    for xs, ha in ((0.02, "left"), (0.98, "right")):
        spend_word = "lower spend" if ha == "left" else "higher spend"
        for ys, va in ((0.98, "top"), (0.02, "bottom")):
            top = va == "top"
            ax.text(xs, ys, f"{spend_word},\n{words[top == good_top]}", transform=ax.transAxes, ha=ha, va=va,
                    fontsize=8, color="#444444")
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="center right", frameon=True, fontsize=8)
    width = fig.get_size_inches()[0] - 1.4
    return _finish_any(ax, title=title, xlabel=_fill(xlabel, width, 12), ylabel=_fill(ylabel, 5.2, 12),
                       source=source, note=(note + "\n" if note else "") + "Dashed lines: medians of the councils shown.")


def spine_chart(spine: pd.DataFrame, *, council_name: str, group_label: str, title: str, source: str,
                note: str | None = None) -> plt.Figure:
    """One row per measure: the spread of all councils (range, interquartile range, median) and the council.

    Parameters
    ----------
    spine
        :func:`helpers.analysis.benchmarking.outcomes.spine` (scaled 0 = worst council, 1 = best). The values and verdicts are in
        the report's table, not repeated on the chart (text is the slow part of drawing a chart).
    """
    import numpy as np

    if spine.empty:
        return empty_chart("The council has no value for any measure this year.", title=title, source=source)
    n = len(spine)
    fig, ax = figure("tall" if n > 8 else "wide", layout=None)
    labels = [lab if len(lab) <= 48 else lab[:46] + "…" for lab in spine["label"]]
    margins(fig, left=text_inches(labels, 8) + 0.5, right=0.6, top=0.5, bottom=1.35)
    y = np.arange(n)[::-1]
    ax.barh(y, spine["hi"] - spine["lo"], left=spine["lo"], color="#E6E6E6", height=0.6, label="range of councils")
    ax.barh(y, spine["q3"] - spine["q1"], left=spine["q1"], color="#A6A6A6", height=0.6,
            label="middle half of councils")
    ax.scatter(spine["median"], y, marker="|", s=200, color="#333333", zorder=3, label="median council")
    ax.scatter(spine["england"], y, marker="s", s=22, color=COLOURS["england"], zorder=4, label="England")
    ax.scatter(spine["group_median"], y, marker="D", s=28, color=COLOURS["comparator"], zorder=4,
               label=f"median of {group_label}")
    ax.scatter(spine["council"], y, s=80, color=COLOURS["council"], edgecolor="black", zorder=5, label=council_name)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks([0, 0.5, 1], ["worst council", "", "best council"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False, fontsize=8)
    _finish_any(ax, title=title, xlabel="position among all councils (right = better)", ylabel="ASCOF measure",
                source=source, note=note)
    title_at_left_edge(ax)
    return fig


def trend_panels(trend: pd.DataFrame, *, council_name: str, group_label: str, title: str, source: str,
                 note: str | None = None) -> plt.Figure:
    """Small multiples (up to 4): each measure's council value, comparator median and England by year.

    Parameters
    ----------
    trend
        :func:`helpers.analysis.benchmarking.outcomes.trend`: ``measure_code``, ``measure``, ``unit``, ``year``, ``council``,
        ``group_median``, ``england``. Every panel has the same financial years on its x-axis.
    """
    import textwrap


    codes = list(dict.fromkeys(trend["measure_code"]))[:4] if not trend.empty else []
    if not codes:
        return empty_chart("No values to draw for any year.", title=title, source=source)
    years = sorted(trend["year"].unique())
    xpos = {y: i for i, y in enumerate(years)}
    fig, first = figure("tall", layout=None)
    first.remove()
    margins(fig, left=0.8, top=1.05, bottom=0.7, hspace=0.22, wspace=0.2)
    axes = fig.subplots(2, 2, squeeze=False, sharex=True).ravel()
    units = {"percent": "%", "rate_per_100k": "per 100,000", "score": "score"}
    for ax, code in zip(axes, codes, strict=False):
        t = trend[trend["measure_code"] == code]
        x = t["year"].map(xpos).to_numpy(dtype=float)
        for col, label, colour, marker, ls, z in (
                ("england", "England", COLOURS["england"], "s", ":", 2),
                ("group_median", f"median of {group_label}", COLOURS["comparator"], "D", "--", 3),
                ("council", council_name, COLOURS["council"], "o", "-", 4)):
            ax.plot(x, t[col], color=colour, marker=marker, linestyle=ls, label=label, zorder=z)
        ax.set_title("\n".join(textwrap.wrap(f"{code} {t['measure'].iloc[0]}", 52)[:2]), fontsize=9, loc="left")
        ax.set_ylabel(units.get(t["unit"].iloc[0], t["unit"].iloc[0]), fontsize=8)
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(5))
        if t[["council", "group_median", "england"]].abs().max().max() >= 1000:
            ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.tick_params(labelsize=8)
    axes[0].set_xticks(range(len(years)), [y[2:] for y in years])
    for ax in axes[len(codes):]:
        ax.set_axis_off()
    for ax in axes[2:len(codes)]:
        ax.set_xlabel("financial year", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(0.0, 1 - 0.42 / 8), ncol=3,
               frameon=False, fontsize=8)
    fig.suptitle(title, x=0.01, y=1 - 0.08 / 8, ha="left", va="top", fontweight="bold", fontsize=13)
    caption = f"Source: {source}" + (f"\n{note}" if note else "")
    fig.text(0.0, -0.02, caption, ha="left", va="top", fontsize=8, color="#444444", wrap=True)
    return fig


# ------------------------------------------------------------------------------------------------
# forecast variance and performance scorecard charts (helpers.analysis.variance.budget, helpers.analysis.scorecard)
# ------------------------------------------------------------------------------------------------

_RAG_COLOURS = {"Red": COLOURS["red"], "Amber": COLOURS["amber"], "Green": COLOURS["green"]}


def _empty_chart(ax: plt.Axes, message: str, **labels: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    finish(ax, **labels)


def _gbp_k(x: float) -> str:
    if round(x) == 0:
        return "£0k"
    return f"{'-' if x < 0 else '+'}£{abs(x):,.0f}k"


def _wrap(text: str, width: int, lines: int) -> str:
    """Wrap a label to at most ``lines`` lines of ``width`` characters (an ellipsis if cut)."""
    import textwrap

    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def waterfall_chart(vt: pd.DataFrame, *, top: int = 8, source: str) -> plt.Figure:
    """Waterfall from the budget to the forecast outturn of the main table(s) of a period.

    Each step is a line's variance (overspend up, underspend down, labelled with its amount); the ``top``
    largest are shown one by one and the rest together. A final step shows any difference between the sum
    of the lines and the printed total (the document's own rounding), so the chart ends at the printed
    forecast outturn.

    Parameters
    ----------
    vt
        :func:`helpers.analysis.variance.budget.variance_table`.
    top
        Lines shown separately.
    source
        Source line for the chart.
    """
    from helpers.analysis.variance import budget as variance

    fig, ax = figure("wide")
    labels = dict(title="From budget to forecast outturn", xlabel="budget, each line's variance, forecast outturn",
                  ylabel="£ thousands", source=source)
    heads = variance.headline(vt) if len(vt) else vt
    if heads.empty or heads[["budget_gbp_k", "forecast_outturn_gbp_k"]].isna().any(axis=None):
        _empty_chart(ax, "No budget and forecast totals for this period", **labels)
        return fig
    main = vt[vt["table_id"].isin(heads["table_id"]) & (vt["row_type"] == "line") & vt["variance_gbp_k"].notna()]
    main = main.assign(_a=main["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True])
    shown, rest = main.head(top), main.iloc[top:]
    steps = list(zip(shown["line"].map(lambda t: _wrap(t, 18, 3)), shown["variance_gbp_k"], strict=True))
    if len(rest):
        steps.append((f"{len(rest)} other lines", float(rest["variance_gbp_k"].sum())))
    start, end = float(heads["budget_gbp_k"].sum()), float(heads["forecast_outturn_gbp_k"].sum())
    gap = end - start - sum(v for _, v in steps)
    if abs(gap) > 1e-6:
        steps.append(("printed total\nminus sum of lines", gap))
    names = ["Budget", *[n for n, _ in steps], "Forecast outturn"]
    level, bottoms, heights, colours = start, [0.0], [start], [PALETTE[0]]
    for _, v in steps:
        bottoms.append(level if v >= 0 else level + v)
        heights.append(abs(v))
        colours.append(COLOURS["red"] if v > 0 else PALETTE[5])
        level += v
    bottoms.append(0.0)
    heights.append(end)
    colours.append(PALETTE[0])
    x = range(len(names))
    ax.bar(x, heights, bottom=bottoms, color=colours, edgecolor="#333333", linewidth=0.5)
    from itertools import accumulate

    levels = [*accumulate([start, *[v for _, v in steps]]), end]
    rng = max(max(levels) - min(levels), 0.001 * max(abs(start), abs(end), 1.0))
    lo, hi = min(levels) - 1.5 * rng, max(levels) + 0.6 * rng
    if min(levels) >= 0 > lo:
        lo = 0.0
    ax.set_ylim(lo, hi)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        text = f"£{h:,.0f}k" if i in (0, len(names) - 1) else _gbp_k(steps[i - 1][1])
        ax.text(i, b + h, text, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x), names, rotation=0, ha="center", fontsize=7)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    tables = "; ".join(sorted(heads["source_table"].astype(str).unique()))
    finish(ax, note=f"Lines and total of: {tables}. Red steps: overspends; light blue: underspends. The y-axis "
                    "does not start at zero.", **labels)
    return fig


def forecast_movement_chart(mv: pd.DataFrame, *, source: str) -> plt.Figure:
    """How each line's forecast variance has moved across the reported periods.

    Parameters
    ----------
    mv
        :func:`helpers.analysis.variance.budget.movement` (one point per line and period).
    """
    fig, ax = figure("wide")
    labels = dict(title="How the forecast variance has moved", xlabel="reporting period",
                  ylabel="variance, £ thousands (+ = overspend)", source=source)
    if mv.empty:
        _empty_chart(ax, "Only one reported period: no movement to show", **labels)
        return fig
    from helpers.analysis.variance import budget as variance

    order = mv.drop_duplicates("period").sort_values("order")
    pos = {p: i for i, p in enumerate(order["period"])}
    many_tables = mv["table_id"].nunique() > 1
    n_total = n_line = 0
    markers = ("o", "s", "^", "D", "v", "P", "X", "*")
    for (tid, line), g in mv.groupby(["table_id", "line"], sort=True):
        g = g.sort_values("order")
        total = (g["row_type"] == "total").all()
        name = f"{line} ({tid.split('-')[-2] if many_tables else ''})".replace(" ()", "")
        style = ("-", "--", ":", "-.")[n_total % 4] if total else "-"
        colour = "#000000" if total else PALETTE[n_line % (len(PALETTE) - 1)]
        marker = "o" if total else markers[(n_line // (len(PALETTE) - 1)) % len(markers)]
        n_total += int(total)
        n_line += int(not total)
        ax.plot(g["period"].map(pos), g["variance_gbp_k"], marker=marker, label=_wrap(name, 40, 2), linestyle=style,
                color=colour, linewidth=2.5 if total else 1.5)
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xticks(range(len(pos)), [variance.period_label(p).replace(" (", "\n(") for p in pos])
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    finish(ax, note="Totals in black (one line style per table). The first point of a line may be the previous period's variance as "
                    "printed in this report.", **labels)
    return fig


def decomposition_chart(dec: pd.DataFrame, *, source: str) -> plt.Figure:
    """Volume, price and remainder of each decomposed key-activity line (stacked bars, £ thousands)."""
    d = dec[dec["decomposed"] == "yes"] if len(dec) else dec
    fig, ax = figure("tall")
    labels = dict(title="Is the variance more people or dearer care?", xlabel="£ thousands (+ = overspend)",
                  ylabel="key-activity line", source=source)
    if d.empty:
        _empty_chart(ax, "No key-activity lines with clients and unit costs for this period", **labels)
        return fig
    d = d.iloc[::-1]
    names = (d["service_group"] + ": " + d["line"].str.lstrip("~ ")).map(lambda t: _wrap(t, 48, 2)).tolist()
    y = range(len(d))
    parts = [("volume (number of clients)", "volume_gbp_k", PALETTE[0]),
             ("price (unit cost)", "price_gbp_k", PALETTE[1]),
             ("remainder (timing, part-year, other)", "remainder_gbp_k", "#BBBBBB")]
    pos_left = [0.0] * len(d)
    neg_left = [0.0] * len(d)
    for label, col, colour in parts:
        vals = d[col].fillna(0).tolist()
        lefts = [pl if v >= 0 else nl for v, pl, nl in zip(vals, pos_left, neg_left, strict=True)]
        ax.barh(list(y), vals, left=lefts, color=colour, label=label, edgecolor="white", linewidth=0.5)
        pos_left = [pl + max(v, 0) for v, pl in zip(vals, pos_left, strict=True)]
        neg_left = [nl + min(v, 0) for v, nl in zip(vals, neg_left, strict=True)]
    ax.scatter(d["variance_gbp_k"], list(y), marker="D", color="#000000", zorder=3, label="variance")
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for yi, v in zip(y, d["variance_gbp_k"], strict=True):
        ax.text(1.01, yi, _gbp_k(v), fontsize=7, ha="left", va="center", transform=trans)
    ax.text(1.01, len(d) - 0.4, "variance", fontsize=7, ha="left", va="bottom", fontweight="bold", transform=trans)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_yticks(list(y), names, fontsize=8)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    finish(ax, note="Volume = (actual - budgeted clients) x budgeted unit cost x weeks; price = (actual - budgeted "
                    "unit cost) x actual clients x weeks; remainder = variance - volume - price.", **labels)
    return fig


def variance_rag_chart(vt: pd.DataFrame, *, top: int = 12, source: str) -> plt.Figure:
    """Variance as a per cent of budget for the lines of the main table(s), coloured and labelled by RAG."""
    from helpers.analysis.variance import budget as variance

    fig, ax = figure("tall")
    labels = dict(title="Variance by line, with its RAG", xlabel="variance, % of budget (+ = overspend)",
                  ylabel="service line", source=source)
    if vt.empty:
        _empty_chart(ax, "No budget figures for this period", **labels)
        return fig
    d = vt[vt["table_id"].isin(variance.main_tables(vt)) & (vt["row_type"] == "line")]
    d = d.assign(_a=d["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True]).head(top)
    d = d.iloc[::-1]
    y = list(range(len(d)))
    pct = d["variance_pct"].fillna(0.0)
    ax.barh(y, pct, color=[_RAG_COLOURS.get(r, "#BBBBBB") for r in d["rag"]], edgecolor="#333333", linewidth=0.5)
    for yi, p, r, t, v in zip(y, pct, d["rag"], d["variance_pct_text"], d["variance_gbp_k"], strict=True):
        ax.text(p, yi, f"  {r}: {t}, {_gbp_k(v) if pd.notna(v) else 'n/a'}  ", va="center",
                ha="left" if p >= 0 else "right", fontsize=8)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.set_yticks(y, d["line"].map(lambda t: _wrap(t, 36, 2)), fontsize=8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}%"))
    lim = max(float(pct.abs().max()), 1.0) * 1.8
    ax.set_xlim(-lim, lim)
    tables = "; ".join(sorted(d["source_table"].astype(str).unique()))
    finish(ax, note=f"The largest variances (£k) of: {tables}. RAG by the thresholds stated above the chart; 'n/a': "
                    "no budget to take a per cent of; a line with a negative (net income) budget: the per cent is of "
                    "its size.", **labels)
    return fig


def rag_counts_chart(counts: pd.DataFrame, *, source: str) -> plt.Figure:
    """KPIs by RAG category: ours beside the report's printed ratings (bars labelled with category and count).

    Parameters
    ----------
    counts
        :func:`helpers.analysis.scorecard.rag_counts`.
    """
    fig, ax = figure("wide")
    labels = dict(title="KPIs by RAG rating: computed by the stated rules, and as printed", xlabel="rating",
                  ylabel="number of KPIs",
                  source=source)
    c = counts[counts["rag"] != "Total"]
    c = c[(c["ours"] + c["printed"]) > 0]
    if c.empty:
        _empty_chart(ax, "No KPIs for this period", **labels)
        return fig
    x = list(range(len(c)))
    w = 0.4
    colours = [_RAG_COLOURS.get(r, "#BBBBBB") for r in c["rag"]]
    ax.bar([i - w / 2 for i in x], c["ours"], width=w, color=colours, edgecolor="#333333",
           label="computed by the rules")
    ax.bar([i + w / 2 for i in x], c["printed"], width=w, color=colours, edgecolor="#333333", hatch="//",
           alpha=0.6, label="printed in the report")
    for i, (o, p) in enumerate(zip(c["ours"], c["printed"], strict=True)):
        ax.text(i - w / 2, o, f"computed {o}", ha="center", va="bottom", fontsize=8)
        ax.text(i + w / 2, p, f"printed {p}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, c["rag"])
    ax.legend(fontsize=8)
    finish(ax, note="Solid bars: computed by the rule set; hatched: the RAG printed in the report.", **labels)
    return fig


# ------------------------------------------------------------------------------------------------
# demand forecasting charts (helpers.reports.demand_trends)
# ------------------------------------------------------------------------------------------------


def _fy_ticks(ax: plt.Axes, starts: list[int]) -> None:
    """Label integer start years as financial years ``YYYY-YY`` (every year, or every other when crowded)."""
    lo, hi = min(starts), max(starts)
    step = 1 if hi - lo <= 12 else 2
    ticks = list(range(lo, hi + 1, step))
    ax.set_xticks(ticks, [f"{t}-{(t + 1) % 100:02d}" for t in ticks], rotation=45, ha="right")


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
    fig, ax = figure("wide")
    h = history.dropna(subset=["value"]).copy()
    h["x"] = h["year"].str[:4].astype(int)
    used, other = h[h["used"]], h[~h["used"]]
    if len(other):
        ax.scatter(other["x"], other["value"], facecolors="none", edgecolors=COLOURS["other"], s=30, zorder=2,
                   label="not modelled (other collection, area or a gap)")
    ax.plot(used["x"], used["value"], color=COLOURS["council"], marker="o", zorder=3, label="modelled years")
    xs = list(h["x"])
    if len(forecast):
        f = forecast.copy()
        fx = [int(str(p)[:4]) for p in f.index]
        x0, y0 = int(used["x"].iloc[-1]), float(used["value"].iloc[-1])
        ax.vlines(fx, f["lower_95"].clip(lower=0), f["upper_95"], color=COLOURS["comparator"], alpha=0.25,
                  linewidth=14, label="95% prediction interval")
        ax.vlines(fx, f["lower_80"].clip(lower=0), f["upper_80"], color=COLOURS["comparator"], alpha=0.5,
                  linewidth=14, label="80% prediction interval")
        ax.plot([x0, *fx], [y0, *f["mean"]], color=COLOURS["comparator"], linestyle="--", marker="s", zorder=3,
                markevery=list(range(1, len(fx) + 1)), label="forecast (mean)")  # the last actual stays visible
        xs += fx
    for i, b in enumerate(break_years):
        ax.axvline(int(b[:4]) - 0.5, color=COLOURS["england"], linestyle=":", linewidth=1,
                   label="series break" if i == 0 else None)
    if xs:
        _fy_ticks(ax, xs)
    tops = [h["value"].max(), *(forecast[["mean", "upper_95"]].max() if len(forecast) else [])]
    top = max((float(t) for t in tops if pd.notna(t)), default=1.0)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1.0)  # room above the highest point and interval
    ax.legend(loc="lower left", frameon=True, fontsize=8)
    finish(ax, title=title, xlabel="financial year", ylabel=ylabel, source=source, note=note)
    return fig


def population_chart(population: pd.DataFrame, *, title: str, ylabel: str, source: str,
                     note: str | None = None) -> plt.Figure:
    """A population band by mid-year: ONS estimates (solid) and the projection (dashed, labelled as such).

    Parameters
    ----------
    population
        ``mid_year``, ``population``, ``kind`` (``estimate`` / ``projection``), e.g.
        :attr:`helpers.analysis.demand.series.Driver.population`.
    """
    fig, ax = figure("wide")
    est = population[population["kind"] == "estimate"]
    ax.plot(est["mid_year"], est["population"], color=COLOURS["council"], marker="o",
            label="ONS mid-year estimates")
    proj = population[population["kind"] == "projection"]
    if len(proj) and len(est):
        ax.plot([est["mid_year"].iloc[-1], *proj["mid_year"]], [est["population"].iloc[-1], *proj["population"]],
                color=COLOURS["comparator"], linestyle="--", marker="s",
                label="cohort ageing of ONS mid-year estimates (not an ONS projection)")
    years = [int(y) for y in population["mid_year"]]
    ax.set_xticks(years, [f"mid-{y}" for y in years], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="lower right", frameon=True, fontsize=8)
    finish(ax, title=title, xlabel="mid-year (30 June)", ylabel=ylabel, source=source, note=note)
    return fig


def image(fig: plt.Figure, fmt: str = "svg") -> object:
    """Render a finished chart now and close it; return it for display (``IPython.display.SVG`` or ``Image``).

    Notebook charts are otherwise rendered by the inline backend with ``bbox_inches="tight"``, which lays the
    chart out twice (once to find the tight box, once to draw); measured on the benchmarking charts that is
    about twice the time. Here the source caption (placed under the axes by :func:`finish`) is moved into a
    strip added at the bottom of the figure, the caption is wrapped to the figure's width, and the chart is
    drawn once at the figure's size and dpi. Deterministic: same chart, same bytes.

    ``fmt="svg"`` (the default) writes the text as SVG text (``svg.fonttype: none``), drawn by the browser:
    measured on the benchmarking charts it renders in 35-50% of the time of a PNG (Agg rasterises every glyph),
    is smaller for all but the dot strip, and stays sharp when a report is zoomed or printed. ``fmt="png"``:
    a PNG at the figure's dpi.
    """
    import io
    import textwrap

    from IPython.display import Image

    w, h = fig.get_size_inches()
    caps = [t for t in fig.texts if t.get_text().startswith("Source:")]
    if caps:
        cap = caps[0]
        size = float(cap.get_fontsize())
        chars = max(40, int(w * 72 / (size * 0.55)))
        text = "\n".join(textwrap.fill(line, chars) for line in cap.get_text().split("\n"))
        lines = text.count("\n") + 1
        extra = (lines * size * 1.3 + 8) / 72
        total = h + extra
        fig.set_size_inches(w, total)
        cap.set_wrap(False)
        cap.set_text(text)
        cap.set_position((0.005, (extra - 4 / 72) / total))
        cap.set_verticalalignment("top")
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
            engine.set(rect=(0, extra / total, 1, 1 - extra / total))
        else:  # fixed margins (see margins): keep them in inches, the strip added under the bottom one
            sp = fig.subplotpars
            fig.subplots_adjust(top=1 - (1 - sp.top) * h / total, bottom=(sp.bottom * h + extra) / total)
    buf = io.BytesIO()
    if fmt == "svg":
        from IPython.display import SVG

        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "asc"}):
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
        return SVG(data=buf.getvalue().decode("utf-8"))
    fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None})
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png")
