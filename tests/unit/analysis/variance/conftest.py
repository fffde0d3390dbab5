"""Fixtures of the forecast variance tests: the council tables as the loader reads them (data/raw/councils)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import council_reports as council_data


@pytest.fixture(scope="module")
def budget() -> pd.DataFrame:
    return council_data.load_kind("budget_monitoring", warn=False)


@pytest.fixture(scope="module")
def key_activity() -> pd.DataFrame:
    return council_data.load_kind("key_activity", warn=False)


@pytest.fixture(scope="module")
def savings() -> pd.DataFrame:
    return council_data.load_kind("savings", warn=False)
