"""Tests of helpers.data.io (number parsing with suppression markers, atomic writes) and helpers.core.errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError, MissingDataError
from helpers.data import io
from helpers.data.io import read_csv_raw, require_columns


def test_markers_stay_missing_with_their_reason() -> None:
    raw = pd.Series(["12", "c", "[x]", ":", "..", "*", "", None, "1,234.5", " 7 ", "[z]"])
    values, status = io.parse_numbers(raw, file="f.csv", column="Value")
    assert values.iloc[0] == 12 and values.iloc[8] == 1234.5 and values.iloc[9] == 7
    assert values.iloc[1:8].isna().all() and np.isnan(values.iloc[10])
    assert list(status) == ["reported", "suppressed", "not_available", "not_available", "not_available",
                            "suppressed", "missing", "missing", "reported", "reported", "not_applicable"]
    assert not (values.fillna(-1) == 0).any()  # never turned into 0


def test_bad_value_names_file_row_and_column() -> None:
    raw = pd.Series(["1", "2", "three"])
    with pytest.raises(DataError) as err:
        io.parse_numbers(raw, file="data.csv", column="ITEMVALUE", rows=[10, 11, 12])
    assert str(err.value) == "data.csv, row 12, column 'ITEMVALUE': not a number or a known suppression marker " \
                             "(found 'three')"


def test_extra_markers_per_file() -> None:
    values, status = io.parse_numbers(pd.Series(["-", "5"]), file="f", column="c",
                                      extra_markers={"-": "not_applicable"})
    assert np.isnan(values.iloc[0]) and status.tolist() == ["not_applicable", "reported"]


@given(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32),
                          st.sampled_from(sorted(io.MARKER_STATUS))), min_size=1, max_size=30))
def test_parse_roundtrip_property(cells: list) -> None:
    """Numbers come back as themselves; markers come back missing with their status (synthetic cells)."""
    raw = pd.Series([c if isinstance(c, str) else repr(float(c)) for c in cells], dtype=object)
    values, status = io.parse_numbers(raw, file="f", column="c")
    for cell, v, s in zip(cells, values, status, strict=True):
        if isinstance(cell, str):
            assert np.isnan(v) and s == io.MARKER_STATUS[cell]
        else:
            assert v == pytest.approx(float(cell)) and s == "reported"


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    io.atomic_write_parquet(pd.DataFrame({"a": [1]}), target)

    class Boom(pd.DataFrame):
        def to_parquet(self, *a, **k):  # noqa: ANN002, ANN003
            Path(a[0]).write_bytes(b"partial")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        io.atomic_write_parquet(Boom({"a": [2]}), target)
    assert pd.read_parquet(target)["a"].tolist() == [1]  # previous version kept
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]  # no temporary left behind


def test_missing_file_message_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match="set ASC_NATIONAL_DIR"):
        io.read_sheet(tmp_path / "nope.xlsx")


def test_unreadable_spreadsheet_is_a_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(DataError, match="bad.xlsx: cannot read as a spreadsheet"):
        io.read_sheet(bad)


def test_sha256_known_value(tmp_path: Path) -> None:
    f = tmp_path / "x"
    f.write_bytes(b"abc")
    assert io.sha256_file(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# ------------------------------------------------------------------------------------------------
# hardening (issue 11 item 8 and the smaller ones): one line naming the file, never a traceback
# ------------------------------------------------------------------------------------------------


def test_a_byte_that_decodes_in_no_encoding_is_named_with_offset_and_line(tmp_path: Path) -> None:
    """0x9d is neither UTF-8 nor Windows-1252: one DataError naming the file, the byte, its offset and line
    (before: UnicodeDecodeError traceback from the cp1252 fallback)."""
    p = tmp_path / "bad.csv"
    p.write_bytes(b"a,b\n1,2\n3,x\x9dy\n")
    with pytest.raises(DataError) as e:
        read_csv_raw(p)
    msg = str(e.value)
    assert "bad.csv" in msg and "byte 0x9d at offset 11 (line 3) is not UTF-8 or Windows-1252" in msg and e.value.row == 3
    assert "\n" not in msg


def test_windows_1252_csv_still_reads(tmp_path: Path) -> None:
    p = tmp_path / "old.csv"
    p.write_bytes("name\nquality of life \u2013 impact\n".encode("cp1252"))
    assert read_csv_raw(p)["name"].tolist() == ["quality of life \u2013 impact"]


@pytest.mark.parametrize("head", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_a_workbook_saved_under_a_csv_name_is_a_short_error(tmp_path: Path, head: bytes) -> None:
    """An .xlsx (zip) or .xls under a .csv name: a short message saying so (before: kilobytes of binary)."""
    p = tmp_path / "ascof.csv"
    p.write_bytes(head + bytes(range(256)) * 12)
    with pytest.raises(DataError, match="not a text file: it is an .xls") as e:
        read_csv_raw(p)
    assert len(str(e.value)) < 300


def test_missing_column_message_is_cut_short(tmp_path: Path) -> None:
    df = pd.DataFrame(columns=["x" * 3000, "y"])
    with pytest.raises(DataError) as e:
        require_columns(df, ["Year"], file=tmp_path / "f.csv")
    assert len(str(e.value)) < 400


def test_atomic_writes_get_normal_permissions(tmp_path: Path) -> None:
    """mkstemp creates 0600 files: every atomic write ends with the permissions of a normal new file."""
    import os

    from helpers.data.io import atomic_write_bytes, atomic_write_parquet, atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"x")
        atomic_write_text(tmp_path / "b.txt", "x")
        atomic_write_parquet(pd.DataFrame({"a": [1]}), tmp_path / "c.parquet")
    finally:
        os.umask(old)
    for name in ("a.bin", "b.txt", "c.parquet"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name
