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

import numpy as np
import pandas as pd
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
    # the quick developer loop (make test-unit): the same properties on fewer drawn cases (tests/examples.py)
    settings.register_profile(
        "unit", max_examples=8, deadline=None, derandomize=True,
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


# ------------------------------------------------------------------------------------------------
# Synthetic files in the layouts of later official releases (issue 13): small fixtures made by the tests, in
# tmp_path, never committed and never presented as figures. Each builder returns the path it wrote.
# ------------------------------------------------------------------------------------------------

def _ascof_annual_csv(path: Path, year: str = "2023-24", *, reuse_2c: bool = False, zero_den: bool = False,
                      scale: float = 1.0) -> Path:
    """An ASCOF annual open-data CSV of ``year`` with the 2023-24 codes 2C, 2B, 2E and 3D2A for every council
    of the year, each region and England (Outcome, Numerator, Denominator rows; value = n / d x m).

    ``reuse_2c`` describes 2C as delayed transfers of care (its meaning up to 2022-23); ``zero_den`` gives one
    council's 2E a zero denominator; ``scale`` multiplies the numerators (a "revised" release)."""
    import csv as _csv

    from helpers.data import councils
    from helpers.data.national import ascof_measures

    reg = ascof_measures.measures(frameworks=["from 2023-24"]).set_index("measure_code")
    measures = {"2C": 100000.0, "2B": 100000.0, "2E": 100.0, "3D(2A)": 100.0}
    areas = [("E92000001", "England", "England")]
    areas += [(r, n, "Region") for r, n in councils.regions()[["region_code", "region_name"]].itertuples(index=False)
              if r != "E92000001"]
    areas += [(c, n, "Council") for c, n in councils.current(year)[["gss_code", "name"]].itertuples(index=False)]
    rows = []
    for k, (code, name, level) in enumerate(areas):
        for j, (m, mult) in enumerate(measures.items()):
            group = m.replace("(", "").replace(")", "")
            desc = reg.at[m, "measure_name"]
            if reuse_2c and m == "2C":
                desc = "Delayed transfers of care from hospital, per 100,000 population"
            den = 40000.0 + 137 * k if mult == 100000.0 else 800.0 + 11 * k
            num = round((37 + 5 * j + k % 17) * scale * (1 if mult == 100.0 else 10))
            if zero_den and m == "2E" and k == len(areas) - 1:
                den = 0.0
            value = "" if den == 0 else f"{num / den * mult:.1f}"
            value = "50.0" if den == 0 else value
            for mtype, val in (("Outcome", value), ("Numerator", f"{num:g}"), ("Denominator", f"{den:g}")):
                rows.append([code, name, level, code, group, "Total", mtype, val, group, desc])
    header = ["Geographical Code", "Geographical Description", "Geographical Level", "ONS Code",
              "ASCOF Measure Code", "Disaggregation Level", "Measure Type", "Measure Value", "Measure Group",
              "Measure Group Description"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = _csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _ro3_workbook(path: Path, year: str = "2025-26", *, zero_markers: bool = False) -> Path:
    """An RO3 'data by LA' workbook of ``year``: sheet ``RO3_LA_Data_<year>``, the adult social care lines of
    every council of the year and England, detail lines adding up to the total; one council's carers' lines
    are ``[x]`` (``zero_markers``: written as 0 instead)."""
    from helpers.data import councils
    from helpers.data.national import spend_ro3 as RO3

    measures = {"empl": "Employees", "run-exp": "Running Expenses", "tot-exp": "Total Expenditure",
                "sfc": "Sales, Fees and Charges", "oth-inc": "Other Income", "tot-inc": "Total Income",
                "net-cur-exp": "Net Current Expenditure"}
    lines = [ln for ln in RO3.RO3_LINES if ln not in ("svmem", "sup-anc-exp")]
    cols = [(ln, m) for ln in lines for m in measures]
    codes = [f"RO3-asc{ln}-{m}" for ln, m in cols]
    labels = [f"Line {ln} - {measures[m]}" for ln, m in cols]
    head = ["E-code", "ONS Code", "Local authority", "Region", "Class"]
    grid = [["RO3 synthetic test sheet"] + [""] * (len(head) + len(cols) - 1),
            [""] * len(head) + codes, head + labels]
    ref = councils.current(year)
    klass = {"E06": "UA", "E08": "MD", "E09": "LB", "E10": "SC"}
    areas = [("E92000001", "ENGLAND", "")] + [(c, n, klass[c[:3]]) for c, n in
                                              ref[["gss_code", "name"]].itertuples(index=False)]
    for k, (code, name, cls) in enumerate(areas):
        vals = {}
        for ln, m in cols:
            if ln == "tot":
                continue
            v = float(10 + (k * 7 + len(ln) * 3 + len(m)) % 50)
            vals[(ln, m)] = v
        for m in measures:
            vals[("tot", m)] = sum(v for (ln, mm), v in vals.items() if mm == m and RO3.RO3_LINES[ln][2] == "detail")
        cells = []
        for ln, m in cols:
            v = vals[(ln, m)]
            if k == 3 and ln == "sclcrr":
                cells.append(0 if zero_markers else "[x]")
            else:
                cells.append(v)
        grid.append([f"E{k:04d}", code, name, "", cls or "ENG", *cells])
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(grid).to_excel(path, sheet_name=f"RO3_LA_Data_{year}", header=False, index=False)
    return path


def _mye_workbook(path: Path, mid_year: int = 2024, factor: float = 1.0) -> Path:
    """An ONS MYE2 workbook for ``mid_year``: sheets persons / males / females, every council of the financial
    year starting in the mid-year, each region and England (the sum of the councils), ages 0..90."""
    from helpers.core import periods
    from helpers.data import councils

    fy = periods.fy(mid_year)
    ref = councils.current(fy)
    ages = list(range(91))
    header = ["Code", "Name", "Geography", "All ages", *ages]
    sheets = {}
    for sheet, share in (("MYE2 - Persons", 1.0), ("MYE2 - Males", 0.49), ("MYE2 - Females", 0.51)):
        body = []
        reg_tot: dict[str, np.ndarray] = {}
        eng = np.zeros(len(ages))
        for k, (code, name, region) in enumerate(ref[["gss_code", "name", "region_code"]].itertuples(index=False)):
            pop = np.round((np.arange(len(ages)) % 7 + 10 + k % 5) * 100 * factor * share)
            body.append([code, name, "Council", float(pop.sum()), *pop.tolist()])
            reg_tot[region] = reg_tot.get(region, 0) + pop
            eng += pop
        top = [["E92000001", "ENGLAND", "Country", float(eng.sum()), *eng.tolist()]]
        names = dict(councils.regions()[["region_code", "region_name"]].itertuples(index=False))
        for r, pop in sorted(reg_tot.items()):
            top.append([r, names.get(r, r), "Region", float(pop.sum()), *pop.tolist()])
        grid = [[f"Mid-{mid_year} population estimates (synthetic test workbook)"] + [""] * (len(header) - 1),
                [""] * len(header), header, *top, *body]
        sheets[sheet] = pd.DataFrame(grid)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, header=False, index=False)
    return path


def _activity_csv(path: Path, end_year: int = 2023) -> Path:
    """A file in the activity compilation's layout for file year ``end_year`` (financial year ending then):
    residential and nursing weeks (65+), external / in house / all, for every council of the year."""
    from helpers.core import periods
    from helpers.data import councils

    fy = periods.fy_from_end_year(end_year)
    rows = []
    for k, name in enumerate(councils.current(fy)["name"]):
        for setting in ("Residential", "Nursing"):
            ext, inh = 1000 + 13 * k, 200 + 7 * k
            for prov, v in (("External", ext), ("In House", inh), ("99", ext + inh)):
                rows.append({"percent_sector": f"{100 * ext / (ext + inh):.2f}" if prov == "99" else "",
                             "SupportSetting": setting, "DH_GEOGRAPHY_NAME": name, "ActivityProvision": prov,
                             "ITEMVALUE": str(v), "year": str(end_year)})
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def later_files():
    """Builders of synthetic files in later official layouts (see the functions above)."""
    from types import SimpleNamespace

    return SimpleNamespace(ascof_annual=_ascof_annual_csv, ro3=_ro3_workbook, mye=_mye_workbook,
                           activity=_activity_csv)
