"""Tests of the council report data: the embedded transcriptions, the loader and the reconciliation.

Real-data tests read ``data/raw/councils/`` (the seeds' tables) and reproduce every printed total and
derived figure of the Stockport and Nottinghamshire documents, and assert the exact discrepancies the
documents hold (listed in docs/council_data.md and the council folders' READMEs). Tests of bad input use
small synthetic CSV/Excel files written to a temporary folder; their docstrings say so.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError, ReconciliationWarning
from helpers.core.paths import COUNCIL_DATA
from helpers.data import council_reports as cd
from helpers.data import schemas
from helpers.data.council_reports import checks, kinds, reader
from helpers.pipeline import params

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


@pytest.fixture(scope="module")
def data(council_tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The committed council tables (read once per session by tests/unit/conftest.py), copied for this module."""
    return {kind: df.copy() for kind, df in council_tables.items()}


def rows(df: pd.DataFrame, table_id: str) -> pd.DataFrame:
    out = df[df["table_id"] == table_id].sort_values("row_order")
    assert len(out), f"no rows for {table_id}"
    return out


def row(df: pd.DataFrame, table_id: str, line: str) -> pd.Series:
    hit = df[(df["table_id"] == table_id) & (df["line"] == line)]
    assert len(hit) == 1, (table_id, line, len(hit))
    return hit.iloc[0]


def lines_sum(df: pd.DataFrame, table_id: str, parent: str, col: str) -> float:
    t = rows(df, table_id)
    return float(t.loc[(t["parent_line"] == parent) & t["row_type"].isin(["line", "subtotal"]), col].sum())


# ------------------------------------------------------------------------------------------------
# counts and shape
# ------------------------------------------------------------------------------------------------

#: Rows per kind transcribed from seeds 000-003 (one row per printed table row; tables printed with one
#: column per month or period are one row per cell).
EXPECTED_ROWS = {
    (STOCKPORT, "budget_monitoring"): 25, (STOCKPORT, "budget_changes"): 11, (STOCKPORT, "reserves"): 34,
    (STOCKPORT, "savings"): 24, (STOCKPORT, "capital"): 26, (STOCKPORT, "complaints"): 48, (STOCKPORT, "kpis"): 60,
    (NOTTS, "budget_monitoring"): 11, (NOTTS, "kpis"): 21,
}


def test_row_counts_per_council_and_kind(data: dict[str, pd.DataFrame]) -> None:
    got = {}
    for kind, df in data.items():
        for code in (STOCKPORT, NOTTS):
            n = int((df["gss_code"] == code).sum())
            if n:
                got[(code, kind)] = n
    assert got == EXPECTED_ROWS


def test_table_counts_per_council(data: dict[str, pd.DataFrame]) -> None:
    """Every printed table has its own table_id: 34 tables for Stockport, 7 for Nottinghamshire."""
    ids = pd.concat([df[["gss_code", "table_id"]] for df in data.values()]).drop_duplicates()
    counts = ids.groupby("gss_code").size().to_dict()
    assert counts[STOCKPORT] == 34
    assert counts[NOTTS] == 7


def test_processed_columns_follow_the_template(data: dict[str, pd.DataFrame]) -> None:
    for kind in cd.KINDS:
        df = data[kind]
        cols = cd.template_columns(kind, processed=True)
        assert list(df.columns[: len(cols)]) == cols
        assert df["year"].str.match(r"^\d{4}-\d{2}$").all()
    assert data["budget_monitoring"]["period_end"].dtype == "datetime64[ns]"


def test_rows_sorted_deterministically(data: dict[str, pd.DataFrame]) -> None:
    for kind, df in data.items():
        keys = ["gss_code", "year", "table_id", "period", "period_end", *kinds.kind_spec(kind).group, "row_order"]
        assert df.equals(df.sort_values(keys, kind="mergesort").reset_index(drop=True)), kind


def test_period_pattern_matches_params() -> None:
    assert schemas.COUNCIL_PERIOD_RE == params.PERIOD_RE.pattern


def test_signs_and_missing_values_as_printed(data: dict[str, pd.DataFrame]) -> None:
    b = data["budget_monitoring"]
    r = row(b, "stockport-2017-18-q3-2.1.2", "Boroughwide Services")  # printed (407), Q2 (444)
    assert (r["variance_gbp_k"], r["previous_variance_gbp_k"]) == (-407, -444)
    r = row(b, "stockport-2017-18-q3-2.1.2", "Strategy and Performance")  # printed (1,125) (817) 308
    assert (r["budget_gbp_k"], r["forecast_outturn_gbp_k"], r["variance_gbp_k"]) == (-1125, -817, 308)
    # Nottinghamshire prints '-' for nil: kept empty, never 0
    r = row(b, "nottinghamshire-2024-25-m03-summary", "Transfer to / (from) Capital Reserves")
    assert pd.isna(r["budget_gbp_k"]) and pd.isna(r["variance_gbp_k"]) and r["variance_pct"] == 0
    k = data["kpis"]
    r = row(k, "stockport-2017-18-q3-1.2-p1", "Number of people whose delayed discharge from hospital is attributed "
            "to adult social care (Delayed transfers of care measure)")
    assert pd.isna(r["forecast_value"]) and "N/A" in r["note"]  # printed N/A


# ------------------------------------------------------------------------------------------------
# the printed totals and derived figures, reproduced
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [STOCKPORT, NOTTS])
def test_every_total_and_derived_figure_reconciles(data: dict[str, pd.DataFrame], code: str) -> None:
    """Stockport's and Nottinghamshire's tables add up within rounding: reconcile finds nothing."""
    for kind, df in data.items():
        disc = cd.reconcile(df[df["gss_code"] == code], kind)
        assert disc.empty, disc.to_string()


def test_stockport_2017_18_revenue_table(data: dict[str, pd.DataFrame]) -> None:
    b, t = data["budget_monitoring"], "stockport-2017-18-q3-2.1.2"
    assert lines_sum(b, t, "Total", "budget_gbp_k") == 69839
    assert lines_sum(b, t, "Total", "forecast_outturn_gbp_k") == 70423
    assert lines_sum(b, t, "Total", "variance_gbp_k") == 584
    assert lines_sum(b, t, "Total", "previous_variance_gbp_k") == 849
    tb = rows(b, t)
    assert ((tb["forecast_outturn_gbp_k"] - tb["budget_gbp_k"]) == tb["variance_gbp_k"]).all()
    # "this equates to 0.8% variance in terms of the total resources available"
    assert round(100 * 584 / 69839, 1) == 0.8
    # summary box on page 1: Cash Limit 69,839, Outturn 70,423, (Surplus)/Deficit 584
    tot = row(b, t, "Total")
    assert (tot["budget_gbp_k"], tot["forecast_outturn_gbp_k"], tot["variance_gbp_k"]) == (69839, 70423, 584)


def test_stockport_2017_18_pooled_budget_and_cash_limit(data: dict[str, pd.DataFrame]) -> None:
    b, c = data["budget_monitoring"], data["budget_changes"]
    t = "stockport-2017-18-q3-2.4"
    assert lines_sum(b, t, "Total", "budget_gbp_k") == 86243
    assert lines_sum(b, t, "Total", "variance_gbp_k") == 518
    assert lines_sum(b, t, "Total", "previous_variance_gbp_k") == 843
    # narrative: baseline £86.243m "changed from the £84.326m reported at Quarter 2 by £1.917m"
    assert 84326 + 1917 == row(b, t, "Total")["budget_gbp_k"]
    cl = row(c, "stockport-2017-18-q3-2.1", "Cash Limit")
    assert cl["previous_budget_gbp_k"] + cl["change_gbp_k"] == cl["budget_gbp_k"] == 69839
    assert lines_sum(c, "stockport-2017-18-q3-2.1.1", "Adult Social Care - Total", "change_gbp_k") == 1917


def test_stockport_2017_18_reserves_savings_capital(data: dict[str, pd.DataFrame]) -> None:
    r, s, k = data["reserves"], data["savings"], data["capital"]
    t = "stockport-2017-18-q3-2.2"
    assert [lines_sum(r, t, "Total", c) for c in ("approved_gbp_k", "used_gbp_k", "balance_gbp_k")] == [5505, 4743, 762]
    tr = rows(r, t).dropna(subset=["approved_gbp_k"])
    assert ((tr["approved_gbp_k"] - tr["used_gbp_k"]) == tr["balance_gbp_k"]).all()
    t = "stockport-2017-18-q3-2.3"
    assert lines_sum(s, t, "Total", "target_gbp_k") == 3651  # "saving requirement for 2017/18 is £3.651m"
    assert lines_sum(s, t, "Total", "achieved_gbp_k") == 2809  # Overtime's blank cell is not counted as 0
    assert pd.isna(row(s, t, "Overtime - policy review")["achieved_gbp_k"])
    assert 3651 - 2809 == row(s, t, "Total")["shortfall_gbp_k"] == 842  # "Savings still to be achieved £0.842m"
    assert [lines_sum(k, "stockport-2017-18-q3-2.5", "TOTAL", c) for c in
            ("spend_to_date_gbp_k", "programme_year1_gbp_k", "programme_year2_gbp_k", "programme_year3_gbp_k")] == [
        262, 338, 1698, 0]
    assert [lines_sum(k, "stockport-2017-18-q3-2.5.2", "TOTAL", c) for c in
            ("programme_year1_gbp_k", "programme_year2_gbp_k")] == [32, 358]


def test_stockport_2017_18_complaints(data: dict[str, pd.DataFrame]) -> None:
    c = data["complaints"]
    t = rows(c, "stockport-2017-18-q3-1.2.1-issues")
    sums = t[t["row_type"] == "line"].groupby("count_period")["count"].sum().to_dict()
    assert sums == {"Q1 2017-18": 25, "Q2 2017-18": 28, "2016-17": 146}
    t = rows(c, "stockport-2017-18-q3-1.2.1-service")
    assert t[t["row_type"] == "line"].groupby("count_period")["count"].sum().to_dict() == {
        "Q1 2017-18": 25, "Q2 2017-18": 28}


def test_stockport_2023_24_budget_tables(data: dict[str, pd.DataFrame]) -> None:
    b, c = data["budget_monitoring"], data["budget_changes"]
    t = "stockport-2023-24-q2-2.1-service-detail"
    assert lines_sum(b, t, "Total – Adult Social Care", "budget_gbp_k") == 107364
    assert lines_sum(b, t, "Total – Adult Social Care", "forecast_outturn_gbp_k") == 107364
    assert lines_sum(b, t, "Total – Adult Social Care", "variance_gbp_k") == 0
    assert lines_sum(b, t, "Total – Adult Social Care", "previous_variance_gbp_k") == 0
    assert lines_sum(b, t, "Total", "budget_gbp_k") == 119651
    t = "stockport-2023-24-q2-2.1-forecast-outturn"
    for line in ("Adult Social Care", "Public Health", "Total"):
        r = row(b, t, line)  # forecast outturn = net expenditure + appropriation from reserves = budget
        assert r["forecast_net_expenditure_gbp_k"] + r["reserves_appropriation_gbp_k"] - r["budget_gbp_k"] == 0
        assert pd.isna(r["forecast_outturn_gbp_k"])  # not printed in this table
    assert row(b, t, "Total")["reserves_appropriation_gbp_k"] == -5486
    r = row(c, "stockport-2023-24-q2-2.1-budget", "Cash Limit")
    assert (r["previous_budget_gbp_k"], r["change_gbp_k"], r["budget_gbp_k"]) == (117699, 1952, 119651)


def test_stockport_2023_24_narrative_agrees_with_tables(data: dict[str, pd.DataFrame]) -> None:
    """The forecast outturn analysis (text) against the Service Detail table."""
    b, t = data["budget_monitoring"], "stockport-2023-24-q2-2.1-service-detail"
    pwi, er = row(b, t, "Prevention Wellbeing & Independence"), row(b, t, "Enablement & Recovery")
    assert pwi["variance_gbp_k"] - pwi["previous_variance_gbp_k"] == 337  # "The change in forecast is £0.337m"
    assert er["variance_gbp_k"] - er["previous_variance_gbp_k"] == 443  # "The change in forecast is £0.443m"
    scm = row(b, t, "Support & Care Management")
    pressure = 692 + 2401 + 463  # LD, Integrated Neighbourhoods, Mental Health pressures (£000)
    assert pressure == 3556  # "financial pressure £3.556m (prior to the draw down of grant funding)"
    assert pressure - (1283 + 1952 + 343) == scm["variance_gbp_k"] == -22  # "net balance of a £0.022m underspend"
    assert pressure - scm["previous_variance_gbp_k"] == 2815  # "increased by £2.815m from the Q1+ position"


def test_stockport_2023_24_reserves_savings_capital(data: dict[str, pd.DataFrame]) -> None:
    r, s, k = data["reserves"], data["savings"], data["capital"]
    t = "stockport-2023-24-q2-2.2"
    for parent, want in (("Adult Social Care - Subtotal", [16447, 3700, 12747]),
                         ("Public Health - Subtotal", [2698, 1786, 912]), ("Total", [19145, 5486, 13659])):
        assert [lines_sum(r, t, parent, c) for c in ("approved_gbp_k", "used_gbp_k", "balance_gbp_k")] == want
    # summary box: "Approved use of reserves balance was £19.145m", "Planned draw down at Q2 is £5.486m"
    tot = row(r, t, "Total")
    assert (tot["approved_gbp_k"], tot["used_gbp_k"]) == (19145, 5486)
    t = "stockport-2023-24-q2-2.3"
    for parent, want in (("Adult Social Care - subtotal", [4428, -625, 3803, 3782, 21]),
                         ("Public Health - subtotal", [352, 0, 352, 352, 0]), ("Total", [4780, -625, 4155, 4134, 21])):
        cols = ("target_gbp_k", "double_running_gbp_k", "net_target_gbp_k", "achieved_gbp_k", "shortfall_gbp_k")
        assert [lines_sum(s, t, parent, c) for c in cols] == want
    ts = rows(s, t).dropna(subset=["target_gbp_k"])
    assert ((ts["target_gbp_k"] + ts["double_running_gbp_k"]) == ts["net_target_gbp_k"]).all()
    assert ((ts["net_target_gbp_k"] - ts["achieved_gbp_k"]) == ts["shortfall_gbp_k"]).all()
    # the proposal texts itemise their values: £1m + 0.2m + 0.3m + 0.45m + 0.45m = £2.4m; 0.5 + 0.8 + 0.096 + 0.5
    assert round(1 + 0.2 + 0.3 + 0.45 + 0.45, 3) * 1000 == row(s, t, ts.iloc[0]["line"])["target_gbp_k"] == 2400
    assert round(0.5 + 0.8 + 0.096 + 0.5, 3) * 1000 == ts.iloc[1]["target_gbp_k"] == 1896
    assert lines_sum(k, "stockport-2023-24-q2-2.5-programme", "TOTAL", "programme_year1_gbp_k") == 348


def test_nottinghamshire_period_3_summary(data: dict[str, pd.DataFrame]) -> None:
    b, t = data["budget_monitoring"], "nottinghamshire-2024-25-m03-summary"
    f = "Forecast prior to use of reserves"
    want = {"budget_gbp_k": 290068, "actual_to_date_gbp_k": 77009, "forecast_outturn_gbp_k": 299704,
            "variance_gbp_k": 9636, "previous_variance_gbp_k": 6120, "variance_change_gbp_k": 3516}
    assert {c: lines_sum(b, t, f, c) for c in want} == want
    assert lines_sum(b, t, "Net Department Total", "budget_gbp_k") == 277910
    assert lines_sum(b, t, "Net Department Total", "forecast_outturn_gbp_k") == 287545
    assert lines_sum(b, t, "Net Department Total", "variance_gbp_k") == 9635
    tb = rows(b, t).dropna(subset=["budget_gbp_k"])
    assert ((tb["forecast_outturn_gbp_k"] - tb["budget_gbp_k"]) == tb["variance_gbp_k"]).all()
    assert ((tb["variance_gbp_k"] - tb["previous_variance_gbp_k"]) == tb["variance_change_gbp_k"]).all()
    # Var as a % of budget, to the printed 2 decimals (0.01% for (1)/(12,158) = 0.0082%: within rounding)
    pct = (100 * tb["variance_gbp_k"] / tb["budget_gbp_k"]).round(2)
    assert pct.tolist() == [0.81, 5.47, 0.49, 3.32, 0.01, 0.01, 3.47]
    assert tb["variance_pct"].tolist() == [0.81, 5.47, 0.49, 3.32, 0.01, 0.01, 3.47]
    # narrative (paras 34-38): £9.64m overspend = -0.29 (commissioning) - 1.49 (provider services)
    # + 11.5 (working age and older adults) - 0.08 (MIS), a different split from the table's
    assert round(-0.29 - 1.49 + 11.5 - 0.08, 2) == round(row(b, t, f)["variance_gbp_k"] / 1000, 2) == 9.64


def test_kpi_values_reproduce_numerator_over_denominator(data: dict[str, pd.DataFrame]) -> None:
    k = data["kpis"]
    k = k[k["numerator"].notna() & (k["gss_code"] == STOCKPORT)]
    assert len(k) == 10
    for _, r in k.iterrows():
        scale = cd.KPI_SCALES[r["unit"]]
        decimals = checks._decimals(r["value"])
        assert round(r["numerator"] / r["denominator"] * scale, decimals) == r["value"], r["line"]
    disc = cd.reconcile(data["kpis"][data["kpis"]["gss_code"] == STOCKPORT], "kpis", include_rounding=True)
    assert disc["expected"].round(4).tolist() == [91.9725, 93.4084, 260.0497, 83.2143, 97.0833, 55.0738, 68.6567]


# ------------------------------------------------------------------------------------------------
# the documents' own discrepancies (exact; also in docs/council_data.md)
# ------------------------------------------------------------------------------------------------


def test_discrepancy_stockport_2025_26_prevention_saving(data: dict[str, pd.DataFrame]) -> None:
    """Summary table: 1,100 (£000); project sheet heading: '(£1.110m)'. The table adds up to 4,598 with 1,100."""
    s, t = data["savings"], "stockport-2025-26-bud-savings"
    r = row(s, t, "ASC Maximising prevention and independence")
    assert r["target_gbp_k"] == 1100 and "£1.110m" in r["note"]
    assert lines_sum(s, t, "Total", "target_gbp_k") == row(s, t, "Total")["target_gbp_k"] == 4598
    assert 1110 + 750 + 750 + 1998 == 4608  # with the project sheet's figure the total would not agree


def test_discrepancy_stockport_2017_18_cqc_ratings(data: dict[str, pd.DataFrame]) -> None:
    """Priority 7: residential beds Q3 actual 48% vs the monthly table's November 47%; home care 2016/17
    actual 63% vs the monthly table's April 2017 65% (nursing agrees: 66% and 40%)."""
    k = data["kpis"]
    pi = rows(k, "stockport-2017-18-q3-1.2-p7").set_index("kpi_name")
    res = rows(k, "stockport-2017-18-q3-1.2-p7-residential-trend").set_index("value_period")["value"]
    home = rows(k, "stockport-2017-18-q3-1.2-p7-homecare-trend").set_index("value_period")["value"]
    nurse = rows(k, "stockport-2017-18-q3-1.2-p7-nursing-trend").set_index("value_period")["value"]
    res_pi = pi.loc["The proportion of Residential bed capacity in Stockport with an overall CQC rating of good or "
                    "outstanding"]
    home_pi = pi.loc["The proportion of Home Care Agencies in Stockport with an overall CQC rating of good or "
                     "outstanding"]
    nurse_pi = pi.loc["The proportion of Nursing bed capacity in Stockport with an overall CQC rating of good or "
                      "outstanding"]
    assert (res_pi["value"], res["Nov 2017"]) == (48, 47)
    assert (home_pi["previous_value"], home["Apr 2017"]) == (63, 65)
    assert (home_pi["value"], home["Nov 2017"]) == (73, 73)
    assert (nurse_pi["value"], nurse["Nov 2017"], nurse_pi["previous_value"], nurse["Apr 2017"]) == (66, 66, 40, 40)


def test_discrepancy_stockport_2023_24_ascof_1g_rag(data: dict[str, pd.DataFrame]) -> None:
    """ASCOF 1G is printed Green, but its forecast 93.4% is below the 95% target: by Stockport's stated rule
    (Green = on track or above target; Amber = less than 5% below) it is Amber."""
    r = row(data["kpis"], "stockport-2023-24-q2-p4",
            "ASCOF 1G: Percentage of clients with a learning disability living independently")
    assert (r["forecast_value"], r["target_value"], r["rag_printed"]) == (93.4, 95, "G")
    shortfall = (r["target_value"] - r["forecast_value"]) / r["target_value"] * 100
    assert 0 < shortfall < 5  # 1.68% below target: Amber by the rule


def test_discrepancy_nottinghamshire_employment_increase(data: dict[str, pd.DataFrame]) -> None:
    """Para 14: 'a 48% increase ... from 363 to 756'; 363 -> 756 is an increase of 108.3%."""
    k = data["kpis"]
    r = k[(k["gss_code"] == NOTTS) & k["kpi_name"].str.startswith("Number of adults aged 18-64")].iloc[0]
    assert r["previous_value"] == 756
    assert round((756 - 363) / 363 * 100, 1) == 108.3


def test_nottinghamshire_green_below_target_is_as_printed(data: dict[str, pd.DataFrame]) -> None:
    """'% people ... live in their home or with family (18-64)': June 77.0% against a 78% target is printed
    Green; Nottinghamshire states no RAG rule in the report, so this is recorded, not judged."""
    k = data["kpis"]
    r = k[(k["gss_code"] == NOTTS) & (k["value_period"] == "Jun 2024") & (k["unit"] == "%")
          & k["kpi_name"].str.contains("18-64 year olds")].iloc[0]
    assert (r["value"], r["target_value"], r["rag_printed"]) == (77.0, 78, "Green")


# ------------------------------------------------------------------------------------------------
# every council folder (Cambridgeshire included) loads and is reconciled
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", cd.council_folders(), ids=lambda p: p.name)
def test_every_council_folder_validates(folder: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconciliationWarning)
        tables = cd.load_council_folder(folder)
    assert tables
    for kind, df in tables.items():
        assert len(df), kind
        assert df["gss_code"].nunique() == 1
        disc = cd.reconcile(df, kind)
        assert set(disc.columns) >= {"source_file", "source_row", "expected", "printed", "difference"}
        assert (disc["difference"].abs() > disc["tolerance"]).all()


def _nulls(df: pd.DataFrame) -> pd.DataFrame:
    """One null marker (None) everywhere, as Parquet gives back text columns."""
    return df.astype(object).where(df.notna(), None)


def test_registered_tables_build_and_match_the_loader(data: dict[str, pd.DataFrame]) -> None:
    from helpers.data import tables

    names = [k.table for k in cd.KINDS.values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconciliationWarning)
        res = tables.build(names)
    assert {r.name for r in res if r.status in ("built", "unchanged")} >= set(names)
    for kind in cd.KINDS:
        got = tables.load(cd.KINDS[kind].table)
        assert len(got) == len(data[kind])
        pd.testing.assert_frame_equal(_nulls(got), _nulls(data[kind]), check_dtype=False)
        spec = tables.REGISTRY[cd.KINDS[kind].table]
        assert spec.kind == "council"
        assert all(p.suffix in (".csv", ".xlsx") for p in spec.inputs())


# ------------------------------------------------------------------------------------------------
# bad input: one clear error naming file, row and column (synthetic files)
# ------------------------------------------------------------------------------------------------

HEADER = list(cd.TEMPLATE_COMMON) + ["budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k"] + list(cd.TEMPLATE_TAIL)


def _good_rows() -> list[dict[str, str]]:
    base = {"gss_code": STOCKPORT, "council": "Stockport", "financial_year": "2017-18", "period": "Q3",
            "period_end": "2017-12-31", "table_id": "t-1", "source_document": "synthetic", "source_table": "t",
            "note": ""}
    return [
        {**base, "row_order": "1", "line": "A", "parent_line": "Total", "row_type": "line",
         "budget_gbp_k": "100", "forecast_outturn_gbp_k": "110", "variance_gbp_k": "10"},
        {**base, "row_order": "2", "line": "B", "parent_line": "Total", "row_type": "line",
         "budget_gbp_k": "(1,125)", "forecast_outturn_gbp_k": "-1,100", "variance_gbp_k": "25"},
        {**base, "row_order": "3", "line": "Total", "parent_line": "", "row_type": "total",
         "budget_gbp_k": "-1025", "forecast_outturn_gbp_k": "-990", "variance_gbp_k": "35"},
    ]


def _write(tmp: Path, rows_: list[dict[str, str]], header: list[str] = HEADER, name: str = "budget_monitoring.csv"
           ) -> Path:
    folder = tmp / "testcouncil"
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows_, columns=header).to_csv(folder / name, index=False)
    return folder / name


def test_synthetic_good_file_loads(tmp_path: Path) -> None:
    """Synthetic: a minimal valid file (only the required columns; '(1,125)' and '-1,100' parsed)."""
    path = _write(tmp_path, _good_rows())
    df = cd.read_council_file(path)
    assert df["budget_gbp_k"].tolist() == [100, -1125, -1025]
    assert df["forecast_outturn_gbp_k"].tolist() == [110, -1100, -990]
    assert df["variance_pct"].isna().all()  # optional columns left out are empty
    assert df["source_row"].tolist() == [2, 3, 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(cd.load_council_folder(path.parent)) == ["budget_monitoring"]


def _error(path: Path) -> DataError:
    with pytest.raises(DataError) as exc:
        cd.load_council_folder(path.parent)
    return exc.value


def test_missing_column(tmp_path: Path) -> None:
    """Synthetic: the variance column is left out."""
    header = [c for c in HEADER if c != "variance_gbp_k"]
    err = _error(_write(tmp_path, [{k: v for k, v in r.items() if k != "variance_gbp_k"} for r in _good_rows()],
                        header))
    assert err.row == 1 and "variance_gbp_k" in str(err) and "budget_monitoring.csv" in str(err)


def test_misspelt_column(tmp_path: Path) -> None:
    """Synthetic: 'budget_gbpk' instead of 'budget_gbp_k'."""
    rows_ = [{("budget_gbpk" if k == "budget_gbp_k" else k): v for k, v in r.items()} for r in _good_rows()]
    header = ["budget_gbpk" if c == "budget_gbp_k" else c for c in HEADER]
    err = _error(_write(tmp_path, rows_, header))
    assert err.row == 1 and err.column == "budget_gbpk" and "did you mean 'budget_gbp_k'" in str(err)


def test_text_in_a_money_column(tmp_path: Path) -> None:
    """Synthetic: '£1.2m' typed into a money cell on the second data row (file row 3)."""
    rows_ = _good_rows()
    rows_[1]["forecast_outturn_gbp_k"] = "£1.2m"
    err = _error(_write(tmp_path, rows_))
    assert (err.row, err.column, err.value) == (3, "forecast_outturn_gbp_k", "£1.2m")
    assert "budget_monitoring.csv" in str(err)


@pytest.mark.parametrize("column, value", [
    ("period", "Q5"), ("period", "2017-18"), ("financial_year", "2017-19"), ("financial_year", "2017/18"),
    ("gss_code", "E08000999"), ("gss_code", "Stockport"), ("council", "Nottinghamshire"), ("row_type", "sum"),
    ("period_end", "31/12/2017"), ("period_end", "2018-12-31"), ("row_order", "1.5"), ("parent_line", "Grand total"),
])
def test_bad_value_names_file_row_and_column(tmp_path: Path, column: str, value: str) -> None:
    """Synthetic: one bad cell on the first data row (file row 2)."""
    rows_ = _good_rows()
    rows_[0][column] = value
    err = _error(_write(tmp_path, rows_))
    assert err.row == 2, str(err)
    assert err.column == column, str(err)
    assert "budget_monitoring.csv" in str(err)


def test_period_end_required_unless_budget_setting(tmp_path: Path) -> None:
    """Synthetic: an empty period_end is an error for Q3, allowed for BUD."""
    rows_ = _good_rows()
    rows_[2]["period_end"] = ""
    err = _error(_write(tmp_path, rows_))
    assert (err.row, err.column) == (4, "period_end")
    for r in rows_:
        r["period"], r["period_end"] = "BUD", ""
    assert cd.read_council_file(_write(tmp_path, rows_))["period_end"].isna().all()


def test_duplicate_row_order_and_heading_with_figures(tmp_path: Path) -> None:
    """Synthetic: two rows numbered 2; then a heading row carrying a figure."""
    rows_ = _good_rows()
    rows_[2]["row_order"] = "2"
    err = _error(_write(tmp_path, rows_))
    assert (err.row, err.column) == (4, "row_order")
    rows_ = _good_rows()
    rows_[0]["row_type"] = "heading"
    err = _error(_write(tmp_path, rows_))
    assert (err.row, err.column) == (2, "row_type")


def test_unknown_file_name(tmp_path: Path) -> None:
    """Synthetic: a file whose name is not a plain kind name."""
    path = _write(tmp_path, _good_rows(), name="Budget Monitoring.csv")
    err = _error(path)
    assert "Budget Monitoring.csv" in str(err) and "not a kind" in str(err)


def test_totals_that_do_not_reconcile_warn_and_keep_the_printed_value(tmp_path: Path) -> None:
    """Synthetic: the total budget printed 1 higher than its lines could round to (-1,022 vs -1,025) and a
    variance that is not forecast - budget (printed 12, 110 - 100 = 10)."""
    rows_ = _good_rows()
    rows_[2]["budget_gbp_k"] = "-1022"
    rows_[0]["variance_gbp_k"] = "12"
    rows_[2]["variance_gbp_k"] = "37"
    path = _write(tmp_path, rows_)
    with pytest.warns(ReconciliationWarning, match=r"^3 printed figure\(s\)"):
        tables = cd.load_council_folder(path.parent)
    df = tables["budget_monitoring"]
    assert df["budget_gbp_k"].tolist() == [100, -1125, -1022]  # kept as printed
    disc = cd.reconcile(df, "budget_monitoring")
    got = disc[["source_row", "column", "check", "expected", "printed", "difference", "tolerance"]]
    assert got.to_dict("records") == [
        {"source_row": 2, "column": "variance_gbp_k", "check": "variance = forecast outturn - budget",
         "expected": 10.0, "printed": 12.0, "difference": 2.0, "tolerance": 1.5},
        {"source_row": 4, "column": "budget_gbp_k", "check": "children sum to total (2 rows)",
         "expected": -1025.0, "printed": -1022.0, "difference": 3.0, "tolerance": 1.5},
        {"source_row": 4, "column": "variance_gbp_k", "check": "variance = forecast outturn - budget",
         "expected": 32.0, "printed": 37.0, "difference": 5.0, "tolerance": 1.5},
    ]
    assert set(disc["source_file"]) == {"budget_monitoring.csv"}  # outside the project: the file name


def test_rounding_differences_are_not_discrepancies(tmp_path: Path) -> None:
    """Synthetic: a total 1 away from its two lines (possible with rounded figures) is within tolerance."""
    rows_ = _good_rows()
    rows_[2]["budget_gbp_k"] = "-1024"
    rows_[2]["variance_gbp_k"] = "34"
    rows_[2]["forecast_outturn_gbp_k"] = "-990"
    df = cd.read_council_file(_write(tmp_path, rows_))
    assert cd.reconcile(df, "budget_monitoring").empty
    shown = cd.reconcile(df, "budget_monitoring", include_rounding=True)
    assert shown["difference"].tolist() == [1.0, -1.0]


def test_repeated_subtotal_labels_resolve_to_the_next_one(tmp_path: Path) -> None:
    """Synthetic: a reserves table printing 'subtotal' under each group (as Cambridgeshire's does)."""
    header = list(cd.TEMPLATE_COMMON) + ["approved_gbp_k", "used_gbp_k", "balance_gbp_k"] + list(cd.TEMPLATE_TAIL)
    base = {"gss_code": CAMBS, "council": "Cambridgeshire", "financial_year": "2018-19", "period": "M04",
            "period_end": "2018-07-31", "table_id": "r", "source_document": "synthetic", "source_table": "t"}
    spec = [("a", "subtotal", "line", 10), ("subtotal", "Total", "subtotal", 10), ("b", "subtotal", "line", 5),
            ("c", "subtotal", "line", 6), ("subtotal", "Total", "subtotal", 11), ("Total", "", "total", 21)]
    rows_ = [{**base, "row_order": str(i + 1), "line": ln, "parent_line": p, "row_type": t,
              "approved_gbp_k": str(v), "used_gbp_k": "0", "balance_gbp_k": str(v)} for i, (ln, p, t, v) in enumerate(spec)]
    df = cd.read_council_file(_write(tmp_path, rows_, header, "reserves.csv"))
    parents = cd.resolve_parents(df, "reserves")
    assert parents.tolist()[:5] == [1, 5, 4, 4, 5]
    assert cd.reconcile(df, "reserves").empty
    rows_[3]["approved_gbp_k"] = "9"  # now the second subtotal (11) is not 5 + 9, nor balance 9 - 0
    df = cd.read_council_file(_write(tmp_path, rows_, header, "reserves.csv"))
    disc = cd.reconcile(df, "reserves")
    assert disc[["source_row", "column", "check", "expected", "printed"]].to_dict("records") == [
        {"source_row": 5, "column": "balance_gbp_k", "check": "balance = approved - used", "expected": 9.0,
         "printed": 6.0},
        {"source_row": 6, "column": "approved_gbp_k", "check": "children sum to subtotal (2 rows)",
         "expected": 14.0, "printed": 11.0},
    ]


def test_excel_workbook_gives_the_same_tables(tmp_path: Path, data: dict[str, pd.DataFrame]) -> None:
    """The Stockport folder written as one workbook (a sheet per kind) loads to the same tables."""
    book = cd.write_workbook(COUNCIL_DATA / "stockport", tmp_path / "stockport.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconciliationWarning)
        from_book = cd.load_council_folder(book)
    assert sorted(from_book) == sorted(k for k, df in data.items() if (df["gss_code"] == STOCKPORT).any())
    for kind, got in from_book.items():
        want = data[kind][data[kind]["gss_code"] == STOCKPORT].reset_index(drop=True)[got.columns]
        assert got["source_file"].str.endswith(f"stockport.xlsx#{kind}").all()
        pd.testing.assert_frame_equal(got.drop(columns="source_file"), want.drop(columns="source_file"),
                                      check_dtype=False)


def test_excel_bad_cell_names_sheet_row_and_column(tmp_path: Path) -> None:
    """Synthetic: a workbook whose kpis sheet has text in the value column on row 3."""
    cols = list(cd.TEMPLATE_COMMON) + ["kpi_name", "value"] + list(cd.TEMPLATE_TAIL)
    base = {"gss_code": NOTTS, "council": "Nottinghamshire", "financial_year": "2024-25", "period": "M03",
            "period_end": pd.Timestamp("2024-06-30"), "table_id": "k", "parent_line": None, "row_type": "line",
            "source_document": "synthetic", "source_table": "t", "note": None}
    df = pd.DataFrame([{**base, "row_order": 1, "line": "x", "kpi_name": "x", "value": 1.5},
                       {**base, "row_order": 2, "line": "y", "kpi_name": "y", "value": "about 3"}], columns=cols)
    path = tmp_path / "notts.xlsx"
    with pd.ExcelWriter(path) as xw:
        df.to_excel(xw, sheet_name="kpis", index=False)
        pd.DataFrame({"a": ["ignored"]}).to_excel(xw, sheet_name="README", index=False)
    with pytest.raises(DataError) as exc:
        cd.load_council_folder(path)
    assert (exc.value.row, exc.value.column, exc.value.sheet) == (3, "value", "kpis")
    assert "notts.xlsx" in str(exc.value)


# ------------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------------


def _fmt(x: int, paren: bool, commas: bool) -> str:
    body = f"{abs(x):,}" if commas else str(abs(x))
    if x < 0:
        return f"({body})" if paren else f"-{body}"
    return body


@given(st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=20), st.booleans(), st.booleans())
def test_number_parser_reads_printed_negatives_and_separators(xs: list[int], paren: bool, commas: bool) -> None:
    s = pd.Series([_fmt(x, paren, commas) for x in xs] + ["", "N/A", "-", " n/a "], dtype=object)
    got = reader._parse_number_column(s, file="f.csv", column="c", rows=pd.Series(range(2, len(s) + 2)), sheet=None)
    assert got.iloc[: len(xs)].tolist() == [float(x) for x in xs]
    assert got.iloc[len(xs):].isna().all()


@given(st.text(alphabet="abcxyz£$%;", min_size=1, max_size=6))
def test_number_parser_rejects_text(word: str) -> None:
    if word.strip().lower() in {"c", "x", "z", ":", "..", "*", "nan", "na", "n/a", "-"} | set(cd.EXTRA_MARKERS):
        return
    s = pd.Series(["1", word], dtype=object)
    with pytest.raises(DataError) as exc:
        reader._parse_number_column(s, file="f.csv", column="c", rows=pd.Series([2, 3]), sheet=None)
    assert (exc.value.row, exc.value.column) == (3, "c")


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 4))
def test_decimals_never_exceed_the_printed_ones(x: float, d: int) -> None:
    assert checks._decimals(round(x, d)) <= d


@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=12), st.integers(-50, 50))
def test_sum_check_flags_exactly_the_differences_beyond_rounding(kids: list[int], delta: int) -> None:
    n = len(kids)
    base = {"gss_code": STOCKPORT, "year": "2017-18", "period": "Q3", "period_end": pd.Timestamp("2017-12-31"),
            "table_id": "t", "source_file": "f.csv", "parent_line": "Total", "row_type": "line"}
    df = pd.DataFrame([{**base, "row_order": i + 1, "source_row": i + 2, "line": f"l{i}", "reserve_name": None,
                        "approved_gbp_k": float(v), "used_gbp_k": np.nan, "balance_gbp_k": np.nan}
                       for i, v in enumerate(kids)]
                      + [{**base, "row_order": n + 1, "source_row": n + 2, "line": "Total", "parent_line": None,
                          "row_type": "total", "approved_gbp_k": float(sum(kids) + delta), "used_gbp_k": np.nan,
                          "balance_gbp_k": np.nan}])
    disc = cd.reconcile(df, "reserves")
    tol = 0.5 * (n + 1)
    if abs(delta) > tol:
        assert disc[["source_row", "expected", "printed", "difference"]].to_dict("records") == [
            {"source_row": n + 2, "expected": float(sum(kids)), "printed": float(sum(kids) + delta),
             "difference": float(delta)}]
    else:
        assert disc.empty


@given(st.integers(1, 2000), st.integers(1, 3000), st.integers(-30, 30))
def test_key_activity_budget_rule(clients: int, cost: int, delta: int) -> None:
    base = {"gss_code": CAMBS, "year": "2018-19", "period": "M04", "period_end": pd.Timestamp("2018-07-31"),
            "table_id": "t", "source_file": "f.csv", "source_row": 2, "row_order": 1, "line": "Residential",
            "parent_line": None, "row_type": "line", "unit_of_cost": "per week", "weeks_funded": np.nan}
    budget = round(clients * cost * 52 / 1000) + delta
    df = pd.DataFrame([{**base, "budgeted_clients": float(clients), "budgeted_unit_cost_gbp": float(cost),
                        "budget_gbp_k": float(budget), "forecast_outturn_gbp_k": np.nan, "variance_gbp_k": np.nan}])
    disc = cd.reconcile(df, "key_activity")
    exact = clients * cost * 52 / 1000
    tol = 0.5 + 0.5 * clients * 52 / 1000
    assert len(disc) == (1 if abs(budget - exact) > tol + 1e-9 else 0)


def test_councils_with_data() -> None:
    assert cd.councils_with_data() == sorted([STOCKPORT, NOTTS, CAMBS])
    assert STOCKPORT in cd.councils_with_data(kind="savings")
    assert NOTTS not in cd.councils_with_data(kind="savings")


def test_stockport_2023_24_arrows_follow_the_stated_rule(data: dict[str, pd.DataFrame]) -> None:
    """Stockport's key: stable = year-end (forecast, else latest) within 1% of the previous year-end; better /
    worse by polarity. The key's symbols are lost in the text; read as up = better, down = worse, right =
    stable, every one of the 15 printed arrows with a previous value agrees."""
    k = data["kpis"]
    k = k[k["table_id"].str.startswith("stockport-2023-24") & k["dot_printed"].isin(["↑", "↓", "→"])
          & k["previous_value"].notna()]
    current = k["forecast_value"].fillna(k["value"])
    change = (current - k["previous_value"]) / k["previous_value"] * 100
    better = np.where(k["polarity"] == "higher", change > 0, change < 0)
    expected = np.where(change.abs() <= 1, "→", np.where(better, "↑", "↓"))
    assert len(k) == 15
    assert (expected == k["dot_printed"].to_numpy()).all()


def test_a_kind_no_council_has_gives_an_empty_typed_table() -> None:
    empty = cd.load_kind("key_activity", COUNCIL_DATA / "stockport")
    assert empty.empty and list(empty.columns) == cd.template_columns("key_activity", processed=True)
    assert empty["budget_gbp_k"].dtype == float and empty["row_order"].dtype == "int64"
    assert cd.reconcile(empty, "key_activity").empty


def test_variance_pct_sign_on_income_lines(tmp_path: Path) -> None:
    """Synthetic: on a negative budget -809 / -80,114 may be printed +1% (sign of the ratio, as
    Nottinghamshire) or -1% (sign of the variance, as some Cambridgeshire rows); 5% is wrong either way."""
    header = HEADER + ["variance_pct"]
    rows_ = _good_rows()[:1]
    rows_[0].update(parent_line="", budget_gbp_k="-80114", forecast_outturn_gbp_k="-80923", variance_gbp_k="-809")
    for pct, n in (("1", 0), ("-1", 0), ("5", 1)):
        rows_[0]["variance_pct"] = pct
        df = cd.read_council_file(_write(tmp_path, rows_, header))
        assert len(cd.reconcile(df, "budget_monitoring")) == n, pct
