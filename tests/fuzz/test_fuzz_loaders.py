"""Fuzz suite (issue 11): every national loader family with hostile and broken copies of the real files.

A case passes when the build fails with one line naming the file and leaves the previous table as it was, or
when the damage is accepted by a documented rule (``cases.ACCEPTED``, docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import cases as C
from tests.fuzz import workbooks as W

pytestmark = pytest.mark.national


@pytest.mark.parametrize("case", C.cases(), ids=lambda c: c.id)
def test_broken_input_is_a_clear_error(case: C.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome, detail = C.run(case, tmp_path, monkeypatch)
    assert outcome in ("clear error", "accepted", "not applicable"), f"{outcome}: {detail}"


@pytest.mark.parametrize("case", C.council_cases(), ids=lambda c: c.id)
def test_broken_council_file_is_a_clear_error(case: C.Case, tmp_path: Path) -> None:
    outcome, detail = C.run_council(case, tmp_path)
    assert outcome in ("clear error", "accepted"), f"{outcome}: {detail}"


@pytest.mark.parametrize("case", W.workbook_cases(), ids=lambda c: c.id)
def test_broken_council_workbook_is_a_clear_error_or_read_right(case: C.Case, tmp_path: Path) -> None:
    """Council workbooks, .xlsx and .ods: a fault is one line naming the file, sheet, row and column; a per-cent
    cell is read as shown and a zero budget gives no per cent with a note (before: .ods skipped, error values and
    unsaved formulas read as empty cells, ``inf`` read as a number)."""
    outcome, detail = W.run_workbook(case, tmp_path)
    want = "accepted" if case.mutation in W.ACCEPTED_WORKBOOK else "clear error"
    assert outcome == want, f"{outcome}: {detail}"


@pytest.mark.parametrize("case", W.national_cases(), ids=lambda c: c.id)
def test_unregistered_national_file_is_named_by_build_and_status(case: C.Case, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An unregistered file in the national folder: `asc data build` and `asc data status` name it, say what it
    looks like and give the `asc data add` command (before: the build said nothing)."""
    outcome, detail = W.run_national(case, tmp_path, monkeypatch)
    assert outcome == "clear error", f"{outcome}: {detail}"
