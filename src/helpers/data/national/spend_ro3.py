"""Reading the RO3 revenue outturn files (MHCLG): adult social care lines of every council with adult social
services responsibility and England, as rows of the ``spend`` table (built by
:mod:`helpers.data.national.spend`).

Measures C1..C7 (employees, running expenses, total expenditure, sales/fees/charges, other income, total
income, net current expenditure) for the councils of classes UA, MD, LB and SC.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataError
from helpers.data import councils, sources
from helpers.data.councils import ENGLAND
from helpers.data.io import read_sheet, sheet_names
from helpers.data.national.spend_lines import label_rows
from helpers.data.reading import long_rows, parse_block, raise_first
from helpers.data.schemas import COUNCIL_CODE_RE

#: Register family of the RO3 files (one financial year each; ``years`` in the register).
RO3_FAMILY = "ro3"


def ro3_sources() -> dict[str, str]:
    """Register id of the RO3 file of each financial year (the latest release where a year has two)."""
    out: dict[str, str] = {}
    for src in sources.family(RO3_FAMILY):
        if len(src.years) != 1:
            raise DataError(f"an RO3 file covers one financial year; the register gives {list(src.years)}",
                            file=src.file, column="years")
        out[src.years[0]] = src.id
    return dict(sorted(out.items()))


#: RO3 column measure suffix -> ``measure``.
RO3_MEASURES: dict[str, str] = {
    "empl": "employees",
    "run-exp": "running_expenses",
    "tot-exp": "total_expenditure",
    "sfc": "sales_fees_and_charges",
    "oth-inc": "other_income",
    "tot-inc": "total_income",
    "net-cur-exp": "net_current_expenditure",
}
#: RO3 line code (the ``RO3-asc<code>-<measure>`` variable names of the file) -> (service_group, age_band,
#: line_type). ``detail`` lines sum to ``tot`` (checked by the tests, to rounding).
RO3_LINES: dict[str, tuple[str, str, str]] = {
    "phyadl": ("physical_support", "18-64", "detail"),
    "phyold": ("physical_support", "65+", "detail"),
    "snsadl": ("sensory_support", "18-64", "detail"),
    "snsold": ("sensory_support", "65+", "detail"),
    "mmradl": ("memory_cognition", "18-64", "detail"),
    "mmrold": ("memory_cognition", "65+", "detail"),
    "lrnadl": ("learning_disability", "18-64", "detail"),
    "lrnold": ("learning_disability", "65+", "detail"),
    "mntadl": ("mental_health", "18-64", "detail"),
    "mntold": ("mental_health", "65+", "detail"),
    "sclsbs": ("social_support", "18+", "detail"),
    "sclasy": ("social_support", "18+", "detail"),
    "sclisl": ("social_support", "18+", "detail"),
    "sclcrr": ("social_support", "18+", "detail"),
    "sclcrradl": ("social_support", "18-64", "memorandum"),
    "sclcrrold": ("social_support", "65+", "memorandum"),
    "ass": ("assistive_equipment_technology", "18+", "detail"),
    "assadl": ("assistive_equipment_technology", "18-64", "memorandum"),
    "assold": ("assistive_equipment_technology", "65+", "memorandum"),
    "crasssfg": ("social_care_activities", "18+", "detail"),
    "crasssfgadl": ("social_care_activities", "18-64", "memorandum"),
    "crasssfgold": ("social_care_activities", "65+", "memorandum"),
    "inf": ("information_early_intervention", "18+", "detail"),
    "infadl": ("information_early_intervention", "18-64", "memorandum"),
    "infold": ("information_early_intervention", "65+", "memorandum"),
    "cmstad": ("commissioning_service_delivery", "18+", "detail"),
    "cmstadadl": ("commissioning_service_delivery", "18-64", "memorandum"),
    "cmstadold": ("commissioning_service_delivery", "65+", "memorandum"),
    "dsbcr": ("provider_payments", "18+", "detail"),
    "othnondsbcr": ("provider_payments", "18+", "detail"),
    "tot": ("total", "18+", "total"),
    "svmem": ("memorandum", "18+", "memorandum"),
    "sup-anc-exp": ("memorandum", "18+", "memorandum"),
}
#: Council classes of RO3 with adult social services responsibility.
RO3_ASC_CLASSES = ("UA", "MD", "LB", "SC")
_RO3_CODE_RE = re.compile(
    r"^RO3-(?:asc(?P<line>[a-z]+)|ph(?P<sp>sup-anc-exp)-asc)-(?P<measure>" + "|".join(RO3_MEASURES) + r")$"
)
_RO3_LABEL_RE = re.compile(
    r"^(?P<line>.*?)\s+-\s+(?:Employees|Running Expenses|Total Expenditure|Sales, Fees and Charges|Other Income|"
    r"Total Income|Net Current Expenditure|Adult Social Care - agency staff)\b"
)
_NOTE_RE = re.compile(r"\s*\[note \d+\]", re.IGNORECASE)
_MEMO_LABEL = "Adult Social Care - agency staff memorandum item"


def _clean_label(text: object) -> str:
    return re.sub(r"\s+", " ", _NOTE_RE.sub("", str(text))).strip()



def _find_row(df: pd.DataFrame, test, what: str, file: Path, sheet: str) -> int:
    hit = next((i for i in range(len(df)) if test(df.iloc[i])), None)
    if hit is None:
        raise DataError(f"no {what} found: unexpected layout", file=file, sheet=sheet)
    return hit


def ro3_sheet(path: Path, names: list[str] | None = None) -> str:
    """The RO3 data sheet's name among the workbook's sheets (``names``, read from the file when ``None``)."""
    names = sheet_names(path) if names is None else names
    hits = [s for s in names if s.upper().startswith("RO3_LA_DATA")]
    if len(hits) != 1:
        raise DataError(f"expected one sheet named 'RO3_LA_Data_...', found {names}", file=path)
    return hits[0]


def _ro3_columns(df: pd.DataFrame, codes_row: int, header_row: int, path: Path, sheet: str) -> pd.DataFrame:
    """Map each adult social care column to (line code, measure, published label)."""
    section = df.iloc[header_row - 1].ffill() if header_row > 0 else pd.Series(index=df.columns, dtype=object)
    out = []
    for j in df.columns:
        code = df.iat[codes_row, j]
        if not isinstance(code, str) or not (code.startswith("RO3-asc") or "-anc-exp-asc-" in code):
            continue
        m = _RO3_CODE_RE.match(code.strip())
        if not m:
            raise DataError(f"unknown RO3 adult social care variable {code!r}", file=path, sheet=sheet,
                            row=codes_row + 1, column=code)
        line = m.group("line") or m.group("sp")
        if line not in RO3_LINES:
            raise DataError(f"unknown RO3 adult social care line {line!r}: add it to RO3_LINES", file=path,
                            sheet=sheet, row=codes_row + 1, column=code)
        header = str(df.iat[header_row, j])
        if line == "svmem":
            label = _MEMO_LABEL
        else:
            lm = _RO3_LABEL_RE.match(_clean_label(header))
            label = lm.group("line") if lm else _clean_label(section.iloc[j])
        if not label or label == "nan":
            raise DataError("no service line label for this column", file=path, sheet=sheet, row=header_row + 1,
                            column=code)
        out.append({"col": j, "code": code.strip(), "line": line, "measure": RO3_MEASURES[m.group("measure")],
                    "service_line": label})
    cols = pd.DataFrame(out)
    if cols.empty:
        raise DataError("no adult social care columns (RO3-asc*) found: unexpected layout", file=path, sheet=sheet,
                        row=codes_row + 1)
    # A column's line is the one of its heading block: MHCLG's 2022-23 file has the codes of the two carers'
    # "Total Income" columns swapped (RO3-ascsclcrrold-tot-inc under the 18-64 heading and vice versa); the
    # heading is right (C6 = C4 + C5 holds by position, not by code). So a code that disagrees with the
    # other codes of its block takes the block's line; a block with no majority is an error.
    block = (cols["service_line"] != cols["service_line"].shift()).cumsum()
    for _, grp in cols.groupby(block):
        counts = grp["line"].value_counts()
        if len(counts) > 1:
            if counts.iloc[0] == counts.iloc[1]:
                raise DataError(f"the variable codes under heading {grp['service_line'].iloc[0]!r} disagree "
                                f"({sorted(counts.index)})", file=path, sheet=sheet, row=codes_row + 1,
                                column=grp["code"].iloc[0])
            cols.loc[grp.index, "line"] = counts.index[0]
    if cols.duplicated(["line", "measure"]).any():
        dup = cols[cols.duplicated(["line", "measure"])].iloc[0]
        raise DataError("two columns for the same line and measure", file=path, sheet=sheet, row=codes_row + 1,
                        column=dup["code"])
    if not {"tot"} <= set(cols["line"]):
        raise DataError("no 'TOTAL ADULT SOCIAL CARE' columns (RO3-asctot-*) found: unexpected layout",
                        file=path, sheet=sheet, row=codes_row + 1)
    missing = set(RO3_MEASURES.values()) - set(cols.loc[cols["line"] == "tot", "measure"])
    if missing:
        raise DataError(f"TOTAL ADULT SOCIAL CARE lacks measure(s) {sorted(missing)}", file=path, sheet=sheet,
                        row=codes_row + 1)
    return cols


def load_ro3(year: str, source_id: str | None = None, path: Path | None = None) -> pd.DataFrame:
    """Read one RO3 file: adult social care lines for councils with ASC responsibility and England.

    Parameters
    ----------
    year
        Financial year of the file (a year of :func:`ro3_sources`).
    source_id
        The register id (default: the latest RO3 file of ``year``).
    path
        Read this file instead of the registered one (``asc data add`` checks a file before registering it).

    Returns
    -------
    pandas.DataFrame
        The ``spend`` columns plus ``_row`` (spreadsheet row) and ``_file``, not yet validated.

    Raises
    ------
    DataError
        Unexpected layout (no header or variable-code row, unknown ASC variable), a council code that is
        not a council with adult social services in ``year``, a missing council, a duplicated council, or a
        value that is neither a number nor a known marker -- naming file, row and column.
    """
    sid = source_id or ro3_sources().get(year)
    if sid is None:
        raise DataError(f"no RO3 file registered for {year} (registered: {sorted(ro3_sources())})")
    path = sources.path(sid) if path is None else path
    sheets = read_sheet(path, None)  # every sheet (the others are small) in one read of the workbook
    sheet = ro3_sheet(path, list(sheets))
    return parse_ro3(sheets[sheet], year, file=path, sheet=sheet, source_id=sid)


def parse_ro3(df: pd.DataFrame, year: str, *, file: Path, sheet: str, source_id: str | None = None) -> pd.DataFrame:
    """Parse the cells of an RO3 data sheet (read with ``header=None``): see :func:`load_ro3`.

    Parameters
    ----------
    df
        The sheet's cells.
    year
        Financial year of the file.
    file, sheet
        Where the cells came from, for error messages.
    source_id
        The register id of the file (default: the latest registered RO3 file of ``year``).
    """
    sid = source_id or ro3_sources().get(year) or f"ro3_{year.replace('-', '_')}"
    path = file
    df = df.copy()
    df.columns = range(df.shape[1])
    header_row = _find_row(df, lambda r: str(r.iloc[0]).strip() == "E-code", "header row ('E-code')", path, sheet)
    codes_row = _find_row(df, lambda r: sum(str(x).startswith("RO3-") for x in r) > 50,
                          "row of RO3 variable codes", path, sheet)
    head = [str(x).strip() for x in df.iloc[header_row, :7]]
    for j, want in ((1, "ONS Code"), (2, "Local authority"), (4, "Class")):
        if head[j] != want:
            raise DataError(f"expected column {want!r} here, found {head[j]!r}", file=path, sheet=sheet,
                            row=header_row + 1, column=want)
    cols = _ro3_columns(df, codes_row, header_row, path, sheet)
    body = df.iloc[header_row + 1:]
    stop = body.index[body[0].astype(str).str.strip() == "E-code"]  # the class-totals table below
    if len(stop):
        body = body.loc[: stop[0] - 1]
    ons = body[1].astype("string").str.strip()
    cls = body[4].astype("string").str.strip()
    is_council = cls.isin(RO3_ASC_CLASSES) & ons.str.match(COUNCIL_CODE_RE).fillna(False)
    keep = body[is_council | (ons == ENGLAND)]
    rows = pd.Series(keep.index + 1, index=keep.index)  # 1-based spreadsheet rows
    gss = ons[keep.index]
    raise_first(gss.duplicated(), "council listed twice", file=path, sheet=sheet, rows=rows, column="ONS Code",
                values=gss)
    expected = set(councils.current(year)["gss_code"])
    raise_first(~gss.isin(expected | {ENGLAND}), f"not a council with adult social services in {year} "
                "(helpers.data.councils)", file=path, sheet=sheet, rows=rows, column="ONS Code", values=gss)
    absent = sorted(expected - set(gss))
    if absent or ENGLAND not in set(gss):
        raise DataError(f"council(s) missing from the file: {absent or [ENGLAND]}", file=path, sheet=sheet,
                        column="ONS Code")
    notes = {v for v in pd.unique(keep[cols["col"]].to_numpy().ravel()) if isinstance(v, str)
             and re.fullmatch(r"\[note \d+\]", v.strip(), re.IGNORECASE)}
    markers = {"[n]": "not_available", **{n.strip().lower(): "not_available" for n in notes}}
    values, status = parse_block(keep[cols["col"]], file=path, rows=rows.to_numpy(), columns=cols["code"].tolist(),
                                 extra_markers=markers, sheet=sheet)
    line = cols["line"].map(RO3_LINES)
    per_column = pd.DataFrame({
        "service_line": cols["service_line"], "service_group": line.str[0], "line_type": line.str[2],
        "age_band": line.str[1], "measure": cols["measure"],
    })
    per_row = pd.DataFrame({"gss_code": gss.to_numpy(), "_row": rows.to_numpy()})
    out = long_rows(per_row, per_column, values, status, value="value_gbp_k")
    return label_rows(out, year, sid, "RO3", path)


