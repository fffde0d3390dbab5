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


def synthetic_panel(values, start: int = 2010, *, series: str = "op_residential_unit_cost", types=None,
                    join_year: str | None = None, population=None, regions=None):
    """A SYNTHETIC panel (made up in the test) of ``values[councils, years]`` starting in ``start``.

    ``series`` only sets the driving band (the default has none); ``population`` is a persons single-year-of-age
    frame (``gss_code, mid_year, age, population``) for the driver candidates; ``regions`` one region code per
    council (default: none).
    """
    import numpy as np

    from helpers.analysis.demand import panel as panel_mod
    from helpers.analysis.demand.populations import PopulationPaths

    v = np.asarray(values, dtype=float)
    codes = tuple(f"E06{i:06d}" for i in range(v.shape[0]))
    years = np.arange(start, start + v.shape[1])
    growth, cross = panel_mod.year_masks(years, join_year)
    kinds = np.array(types if types is not None else ["unitary"] * len(codes), dtype=object)
    paths = PopulationPaths(codes, sya=population) if population is not None else None
    regs = np.array(regions, dtype=object) if regions is not None else None
    return panel_mod.Panel(series, codes, codes, kinds, years, v, growth, cross, paths=paths, regions=regs)


@pytest.fixture
def make_panel():
    """:func:`synthetic_panel`, for tests."""
    return synthetic_panel
