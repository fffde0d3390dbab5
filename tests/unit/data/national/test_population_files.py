"""Tests of helpers.data.national.population_files (reading the MYE2 sheets) on small synthetic grids, only for
layouts and edge cases. The tests on the real files are in ``tests/data/test_population.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.errors import DataError, MissingDataError
from helpers.data.national import population_files as PF


def _grid(header_at: int = 2, ages_as: str = "int", last: object = 90, geography: bool = True,
          rows: list[list[object]] | None = None) -> pd.DataFrame:
    """A small MYE2-like sheet: title rows, a header at ``header_at`` and data rows (synthetic)."""
    ages = [a if ages_as == "int" else str(a) if ages_as == "str" else float(a) for a in range(90)] + [last]
    head = ["Code", "Name", *(["Geography"] if geography else []), "All ages", *ages]
    width = len(head)
    data = rows or [
        ["E92000001", "ENGLAND", *(["Country"] if geography else []), 91 * 3, *[3] * 91],
        ["E08000007", "Stockport", *(["Metropolitan District"] if geography else []), 91, *[1] * 91],
        ["E08000008", "Tameside", *(["Metropolitan District"] if geography else []), 182, *[2] * 91],
    ]
    top = [["MYE2: a title", *[None] * (width - 1)]] + [[None] * width] * (header_at - 1)
    return pd.DataFrame(top + [head] + data + [[None] * width, ["1. A footnote.", *[None] * (width - 1)]],
                        dtype=object)


def test_find_sheet_variants():
    assert PF.find_sheet(["Contents", "MYE2-All", "MYE2 - Males"], "persons", file="f") == "MYE2-All"
    assert PF.find_sheet(["Persons UK", "Males UK", "Females UK "], "female", file="f") == "Females UK "
    assert PF.find_sheet(["MYE2 - All", "MYE2 - M", "MYE2 - F"], "male", file="f") == "MYE2 - M"
    with pytest.raises(DataError, match="expected one MYE2 sheet of persons"):
        PF.find_sheet(["MYE1", "MYE3"], "persons", file="f")


def test_missing_file_is_missing_data_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path))
    with pytest.raises(MissingDataError, match="mye22final.xlsx"):
        PF.read_mye(2022)


def test_parse_all_ages_mismatch():
    """Published 'All ages' not equal to the sum of single years (a shifted column) fails (synthetic)."""
    g = _grid(2)
    g.iat[4, 3] = 92
    with pytest.raises(DataError, match=r"row 5, column 'All ages': 'All ages' differs"):
        PF.parse_mye_sheet(g, file="x.xls")


def test_parse_bad_code_and_duplicate_and_marker():
    """Bad code, duplicated code, a suppression marker and a text value each fail at their cell (synthetic)."""
    g = _grid(2)
    g.iat[4, 0] = "Stockport?"
    with pytest.raises(DataError, match=r"row 5, column 'Code': not a GSS code"):
        PF.parse_mye_sheet(g, file="x.xls")
    g = _grid(2)
    g.iat[5, 0] = "E08000007"
    with pytest.raises(DataError, match=r"row 6, column 'Code': the same area code appears twice"):
        PF.parse_mye_sheet(g, file="x.xls")
    g = _grid(2)
    g.iat[4, 4 + 17] = "[c]"
    with pytest.raises(DataError, match=r"row 5, column '17': population estimate not published \(suppressed\)"):
        PF.parse_mye_sheet(g, file="x.xls")
    g = _grid(2)
    g.iat[5, 4 + 90] = "lots"
    with pytest.raises(DataError, match=r"row 6, column '90': not a number"):
        PF.parse_mye_sheet(g, file="x.xls")


@pytest.mark.parametrize("header_at", [1, 3, 8])
@pytest.mark.parametrize("ages_as, last", [("int", 90), ("str", "90+"), ("float", 90.0), ("str", " 90 + ")])
@pytest.mark.parametrize("geography", [True, False])
def test_parse_layouts(header_at, ages_as, last, geography):
    """Header found by content whatever its row, label types and the Geography column (synthetic)."""
    out = PF.parse_mye_sheet(_grid(header_at, ages_as, last, geography), file="x.xls", sheet="s")
    assert out["gss_code"].tolist() == ["E92000001", "E08000007", "E08000008"]
    assert out["_row"].tolist() == [header_at + 2, header_at + 3, header_at + 4]
    assert out[90].tolist() == [3.0, 1.0, 2.0]
    assert out["all_ages"].tolist() == [273.0, 91.0, 182.0]
    assert (out["geography"].notna().all()) == geography


def test_parse_missing_age_column_names_it():
    """A header without age 45 fails naming file, sheet, header row and the age (synthetic)."""
    g = _grid(4)
    g.iat[4, 4 + 45] = "forty-five"
    with pytest.raises(DataError, match=r"x\.xls \[sheet 's'\], row 5, column '45': no column for age 45"):
        PF.parse_mye_sheet(g, file="x.xls", sheet="s")


def test_parse_no_header():
    g = _grid(2).iloc[3:]
    with pytest.raises(DataError, match="no header row"):
        PF.parse_mye_sheet(g.reset_index(drop=True), file="x.xls", sheet="s")


def test_parse_thousands_separators_accepted():
    """Numbers written as text, with spaces or thousands separators, parse (synthetic)."""
    rows = [["E92000001", "ENGLAND", "Country", "1,820", *[20] * 91],
            ["E08000007", "Stockport", "Metropolitan District", " 910 ", *["10"] * 91]]
    out = PF.parse_mye_sheet(_grid(2, rows=rows), file="x.xls")
    assert out["all_ages"].tolist() == [1820.0, 910.0]
    assert out[45].tolist() == [20.0, 10.0]
