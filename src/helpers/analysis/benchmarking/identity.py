"""ASCOF measures across the 2023-24 renumbering: stable ids, the code shown for a year, series breaks.

A measure's values form one series under its stable ``measure_id`` (the crosswalk
``data/raw/reference/ascof_crosswalk.csv``, :mod:`helpers.data.national.ascof_crosswalk`); a table shows the
code of the framework of the year shown and, from 2023-24, the earlier code beside it (``2C (was 2A(2))``). A
series break (table ``ascof_series_breaks``: a changed definition at the renumbering, the move from SALT to
client-level data in 2024-25, a method change) is said wherever a series crosses it (``docs/methods.md``,
*ASCOF measures across frameworks*).
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.core.errors import ParameterError
from helpers.data import tables
from helpers.data.national import ascof_crosswalk, ascof_measures

#: Short names for tables and charts by code up to 2022-23 (the registry keeps the handbook's full names);
#: a measure keeps its short name under its code from 2023-24 (:func:`short_name`).
SHORT_NAMES: dict[str, str] = {
    "1A": "Quality of life of people who use services",
    "1B": "People who use services who have control over their daily life",
    "1C(1A)": "People who use services receiving self-directed support",
    "1C(1B)": "Carers receiving self-directed support",
    "1C(2A)": "People who use services receiving direct payments",
    "1C(2B)": "Carers receiving direct payments",
    "1D": "Carer-reported quality of life",
    "1E": "Adults with a learning disability in paid employment",
    "1F": "Adults in secondary mental health services in paid employment",
    "1G": "Adults with a learning disability living in their own home or with family",
    "1H": "Adults in secondary mental health services living independently",
    "1I(1)": "People who use services with as much social contact as they would like",
    "1I(2)": "Carers with as much social contact as they would like",
    "1J": "Impact of adult social care services on quality of life",
    "2A(1)": "Permanent admissions to care homes, aged 18-64, per 100,000",
    "2A(2)": "Permanent admissions to care homes, aged 65+, per 100,000",
    "2B(1)": "Older people still at home 91 days after reablement",
    "2B(2)": "Older people offered reablement after hospital discharge",
    "2C(1)": "Delayed transfers of care, per 100,000",
    "2C(2)": "Delayed transfers of care attributable to social care, per 100,000",
    "2C(3)": "Delayed transfers of care jointly attributable, per 100,000",
    "2D": "Short-term support ending with no or lower-level ongoing support",
    "3A": "Satisfaction of people who use services",
    "3B": "Satisfaction of carers",
    "3C": "Carers included or consulted",
    "3D(1)": "People who use services finding it easy to find information",
    "3D(2)": "Carers finding it easy to find information",
    "4A": "People who use services who feel safe",
    "4B": "People who say services made them feel safe and secure",
}
NEW_FRAMEWORK = "from 2023-24"
#: The first year of the framework from 2023-24 (the renumbering).
RENUMBERED_IN: str = ascof_crosswalk.FRAMEWORKS[NEW_FRAMEWORK][0]


def _cw() -> pd.DataFrame:
    return ascof_crosswalk.crosswalk()


def ids_of(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The stable ``measure_id`` of each code (a code of either framework; earlier codes first), in order.

    A code unknown to the crosswalk is dropped (the parameter check names unknown codes).
    """
    cw = _cw()
    old = dict(zip(cw["code_to_2022_23"], cw["measure_id"], strict=True))
    new = dict(zip(cw["code_from_2023_24"], cw["measure_id"], strict=True))
    out = [old.get(c) or new.get(c) for c in codes]
    return list(dict.fromkeys(i for i in out if i))


def earlier_code(measure_id: pd.Series, framework: pd.Series) -> pd.Series:
    """The code up to 2022-23 of rows of the framework from 2023-24 whose code changed; ``""`` otherwise."""
    cw = _cw()
    old = measure_id.map(dict(zip(cw["measure_id"], cw["code_to_2022_23"], strict=True))).fillna("")
    new = measure_id.map(dict(zip(cw["measure_id"], cw["code_from_2023_24"], strict=True))).fillna("")
    return old.where((framework == NEW_FRAMEWORK) & (old != new) & (old != ""), "")


def code_shown(code: pd.Series, earlier: pd.Series) -> pd.Series:
    """The code as a table shows it: ``2C (was 2A(2))`` where the earlier code differs, else the code."""
    return code.where(earlier == "", code + " (was " + earlier + ")")


def short_name(measure_id: str, fallback: str = "") -> str:
    """The short name of a measure (by its code up to 2022-23), else ``fallback``."""
    cw = _cw().set_index("measure_id")
    old = cw["code_to_2022_23"].get(measure_id, "")
    return SHORT_NAMES.get(old, fallback) if old else fallback


def breaks() -> pd.DataFrame:
    """The ``ascof_series_breaks`` table (every measure's series breaks, with the reason)."""
    return tables.cached("ascof_series_breaks")


def breaks_within(measure_ids: list[str], years: list[str]) -> pd.DataFrame:
    """Breaks of these measures that a series over ``years`` crosses (a year before the break and one at or
    after it), sorted by measure and year; ``measure_id, year, kind, reason, source_url``."""
    b = breaks()
    if not years:
        return b.iloc[0:0]
    lo, hi = min(years), max(years)
    keep = b["measure_id"].isin(measure_ids) & (b["year"] > lo) & (b["year"] <= hi)
    return b[keep].sort_values(["measure_id", "year", "kind"]).reset_index(drop=True)


def breaks_in_panels(trend: pd.DataFrame) -> pd.DataFrame:
    """The breaks each measure's own series crosses: :func:`breaks_within` per ``measure_id`` of a trend frame
    (:func:`helpers.analysis.benchmarking.outcomes.trend`), over the years where that measure has a value (the
    council's, its group's or England's), so a panel whose values end before a break never names it."""
    parts = [breaks_within([str(mid)], sorted(part.loc[part[["council", "group_median", "england"]].notna().any(
        axis=1), "year"].unique())) for mid, part in trend.groupby("measure_id", sort=False)]
    return (pd.concat(parts, ignore_index=True) if parts else breaks().iloc[0:0]).sort_values(
        ["measure_id", "year", "kind"]).reset_index(drop=True)


def last_unbroken(measure_id: str, years: list[str]) -> str | None:
    """The year the measure's latest unbroken series starts within ``years`` (``None``: no break there)."""
    b = breaks_within([measure_id], years)
    return str(b["year"].max()) if len(b) else None


def in_year(code: str, year: str) -> tuple[str, str]:
    """The stable ``measure_id`` of a code published for ``year`` and the code as shown (``2C (was 2A(2))``).

    The year's framework decides what the code means (a reused code names another measure in each); a code the
    crosswalk does not give for that framework has no id (``""``) and is shown as it is.
    """
    cw = _cw()
    fw = ascof_crosswalk.framework_of(year)
    col = "code_to_2022_23" if fw != NEW_FRAMEWORK else "code_from_2023_24"
    hit = cw[(cw[col] == code) & (cw[col] != "")]
    if hit.empty:
        return "", code
    mid = str(hit["measure_id"].iloc[0])
    earlier = earlier_code(pd.Series([mid]), pd.Series([fw])).iloc[0]
    return mid, str(code_shown(pd.Series([code]), pd.Series([earlier])).iloc[0])


def name_of(measure_id: str, fallback: str = "") -> str:
    """The short name of a measure; one without a code up to 2022-23 takes its name from 2023-24."""
    if not measure_id:
        return fallback
    cw = _cw().set_index("measure_id")
    new = str(cw["name_from_2023_24"].get(measure_id, "")) if measure_id in cw.index else ""
    return short_name(measure_id, new or fallback)


def series_note(measure_id: str, last_year: str | None = None) -> str:
    """How a measure's series starts or ends at the 2023-24 renumbering, in words; ``""`` for one that continues.

    A measure with no code up to 2022-23 is ``new in 2023-24; no earlier series``; a retired one ends (``series
    ends after 2019-20 (retired at the 2023-24 renumbering)`` where ``last_year`` is given).
    """
    cw = _cw().set_index("measure_id")
    if measure_id not in cw.index:
        return ""
    row = cw.loc[measure_id]
    first = RENUMBERED_IN
    if row["code_to_2022_23"] == "" and row["status_from_2023_24"] == "continued":
        return f"new in {first}; no earlier series"
    if row["status_from_2023_24"] == "retired":
        end = f"series ends after {last_year}" if last_year else "series ends"
        return f"{end} (retired at the {first} renumbering)"
    return ""


#: Words of each kind of change a measure's series goes through (:func:`changes`).
CHANGE_WORDS: dict[str, str] = {"definition": "definition changed", "data_collection": "data collection changed",
                                "method": "method changed", "retired": "retired: series ends",
                                "new": "new measure: series starts"}


def changes() -> pd.DataFrame:
    """Every series break, retired measure and new measure of the ASCOF, with both codes, for a reader.

    Returns
    -------
    pandas.DataFrame
        ``measure_id, measure, code_to_2022_23, code_from_2023_24`` (``retired`` or ``no sourced code`` where the
        measure has none from 2023-24), ``year`` (from which the values do not compare with earlier ones),
        ``kind`` (a key of :data:`CHANGE_WORDS`), ``reason``; sorted by year, earlier code and kind.
    """
    cw = _cw().set_index("measure_id")
    first = RENUMBERED_IN
    rows = [dict(measure_id=m, year=y, kind=k, reason=r)
            for m, y, k, r in breaks()[["measure_id", "year", "kind", "reason"]].itertuples(index=False)]
    reg = tables.cached("ascof_measures")
    old = reg[reg["framework"] != NEW_FRAMEWORK].drop_duplicates("measure_id").set_index("measure_id")
    for mid, row in cw.iterrows():
        if row["status_from_2023_24"] == "retired":
            years = [y for y in str(old["years_available"].get(mid, "")).split(";") if y]
            rows.append(dict(measure_id=mid, year=first, kind="retired", reason=series_note(
                str(mid), max(years) if years else None)))
        elif row["code_to_2022_23"] == "" and row["status_from_2023_24"] == "continued":
            rows.append(dict(measure_id=mid, year=first, kind="new", reason=series_note(str(mid))))
    out = pd.DataFrame(rows, columns=["measure_id", "year", "kind", "reason"])
    status = out["measure_id"].map(cw["status_from_2023_24"])
    new = out["measure_id"].map(cw["code_from_2023_24"]).fillna("")
    out["code_to_2022_23"] = out["measure_id"].map(cw["code_to_2022_23"]).fillna("")
    out["code_from_2023_24"] = new.where(new != "", status.map({"retired": "retired"}).fillna("no sourced code"))
    out["measure"] = [name_of(str(m), str(m)) for m in out["measure_id"]]
    out = out.sort_values(["year", "code_to_2022_23", "kind"], kind="stable").reset_index(drop=True)
    return out[["measure_id", "measure", "code_to_2022_23", "code_from_2023_24", "year", "kind", "reason"]]


def shown_in_year(measure_id: str, year: str) -> str:
    """The code a measure has in ``year``'s framework as shown (``2D(1) (was 2B(1))``); ``""`` if it has none."""
    cw = _cw().set_index("measure_id")
    if measure_id not in cw.index:
        return ""
    fw = ascof_crosswalk.framework_of(year)
    code = str(cw.at[measure_id, "code_to_2022_23" if fw != NEW_FRAMEWORK else "code_from_2023_24"])
    if not code:
        return ""
    earlier = earlier_code(pd.Series([measure_id]), pd.Series([fw])).iloc[0]
    return str(code_shown(pd.Series([code]), pd.Series([earlier])).iloc[0])


def check_measures(value: str | list[str] | tuple[str, ...] | None, name: str = "measures") -> list[str]:
    """Read a ``measures`` (or ``trend_measures``) parameter: ``'all'`` or ASCOF codes separated by commas.

    Codes of either framework are accepted (``2A(2)`` or, from 2023-24, ``2C``: the same measure, chosen by its
    stable id wherever a table or chart selects); they are matched ignoring case, spaces and brackets, so ``2A2``
    and ``2A.2`` mean ``2A(2)``. No code of the crosswalk from 2023-24 spells a code up to 2022-23 (a reused code
    such as ``1B`` whose 2023-24 measure has no sourced mapping means the measure it named up to 2022-23).

    Parameters
    ----------
    value
        ``'all'`` (or empty: every measure of the registry), text such as ``'1G, 2C'``, or a list of codes.
    name
        The parameter's name, for the message.

    Returns
    -------
    list of str
        The codes chosen: codes up to 2022-23 in registry order, then codes from 2023-24 in code order.

    Raises
    ------
    ParameterError
        Codes that neither framework has (naming each, and listing the codes there are).
    """
    codes = list(ascof_measures.measures()["measure_code"])  # the committed registry: no data build needed
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "all")):
        return codes
    if not isinstance(value, (str, list, tuple)) or (
            isinstance(value, (list, tuple)) and not all(isinstance(v, str) for v in value)):
        raise ParameterError(f"parameter {name!r}: expected 'all' or ASCOF codes separated by commas, got {value!r}")
    later = sorted({c for c in _cw()["code_from_2023_24"] if c and c not in codes})

    def norm(code: str) -> str:
        return re.sub(r"[^0-9A-Z]", "", code.upper())

    key = {norm(c): c for c in [*later, *codes]}  # an earlier code wins a clash
    found, unknown = set(), []
    for item in value if isinstance(value, (list, tuple)) else str(value).split(","):
        k = norm(str(item))
        if k in key:
            found.add(key[k])
        elif k:
            unknown.append(repr(str(item).strip()))
    if unknown:
        what = "is not an ASCOF measure" if len(unknown) == 1 else "are not ASCOF measures"
        raise ParameterError(f"parameter {name!r}: {', '.join(unknown)} {what}; measures are {', '.join(codes)} "
                             f"(or 'all'); from 2023-24 also {', '.join(later)}")
    return [c for c in [*codes, *later] if c in found]
