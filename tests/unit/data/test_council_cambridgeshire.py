"""Checks of the Cambridgeshire transcription (data/raw/councils/cambridgeshire/).

Plain pandas reads of the CSVs: template shape, the printed totals, and the exact discrepancies of the
source document (seed 004, Adults Committee 6 September 2018). Every mismatch asserted here is listed in the
folder README; a change in the transcription that adds or removes one must update both.

Run ``python tests/unit/data/test_council_cambridgeshire.py`` to print every check result.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

FOLDER = Path(__file__).resolve().parents[3] / "data" / "raw" / "councils" / "cambridgeshire"
COMMON = ["gss_code", "council", "financial_year", "period", "period_end", "table_id", "row_order", "line",
          "parent_line", "row_type"]
LAST = ["source_document", "source_table", "note"]
ROWS = {"budget_monitoring.csv": 263, "key_activity.csv": 46, "kpis.csv": 95, "reserves.csv": 33, "savings.csv": 7,
        "grants.csv": 22, "budget_changes.csv": 7, "budget_benchmark.csv": 23, "package_numbers.csv": 49}
PERIODS = {"BUD", "YE", *(f"Q{i}" for i in range(1, 5)), *(f"M{i:02d}" for i in range(1, 13))}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / name, dtype=str, keep_default_na=False)


def num(x: str) -> float | None:
    x = str(x).strip()
    return None if x == "" else float(x)


def sum_mismatches(df: pd.DataFrame, cols: list[str], keys: list[str], same: str | None = None) -> set[tuple]:
    """(table_id, period, total line, column, sum of lines, printed) for every printed total != sum of its lines.

    ``same``: a column that must also match between a total and its lines (for repeated labels like
    'subtotal').
    """
    out = set()
    for _, g in df.groupby(keys, sort=False):
        for _, tot in g[g.row_type.isin(["subtotal", "total"])].iterrows():
            kids = g[g.parent_line == tot.line]
            if same and tot.line == "subtotal":
                kids = kids[kids[same] == tot[same]]
            for c in cols:
                printed = num(tot[c])
                vals = [num(v) for v in kids[c] if num(v) is not None]
                if printed is None or not vals:
                    continue
                if not math.isclose(sum(vals), printed, abs_tol=1e-9):
                    out.add((tot.table_id, tot.period, tot.line, c, sum(vals), printed))
    return out


def variance_mismatches(df: pd.DataFrame) -> set[tuple]:
    """(table_id, period, line, forecast - budget, printed variance) where they differ."""
    out = set()
    for _, r in df.iterrows():
        b, f, v = num(r.budget_gbp_k), num(r.forecast_outturn_gbp_k), num(r.variance_gbp_k)
        if None not in (b, f, v) and not math.isclose(f - b, v, abs_tol=1e-9):
            out.add((r.table_id, r.period, r.line, f - b, v))
    return out


# --- expected discrepancies (exact figures; see README) -------------------------------------------------

BM_SUMS = {
    ("cambridgeshire-2018-19-m04-cover-1.3", "M04", "Total Expenditure", "budget_gbp_k", 164631, 164789),
    ("cambridgeshire-2018-19-m04-cover-1.3", "M04", "Total Expenditure", "actual_to_date_gbp_k", 54390, 30558),
    ("cambridgeshire-2018-19-m04-cover-1.3", "M04", "Total Expenditure", "variance_gbp_k", 22, 21),
    ("cambridgeshire-2018-19-m04-cover-1.3", "M04", "Total", "budget_gbp_k", 138231, 138275),
    ("cambridgeshire-2018-19-m04-cover-1.3", "M04", "Total", "actual_to_date_gbp_k", 26660, 30239),
    ("cambridgeshire-2018-19-m04-2.1", "M04", "Total Expenditure", "variance_gbp_k", 5500, 5499),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Commissioning Directorate Total", "previous_variance_gbp_k", 2687, 2686),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Communities & Safety Directorate Total", "budget_gbp_k", 6681, 6682),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Education Directorate Total", "actual_to_date_gbp_k", 33388, 33387),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Executive Director Total", "budget_gbp_k", 924, 923),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Total", "variance_gbp_k", 5500, 5499),
    ("cambridgeshire-2018-19-m04-app1", "M04", "Grant Funding Total", "budget_gbp_k", -80113, -80114),
    *(("cambridgeshire-2017-18-ye-s75-amh-activity", p, "[unlabelled subtotal: expenditure]", "budget_gbp_k", 4910, 4909)
      for p in ["M01", "Q1", "Q2", "Q3", "M11", "YE"]),
    ("cambridgeshire-2017-18-ye-s75-amh-activity", "Q2", "[unlabelled subtotal: expenditure]", "forecast_outturn_gbp_k", 5092, 5093),
    ("cambridgeshire-2017-18-ye-s75-amh-activity", "Q3", "[unlabelled subtotal: expenditure]", "forecast_outturn_gbp_k", 5139, 5141),
    ("cambridgeshire-2017-18-ye-s75-amh-activity", "YE", "[unlabelled subtotal: expenditure]", "variance_gbp_k", -163, -162),
    *(("cambridgeshire-2017-18-ye-s75-opmh-activity", p, "[unlabelled subtotal: expenditure]", "budget_gbp_k", 6203, 6204)
      for p in ["M01", "Q1", "Q2", "Q3", "M11", "YE"]),
    ("cambridgeshire-2017-18-ye-s75-opmh-activity", "Q1", "[unlabelled subtotal: expenditure]", "forecast_outturn_gbp_k", 7390, 7389),
    ("cambridgeshire-2017-18-ye-s75-opmh-activity", "Q3", "[unlabelled subtotal: expenditure]", "forecast_outturn_gbp_k", 7683, 7682),
    ("cambridgeshire-2017-18-ye-s75-opmh-activity", "YE", "[unlabelled subtotal: expenditure]", "variance_gbp_k", 1429, 1428),
    ("cambridgeshire-2017-18-ye-s75-opmh-activity", "Q1", "Total", "forecast_outturn_gbp_k", 6130, 6131),
}

KA_SUMS = {
    ("cambridgeshire-2018-19-m04-2.5.4", "M04", "Adult Mental Health Total", "forecast_outturn_gbp_k", 4451, 4453),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Expenditure", "budget_gbp_k", 74193, 74192),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Expenditure", "actual_clients", 3208, 3155),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Expenditure", "forecast_outturn_gbp_k", 73921, 73920),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Expenditure", "variance_gbp_k", -274, -273),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Income", "variance_gbp_k", -370, -371),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Expenditure", "budgeted_clients", 233, 229),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Expenditure", "budget_gbp_k", 7176, 6991),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Expenditure", "actual_clients", 214, 210),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Expenditure", "forecast_outturn_gbp_k", 6844, 6652),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Expenditure", "variance_gbp_k", -331, -339),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Total Income", "forecast_outturn_gbp_k", -1093, -1094),
}

KA_VARIANCES = {
    ("cambridgeshire-2018-19-m04-2.5.4", "M04", "Community based support", -63, -62),
    ("cambridgeshire-2018-19-m04-2.5.4", "M04", "Home & Community support", 17, 16),
    ("cambridgeshire-2018-19-m04-2.5.4", "M04", "Nursing Placement", 205, 206),
    ("cambridgeshire-2018-19-m04-2.5.4", "M04", "Health Contribution", 33, 34),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Residential", -88, -89),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Nursing Dementia", 2, 1),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Respite", 103, 104),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "~ Direct payments", -31, -32),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Total Expenditure", -272, -273),
    ("cambridgeshire-2018-19-m04-2.5.5", "M04", "Residential Income", -122, -121),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Nursing", -71, -70),
    ("cambridgeshire-2018-19-m04-2.5.6", "M04", "Residential Income", 339, 338),
}

GRANT_SUMS = {
    ("cambridgeshire-2018-19-m04-app3", "M04", "Total Grant Funding 2018/19", "expected_amount_gbp_k", 80113, 80114),
    ("cambridgeshire-2018-19-m04-app3-directorates", "M04", "TOTAL", "expected_amount_gbp_k", 38573, 38572),
}

#: (care type, month, previous total + in + out, printed total) of the AMH package-number table.
PACKAGE_FLOWS = {("dom_care", "M12", 166, 165), ("other_community", "M12", 18, 17), ("grand_total", "M12", 410, 408)}


# --- template shape -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ROWS))
def test_template_shape(name: str) -> None:
    df = read(name)
    assert len(df) == ROWS[name]
    assert list(df.columns[: len(COMMON)]) == COMMON
    assert list(df.columns[-len(LAST):]) == LAST
    assert set(df.gss_code) == {"E10000003"} and set(df.council) == {"Cambridgeshire"}
    assert set(df.period) <= PERIODS
    assert set(df.row_type) <= {"line", "subtotal", "total", "memo"}
    assert df.financial_year.str.fullmatch(r"(\d{4}-\d{2})?").all()
    assert df.period_end.str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    assert df.row_order.str.fullmatch(r"\d+").all()
    assert (df.line != "").all() and (df.source_document != "").all() and (df.source_table != "").all()
    assert df.source_document.str.startswith("004_3f72df2ad9acf802.txt: ").all()
    money = [c for c in df.columns if c.endswith("_gbp_k")]
    for c in money:  # numbers or empty, never markers such as 'n/a' or '-'
        assert df[c].str.fullmatch(r"(-?\d+(\.\d+)?)?").all(), c
    # parent_line always names a total row of the same table
    for tid, g in df.groupby("table_id"):
        parents = set(g.parent_line) - {""}
        assert parents <= set(g.line), (tid, parents - set(g.line))


def test_key_activity_dot_words() -> None:
    ka = read("key_activity.csv")
    for c in ["dot_clients", "dot_unit_cost", "dot_outturn"]:
        assert set(ka[c]) <= {"up", "down", "same", ""}
    assert set(ka.unit_of_cost) <= {"per week", "per hour", ""}
    assert set(read("kpis.csv").dot_printed) <= {"up", "down", "same", ""}


# --- totals and discrepancies ---------------------------------------------------------------------------

def test_budget_monitoring_totals() -> None:
    bm = read("budget_monitoring.csv")
    cols = ["budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "previous_variance_gbp_k",
            "actual_to_date_gbp_k", "variance_change_gbp_k"]
    assert sum_mismatches(bm, cols, ["table_id", "period"]) == BM_SUMS
    assert variance_mismatches(bm) == set()  # only the S75 'Final' rows print both outturn and variance
    ye = bm[bm.table_id.str.contains("s75") & (bm.period == "YE")]
    feb = bm[bm.table_id.str.contains("s75") & (bm.period == "M11")].set_index(["table_id", "row_order"])
    for _, r in ye.iterrows():  # 'Change from Feb' = Final - Feb
        f_feb = num(feb.loc[(r.table_id, r.row_order), "forecast_outturn_gbp_k"])
        assert num(r.forecast_outturn_gbp_k) - f_feb == num(r.variance_change_gbp_k)


def test_appendix1_matches_section_2_1() -> None:
    bm = read("budget_monitoring.csv")
    app1 = bm[bm.table_id == "cambridgeshire-2018-19-m04-app1"].set_index("line")
    s21 = bm[bm.table_id == "cambridgeshire-2018-19-m04-2.1"].set_index("line")
    pairs = {"Adults & Safeguarding": "Adult & Safeguarding Directorate Total",
             "Commissioning": "Commissioning Directorate Total",
             "Communities & Safety": "Communities & Safety Directorate Total",
             "Children & Safeguarding": "Children & Safeguarding Directorate Total",
             "Education": "Education Directorate Total", "Executive Director": "Executive Director Total",
             "Total Expenditure": "Total", "Grant Funding": "Grant Funding Total", "Total": "Net Total"}
    for a, b in pairs.items():
        for c in ["budget_gbp_k", "actual_to_date_gbp_k", "variance_gbp_k", "previous_variance_gbp_k"]:
            assert s21.loc[a, c] == app1.loc[b, c], (a, c)


def test_cover_table_against_appendix1() -> None:
    bm = read("budget_monitoring.csv")
    app1 = bm[bm.table_id == "cambridgeshire-2018-19-m04-app1"].set_index("line")
    cover = bm[bm.table_id == "cambridgeshire-2018-19-m04-cover-1.3"].set_index("line")
    lines = ["Local Assistance Scheme", "Central Commissioning - Adults", "Integrated Community Equipment Service",
             "Mental Health Voluntary Organisations"]
    row = cover.loc["Adults Commissioning (including Local Assistance Scheme)"]
    for c in ["budget_gbp_k", "actual_to_date_gbp_k", "variance_gbp_k"]:
        assert sum(num(app1.loc[x, c]) for x in lines) == num(row[c])
        assert cover.loc["Adults & Safeguarding", c] == app1.loc["Adult & Safeguarding Directorate Total", c]


def test_appendix2_learning_disability_row() -> None:
    bm = read("budget_monitoring.csv")
    app1 = bm[(bm.table_id == "cambridgeshire-2018-19-m04-app1")
              & bm.service_area.str.endswith("Learning Disability Services")]
    assert len(app1) == 6
    got = tuple(sum(num(v) for v in app1[c]) for c in ["budget_gbp_k", "actual_to_date_gbp_k", "variance_gbp_k"])
    ld = bm[(bm.table_id == "cambridgeshire-2018-19-m04-app2") & (bm.line == "Learning Disabilities")].iloc[0]
    printed = tuple(num(ld[c]) for c in ["budget_gbp_k", "actual_to_date_gbp_k", "variance_gbp_k"])
    assert got == (60099, 23313, 1987) and printed == (60098, 23314, 1986)


def test_key_activity_totals() -> None:
    ka = read("key_activity.csv")
    cols = ["budgeted_clients", "budget_gbp_k", "actual_clients", "forecast_outturn_gbp_k", "variance_gbp_k"]
    assert sum_mismatches(ka, cols, ["table_id", "period"]) == KA_SUMS
    assert variance_mismatches(ka) == KA_VARIANCES


def test_key_activity_live_in_care_explains_totals() -> None:
    """OPMH printed totals leave out the Live In Care row; OP's client count does so for actual clients only."""
    ka = read("key_activity.csv").set_index(["table_id", "line"])
    op, opmh = "cambridgeshire-2018-19-m04-2.5.5", "cambridgeshire-2018-19-m04-2.5.6"
    for tid, col, expect_excluded in [(opmh, "budgeted_clients", True), (opmh, "budget_gbp_k", True),
                                      (opmh, "actual_clients", True), (opmh, "forecast_outturn_gbp_k", True),
                                      (op, "actual_clients", True), (op, "budgeted_clients", False)]:
        g = ka.loc[tid]
        lines = g[g.parent_line == "Total Expenditure"]
        total = num(g.loc["Total Expenditure", col])
        without = sum(num(v) for k, v in lines[col].items() if num(v) is not None and k != "~ Live In Care arranged")
        assert (without == total) is expect_excluded, (tid, col)


def test_learning_disability_budget_is_clients_x_cost_x_52() -> None:
    ka = read("key_activity.csv")
    ld = ka[(ka.service_group == "Learning Disability") & (ka.unit_of_cost == "per week")]
    diffs = {r.line: num(r.budget_gbp_k) - num(r.budgeted_clients) * num(r.budgeted_unit_cost_gbp) * 52 / 1000
             for _, r in ld.iterrows()}
    assert abs(diffs["Residential"]) < 1 and abs(diffs["Nursing"]) < 1
    assert round(diffs["Community"], 1) == 15.2  # 1,285 x £651 x 52 = £43,499.8k, printed £43,515k


def test_ld_net_total() -> None:
    ka = read("key_activity.csv").set_index("line")
    ld = ka[ka.table_id == "cambridgeshire-2018-19-m04-2.5.3"]
    assert num(ld.loc["Net Total", "budget_gbp_k"]) == 65404 - 2827
    assert num(ld.loc["Net Total", "variance_gbp_k"]) == 5555 - 571 - 2420
    assert ld.loc["Net Total", "forecast_outturn_gbp_k"] == ""


def test_reserves_totals() -> None:
    rs = read("reserves.csv")
    cols = ["opening_balance_gbp_k", "movement_gbp_k", "balance_gbp_k", "year_end_2017_18_gbp_k"]
    assert sum_mismatches(rs, cols, ["table_id", "period"]) == set()
    for _, r in rs.iterrows():
        assert num(r.opening_balance_gbp_k) + num(r.movement_gbp_k) == num(r.balance_gbp_k), r.line


def test_grants_and_virements() -> None:
    assert sum_mismatches(read("grants.csv"), ["expected_amount_gbp_k"], ["table_id", "period"]) == GRANT_SUMS
    bc = read("budget_changes.csv")
    opening = num(bc[bc.row_order == "1"].previous_budget_gbp_k.iloc[0])
    closing = num(bc[bc.row_type == "total"].budget_gbp_k.iloc[0])
    assert (opening, closing) == (239124, 239944)
    assert opening + sum(num(v) for v in bc.change_gbp_k if num(v) is not None) == closing


def test_s75_activity_budgets_match_text() -> None:
    bm = read("budget_monitoring.csv")
    tot = bm[(bm.line == "Total") & (bm.period == "YE") & bm.table_id.str.contains("s75")]
    assert sum(num(v) for v in tot.budget_gbp_k) == 9639  # para 7.1: £9.639m
    assert sum(num(v) for v in tot.variance_gbp_k) == 355  # para 7.2 says an overspend of £354k


PACKAGE_CARE_TYPES = ["day_care", "direct_payments", "direct", "dom_care", "nursing", "residential",
                      "supported_accommodation", "other", "other_community", "respite"]  # block beds excluded


def _package_flow_mismatches(pn: pd.DataFrame) -> set[tuple]:
    """(care type, period, previous total + in + out, printed total) where a month-end total does not follow."""
    out = set()
    for _, g in pn.groupby("table_id", sort=False):
        prev = None
        for per, gm in g.groupby("period", sort=False):
            rows = {r.count_type: r for _, r in gm.iterrows()}
            for c in [*PACKAGE_CARE_TYPES, "nursing_block", "residential_block", "grand_total"]:
                if prev is None or "in" not in rows:
                    continue
                terms = [num(prev[c]), num(rows["in"][c]), num(rows["out"][c]), num(rows["total"][c])]
                if None in terms:  # OPMH April block-bed cells are blank in the print
                    continue
                calc = terms[0] + terms[1] + terms[2]
                if calc != num(rows["total"][c]):
                    out.add((c, per, calc, num(rows["total"][c])))
            prev = rows.get("total")
    return out


def test_package_numbers() -> None:
    pn = read("package_numbers.csv")
    for _, r in pn.iterrows():  # Grand Total = sum of the care types, block beds excluded (footnote)
        assert sum(num(r[c]) or 0 for c in PACKAGE_CARE_TYPES) == num(r.grand_total), r.line
    assert _package_flow_mismatches(pn) == PACKAGE_FLOWS
    amh = pn[pn.service_group == "Adult Mental Health"]
    first, last = amh.iloc[0], amh.iloc[-1]
    assert (first.line, last.line) == ("Sum of April Total", "Sum of Mar Total")
    assert num(last.grand_total) - num(first.grand_total) == -53  # para 7.7 says 'a net 52 packages'


def test_kpi_rag_counts() -> None:
    """Section 2.4 of the cover report: 2 red, 3 amber, 4 green among the 15 adults indicators."""
    k = read("kpis.csv")
    app7 = k[k.table_id == "cambridgeshire-2018-19-m04-app7"]
    counts = app7.rag_printed.value_counts().to_dict()
    assert counts == {"No target": 6, "On Target": 4, "Off Target": 2, "Within 10%": 2, "No change": 1}


if __name__ == "__main__":  # print the check results for the README
    bm, ka = read("budget_monitoring.csv"), read("key_activity.csv")
    for name, got in [("budget_monitoring sums", sum_mismatches(bm, ["budget_gbp_k", "forecast_outturn_gbp_k",
                       "variance_gbp_k", "previous_variance_gbp_k", "actual_to_date_gbp_k"], ["table_id", "period"])),
                      ("key_activity sums", sum_mismatches(ka, ["budgeted_clients", "budget_gbp_k", "actual_clients",
                       "forecast_outturn_gbp_k", "variance_gbp_k"], ["table_id", "period"])),
                      ("key_activity variance != outturn - budget", variance_mismatches(ka)),
                      ("grants sums", sum_mismatches(read("grants.csv"), ["expected_amount_gbp_k"], ["table_id", "period"])),
                      ("package flows", _package_flow_mismatches(read("package_numbers.csv")))]:
        print(f"{name}: {len(got)}")
        for x in sorted(got, key=str):
            print("   ", x)
    print("clients x unit cost x 52 / 1000 (per-week rows):")
    for _, r in ka[ka.unit_of_cost == "per week"].iterrows():
        calc = num(r.budgeted_clients) * num(r.budgeted_unit_cost_gbp) * 52 / 1000
        print(f"    {r.service_group} | {r.line} | {calc:.1f} | printed {r.budget_gbp_k} | diff {num(r.budget_gbp_k) - calc:.1f}")
