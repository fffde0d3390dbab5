"""Fixtures shared by the unit tests: the committed council tables (data/raw/councils), read once per session.

Every test gets its own copy, so a test that changes its frame cannot change another's.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from helpers.data import council_reports as council_data


@pytest.fixture(scope="session")
def council_tables() -> dict[str, pd.DataFrame]:
    """Every kind's validated table from every council folder (``load_council_folder``), read once per session.

    Shared: take a copy before changing one (``council_kind`` does).
    """
    return council_data.load_council_folder(warn=False)


@pytest.fixture(scope="session")
def council_kind(council_tables: dict[str, pd.DataFrame]) -> Callable[[str], pd.DataFrame]:
    """Return ``get(kind)``: a copy of the validated table of one kind from every council folder (the same
    table as ``load_kind(kind)``; a kind no folder has is its empty table)."""

    def get(kind: str) -> pd.DataFrame:
        if kind in council_tables:
            return council_tables[kind].copy()
        return council_data.load_kind(kind, warn=False)

    return get
