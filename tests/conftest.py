"""Shared pytest configuration.

Tests marked ``national`` need the national data files (``ASC_NATIONAL_DIR``); they are skipped with a
stated reason when the folder holds none. ``make test`` / ``.ci/run`` set ``ASC_NATIONAL_DIR`` to
``../shared/data`` when that folder exists.

The unit tests need no national data (:data:`NATIONAL_FREE`, checked on every run, with or without the
national files, whatever runs pytest): a test there that is marked ``national`` or asks for the
``built_tables`` fixture fails, saying to move it to ``tests/data/``; and every test there runs with an
empty national folder and without the processed tables built from national files (loading one raises
:class:`~helpers.core.errors.MissingDataError`), so a test that reads them unmarked fails too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers.core import paths
from helpers.data import sources, tables

HAS_NATIONAL = sources.national_available()
NATIONAL_REASON = (
    f"no national data files in {paths.national_dir()}: set ASC_NATIONAL_DIR to the folder of national "
    "files (CI: ../shared/data) or run `asc data fetch`"
)
#: Test folders (relative to the repository) whose tests must need no national data.
NATIONAL_FREE: tuple[str, ...] = ("tests/unit/data",)
NEEDS_NATIONAL = "a unit test needs no national data: move this test to tests/data/ (keep its `national` marker)"

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


def _national_free(item: pytest.Item) -> bool:
    where = Path(str(item.fspath)).resolve()
    return any(where.is_relative_to(paths.ROOT / folder) for folder in NATIONAL_FREE)


def _marked_national(item: pytest.Item) -> bool:
    # the marker, not ``"national" in item.keywords``: keywords hold folder names too (tests/unit/data/national)
    return item.get_closest_marker("national") is not None


def _needs_national(item: pytest.Item) -> bool:
    return _marked_national(item) or "built_tables" in getattr(item, "fixturenames", ())


_MISPLACED: set[str] = set()  # node ids of tests in NATIONAL_FREE that need national data


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=NATIONAL_REASON)
    for item in items:
        if _national_free(item) and _needs_national(item):
            _MISPLACED.add(item.nodeid)  # fails in pytest_runtest_setup, with or without national data
        elif not HAS_NATIONAL and _marked_national(item):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.nodeid in _MISPLACED:
        pytest.fail(NEEDS_NATIONAL, pytrace=False)


@pytest.fixture(autouse=True)
def _no_national_data_in_unit_tests(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """In :data:`NATIONAL_FREE`: an empty national folder, and the processed national tables out of reach."""
    if not _national_free(request.node):
        return
    empty = tmp_path_factory.mktemp("no_national_data")
    monkeypatch.setenv(paths.NATIONAL_ENV, str(empty))
    national = {name for name, spec in tables.discover().items() if spec.kind == "national"}
    real = tables.processed_path

    def processed_path(name: str) -> Path:
        return empty / "processed" / f"{name}.parquet" if name in national else real(name)

    monkeypatch.setattr(tables, "processed_path", processed_path)
    monkeypatch.setattr(paths, "processed_path", processed_path)


@pytest.fixture(scope="session")
def built_tables() -> dict[str, str]:
    """Build (incrementally) every processed table once per session; return ``{table: status}``.

    Fails the requesting test if any table failed to build.
    """
    results = tables.build()
    failed = [f"{r.name}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        pytest.fail("table build failed: " + "; ".join(failed))
    return {r.name: r.status for r in results}


_DICT_SECTION = re.compile(r"^## (.+?)(?: \(|$)", re.MULTILINE)
_DICT_BLOCK = re.compile(r"^\*\*([a-z_]+)\*\* --", re.MULTILINE)


@pytest.fixture(scope="session")
def data_dictionary() -> dict[str, str]:
    """Table name -> its part of docs/data_dictionary.md: the ``**table** --`` block where a section documents
    several tables, else the whole ``## table (module)`` section."""
    text = (paths.DOCS / "data_dictionary.md").read_text(encoding="utf-8")
    heads = list(_DICT_SECTION.finditer(text))
    out = {}
    for k, m in enumerate(heads):
        body = text[m.end(): heads[k + 1].start() if k + 1 < len(heads) else len(text)]
        blocks = list(_DICT_BLOCK.finditer(body))
        for name in re.split(r",\s*", m.group(1)):
            out[name.strip()] = body
        for n, b in enumerate(blocks):
            out[b.group(1)] = body[b.start(): blocks[n + 1].start() if n + 1 < len(blocks) else len(body)]
    return out
