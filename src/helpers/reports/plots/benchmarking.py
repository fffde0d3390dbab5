"""Charts of the benchmarking reports: dot strips, trends, quadrant, spine chart, trend panels."""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.reports import plots

#: Marker and size of each role in the benchmarking charts (never colour alone: the council is also
#: bigger, outlined and labelled).
_ROLE_STYLE: dict[str, dict] = {
    "other": {"color": plots.COLOURS["other"], "s": 14, "zorder": 1, "label": "other councils"},
    "comparator": {"color": plots.COLOURS["comparator"], "s": 26, "zorder": 2, "marker": "D", "label": "comparator group"},
    "council": {"color": plots.COLOURS["council"], "s": 90, "zorder": 3, "edgecolor": "black", "linewidth": 0.8},
}



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
        return plots.empty_chart("No council has a value to show.", title=title, source=source)
    labels = list(dict.fromkeys(data["line_label"]))
    shown = {lab: plots.wrap_label(lab, 30, 2) for lab in labels}
    ypos = {lab: len(labels) - 1 - i for i, lab in enumerate(labels)}
    fig, ax = plots.figure("tall" if len(labels) > 5 else "wide", layout=None)
    left = plots.text_inches(list(shown.values()), 11) + 0.6
    plots.margins(fig, left=left, bottom=0.95)
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
    ax.axvline(100, color=plots.COLOURS["england"], linewidth=1, linestyle="--", label="median council (100)")
    ax.set_yticks(list(ypos.values()), [shown[k] for k in ypos])
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.legend(loc="upper right", frameon=True, fontsize=9)
    width = fig.get_size_inches()[0] - left - 0.25
    plots.finish(ax, title=title, xlabel=plots.fill(xlabel, width, 12), ylabel="spend line", source=source, note=note)
    plots.title_at_left_edge(ax)
    return fig


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
    cols = [f"{c}{value}" for c in ("council", "group_median", "england")]
    if trend.empty or trend[cols].notna().sum().sum() == 0:
        return plots.empty_chart("No values to draw for any year.", title=title, source=source)
    fig, ax = plots.figure("wide", layout=None)
    plots.margins(fig, left=1.05, top=0.5, bottom=0.75)
    years = list(trend["year"])
    x = np.array([int(y[:4]) for y in years], dtype=float)  # spaced by calendar time: gaps show
    segments = (trend["collection"] != trend["collection"].shift()).cumsum() if "collection" in trend else \
        pd.Series(0, index=trend.index)
    styles = [(cols[0], council_name, plots.COLOURS["council"], "o", "-", 4, 8),
              (cols[1], f"median of {group_label}", plots.COLOURS["comparator"], "D", "--", 3, 6),
              (cols[2], "England", plots.COLOURS["england"], "s", ":", 3, 6)]
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
    ax.set_ylim(bottom=0)  # from zero: a trend is read by the height of the line
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="lower right", frameon=True, fontsize=9)
    return plots.finish_figure(ax, title=title, xlabel="financial year", ylabel=ylabel, source=source, note=note)


def quadrant(data: pd.DataFrame, *, council_name: str, title: str, xlabel: str, ylabel: str, source: str,
             polarity: str = "higher", note: str | None = None) -> plt.Figure:
    """Spend against an outcome for every council, split at the medians into four quadrants.

    Parameters
    ----------
    data
        ``spend`` (x), ``outcome`` (y), ``role`` (from :func:`helpers.analysis.benchmarking.spend_outcome.spend_vs_outcome`).
    polarity
        The outcome's polarity: which half is labelled "better outcome".
    """
    if data.empty:
        return plots.empty_chart(note or "No council has both values.", title=title, source=source, size="square")
    fig, ax = plots.figure("square", layout=None)
    plots.margins(fig, left=1.15, top=0.5, bottom=1.05)
    data, clipped, (x_hi, y_hi) = clip_outliers(data)
    for role in ("other", "comparator", "council"):
        sel = data["role"] == role
        if not sel.any():
            continue
        style = dict(_ROLE_STYLE[role])
        if role == "council":
            style["label"] = council_name
        ax.scatter(data.loc[sel, "x_shown"], data.loc[sel, "y_shown"], **style)
    for r in clipped.itertuples():
        ax.scatter([r.x_shown], [r.y_shown], marker=">" if r.spend > x_hi else "^", s=40, color="#444444", zorder=4)
        ax.annotate(f"{r.name} ({r.spend:,.0f}, {r.outcome:,.0f})", (r.x_shown, r.y_shown), xytext=(-4, -10),
                    textcoords="offset points", ha="right", fontsize=7, color="#444444")
    if len(clipped):
        ax.set_xlim(right=x_hi * 1.02)
        ax.set_ylim(top=y_hi * 1.04)
        note = (note + "\n" if note else "") + (
            f"{len(clipped)} council(s) beyond the axes drawn at the edge (triangles), labelled with their values.")
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
    return plots.finish_figure(ax, title=title, xlabel=plots.fill(xlabel, width, 12), ylabel=plots.fill(ylabel, 5.2, 12),
                       source=source, note=(note + "\n" if note else "") + "Dashed lines: medians of the councils shown.")


def clip_outliers(data: pd.DataFrame, k: float = 3.0) -> tuple[pd.DataFrame, pd.DataFrame, tuple[float, float]]:
    """Clip far-out points of a scatter to the axes' edge so that one council cannot squash the rest.

    A point beyond ``Q3 + k x IQR`` of its axis (Tukey's far-out fence, ``k = 3``) is drawn at the fence
    (``x_shown`` / ``y_shown``) and returned in ``clipped`` (with ``name``, the council's name) to be labelled
    with its true values; the means and medians are of the true values.
    """
    out = data.copy()
    fences = []
    for col, shown in (("spend", "x_shown"), ("outcome", "y_shown")):
        q1, q3 = out[col].quantile([0.25, 0.75])
        fence = float(q3 + k * (q3 - q1)) if q3 > q1 else float(out[col].max())
        fence = max(fence, float(out[col].max()) if out[col].max() <= fence else fence)
        out[shown] = out[col].clip(upper=fence)
        fences.append(fence)
    far = (out["spend"] > fences[0]) | (out["outcome"] > fences[1])
    clipped = out[far].assign(name=out.loc[far, "name"] if "name" in out else out.loc[far, "gss_code"])
    return out, clipped, (fences[0], fences[1])


def spine_chart(spine: pd.DataFrame, *, council_name: str, group_label: str, title: str, source: str,
                note: str | None = None) -> plt.Figure:
    """One row per measure: the spread of all councils (range, interquartile range, median) and the council.

    Parameters
    ----------
    spine
        :func:`helpers.reports.ascof_benchmarking.spine` (scaled 0 = worst council, 1 = best). The values and verdicts are in
        the report's table, not repeated on the chart (text is the slow part of drawing a chart).
    """
    if spine.empty:
        return plots.empty_chart("The council has no value for any measure this year.", title=title, source=source)
    n = len(spine)
    fig, ax = plots.figure("tall" if n > 8 else "wide", layout=None)
    labels = [lab if len(lab) <= 48 else lab[:46] + "…" for lab in spine["label"]]
    plots.margins(fig, left=plots.text_inches(labels, 8) + 0.5, right=0.6, top=0.5, bottom=1.35)
    y = np.arange(n)[::-1]
    ax.barh(y, spine["hi"] - spine["lo"], left=spine["lo"], color="#E6E6E6", height=0.6, label="range of councils")
    ax.barh(y, spine["q3"] - spine["q1"], left=spine["q1"], color="#A6A6A6", height=0.6,
            label="middle half of councils")
    ax.scatter(spine["median"], y, marker="|", s=200, color="#333333", zorder=3, label="median council")
    ax.scatter(spine["england"], y, marker="s", s=22, color=plots.COLOURS["england"], zorder=4, label="England")
    ax.scatter(spine["group_median"], y, marker="D", s=28, color=plots.COLOURS["comparator"], zorder=4,
               label=f"median of {group_label}")
    small = spine["small"].to_numpy(dtype=bool) if "small" in spine else np.zeros(n, dtype=bool)
    ax.scatter(spine["council"][~small], y[~small], s=80, color=plots.COLOURS["council"], edgecolor="black", zorder=5,
               label=council_name)
    if small.any():
        ax.scatter(spine["council"][small], y[small], s=80, facecolor="white", edgecolor=plots.COLOURS["council"],
                   linewidth=2, zorder=5, label=f"{council_name} (small numbers)")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks([0, 0.5, 1], ["worst council", "", "best council"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False, fontsize=8)
    plots.finish_figure(ax, title=title, xlabel="position among all councils (right = better)", ylabel="ASCOF measure",
                source=source, note=note)
    plots.title_at_left_edge(ax)
    return fig


def trend_panels(trend: pd.DataFrame, *, council_name: str, group_label: str, title: str, source: str,
                 note: str | None = None, breaks: pd.DataFrame | None = None) -> plt.Figure:
    """Small multiples (up to 4): each measure's council value, comparator median and England by year.

    Parameters
    ----------
    trend
        :func:`helpers.analysis.benchmarking.outcomes.trend`: ``measure_code``, ``measure``, ``unit``, ``year``, ``council``,
        ``group_median``, ``england``. Every panel has the same financial years on its x-axis.
    """

    key = "measure_id" if "measure_id" in trend.columns else "measure_code"  # one panel per series (stable id)
    codes = list(dict.fromkeys(trend[key]))[:4] if not trend.empty else []
    if not codes:
        return plots.empty_chart("No values to draw for any year.", title=title, source=source)
    years = sorted(trend["year"].unique())
    xpos = {y: i for i, y in enumerate(years)}
    fig, first = plots.figure("tall", layout=None)
    first.remove()
    plots.margins(fig, left=0.8, top=1.05, bottom=0.7, hspace=0.22, wspace=0.2)
    axes = fig.subplots(2, 2, squeeze=False, sharex=True).ravel()
    units = {"percent": "%", "rate_per_100k": "per 100,000", "score": "score"}
    for ax, code in zip(axes, codes, strict=False):
        t = trend[trend[key] == code]
        x = t["year"].map(xpos).to_numpy(dtype=float)
        for col, label, colour, marker, ls, z in (
                ("england", "England", plots.COLOURS["england"], "s", ":", 2),
                ("group_median", f"median of {group_label}", plots.COLOURS["comparator"], "D", "--", 3),
                ("council", council_name, plots.COLOURS["council"], "o", "-", 4)):
            ax.plot(x, t[col], color=colour, marker=marker, linestyle=ls, label=label, zorder=z)
        ax.set_title("\n".join(textwrap.wrap(f"{t.get('code_shown', t['measure_code']).iloc[-1]} {t['measure'].iloc[0]}", 52)[:2]), fontsize=9, loc="left")
        ax.set_ylabel(units.get(t["unit"].iloc[0], t["unit"].iloc[0]), fontsize=8)
        mine = breaks[breaks["measure_id"] == code] if breaks is not None and key == "measure_id" else None
        for year in ([] if mine is None else sorted(set(mine["year"]) & set(xpos))):
            ax.axvline(xpos[year] - 0.5, color="#444444", linestyle="--", linewidth=1, zorder=1)
            ax.annotate(f"break {year}", (xpos[year] - 0.45, 1), xycoords=("data", "axes fraction"),
                        va="top", fontsize=7, color="#444444")
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




def funnel_chart(points: pd.DataFrame, limits: pd.DataFrame, *, target: float, council_name: str, title: str,
                 xlabel: str, ylabel: str, source: str, od_label: str, note: str | None = None,
                 ax: plt.Axes | None = None) -> plt.Figure:
    """A funnel plot: every council's value against its denominator, the target, exact 95% / 99.8% limits
    and the limits widened for overdispersion.

    Parameters
    ----------
    points
        ``denominator``, ``value``, ``role`` (:class:`helpers.analysis.benchmarking.funnel.Funnel`).
    limits
        ``denominator``, ``lower_95`` ... and ``od_lower_95`` ... on a grid of denominators.
    od_label
        How the widened limits were made (e.g. "additive random effects (tau2)").
    """
    fig, ax = plots.figure("wide", layout=None)
    plots.margins(fig, left=1.0, top=0.5, bottom=0.8, right=2.4)
    for role in ("other", "comparator", "council"):
        sel = points["role"] == role
        if not sel.any():
            continue
        style = dict(_ROLE_STYLE[role])
        if role == "council":
            style["label"] = council_name
        ax.scatter(points.loc[sel, "denominator"], points.loc[sel, "value"], **style)
    x = limits["denominator"]
    ax.axhline(target, color=plots.COLOURS["england"], linewidth=1, label="England")
    for lev, ls in (("95", "--"), ("99.8", "-")):
        ax.plot(x, limits[f"lower_{lev}"], color="#555555", linestyle=ls, linewidth=0.9,
                label=f"{lev}% limits (exact)")
        ax.plot(x, limits[f"upper_{lev}"], color="#555555", linestyle=ls, linewidth=0.9)
        ax.plot(x, limits[f"od_lower_{lev}"], color=plots.COLOURS["comparator"], linestyle=ls, linewidth=1.2,
                label=f"{lev}% limits, {od_label}")
        ax.plot(x, limits[f"od_upper_{lev}"], color=plots.COLOURS["comparator"], linestyle=ls, linewidth=1.2)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    top = float(np.nanmax([points["value"].max(), np.nanmax(limits["od_upper_99.8"])]))
    ax.set_ylim(bottom=0, top=top * 1.05)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    plots.finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source, note=note)
    plots.title_at_left_edge(ax)
    return fig
