"""Forecast variance analysis of a council's own budget-monitoring figures.

Reads the processed council tables (``council_budget``, ``council_key_activity``, ``council_savings``,
``council_reserves``; see :mod:`helpers.data.council_reports`) and computes, for one council, financial year and
reporting period:

* the variance table: budget, forecast outturn, variance (forecast - budget, positive = overspend), variance
  as a per cent of the budget (``n/a`` for a zero or missing budget), movement since the last reported
  period and a RAG by configurable thresholds (:class:`Thresholds`);
* the price / volume / remainder decomposition of each key-activity line (:func:`price_volume`);
* full-year projections from actual spend to date, straight-line and profile-based (:func:`project_year_end`);
* savings delivery against plan and the use of reserves;
* a plain-English summary of the largest variances and their drivers;
* the service scope (:func:`apply_scope`): adult social care only, or every printed row (a People &
  Communities report also prints children's, education and community-safety lines);
* the reader's tables (:func:`display` and the other ``show_*`` functions), through
  :func:`helpers.reports.present.present`.

Methods and their sources are in ``docs/methods.md`` ("Forecast variance"). Printed figures are never
overwritten: where the report prints a variance we also compute, both are shown.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError

#: Months of the financial year covered by a period's year-to-date figures (April = month 1).
PERIOD_MONTHS: dict[str, int] = {
    "BUD": 0, **{f"M{m:02d}": m for m in range(1, 13)}, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "YE": 12,
}
_MONTH_NAMES = ["April", "May", "June", "July", "August", "September", "October", "November", "December",
                "January", "February", "March"]


def period_order(period: str) -> float:
    """Sort key of a period code: BUD < M01 < ... < Q1 (= M03) < ... < M12 = Q4 < YE; ``Q1+`` just after Q1."""
    p = str(period)
    plus = p.endswith("+")
    p = p.rstrip("+")
    if p not in PERIOD_MONTHS:
        raise ParameterError(f"unknown period {period!r}; use Q1..Q4, M01..M12, YE or BUD")
    return PERIOD_MONTHS[p] + (0.5 if p == "YE" else 0.0) + (0.25 if plus else 0.0)


def months_elapsed(period: str) -> int:
    """Months of the financial year a period's year-to-date figures cover (M04 -> 4, Q1 -> 3, YE -> 12)."""
    period_order(period)
    return PERIOD_MONTHS[str(period).rstrip("+")]


def period_label(period: str, year: str | None = None) -> str:
    """Plain-English name of a period: ``"month 4 (July) 2018-19"``, ``"quarter 3 2017-18"``, ``"year end"``."""
    p = str(period)
    base = p.rstrip("+")
    if base.startswith("M"):
        m = int(base[1:])
        text = f"month {m} ({_MONTH_NAMES[m - 1]})"
    elif base.startswith("Q"):
        text = f"quarter {base[1]}" + (f" (updated report, '{p}')" if p.endswith("+") else "")
    elif base == "YE":
        text = "year end"
    elif base == "BUD":
        text = "budget setting"
    else:
        text = p
    return f"{text} {year}" if year else text


# ------------------------------------------------------------------------------------------------
# variance, per cent and RAG
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """RAG thresholds for budget variances.

    An overspend (variance > 0) is **Red** when it exceeds both ``red_pct`` per cent of the budget and
    ``red_min_gbp_k``; **Amber** when it exceeds ``amber_pct`` per cent of the budget but is not Red;
    otherwise (on budget, an underspend, or a small overspend) **Green**. ``n/a`` where the budget is zero
    or missing (no per cent of it) or the variance is missing.

    The defaults follow Cambridgeshire's F&PR rule for explaining a variance, "an adverse/positive variance
    greater than 2% of annual budget or £100,000 whichever is greater" (F&PR July 2018, Appendix 2): an
    overspend that needs an explanation is Red, any smaller overspend Amber.
    """

    amber_pct: float = 0.0
    red_pct: float = 2.0
    red_min_gbp_k: float = 100.0

    def __post_init__(self) -> None:
        for name in ("amber_pct", "red_pct", "red_min_gbp_k"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ParameterError(f"variance threshold {name} must be a number of at least 0, got {v!r}")
        if self.amber_pct > self.red_pct:
            raise ParameterError(f"variance thresholds: amber_pct ({self.amber_pct:g}) is above red_pct "
                                 f"({self.red_pct:g})")

    def describe(self) -> str:
        """The rule in one sentence."""
        return (f"Red: an overspend of more than {self.red_pct:g}% of the budget and more than "
                f"£{self.red_min_gbp_k:,.0f}k; Amber: an overspend of more than {self.amber_pct:g}% of the budget "
                "that is not Red; Green: on budget, an underspend or a smaller overspend; n/a: no budget to "
                "compare with.")


def variance_pct(variance: pd.Series, budget: pd.Series) -> pd.Series:
    """Variance as a per cent of the budget: ``100 x variance / |budget|``; ``NaN`` where the budget is 0 or missing.

    Dividing by the absolute budget keeps the sign meaning overspend (+) / underspend (-) on income lines
    (negative budgets) too.
    """
    v = pd.to_numeric(pd.Series(variance), errors="coerce").astype(float)
    b = pd.to_numeric(pd.Series(budget), errors="coerce").astype(float)
    b.index = v.index
    return (100.0 * v / b.abs()).where(b.notna() & (b != 0))


def pct_text(pct: pd.Series, decimals: int = 1) -> pd.Series:
    """Per cents as text (``"+1.7%"``), ``"n/a"`` where there is no per cent (zero or missing budget)."""
    s = pd.Series(pct, dtype=float)
    return s.map(lambda x: "n/a" if pd.isna(x) else f"{x:+.{decimals}f}%")


def variance_rag(variance: pd.Series, budget: pd.Series, thresholds: Thresholds | None = None) -> pd.Series:
    """RAG of budget variances by :class:`Thresholds` (``Red`` / ``Amber`` / ``Green`` / ``n/a``)."""
    t = thresholds or Thresholds()
    v = pd.to_numeric(pd.Series(variance), errors="coerce").astype(float)
    pct = variance_pct(v, budget)
    red = (v > 0) & (pct > t.red_pct) & (v > t.red_min_gbp_k)
    amber = (v > 0) & (pct > t.amber_pct) & ~red
    out = np.where(pct.isna() | v.isna(), "n/a", np.where(red, "Red", np.where(amber, "Amber", "Green")))
    return pd.Series(out, index=v.index, dtype=object)


# ------------------------------------------------------------------------------------------------
# selecting a council's period
# ------------------------------------------------------------------------------------------------


def select(df: pd.DataFrame, gss_code: str, year: str, period: str) -> pd.DataFrame:
    """Rows of a council table for one council, financial year and period (headings dropped), printed order."""
    out = df[(df["gss_code"] == gss_code) & (df["year"] == year) & (df["period"] == period)]
    out = out[out["row_type"] != "heading"]
    return out.sort_values(["table_id", "row_order"], kind="mergesort").reset_index(drop=True)


#: Accepted values of the ``service_scope`` parameter.
SCOPES: tuple[str, ...] = ("adults", "all")
#: A service area (or, where a table prints none, a line) outside adult social care: children's services,
#: education (SEND, schools) and community safety / youth services, as the People & Communities reports
#: group them. Public health stays in: it is part of Stockport's Health and Adult Social Care portfolio total.
OTHER_SERVICES = r"(?i)\bchild|education|\bcommunit(?:y|ies) (?:&|and) safety|\bSEND\b|\bschool|\byouth"
#: A service area (or line) of adult social care.
ADULT_SERVICES = (r"(?i)\badult|older people|learning disab|mental health|physical disab|social care|\bASCH\b"
                  r"|\bcarers?\b")


def service_class(df: pd.DataFrame) -> pd.Series:
    """Which service each row is about: ``adults``, ``other`` (children's, education, community safety) or
    ``shared`` (neither named: directorate overheads, grants, totals).

    The row's ``service_area`` decides where it names a service; where it is blank or names neither (e.g.
    "Commissioning", "Cross Service", or tables whose lines are the directorates themselves, such as
    Cambridgeshire's section 2.1), the ``line`` decides. Patterns: :data:`OTHER_SERVICES`, then
    :data:`ADULT_SERVICES`.
    """
    if df.empty:
        return pd.Series([], index=df.index, dtype=object)

    def classify(text: pd.Series) -> np.ndarray:
        t = text.astype("string").fillna("")
        return np.where(t.str.contains(OTHER_SERVICES, regex=True), "other",
                        np.where(t.str.contains(ADULT_SERVICES, regex=True), "adults", "shared"))

    area = df["service_area"] if "service_area" in df.columns else pd.Series(None, index=df.index, dtype=object)
    by_area, by_line = classify(area), classify(df["line"])
    return pd.Series(np.where(by_area == "shared", by_line, by_area), index=df.index, dtype=object)


def check_scope(value: str) -> str:
    """Return a valid ``service_scope`` (``adults`` or ``all``) or raise :class:`ParameterError`."""
    if not isinstance(value, str) or value.strip().lower() not in SCOPES:
        raise ParameterError(f"parameter 'service_scope': {value!r} is not one of {list(SCOPES)} ('adults' = adult "
                             "social care lines only, 'all' = every printed row)")
    return value.strip().lower()


def apply_scope(rows: pd.DataFrame, scope: str = "all") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the rows of a service scope; return them and the rows left out.

    ``all`` keeps everything. ``adults`` keeps every table that prints no children's, education or
    community-safety row (:func:`service_class`) whole, and from a table that does (a People & Communities
    table) only its adult social care rows: its other services, its shared lines (directorate overheads,
    grants) and its totals, which include the other services, are left out. Nothing is re-added: an adults-only
    total exists only where the report prints one (e.g. Cambridgeshire's Adults Committee summary).

    Parameters
    ----------
    rows
        Rows of a council table (with ``table_id``, ``line`` and, where printed, ``service_area``).
    scope
        ``"adults"`` or ``"all"``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Rows kept and rows left out, each in the input order.
    """
    scope = check_scope(scope)
    if scope == "all" or rows.empty:
        return rows, rows.iloc[0:0]
    cls = service_class(rows)
    mixed = rows["table_id"].isin(rows.loc[cls == "other", "table_id"].unique())
    keep = ~mixed | (cls == "adults")
    return rows[keep], rows[~keep]


def scope_note(budget: pd.DataFrame, gss_code: str, year: str, period: str, scope: str) -> str | None:
    """What the service scope leaves out of a period's budget tables, in a sentence (``None``: nothing)."""
    _, out = apply_scope(select(budget, gss_code, year, period), scope)
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


def periods_with_data(frames: dict[str, pd.DataFrame], gss_code: str) -> pd.DataFrame:
    """Which kinds of figures a council has in which year and period.

    Parameters
    ----------
    frames
        Table name -> processed table (e.g. ``{"budget": ..., "key activity": ..., "savings": ...}``).

    Returns
    -------
    pandas.DataFrame
        ``year, period`` and one column per table with its row count, sorted by year and period order.
    """
    parts = []
    for name, df in frames.items():
        d = df[(df["gss_code"] == gss_code) & (df["row_type"] != "heading")]
        parts.append(d.groupby(["year", "period"]).size().rename(name))
    if not parts:
        return pd.DataFrame(columns=["year", "period"])
    out = pd.concat(parts, axis=1).fillna(0).astype(int).reset_index()
    out["_o"] = out["period"].map(period_order)
    return out.sort_values(["year", "_o"]).drop(columns="_o").reset_index(drop=True)


def availability(budget: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has budget figures for the period, else a message naming the periods it has."""
    if len(select(budget, gss_code, year, period)):
        return None
    have = periods_with_data({"budget": budget}, gss_code)
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with budget figures are {listed}" if listed else \
        "it has no budget-monitoring figures in data/raw/councils at all"
    return (f"**No budget figures for {council_name} in {period_label(period, year)}**: {where}. "
            "The sections below say what else there is for this period.")


def intro(budget: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str,
          scope: str = "all") -> str:
    """What budget figures the report has for the period and from which printed tables, and what the service
    scope leaves out (:func:`scope_note`); or, without figures, the periods there are (:func:`availability`)."""
    missing = availability(budget, gss_code, year, period, council_name)
    if missing:
        return missing
    vt = variance_table(budget, gss_code, year, period, scope=scope)
    names = vt.drop_duplicates("table_id")["source_table"].astype(str).tolist()
    text = (f"Budget figures for {council_name}, {period_label(period, year)}: {len(vt)} rows from "
            f"{len(names)} printed table{'s' if len(names) != 1 else ''}: " + "; ".join(f"*{n}*" for n in names) + ".")
    note = scope_note(budget, gss_code, year, period, scope)
    return text + ("\n\n" + note if note else "")


def source_text(*frames: pd.DataFrame) -> str:
    """The council documents behind some rows, for a chart's source line (seed file names left out)."""
    docs: list[str] = []
    for df in frames:
        if len(df) and "source_document" in df.columns:
            docs += df["source_document"].dropna().astype(str).str.replace(r"^[^:]*\.txt:\s*", "", regex=True).tolist()
    uniq = sorted(set(docs))
    return "; ".join(uniq) if uniq else "the council's own report"


# ------------------------------------------------------------------------------------------------
# the variance table
# ------------------------------------------------------------------------------------------------

VARIANCE_COLUMNS = [
    "table_id", "source_table", "row_order", "line", "row_type", "service_area", "budget_gbp_k",
    "forecast_outturn_gbp_k", "forecast_basis", "variance_gbp_k", "variance_printed_gbp_k",
    "variance_difference_gbp_k", "variance_pct", "variance_pct_text", "variance_pct_printed", "previous_period",
    "previous_variance_gbp_k", "movement_gbp_k", "actual_to_date_gbp_k", "reserves_appropriation_gbp_k", "rag",
    "source_document",
]


def variance_table(budget: pd.DataFrame, gss_code: str, year: str, period: str,
                   thresholds: Thresholds | None = None, *, scope: str = "all") -> pd.DataFrame:
    """Budget, forecast outturn, variance, per cent, movement and RAG for every printed row of a period.

    The forecast outturn is the printed one; where the report prints none it is derived, and
    ``forecast_basis`` says how: ``budget + printed variance``, or ``net expenditure + reserves
    appropriation`` (Stockport 2023/24). The variance is forecast - budget (positive = overspend); the printed
    variance is kept beside it with the difference (printed - ours). Movement = variance - the variance of
    the previous period: the printed previous variance (``previous_period`` as printed), else the same
    line of the same table in the latest earlier period held in the data.

    Parameters
    ----------
    budget
        The ``council_budget`` table.
    gss_code, year, period
        Council, financial year ``YYYY-YY`` and period code.
    thresholds
        RAG thresholds (:class:`Thresholds`; defaults if ``None``).
    scope
        Service scope (:func:`apply_scope`): ``"all"`` (every printed row) or ``"adults"``.

    Returns
    -------
    pandas.DataFrame
        :data:`VARIANCE_COLUMNS`, one row per printed line, subtotal, total or memo row, in printed order
        (tables sorted by id). Empty when there are no budget figures for the period.
    """
    rows, _ = apply_scope(select(budget, gss_code, year, period), scope)
    if rows.empty:
        return pd.DataFrame(columns=VARIANCE_COLUMNS)
    df = rows.copy()
    fo = df["forecast_outturn_gbp_k"]
    net = df["forecast_net_expenditure_gbp_k"] + df["reserves_appropriation_gbp_k"]
    from_var = df["budget_gbp_k"] + df["variance_gbp_k"]
    df["forecast_basis"] = np.select(
        [fo.notna(), net.notna(), from_var.notna()],
        ["printed", "net expenditure + reserves appropriation", "budget + printed variance"], default="not printed")
    df["forecast_outturn_gbp_k"] = fo.fillna(net).fillna(from_var)
    df["variance_printed_gbp_k"] = df["variance_gbp_k"]
    ours = df["forecast_outturn_gbp_k"] - df["budget_gbp_k"]
    derived_from_printed = df["forecast_basis"] == "budget + printed variance"
    df["variance_gbp_k"] = ours.where(~derived_from_printed, df["variance_printed_gbp_k"]).fillna(
        df["variance_printed_gbp_k"])
    comparable = (df["forecast_basis"] != "budget + printed variance") & df["variance_printed_gbp_k"].notna()
    df["variance_difference_gbp_k"] = (df["variance_printed_gbp_k"] - df["variance_gbp_k"]).where(comparable)
    df["variance_pct_printed"] = df["variance_pct"]
    df["variance_pct"] = variance_pct(df["variance_gbp_k"], df["budget_gbp_k"])
    df["variance_pct_text"] = pct_text(df["variance_pct"])
    df = _previous(df, budget, gss_code, year, period)
    df["movement_gbp_k"] = df["variance_gbp_k"] - df["previous_variance_gbp_k"]
    df["rag"] = variance_rag(df["variance_gbp_k"], df["budget_gbp_k"], thresholds)
    return df[VARIANCE_COLUMNS].reset_index(drop=True)


def _previous(df: pd.DataFrame, budget: pd.DataFrame, gss_code: str, year: str, period: str) -> pd.DataFrame:
    """Fill the previous period's variance from earlier periods in the data where the report prints none."""
    df = df.copy()
    df["previous_period"] = df["previous_period"].astype(object)
    need = df["previous_variance_gbp_k"].isna()
    if not need.any():
        return df
    here = period_order(period)
    earlier = budget[(budget["gss_code"] == gss_code) & (budget["year"] == year)
                     & budget["table_id"].isin(df["table_id"].unique())
                     & (budget["period"].map(period_order) < here)]
    if earlier.empty:
        return df
    e = earlier.assign(_o=earlier["period"].map(period_order))
    e = e.sort_values("_o").drop_duplicates(["table_id", "line", "row_order"], keep="last")
    e_var = (e["forecast_outturn_gbp_k"] - e["budget_gbp_k"]).fillna(e["variance_gbp_k"])
    e = e.assign(_prev_var=e_var)[["table_id", "line", "row_order", "period", "_prev_var"]]
    m = df[["table_id", "line", "row_order"]].merge(e, on=["table_id", "line", "row_order"], how="left")
    fill = need.to_numpy() & m["_prev_var"].notna().to_numpy()
    df.loc[fill, "previous_variance_gbp_k"] = m.loc[fill, "_prev_var"].to_numpy()
    df.loc[fill, "previous_period"] = m.loc[fill, "period"].to_numpy()
    return df


def main_tables(vt: pd.DataFrame) -> list[str]:
    """The most detailed table(s) of a period: those with the most ``line`` rows (all of them on a tie)."""
    lines = vt[vt["row_type"] == "line"].groupby("table_id").size()
    if lines.empty:
        return sorted(vt["table_id"].unique().tolist())
    return sorted(lines[lines == lines.max()].index.tolist())


def headline_tables(vt: pd.DataFrame) -> list[str]:
    """The table(s) whose total a summary leads with: of the tables with a ``total`` row, the most detailed.

    Usually the same as :func:`main_tables`; they differ when the scope leaves the most detailed table without
    its total (Cambridgeshire's Appendix 1 in the adults scope: the lead figure is then the Adults Committee
    summary's own total).
    """
    with_total = vt.loc[vt["row_type"] == "total", "table_id"].unique()
    return main_tables(vt[vt["table_id"].isin(with_total)]) if len(with_total) else []


def totals(vt: pd.DataFrame) -> pd.DataFrame:
    """The ``total`` row of each table of a period (budget, forecast, variance, per cent, movement, RAG)."""
    t = vt[vt["row_type"] == "total"]
    cols = ["table_id", "source_table", "line", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k",
            "variance_pct", "variance_pct_text", "previous_period", "previous_variance_gbp_k", "movement_gbp_k",
            "rag"]
    return t[cols].reset_index(drop=True)


def headline(vt: pd.DataFrame) -> pd.DataFrame:
    """The total row(s) of :func:`headline_tables`: the figure a summary leads with."""
    t = totals(vt)
    return t[t["table_id"].isin(headline_tables(vt))].reset_index(drop=True)


def row_notes(vt: pd.DataFrame) -> pd.Series:
    """A note for each variance row where a figure needs one to be read right (empty text otherwise).

    * the forecast outturn is derived, not printed (and how);
    * the printed variance differs from forecast - budget (the report's rounding);
    * the budget is negative (a net income line): the per cent is of its size, + still means overspend, and
      the report may print the per cent with the other sign;
    * the budget is zero: no per cent.
    """
    if vt.empty:
        return pd.Series([], dtype=object)
    notes: list[str] = []
    for r in vt.itertuples(index=False):
        parts = []
        if r.forecast_basis == "budget + printed variance":
            parts.append("forecast = budget + printed variance (no forecast printed)")
        elif r.forecast_basis == "net expenditure + reserves appropriation":
            parts.append("forecast = net expenditure + use of reserves, as printed")
        elif r.forecast_basis == "not printed":
            parts.append("no figures printed")
        if pd.notna(r.variance_difference_gbp_k) and r.variance_difference_gbp_k != 0:
            parts.append(f"printed variance {r.variance_printed_gbp_k:+,.0f} (report's rounding)")
        if pd.notna(r.budget_gbp_k) and r.budget_gbp_k < 0:
            printed = ""
            if pd.notna(r.variance_pct_printed) and pd.notna(r.variance_pct) and r.variance_pct != 0 and \
                    np.sign(r.variance_pct_printed) != np.sign(r.variance_pct) and r.variance_pct_printed != 0:
                printed = f"; the report prints {r.variance_pct_printed:g}%"
            parts.append(f"negative budget (net income): the % is of its size, + = overspend{printed}")
        elif pd.notna(r.budget_gbp_k) and r.budget_gbp_k == 0 and pd.notna(r.variance_gbp_k):
            parts.append("zero budget: no %")
        notes.append("; ".join(parts))
    return pd.Series(notes, index=vt.index, dtype=object)


# ------------------------------------------------------------------------------------------------
# reader's tables (helpers.reports.present.present): human headings with units, printed source table named
# ------------------------------------------------------------------------------------------------

_MONEY = {c: "gbp_k" for c in ("budget_gbp_k", "forecast_outturn_gbp_k", "actual_to_date_gbp_k", "target_gbp_k",
                               "delivered_gbp_k", "opening_balance_gbp_k", "approved_gbp_k", "used_gbp_k",
                               "balance_gbp_k", "straight_line_gbp_k", "profile_based_gbp_k",
                               "reserves_appropriation_gbp_k")}
_SIGNED = {c: "gbp_k_signed" for c in ("variance_gbp_k", "movement_gbp_k", "previous_variance_gbp_k",
                                       "variance_printed_gbp_k", "variance_difference_gbp_k", "volume_gbp_k",
                                       "price_gbp_k", "remainder_gbp_k", "other_lines_gbp_k", "shortfall_gbp_k",
                                       "shortfall_printed_gbp_k", "straight_line_minus_forecast_gbp_k",
                                       "profile_minus_forecast_gbp_k")}
_FORMATS: dict[str, str] = {**_MONEY, **_SIGNED, "variance_pct": "pct_signed", "delivery_pct": "pct",
                            "spent_pct_of_budget": "pct", "budgeted_clients": "int", "actual_clients": "int",
                            "budgeted_unit_cost_gbp": "gbp", "actual_unit_cost_gbp": "gbp", "months": "int"}


def _period_names(s: pd.Series) -> pd.Series:
    """Period codes as words (``M03`` -> ``month 3 (June)``); missing stays missing."""
    def one(p: object) -> object:
        try:
            return period_label(str(p)) if isinstance(p, str) and p else None
        except ParameterError:
            return p
    return s.map(one).astype(object)


def show_periods(frames: dict[str, pd.DataFrame], gss_code: str, council_name: str):
    """:func:`periods_with_data` for a reader: year, period (code and words) and rows of each kind."""
    from helpers.reports import present as report

    d = periods_with_data(frames, gss_code)
    if len(d):
        d = d.assign(period_name=_period_names(d["period"]))
    cols = {"year": "Financial year", "period": "Period (parameter)", "period_name": "Period",
            **{k: f"{k[0].upper()}{k[1:]} rows" for k in frames}}
    return report.present(d, columns=cols, formats={k: "int" for k in frames}, source=None,
                          empty=f"{council_name} has no report figures in data/raw/councils.")


_TOTAL_COLUMNS = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
                  "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
                  "variance_pct": "Variance (% of budget)", "rag": "RAG", "previous_name": "Previous report",
                  "previous_variance_gbp_k": "Variance then (£k)", "movement_gbp_k": "Movement (£k)"}


def show_totals(vt: pd.DataFrame):
    """The total row of each printed table, for a reader (the lead figure marked in bold)."""
    from helpers.reports import present as report

    t = totals(vt)
    t = t.assign(previous_name=_period_names(t["previous_period"]))
    return report.present(t, columns=_TOTAL_COLUMNS, formats=_FORMATS, rag=["rag"],
                          emphasis=t["table_id"].isin(headline_tables(vt)),
                          empty="No totals: the report prints no budget figures for this period.")


def display(vt: pd.DataFrame, *, tables: Sequence[str] | None = None):
    """Every printed row of the variance table, for a reader: subtotals and totals in bold, notes where a
    figure needs one (:func:`row_notes`). The full table (ids, printed figures) is for the export."""
    from helpers.reports import present as report

    d = vt if tables is None else vt[vt["table_id"].isin(list(tables))]
    notes = row_notes(d)
    parts = notes.map(lambda t: [x for x in t.split("; ") if x])
    common = sorted(set.intersection(*map(set, parts))) if len(parts) else []
    d = d.assign(previous_name=_period_names(d["previous_period"]),
                 notes=parts.map(lambda ps: "; ".join(x for x in ps if x not in common)))
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "variance_pct": "Variance (% of budget)", "rag": "RAG", "previous_name": "Previous report",
            "movement_gbp_k": "Movement (£k)", "notes": "Notes"}
    if not d["notes"].astype(bool).any():
        cols.pop("notes")
    note = ("Every row: " + "; ".join(common)) if common else None
    return report.present(d, columns=cols, formats=_FORMATS, rag=["rag"], note=note,
                          emphasis=d["row_type"].isin(["subtotal", "total"]),
                          empty="No budget figures for this period (see the message above).")


def printed_differences(vt: pd.DataFrame) -> pd.DataFrame:
    """Rows where the printed variance differs from forecast - budget (the report's own rounding or errors)."""
    d = vt[vt["variance_difference_gbp_k"].fillna(0) != 0]
    return d[["table_id", "source_table", "line", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k",
              "variance_printed_gbp_k", "variance_difference_gbp_k"]].reset_index(drop=True)


def show_printed_differences(vt: pd.DataFrame):
    """:func:`printed_differences` for a reader."""
    from helpers.reports import present as report

    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Forecast - budget (£k)",
            "variance_printed_gbp_k": "Printed variance (£k)", "variance_difference_gbp_k": "Printed - ours (£k)"}
    return report.present(printed_differences(vt), columns=cols, formats=_FORMATS,
                          empty="No printed variance differs from forecast outturn minus budget.")


# ------------------------------------------------------------------------------------------------
# movement across periods
# ------------------------------------------------------------------------------------------------


def movement(budget: pd.DataFrame, gss_code: str, year: str, period: str, *, top: int = 6,
             scope: str = "all") -> pd.DataFrame:
    """Each line's variance at every period up to this one, for a chart of how the forecast has moved.

    Points come from every period of the main table(s) held in the data (e.g. Cambridgeshire's CPFT
    tables: April, Q1, Q2, Q3, February, year end) and from the printed previous-period variance
    (Stockport's Q1+ -> Q2, Cambridgeshire's June -> July).

    Returns
    -------
    pandas.DataFrame
        ``table_id, line, row_type, period, order, variance_gbp_k, source`` for the ``top`` lines with the
        largest absolute variance now, plus each table's total; empty when there is only one point per line.
        ``scope`` as in :func:`variance_table`.
    """
    vt = variance_table(budget, gss_code, year, period, scope=scope)
    cols = ["table_id", "line", "row_type", "period", "order", "variance_gbp_k", "source"]
    if vt.empty:
        return pd.DataFrame(columns=cols)
    main = vt[vt["table_id"].isin(main_tables(vt))]
    lines = main[main["row_type"] == "line"].assign(_a=lambda d: d["variance_gbp_k"].abs())
    keep = lines.sort_values(["_a", "row_order"], ascending=[False, True]).head(top)
    keep = pd.concat([keep, main[main["row_type"] == "total"]])
    pts = []
    here = period_order(period)
    same = budget[(budget["gss_code"] == gss_code) & (budget["year"] == year)
                  & budget["table_id"].isin(keep["table_id"].unique())]
    for p in sorted(same["period"].unique(), key=period_order):
        if period_order(p) > here:
            continue
        v = variance_table(budget, gss_code, year, p, scope=scope) if p != period else vt
        v = v.merge(keep[["table_id", "line", "row_order"]], on=["table_id", "line", "row_order"])
        pts.append(v.assign(period=p, source="report"))
    cur = pd.concat(pts) if pts else vt.iloc[0:0]
    prev = keep[keep["previous_variance_gbp_k"].notna()].assign(
        period=lambda d: d["previous_period"], variance_gbp_k=lambda d: d["previous_variance_gbp_k"],
        source="printed previous variance")
    prev = prev[~prev.set_index(["table_id", "line", "period"]).index.isin(
        cur.set_index(["table_id", "line", "period"]).index)]
    out = pd.concat([cur, prev], ignore_index=True)
    out = out[out["variance_gbp_k"].notna()]
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["order"] = out["period"].map(period_order)
    out = out.sort_values(["table_id", "row_type", "line", "order"]).reset_index(drop=True)
    if out.groupby(["table_id", "line"]).size().max() < 2:
        return pd.DataFrame(columns=cols)
    return out[cols]


# ------------------------------------------------------------------------------------------------
# price / volume decomposition
# ------------------------------------------------------------------------------------------------


def price_volume(budgeted_clients: pd.Series, budgeted_unit_cost: pd.Series, actual_clients: pd.Series,
                 actual_unit_cost: pd.Series, units_per_client: pd.Series, variance: pd.Series
                 ) -> pd.DataFrame:
    """Split a variance into volume, price and remainder (all £ thousands).

    ``volume = (actual clients - budgeted clients) x budgeted unit cost x units / 1000``;
    ``price = (actual unit cost - budgeted unit cost) x actual clients x units / 1000``;
    ``remainder = variance - volume - price`` (timing, part-year effects, savings assumed in the forecast,
    and any budget not built as clients x unit cost x units). ``units`` is the number of unit-cost units
    per client per year (52 weeks for a weekly cost). Unit costs are in £, variance in £k.

    ``volume + price`` equals ``actual clients x actual cost x units - budgeted clients x budgeted cost x
    units``: the quantity variance at the standard price plus the price variance at the actual quantity
    of standard costing (e.g. C. Drury, *Management and Cost Accounting*, chapter on standard costing).
    """
    bn, bc, an, ac, u, var = (pd.to_numeric(pd.Series(x), errors="coerce").astype(float).to_numpy()
                              for x in (budgeted_clients, budgeted_unit_cost, actual_clients, actual_unit_cost,
                                        units_per_client, variance))
    volume = (an - bn) * bc * u / 1000.0
    price = (ac - bc) * an * u / 1000.0
    return pd.DataFrame({"volume_gbp_k": volume, "price_gbp_k": price, "remainder_gbp_k": var - volume - price},
                        index=pd.Series(variance).index)


def _units(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Units per client per year and how they were found."""
    unit = df["unit_of_cost"].fillna("").str.lower()
    weekly = unit.str.contains("week")
    hourly = unit.str.contains("hour")
    weeks = df["weeks_funded"].where(df["weeks_funded"].notna(), 52.0)
    implied = df["budget_gbp_k"] * 1000.0 / (df["budgeted_clients"] * df["budgeted_unit_cost_gbp"])
    implied = implied.where(np.isfinite(implied))
    units = pd.Series(np.where(weekly, weeks, np.where(hourly, implied, np.nan)), index=df.index)
    basis = np.where(weekly & df["weeks_funded"].notna(), weeks.map(lambda w: f"{w:g} weeks (printed)"),
                     np.where(weekly, "52 weeks", np.where(hourly & implied.notna(),
                              implied.map(lambda h: f"{h:,.0f} hours a year per client, implied by the budget"
                                          if pd.notna(h) else ""), "")))
    return units, pd.Series(basis, index=df.index)


def check_key_activity_units(df: pd.DataFrame) -> None:
    """Raise :class:`DataError` when a key-activity budget looks like pounds rather than £ thousands.

    A weekly line's budget should be about clients x unit cost x weeks / 1000 (£k, unit cost in £); a
    budget about 1,000 times that (or 1/1,000 of it) means the money columns are in inconsistent units.
    """
    unit = df["unit_of_cost"].fillna("").str.lower()
    sub = df[unit.str.contains("week") & df[["budgeted_clients", "budgeted_unit_cost_gbp", "budget_gbp_k"]]
             .notna().all(axis=1) & (df["budgeted_clients"] > 0)]
    if sub.empty:
        return
    weeks = sub["weeks_funded"].fillna(52.0)
    ratio = sub["budget_gbp_k"] / (sub["budgeted_clients"] * sub["budgeted_unit_cost_gbp"] * weeks / 1000.0)
    bad = (ratio > 300) | ((ratio > 0) & (ratio < 1 / 300))
    if bad.any():
        r = sub[bad].iloc[0]
        how = "pounds, not £ thousands" if float(ratio[bad].iloc[0]) > 1 else "£ millions, or the unit cost is in pence"
        raise DataError(f"budget {r['budget_gbp_k']:g} is {float(ratio[bad].iloc[0]):,.0f} times clients x unit cost x "
                        f"weeks / 1000: the budget looks like {how} (money columns ending _gbp_k are £ thousands, "
                        "unit costs _gbp are pounds)", file=r.get("source_file"),
                        row=int(r["source_row"]) if pd.notna(r.get("source_row")) else None, column="budget_gbp_k")


DECOMPOSITION_COLUMNS = [
    "table_id", "service_group", "row_order", "line", "row_type", "unit_of_cost", "budgeted_clients",
    "actual_clients", "budgeted_unit_cost_gbp", "actual_unit_cost_gbp", "units_basis", "budget_gbp_k",
    "forecast_outturn_gbp_k", "variance_gbp_k", "volume_gbp_k", "price_gbp_k", "remainder_gbp_k", "decomposed",
    "source_table", "source_document",
]


def decompose(key_activity: pd.DataFrame, gss_code: str, year: str, period: str) -> pd.DataFrame:
    """Price / volume / remainder of every key-activity line of a period.

    A line is decomposed when it prints budgeted and actual clients and unit costs, with a weekly unit
    cost (units: the printed weeks funded, else 52) or an hourly one (units: the hours per client per year
    the budget implies, ``budget x 1000 / (budgeted clients x hourly cost)``). Other lines keep their whole
    variance in the remainder, and ``decomposed`` says why not. The variance is forecast outturn - budget
    where both are printed, else the printed variance.

    Raises
    ------
    DataError
        Budgets in inconsistent units (:func:`check_key_activity_units`).
    """
    rows = select(key_activity, gss_code, year, period)
    if rows.empty:
        return pd.DataFrame(columns=DECOMPOSITION_COLUMNS)
    df = rows[rows["row_type"] == "line"].copy()
    check_key_activity_units(df)
    df["variance_gbp_k"] = (df["forecast_outturn_gbp_k"] - df["budget_gbp_k"]).fillna(df["variance_gbp_k"])
    units, basis = _units(df)
    df["units_basis"] = basis
    pv = price_volume(df["budgeted_clients"], df["budgeted_unit_cost_gbp"], df["actual_clients"],
                      df["actual_unit_cost_gbp"], units, df["variance_gbp_k"])
    ok = pv[["volume_gbp_k", "price_gbp_k"]].notna().all(axis=1) & df["variance_gbp_k"].notna()
    df[["volume_gbp_k", "price_gbp_k", "remainder_gbp_k"]] = pv.where(ok)
    df.loc[~ok, "remainder_gbp_k"] = df.loc[~ok, "variance_gbp_k"]
    need = df[["budgeted_clients", "actual_clients", "budgeted_unit_cost_gbp", "actual_unit_cost_gbp"]].notna().all(axis=1)
    unit = df["unit_of_cost"].fillna("")
    df["decomposed"] = np.where(ok, "yes", np.where(
        ~need, "no: clients or unit costs not printed",
        np.where(unit == "", "no: the unit of the cost is not printed", "no: unit of cost not per week or per hour")))
    return df[DECOMPOSITION_COLUMNS].reset_index(drop=True)


def decomposition_summary(dec: pd.DataFrame) -> pd.DataFrame:
    """Per key-activity table: volume, price and remainder of the decomposed lines, and the other lines.

    Returns
    -------
    pandas.DataFrame
        ``table_id, service_group, volume_gbp_k, price_gbp_k, remainder_gbp_k, other_lines_gbp_k,
        variance_gbp_k`` where ``variance`` is the sum of the table's lines (= the four parts).
    """
    cols = ["table_id", "source_table", "service_group", "volume_gbp_k", "price_gbp_k", "remainder_gbp_k",
            "other_lines_gbp_k", "variance_gbp_k"]
    if dec.empty:
        return pd.DataFrame(columns=cols)
    d = dec.assign(_ok=dec["decomposed"] == "yes")
    g = d.groupby(["table_id", "source_table", "service_group"], sort=True, dropna=False)
    out = pd.DataFrame({
        "volume_gbp_k": g["volume_gbp_k"].sum(min_count=1),
        "price_gbp_k": g["price_gbp_k"].sum(min_count=1),
        "remainder_gbp_k": g.apply(lambda x: x.loc[x["_ok"], "remainder_gbp_k"].sum(), include_groups=False),
        "other_lines_gbp_k": g.apply(lambda x: x.loc[~x["_ok"], "variance_gbp_k"].sum(min_count=1),
                                     include_groups=False),
        "variance_gbp_k": g["variance_gbp_k"].sum(min_count=1),
    }).reset_index()
    return out[cols]


def show_decomposition_summary(dec: pd.DataFrame):
    """:func:`decomposition_summary` for a reader: one row per key-activity table."""
    from helpers.reports import present as report

    cols = {"source_table": "Source table", "service_group": "Service", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume: more/fewer clients (£k)", "price_gbp_k": "Price: dearer/cheaper care (£k)",
            "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)"}
    return report.present(decomposition_summary(dec), columns=cols, formats=_FORMATS,
                          empty="The report prints no key activity data for this period.")


def show_decomposition(dec: pd.DataFrame):
    """Every key-activity line with its clients, unit costs and split, for a reader."""
    from helpers.reports import present as report

    d = dec.assign(line=dec["line"].str.lstrip("~ ")) if len(dec) else dec
    cols = {"source_table": "Source table", "service_group": "Service", "line": "Line",
            "budgeted_clients": "Clients budgeted", "actual_clients": "Clients now",
            "budgeted_unit_cost_gbp": "Unit cost budgeted (£)", "actual_unit_cost_gbp": "Unit cost now (£)",
            "unit_of_cost": "Unit cost per", "units_basis": "Units a year", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)", "remainder_gbp_k": "Remainder (£k)",
            "decomposed": "Split?"}
    return report.present(d, columns=cols, formats=_FORMATS,
                          empty="No key-activity lines to decompose for this period.")


# ------------------------------------------------------------------------------------------------
# full-year projection from the year to date
# ------------------------------------------------------------------------------------------------


def month_profile(year: str, profile: Sequence[float] | None = None) -> np.ndarray:
    """Cumulative share of a year's spend by the end of each month (April first), 12 values ending at 1.

    Parameters
    ----------
    year
        Financial year ``YYYY-YY`` (for the days in February).
    profile
        12 non-negative monthly weights, April first (a council's budget profile); ``None`` or empty:
        the calendar-day profile (spend accrues evenly per day, so a month weighs its number of days).
    """
    if profile is None or len(profile) == 0:
        first = int(year[:4])
        days = [calendar.monthrange(first + (1 if m < 4 else 0), m)[1] for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
        w = np.asarray(days, dtype=float)
    else:
        w = np.asarray(list(profile), dtype=float)
        if w.shape != (12,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ParameterError(f"spend_profile: give 12 non-negative monthly weights, April first (got {list(profile)!r})")
    return np.cumsum(w) / w.sum()


PROJECTION_COLUMNS = [
    "table_id", "source_table", "line", "row_type", "budget_gbp_k", "actual_to_date_gbp_k", "months", "spent_pct_of_budget",
    "straight_line_gbp_k", "profile_based_gbp_k", "forecast_outturn_gbp_k", "straight_line_minus_forecast_gbp_k",
    "profile_minus_forecast_gbp_k", "caution",
]


def project_year_end(vt: pd.DataFrame, year: str, period: str, profile: Sequence[float] | None = None
                     ) -> pd.DataFrame:
    """Full-year projections from actual spend to date, beside the service's own forecast.

    ``straight_line = actual to date x 12 / months elapsed``; ``profile_based = actual to date / share of
    the year's spend profiled by the end of the period`` (:func:`month_profile`). Only rows with an actual
    to date. ``caution`` flags rows where the actual to date is negative against a positive budget, or
    more than the whole year's budget: spend (or income) that is not spread over the year, such as grants
    received or payments made in advance, so a projection from it is no guide.

    Returns
    -------
    pandas.DataFrame
        :data:`PROJECTION_COLUMNS`; empty when no actual to date is printed or the period has no months.
    """
    if vt.empty or vt["actual_to_date_gbp_k"].isna().all():
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    m = months_elapsed(period)
    if m == 0:
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    share = float(month_profile(year, profile)[m - 1])
    d = vt[vt["actual_to_date_gbp_k"].notna() & (vt["row_type"] != "memo")].copy()
    a, b = d["actual_to_date_gbp_k"], d["budget_gbp_k"]
    d["months"] = m
    d["spent_pct_of_budget"] = (100.0 * a / b.abs()).where(b.notna() & (b != 0))
    d["straight_line_gbp_k"] = a * 12.0 / m
    d["profile_based_gbp_k"] = a / share if share > 0 else np.nan
    d["straight_line_minus_forecast_gbp_k"] = d["straight_line_gbp_k"] - d["forecast_outturn_gbp_k"]
    d["profile_minus_forecast_gbp_k"] = d["profile_based_gbp_k"] - d["forecast_outturn_gbp_k"]
    odd = ((b > 0) & (a < 0)) | ((b < 0) & (a > 0)) | (a.abs() > b.abs())
    d["caution"] = np.where(odd, "spend to date is negative or above the whole budget (not spread over the "
                                 "year): no guide to the outturn", None)
    return d[PROJECTION_COLUMNS].reset_index(drop=True)


def show_projection(proj: pd.DataFrame):
    """:func:`project_year_end` for a reader (subtotals and totals in bold)."""
    from helpers.reports import present as report

    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "actual_to_date_gbp_k": "Spent to date (£k)", "spent_pct_of_budget": "Spent (% of budget)",
            "straight_line_gbp_k": "Straight-line projection (£k)",
            "profile_based_gbp_k": "Profile-based projection (£k)",
            "forecast_outturn_gbp_k": "Service's forecast (£k)",
            "straight_line_minus_forecast_gbp_k": "Straight-line - forecast (£k)",
            "profile_minus_forecast_gbp_k": "Profile - forecast (£k)", "caution": "Caution"}
    emph = proj["row_type"].isin(["subtotal", "total"]) if len(proj) else None
    return report.present(proj, columns=cols, formats=_FORMATS, emphasis=emph,
                          empty="The report prints no actual spend to date for this period, so no projection is made.")


# ------------------------------------------------------------------------------------------------
# savings and reserves
# ------------------------------------------------------------------------------------------------

SAVINGS_COLUMNS = ["table_id", "period", "row_order", "line", "row_type", "programme", "target_gbp_k",
                   "delivered_gbp_k", "delivered_basis", "shortfall_gbp_k", "shortfall_printed_gbp_k",
                   "delivery_pct", "rag_printed", "source_table"]


def savings_summary(savings: pd.DataFrame, gss_code: str, year: str, period: str) -> pd.DataFrame:
    """Savings delivery against plan for a period (and the year's budget-setting plan, ``BUD``).

    The plan is the net target where printed (target + double running), else the target; delivery is the
    amount achieved where printed, else the forecast. ``shortfall = plan - delivered``, beside the printed
    shortfall; ``delivery_pct = 100 x delivered / plan``.
    """
    rows = pd.concat([select(savings, gss_code, year, period),
                      select(savings, gss_code, year, "BUD") if period != "BUD" else savings.iloc[0:0]])
    if rows.empty:
        return pd.DataFrame(columns=SAVINGS_COLUMNS)
    d = rows.copy()
    for c in ("net_target_gbp_k", "achieved_gbp_k", "programme"):
        if c not in d.columns:
            d[c] = np.nan
    d["target_gbp_k"] = d["net_target_gbp_k"].fillna(d["target_gbp_k"])
    d["delivered_basis"] = np.where(d["achieved_gbp_k"].notna(), "achieved",
                                    np.where(d["forecast_gbp_k"].notna(), "forecast", None))
    d["delivered_gbp_k"] = d["achieved_gbp_k"].fillna(d["forecast_gbp_k"])
    d["shortfall_printed_gbp_k"] = d["shortfall_gbp_k"]
    d["shortfall_gbp_k"] = d["target_gbp_k"] - d["delivered_gbp_k"]
    d["delivery_pct"] = (100.0 * d["delivered_gbp_k"] / d["target_gbp_k"]).where(d["target_gbp_k"] > 0)
    d["_o"] = d["period"].map(period_order)
    d = d.sort_values(["_o", "table_id", "row_order"], kind="mergesort")
    return d[SAVINGS_COLUMNS].reset_index(drop=True)


def show_savings(sv: pd.DataFrame):
    """:func:`savings_summary` for a reader (totals in bold)."""
    from helpers.reports import present as report

    d = sv.assign(when=np.where(sv["period"] == "BUD", "budget setting", "this report")) if len(sv) else sv
    cols = {"source_table": "Source table", "when": "Figures from", "line": "Saving", "programme": "Programme",
            "target_gbp_k": "Planned (£k)", "delivered_gbp_k": "Delivered (£k)", "delivered_basis": "Delivered is",
            "shortfall_gbp_k": "Shortfall (£k)", "shortfall_printed_gbp_k": "Printed shortfall (£k)",
            "delivery_pct": "Delivered (% of plan)", "rag_printed": "RAG (printed)"}
    emph = sv["row_type"].isin(["subtotal", "total"]) if len(sv) else None
    return report.present(d, columns=cols, formats=_FORMATS, emphasis=emph, rag=["rag_printed"],
                          drop_empty=["programme", "shortfall_printed_gbp_k", "rag_printed"],
                          empty="The report prints no savings figures for this period.")


RESERVES_COLUMNS = ["table_id", "row_order", "line", "reserve_name", "purpose", "row_type", "opening_balance_gbp_k",
                    "approved_gbp_k", "used_gbp_k", "movement_gbp_k", "balance_gbp_k", "source_table"]


def reserves_summary(reserves: pd.DataFrame, gss_code: str, year: str, period: str, *,
                     scope: str = "all") -> pd.DataFrame:
    """The reserves schedule printed for the period: approved, used, balance (and opening / movement).

    ``scope`` as in :func:`apply_scope` (Cambridgeshire's P&C reserves list children's and education
    reserves too).
    """
    d, _ = apply_scope(select(reserves, gss_code, year, period), scope)
    if d.empty:
        return pd.DataFrame(columns=RESERVES_COLUMNS)
    for c in RESERVES_COLUMNS:
        if c not in d.columns:
            d[c] = np.nan
    return d[RESERVES_COLUMNS].reset_index(drop=True)


def reserves_in_budget(vt: pd.DataFrame) -> pd.DataFrame:
    """Budget-monitoring rows about reserves: a printed appropriation, or a line or service area naming reserves."""
    cols = ["table_id", "source_table", "line", "row_type", "budget_gbp_k", "forecast_outturn_gbp_k",
            "variance_gbp_k", "reserves_appropriation_gbp_k"]
    if vt.empty:
        return vt[cols]
    named = vt["line"].str.contains("reserve", case=False, na=False) | \
        vt["service_area"].str.contains("reserve", case=False, na=False)
    d = vt[vt["reserves_appropriation_gbp_k"].notna() | named]
    return d[cols].reset_index(drop=True)


def show_reserves(rs: pd.DataFrame):
    """:func:`reserves_summary` for a reader (subtotals and totals in bold)."""
    from helpers.reports import present as report

    d = rs
    if len(rs) and (rs["reserve_name"].isna() | (rs["reserve_name"] == rs["line"])).all():
        d = rs.assign(reserve_name=np.nan)  # the name is the printed line itself
    cols = {"source_table": "Source table", "line": "Reserve (as printed)", "reserve_name": "Reserve name",
            "purpose": "Purpose", "opening_balance_gbp_k": "Opening balance (£k)", "approved_gbp_k": "Approved (£k)",
            "used_gbp_k": "Used (£k)", "movement_gbp_k": "Movement (£k)", "balance_gbp_k": "Balance (£k)"}
    emph = rs["row_type"].isin(["subtotal", "total"]) if len(rs) else None
    return report.present(d, columns=cols, formats=_FORMATS, emphasis=emph,
                          drop_empty=["reserve_name", "purpose", "opening_balance_gbp_k", "approved_gbp_k",
                                      "used_gbp_k", "movement_gbp_k"],
                          empty="The report prints no reserves schedule for this period.")


def show_reserves_in_budget(vt: pd.DataFrame):
    """:func:`reserves_in_budget` for a reader."""
    from helpers.reports import present as report

    d = reserves_in_budget(vt)
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "reserves_appropriation_gbp_k": "Use of reserves (£k)"}
    emph = d["row_type"].isin(["subtotal", "total"]) if len(d) else None
    return report.present(d, columns=cols, formats=_FORMATS, emphasis=emph,
                          empty="No budget-monitoring row is about reserves for this period.")


# ------------------------------------------------------------------------------------------------
# plain-English summary
# ------------------------------------------------------------------------------------------------


def _k(x: float) -> str:
    return f"£{abs(x):,.0f}k"


def _sk(x: float) -> str:
    """Signed money: ``+£1,234k`` / ``-£20k`` / ``£0k``."""
    if round(x) == 0:
        return "£0k"
    return f"{'-' if x < 0 else '+'}£{abs(x):,.0f}k"


def largest_variances(vt: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` lines of the main table(s) with the largest non-zero absolute variance."""
    cols = ["table_id", "source_table", "line", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k",
            "variance_pct", "variance_pct_text", "previous_period", "movement_gbp_k", "rag"]
    if vt.empty:
        return pd.DataFrame(columns=cols)
    d = vt[vt["table_id"].isin(main_tables(vt)) & (vt["row_type"] == "line") & (vt["variance_gbp_k"].fillna(0) != 0)]
    d = d.assign(_a=d["variance_gbp_k"].abs()).sort_values(["_a", "table_id", "row_order"],
                                                            ascending=[False, True, True])
    return d.head(n)[cols].reset_index(drop=True)


def _since(movement: float, previous_period: object) -> str:
    """``"up £335k since month 3 (June)"``; empty without a movement."""
    if pd.isna(movement):
        return ""
    when = _period_names(pd.Series([previous_period])).iloc[0] or "the previous report"
    if movement == 0:
        return f"no change since {when}"
    return f"{'up' if movement > 0 else 'down'} {_k(movement)} since {when}"


SUMMARY_COLUMNS = ["kind", "name", "table_id", "source_table", "variance_gbp_k", "variance_pct", "variance_pct_text",
                   "rag", "previous_period", "movement_gbp_k", "volume_gbp_k", "price_gbp_k", "remainder_gbp_k",
                   "other_lines_gbp_k", "driver"]


def summary_table(vt: pd.DataFrame, dec: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The largest variances and their drivers, one row each, for export (CSV and Excel) and the report.

    Rows: the ``n`` largest line variances (driver: the movement since the previous period), then one row
    per key-activity table (driver: volume, price, remainder and the lines without client figures).

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`.
    """
    lv = largest_variances(vt, n)
    rows = []
    for r in lv.itertuples(index=False):
        rows.append({"kind": "service line", "name": r.line, "table_id": r.table_id, "source_table": r.source_table,
                     "variance_gbp_k": r.variance_gbp_k, "variance_pct": r.variance_pct,
                     "variance_pct_text": r.variance_pct_text, "rag": r.rag, "previous_period": r.previous_period,
                     "movement_gbp_k": r.movement_gbp_k, "driver": _since(r.movement_gbp_k, r.previous_period)})
    for r in decomposition_summary(dec).itertuples(index=False):
        parts = [f"volume {_sk(r.volume_gbp_k)}", f"price {_sk(r.price_gbp_k)}",
                 f"remainder {_sk(r.remainder_gbp_k)}"] if pd.notna(r.volume_gbp_k) else []
        if pd.notna(r.other_lines_gbp_k):
            parts.append(f"lines not split {_sk(r.other_lines_gbp_k)}")
        rows.append({"kind": "key activity", "name": r.service_group, "table_id": r.table_id,
                     "source_table": r.source_table, "variance_gbp_k": r.variance_gbp_k,
                     "volume_gbp_k": r.volume_gbp_k, "price_gbp_k": r.price_gbp_k,
                     "remainder_gbp_k": r.remainder_gbp_k, "other_lines_gbp_k": r.other_lines_gbp_k,
                     "driver": ", ".join(parts)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def show_summary_table(summary: pd.DataFrame):
    """:func:`summary_table` for a reader."""
    from helpers.reports import present as report

    cols = {"kind": "What", "name": "Line or service", "source_table": "Source table",
            "variance_gbp_k": "Variance (£k)", "variance_pct": "Variance (% of budget)", "rag": "RAG",
            "movement_gbp_k": "Movement (£k)", "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)",
            "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)", "driver": "Driver"}
    d = summary.assign(driver=summary["driver"].where(summary["kind"] != "key activity", ""))
    return report.present(d, columns=cols, formats=_FORMATS, rag=["rag"],
                          empty="No variances to summarise for this period.")


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
    return f"{r.line} {_k(r.variance_gbp_k)} ({pct})"


def summary_text(vt: pd.DataFrame, dec: pd.DataFrame, savings: pd.DataFrame, council_name: str, label: str,
                 n: int = 3, *, adults_only: bool = False) -> str:
    """A plain-English summary of the position, the largest variances and their drivers.

    Every figure is one of the report's tables: the lead total (:func:`headline`, named by its printed
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
        for h in headline(vt).itertuples(index=False):
            pct = _pct_phrase(h.variance_pct, h.budget_gbp_k)
            if h.variance_gbp_k:
                s = (f"At {label}, {council_name} {verb} {_over(h.variance_gbp_k)} of {_k(h.variance_gbp_k)} on a "
                     f"budget of £{h.budget_gbp_k:,.0f}k{' (' + pct + ')' if pct else ''}: the total of "
                     f"'{h.source_table}'.")
            else:
                s = (f"At {label}, {council_name} {verb} spending on budget (£{h.budget_gbp_k:,.0f}k): the total "
                     f"of '{h.source_table}'.")
            if pd.notna(h.movement_gbp_k):
                when = _period_names(pd.Series([h.previous_period])).iloc[0] or "the previous report"
                s += (f" Since {when} the variance has {'risen' if h.movement_gbp_k > 0 else 'fallen'} by "
                      f"{_k(h.movement_gbp_k)}, from {_sk(h.previous_variance_gbp_k)}." if h.movement_gbp_k else
                      f" It is unchanged since {when}.")
            out.append(s)
        if adults_only:
            out.append("These figures cover adult social care only: the report's children's, education and "
                       "community-safety lines, and the totals that include them, are left out.")
        main = vt[vt["table_id"].isin(main_tables(vt)) & (vt["row_type"] == "line")]
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
        text = (f"{r.service_group} key activity (variance {_sk(r.variance_gbp_k)}): {clients} "
                f"{_sk(r.volume_gbp_k)} (volume), {cost} {_sk(r.price_gbp_k)} (price), timing, part-year effects "
                f"and the rest {_sk(r.remainder_gbp_k)} (remainder)")
        if pd.notna(r.other_lines_gbp_k):
            text += f", and lines without client figures {_sk(r.other_lines_gbp_k)}"
        drivers.append("- " + text + ".")
    sv = savings[savings["row_type"] == "total"] if len(savings) else savings
    for r in sv.itertuples(index=False):
        if pd.notna(r.delivered_gbp_k) and pd.notna(r.target_gbp_k):
            lines_.append(f"Savings: {_k(r.delivered_gbp_k)} {r.delivered_basis} of a {_k(r.target_gbp_k)} plan "
                       f"({r.delivery_pct:.0f}%), a shortfall of {_k(r.shortfall_gbp_k)}.")
        elif pd.notna(r.target_gbp_k):
            lines_.append(f"Savings planned: {_k(r.target_gbp_k)} (no delivery figure printed yet).")
    paragraphs = [" ".join(out), " ".join(lines_), "\n".join(drivers)]
    return "\n\n".join(x for x in paragraphs if x)
