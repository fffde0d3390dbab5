"""Charts of the forecast variance and scorecard reports: waterfall, movement, price / volume, RAG."""

from __future__ import annotations

from itertools import accumulate

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.periods import period_label
from helpers.reports import plots

_RAG_COLOURS = {"Red": plots.COLOURS["red"], "Amber": plots.COLOURS["amber"], "Green": plots.COLOURS["green"]}


def waterfall_chart(vt: pd.DataFrame, heads: pd.DataFrame, *, top: int = 8, source: str) -> plt.Figure:
    """Waterfall from the budget to the forecast outturn of the main table(s) of a period.

    Each step is a line's variance (overspend up, underspend down, labelled with its amount); the ``top``
    largest are shown one by one and the rest together. A final step shows any difference between the sum
    of the lines and the printed total (the document's own rounding), so the chart ends at the printed
    forecast outturn.

    Parameters
    ----------
    vt
        :func:`helpers.analysis.variance.budget.variance_table`.
    heads
        The total row(s) the chart runs between: :func:`helpers.analysis.variance.budget.headline` of ``vt``.
    top
        Lines shown separately.
    source
        Source line for the chart.
    """
    fig, ax = plots.figure("wide")
    labels = dict(title="From budget to forecast outturn", xlabel="budget, each line's variance, forecast outturn",
                  ylabel="£ thousands", source=source)
    if heads.empty or heads[["budget_gbp_k", "forecast_outturn_gbp_k"]].isna().any(axis=None):
        plots.empty_axes(ax, "No budget and forecast totals for this period", **labels)
        return fig
    main = vt[vt["table_id"].isin(heads["table_id"]) & (vt["row_type"] == "line") & vt["variance_gbp_k"].notna()]
    main = main.assign(_a=main["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True])
    shown, rest = main.head(top), main.iloc[top:]
    steps = list(zip(shown["line"].map(lambda t: plots.wrap_label(t, 18, 3)), shown["variance_gbp_k"], strict=True))
    if len(rest):
        steps.append((f"{len(rest)} other lines", float(rest["variance_gbp_k"].sum())))
    start, end = float(heads["budget_gbp_k"].sum()), float(heads["forecast_outturn_gbp_k"].sum())
    gap = end - start - sum(v for _, v in steps)
    if abs(gap) > 1e-6:
        steps.append(("printed total\nminus sum of lines", gap))
    names = ["Budget", *[n for n, _ in steps], "Forecast outturn"]
    level, bottoms, heights, colours = start, [0.0], [start], [plots.PALETTE[0]]
    for _, v in steps:
        bottoms.append(level if v >= 0 else level + v)
        heights.append(abs(v))
        colours.append(plots.COLOURS["red"] if v > 0 else plots.PALETTE[5])
        level += v
    bottoms.append(0.0)
    heights.append(end)
    colours.append(plots.PALETTE[0])
    x = range(len(names))
    ax.bar(x, heights, bottom=bottoms, color=colours, edgecolor="#333333", linewidth=0.5)
    levels = [*accumulate([start, *[v for _, v in steps]]), end]
    rng = max(max(levels) - min(levels), 0.001 * max(abs(start), abs(end), 1.0))
    lo, hi = min(levels) - 1.5 * rng, max(levels) + 0.6 * rng
    if min(levels) >= 0 > lo:
        lo = 0.0
    ax.set_ylim(lo, hi)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        text = f"£{h:,.0f}k" if i in (0, len(names) - 1) else plots.gbp_k_label(steps[i - 1][1])
        ax.text(i, b + h, text, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x), names, rotation=0, ha="center", fontsize=7)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    tables = "; ".join(sorted(heads["source_table"].astype(str).unique()))
    plots.finish(ax, note=f"Lines and total of: {tables}. Red steps: overspends; light blue: underspends. The y-axis "
                    "does not start at zero.", **labels)
    return fig


def forecast_movement_chart(mv: pd.DataFrame, *, source: str) -> plt.Figure:
    """How each line's forecast variance has moved across the reported periods.

    Parameters
    ----------
    mv
        :func:`helpers.analysis.variance.budget.movement` (one point per line and period).
    """
    fig, ax = plots.figure("wide")
    labels = dict(title="How the forecast variance has moved", xlabel="reporting period",
                  ylabel="variance, £ thousands (+ = overspend)", source=source)
    if mv.empty:
        plots.empty_axes(ax, "Only one reported period: no movement to show", **labels)
        return fig
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
        colour = "#000000" if total else plots.PALETTE[n_line % (len(plots.PALETTE) - 1)]
        marker = "o" if total else markers[(n_line // (len(plots.PALETTE) - 1)) % len(markers)]
        n_total += int(total)
        n_line += int(not total)
        ax.plot(g["period"].map(pos), g["variance_gbp_k"], marker=marker, label=plots.wrap_label(name, 40, 2), linestyle=style,
                color=colour, linewidth=2.5 if total else 1.5)
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xticks(range(len(pos)), [period_label(p).replace(" (", "\n(") for p in pos])
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    plots.finish(ax, note="Totals in black (one line style per table). The first point of a line may be the previous period's variance as "
                    "printed in this report.", **labels)
    return fig


def decomposition_chart(dec: pd.DataFrame, *, source: str) -> plt.Figure:
    """Volume, price and remainder of each decomposed key-activity line (stacked bars, £ thousands)."""
    d = dec[dec["decomposed"] == "yes"] if len(dec) else dec
    fig, ax = plots.figure("tall")
    labels = dict(title="Is the variance more people or dearer care?", xlabel="£ thousands (+ = overspend)",
                  ylabel="key-activity line", source=source)
    if d.empty:
        plots.empty_axes(ax, "No key-activity lines with clients and unit costs for this period", **labels)
        return fig
    d = d.iloc[::-1]
    names = (d["service_group"] + ": " + d["line"].str.lstrip("~ ")).map(lambda t: plots.wrap_label(t, 48, 2)).tolist()
    y = range(len(d))
    parts = [("volume (number of clients)", "volume_gbp_k", plots.PALETTE[0]),
             ("price (unit cost)", "price_gbp_k", plots.PALETTE[1]),
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
        ax.text(1.01, yi, plots.gbp_k_label(v), fontsize=7, ha="left", va="center", transform=trans)
    ax.text(1.01, len(d) - 0.4, "variance", fontsize=7, ha="left", va="bottom", fontweight="bold", transform=trans)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_yticks(list(y), names, fontsize=8)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    plots.finish(ax, note="Volume = (actual - budgeted clients) x budgeted unit cost x weeks; price = (actual - budgeted "
                    "unit cost) x actual clients x weeks; remainder = variance - volume - price.", **labels)
    return fig


def variance_rag_chart(vt: pd.DataFrame, main: list[str], *, top: int = 12, source: str) -> plt.Figure:
    """Variance as a per cent of budget for the lines of the main table(s), coloured and labelled by RAG.

    Parameters
    ----------
    vt
        :func:`helpers.analysis.variance.budget.variance_table`.
    main
        The tables whose lines are shown: :func:`helpers.analysis.variance.budget.main_tables` of ``vt``.
    """
    fig, ax = plots.figure("tall")
    labels = dict(title="Variance by line, with its RAG", xlabel="variance, % of budget (+ = overspend)",
                  ylabel="service line", source=source)
    if vt.empty:
        plots.empty_axes(ax, "No budget figures for this period", **labels)
        return fig
    d = vt[vt["table_id"].isin(main) & (vt["row_type"] == "line")]
    d = d.assign(_a=d["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True]).head(top)
    d = d.iloc[::-1]
    y = list(range(len(d)))
    pct = d["variance_pct"].fillna(0.0)
    ax.barh(y, pct, color=[_RAG_COLOURS.get(r, "#BBBBBB") for r in d["rag"]], edgecolor="#333333", linewidth=0.5)
    for yi, p, r, t, v in zip(y, pct, d["rag"], d["variance_pct_text"], d["variance_gbp_k"], strict=True):
        ax.text(p, yi, f"  {r}: {t}, {plots.gbp_k_label(v) if pd.notna(v) else 'n/a'}  ", va="center",
                ha="left" if p >= 0 else "right", fontsize=8)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.set_yticks(y, d["line"].map(lambda t: plots.wrap_label(t, 36, 2)), fontsize=8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}%"))
    lim = max(float(pct.abs().max()), 1.0) * 1.8
    ax.set_xlim(-lim, lim)
    tables = "; ".join(sorted(d["source_table"].astype(str).unique()))
    plots.finish(ax, note=f"The largest variances (£k) of: {tables}. RAG by the thresholds stated above the chart; 'n/a': "
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
    fig, ax = plots.figure("wide")
    labels = dict(title="KPIs by RAG rating: computed by the stated rules, and as printed", xlabel="rating",
                  ylabel="number of KPIs",
                  source=source)
    c = counts[counts["rag"] != "Total"]
    c = c[(c["ours"] + c["printed"]) > 0]
    if c.empty:
        plots.empty_axes(ax, "No KPIs for this period", **labels)
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
    plots.finish(ax, note="Solid bars: computed by the rule set; hatched: the RAG printed in the report.", **labels)
    return fig
