"""Charts of the forecast variance and scorecard reports: variances in £, waterfall, movement, price / volume, RAG.

Each chart function returns ``(figure, alt)``: the finished figure (title, units, source line) and its alt text, a
sentence that says what the chart shows in figures; :func:`shown` renders the pair for the page (SVG with the alt
text as its accessible name). RAG colours always come with the RAG word in the label, never colour alone.
"""

from __future__ import annotations

from itertools import accumulate

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.periods import period_label
from helpers.reports import plots

_RAG_COLOURS = {"Red": plots.COLOURS["red"], "Amber": plots.COLOURS["amber"], "Green": plots.COLOURS["green"]}
_GREY = "#BBBBBB"


def shown(fig: plt.Figure, alt: str) -> object:
    """The chart for the page (:func:`helpers.reports.plots.image`) with ``alt`` as its alt text
    (:func:`helpers.reports.plots.with_alt`)."""
    return plots.with_alt(plots.image(fig, alt=alt), alt)


def _money(x: float) -> str:
    return plots.gbp_k_label(x)


def variance_chart(vt: pd.DataFrame, main: list[str], *, top: int = 12, source: str) -> tuple[plt.Figure, str]:
    """The largest variances of the main table(s) in £ thousands, coloured and labelled by RAG and direction, with
    the per cent of the budget in the label (the reader's units: a +27% line of £308k is shorter than a +2.5%
    line of £709k)."""
    d = vt[vt["table_id"].isin(main) & (vt["row_type"] == "line") & vt["variance_gbp_k"].notna()]
    d = d.assign(_a=d["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True]).head(top)
    d = d.iloc[::-1]
    fig, ax = plots.figure("tall")
    y = list(range(len(d)))
    v = d["variance_gbp_k"].astype(float)
    ax.barh(y, v, color=[_RAG_COLOURS.get(r, _GREY) for r in d["rag"]], edgecolor="#333333", linewidth=0.5)
    span = max(float(v.abs().max()) if len(v) else 1.0, 1.0)
    # Every label starts just right of its bar's end, or of zero for an underspend (so a long underspend's label
    # never runs into the line names), and the axis is widened on the right until every label fits.
    labels = []
    for yi, val, lab, pct in zip(y, v, d["rag_label"], d["variance_pct_text"], strict=True):
        pct_text = "no budget" if pct == "n/a" else f"{pct} of budget"
        labels.append(ax.text(max(val, 0.0) + 0.02 * span, yi, f"{_money(val)} ({pct_text}) {lab}", va="center",
                              ha="left", fontsize=8))
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.set_yticks(y, d["line"].map(lambda t: plots.wrap_label(t, 34, 2)), fontsize=8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    lo = min(float(v.min()) if len(v) else 0.0, 0.0) - 0.05 * span
    ax.set_xlim(lo, max(float(v.max()) if len(v) else 0.0, 0.0) + 0.05 * span)
    tables = "; ".join(sorted(d["source_table"].astype(str).unique()))
    plots.finish(ax, title="The largest variances, in £ thousands", xlabel="variance, £ thousands (+ = overspend, "
                 "- = underspend)", ylabel="service line", source=source,
                 note=f"Lines of: {tables}. Colour and word: the RAG by the rule stated above the chart (on the size of "
                      "the variance either way); the per cent is of the line's budget (of its size on an income line).")
    _fit_labels_right(ax, labels, lo)
    items = "; ".join(f"{r.line} {_money(r.variance_gbp_k)}, {r.rag_label}" for r in d.iloc[::-1].itertuples())
    return fig, f"Bar chart of the {len(d)} largest variances in £ thousands: {items}."


def _fit_labels_right(ax: plt.Axes, labels: list[mpl.text.Text], lo: float) -> None:
    """Widen the x axis on the right until every label (left-aligned at its x) ends inside the plot.

    A label of ``w`` pixels starting at ``x`` ends inside a plot ``W`` pixels wide when ``hi >= lo + (x - lo) / (1 -
    w / W)``; the layout moves a little as the axis changes, so this is done twice (running the layout engine
    only, not drawing the figure).
    """
    if not labels:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    for _ in range(2):
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
        width = ax.get_window_extent(renderer).width
        hi = ax.get_xlim()[1]
        for t in labels:
            share = min(t.get_window_extent(renderer).width * 1.03 / width, 0.9)
            hi = max(hi, lo + (t.get_position()[0] - lo) / (1 - share))
        ax.set_xlim(lo, hi)


def waterfall_chart(vt: pd.DataFrame, heads: pd.DataFrame, *, top: int = 8, source: str) -> tuple[plt.Figure, str]:
    """From the budget to the forecast outturn of the lead table, one row per step (labels never overlap).

    Each step is a line's variance (overspend right, underspend left); the ``top`` largest one by one and the rest
    together. A final step shows any difference between the sum of the lines and the printed total (the report's
    own rounding, or a total that is not the sum of its lines), so the chart ends at the printed forecast outturn.
    The axis starts near the budget, not at zero (said on the chart).
    """
    fig, ax = plots.figure("tall")
    main = vt[vt["table_id"].isin(heads["table_id"]) & (vt["row_type"] == "line") & vt["variance_gbp_k"].notna()]
    main = main.assign(_a=main["variance_gbp_k"].abs()).sort_values(["_a", "row_order"], ascending=[False, True])
    shown_, rest = (main, main.iloc[0:0]) if len(main) <= top + 1 else (main.head(top), main.iloc[top:])
    steps = list(zip(shown_["line"].map(lambda t: plots.wrap_label(t, 40, 2)), shown_["variance_gbp_k"], strict=True))
    if len(rest):
        steps.append((f"{len(rest)} other lines", float(rest["variance_gbp_k"].sum())))
    start, end = float(heads["budget_gbp_k"].sum()), float(heads["forecast_outturn_gbp_k"].sum())
    gap = end - start - sum(v for _, v in steps)
    if abs(gap) > 1e-6:
        steps.append(("printed total minus the sum of its lines", gap))
    names = ["Budget", *[n for n, _ in steps], "Forecast outturn"]
    levels = [*accumulate([start, *[v for _, v in steps]])]
    rng = max(max(levels + [end]) - min(levels + [end]), 0.001 * max(abs(start), abs(end), 1.0))
    lo = min(levels + [end]) - 0.35 * rng
    hi = max(levels + [end]) + 0.45 * rng
    y = list(range(len(names)))[::-1]
    ax.barh(y[0], start - lo, left=lo, color=plots.PALETTE[0], edgecolor="#333333", linewidth=0.5)
    ax.text(start, y[0], f"  £{start:,.0f}k", va="center", ha="left", fontsize=8)
    level = start
    for yi, (_, v) in zip(y[1:-1], steps, strict=True):
        ax.barh(yi, v, left=level, color=plots.COLOURS["red"] if v > 0 else plots.PALETTE[5], edgecolor="#333333",
                linewidth=0.5)
        edge = max(level, level + v)
        ax.text(edge, yi, f"  {_money(v)} ({'over' if v > 0 else 'under'}spend)" if v else "  £0k", va="center",
                ha="left", fontsize=8)
        level += v
    ax.barh(y[-1], end - lo, left=lo, color=plots.PALETTE[0], edgecolor="#333333", linewidth=0.5)
    ax.text(end, y[-1], f"  £{end:,.0f}k", va="center", ha="left", fontsize=8)
    ax.set_xlim(lo, hi)
    ax.set_yticks(y, names, fontsize=8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    tables = "; ".join(sorted(heads["source_table"].astype(str).unique()))
    plots.finish(ax, title="From budget to forecast outturn, £ thousands", xlabel="£ thousands (the axis starts near "
                 "the budget, not at zero)", ylabel="step", source=source,
                 note=f"Lines and total of: {tables}. Red: overspends; light blue: underspends; dark blue: the budget "
                      "and the forecast outturn (bars cut at the left edge).")
    items = "; ".join(f"{n.replace(chr(10), ' ')} {_money(v)}" for n, v in steps)
    alt = (f"Waterfall chart from the budget of £{start:,.0f}k to the forecast outturn of £{end:,.0f}k, step by "
           f"step: {items}.")
    return fig, alt


def forecast_movement_chart(mv: pd.DataFrame, *, source: str) -> tuple[plt.Figure, str]:
    """How each line's forecast variance has moved across the reported periods (``mv``:
    :func:`helpers.analysis.variance.budget.movement`, one point per line and period)."""
    fig, ax = plots.figure("wide")
    order = mv.drop_duplicates("period").sort_values("order")
    pos = {p: i for i, p in enumerate(order["period"])}
    many_tables = mv["table_id"].nunique() > 1
    n_total = n_line = 0
    markers = ("o", "s", "^", "D", "v", "P", "X", "*")
    described = []
    for (tid, line), g in mv.groupby(["table_id", "line"], sort=True):
        g = g.sort_values("order")
        total = (g["row_type"] == "total").all()
        name = f"{line} ({tid.split('-')[-2] if many_tables else ''})".replace(" ()", "")
        style = ("-", "--", ":", "-.")[n_total % 4] if total else "-"
        colour = "#000000" if total else plots.PALETTE[n_line % (len(plots.PALETTE) - 1)]
        marker = "o" if total else markers[(n_line // (len(plots.PALETTE) - 1)) % len(markers)]
        n_total += int(total)
        n_line += int(not total)
        ax.plot(g["period"].map(pos), g["variance_gbp_k"], marker=marker, label=plots.wrap_label(name, 40, 2),
                linestyle=style, color=colour, linewidth=2.5 if total else 1.5)
        described.append(f"{name} from {_money(g['variance_gbp_k'].iloc[0])} to {_money(g['variance_gbp_k'].iloc[-1])}")
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xticks(range(len(pos)), [period_label(p).replace(" (", "\n(") for p in pos])
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    plots.finish(ax, title="How the forecast variance has moved, £ thousands", xlabel="reporting period",
                 ylabel="variance, £ thousands (+ = overspend)", source=source,
                 note="Totals in black (one line style per table). The first point of a line may be the previous "
                      "period's variance as printed in this report.")
    first, last = period_label(order["period"].iloc[0]), period_label(order["period"].iloc[-1])
    return fig, f"Line chart of the variance at each report from {first} to {last}: " + "; ".join(described) + "."


def decomposition_chart(dec: pd.DataFrame, *, source: str) -> tuple[plt.Figure, str]:
    """Volume, price and remainder of each decomposed key-activity line (stacked bars, £ thousands)."""
    d = dec[dec["decomposed"] == "yes"].iloc[::-1]
    fig, ax = plots.figure("tall")
    names = (d["service_group"] + ": " + d["line"].str.lstrip("~ ")).map(lambda t: plots.wrap_label(t, 48, 2)).tolist()
    y = range(len(d))
    parts = [("volume (number of people)", "volume_gbp_k", plots.PALETTE[0]),
             ("price (unit cost)", "price_gbp_k", plots.PALETTE[1]),
             ("remainder (timing, part-year, other)", "remainder_gbp_k", _GREY)]
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
        ax.text(1.01, yi, _money(v), fontsize=7, ha="left", va="center", transform=trans)
    ax.text(1.01, len(d) - 0.4, "variance", fontsize=7, ha="left", va="bottom", fontweight="bold", transform=trans)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.xaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_yticks(list(y), names, fontsize=8)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    plots.finish(ax, title="Is the variance more people or dearer care? £ thousands", xlabel="£ thousands (+ = "
                 "overspend)", ylabel="key-activity line", source=source,
                 note="Volume = (people now - people budgeted) x budgeted unit cost x weeks funded; price = (unit cost "
                      "now - budgeted) x people now x weeks funded; remainder = variance - volume - price.")
    items = "; ".join(f"{r.service_group} {r.line.lstrip('~ ')}: volume {_money(r.volume_gbp_k)}, price "
                      f"{_money(r.price_gbp_k)}, remainder {_money(r.remainder_gbp_k)}" for r in d.iloc[::-1].itertuples())
    return fig, f"Stacked bar chart of {len(d)} key-activity lines split into volume, price and remainder: {items}."


def rag_counts_chart(counts: pd.DataFrame, *, source: str) -> tuple[plt.Figure, str]:
    """KPIs by RAG category: computed beside the report's printed ratings (bars labelled with category and count).

    Parameters
    ----------
    counts
        :func:`helpers.analysis.kpi_card.rag_counts`.
    """
    fig, ax = plots.figure("wide")
    c = counts[counts["rag"] != "Total"]
    c = c[(c["ours"] + c["printed"]) > 0]
    x = list(range(len(c)))
    w = 0.4
    colours = [_RAG_COLOURS.get(r, _GREY) for r in c["rag"]]
    ax.bar([i - w / 2 for i in x], c["ours"], width=w, color=colours, edgecolor="#333333",
           label="computed by the rules")
    ax.bar([i + w / 2 for i in x], c["printed"], width=w, color=colours, edgecolor="#333333", hatch="//",
           alpha=0.6, label="printed in the report")
    for i, (o, p) in enumerate(zip(c["ours"], c["printed"], strict=True)):
        ax.text(i - w / 2, o, f"computed {o}", ha="center", va="bottom", fontsize=8)
        ax.text(i + w / 2, p, f"printed {p}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, c["rag"])
    ax.legend(fontsize=8)
    plots.finish(ax, title="KPIs by RAG rating: computed by the stated rules, and as printed", xlabel="rating",
                 ylabel="number of KPIs", source=source,
                 note="Solid bars: computed by the rule set; hatched: the RAG printed in the report.")
    items = "; ".join(f"{r.rag}: computed {r.ours}, printed {r.printed}" for r in c.itertuples())
    return fig, f"Bar chart of the number of KPIs by RAG rating, computed and printed: {items}."
