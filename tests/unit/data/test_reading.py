"""Tests of helpers.data.reading on synthetic text and cells (edge cases): the truncation check and the block parse.
Their use on every national file is tested in ``tests/data/test_data_layer.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError
from helpers.data import reading as R


def _error(exc: pytest.ExceptionInfo, name: str, row: int | None = None, column: str | None = None) -> DataError:
    """The raised DataError names the file (by its name), and the row and column when given."""
    err = exc.value
    assert isinstance(err, DataError), err
    assert Path(str(err.file).split(" [sheet")[0]).name == name, str(err)
    if row is not None:
        assert err.row == row, str(err)
    if column is not None:
        assert err.column == column, str(err)
    return err


def test_truncation_check_names_row_and_column(tmp_path: Path) -> None:
    """Synthetic CSVs: a last record cut after 2 of 3 fields, or inside a quoted field, is an error naming its
    row and the column where it stops; a complete file with or without a final line break is not."""
    f = tmp_path / "t.csv"
    f.write_text("a,b,c\n1,2,3\n4,5")
    with pytest.raises(DataError) as e:
        R.check_not_truncated(f)
    _error(e, "t.csv", 3, "b")
    f.write_text('a,b,c\n1,"x, y",3\n4,"x,')
    with pytest.raises(DataError, match="inside a quoted field") as e:
        R.check_not_truncated(f)
    _error(e, "t.csv", 3, "b")
    for text in ("a,b,c\n1,2,3\n", "a,b,c\n1,2,3", 'a,b,c\n1,"2\n2",3\n'):
        f.write_text(text)
        R.check_not_truncated(f)


def test_parse_block_names_the_cell() -> None:
    """Synthetic block: a bad cell anywhere is reported at its own row and column; markers keep their reason."""
    block = pd.DataFrame({"x": ["1", "[c]", "3"], "y": ["4", "5", "six"]})
    values, status = R.parse_block(block.iloc[:2], file="f.csv", rows=[10, 11], columns=["X", "Y"])
    assert np.isnan(values[1, 0]) and status[1, 0] == "suppressed" and values[1, 1] == 5
    with pytest.raises(DataError) as e:
        R.parse_block(block, file="f.csv", rows=[10, 11, 12], columns=["X", "Y"])
    assert (e.value.row, e.value.column, e.value.value) == (12, "Y", "six")


@given(st.lists(st.lists(st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(["c", "[x]", ":", ""])),
                         min_size=3, max_size=3), min_size=1, max_size=8),
       st.integers(0, 23), st.text(alphabet="abq?!", min_size=1, max_size=4))
def test_parse_block_agrees_with_parse_numbers(cells: list[list[str]], where: int, junk: str) -> None:
    """Property (synthetic cells): the block parse equals a per-column parse_numbers, and a junk cell put
    anywhere is reported at its row and column."""
    from helpers.data.io import parse_numbers

    block = pd.DataFrame(cells, columns=["a", "b", "c"])
    rows = np.arange(len(block)) + 5
    values, status = R.parse_block(block, file="f", rows=rows, columns=["A", "B", "C"])
    for j, col in enumerate(block.columns):
        v, s = parse_numbers(block[col], file="f", column=col, rows=rows)
        np.testing.assert_array_equal(values[:, j], v.to_numpy())
        assert list(status[:, j]) == list(s)
    i, j = where % len(block), where % 3
    bad = block.copy()
    bad.iat[i, j] = junk
    with pytest.raises(DataError) as e:
        R.parse_block(bad, file="f", rows=rows, columns=["A", "B", "C"])
    assert (e.value.row, e.value.column) == (int(rows[i]), "ABC"[j])
