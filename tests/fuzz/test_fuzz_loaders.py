"""Fuzz suite (issue 11): every national loader family with hostile and broken copies of the real files.

A case passes when the build fails with one line naming the file and leaves the previous table as it was, or
when the damage is accepted by a documented rule (``cases.ACCEPTED``, docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import cases as C

pytestmark = pytest.mark.national


@pytest.mark.parametrize("case", C.cases(), ids=lambda c: c.id)
def test_broken_input_is_a_clear_error(case: C.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome, detail = C.run(case, tmp_path, monkeypatch)
    assert outcome in ("clear error", "accepted", "not applicable"), f"{outcome}: {detail}"


@pytest.mark.parametrize("case", C.council_cases(), ids=lambda c: c.id)
def test_broken_council_file_is_a_clear_error(case: C.Case, tmp_path: Path) -> None:
    outcome, detail = C.run_council(case, tmp_path)
    assert outcome in ("clear error", "accepted"), f"{outcome}: {detail}"
