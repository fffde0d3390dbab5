"""English Indices of Deprivation, upper-tier local authority summaries (table ``deprivation``).

Inputs: File 11 of the English Indices of Deprivation 2015 (``iod2015_upper_tier``, 2013 upper-tier codes:
152 areas) and 2019 (``iod2019_upper_tier``, 2019 codes: 151 areas, with Bournemouth, Christchurch and
Poole and the Dorset unitary council instead of Bournemouth, Poole and Dorset county). One sheet per index
or domain (IMD, Income, Employment, Education, Health, Crime, Barriers, Living, IDACI, IDAOPI); each has the
area code and name, then the published summary measures (average rank, rank of average rank, average
score, rank of average score, proportion of LSOAs in the most deprived 10% nationally and its rank, and for
some domains extent / local concentration / scale and their ranks). Ranks are 1 = most deprived.

The published headers differ between vintages (``IMD 2019 - Extent``, ``Income scale``, ``Rank of Income
Scale``, ``Proportion  of`` with two spaces, trailing spaces, ``Income Deprivation Affecting Children Index
(IDACI)`` vs ``IDACI``): each is mapped to one ``measure`` name, ``"<domain> - <statistic>"`` with the 2015
wording (e.g. ``IMD - Average score``), so the two vintages line up; the header as published is kept in
``published_measure``.

Areas are matched to the council reference table on codes (each name must agree with its code). The
indices are not comparable over time as a measure of change in absolute deprivation (ranks are relative
within each vintage); see ``docs/caveats.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.paths import relative
from helpers.data import councils, schemas, sources
from helpers.data.io import read_sheet
from helpers.data.reading import (
    check_registered,
    column_letter,
    long_rows,
    parse_block,
    raise_first,
    registered_paths,
)
from helpers.data.tables import TableSpec, register_table

#: Vintage -> (source id, financial year whose council geography the file uses).
VINTAGES: dict[int, tuple[str, str]] = {2015: ("iod2015_upper_tier", "2015-16"), 2019: ("iod2019_upper_tier", "2019-20")}

#: Sheet -> domain name used in ``measure`` (the 2015 wording).
SHEETS: dict[str, str] = {
    "IMD": "IMD",
    "Income": "Income",
    "Employment": "Employment",
    "Education": "Education, Skills and Training",
    "Health": "Health Deprivation and Disability",
    "Crime": "Crime",
    "Barriers": "Barriers to Housing and Services",
    "Living": "Living Environment",
    "IDACI": "IDACI",
    "IDAOPI": "IDAOPI",
}
#: Published spellings of a domain -> the domain name.
DOMAIN_ALIASES: dict[str, str] = {
    "imd 2019": "IMD",
    "income deprivation affecting children index (idaci)": "IDACI",
    "income deprivation affecting older people (idaopi)": "IDAOPI",
}
#: Statistics, in the published (2015) wording; matched ignoring case and spacing.
STATISTICS: tuple[str, ...] = (
    "Average rank",
    "Rank of average rank",
    "Average score",
    "Rank of average score",
    "Proportion of LSOAs in most deprived 10% nationally",
    "Rank of proportion of LSOAs in most deprived 10% nationally",
    "Extent",
    "Rank of extent",
    "Local concentration",
    "Rank of local concentration",
    "Scale",
    "Rank of scale",
)
_STAT = {s.lower(): s for s in STATISTICS}


def measure_name(header: str, sheet: str, *, file: Path | str, column: str | None = None) -> tuple[str, str, str]:
    """Map a published column header to ``(measure, domain, statistic)``.

    Parameters
    ----------
    header
        The header as published, e.g. ``'IMD 2019 - Rank of extent '`` or ``'Rank of Income Scale'``.
    sheet
        Its sheet, whose domain the header must belong to.

    Raises
    ------
    DataError
        A header that is not a known statistic of the sheet's domain (a changed layout).

    Examples
    --------
    >>> measure_name("Rank of Income Scale", "Income", file="f")
    ('Income - Rank of scale', 'Income', 'Rank of scale')
    """
    domain = SHEETS[sheet]
    text = re.sub(r"\s+", " ", str(header)).strip()
    m = re.match(r"^(?P<dom>.+?) - (?P<stat>.+)$", text)
    if m:
        dom, stat = m.group("dom"), m.group("stat")
    elif (m := re.match(r"^rank of (?P<dom>.+) scale$", text, flags=re.I)):
        dom, stat = m.group("dom"), "Rank of scale"
    elif (m := re.match(r"^(?P<dom>.+) scale$", text, flags=re.I)):
        dom, stat = m.group("dom"), "Scale"
    else:
        raise DataError("not a known IoD summary measure header", file=file, sheet=sheet, row=1, column=column,
                        value=header)
    dom = DOMAIN_ALIASES.get(dom.lower(), dom)
    if dom.lower() != domain.lower() or stat.lower() not in _STAT:
        raise DataError(f"not a known IoD summary measure of the {domain} domain", file=file, sheet=sheet, row=1,
                        column=column, value=header)
    statistic = _STAT[stat.lower()]
    return f"{domain} - {statistic}", domain, statistic


def load_vintage(iod_year: int, path: Path | None = None) -> pd.DataFrame:
    """Read every sheet of one IoD File 11 into long rows.

    Returns
    -------
    pandas.DataFrame
        ``gss_code, iod_year, measure, domain, statistic, published_measure, value, value_status, source_id``
        plus ``_row``/``_file`` (spreadsheet row and sheet) for validation.

    Raises
    ------
    DataError
        A missing sheet, a header row without the code / name columns, an unknown measure header, an area
        code that is not a council, a name that disagrees with its code, or a value that is not a number.
    """
    sid, _ = VINTAGES[iod_year]
    path = path or sources.path(sid)
    sheets = read_sheet(path, list(SHEETS))  # every sheet in one read of the workbook
    parts = [parse_sheet(raw, sheet, iod_year, file=path) for sheet, raw in sheets.items()]
    cols = ["gss_code", "iod_year", "measure", "domain", "statistic", "published_measure", "value", "value_status",
            "source_id", "_row", "_file"]
    return pd.concat(parts, ignore_index=True)[cols]


def parse_sheet(raw: pd.DataFrame, sheet: str, iod_year: int, *, file: Path | str) -> pd.DataFrame:
    """Parse one sheet of an IoD File 11 (cells read with ``header=None``) into long rows.

    Raises
    ------
    DataError
        Naming file, sheet, row and column: the code / name header not in columns A and B, an unknown measure
        header, an area code that is not a council, a name that disagrees with its code, an area listed twice,
        a council of the vintage's geography missing, a value that is not a number.
    """
    sid, geo_year = VINTAGES[iod_year]
    path = file
    if raw.empty:
        raise DataError("the sheet is empty", file=path, sheet=sheet, row=1)
    header = [str(h) for h in raw.iloc[0]]
    if len(header) < 3 or not (re.match(r"^Upper Tier Local Authority District code", header[0])
                               and re.match(r"^Upper Tier Local Authority District name", header[1])):
        raise DataError("expected the upper-tier area code and name in columns A and B", file=path,
                        sheet=sheet, row=1, column="A", value=header[0])
    body = raw.iloc[1:].reset_index(drop=True)
    body = body[body.iloc[:, 0].notna()]
    rows = body.index.to_numpy() + 2
    codes = body.iloc[:, 0].astype(str).str.strip()
    ok = codes.str.match(schemas.COUNCIL_CODE_RE) & codes.isin(councils.reference()["gss_code"])
    raise_first(~ok, "not a council code in the reference table", file=path, sheet=sheet, rows=rows,
                column=header[0], values=codes)
    names = councils.resolve_names(body.iloc[:, 1], file=path, column=header[1], rows=rows, year=geo_year)
    differ = names.to_numpy() != codes.to_numpy()
    if differ.any():
        i = int(np.flatnonzero(differ)[0])
        raise DataError(f"name and code disagree (the name is {names.iloc[i]})", file=path, sheet=sheet,
                        row=int(rows[i]), column=header[0], value=codes.iloc[i])
    raise_first(codes.duplicated(), "an area is listed twice", file=path, sheet=sheet, rows=rows,
                column=header[0], values=codes)
    missing = sorted(set(councils.current(geo_year)["gss_code"]) - set(codes))
    if missing:
        raise DataError(f"{len(missing)} council(s) of {geo_year} missing, first {missing[0]} "
                        f"({councils.name_of(missing[0])}): the sheet is cut short or incomplete", file=path,
                        sheet=sheet, row=int(rows[-1]) if len(rows) else 1, column=header[0])
    measures = [measure_name(h, sheet, file=path, column=column_letter(j)) for j, h in enumerate(header[2:], start=2)]
    values, status = parse_block(body.iloc[:, 2:], file=path, rows=rows, columns=[h.strip() for h in header[2:]],
                                 sheet=sheet)
    per_column = pd.DataFrame(measures, columns=["measure", "domain", "statistic"]).assign(
        published_measure=[re.sub(r"\s+", " ", h).strip() for h in header[2:]])
    part = long_rows(pd.DataFrame({"gss_code": codes.to_numpy(), "_row": rows}), per_column, values, status)
    return part.assign(iod_year=iod_year, source_id=sid, _file=f"{relative(Path(path))} [sheet {sheet!r}]")

def check_deprivation_values(df: pd.DataFrame) -> None:
    """Value-level checks (issue 11): extents and proportions of areas are shares (0-1); ranks are between 1 and
    the number of areas ranked."""
    share = df["statistic"].str.match(r"^(Extent|Proportion)").fillna(False)
    v = df["value"]
    bad = share & ((v < 0) | (v > 1))
    n = df.groupby(["iod_year", "measure"])["gss_code"].transform("nunique")
    bad |= df["statistic"].str.startswith("Rank").fillna(False) & (v > n)
    if bad.any():
        first = df[bad].iloc[0]
        raise DataError(f"{first['measure']} = {first['value']:g} is outside its range (a share 0-1, or a rank up "
                        "to the number of areas)", file=first["_file"], row=int(first["_row"]), column=first["measure"])


def build_deprivation() -> pd.DataFrame:
    """Build the ``deprivation`` table (both vintages, value-checked, validated, sorted)."""
    df = pd.concat([load_vintage(y) for y in VINTAGES], ignore_index=True)
    check_deprivation_values(df)
    df["iod_year"] = df["iod_year"].astype("int64")
    schemas.unique_key(df, ["iod_year", "gss_code", "measure"], table="deprivation")
    out = schemas.validate(df, schemas.DEPRIVATION)
    check_registered(sid for sid, _ in VINTAGES.values())
    return out.sort_values(["iod_year", "measure", "gss_code"]).reset_index(drop=True)


def _inputs() -> list[Path]:
    return registered_paths(sid for sid, _ in VINTAGES.values())


register_table(TableSpec(
    name="deprivation", build=build_deprivation, inputs=_inputs, depends=("councils",), kind="national",
    description="English Indices of Deprivation 2015 and 2019: upper-tier local authority summary measures",
))
