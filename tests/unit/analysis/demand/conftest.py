"""Fixtures of the demand tests: a SYNTHETIC all-council series frame in place of the real one."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from helpers.analysis.demand import series


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Synthetic series frame rows: (gss_code, year, value, status, collection)."""
    df = pd.DataFrame(rows, columns=["gss_code", "year", "value", "status", "collection"])
    df.insert(0, "series", "op_residential_placements")
    df["source_id"], df["basis"] = "synthetic", "synthetic"
    df["value"] = df["value"].where(df["status"] == "reported")
    return df


@pytest.fixture
def synthetic_frame() -> Callable[[list[tuple]], pd.DataFrame]:
    """Make a synthetic series frame from rows ``(gss_code, year, value, status, collection)``."""
    return _frame


@pytest.fixture
def fake_frame(monkeypatch):
    """Replace the all-council frame with a synthetic one (no national data needed)."""
    holder = {}
    monkeypatch.setattr(series, "series_frame", lambda series: holder["df"])
    return holder
