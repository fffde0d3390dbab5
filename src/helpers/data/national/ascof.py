"""The ASCOF tables: outcome measures, the measure registry, and Oflog's adult social care measures.

The files are read by :mod:`helpers.data.national.ascof_files`, the registry by
:mod:`helpers.data.national.ascof_measures`. Tables registered here (schemas in :mod:`helpers.data.schemas`,
columns in ``docs/data_dictionary.md``):

``ascof``
    One row per published value of one ASCOF measure: ``(source_id, gss_code, year, measure_code,
    disaggregation)``. The measure value is in ``value``; the numerator, denominator, survey base and
    margin of error published with it are columns of the same row (each with its ``*_status``), so a
    notebook gets "value with numerator / denominator for council X, measure M, year Y" with one filter.
    Two sources: the 2017-18 to 2022-23 trend file (values only, ``ascof_trend``) and the 2020-21 open
    data (values with numerators, denominators, bases and margins of error, ``ascof_2020_21_open_data``).
    Where both give the same value (2020-21, Total) both rows are kept; ``primary`` marks the one to use
    (the open-data row, which carries the numerator and denominator).
``ascof_measures``
    The one measure registry (polarity, unit, interval method, comparison, survey flag, years), compiled by
    this project in the committed file ``data/raw/reference/ascof_measures.csv``.
``oflog_asc``
    Oflog's seven adult social care measures with Oflog's own median and distance from it in MADs.

Measure codes are normalised to the handbook's form (``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)``): see
:func:`helpers.data.national.ascof_measures.normalise_measure_code` and ``docs/methods.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.data import councils, sources
from helpers.data.national.ascof_crosswalk import BREAKS_FILE, CROSSWALK_FILE, series_breaks
from helpers.data.national.ascof_files import (
    SOURCE_OFLOG,
    check_councils_present,
    full_registry,
    load_oflog,
    load_open_data,
    load_trend,
    range_of,
    sort_rows,
)
from helpers.data.national.ascof_measures import ASCOF_FAMILIES, MEASURES_FILE, measures, registry_inputs
from helpers.data.reading import check_registered, registered_paths
from helpers.data.revisions import changes_between, check_no_zeroed_markers, empty_changes
from helpers.data.tables import TableSpec, register_table


def ascof_sources() -> list[sources.Source]:
    """The registered ASCOF files (trend files and annual files), in order of release."""
    return [s for s in sources.register().values() if s.family in ASCOF_FAMILIES]


def load_source(src: sources.Source, registry: pd.DataFrame | None = None, path: Path | None = None) -> pd.DataFrame:
    """Rows of the ``ascof`` table from one registered ASCOF file (by its family's loader)."""
    reg = full_registry() if registry is None else registry
    path = sources.path(src.id) if path is None else path
    if src.family == "ascof_trend":
        out = load_trend(path, reg, source_id=src.id)
    elif len(src.years) != 1:
        raise DataError(f"an annual ASCOF file covers one year; the register gives {list(src.years)}",
                        file=path, column="years")
    else:
        out = load_open_data(path, reg, year=src.years[0], source_id=src.id)
    check_councils_present(out, file=path)
    return out


def choose_primary(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mark one row per (area, year, measure, disaggregation) ``primary`` among the files' rows.

    Where files agree on a value (the trend file repeats the annual files' values), the row that publishes
    more (numerator, denominator, base, margin of error) is primary, then the annual file's (the publication
    the trend file compiles); where they differ, the later release is (register order) and the change is
    listed. Every row is kept: ``df[df.primary]`` has one per key.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The rows with ``primary`` set, and the changes (:func:`helpers.data.revisions.changes_between`).
    """
    key = ["gss_code", "year", "measure_id", "disaggregation"]
    df = pd.concat([f.assign(_rel=i) for i, f in enumerate(frames)], ignore_index=True)
    df["primary"] = True
    dup = df.duplicated(key, keep=False)
    if not dup.any():
        return df.drop(columns="_rel"), empty_changes()
    part = df[dup]
    fields = sum((part[f"{c}_status"] == "reported").astype(int) for c in ("numerator", "denominator", "base", "moe"))
    g = part.groupby(key, sort=False)
    agree = (g["value"].transform(lambda v: v.max() - v.min() <= 1e-9 or v.isna().all())
             & g["value_status"].transform("nunique").eq(1))
    annual = (~part["source_id"].isin([s.id for s in sources.family("ascof_trend")])).astype(int)
    score = np.where(agree, fields * 10_000 + annual * 1_000 + part["_rel"], part["_rel"])
    winner = part.assign(_s=score).sort_values("_s", kind="stable").drop_duplicates(key, keep="last")
    losers = part[~part.index.isin(winner.index)]
    df.loc[losers.index, "primary"] = False
    pairs = losers.merge(winner[[*key, "value", "value_status", "source_id"]], on=key, suffixes=("_old", "_new"))
    changes = changes_between(pairs, key, value="value", status="value_status")
    check_no_zeroed_markers(changes)
    return df.drop(columns="_rel"), changes


def build_ascof() -> pd.DataFrame:
    """Build the ``ascof`` table from every registered ASCOF file (:func:`ascof_sources`).

    Each file's codes are mapped to stable measure ids in the framework of its year; where two files give the
    same value, :func:`choose_primary` says which row to use (the committed files: the 2020-21 open-data row,
    which carries the numerator and denominator, over the trend file's same value).
    """
    reg = full_registry()
    srcs = ascof_sources()
    df, found = choose_primary([load_source(s, reg) for s in srcs])
    out = sort_rows(df)
    check_registered([s.id for s in srcs])
    out.attrs["changes"] = found
    return out


def build_breaks() -> pd.DataFrame:
    """Build the ``ascof_series_breaks`` table (:func:`helpers.data.national.ascof_crosswalk.series_breaks`)."""
    return series_breaks()


#: Oflog measures that are not an ASCOF measure, and their range: ASC6 requests resulting in a service per
#: 100,000 (0 and up), ASC7 workforce turnover (a percentage).
OFLOG_RANGES: dict[str, tuple[float, float]] = {"ASC6": (0.0, np.inf), "ASC7": (0.0, 100.0)}


def check_oflog_values(df: pd.DataFrame, *, file: Path) -> None:
    """Value-level checks of ``oflog_asc`` (issue 11): every council of each year present, and each value in
    its measure's range (the ASCOF measure's for ASC1-ASC5, :data:`OFLOG_RANGES` for the others)."""
    for year, part in df.groupby("year"):
        missing = sorted(set(councils.current(str(year))["gss_code"]) - set(part["gss_code"]))
        if missing:
            raise DataError(f"{len(missing)} council(s) missing from {year}, first {missing[0]} "
                            f"({councils.name_of(missing[0])})", file=file, column="Local authority code")
    reg = measures().drop_duplicates("measure_code").set_index("measure_code")
    lo = df["measure_code"].map({k: v[0] for k, v in OFLOG_RANGES.items()}).astype(float)
    hi = df["measure_code"].map({k: v[1] for k, v in OFLOG_RANGES.items()}).astype(float)
    unit, scale = df["ascof_code"].map(reg["unit"]), df["ascof_code"].map(reg["scale"])
    has = df["ascof_code"].notna()
    a, b = range_of(unit[has], scale[has])
    lo[has], hi[has] = a, b
    v = df["value"]
    out = (df["value_status"] == "reported") & ((v < lo.fillna(-np.inf)) | (v > hi.fillna(np.inf)))
    if out.any():
        first = df[out].iloc[0]
        raise DataError(f"{first['measure_code']} value outside the measure's range ({lo[out].iloc[0]:g} to "
                        f"{hi[out].iloc[0]:g})", file=file, column="Value", value=first["value"])


def build_oflog() -> pd.DataFrame:
    """Build the ``oflog_asc`` table from the registered file (:func:`load_oflog`, the value checks, then the
    register check)."""
    out = load_oflog()
    check_oflog_values(out, file=sources.path(SOURCE_OFLOG))
    check_registered([SOURCE_OFLOG])
    return out


# ----------------------------------------------------------------------------------------------------
# Table registrations
# ----------------------------------------------------------------------------------------------------

register_table(TableSpec(
    name="ascof_measures",
    build=measures,
    inputs=registry_inputs,
    kind="reference",
    description="ASCOF measure registry by framework: stable measure id, code, name, polarity, unit, interval "
                "method, comparison, survey flag, years",
))
register_table(TableSpec(
    name="ascof_series_breaks",
    build=build_breaks,
    inputs=lambda: [BREAKS_FILE, CROSSWALK_FILE],
    kind="reference",
    description="ASCOF series breaks: from which year a measure's values do not compare with earlier ones, and why",
))
register_table(TableSpec(
    name="ascof",
    build=build_ascof,
    inputs=lambda: [*registered_paths([s.id for s in ascof_sources()]), *registry_inputs(), CROSSWALK_FILE],
    depends=("councils",),
    kind="national",
    description="ASCOF measure values by stable measure id and framework (councils, regions, England), from the "
                "trend and annual files; numerators where the annual open data give them",
))
register_table(TableSpec(
    name="oflog_asc",
    build=build_oflog,
    inputs=lambda: [*registered_paths([SOURCE_OFLOG]), MEASURES_FILE],
    depends=("councils",),
    kind="national",
    description="Oflog adult social care measures ASC1-ASC7 with Oflog's median and MADs from it",
))
