"""The forecast variance report's prose: what figures there are, what the scope leaves out, the summary.

Plain strings (Markdown: the project's own words around figures of the council's tables), shown through
:func:`helpers.reports.present.say` by :mod:`helpers.reports.forecast_variance`. Every figure is one of the
report's tables.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.price_volume import decomposition_summary
from helpers.analysis.variance.summary import largest_variances, signed_gbp_k, size_gbp_k
from helpers.core.periods import period_label


def source_text(*frames: pd.DataFrame) -> str:
    """The council documents behind some rows, for a chart's source line (seed file names left out)."""
    docs: list[str] = []
    for df in frames:
        if len(df) and "source_document" in df.columns:
            docs += df["source_document"].dropna().astype(str).str.replace(r"^[^:]*\.txt:\s*", "", regex=True).tolist()
    uniq = sorted(set(docs))
    return "; ".join(uniq) if uniq else "the council's own report"


def thresholds_text(t: variance.Thresholds) -> str:
    """The RAG rule of :class:`~helpers.analysis.variance.budget.Thresholds` in one sentence."""
    return (f"Red: an overspend of more than {t.red_pct:g}% of the budget and more than "
            f"£{t.red_min_gbp_k:,.0f}k; Amber: an overspend of more than {t.amber_pct:g}% of the budget "
            "that is not Red; Green: on budget, an underspend or a smaller overspend; n/a: no budget to "
            "compare with.")


def scope_note(budget: pd.DataFrame, gss_code: str, year: str, period: str, scope: str) -> str | None:
    """What the service scope leaves out of a period's budget tables, in a sentence (``None``: nothing)."""
    _, out = variance.apply_scope(variance.select(budget, gss_code, year, period), scope)
    if out.empty:
        return None
    parts = []
    for (_tid, src), g in out.groupby(["table_id", "source_table"], sort=True):
        n_all = int(((budget["table_id"] == _tid) & (budget["period"] == period) & (budget["year"] == year)
                     & (budget["row_type"] != "heading")).sum())
        lines = g[g["row_type"] == "line"]
        b = lines["budget_gbp_k"].sum(min_count=1)
        money = f" (lines with a budget of £{b:,.0f}k)" if pd.notna(b) else ""
        parts.append(f"{len(g)} of the {n_all} rows of *{src}*{money}")
    return ("**Adult social care only** (`service_scope` 'adults'): this report prints children's, education or "
            "community-safety services too, so " + "; ".join(parts) + " are left out: those services, shared "
            "lines (directorate overheads, grants) and the totals that include them. Totals below are the "
            "report's own adult totals where it prints one; nothing is re-added. Set `service_scope` to 'all' to "
            "see every printed row.")


def availability(budget: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has budget figures for the period, else a message naming the periods it has."""
    if len(variance.select(budget, gss_code, year, period)):
        return None
    have = variance.periods_with_data({"budget": budget}, gss_code)
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with budget figures are {listed}" if listed else \
        "it has no budget-monitoring figures in data/raw/councils at all"
    return (f"**No budget figures for {council_name} in {period_label(period, year)}**: {where}. "
            "The sections below say what else there is for this period.")


def intro_text(vt: pd.DataFrame, council_name: str, label: str, *, missing: str | None = None,
               note: str | None = None) -> str:
    """What budget figures the report has for the period and from which printed tables, then what the service
    scope leaves out (``note``: :func:`scope_note`); or, without figures, ``missing`` (:func:`availability`)."""
    if missing:
        return missing
    names = vt.drop_duplicates("table_id")["source_table"].astype(str).tolist()
    text = (f"Budget figures for {council_name}, {label}: {len(vt)} rows from "
            f"{len(names)} printed table{'s' if len(names) != 1 else ''}: " + "; ".join(f"*{n}*" for n in names) + ".")
    return text + ("\n\n" + note if note else "")


def _over(x: float) -> str:
    return "an overspend" if x > 0 else "an underspend" if x < 0 else "no variance"


def _pct_phrase(pct: float, budget: float) -> str:
    """``"+2.0% of the budget"``; ``"under 0.1% of the budget"``; a negative budget named; empty without one."""
    if pd.isna(pct):
        return ""
    text = "under 0.1% of the budget" if abs(pct) < 0.05 else f"{pct:+.1f}% of the budget"
    return text + (" (a net income budget)" if pd.notna(budget) and budget < 0 else "")


def _line_phrase(r: object) -> str:
    if r.variance_pct_text == "n/a":
        pct = "no budget to compare with"
    else:
        pct = r.variance_pct_text + (" of a net income budget" if pd.notna(r.budget_gbp_k) and r.budget_gbp_k < 0
                                     else "")
    return f"{r.line} {size_gbp_k(r.variance_gbp_k)} ({pct})"


def summary_text(vt: pd.DataFrame, dec: pd.DataFrame, savings: pd.DataFrame, council_name: str, label: str,
                 n: int = 3, *, adults_only: bool = False) -> str:
    """A plain-English summary of the position, the largest variances and their drivers.

    Every figure is one of the report's tables: the lead total (:func:`~helpers.analysis.variance.budget.headline`, named by its printed
    table), the RAG counts of the main table's lines, the largest line variances, the key-activity split and
    the savings total. ``adults_only``: say that the service scope left other services out. A ``label`` of
    the year end (``"year end 2017-18"``) speaks of the outturn rather than a forecast.
    """
    out: list[str] = []  # the position
    lines_: list[str] = []  # the service lines
    drivers: list[str] = []  # the key-activity split, one bullet each
    final = label.startswith(period_label("YE"))
    verb = "reports" if final else "forecasts"
    if vt.empty:
        out.append(f"{council_name} has no budget-monitoring figures for {label}.")
    else:
        for h in variance.headline(vt).itertuples(index=False):
            pct = _pct_phrase(h.variance_pct, h.budget_gbp_k)
            if h.variance_gbp_k:
                s = (f"At {label}, {council_name} {verb} {_over(h.variance_gbp_k)} of {size_gbp_k(h.variance_gbp_k)} on a "
                     f"budget of £{h.budget_gbp_k:,.0f}k{' (' + pct + ')' if pct else ''}: the total of "
                     f"'{h.source_table}'.")
            else:
                s = (f"At {label}, {council_name} {verb} spending on budget (£{h.budget_gbp_k:,.0f}k): the total "
                     f"of '{h.source_table}'.")
            if pd.notna(h.movement_gbp_k):
                when = variance.period_names(pd.Series([h.previous_period])).iloc[0] or "the previous report"
                s += (f" Since {when} the variance has {'risen' if h.movement_gbp_k > 0 else 'fallen'} by "
                      f"{size_gbp_k(h.movement_gbp_k)}, from {signed_gbp_k(h.previous_variance_gbp_k)}." if h.movement_gbp_k else
                      f" It is unchanged since {when}.")
            out.append(s)
        if adults_only:
            out.append("These figures cover adult social care only: the report's children's, education and "
                       "community-safety lines, and the totals that include them, are left out.")
        main = vt[vt["table_id"].isin(variance.main_tables(vt)) & (vt["row_type"] == "line")]
        c = main["rag"].value_counts()
        if len(main):
            where = (f"'{main['source_table'].iloc[0]}'" if main["table_id"].nunique() == 1 else
                     f"the {main['table_id'].nunique()} most detailed tables")
            lines_.append(f"Of the {len(main)} lines of {where}, "
                       f"{int(c.get('Red', 0))} {'is' if int(c.get('Red', 0)) == 1 else 'are'} Red, "
                       f"{int(c.get('Amber', 0))} Amber and "
                       f"{int(c.get('Green', 0))} Green" + (f" ({int(c.get('n/a', 0))} without a budget to rate "
                                                             "against)" if c.get("n/a", 0) else "") + ".")
        lv = largest_variances(vt, n)
        over = lv[lv["variance_gbp_k"] > 0]
        under = lv[lv["variance_gbp_k"] < 0]
        if len(over):
            lines_.append("The largest overspends: " + "; ".join(_line_phrase(r) for r in over.itertuples()) + ".")
        if len(under):
            lines_.append("The largest underspends: " + "; ".join(_line_phrase(r) for r in under.itertuples()) + ".")
    for r in decomposition_summary(dec).itertuples(index=False):
        if pd.isna(r.volume_gbp_k):
            continue
        clients = ("more clients than budgeted" if r.volume_gbp_k > 0 else
                   "fewer clients than budgeted" if r.volume_gbp_k < 0 else "clients as budgeted")
        cost = ("dearer care" if r.price_gbp_k > 0 else "cheaper care" if r.price_gbp_k < 0 else
                "unit costs as budgeted")
        text = (f"{r.service_group} key activity (variance {signed_gbp_k(r.variance_gbp_k)}): {clients} "
                f"{signed_gbp_k(r.volume_gbp_k)} (volume), {cost} {signed_gbp_k(r.price_gbp_k)} (price), timing, part-year effects "
                f"and the rest {signed_gbp_k(r.remainder_gbp_k)} (remainder)")
        if pd.notna(r.other_lines_gbp_k):
            text += f", and lines without client figures {signed_gbp_k(r.other_lines_gbp_k)}"
        drivers.append("- " + text + ".")
    sv = savings[savings["row_type"] == "total"] if len(savings) else savings
    for r in sv.itertuples(index=False):
        if pd.notna(r.delivered_gbp_k) and pd.notna(r.target_gbp_k):
            lines_.append(f"Savings: {size_gbp_k(r.delivered_gbp_k)} {r.delivered_basis} of a {size_gbp_k(r.target_gbp_k)} plan "
                       f"({r.delivery_pct:.0f}%), a shortfall of {size_gbp_k(r.shortfall_gbp_k)}.")
        elif pd.notna(r.target_gbp_k):
            lines_.append(f"Savings planned: {size_gbp_k(r.target_gbp_k)} (no delivery figure printed yet).")
    paragraphs = [" ".join(out), " ".join(lines_), "\n".join(drivers)]
    return "\n\n".join(x for x in paragraphs if x)
