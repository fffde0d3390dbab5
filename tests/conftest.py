"""Shared pytest configuration.

Tests marked ``national`` need the national data files (``ASC_NATIONAL_DIR``); they are skipped with a
stated reason when the folder holds none. ``make test`` / ``.ci/run`` set ``ASC_NATIONAL_DIR`` to
``../shared/data`` when that folder exists.
"""

from __future__ import annotations

import os

import pytest

from helpers.core import paths
from helpers.data import sources

HAS_NATIONAL = sources.national_available()
NATIONAL_REASON = (
    f"no national data files in {paths.national_dir()}: set ASC_NATIONAL_DIR to the folder of national "
    "files (CI: ../shared/data) or run `asc data fetch`"
)

# Hypothesis: deterministic and bounded in CI.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci", max_examples=60, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover
    pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAS_NATIONAL:
        return
    skip = pytest.mark.skip(reason=NATIONAL_REASON)
    for item in items:
        if "national" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def built_tables() -> dict[str, str]:
    """Build (incrementally) every processed table once per session; return ``{table: status}``.

    Fails the requesting test if any table failed to build.
    """
    from helpers.data import tables

    results = tables.build()
    failed = [f"{r.name}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        pytest.fail("table build failed: " + "; ".join(failed))
    return {r.name: r.status for r in results}
