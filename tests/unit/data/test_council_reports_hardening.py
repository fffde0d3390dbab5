"""Hostile and broken council files: a clear one-line error naming the file (row, column), never a traceback,
a skipped table or a wrong figure.

Every test writes small synthetic files to a temporary folder (their docstrings say what is wrong with them); the
fuzz tests drive the loader with hypothesis-generated cells and bytes.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from helpers.core.errors import AscError, DataError, ReconciliationWarning
from helpers.data import council_reports as cd
from helpers.data.council_reports import checks
from tests.examples import examples

STOCKPORT = "E08000007"
HEADER = list(cd.TEMPLATE_COMMON) + ["budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "variance_pct"] + \
    list(cd.TEMPLATE_TAIL)


def _rows() -> list[dict[str, str]]:
    base = {"gss_code": STOCKPORT, "council": "Stockport", "financial_year": "2017-18", "period": "Q3",
            "period_end": "2017-12-31", "table_id": "t-1", "source_document": "synthetic", "source_table": "t",
            "note": "", "variance_pct": ""}
    return [
        {**base, "row_order": "1", "line": "A", "parent_line": "Total", "row_type": "line",
         "budget_gbp_k": "27852", "forecast_outturn_gbp_k": "27874", "variance_gbp_k": "22"},
        {**base, "row_order": "2", "line": "B", "parent_line": "Total", "row_type": "line",
         "budget_gbp_k": "5448", "forecast_outturn_gbp_k": "5041", "variance_gbp_k": "-407"},
        {**base, "row_order": "3", "line": "C", "parent_line": "Total", "row_type": "line",
         "budget_gbp_k": "27851", "forecast_outturn_gbp_k": "28560", "variance_gbp_k": "709"},
        {**base, "row_order": "4", "line": "Total", "parent_line": "", "row_type": "total",
         "budget_gbp_k": "61151", "forecast_outturn_gbp_k": "61475", "variance_gbp_k": "324"},
    ]


def _write(tmp: Path, rows: list[dict[str, str]], name: str = "budget_monitoring.csv",
           header: list[str] = HEADER) -> Path:
    folder = tmp / "testcouncil"
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=header).to_csv(folder / name, index=False)
    return folder / name


def _error(call, *args) -> DataError:
    with pytest.raises(DataError) as exc:
        call(*args)
    assert "\n" not in str(exc.value), "one line"
    return exc.value


# ------------------------------------------------------------------------------------------------
# issue 11 item 4: an unknown file or sheet name is an error, never a skipped table
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Budget Monitoring.csv", "budget_monitorng.csv", "budget.csv", "Kpis.csv"])
def test_an_unknown_file_name_fails_the_build_path_too(tmp_path: Path, name: str) -> None:
    """Synthetic: a misnamed file. The table build reads one kind at a time (``load_kind``): before, it skipped
    the file and the report said the council had no budget figures."""
    path = _write(tmp_path, _rows(), name=name)
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert name in str(err) and "budget_monitoring" in str(err) and "kpis" in str(err), str(err)
    if name == "budget_monitorng.csv":
        assert "did you mean 'budget_monitoring'" in str(err)
    err = _error(cd.council_files, tmp_path)
    assert path.name in str(err)


def test_an_unknown_sheet_name_is_an_error(tmp_path: Path) -> None:
    """Synthetic: a workbook with a sheet 'Budget' (not a kind) besides a README sheet (ignored)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "README"
    ws2 = wb.create_sheet("Budget")
    ws2.append(HEADER)
    folder = tmp_path / "c"
    folder.mkdir()
    wb.save(folder / "council.xlsx")
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert "council.xlsx" in str(err) and "'Budget'" in str(err) and "budget_monitoring" in str(err)


def test_known_kinds_outside_the_template_and_own_kinds_load(tmp_path: Path) -> None:
    """Synthetic: 'grants.csv' (a kind the embedded data use) and 'other_staffing.csv' (a council's own)."""
    _write(tmp_path, _rows(), name="grants.csv")
    _write(tmp_path, _rows(), name="other_staffing.csv")
    assert set(cd.load_council_folder(tmp_path / "testcouncil", warn=False)) == {"grants", "other_staffing"}


# ------------------------------------------------------------------------------------------------
# issue 11 item 8: header-only files and bytes that do not decode
# ------------------------------------------------------------------------------------------------


def test_a_header_only_csv_is_a_one_line_error(tmp_path: Path) -> None:
    """Synthetic: the header and no rows (before: TypeError from pandas)."""
    path = _write(tmp_path, [])
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert err.row == 2 and "budget_monitoring.csv" in str(err) and "no data rows" in str(err)
    assert path.exists()


def test_a_byte_that_does_not_decode_names_the_line_and_offset(tmp_path: Path) -> None:
    """Synthetic: byte 0x9d in the third data row (before: UnicodeDecodeError traceback, or cp1252 guessed)."""
    path = _write(tmp_path, _rows())
    data = path.read_bytes().split(b"\n")
    data[3] = data[3].replace(b",C,", b",C\x9d,")
    path.write_bytes(b"\n".join(data))
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert err.row == 4 and "0x9d" in str(err) and "byte offset" in str(err) and "budget_monitoring.csv" in str(err)


# ------------------------------------------------------------------------------------------------
# issue 11 item 6: units
# ------------------------------------------------------------------------------------------------


def test_a_whole_table_in_pounds_is_refused(tmp_path: Path) -> None:
    """Synthetic: every figure in pounds (27,852,000 for £27.852m): the lines still add up, so only the range
    of the column can tell (more than £5bn in £ thousands)."""
    rows = _rows()
    for r in rows:
        for c in ("budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k"):
            r[c] = str(int(r[c]) * 1000)
    _write(tmp_path, rows)
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert err.column == "budget_gbp_k" and err.row == 2 and "pounds" in str(err)


def test_one_line_in_pounds_is_named(tmp_path: Path) -> None:
    """Synthetic: line B's budget typed as 5,448,000 (pounds) among £ thousands: the lines add up to the printed
    total only with it divided by 1,000; the error names that row, not the total."""
    rows = _rows()
    rows[1]["budget_gbp_k"] = "5448000"
    _write(tmp_path, rows)
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert (err.row, err.column) == (3, "budget_gbp_k") and "pounds" in str(err)


def test_a_line_in_millions_is_named(tmp_path: Path) -> None:
    """Synthetic: line C's outturn typed as 28.56 (£ millions)."""
    rows = _rows()
    rows[2]["forecast_outturn_gbp_k"] = "28.56"
    _write(tmp_path, rows)
    err = _error(cd.load_kind, "budget_monitoring", tmp_path)
    assert (err.row, err.column) == (4, "forecast_outturn_gbp_k") and "millions" in str(err)


def test_a_per_cent_formatted_excel_cell_is_read_as_per_cents(tmp_path: Path) -> None:
    """Synthetic: a workbook whose variance_pct cell is formatted 0.00% and holds 0.0547 (shown 5.47%): read as
    5.47 (before: 0.0547, 1/100 of the per cent)."""
    rows = _rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "budget_monitoring"
    ws.append(HEADER)
    for r in rows:
        ws.append([float(r[c]) if c.endswith("_gbp_k") or c == "row_order" else r[c] for c in HEADER])
    j = HEADER.index("variance_pct") + 1
    ws.cell(row=4, column=j, value=709 / 27851).number_format = "0.00%"
    folder = tmp_path / "c"
    folder.mkdir()
    wb.save(folder / "council.xlsx")
    df = cd.load_kind("budget_monitoring", tmp_path, warn=False)
    assert df.loc[df["line"] == "C", "variance_pct"].iloc[0] == pytest.approx(100 * 709 / 27851)
    assert df.loc[df["line"] == "A", "variance_pct"].isna().all()


def test_the_warning_names_the_new_row_not_a_documented_one(tmp_path: Path) -> None:
    """Synthetic: the total's budget is a documented discrepancy (its known_discrepancy cell names the column);
    a new slip on line B's variance (printed -400, outturn - budget = -407) is the one the warning names."""
    header = [*HEADER[:-3], "known_discrepancy", *HEADER[-3:]]
    rows = _rows()
    rows[3]["budget_gbp_k"] = "61160"
    rows[3]["variance_gbp_k"] = "315"
    rows[3]["known_discrepancy"] = "budget_gbp_k, variance_gbp_k: README discrepancy 1"
    rows[1]["variance_gbp_k"] = "-400"
    _write(tmp_path, rows, header=header)
    with pytest.warns(ReconciliationWarning) as rec:
        df = cd.load_kind("budget_monitoring", tmp_path)
    msg = str(rec[0].message)
    assert msg.startswith("1 printed figure(s)") and "row 3 column 'variance_gbp_k'" in msg, msg
    assert "besides 2 documented" in msg
    disc = cd.reconcile(df, "budget_monitoring")
    assert disc["documented"].tolist() == [False, True, True]
    rows[1]["variance_gbp_k"] = "-407"
    _write(tmp_path, rows, header=header)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cd.load_kind("budget_monitoring", tmp_path)  # only documented discrepancies: no warning


def test_documented_reads_the_columns_before_the_colon() -> None:
    r = pd.Series({"known_discrepancy": "budget_gbp_k, actual_to_date_gbp_k: README 1 (variance_gbp_k fine)"})
    assert checks.documented(r, "budget_gbp_k") and checks.documented(r, "actual_to_date_gbp_k")
    assert not checks.documented(r, "variance_gbp_k")
    assert not checks.documented(pd.Series({"known_discrepancy": None}), "budget_gbp_k")


def test_the_embedded_discrepancies_are_all_documented() -> None:
    """Real data: every figure of the three councils that does not reconcile is one the README lists."""
    disc = cd.reconcile_all()
    assert len(disc) == 25 and disc["documented"].all(), disc[~disc["documented"]]


# ------------------------------------------------------------------------------------------------
# fuzz: hostile cells and broken bytes
# ------------------------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["<script>alert(1)</script>", "=1+1", "+SUM(A1)", "-2-3", "@x", "(407)", "1,234", "£1.2m",
                     "1e309", "nan", "inf", "-", "N/A", "[c]", "x", "..", ":", "*", "0x10", "1_000", " 12 ", "\t=1",
                     "１２３", "\u202e123", "1.5.6", "((1))", "", "  "]),
)
COLUMNS = ["budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "variance_pct", "line", "parent_line",
           "row_type", "period", "financial_year", "period_end", "row_order", "gss_code", "source_table", "note"]


def _csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(COLUMNS), HOSTILE), min_size=1, max_size=4))
def test_fuzz_hostile_cells_give_a_data_error_or_a_faithful_table(tmp_path: Path, cells) -> None:
    """Hypothesis: up to four cells replaced by hostile text. The loader either raises one DataError naming the
    file (never another exception) or returns the rows, text kept as typed (stripped) and numbers parsed."""
    rows = _rows()
    for i, col, value in cells:
        rows[i][col] = value
    folder = tmp_path / "fz"
    folder.mkdir(exist_ok=True)
    (folder / "budget_monitoring.csv").write_bytes(_csv(rows))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReconciliationWarning)
            df = cd.load_kind("budget_monitoring", tmp_path)
    except DataError as exc:
        assert "budget_monitoring.csv" in str(exc) and "\n" not in str(exc)
        return
    for i, col in {(i, col) for i, col, _ in cells}:
        value = rows[i][col]
        if col in ("line", "source_table", "note") and value.strip():
            got = df.loc[df["source_row"] == i + 2, col]
            if len(got):
                assert got.iloc[0] == value.strip()


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=8), where=st.integers(0, 2000))
def test_fuzz_broken_bytes_never_give_a_traceback(tmp_path: Path, cut: int, junk: bytes, where: int) -> None:
    """Hypothesis: the file cut short and random bytes inserted. Only the project's one-line errors come out."""
    data = _csv(_rows())
    data = data[:cut] if cut < len(data) else data
    where = min(where, len(data))
    data = data[:where] + junk + data[where:]
    folder = tmp_path / "fb"
    folder.mkdir(exist_ok=True)
    (folder / "budget_monitoring.csv").write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReconciliationWarning)
            cd.load_kind("budget_monitoring", tmp_path)
    except AscError as exc:
        assert "\n" not in str(exc)
