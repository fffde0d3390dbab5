"""Reading the Adult Social Care Finance Return files (NHS Digital / HSCIC) as rows of the ``spend`` table
(built by :mod:`helpers.data.national.spend`).

* 2014-15: the council-level expenditure file of "Personal Social Services: Expenditure and Unit Costs
  2014-15" (wide: one column per council keyed by CASSR code; the first year of the ASC-FR);
* 2016-17 Totals (key-coded): the keys are decoded with the committed lookup
  ``data/raw/reference/ascfr_2016_17_keys.csv`` (evidence per key; see ``docs/methods.md``); only mandatory
  rows (``DataType_KEY`` 1, ages 18-64 and 65+) are loaded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.paths import REFERENCE
from helpers.data import councils, sources
from helpers.data.io import require_columns
from helpers.data.national.spend_lines import AGE_BANDS, join_labels, label_rows
from helpers.data.reading import long_rows, parse_block, raise_first, read_csv

ASCFR_1415_SOURCE = "pssex_2014_15_expenditure"
ASCFR_1415_YEAR = "2014-15"
ASCFR_SOURCE = "ascfr_2016_17_totals"
ASCFR_YEAR = "2016-17"
#: The committed ASC-FR 2016-17 key lookup (with the evidence for each key).
ASCFR_KEYS_CSV: Path = REFERENCE / "ascfr_2016_17_keys.csv"

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
    return label_rows(out, ASCFR_1415_YEAR, ASCFR_1415_SOURCE, "ASC-FR", path)


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


def ascfr_2016_17_areas() -> set[str]:
    return (set(councils.current(ASCFR_YEAR)["gss_code"]) - ASCFR_ABSENT) | set(councils.regions()["region_code"])


def check_areas(df: pd.DataFrame, expected: set[str], *, what: str) -> None:
    """Every expected area has rows (a file cut at a record boundary loses its last areas).

    Raises
    ------
    DataError
        Naming the file, its last row and the first missing area.
    """
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
    expected = ascfr_2016_17_areas()
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
    return label_rows(out, ASCFR_YEAR, ASCFR_SOURCE, "ASC-FR", path)


