"""The variance table of a council's budget monitoring: variance, per cent, RAG thresholds and service scope.

Reads the processed ``council_budget`` table (see :mod:`helpers.data.council_reports`) and computes, for one
council, financial year and reporting period:

* the variance table (:func:`variance_table`): budget, forecast outturn, variance (forecast - budget, positive =
  overspend), variance as a per cent of the budget (``n/a`` for a zero or missing budget), movement since the
  last reported period and a RAG on the size of the variance (:mod:`.rag`);
* the service scope (:func:`apply_scope`): adult social care only, or every printed row (a People &
  Communities report also prints children's, education and community-safety lines);
* the lead total (:func:`headline`), the rows whose printed variance differs (:func:`printed_differences`) and
  how the forecast has moved across periods (:func:`movement`).

The key-activity decomposition is in :mod:`.price_volume`, projections from spend to date in :mod:`.projection`,
savings and reserves in :mod:`.savings`, the largest variances and their drivers in :mod:`.summary`; what a reader
sees is made in :mod:`helpers.reports.forecast_variance`. Methods and their sources are in ``docs/methods.md``
("Forecast variance"). Printed figures are never overwritten: where the report prints a variance we also
compute, both are shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.variance.rag import Thresholds, rag_label, variance_pct, variance_rag
from helpers.core.errors import ParameterError
from helpers.core.periods import PERIOD_MONTHS, period_label, period_order

# ------------------------------------------------------------------------------------------------
# variance, per cent and RAG
# ------------------------------------------------------------------------------------------------


def pct_text(pct: pd.Series, decimals: int = 1) -> pd.Series:
    """Per cents as text (``"+1.7%"``), ``"n/a"`` where there is no per cent (zero or missing budget)."""
    s = pd.Series(pct, dtype=float)
    return s.map(lambda x: "n/a" if pd.isna(x) else f"{x:+.{decimals}f}%")


# ------------------------------------------------------------------------------------------------
# selecting a council's period and service scope
# ------------------------------------------------------------------------------------------------


def period_aliases(period: str) -> list[str]:
    """The other codes of the same reporting period: a quarter and the month it ends (``Q1`` <-> ``M03``,
    ``Q2`` <-> ``M06``, ``Q3`` <-> ``M09``, ``Q4`` <-> ``M12``). A report's "Quarter 1" figures are "as at
    Period 3": the same three months. ``YE`` (the outturn) and ``BUD`` have none."""
    p = str(period)
    if p.startswith("Q") and p in PERIOD_MONTHS:
        return [f"M{PERIOD_MONTHS[p]:02d}"]
    if p.startswith("M") and p in PERIOD_MONTHS and PERIOD_MONTHS[p] % 3 == 0:
        return [f"Q{PERIOD_MONTHS[p] // 3}"]
    return []


def resolve_period(df: pd.DataFrame, gss_code: str, year: str, period: str) -> tuple[str, str | None]:
    """The period code a council's figures are held under for a requested period, and a sentence when it differs.

    The requested code when there are rows for it; else its alias (:func:`period_aliases`) when there are rows
    for that: e.g. ``Q1`` for figures stored as ``M03``. The sentence says which period was used.
    """
    have = set(df.loc[(df["gss_code"] == gss_code) & (df["year"] == year) & (df["row_type"] != "heading"), "period"])
    if period in have:
        return period, None
    for alias in period_aliases(period):
        if alias in have:
            return alias, (f"The figures for {period_label(period, year)} are held as {period_label(alias, year)} "
                           f"({alias}), the same months: {alias} is used.")
    return period, None


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


def period_names(s: pd.Series) -> pd.Series:
    """Period codes as words (``M03`` -> ``month 3 (June)``); missing stays missing."""
    def one(p: object) -> object:
        try:
            return period_label(str(p)) if isinstance(p, str) and p else None
        except ParameterError:
            return p
    return s.map(one).astype(object)


# ------------------------------------------------------------------------------------------------
# the variance table
# ------------------------------------------------------------------------------------------------


VARIANCE_COLUMNS = [
    "table_id", "source_table", "row_order", "line", "row_type", "service_area", "budget_gbp_k",
    "forecast_outturn_gbp_k", "forecast_basis", "variance_gbp_k", "variance_printed_gbp_k",
    "variance_difference_gbp_k", "variance_pct", "variance_pct_text", "variance_pct_printed", "previous_period",
    "previous_variance_gbp_k", "movement_gbp_k", "actual_to_date_gbp_k", "reserves_appropriation_gbp_k", "rag",
    "rag_label", "commentary", "pooled_budget", "pool_role", "pool_funding_share_pct", "known_discrepancy",
    "source_document",
]
#: Optional columns a council may add (``docs/council_data.md``), empty when absent.
_OPTIONAL = ("commentary", "pooled_budget", "pool_role", "pool_funding_share_pct", "known_discrepancy")


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
    for c in _OPTIONAL:
        if c not in df.columns:
            df[c] = np.nan
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
    df["rag_label"] = rag_label(df["rag"], df["variance_gbp_k"])
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


def printed_differences(vt: pd.DataFrame) -> pd.DataFrame:
    """Rows where the printed variance differs from forecast - budget (the report's own rounding or errors)."""
    d = vt[vt["variance_difference_gbp_k"].fillna(0) != 0]
    return d[["table_id", "source_table", "line", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k",
              "variance_printed_gbp_k", "variance_difference_gbp_k"]].reset_index(drop=True)


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
