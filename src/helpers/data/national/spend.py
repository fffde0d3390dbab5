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

    ``service_group`` is a harmonised grouping (see :data:`SERVICE_GROUPS`) and ``line_type`` says how a
    row adds up: ``detail`` rows of a council-year-collection-measure sum to its ``total`` row (checked by
    the tests); ``subtotal`` rows are published sums of detail rows (by age, support reason or setting);
    ``memorandum`` rows are "of which" or memo items outside the sum.

``deflators``
    HM Treasury GDP deflator at market prices by financial year (2022-23 = 100 as published), with the
    forecast years' index chained from the published percentage changes; :func:`to_real_terms`
    re-expresses money in the prices of a base year.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError
from helpers.core.paths import REFERENCE
from helpers.data import sources
from helpers.data.io import parse_numbers, read_sheet, require_columns, sheet_names
from helpers.data.reading import (
    check_registered,
    long_rows,
    parse_block,
    raise_first,
    read_csv,
    registered_paths,
)
from helpers.data.tables import TableSpec, register_table

#: Register ids of the RO3 files by financial year.
RO3_SOURCES: dict[str, str] = {"2022-23": "ro3_2022_23", "2023-24": "ro3_2023_24", "2024-25": "ro3_2024_25"}
ASCFR_1415_SOURCE = "pssex_2014_15_expenditure"
ASCFR_1415_YEAR = "2014-15"
ASCFR_SOURCE = "ascfr_2016_17_totals"
ASCFR_YEAR = "2016-17"
DEFLATOR_SOURCE = "gdp_deflators_2023_12"
#: The committed ASC-FR 2016-17 key lookup (with the evidence for each key).
ASCFR_KEYS_CSV: Path = REFERENCE / "ascfr_2016_17_keys.csv"

ENGLAND = "E92000001"
#: ``PSS-EX1`` (the return up to 2013-14) is allowed by the schema; no PSS-EX1 expenditure file is here.
COLLECTIONS = ("RO3", "PSS-EX1", "ASC-FR")
AGE_BANDS = ("18-64", "65+", "18+")
LINE_TYPES = ("detail", "subtotal", "total", "memorandum")

#: Harmonised service groups (``service_group``) and what each means; the per-collection mapping is in
#: :data:`RO3_LINES`, :data:`ASCFR_1415_GROUPS` and :data:`ASCFR_PSR_GROUPS` and in ``docs/methods.md``.
SERVICE_GROUPS: dict[str, str] = {
    "physical_support": "primary support reason: physical support",
    "sensory_support": "primary support reason: sensory support",
    "memory_cognition": "primary support reason: support with memory and cognition",
    "learning_disability": "primary support reason: learning disability support",
    "mental_health": "primary support reason: mental health support",
    "social_support": "social support: substance misuse, asylum seekers, social isolation/other, support to carers",
    "assistive_equipment_technology": "assistive equipment and technology",
    "social_care_activities": "social care activities (ASC-FR); care assessment and safeguarding (RO3)",
    "information_early_intervention": "information and early intervention",
    "commissioning_service_delivery": "commissioning and service delivery (ASC-FR); commissioning, "
                                      "strategy and admin support (RO3)",
    "provider_payments": "RO3 2022-23/2023-24 only: disbursement and other payments to care providers",
    "all_support_reasons": "a subtotal across primary support reasons (ASC-FR 2014-15 'Total' lines)",
    "total": "total adult social care",
    "memorandum": "memorandum items outside the total",
}

# ---------------------------------------------------------------------------------------------------
# RO3
# ---------------------------------------------------------------------------------------------------

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


def join_labels(parts: list[pd.Series]) -> pd.Series:
    """Join label columns row by row with ``": "``, leaving out empty parts (vectorised)."""
    out = pd.Series("", index=parts[0].index, dtype=object)
    for part in parts:
        text = part.fillna("").astype(str)
        sep = np.where((out != "") & (text != ""), ": ", "")
        out = out + sep + text
    return out


def _label(out: pd.DataFrame, year: str, source_id: str, collection: str, path: Path) -> pd.DataFrame:
    """Put the year, register id and collection after ``gss_code``, and the file (for error messages) last."""
    out.insert(1, "year", year)
    out.insert(2, "source_id", source_id)
    out.insert(3, "collection", collection)
    out["_file"] = str(path)
    return out


def _find_row(df: pd.DataFrame, test, what: str, file: Path, sheet: str) -> int:
    hit = next((i for i in range(len(df)) if test(df.iloc[i])), None)
    if hit is None:
        raise DataError(f"no {what} found: unexpected layout", file=file, sheet=sheet)
    return hit


def _ro3_sheet(path: Path, names: list[str] | None = None) -> str:
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


def load_ro3(year: str) -> pd.DataFrame:
    """Read one RO3 file: adult social care lines for councils with ASC responsibility and England.

    Parameters
    ----------
    year
        Financial year of the file, a key of :data:`RO3_SOURCES`.

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
    path = sources.path(RO3_SOURCES[year])
    sheets = read_sheet(path, None)  # every sheet (the others are small) in one read of the workbook
    sheet = _ro3_sheet(path, list(sheets))
    return parse_ro3(sheets[sheet], year, file=path, sheet=sheet)


def parse_ro3(df: pd.DataFrame, year: str, *, file: Path, sheet: str) -> pd.DataFrame:
    """Parse the cells of an RO3 data sheet (read with ``header=None``): see :func:`load_ro3`.

    Parameters
    ----------
    df
        The sheet's cells.
    year
        Financial year of the file (a key of :data:`RO3_SOURCES`).
    file, sheet
        Where the cells came from, for error messages.
    """
    from helpers.data import councils

    sid = RO3_SOURCES[year]
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
    is_council = cls.isin(RO3_ASC_CLASSES) & ons.str.match(r"^E(06|08|09|10)\d{6}$").fillna(False)
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
    return _label(out, year, sid, "RO3", path)


# ---------------------------------------------------------------------------------------------------
# ASC-FR 2014-15 (the "PSS-EX" publication's council-level expenditure file)
# ---------------------------------------------------------------------------------------------------

#: 2014-15 accounting category -> ``measure`` (the six totals of the 2016-17 file; the own-provision /
#: provision-by-others / income-source / capital-charge breakdowns are not loaded).
ASCFR_1415_MEASURES: dict[str, str] = {
    "Gross total cost: total expenditure": "total_expenditure",
    "Income: total": "total_income",
    "Net total expenditure": "net_total_expenditure",
    "Gross total expenditure": "gross_total_expenditure",
    "Net current expenditure": "net_current_expenditure",
    "Gross current expenditure": "gross_current_expenditure",
}
#: 2014-15 ``Summary`` (support reason / category) -> ``service_group``.
ASCFR_1415_GROUPS: dict[str, str] = {
    "Physical support": "physical_support",
    "Sensory support": "sensory_support",
    "Support with memory and cognition": "memory_cognition",
    "Learning disability support": "learning_disability",
    "Mental health support": "mental_health",
    "Total": "all_support_reasons",
    "Social Support: Substance Misuse Support": "social_support",
    "Social Support: Asylum Seeker Support": "social_support",
    "Social Support: Support to Carer": "social_support",
    "Social Support: Support for Social Isolation / Other": "social_support",
    "Assistive equipment and technology": "assistive_equipment_technology",
    "Social care activities": "social_care_activities",
    "Information and early intervention": "information_early_intervention",
    "Commissioning and service delivery": "commissioning_service_delivery",
    "Adult Social Care": "total",
    "Income from Specific and Special Grants": "memorandum",
    "Actual total net cost": "memorandum",
}
ASCFR_1415_AGES = {"Age 18 to 64": "18-64", "Age 65 and over": "65+", "": "18+"}
ASCFR_1415_HEADER = ["Support type", "Age category", "Summary", "Delivery mechanism", "Accounting category"]


def _ascfr_1415_line_type(st: pd.Series, summary: pd.Series, mech: pd.Series) -> pd.Series:
    """Classify 2014-15 rows: detail (additive), subtotal, total, memorandum."""
    salt = st.isin(["Long term", "Short term"])
    out = pd.Series("subtotal", index=st.index, dtype=object)
    out[salt & (summary != "Total") & (mech != "Total")] = "detail"
    nonsalt_detail = (~salt) & summary.str.startswith(("Social Support", "Assistive", "Social care", "Information",
                                                       "Commissioning")) & (mech != "Total")
    out[nonsalt_detail] = "detail"
    out[summary == "Adult Social Care"] = "total"
    out[summary.isin(["Income from Specific and Special Grants", "Actual total net cost"])] = "memorandum"
    return out


def load_ascfr_2014_15() -> pd.DataFrame:
    """Read the 2014-15 council-level expenditure file (ASC-FR year 1; wide: one column per council).

    Returns
    -------
    pandas.DataFrame
        The ``spend`` columns plus ``_row`` and ``_file``, not yet validated. The file has no England or
        regional column.

    Raises
    ------
    DataError
        Header not as expected, an unknown CASSR code in the header, an unknown support reason, a
        non-numeric value in a loaded measure, or a repeated line whose values differ.
    """
    path = sources.path(ASCFR_1415_SOURCE)
    return parse_ascfr_2014_15(read_csv(path, header_row=1, header=None, keep_default_na=False, na_values=[]),
                               file=path)


def parse_ascfr_2014_15(raw: pd.DataFrame, *, file: Path) -> pd.DataFrame:
    """Parse the cells of the 2014-15 expenditure file (read as text with ``header=None``): see
    :func:`load_ascfr_2014_15`."""
    from helpers.data import councils

    path = file
    if raw.shape[0] < 3:
        raise DataError("too few rows: unexpected layout", file=path)
    header = [str(x).strip() for x in raw.iloc[1]]
    if header[:5] != ASCFR_1415_HEADER:
        raise DataError(f"expected the first five columns {ASCFR_1415_HEADER}, found {header[:5]}", file=path, row=2)
    council_cols = [j for j, h in enumerate(header) if re.match(r"^\d{3}\s*-\s*\S", h)]
    if len(council_cols) < 100:
        raise DataError(f"expected one column per council ('102 - Cumbria'), found {len(council_cols)}",
                        file=path, row=2)
    gss = councils.cassr_to_gss(pd.Series([header[j] for j in council_cols]), file=path, column="header",
                                rows=[2] * len(council_cols))
    if gss.duplicated().any():
        raise DataError("a council has two columns", file=path, row=2, value=header[council_cols[gss.duplicated().argmax()]])
    body = raw.iloc[2:].copy()
    body["_row"] = np.arange(len(body)) + 3
    body = body[body[0].astype(str).str.strip().isin(["Long term", "Short term", "Non Salt Totals"])]
    lab = body[[0, 1, 2, 3, 4]].apply(lambda s: s.astype(str).str.strip())
    lab.columns = ["st", "age", "summary", "mech", "acc"]
    raise_first(~lab["summary"].isin(ASCFR_1415_GROUPS), "unknown support reason / category", file=path,
                rows=body["_row"], column="Summary", values=lab["summary"])
    raise_first(~lab["age"].isin(ASCFR_1415_AGES), "unknown age category", file=path, rows=body["_row"],
                column="Age category", values=lab["age"])
    keep = lab["acc"].isin(ASCFR_1415_MEASURES)
    body, lab = body[keep], lab[keep]
    # the 'Adult Social Care' total lines come last in the data block: a file cut short has lost them
    totals = set(lab.loc[lab["summary"] == "Adult Social Care", "acc"])
    lost = [m for m in ASCFR_1415_MEASURES if m not in totals]
    if lost:
        raise DataError(f"no 'Adult Social Care' total line for {lost[0]!r}: the file is cut short or its layout "
                        "changed", file=path, row=int(raw.shape[0]), column="Accounting category")
    # the file repeats the non-SALT category totals in its summary block: keep the first, check equal
    key = lab[["st", "age", "summary", "mech", "acc"]].apply(tuple, axis=1)
    rep = key.duplicated(keep=False)
    if rep.any():
        vals = body.loc[rep, council_cols].astype(str)
        first = vals.groupby(key[rep]).transform("first")
        differ = (vals != first).any(axis=1)
        raise_first(differ, "a repeated line has different values from its first appearance", file=path,
                    rows=body.loc[rep, "_row"], column="Accounting category")
        first_only = ~key.duplicated(keep="first")
        body, lab = body[first_only], lab[first_only]
    st = lab["st"]
    mech = lab["mech"]
    # service line as published: support type (not for the non-SALT block), summary, delivery mechanism
    parts = pd.DataFrame({"a": st.where(st != "Non Salt Totals", ""), "b": lab["summary"],
                          "c": mech.where(mech != "", "")})
    service_line = join_labels([parts["a"], parts["b"], parts["c"]])
    line_type = _ascfr_1415_line_type(st, lab["summary"], mech)
    per_row = pd.DataFrame({
        "service_line": service_line.to_numpy(),
        "service_group": lab["summary"].map(ASCFR_1415_GROUPS).to_numpy(),
        "line_type": line_type.to_numpy(),
        "age_band": lab["age"].map(ASCFR_1415_AGES).to_numpy(),
        "measure": lab["acc"].map(ASCFR_1415_MEASURES).to_numpy(),
        "_row": body["_row"].to_numpy(),
    })
    values, status = parse_block(body[council_cols], file=path, rows=body["_row"].to_numpy(),
                                 columns=[header[j] for j in council_cols], extra_markers={"": "missing"})
    out = long_rows(per_row, pd.DataFrame({"gss_code": gss.to_numpy()}), values, status, value="value_gbp_k")
    out = out[["gss_code", *[c for c in out.columns if c != "gss_code"]]]
    return _label(out, ASCFR_1415_YEAR, ASCFR_1415_SOURCE, "ASC-FR", path)


# ---------------------------------------------------------------------------------------------------
# ASC-FR 2016-17
# ---------------------------------------------------------------------------------------------------

#: ASC-FR value columns -> ``measure``.
ASCFR_MEASURES: dict[str, str] = {
    "TOTALEXPENDITURE": "total_expenditure",
    "TOTALINCOME": "total_income",
    "NETTOTALEXPENDITURE": "net_total_expenditure",
    "GROSSTOTALEXPENDITURE": "gross_total_expenditure",
    "NETCURRENTEXPENDITURE": "net_current_expenditure",
    "GROSSCURRENTEXPENDITURE": "gross_current_expenditure",
}
#: ASC-FR PrimarySupportReason_KEY -> ``service_group``.
ASCFR_PSR_GROUPS: dict[int, str] = {
    1: "assistive_equipment_technology", 2: "commissioning_service_delivery", 3: "information_early_intervention",
    4: "learning_disability", 5: "mental_health", 6: "physical_support", 7: "sensory_support",
    8: "social_care_activities", 9: "social_support", 10: "social_support", 11: "social_support",
    12: "social_support", 13: "memory_cognition",
}
#: Councils of 2016-17 with no rows in the ASC-FR 2016-17 data files (the Isles of Scilly).
ASCFR_ABSENT = frozenset({"E06000053"})
ASCFR_KEY_COLUMNS = ("CareType_KEY", "AgeBand_KEY", "PrimarySupportReason_KEY", "SupportSetting_KEY", "Purpose_KEY",
                     "CarerSupportType_KEY", "DataType_KEY")


@lru_cache(maxsize=1)
def ascfr_keys() -> pd.DataFrame:
    """Return the committed ASC-FR 2016-17 key lookup (``dimension, key, label, status, evidence``)."""
    path = ASCFR_KEYS_CSV
    if not path.is_file():
        raise DataError("the ASC-FR key lookup is missing (it is committed)", file=path)
    df = pd.read_csv(path, dtype={"key": int, "dimension": str, "label": str, "status": str})
    require_columns(df, ["dimension", "key", "label", "status", "evidence"], file=path)
    return df


def _key_labels(dimension: str) -> dict[int, str]:
    k = ascfr_keys()
    k = k[(k["dimension"] == dimension) & (k["status"] == "established")]
    return dict(zip(k["key"].astype(int), k["label"], strict=True))


def _decode(df: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Map a key column to labels; a key absent from the lookup raises (blank keys stay blank)."""
    labels = _key_labels(column)
    keys = pd.to_numeric(df[column], errors="coerce")
    out = keys.map(lambda k: labels.get(int(k)) if pd.notna(k) else "")
    raise_first(out.isna(), f"key not established in {ASCFR_KEYS_CSV.name} (left unmapped rather than guessed)",
                file=path, rows=df["_row"], column=column, values=df[column])
    return out.astype(str)


def _ascfr_2016_17_areas() -> set[str]:
    from helpers.data import councils

    return (set(councils.current(ASCFR_YEAR)["gss_code"]) - ASCFR_ABSENT) | set(councils.regions()["region_code"])


def check_areas(df: pd.DataFrame, expected: set[str], *, what: str) -> None:
    """Every expected area has rows (a file cut at a record boundary loses its last areas).

    Raises
    ------
    DataError
        Naming the file, its last row and the first missing area.
    """
    from helpers.data import councils

    missing = sorted(expected - set(df["gss_code"]))
    if missing:
        last = df.iloc[-1] if len(df) else None
        raise DataError(f"{len(missing)} area(s) of {what} have no rows, first {missing[0]} "
                        f"({councils.name_of(missing[0])}): the file is cut short or incomplete",
                        file=None if last is None else last["_file"], row=None if last is None else int(last["_row"]),
                        column="gss_code")


def load_ascfr_2016_17() -> pd.DataFrame:
    """Read the ASC-FR 2016-17 Totals file (mandatory rows), decoding its keys with :func:`ascfr_keys`.

    Returns
    -------
    pandas.DataFrame
        The ``spend`` columns plus ``_row`` and ``_file`` for councils (``GEOGRAPHY_CODE``, checked against
        ``CASSR_CODE``), regions and England (``REGION_GO_CODE`` on rows without a council), not validated.

    Raises
    ------
    DataError
        A missing column, a key not in the lookup, a council whose GSS and CASSR codes disagree, or a
        non-numeric value.
    """
    from helpers.data import councils

    path = sources.path(ASCFR_SOURCE)
    df = read_csv(path)
    require_columns(df, ["FY_Ending", "CASSR_CODE", "GEOGRAPHY_CODE", "REGION_GO_CODE", *ASCFR_KEY_COLUMNS,
                         *ASCFR_MEASURES], file=path)
    df["_row"] = np.arange(len(df)) + 2
    fy = df["FY_Ending"].astype(str).str.strip()
    raise_first(fy != "2017", "expected FY_Ending 2017 (2016-17) throughout", file=path, rows=df["_row"],
                column="FY_Ending", values=fy)
    dtype = pd.to_numeric(df["DataType_KEY"], errors="coerce")
    df = df[dtype == 1].copy()
    is_council = df["CASSR_CODE"].notna()
    gss = df["GEOGRAPHY_CODE"].where(is_council, df["REGION_GO_CODE"]).astype("string").str.strip()
    if is_council.any():
        from_cassr = councils.cassr_to_gss(df.loc[is_council, "CASSR_CODE"], file=path, column="CASSR_CODE",
                                           rows=df.loc[is_council, "_row"])
        clash = (from_cassr != gss[is_council]).fillna(True)
        raise_first(clash, "GEOGRAPHY_CODE disagrees with CASSR_CODE", file=path, rows=df.loc[is_council, "_row"],
                    column="GEOGRAPHY_CODE", values=gss[is_council])
    expected = _ascfr_2016_17_areas()
    raise_first(~gss.isin(expected).fillna(False), f"not a council of {ASCFR_YEAR}, a region or England",
                file=path, rows=df["_row"], column="GEOGRAPHY_CODE", values=gss)
    care = _decode(df, "CareType_KEY", path)
    age = _decode(df, "AgeBand_KEY", path)
    psr = _decode(df, "PrimarySupportReason_KEY", path)
    setting = _decode(df, "SupportSetting_KEY", path)
    purpose = _decode(df, "Purpose_KEY", path)
    carer = _decode(df, "CarerSupportType_KEY", path)
    age_band = age.replace("", "18+")
    raise_first(~age_band.isin(AGE_BANDS), "mandatory row with an age band other than 18-64 / 65+", file=path,
                rows=df["_row"], column="AgeBand_KEY", values=age)
    prefix = care.where(care.isin(["Long term support", "Short term support"]), "")
    line = join_labels([prefix, psr, setting, purpose, carer])
    group = pd.to_numeric(df["PrimarySupportReason_KEY"]).astype(int).map(ASCFR_PSR_GROUPS)
    per_row = pd.DataFrame({
        "gss_code": gss.to_numpy(), "service_line": line.to_numpy(), "service_group": group.to_numpy(),
        "line_type": "detail", "age_band": age_band.to_numpy(), "_row": df["_row"].to_numpy(),
    })
    raise_first(per_row.duplicated(["gss_code", "service_line", "age_band"]).to_numpy(),
                "the same area, line and age band twice (a duplicated row)", file=path, rows=df["_row"],
                column="GEOGRAPHY_CODE", values=gss)
    values, status = parse_block(df[list(ASCFR_MEASURES)], file=path, rows=df["_row"].to_numpy(),
                                 columns=list(ASCFR_MEASURES))
    out = long_rows(per_row, pd.DataFrame({"measure": list(ASCFR_MEASURES.values())}), values, status,
                    value="value_gbp_k")
    return _label(out, ASCFR_YEAR, ASCFR_SOURCE, "ASC-FR", path)


# ---------------------------------------------------------------------------------------------------
# the spend table
# ---------------------------------------------------------------------------------------------------

SPEND_COLUMNS = ["gss_code", "year", "source_id", "collection", "service_line", "service_group", "line_type",
                 "age_band", "measure", "value_gbp_k", "value_status"]
SPEND_KEY = ["gss_code", "year", "collection", "service_line", "age_band", "measure"]
#: Register ids of the files the ``spend`` table is built from.
SPEND_SOURCE_IDS = (ASCFR_1415_SOURCE, ASCFR_SOURCE, *RO3_SOURCES.values())


def build_spend() -> pd.DataFrame:
    """Build the ``spend`` table from RO3 (2022-23..2024-25) and ASC-FR 2014-15 and 2016-17.

    Returns
    -------
    pandas.DataFrame
        Validated against :data:`helpers.data.schemas.SPEND_SCHEMA`, sorted by year, collection, council,
        service line, age band and measure.
    """
    from helpers.data.schemas import SPEND_SCHEMA, unique_key, validate

    ascfr = load_ascfr_2016_17()
    check_areas(ascfr, _ascfr_2016_17_areas(), what=f"ASC-FR {ASCFR_YEAR} (all but the Isles of Scilly)")
    frames = [load_ascfr_2014_15(), ascfr, *(load_ro3(y) for y in RO3_SOURCES)]
    df = pd.concat(frames, ignore_index=True)
    unique_key(df, SPEND_KEY, table="spend")
    out = validate(df, SPEND_SCHEMA)
    check_registered(SPEND_SOURCE_IDS)
    return out.sort_values(["year", "collection", "gss_code", "service_line", "age_band", "measure"],
                           kind="mergesort").reset_index(drop=True)[SPEND_COLUMNS]


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
        from helpers.data import tables

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
    from helpers.data.schemas import DEFLATORS_SCHEMA, unique_key, validate

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
        from helpers.data import tables

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
    return [*registered_paths(SPEND_SOURCE_IDS), ASCFR_KEYS_CSV]


register_table(TableSpec(
    name="spend",
    build=build_spend,
    inputs=_spend_inputs,
    depends=("councils",),
    description="Adult social care expenditure by council, service line, age band and measure (£k): "
                "ASC-FR 2014-15 and 2016-17, RO3 2022-23..2024-25 (separate collections)",
))
register_table(TableSpec(
    name="deflators",
    build=build_deflators,
    inputs=lambda: registered_paths([DEFLATOR_SOURCE]),
    description="HM Treasury GDP deflator at market prices by financial year (2022-23 = 100), forecasts flagged",
))
