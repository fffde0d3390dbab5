"""The council reference table and its lookups: councils by code, by financial year, their regions and names.

Reads the committed reference tables in ``data/raw/reference/`` (compiled by this project and checked against
the national files; see that folder's README), so it works without any national data:

* ``councils.csv`` -- one row per council with adult social services responsibility (a CASSR) in any
  financial year from 2009-10 to 2024-25, plus the two counties abolished on 1 April 2009 (Bedfordshire,
  Cheshire) that older activity data still name;
* ``regions.csv`` -- the nine English regions and England.

The spellings of names (``council_name_variants.csv``) are read by :mod:`helpers.data.councils.names`.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import MissingDataError, ParameterError
from helpers.core.paths import REFERENCE
from helpers.data.io import read_csv_raw
from helpers.data.reading import check_not_truncated

COUNCILS_CSV: Path = REFERENCE / "councils.csv"
NAMES_CSV: Path = REFERENCE / "council_name_variants.csv"
REGIONS_CSV: Path = REFERENCE / "regions.csv"

#: England's GSS code.
ENGLAND = "E92000001"
#: First financial year the reference table is complete for (after the April 2009 reorganisation; the
#: two counties abolished then are listed with ``last_year`` 2008-09 for older activity data).
FIRST_YEAR = "2008-09"
#: Latest financial year the reference table has been checked against (RO3 2024-25).
LATEST_YEAR = "2024-25"
#: Latest financial year whose councils the table gives: no structural change of an upper-tier council took
#: effect on 1 April 2025, so 2025-26 has the councils of 2024-25 (a next year's files are checked against it;
#: a reorganisation adds its councils and moves this on). Files of a later year are refused until then.
KNOWN_TO = "2025-26"


# ------------------------------------------------------------------------------------------------
# reading the reference tables
# ------------------------------------------------------------------------------------------------


def read_reference_file(path: Path) -> pd.DataFrame:
    """Read one committed reference CSV as text (blank cells ``""``), after checking it is not cut short.

    Raises
    ------
    MissingDataError, DataError
        The file is not there; it ends in the middle of a record.
    """
    if not path.is_file():
        raise MissingDataError(f"reference table {path.name} is missing from data/raw/reference/ (it is committed)")
    check_not_truncated(path, hint="restore the committed copy (`git restore data/raw/reference`)")
    return read_csv_raw(path, keep_default_na=False, na_values=[], encoding="utf-8-sig")


@lru_cache(maxsize=1)
def shared_reference() -> pd.DataFrame:
    """The reference table as :func:`reference` returns it, read once per process: shared, do not modify."""
    df = read_reference_file(COUNCILS_CSV)
    for col in ("first_year", "last_year", "cassr_code", "predecessor_codes", "successor_codes",
                "previous_gss_codes", "notes", "checked_in"):
        if col in df.columns:
            df[col] = df[col].replace("", None)
    return df.sort_values("gss_code").reset_index(drop=True)


def reference() -> pd.DataFrame:
    """Return every council in the reference table (past and present).

    Returns
    -------
    pandas.DataFrame
        One row per council: ``gss_code``, ``cassr_code``, ``name``, ``region_code``, ``region_name``,
        ``council_type``, ``first_year``, ``last_year`` (``None`` = before 2009-10 / still current),
        ``predecessor_codes``, ``successor_codes``, ``previous_gss_codes`` (``;``-separated),
        ``checked_in``, ``notes``. A copy: changing it does not change the cache.
    """
    return shared_reference().copy()


@lru_cache(maxsize=1)
def shared_regions() -> pd.DataFrame:
    """The regions table as :func:`regions` returns it, read once per process: shared, do not modify."""
    return read_reference_file(REGIONS_CSV)


def regions() -> pd.DataFrame:
    """Return the nine English regions and England (``region_code``, ``region_name``)."""
    return shared_regions().copy()


def split_codes(value: object) -> list[str]:
    """The codes of a ``;``-separated cell (``predecessor_codes``, ``successor_codes``, ...); ``[]`` when empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    return [v for v in str(value).split(";") if v]


# ------------------------------------------------------------------------------------------------
# years
# ------------------------------------------------------------------------------------------------


def check_year(year: str) -> str:
    """Return ``year`` if it is a financial year ``'YYYY-YY'`` the reference table covers.

    Raises
    ------
    ParameterError
        Not ``'YYYY-YY'`` (the two years consecutive), or outside :data:`FIRST_YEAR` .. :data:`KNOWN_TO`.
    """
    if not (periods.is_fy(year) and year == year.strip()):
        raise ParameterError(f"year {year!r} is not a financial year like '2022-23'")
    if not FIRST_YEAR <= year <= KNOWN_TO:
        raise ParameterError(
            f"year {year!r} is outside the council reference table ({FIRST_YEAR} to {KNOWN_TO}): a later year needs "
            "its councils in data/raw/reference/councils.csv (helpers.data.councils.KNOWN_TO)"
        )
    return year


def _active_mask(df: pd.DataFrame, year: str) -> pd.Series:
    first = df["first_year"].fillna("0000-00")
    last = df["last_year"].fillna("9999-99")
    return (first <= year) & (last >= year)


def is_active(row: pd.Series, year: str) -> bool:
    """Whether a reference row's council had adult social services responsibility in ``year``."""
    return (row["first_year"] is None or row["first_year"] <= year) and (
        row["last_year"] is None or row["last_year"] >= year
    )


def current(year: str | None = None) -> pd.DataFrame:
    """Return the councils with adult social services responsibility in a financial year.

    Parameters
    ----------
    year
        Financial year ``'YYYY-YY'`` from 2008-09 to :data:`KNOWN_TO`; :data:`LATEST_YEAR` when ``None``.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`reference`, sorted by ``gss_code``: 152 councils each year to 2018-19, 151 in
        2019-20 and 2020-21, 152 in 2021-22 and 2022-23, 153 from 2023-24 (150 in 2008-09, before
        the Bedfordshire and Cheshire splits).

    Raises
    ------
    ParameterError
        The year is not ``'YYYY-YY'`` or is outside the table.
    """
    year = check_year(LATEST_YEAR if year is None else year)
    df = shared_reference()
    return df[_active_mask(df, year)].reset_index(drop=True).copy()


def counts_by_year(years: list[str] | None = None) -> pd.Series:
    """Number of councils with adult social services responsibility in each financial year."""
    if years is None:
        years = periods.fy_range(FIRST_YEAR, LATEST_YEAR)
    return pd.Series({y: len(current(y)) for y in years}, name="councils")


# ------------------------------------------------------------------------------------------------
# single codes
# ------------------------------------------------------------------------------------------------


def code_index() -> dict[str, int]:
    """Council code -> its position in :func:`shared_reference`."""
    return {c: i for i, c in enumerate(shared_reference()["gss_code"])}


def previous_codes() -> dict[str, str]:
    """Old code -> the council row that lists it in ``previous_gss_codes``."""
    out: dict[str, str] = {}
    ref = shared_reference()
    for code, prev in zip(ref["gss_code"], ref["previous_gss_codes"], strict=True):
        for p in split_codes(prev):
            out[p] = code
    return out


def suggest(text: str) -> str:
    """A ``"; did you mean ...?"`` hint for an unknown council code or name ('' when nothing is close)."""
    ref = shared_reference()
    choices = {f"{c} ({n})": c for c, n in zip(ref["gss_code"], ref["name"], strict=True)}
    by_name = {n.lower(): f"{c} ({n})" for c, n in zip(ref["gss_code"], ref["name"], strict=True)}
    hits = difflib.get_close_matches(text.lower(), list(by_name), n=3, cutoff=0.6)
    out = [by_name[h] for h in hits]
    if not out:
        out = difflib.get_close_matches(text.upper(), list(ref["gss_code"]), n=3, cutoff=0.7)
        out = [k for k in choices if choices[k] in out]
    return f"; did you mean {' or '.join(out)}?" if out else ""


def get(gss_code: str) -> pd.Series:
    """Return one council's reference row.

    Raises
    ------
    ParameterError
        Unknown code (with a suggestion).
    """
    idx = code_index().get(str(gss_code).strip().upper())
    if idx is None:
        raise ParameterError(f"unknown council code {gss_code!r}{suggest(str(gss_code))}")
    return shared_reference().iloc[idx].copy()


def name_of(gss_code: str) -> str:
    """Return a council's ONS name (also works for region codes and England)."""
    code = str(gss_code).strip().upper()
    reg = shared_regions()
    hit = reg.loc[reg["region_code"] == code, "region_name"]
    if len(hit):
        return str(hit.iloc[0])
    return str(get(code)["name"])


def active_in(gss: str, year: str) -> bool:
    """Whether the council ``gss`` had adult social services responsibility in ``year``."""
    return is_active(get(gss), year)


def span(gss: str) -> str:
    """The years a council had adult social services responsibility, e.g. ``'2019-20 to now'``."""
    row = get(gss)
    first = row["first_year"] or "before 2009-10"
    last = row["last_year"] or "now"
    return f"{first} to {last}"
