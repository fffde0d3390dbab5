"""The forecast variance report's words: the answer-first summary lines, what the scope leaves out, the plain-English
summary, the glossary.

Every function returns **plain text** (no Markdown): the report shows it through
:func:`helpers.reports.present.summary_box`, :func:`~helpers.reports.present.banner` or
:func:`~helpers.reports.present.say` with the text as an escaped value, so a council's line name, table heading or
commentary can never become markup. Every figure is one of the report's tables.
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.price_volume import decomposition_summary
from helpers.analysis.variance.summary import largest_variances, signed_gbp_k, size_gbp_k
from helpers.core.periods import period_label

#: Terms of the report, in plain words (shown by :func:`helpers.reports.present.glossary`).
GLOSSARY: dict[str, str] = {
    "Variance": "forecast outturn minus budget: + is an overspend, - an underspend (on an income line too).",
    "Forecast outturn": "what the service expects to have spent by the year end (at the year end: what it spent).",
    "RAG": "Red / Amber / Green, by the size of the variance either way (the rule is stated above the table); the "
           "word is always shown beside the colour.",
    "Key activity": "the report's own table of people supported (clients), weekly (or hourly) unit costs and budgets.",
    "Volume": "the part of a variance from more (or fewer) people than budgeted, at the budgeted unit cost.",
    "Price": "the part from dearer (or cheaper) care than budgeted, for the people supported now.",
    "Remainder": "the part the snapshot of people and unit costs does not explain: timing (people starting or "
                 "leaving later in the year), part-year effects, savings assumed in the forecast.",
    "Lines not split": "key-activity lines without people or unit costs (income, savings assumed in the forecast): "
                       "their variance is shown whole, so that each service's parts add up.",
    "Pooled budget": "a budget shared with a partner (here the NHS); the council bears its share of the variance.",
    "Projection": "spend to date scaled to a full year; a check on the service's forecast, shown only where "
                  "spending is in step with the year.",
    "Weeks funded": "the number of weeks a year the budget pays for per person (52, or 6 for respite care).",
}


def source_text(*frames: pd.DataFrame) -> str:
    """The council documents behind some rows, for a chart's source line (seed file names left out)."""
    docs: list[str] = []
    for df in frames:
        if len(df) and "source_document" in df.columns:
            docs += df["source_document"].dropna().astype(str).str.replace(r"^[^:]*\.txt:\s*", "", regex=True).tolist()
    uniq = sorted(set(docs))
    return "; ".join(uniq) if uniq else "the council's own report"


def title(council_name: str, label: str) -> str:
    """``"Stockport - forecast variance, quarter 3 2017-18"``."""
    return f"{council_name} - forecast variance, {label}"


def short(text: object, width: int = 230) -> str:
    """A council's commentary cut to about ``width`` characters at a word, with an ellipsis."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder=" …")


def scope_note(budget: pd.DataFrame, gss_code: str, year: str, period: str, scope: str) -> str | None:
    """What the service scope leaves out of a period's budget tables, in a sentence (``None``: nothing)."""
    _, out = variance.apply_scope(variance.select(budget, gss_code, year, period), scope)
    if out.empty:
        return None
    parts = []
    for (tid, src), g in out.groupby(["table_id", "source_table"], sort=True):
        n_all = int(((budget["table_id"] == tid) & (budget["period"] == period) & (budget["year"] == year)
                     & (budget["row_type"] != "heading")).sum())
        b = g.loc[g["row_type"] == "line", "budget_gbp_k"].sum(min_count=1)
        money = f" (lines with a budget of £{b:,.0f}k)" if pd.notna(b) else ""
        parts.append(f"{len(g)} of the {n_all} rows of '{src}'{money}")
    return ("Adult social care only: this report prints children's, education or community-safety services too, so "
            + "; ".join(parts) + " are left out: those services, shared lines (directorate overheads, grants) and the "
            "totals that include them. Totals below are the report's own adult totals where it prints one; nothing "
            "is re-added. The report can be run for every printed row (see 'How this was made').")


def availability(budget: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has budget figures for the period, else a sentence naming the periods it has."""
    if len(variance.select(budget, gss_code, year, period)):
        return None
    have = variance.periods_with_data({"budget": budget}, gss_code)
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with budget figures are {listed}" if listed else \
        "it has no budget-monitoring figures in data/raw/councils at all"
    return f"No budget figures for {council_name} in {period_label(period, year)}: {where}."


def intro_text(vt: pd.DataFrame, council_name: str, label: str) -> str:
    """What budget figures the report has for the period and from which printed tables."""
    names = vt.drop_duplicates("table_id")["source_table"].astype(str).tolist()
    return (f"Budget figures for {council_name}, {label}: {len(vt)} rows from {len(names)} printed "
            f"table{'s' if len(names) != 1 else ''}: " + "; ".join(f"'{n}'" for n in names) + ".")


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


def _since(h: object) -> str:
    if pd.isna(h.movement_gbp_k):
        return ""
    when = variance.period_names(pd.Series([h.previous_period])).iloc[0] or "the previous report"
    if not h.movement_gbp_k:
        return f" It is unchanged since {when}."
    return (f" Since {when} the variance has {'risen' if h.movement_gbp_k > 0 else 'fallen'} by "
            f"{size_gbp_k(h.movement_gbp_k)}, from {signed_gbp_k(h.previous_variance_gbp_k)}.")


def table_name(source_table: object) -> str:
    """A printed table's name for a sentence: quoted, unless it already quotes its own heading."""
    s = str(source_table)
    return s if "'" in s else f"'{s}'"


def short_table(source_table: object) -> str:
    """The heading a printed table's name quotes (``para 7.8 table 'OPMH Activity' (...)`` -> ``OPMH Activity``),
    else the whole name: to tell apart lines of the same name in two tables."""
    m = re.search(r"'([^']+)'", str(source_table))
    return m.group(1) if m else str(source_table)


def _which(r: object, several: bool) -> str:
    return f"{r.line} ({short_table(r.source_table)})" if several else str(r.line)


def position_line(vt: pd.DataFrame, council_name: str, label: str) -> str:
    """The position: the lead total's forecast, budget, variance, its rating and its movement; one sentence per
    lead table when several tie (:func:`~helpers.analysis.variance.budget.headline`: all of them on a tie)."""
    heads = variance.headline(vt)
    if heads.empty:
        return f"{council_name}'s report prints no total for {label}: see the lines below."
    final = label.startswith(period_label("YE"))
    what = "Outturn" if final else "Forecast outturn"
    out = []
    for h in heads.itertuples(index=False):
        pct = _pct_phrase(h.variance_pct, h.budget_gbp_k)
        rated = f", rated {h.rag}" if h.rag in ("Red", "Amber", "Green") else ""
        s = (f"{what} £{h.forecast_outturn_gbp_k:,.0f}k against a budget of £{h.budget_gbp_k:,.0f}k: "
             f"{_over(h.variance_gbp_k)} of {size_gbp_k(h.variance_gbp_k)}{' (' + pct + ')' if pct else ''}{rated} "
             f"(the total of {table_name(h.source_table)}).")
        out.append(s + _since(h))
    return " ".join(out)


def red_line(vt: pd.DataFrame, n: int = 4) -> str:
    """The Red lines of the main table(s), largest first, with their direction."""
    main = vt[vt["table_id"].isin(variance.main_tables(vt)) & (vt["row_type"] == "line")]
    red = main[main["rag"] == "Red"].assign(_a=lambda d: d["variance_gbp_k"].abs()).sort_values("_a", ascending=False)
    if red.empty:
        amber = int((main["rag"] == "Amber").sum())
        return "No line is Red" + (f"; {amber} {'is' if amber == 1 else 'are'} Amber." if amber else " or Amber.")
    several = main["table_id"].nunique() > 1
    parts = [f"{_which(r, several)} {signed_gbp_k(r.variance_gbp_k)} "
             f"({'over' if r.variance_gbp_k > 0 else 'under'}spend)" for r in red.head(n).itertuples()]
    more = f" and {len(red) - n} more" if len(red) > n else ""
    return f"Red ({len(red)} of {len(main)} lines): " + "; ".join(parts) + more + "."


def driver_lines(vt: pd.DataFrame, n: int = 2) -> list[str]:
    """The largest variances with the report's own reasons where it prints them (``commentary``), else the
    reasons it gives for their total."""
    lv = largest_variances(vt, n)
    main = vt[vt["table_id"].isin(variance.main_tables(vt))]
    totals = main[main["row_type"].isin(["subtotal", "total"]) & main["commentary"].notna()]
    several = main["table_id"].nunique() > 1
    out, used_total = [], False
    for r in lv.itertuples():
        row = vt[(vt["table_id"] == r.table_id) & (vt["line"] == r.line)]
        why = row["commentary"].dropna()
        s = f"{_which(r, several)} {signed_gbp_k(r.variance_gbp_k)}"
        if len(why):
            s += f": {short(why.iloc[0])}"
        elif len(totals) and not used_total:
            s += f". For the total the report says: {short(totals['commentary'].iloc[0], 300)}"
            used_total = True
        else:
            s += " (the report gives no reason for it in the figures transcribed)"
        out.append(s + ("" if s.endswith((".", "…")) else "."))
    return out


def pool_line(pools: pd.DataFrame) -> str | None:
    """The first pooled budget's variance and the council's share, in a sentence."""
    if pools.empty:
        return None
    p = pools.iloc[0]
    share = p["council_share_printed_gbp_k"] if pd.notna(p["council_share_printed_gbp_k"]) else \
        p["council_share_lines_gbp_k"]
    how = "as the report prints it" if pd.notna(p["council_share_printed_gbp_k"]) else "by the report's lines"
    split = (f"; {p['funding_share_pct']:g}% of the pool's would be {signed_gbp_k(p['council_share_at_funding_share_gbp_k'])}"
             if pd.notna(p["funding_share_pct"]) else "")
    return (f"{p['pooled_budget']} (pooled with a partner): the pool's variance {signed_gbp_k(p['pool_variance_gbp_k'])}; "
            f"the council's share {signed_gbp_k(share)} {how}{split}.")


def summary_text(vt: pd.DataFrame, dec: pd.DataFrame, savings: pd.DataFrame, council_name: str, label: str,
                 n: int = 3, *, adults_only: bool = False) -> str:
    """A plain-English summary of the position, the largest variances and their drivers (plain text; paragraphs
    separated by a blank line, the key-activity split one ``- `` line each).

    Every figure is one of the report's tables: the lead total (:func:`~helpers.analysis.variance.budget.headline`),
    the RAG counts of the main table's lines, the largest line variances, the key-activity split and the savings
    total. A ``label`` of the year end speaks of the outturn rather than a forecast.
    """
    out: list[str] = []
    lines_: list[str] = []
    drivers: list[str] = []
    verb = "reports" if label.startswith(period_label("YE")) else "forecasts"
    if vt.empty:
        out.append(f"{council_name} has no budget-monitoring figures for {label}.")
    else:
        for h in variance.headline(vt).itertuples(index=False):
            pct = _pct_phrase(h.variance_pct, h.budget_gbp_k)
            if h.variance_gbp_k:
                s = (f"At {label}, {council_name} {verb} {_over(h.variance_gbp_k)} of {size_gbp_k(h.variance_gbp_k)} on "
                     f"a budget of £{h.budget_gbp_k:,.0f}k{' (' + pct + ')' if pct else ''}: the total of "
                     f"'{h.source_table}'.")
            else:
                s = (f"At {label}, {council_name} {verb} spending on budget (£{h.budget_gbp_k:,.0f}k): the total "
                     f"of '{h.source_table}'.")
            out.append(s + _since(h))
        if adults_only:
            out.append("These figures cover adult social care only: the report's children's, education and "
                       "community-safety lines, and the totals that include them, are left out.")
        main = vt[vt["table_id"].isin(variance.main_tables(vt)) & (vt["row_type"] == "line")]
        c = main["rag"].value_counts()
        if len(main):
            where = (f"'{main['source_table'].iloc[0]}'" if main["table_id"].nunique() == 1 else
                     f"the {main['table_id'].nunique()} most detailed tables")
            red = int(c.get("Red", 0))
            lines_.append(f"Of the {len(main)} lines of {where}, {red} {'is' if red == 1 else 'are'} Red, "
                          f"{int(c.get('Amber', 0))} Amber and {int(c.get('Green', 0))} Green"
                          + (f" ({int(c.get('n/a', 0))} without a budget to rate against)" if c.get("n/a", 0) else "")
                          + ".")
        lv = largest_variances(vt, n)
        over, under = lv[lv["variance_gbp_k"] > 0], lv[lv["variance_gbp_k"] < 0]
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
        total = (f"variance {signed_gbp_k(r.variance_gbp_k)}" if pd.notna(r.variance_gbp_k) else
                 f"variance incomplete: {int(r.missing_lines)} line(s) not printed")
        text = (f"{r.service_group} key activity ({total}): {clients} {signed_gbp_k(r.volume_gbp_k)} (volume), "
                f"{cost} {signed_gbp_k(r.price_gbp_k)} (price), timing, part-year effects and the rest "
                f"{signed_gbp_k(r.remainder_gbp_k)} (remainder)")
        if pd.notna(r.other_lines_gbp_k):
            text += f", and lines without client figures {signed_gbp_k(r.other_lines_gbp_k)}"
        drivers.append("- " + text + ".")
    sv = savings[savings["row_type"] == "total"] if len(savings) else savings
    for r in sv.itertuples(index=False):
        if pd.notna(r.delivered_gbp_k) and pd.notna(r.target_gbp_k):
            lines_.append(f"Savings: {size_gbp_k(r.delivered_gbp_k)} {r.delivered_basis} of a "
                          f"{size_gbp_k(r.target_gbp_k)} plan ({r.delivery_pct:.0f}%), a shortfall of "
                          f"{size_gbp_k(r.shortfall_gbp_k)}.")
        elif pd.notna(r.target_gbp_k):
            lines_.append(f"Savings planned: {size_gbp_k(r.target_gbp_k)} (no delivery figure printed yet).")
    paragraphs = [" ".join(out), " ".join(lines_), "\n".join(drivers)]
    return "\n\n".join(x for x in paragraphs if x)
