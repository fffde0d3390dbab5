"""The key-activity decomposition: each line's variance split into volume (clients), price (unit cost) and remainder.

Reads the processed ``council_key_activity`` table (clients x unit cost x weeks by service, as the councils print
it). Methods in ``docs/methods.md`` ("Forecast variance", price / volume).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.variance.budget import select
from helpers.core.errors import DataError


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
    "forecast_outturn_gbp_k", "variance_gbp_k", "variance_printed_gbp_k", "variance_difference_gbp_k",
    "volume_gbp_k", "price_gbp_k", "remainder_gbp_k", "decomposed", "source_table", "source_document",
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
    df["variance_printed_gbp_k"] = df["variance_gbp_k"]
    ours = df["forecast_outturn_gbp_k"] - df["budget_gbp_k"]
    df["variance_difference_gbp_k"] = (df["variance_printed_gbp_k"] - ours).where(ours.notna())
    df["variance_gbp_k"] = ours.fillna(df["variance_gbp_k"])
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

    A figure the report does not print (empty, or suppressed ``[c]``) is never summed as 0: a table with a line
    whose variance is missing is **incomplete** (``missing_lines`` > 0), its ``variance_gbp_k`` and
    ``other_lines_gbp_k`` are left empty and ``variance_known_gbp_k`` holds the sum of the lines that are
    printed, for the report to show as a partial figure, never as the total.

    Returns
    -------
    pandas.DataFrame
        ``table_id, service_group, volume_gbp_k, price_gbp_k, remainder_gbp_k, other_lines_gbp_k,
        variance_gbp_k, missing_lines, variance_known_gbp_k`` where ``variance`` is the sum of the table's lines
        (= the four parts) when every line is printed.
    """
    cols = ["table_id", "source_table", "service_group", "volume_gbp_k", "price_gbp_k", "remainder_gbp_k",
            "other_lines_gbp_k", "variance_gbp_k", "missing_lines", "variance_known_gbp_k"]
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
        "variance_known_gbp_k": g["variance_gbp_k"].sum(min_count=1),
        "missing_lines": g["variance_gbp_k"].apply(lambda x: int(x.isna().sum())),
    }).reset_index()
    incomplete = out["missing_lines"] > 0
    out["variance_gbp_k"] = out["variance_known_gbp_k"].where(~incomplete)
    out["other_lines_gbp_k"] = out["other_lines_gbp_k"].where(~incomplete)
    return out[cols]


def printed_differences(dec: pd.DataFrame) -> pd.DataFrame:
    """Key-activity lines whose printed variance is not forecast outturn minus budget (any difference, even £1k:
    Cambridgeshire prints eight such lines, the report's rounding of unrounded figures)."""
    cols = ["table_id", "source_table", "service_group", "line", "budget_gbp_k", "forecast_outturn_gbp_k",
            "variance_gbp_k", "variance_printed_gbp_k", "variance_difference_gbp_k"]
    if dec.empty:
        return pd.DataFrame(columns=cols)
    d = dec[dec["variance_difference_gbp_k"].fillna(0) != 0]
    return d[cols].reset_index(drop=True)
