"""ONS mid-year population estimates (MYE2 tables): single year of age and the per-head age bands.

Two processed tables:

``population_sya``
    Population by single year of age (0..89, and 90 = "90 and over" as ONS publishes it) and sex
    (``persons``, ``male``, ``female``) for every English council with adult social services
    responsibility (upper tier: counties, unitary authorities, metropolitan districts, London boroughs,
    City of London, Isles of Scilly), every English region and England, one row per area, mid-year, sex
    and age, with the boundary set of the file (``geography_vintage``).
``population``
    Persons in the age bands the notebooks divide by (``all``, ``18+``, ``18-64``, ``65+``, ``85+``),
    keyed by the financial year that *starts* in the mid-year (mid-2022 -> ``2022-23``; see
    ``docs/methods.md``). Derived from ``population_sya``.

The nine files (mid-2015 .. mid-2023, ``population/`` in ``ASC_NATIONAL_DIR``) differ in layout: .xls or
.xlsx, sheet names (``Persons UK``, ``MYE2 - All``, ``MYE2-All``, ``MYE2 - Persons``), the header row
(row 3, 5 or 8), header labels (``CODE``/``Code``; ages as numbers or text, the last ``90`` or ``90+``),
a ``Geography`` column in some years only, and row order (hierarchical, or grouped by geography type in
mid-2022). The sheet is found by name and the header row by content (:func:`find_header`); any other
layout fails with one :class:`~helpers.errors.DataError` naming file, sheet, row and column.

Geography codes are kept as each file publishes them (a file's boundary set is the one in force when
it was published, see :data:`GEOGRAPHY_VINTAGE`): old areas are never silently re-aggregated into new
ones. Where a council's series breaks, :mod:`helpers.councils` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import sources
from helpers.errors import DataError
from helpers.io import parse_numbers, read_sheet, sheet_names
from helpers.tables import TableSpec, register_table

#: Register id (``data/raw/sources.yml``) of the MYE file for each mid-year.
SOURCE_IDS: dict[int, str] = {year: f"mye_{year}" for year in range(2015, 2024)}

#: The boundary set each file uses, as its notes state. Mid-2015..2017: "boundaries in place as of the
#: reference year"; mid-2018: "as of April 2019" (file on 2019 codes); mid-2019: "as of April 2020";
#: mid-2020 and mid-2021: boundaries after the April 2021 changes ("on 2021 geography"); mid-2022 and
#: mid-2023: "boundaries in place as of April 2023".
GEOGRAPHY_VINTAGE: dict[int, str] = {
    2015: "2015 boundaries",
    2016: "2016 boundaries",
    2017: "2017 boundaries",
    2018: "2019 boundaries",
    2019: "2020 boundaries",
    2020: "2021 boundaries",
    2021: "2021 boundaries",
    2022: "2023 boundaries",
    2023: "2023 boundaries",
}

#: The oldest single year of age published; ONS's last column is "90 and over".
MAX_AGE = 90
AGES: tuple[int, ...] = tuple(range(MAX_AGE + 1))
#: Sexes read from the files (one MYE2 sheet each).
SEXES: tuple[str, ...] = ("persons", "male", "female")
#: Age bands of the ``population`` table: inclusive (first, last) single years; 90 means 90 and over.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "all": (0, MAX_AGE),
    "18+": (18, MAX_AGE),
    "18-64": (18, 64),
    "65+": (65, MAX_AGE),
    "85+": (85, MAX_AGE),
}
#: GSS prefixes of councils with adult social services responsibility (upper tier): unitary
#: authorities (E06, incl. Isles of Scilly), metropolitan districts (E08), London boroughs and the City
#: of London (E09), counties (E10). Districts (E07) and metropolitan counties (E11) are left out.
COUNCIL_PREFIXES: tuple[str, ...] = ("E06", "E08", "E09", "E10")
REGION_PREFIX = "E12"
ENGLAND = "E92000001"

_GSS_ANY = re.compile(r"^[EKNSW]\d{8}$")
#: Sheet names by sex, matched after lower-casing and removing spaces and hyphens.
_SHEET_PATTERNS: dict[str, re.Pattern[str]] = {
    "persons": re.compile(r"^(mye2(all|persons)|personsuk)$"),
    "male": re.compile(r"^(mye2(m|males?)|malesuk)$"),
    "female": re.compile(r"^(mye2(f|females?)|femalesuk)$"),
}
#: How many rows from the top of a sheet to search for the header.
HEADER_SEARCH_ROWS = 40


def financial_year(mid_year: int) -> str:
    """Return the financial year that starts in ``mid_year`` (the project's denominator convention).

    Examples
    --------
    >>> financial_year(2022)
    '2022-23'
    >>> financial_year(1999)
    '1999-00'
    """
    return f"{mid_year}-{(mid_year + 1) % 100:02d}"


def _norm(cell: object) -> str:
    """Header text normalised for matching: lower case, single spaces, no footnote digits."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = re.sub(r"\s+", " ", str(cell)).strip().lower()
    return text


def _age_label(cell: object) -> int | None:
    """The single year of age a header cell names (``0``, ``'45'``, ``45.0``, ``'90+'``), else ``None``."""
    text = _norm(cell)
    m = re.fullmatch(r"(\d{1,3})(\.0)?\s*(\+)?", text)
    if not m:
        return None
    age = int(m.group(1))
    if m.group(3) and age != MAX_AGE:
        return None
    return age if age <= MAX_AGE else None


def _letter(col: int) -> str:
    """Spreadsheet column letter of a 0-based column position (0 -> 'A', 27 -> 'AB')."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def find_sheet(names: list[str], sex: str, *, file: str | Path) -> str:
    """Return the MYE2 sheet of ``sex`` among a workbook's sheet names.

    Parameters
    ----------
    names
        The workbook's sheet names.
    sex
        One of :data:`SEXES`.
    file
        For the error message.

    Raises
    ------
    DataError
        No sheet, or more than one, matches.
    """
    pattern = _SHEET_PATTERNS[sex]
    hits = [n for n in names if pattern.match(re.sub(r"[\s\-]", "", n.lower()))]
    if len(hits) != 1:
        raise DataError(
            f"expected one MYE2 sheet of {sex} (e.g. 'MYE2 - Persons', 'MYE2 - All', 'Persons UK'), "
            f"found {len(hits)}; sheets are {names}",
            file=file,
        )
    return hits[0]


@dataclass(frozen=True)
class HeaderLayout:
    """Where the columns of an MYE2 sheet are (0-based positions in the raw cell grid)."""

    row: int
    code: int
    name: int
    all_ages: int
    ages: tuple[int, ...]  # position of age 0, 1, ..., 90
    geography: int | None = None


def find_header(raw: pd.DataFrame, *, file: str | Path, sheet: str | None = None) -> HeaderLayout:
    """Find the header row of an MYE2 sheet by its content.

    The header is the first row (within :data:`HEADER_SEARCH_ROWS`) holding a ``Code`` cell; it must
    also hold ``Name``, ``All ages`` and every single year of age 0..90 exactly once (the last may be
    written ``90+``). Case, spacing and number-vs-text labels do not matter.

    Parameters
    ----------
    raw
        The sheet's cells as read with ``header=None``.
    file, sheet
        For the error message.

    Returns
    -------
    HeaderLayout

    Raises
    ------
    DataError
        No header row, or a header without one of the expected labels (names the row and column).
    """
    top = raw.iloc[:HEADER_SEARCH_ROWS]
    for r in range(len(top)):
        labels = [_norm(v) for v in top.iloc[r].tolist()]
        if "code" not in labels:
            continue
        excel_row = r + 1

        def one(label: str, pattern: str, labels: list[str] = labels, excel_row: int = excel_row) -> int:
            pos = [i for i, t in enumerate(labels) if re.fullmatch(pattern, t)]
            if len(pos) != 1:
                raise DataError(
                    f"the header row has {len(pos)} {label!r} columns (expected 1)",
                    file=file, sheet=sheet, row=excel_row, column=label,
                )
            return pos[0]

        code = one("Code", r"code")
        name = one("Name", r"name")
        all_ages = one("All ages", r"all ages")
        geo = [i for i, t in enumerate(labels) if re.fullmatch(r"geography\s*\d*", t)]
        by_age: dict[int, int] = {}
        for i, cell in enumerate(top.iloc[r].tolist()):
            if i in (code, name, all_ages):
                continue
            age = _age_label(cell)
            if age is None:
                continue
            if age in by_age:
                raise DataError(
                    f"age {age} appears twice in the header (columns {_letter(by_age[age])} and {_letter(i)})",
                    file=file, sheet=sheet, row=excel_row, column=_letter(i),
                )
            by_age[age] = i
        missing = [a for a in AGES if a not in by_age]
        if missing:
            raise DataError(
                f"no column for age {missing[0]} in the header ({len(missing)} of ages 0..{MAX_AGE} missing)",
                file=file, sheet=sheet, row=excel_row, column=str(missing[0]),
            )
        positions = tuple(by_age[a] for a in AGES)
        if list(positions) != sorted(positions) or positions[0] < all_ages:
            raise DataError(
                "age columns are not in order 0..90 after 'All ages'",
                file=file, sheet=sheet, row=excel_row, column=_letter(positions[0]),
            )
        return HeaderLayout(row=r, code=code, name=name, all_ages=all_ages, ages=positions,
                            geography=geo[0] if len(geo) == 1 else None)
    raise DataError(
        f"no header row (a row with 'Code', 'Name', 'All ages' and ages 0..{MAX_AGE}) in the first "
        f"{HEADER_SEARCH_ROWS} rows",
        file=file, sheet=sheet,
    )


def parse_mye_sheet(raw: pd.DataFrame, *, file: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Parse the cells of one MYE2 sheet into a wide table, every area, in file order.

    Parameters
    ----------
    raw
        The sheet's cells as read with ``header=None`` (any dtype).
    file, sheet
        For error messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``_row`` (spreadsheet row, 1-based), ``gss_code``, ``name``, ``geography`` (``None``
        where the file has no such column), ``all_ages`` and one float column per age ``0``..``90``
        (int column labels). Rows are every area with a GSS code (UK, nations, regions, counties,
        districts), in the file's order.

    Raises
    ------
    DataError
        Header not found (see :func:`find_header`); a row in the data block without a valid GSS code; a
        duplicated code; a value that is not a number (suppression markers included: population
        estimates are never suppressed); published "All ages" differing from the sum of single years.
    """
    lay = find_header(raw, file=file, sheet=sheet)
    body = raw.iloc[lay.row + 1:]
    codes = body.iloc[:, lay.code].map(lambda v: "" if pd.isna(v) else str(v).strip())
    valid = codes.str.match(_GSS_ANY.pattern)
    if not valid.any():
        raise DataError("no data rows with a GSS code under the header", file=file, sheet=sheet,
                        row=lay.row + 2, column="Code")
    last = int(np.flatnonzero(valid.to_numpy())[-1])
    body, codes, valid = body.iloc[: last + 1], codes.iloc[: last + 1], valid.iloc[: last + 1]
    rows = np.arange(lay.row + 2, lay.row + 2 + len(body))
    num_cols = [lay.all_ages, *lay.ages]
    nums_raw = body.iloc[:, num_cols]
    blank = nums_raw.isna().all(axis=1) & (codes == "")
    bad = ~valid & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError("not a GSS code (a data row must start with a code such as E08000007)",
                        file=file, sheet=sheet, row=int(rows[i]), column="Code", value=codes.iloc[i])
    keep = valid.to_numpy()
    body, codes, rows, nums_raw = body[keep], codes[keep], rows[keep], nums_raw[keep]
    dup = codes.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError("the same area code appears twice", file=file, sheet=sheet, row=int(rows[i]),
                        column="Code", value=codes.iloc[i])
    labels = ["All ages", *[_norm(raw.iat[lay.row, c]) for c in lay.ages]]
    values = _to_float(nums_raw, labels=labels, rows=rows, file=file, sheet=sheet)
    sums = values[:, 1:].sum(axis=1)
    off = np.flatnonzero(np.abs(sums - values[:, 0]) > 0.5)
    if off.size:
        i = int(off[0])
        raise DataError(
            f"'All ages' differs from the sum of single years ({sums[i]:.0f}): columns misaligned?",
            file=file, sheet=sheet, row=int(rows[i]), column="All ages", value=values[i, 0],
        )
    out = pd.DataFrame(values, columns=["all_ages", *AGES])
    geo = (body.iloc[:, lay.geography].map(lambda v: None if pd.isna(v) else str(v).strip()).to_numpy()
           if lay.geography is not None else None)
    out.insert(0, "geography", geo)
    out.insert(0, "name", body.iloc[:, lay.name].map(lambda v: None if pd.isna(v) else str(v).strip()).to_numpy())
    out.insert(0, "gss_code", codes.to_numpy())
    out.insert(0, "_row", rows)
    return out


def _to_float(block: pd.DataFrame, *, labels: list[str], rows: np.ndarray, file: str | Path,
              sheet: str | None) -> np.ndarray:
    """Cells to a float matrix; on any non-number, locate it with :func:`helpers.io.parse_numbers`."""
    try:
        values = block.to_numpy(dtype=float)
        if not np.isnan(values).any():
            return values
    except (TypeError, ValueError):
        pass
    out = np.empty(block.shape, dtype=float)
    for j, label in enumerate(labels):
        col = block.iloc[:, j].reset_index(drop=True)
        nums, status = parse_numbers(col, file=file, column=label, rows=rows, sheet=sheet)
        notrep = np.flatnonzero((status != "reported").to_numpy())
        if notrep.size:
            i = int(notrep[0])
            raise DataError(
                f"population estimate not published ({status.iloc[i]}); MYE values are never suppressed",
                file=file, sheet=sheet, row=int(rows[i]), column=label, value=col.iloc[i],
            )
        out[:, j] = nums.to_numpy()
    return out


def read_mye(mid_year: int, sex: str = "persons") -> pd.DataFrame:
    """Read one registered MYE file's MYE2 sheet for ``sex`` (every area, wide, in file order).

    Parameters
    ----------
    mid_year
        2015 .. 2023 (see :data:`SOURCE_IDS`).
    sex
        One of :data:`SEXES`.

    Returns
    -------
    pandas.DataFrame
        As :func:`parse_mye_sheet`, plus ``mid_year``, ``sex`` and ``source_id``.

    Raises
    ------
    MissingDataError
        The file is not in ``ASC_NATIONAL_DIR``.
    DataError
        Unexpected layout or content.
    """
    if mid_year not in SOURCE_IDS:
        raise KeyError(f"no MYE file registered for mid-{mid_year}; registered: {sorted(SOURCE_IDS)}")
    if sex not in SEXES:
        raise KeyError(f"sex must be one of {SEXES}, not {sex!r}")
    src = sources.get(SOURCE_IDS[mid_year])
    path = sources.path(src.id)
    sheet = find_sheet(sheet_names(path), sex, file=path)
    wide = parse_mye_sheet(read_sheet(path, sheet), file=path, sheet=sheet)
    wide.insert(1, "mid_year", mid_year)
    wide.insert(2, "sex", sex)
    wide["source_id"] = src.id
    return wide


def _select_areas(wide: pd.DataFrame) -> pd.DataFrame:
    """Keep councils with adult social services responsibility, regions and England."""
    prefix = wide["gss_code"].str[:3]
    keep = prefix.isin(COUNCIL_PREFIXES) | (prefix == REGION_PREFIX) | (wide["gss_code"] == ENGLAND)
    return wide[keep]


def _check_england_total(wide: pd.DataFrame, *, file: str | Path) -> None:
    """The councils must add up to the published England row (each age and all ages)."""
    prefix = wide["gss_code"].str[:3]
    eng = wide[wide["gss_code"] == ENGLAND]
    if len(eng) != 1:
        raise DataError("no England row (E92000001)", file=file, column="Code")
    cols = ["all_ages", *AGES]
    diff = wide.loc[prefix.isin(COUNCIL_PREFIXES), cols].sum() - eng[cols].iloc[0]
    off = diff[diff.abs() > 0.5]
    if len(off):
        raise DataError(
            f"the councils ({', '.join(COUNCIL_PREFIXES)}) add up to {diff[off.index[0]]:+.0f} more than "
            f"England for {off.index[0]}: a council or county row is missing or doubled",
            file=file, row=int(eng["_row"].iloc[0]), column=str(off.index[0]),
        )


def _inputs() -> list[Path]:
    return [sources.get(sid).path for sid in SOURCE_IDS.values()]


def load_population_sya(mid_years: list[int] | None = None, sexes: tuple[str, ...] = SEXES) -> pd.DataFrame:
    """Build the ``population_sya`` table from the MYE files.

    Parameters
    ----------
    mid_years
        Mid-years to read (all of :data:`SOURCE_IDS` when ``None``).
    sexes
        Which MYE2 sheets to read.

    Returns
    -------
    pandas.DataFrame
        Validated; columns ``gss_code, mid_year, sex, age, population, source_id, geography_vintage``,
        sorted by mid-year, code, sex, age.

    Raises
    ------
    MissingDataError, DataError
        A file is missing; a file's layout or content is not as expected (names file, sheet, row and
        column); the councils do not add up to England.
    """
    from helpers.schemas import POPULATION_SYA_SCHEMA, validate

    frames = []
    for year in mid_years or sorted(SOURCE_IDS):
        for sex in sexes:
            wide = read_mye(year, sex)
            _check_england_total(wide, file=sources.get(SOURCE_IDS[year]).path)
            frames.append(_select_areas(wide).assign(_file=sources.get(SOURCE_IDS[year]).file))
    wide = pd.concat(frames, ignore_index=True)
    n = len(wide)
    long = pd.DataFrame({
        "gss_code": np.repeat(wide["gss_code"].to_numpy(), len(AGES)),
        "mid_year": np.repeat(wide["mid_year"].to_numpy(), len(AGES)).astype("int64"),
        "sex": np.repeat(wide["sex"].to_numpy(), len(AGES)),
        "age": np.tile(np.array(AGES, dtype="int64"), n),
        "population": wide[list(AGES)].to_numpy(dtype=float).ravel(),
        "source_id": np.repeat(wide["source_id"].to_numpy(), len(AGES)),
        "_row": np.repeat(wide["_row"].to_numpy(), len(AGES)),
        "_file": np.repeat(wide["_file"].to_numpy(), len(AGES)),
    })
    long["geography_vintage"] = long["mid_year"].map(GEOGRAPHY_VINTAGE)
    long["sex"] = pd.Categorical(long["sex"], categories=list(SEXES))
    long = long.sort_values(["mid_year", "gss_code", "sex", "age"], kind="stable").reset_index(drop=True)
    long["sex"] = long["sex"].astype(str)
    return validate(long, POPULATION_SYA_SCHEMA)


def age_bands(sya: pd.DataFrame, bands: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Sum single years of age into bands (persons only).

    Parameters
    ----------
    sya
        Rows of ``population_sya`` (any sexes; only ``persons`` rows are used).
    bands
        ``{band: (first_age, last_age)}`` inclusive; :data:`AGE_BANDS` when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``gss_code, mid_year, year, age_band, population, source_id`` (``year`` = the financial year
        starting in the mid-year), sorted by mid-year, code and the order of ``bands``.
    """
    bands = bands or AGE_BANDS
    persons = sya[sya["sex"] == "persons"]
    keys = ["gss_code", "mid_year", "source_id"]
    frames = []
    for band, (lo, hi) in bands.items():
        part = persons[persons["age"].between(lo, hi)]
        s = part.groupby(keys, sort=False, observed=True)["population"].sum(min_count=hi - lo + 1)
        frames.append(s.reset_index().assign(age_band=band))
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["mid_year"].map(financial_year)
    out["age_band"] = pd.Categorical(out["age_band"], categories=list(bands))
    out = out.sort_values(["mid_year", "gss_code", "age_band"], kind="stable").reset_index(drop=True)
    out["age_band"] = out["age_band"].astype(str)
    return out[["gss_code", "mid_year", "year", "age_band", "population", "source_id"]]


def load_population() -> pd.DataFrame:
    """Build the ``population`` table (age bands) from the processed ``population_sya`` table."""
    from helpers import tables
    from helpers.schemas import POPULATION_SCHEMA, validate

    return validate(age_bands(tables.load("population_sya")), POPULATION_SCHEMA)


register_table(TableSpec(
    name="population_sya",
    build=load_population_sya,
    inputs=_inputs,
    description="ONS mid-year population estimates by single year of age and sex: ASC councils, regions, "
                "England, mid-2015..mid-2023 (codes as published)",
))
register_table(TableSpec(
    name="population",
    build=load_population,
    inputs=lambda: [],
    depends=("population_sya",),
    description="Population in the per-head age bands (all, 18+, 18-64, 65+, 85+) by financial year "
                "starting in the mid-year",
))
