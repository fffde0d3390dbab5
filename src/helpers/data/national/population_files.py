"""Reading the ONS mid-year population estimates (MYE2 tables): one workbook's sheets as wide tables.

The nine files (mid-2015 .. mid-2023, ``population/`` in ``ASC_NATIONAL_DIR``) differ in layout: .xls or
.xlsx, sheet names (``Persons UK``, ``MYE2 - All``, ``MYE2-All``, ``MYE2 - Persons``), the header row
(row 3, 5 or 8), header labels (``CODE``/``Code``; ages as numbers or text, the last ``90`` or ``90+``),
a ``Geography`` column in some years only, and row order (hierarchical, or grouped by geography type in
mid-2022). The sheet is found by name (:func:`find_sheet`) and the header row by content
(:func:`find_header`); any other layout fails with one :class:`~helpers.core.errors.DataError` naming file,
sheet, row and column. The tables are built from these sheets by :mod:`helpers.data.national.population`.

Geography codes are kept as each file publishes them (a file's boundary set is the one in force when
it was published, see :data:`GEOGRAPHY_VINTAGE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import sources
from helpers.data.io import parse_numbers, read_sheet, sheet_names
from helpers.data.reading import column_letter

#: Register family of the MYE files (one mid-year each; ``years`` in the register).
MYE_FAMILY = "mye"
#: Register id of the MYE file of each mid-year in the committed register (``data/raw/sources.yml``);
#: :func:`mye_sources` adds the files of the local register.
SOURCE_IDS: dict[int, str] = {year: f"mye_{year}" for year in range(2015, 2024)}


def mye_sources() -> dict[int, str]:
    """Register id of the MYE file of each mid-year (the latest release where a mid-year has two)."""
    out: dict[int, str] = {}
    for src in sources.family(MYE_FAMILY):
        if len(src.years) != 1 or not str(src.years[0]).isdigit():
            raise DataError(f"an MYE file covers one mid-year (YYYY); the register gives {list(src.years)}",
                            file=src.file, column="years")
        out[int(src.years[0])] = src.id
    return dict(sorted(out.items()))


def boundary_year(mid_year: int) -> str:
    """The financial year whose councils a mid-year's file lists (:data:`BOUNDARY_YEAR`; for a later file, the
    financial year starting in its mid-year: checked when the table is built, so a wrong guess fails)."""
    return BOUNDARY_YEAR.get(mid_year) or periods.fy(mid_year)


def geography_vintage(mid_year: int) -> str:
    """The ``geography_vintage`` label of a mid-year's file: the April of its boundary set."""
    return f"{periods.fy_start(boundary_year(mid_year))} boundaries"

#: The financial year whose councils each file's boundary set matches (checked against
#: :func:`helpers.data.councils.current` when the table is built). The files' notes say: mid-2015..2017
#: "boundaries in place as of the reference year"; mid-2018 "as of April 2019" (file on 2019 codes);
#: mid-2019 "as of April 2020"; mid-2020 and mid-2021 the boundaries after the April 2021 changes
#: ("on 2021 geography"); mid-2022 and mid-2023 "boundaries in place as of April 2023".
BOUNDARY_YEAR: dict[int, str] = {
    2015: "2015-16",
    2016: "2016-17",
    2017: "2017-18",
    2018: "2019-20",
    2019: "2020-21",
    2020: "2021-22",
    2021: "2021-22",
    2022: "2023-24",
    2023: "2023-24",
}
#: The ``geography_vintage`` label of each file: the April of its boundary set.
GEOGRAPHY_VINTAGE: dict[int, str] = {y: f"{periods.fy_start(fy)} boundaries" for y, fy in BOUNDARY_YEAR.items()}

#: The oldest single year of age published; ONS's last column is "90 and over".
MAX_AGE = 90
AGES: tuple[int, ...] = tuple(range(MAX_AGE + 1))
#: Sexes read from the files (one MYE2 sheet each).
SEXES: tuple[str, ...] = ("persons", "male", "female")

_GSS_ANY = re.compile(r"^[EKNSW]\d{8}$")
#: Sheet names by sex, matched after lower-casing and removing spaces and hyphens.
_SHEET_PATTERNS: dict[str, re.Pattern[str]] = {
    "persons": re.compile(r"^(mye2(all|persons)|personsuk)$"),
    "male": re.compile(r"^(mye2(m|males?)|malesuk)$"),
    "female": re.compile(r"^(mye2(f|females?)|femalesuk)$"),
}
#: How many rows from the top of a sheet to search for the header.
HEADER_SEARCH_ROWS = 40


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
                    f"age {age} appears twice in the header (columns {column_letter(by_age[age])} and {column_letter(i)})",
                    file=file, sheet=sheet, row=excel_row, column=column_letter(i),
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
                file=file, sheet=sheet, row=excel_row, column=column_letter(positions[0]),
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
    """Cells to a float matrix; on any non-number, locate it with :func:`helpers.data.io.parse_numbers`."""
    try:
        values = block.to_numpy(dtype=float)
        if not np.isnan(values).any():
            return values
    except (TypeError, ValueError):
        pass
    coerced = block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(coerced)
    cols = sorted(np.flatnonzero(bad.any(axis=0)), key=lambda j: (int(np.argmax(bad[:, j])), int(j)))
    for j in cols:  # the column with the first bad cell (in reading order) first
        col = block.iloc[:, j].reset_index(drop=True)
        nums, status = parse_numbers(col, file=file, column=labels[j], rows=rows, sheet=sheet)  # raises on text
        notrep = np.flatnonzero((status != "reported").to_numpy())
        if notrep.size:
            i = int(notrep[0])
            raise DataError(
                f"population estimate not published ({status.iloc[i]}); MYE values are never suppressed",
                file=file, sheet=sheet, row=int(rows[i]), column=labels[j], value=col.iloc[i],
            )
        coerced[:, j] = nums.to_numpy()  # e.g. "1,234" with a thousands separator
    return coerced


def read_mye(mid_year: int, sex: str = "persons", source_id: str | None = None, path: Path | None = None
             ) -> pd.DataFrame:
    """Read one registered MYE file's MYE2 sheet for ``sex`` (every area, wide, in file order).

    Parameters
    ----------
    mid_year
        A registered mid-year (:func:`mye_sources`).
    sex
        One of :data:`SEXES`.
    source_id
        The register id (default: the latest file of ``mid_year``).
    path
        Read this file instead of the registered one (``asc data add`` checks a file before registering it).

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
    sid = source_id or mye_sources().get(mid_year)
    if sid is None:
        raise KeyError(f"no MYE file registered for mid-{mid_year}; registered: {sorted(mye_sources())}")
    if sex not in SEXES:
        raise KeyError(f"sex must be one of {SEXES}, not {sex!r}")
    path = sources.path(sid) if path is None else Path(path)
    stat = path.stat()
    wide = _read_mye_cached(str(path), stat.st_mtime_ns, stat.st_size)[sex].copy()
    wide.insert(1, "mid_year", mid_year)
    wide.insert(2, "sex", sex)
    wide["source_id"] = sid
    return wide


@lru_cache(maxsize=12)
def _read_mye_cached(path: str, mtime_ns: int, size: int) -> dict[str, pd.DataFrame]:
    """Parse a workbook's three MYE2 sheets once per process (keyed on the file's path, mtime and size), in one
    read of the file: the tables ``population_sya`` and ``population_latest_boundaries`` read the same sheets
    in one build."""
    names = sheet_names(path)
    sheets = {sex: find_sheet(names, sex, file=Path(path)) for sex in SEXES}
    raw = read_sheet(path, list(sheets.values()))
    out = {}
    for sex, sheet in sheets.items():
        wide = parse_mye_sheet(raw[sheet], file=Path(path), sheet=sheet)
        wide.attrs["sheet"] = sheet
        out[sex] = wide
    return out

