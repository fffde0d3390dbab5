"""The forecast variance report's tables for a reader: one analysis frame in, one :func:`helpers.reports.present.present`
table out (headings with units, thousands separators, RAG as a word on its colour, long text wrapped).

Used by :mod:`helpers.reports.forecast_variance`; text from data reaches the page only as table cells, captions and
notes, which :func:`~helpers.reports.present.present` escapes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.checks import COLUMN_NAMES, totals_not_summing
from helpers.analysis.variance.price_volume import decomposition_summary
from helpers.analysis.variance.price_volume import printed_differences as key_activity_differences
from helpers.analysis.variance.savings import reserves_in_budget
from helpers.reports import present

#: What a table cell shows: a formatted table, or a sentence when there are no rows.
Table = present.Presented | Markdown

_MONEY = {c: "gbp_k" for c in ("budget_gbp_k", "forecast_outturn_gbp_k", "actual_to_date_gbp_k", "target_gbp_k",
                               "delivered_gbp_k", "opening_balance_gbp_k", "approved_gbp_k", "used_gbp_k",
                               "balance_gbp_k", "straight_line_gbp_k", "profile_based_gbp_k",
                               "reserves_appropriation_gbp_k")}
_SIGNED = {c: "gbp_k_signed" for c in ("variance_gbp_k", "movement_gbp_k", "previous_variance_gbp_k",
                                       "variance_printed_gbp_k", "variance_difference_gbp_k", "volume_gbp_k",
                                       "price_gbp_k", "remainder_gbp_k", "other_lines_gbp_k", "shortfall_gbp_k",
                                       "shortfall_printed_gbp_k", "straight_line_minus_forecast_gbp_k",
                                       "profile_minus_forecast_gbp_k", "pool_variance_gbp_k",
                                       "partner_contribution_gbp_k", "council_share_lines_gbp_k",
                                       "council_share_printed_gbp_k", "council_share_at_funding_share_gbp_k",
                                       "variance_known_gbp_k", "printed", "expected", "difference")}
#: Display formats (:data:`helpers.core.text.FORMATS` names) of the report's money, per cent and count columns.
FORMATS: dict[str, str] = {**_MONEY, **_SIGNED, "variance_pct": "pct_signed", "delivery_pct": "pct",
                            "spent_pct_of_budget": "pct", "elapsed_pct": "pct", "budgeted_clients": "int",
                            "actual_clients": "int", "budgeted_unit_cost_gbp": "gbp", "actual_unit_cost_gbp": "gbp",
                            "months": "int", "funding_share_pct": "pct", "missing_lines": "int"}
_EMPTY = "No figures of this kind for this period."


def show_periods(frames: dict[str, pd.DataFrame], gss_code: str, council_name: str) -> Table:
    """The years and periods with figures of each kind (year, period in words and its code, rows of each kind)."""
    d = variance.periods_with_data(frames, gss_code)
    if len(d):
        d = d.assign(period_name=variance.period_names(d["period"]))
    cols = {"year": "Financial year", "period_name": "Period", "period": "Code",
            **{k: f"{k[0].upper()}{k[1:]} rows" for k in frames}}
    return present.present(d, columns=cols, formats={k: "int" for k in frames}, source=None,
                           empty=f"{council_name} has no report figures in data/raw/councils.")


def show_totals(vt: pd.DataFrame, checks: pd.DataFrame | None = None) -> Table:
    """The total row of each printed table, the lead figure in bold, with a note where the printed total is not the
    sum of its own lines (``checks``: :func:`helpers.analysis.variance.checks.total_checks`)."""
    t = variance.totals(vt)
    rows = vt[vt["row_type"] == "total"].reset_index(drop=True)
    t = t.assign(previous_name=variance.period_names(t["previous_period"]), rag_label=rows["rag_label"])
    if checks is not None and len(checks) and len(t):
        notes = []
        for r in t.itertuples():
            words = [w for w in totals_not_summing(checks, [r.table_id]) if w.startswith(f"'{r.line}':")]
            notes.append(("not the sum of its lines: " + words[0].split(": ", 1)[1]) if words else None)
        t = t.assign(check=notes)
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "variance_pct": "Variance (% of budget)", "rag_label": "RAG", "previous_name": "Previous report",
            "movement_gbp_k": "Movement (£k)", "check": "Printed total"}
    return present.present(t, columns=cols, formats=FORMATS, rag=["rag_label"], drop_empty=["check"],
                           emphasis=t["table_id"].isin(variance.headline_tables(vt)),
                           empty="No totals: the report prints no budget figures for this period.")


def show_pools(pools: pd.DataFrame) -> Table | None:
    """A pooled budget's variance beside the council's share (``None`` when there is no pooled budget)."""
    if pools.empty:
        return None
    cols = {"pooled_budget": "Pooled budget", "pool_variance_gbp_k": "Pool's variance (£k)",
            "partner_contribution_gbp_k": "Partner's contribution line (£k)",
            "council_share_lines_gbp_k": "Council's share by the lines (£k)",
            "council_share_printed_gbp_k": "Council's share as printed (£k)",
            "funding_share_pct": "Council's funding share",
            "council_share_at_funding_share_gbp_k": "At the funding share (£k)"}
    return present.present(pools, columns=cols, formats=FORMATS, empty="",
                           note="The council bears its share of a pooled budget's variance: by the report's own lines "
                                "(the pool's lines with the partner's contribution line), as the report prints it, and "
                                "at the stated funding split (a risk-sharing agreement may differ from it)")


def display(vt: pd.DataFrame, *, tables: Sequence[str] | None = None) -> Table:
    """Every printed row of the variance table: subtotals and totals in bold, notes where a figure needs one
    (:func:`~helpers.analysis.variance.budget.row_notes`); a note that holds for every row is said once."""
    d = vt if tables is None else vt[vt["table_id"].isin(list(tables))]
    notes = variance.row_notes(d)
    parts = notes.map(lambda t: [x for x in t.split("; ") if x])
    common = sorted(set.intersection(*map(set, parts))) if len(parts) else []
    d = d.assign(previous_name=variance.period_names(d["previous_period"]),
                 notes=parts.map(lambda ps: "; ".join(x for x in ps if x not in common)))
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "variance_pct": "Variance (% of budget)", "rag_label": "RAG", "previous_name": "Previous report",
            "movement_gbp_k": "Movement (£k)", "notes": "Notes"}
    if not d["notes"].astype(bool).any():
        cols.pop("notes")
    note = ("Every row: " + "; ".join(common)) if common else None
    return present.present(d, columns=cols, formats=FORMATS, rag=["rag_label"], note=note,
                           emphasis=d["row_type"].isin(["subtotal", "total"]),
                           empty="No budget figures for this period.")


def show_printed_differences(vt: pd.DataFrame) -> Table:
    """Budget lines whose printed variance differs from forecast outturn minus budget."""
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Forecast - budget (£k)",
            "variance_printed_gbp_k": "Printed variance (£k)", "variance_difference_gbp_k": "Printed - ours (£k)"}
    return present.present(variance.printed_differences(vt), columns=cols, formats=FORMATS,
                           empty="Every printed budget-line variance is forecast outturn minus budget.")


def show_key_activity_differences(dec: pd.DataFrame) -> Table:
    """Key-activity lines whose printed variance differs from forecast outturn minus budget."""
    cols = {"service_group": "Service", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Forecast - budget (£k)",
            "variance_printed_gbp_k": "Printed variance (£k)", "variance_difference_gbp_k": "Printed - ours (£k)"}
    d = key_activity_differences(dec)
    d = d.assign(line=d["line"].str.lstrip("~ ")) if len(d) else d
    return present.present(d, columns=cols, formats=FORMATS,
                           empty="Every printed key-activity variance is forecast outturn minus budget.")


def show_total_checks(checks: pd.DataFrame) -> Table:
    """Printed figures that their own table's lines (or inputs) do not reproduce within rounding."""
    d = checks.assign(what=checks["column"].map(lambda c: COLUMN_NAMES.get(c, c)),
                      known=checks["documented"].map({True: "yes (council README)", False: "no: new"}))
    cols = {"source_table": "Source table", "line": "Line", "what": "Figure", "printed": "Printed",
            "expected": "Its lines or inputs give", "check": "Check", "known": "Documented?"}
    return present.present(d, columns=cols, formats={"printed": "num", "expected": "num"},
                           empty="Every printed total adds up to its lines within rounding.")


def show_decomposition_summary(dec: pd.DataFrame) -> Table:
    """Volume, price and remainder per key-activity table; an incomplete total is shown as such, never as a sum."""
    d = decomposition_summary(dec)
    if len(d):
        d = d.assign(total=[f"incomplete: {int(m)} line(s) not printed; printed lines {k:+,.0f}" if m else None
                            for m, k in zip(d["missing_lines"], d["variance_known_gbp_k"], strict=True)])
    cols = {"source_table": "Source table", "service_group": "Service", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume: more or fewer people (£k)", "price_gbp_k": "Price: dearer or cheaper care (£k)",
            "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)", "total": "Total"}
    return present.present(d, columns=cols, formats=FORMATS, drop_empty=["total"],
                           empty="The report prints no key activity data for this period.")


def show_decomposition(dec: pd.DataFrame) -> Table:
    """Every key-activity line with its people, unit costs and split (the narrow columns; the export has all)."""
    d = dec.assign(line=dec["line"].str.lstrip("~ ")) if len(dec) else dec
    if len(d):
        d = d.assign(split=d["decomposed"].replace({"no: clients or unit costs not printed": "no: no people or costs",
                                                    "no: unit of cost not per week or per hour": "no: other unit",
                                                    "no: the unit of the cost is not printed": "no: unit not printed"}))
    cols = {"source_table": "Source table", "line": "Line", "budgeted_clients": "People budgeted",
            "actual_clients": "People now", "budgeted_unit_cost_gbp": "Unit cost budgeted (£)",
            "actual_unit_cost_gbp": "Unit cost now (£)", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)", "remainder_gbp_k": "Remainder (£k)",
            "split": "Split?"}
    return present.present(d, columns=cols, formats=FORMATS,
                           note="Unit costs are per week (hourly for homecare) and weeks funded 52 unless the report "
                                "says otherwise (respite: 6); the full table is in the workbook",
                           empty="No key-activity lines to decompose for this period.")


def show_projection(proj: pd.DataFrame) -> Table:
    """Year-end projections from spending to date where spending is in step with the year; the reason elsewhere."""
    d = proj.assign(why_not=proj["why_not"].fillna("")) if len(proj) else proj
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "spent_pct_of_budget": "Spent (% of budget)", "straight_line_gbp_k": "Straight-line projection (£k)",
            "profile_based_gbp_k": "Profile-based projection (£k)", "forecast_outturn_gbp_k": "Service's forecast (£k)",
            "profile_minus_forecast_gbp_k": "Profile - forecast (£k)", "why_not": "Not projected because"}
    emph = proj["row_type"].isin(["subtotal", "total"]) if len(proj) else None
    elapsed = f"{proj['elapsed_pct'].iloc[0]:.1f}%" if len(proj) else ""
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph,
                           note=f"Share of the year elapsed by the spend profile: {elapsed}" if elapsed else None,
                           empty="The report prints no spend to date for this period, so no projection is made.")


def show_savings(sv: pd.DataFrame) -> Table:
    """Savings delivery against plan (totals in bold)."""
    d = sv.assign(when=np.where(sv["period"] == "BUD", "budget setting", "this report")) if len(sv) else sv
    cols = {"source_table": "Source table", "when": "Figures from", "line": "Saving", "programme": "Programme",
            "target_gbp_k": "Planned (£k)", "delivered_gbp_k": "Delivered (£k)", "delivered_basis": "Delivered is",
            "shortfall_gbp_k": "Shortfall (£k)", "shortfall_printed_gbp_k": "Printed shortfall (£k)",
            "delivery_pct": "Delivered (% of plan)", "rag_printed": "RAG (printed)"}
    emph = sv["row_type"].isin(["subtotal", "total"]) if len(sv) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph, rag=["rag_printed"],
                           drop_empty=["programme", "shortfall_printed_gbp_k", "rag_printed"],
                           empty="The report prints no savings figures for this period.")


def show_reserves(rs: pd.DataFrame) -> Table:
    """The reserves schedule printed for the period (subtotals and totals in bold)."""
    d = rs
    if len(rs) and (rs["reserve_name"].isna() | (rs["reserve_name"] == rs["line"])).all():
        d = rs.assign(reserve_name=np.nan)  # the name is the printed line itself
    cols = {"source_table": "Source table", "line": "Reserve (as printed)", "reserve_name": "Reserve name",
            "purpose": "Purpose", "opening_balance_gbp_k": "Opening balance (£k)", "approved_gbp_k": "Approved (£k)",
            "used_gbp_k": "Used (£k)", "movement_gbp_k": "Movement (£k)", "balance_gbp_k": "Balance (£k)"}
    emph = rs["row_type"].isin(["subtotal", "total"]) if len(rs) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph,
                           drop_empty=["reserve_name", "purpose", "opening_balance_gbp_k", "approved_gbp_k",
                                       "used_gbp_k", "movement_gbp_k"],
                           empty="The report prints no reserves schedule for this period.")


def show_reserves_in_budget(vt: pd.DataFrame) -> Table:
    """The budget-monitoring rows about reserves."""
    d = reserves_in_budget(vt)
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "reserves_appropriation_gbp_k": "Use of reserves (£k)"}
    emph = d["row_type"].isin(["subtotal", "total"]) if len(d) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph,
                           empty="No budget-monitoring row is about reserves for this period.")


def show_summary_table(summary: pd.DataFrame) -> Table:
    """The largest variances and their drivers (the report's own reasons where it prints them)."""
    cols = {"kind": "What", "name": "Line or service", "variance_gbp_k": "Variance (£k)",
            "variance_pct": "Variance (% of budget)", "rag_label": "RAG", "volume_gbp_k": "Volume (£k)",
            "price_gbp_k": "Price (£k)", "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)",
            "driver": "Driver"}
    return present.present(summary, columns=cols, formats=FORMATS, rag=["rag_label"],
                           drop_empty=["volume_gbp_k", "price_gbp_k", "remainder_gbp_k", "other_lines_gbp_k"],
                           empty="No variances to summarise for this period.")
