"""Adult social care expenditure by council and service line (RO3, ASC-FR) and GDP deflators.

Two processed tables:

``spend``
    One row per council (or England / region where the file publishes one), financial year, collection,
    service line as published, age band and measure, in £ thousands:

    * **RO3** revenue outturn (MHCLG), 2022-23, 2023-24, 2024-25: every council with adult social services
      responsibility (classes UA, MD, LB, SC) and England; measures C1..C7 (employees, running expenses,
      total expenditure, sales/fees/charges, other income, total income, net current expenditure);
    * **ASC-FR** 2014-15, the council-level expenditure file of HSCIC's "Personal Social Services:
      Expenditure and Unit Costs 2014-15" (``pss-exp-eng-14-15-fin-coun-lev-exp-data.csv``: wide, one
      column per council keyed by CASSR code). The publication says 2014-15 is the first year of the Adult
      Social Care Finance Return, which replaced PSS-EX1, so its ``collection`` is ``ASC-FR`` (see
      ``docs/decisions.md``); measures total expenditure, total income, net/gross total and net/gross
      current expenditure; no England column;
    * **ASC-FR** 2016-17 Totals (NHS Digital, key-coded): the same six measures; the keys are decoded with
      the committed lookup ``data/raw/reference/ascfr_2016_17_keys.csv`` (evidence per key; see
      ``docs/methods.md``). Only mandatory rows (``DataType_KEY`` 1, ages 18-64 and 65+) are loaded; the
      voluntary 65-74 / 75-84 / 85+ split is left out.

    The 2015-16 expenditure file and the 2013-14 expenditure tables are not in the national folder, so
    those years are absent. The collections are NOT one series: the ``collection`` column says which
    one a row comes from and ``docs/caveats.md`` says what does not compare.

    ``service_group`` is a harmonised grouping (see :data:`helpers.data.national.spend_lines.SERVICE_GROUPS`)
    and ``line_type`` says how a row adds up: ``detail`` rows of a council-year-collection-measure sum to its
    ``total`` row (checked by the tests); ``subtotal`` rows are published sums of detail rows (by age, support
    reason or setting); ``memorandum`` rows are "of which" or memo items outside the sum.

``deflators``
    HM Treasury GDP deflator at market prices by financial year (2022-23 = 100 as published), with the
    forecast years' index chained from the published percentage changes; :func:`to_real_terms`
    re-expresses money in the prices of a base year.

The files are read by :mod:`~helpers.data.national.spend_ro3` and :mod:`~helpers.data.national.spend_ascfr`;
this module builds and checks the tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError
from helpers.data import sources, tables
from helpers.data.io import parse_numbers
from helpers.data.national.spend_ascfr import (
    ASCFR_1415_SOURCE,
    ASCFR_KEYS_CSV,
    ASCFR_SOURCE,
    ASCFR_YEAR,
    ascfr_2016_17_areas,
    check_areas,
    load_ascfr_2014_15,
    load_ascfr_2016_17,
)
from helpers.data.national.spend_ro3 import RO3_FAMILY, load_ro3
from helpers.data.reading import check_registered, raise_first, read_csv, registered_paths
from helpers.data.revisions import later_release_wins
from helpers.data.schemas import DEFLATORS_SCHEMA, SPEND_SCHEMA, unique_key, validate
from helpers.data.tables import TableSpec, register_table

DEFLATOR_SOURCE = "gdp_deflators_2023_12"

# ---------------------------------------------------------------------------------------------------
# the spend table
# ---------------------------------------------------------------------------------------------------

SPEND_COLUMNS = ["gss_code", "year", "source_id", "collection", "service_line", "service_group", "line_type",
                 "age_band", "measure", "value_gbp_k", "value_status"]
SPEND_KEY = ["gss_code", "year", "collection", "service_line", "age_band", "measure"]
#: Register ids of the files (other than RO3) the ``spend`` table is built from.
SPEND_SOURCE_IDS = (ASCFR_1415_SOURCE, ASCFR_SOURCE)


def spend_source_ids() -> list[str]:
    """Register ids of every file the ``spend`` table is built from: ASC-FR and every registered RO3 file."""
    return [*SPEND_SOURCE_IDS, *(s.id for s in sources.family(RO3_FAMILY))]


def build_spend() -> pd.DataFrame:
    """Build the ``spend`` table from RO3 (2022-23..2024-25) and ASC-FR 2014-15 and 2016-17.

    Returns
    -------
    pandas.DataFrame
        Validated against :data:`helpers.data.schemas.SPEND_SCHEMA`, sorted by year, collection, council,
        service line, age band and measure.
    """
    ascfr = load_ascfr_2016_17()
    check_areas(ascfr, ascfr_2016_17_areas(), what=f"ASC-FR {ASCFR_YEAR} (all but the Isles of Scilly)")
    ro3 = [load_ro3(s.years[0], s.id) for s in sources.family(RO3_FAMILY)]
    ro3_rows, found = later_release_wins(ro3, SPEND_KEY, value="value_gbp_k", status="value_status")
    df = pd.concat([load_ascfr_2014_15(), ascfr, ro3_rows], ignore_index=True)
    unique_key(df, SPEND_KEY, table="spend")
    out = validate(df, SPEND_SCHEMA)
    check_registered(spend_source_ids())
    out = out.sort_values(["year", "collection", "gss_code", "service_line", "age_band", "measure"],
                          kind="mergesort").reset_index(drop=True)[SPEND_COLUMNS]
    out.attrs["changes"] = found
    return out


def totals(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Total adult social care per area, year, collection and measure.

    The published ``total`` line where the collection has one (RO3, ASC-FR 2014-15); otherwise (ASC-FR
    2016-17) the sum of the ``detail`` lines, which is what the total is (the tests check that detail
    lines add up to the published totals in the other years).

    Parameters
    ----------
    df
        The ``spend`` table (read from ``data/processed`` when ``None``).

    Returns
    -------
    pandas.DataFrame
        ``gss_code, year, collection, measure, value_gbp_k, value_status, basis`` with ``basis`` =
        ``published_total`` or ``sum_of_detail_lines``; a sum over lines any of which is not reported is
        ``NaN`` with status ``not_available``. Sorted by year, collection, area and measure.
    """
    if df is None:
        df = tables.load("spend")
    key = ["gss_code", "year", "collection", "measure"]
    pub = df[df["line_type"] == "total"][[*key, "value_gbp_k", "value_status"]].assign(basis="published_total")
    has_total = pub[["gss_code", "year", "collection"]].drop_duplicates()
    det = df[df["line_type"] == "detail"].merge(has_total, how="left", indicator=True)
    det = det[det["_merge"] == "left_only"]
    g = det.groupby(key, sort=False)
    summed = g["value_gbp_k"].sum().rename("value_gbp_k").to_frame()
    complete = g["value_status"].agg(lambda s: bool((s == "reported").all()))
    summed.loc[~complete, "value_gbp_k"] = np.nan
    summed["value_status"] = np.where(complete, "reported", "not_available")
    summed = summed.reset_index().assign(basis="sum_of_detail_lines")
    out = pd.concat([pub, summed], ignore_index=True)
    return out.sort_values(["year", "collection", "gss_code", "measure"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------
# GDP deflators
# ---------------------------------------------------------------------------------------------------

_FY_CELL_RE = re.compile(r"^(\d{4})-(\d{2})(.*)$")


def load_deflators() -> pd.DataFrame:
    """Read HM Treasury's GDP deflator CSV: the financial-year index (2022-23 = 100 as published).

    The forecast years (footnotes "(1), (2)": OBR forecasts) carry only the percentage change; their
    index is chained from the last published index and flagged ``derived_index``.

    Returns
    -------
    pandas.DataFrame
        ``year, gdp_deflator, pct_change, is_forecast, derived_index, source_id`` plus ``_row``.

    Raises
    ------
    DataError
        No financial-year block, a non-numeric index or change, or a forecast year before the last
        published index.
    """
    path = sources.path(DEFLATOR_SOURCE)
    raw = read_csv(path, header_row=None, header=None, keep_default_na=False, na_values=[])
    if raw.shape[1] < 4:
        raise DataError("expected at least four columns", file=path)
    hdr = [i for i in range(len(raw)) if str(raw.iat[i, 1]).strip() == "Financial year"
           and "= 100" in str(raw.iat[i, 2])]
    if not hdr:
        raise DataError("no header row 'Financial year' / '2022-23 = 100' found: unexpected layout", file=path)
    base_text = str(raw.iat[hdr[0], 2]).strip()
    rows = []
    for i in range(hdr[0] + 1, len(raw)):
        m = _FY_CELL_RE.match(str(raw.iat[i, 1]).strip())
        if not m:
            if rows:
                break
            continue
        rows.append({"year": f"{m.group(1)}-{m.group(2)}", "forecast": bool(m.group(3).strip()),
                     "index": raw.iat[i, 2], "pct": raw.iat[i, 3], "_row": i + 1})
    df = pd.DataFrame(rows)
    idx, _ = parse_numbers(df["index"], file=path, column=base_text, rows=df["_row"],
                                    extra_markers={"-": "not_available"})
    pct, _ = parse_numbers(df["pct"], file=path, column="per cent change on previous year", rows=df["_row"])
    derived = idx.isna() & df["forecast"]
    raise_first(idx.isna() & ~df["forecast"], "an outturn year without an index", file=path, rows=df["_row"],
                column=base_text)
    values = idx.to_numpy(copy=True)
    for i in np.flatnonzero(derived.to_numpy()):
        if i == 0 or np.isnan(values[i - 1]) or np.isnan(pct.iloc[i]):
            raise DataError("cannot chain the index: no previous index or no percentage change", file=path,
                            row=int(df["_row"].iloc[i]), column="per cent change on previous year")
        values[i] = values[i - 1] * (1 + pct.iloc[i] / 100)
    return pd.DataFrame({
        "year": df["year"], "gdp_deflator": values, "pct_change": pct.to_numpy(),
        "is_forecast": df["forecast"].astype(bool), "derived_index": derived.to_numpy(),
        "source_id": DEFLATOR_SOURCE, "_row": df["_row"],
    })


def build_deflators() -> pd.DataFrame:
    """Build the validated ``deflators`` table."""
    df = load_deflators()
    path = sources.path(DEFLATOR_SOURCE)
    unique_key(df, ["year"], table="deflators", file=path)
    out = validate(df, DEFLATORS_SCHEMA, file=path).reset_index(drop=True)
    check_registered([DEFLATOR_SOURCE])
    return out


def to_real_terms(
    df: pd.DataFrame,
    value_col: str,
    year_col: str = "year",
    base_year: str = "2023-24",
    *,
    deflators: pd.DataFrame | None = None,
) -> pd.Series:
    """Re-express cash values in the prices of ``base_year`` with the GDP deflator.

    ``real = cash x deflator[base_year] / deflator[year]`` (HM Treasury, "GDP deflators: user guide";
    the same method as "How to use the GDP deflator series: practical examples").

    Parameters
    ----------
    df
        Table with a money column and a financial-year column.
    value_col
        The money column (e.g. ``value_gbp_k``); the result is in the same unit.
    year_col
        The financial-year column (``'YYYY-YY'``).
    base_year
        The year whose prices to express values in. A forecast year's index is chained from the published
        percentage change (``derived_index``): say so when using it.
    deflators
        The ``deflators`` table; read from ``data/processed`` when ``None``.

    Returns
    -------
    pandas.Series
        Real-terms values aligned with ``df`` (``NaN`` where the cash value is ``NaN``).

    Raises
    ------
    ParameterError
        ``base_year`` or a year of ``df`` is not in the deflator series.
    """
    if deflators is None:
        deflators = tables.load("deflators")
    index = deflators.set_index("year")["gdp_deflator"]
    if base_year not in index.index:
        raise ParameterError(f"base year {base_year!r} is not in the GDP deflator series "
                             f"({index.index.min()} to {index.index.max()})")
    years = df[year_col].astype(str)
    missing = sorted(set(years) - set(index.index))
    if missing:
        raise ParameterError(f"no GDP deflator for year(s) {missing[:5]} (series {index.index.min()} to "
                             f"{index.index.max()})")
    factor = index[base_year] / years.map(index)
    return (df[value_col].astype(float) * factor.to_numpy()).rename(f"{value_col}_real_{base_year}")


# ---------------------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------------------


def _spend_inputs() -> list[Path]:
    return [*registered_paths(spend_source_ids()), ASCFR_KEYS_CSV]


register_table(TableSpec(
    name="spend",
    build=build_spend,
    inputs=_spend_inputs,
    depends=("councils",),
    description="Adult social care expenditure by council, service line, age band and measure (£k): "
                "ASC-FR 2014-15 and 2016-17, RO3 from 2022-23 (separate collections)",
))
register_table(TableSpec(
    name="deflators",
    build=build_deflators,
    inputs=lambda: registered_paths([DEFLATOR_SOURCE]),
    description="HM Treasury GDP deflator at market prices by financial year (2022-23 = 100), forecasts flagged",
))
