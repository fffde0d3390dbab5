"""Spend per head: every council, region and England, and where one council's spend sits among them.

The spend benchmarking notebook (``notebooks/01_spend_benchmarking.ipynb``, through
:mod:`helpers.reports.spend_benchmarking`) reads this module with a :class:`~helpers.analysis.benchmarking.groups.Benchmark`:

* :func:`spend_per_head` assembles, once per process, spend per head for every council, region and England,
  every year, service line and age band, gross and net, with the matching population denominator;
* :func:`spend_summary`, :func:`spend_trend` and :func:`spend_strip` give the council-against-group tables
  and the data of the charts; :func:`spend_availability` says why there is nothing to show.

Conventions (``docs/methods.md``, section *Benchmarking*):

* **per head**: spend (£ thousands x 1,000) / ONS mid-year population of the matching age band (18+,
  18-64, 65+) for the mid-year in which the financial year *starts* (2023-24 spend / mid-2023 population);
  a year with no such estimate has no per-head value (never the nearest year's population);
* **gross** = gross current expenditure (RO3 ``total_expenditure``, C3 = employees + running expenses;
  ASC-FR / PSS-EX1 ``gross_current_expenditure``); **net** = net current expenditure. The collections are
  not one series: every row keeps its ``collection`` and a trend says where it changes;
* **real terms**: cash x GDP deflator (chosen year) / GDP deflator (year) (HM Treasury), via
  :func:`helpers.data.national.spend.to_real_terms`;
* **group statistics**: :func:`helpers.analysis.benchmarking.groups.position` (median, quartiles, rank
  1 = highest spend, distance from the median in MADs, Oflog's verdict).

The all-council table is computed once per process while the processed tables are unchanged
(:func:`helpers.analysis.benchmarking.groups.derived`); every call still records the tables it reads for the
run manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.benchmarking.groups import (
    MIN_GROUP,
    Benchmark,
    check_population_rule,
    derived,
    series_code,
    source_files,
    status_words,
)
from helpers.analysis.benchmarking.placing import position
from helpers.core import periods
from helpers.core.errors import ParameterError
from helpers.data import councils, tables
from helpers.data.national.population import on_financial_year_councils
from helpers.data.national.spend import to_real_terms

#: Which published measure is "gross" / "net" current expenditure in each collection.
EXPENDITURE: dict[str, dict[str, str]] = {
    "gross": {"RO3": "total_expenditure", "ASC-FR": "gross_current_expenditure",
              "PSS-EX1": "gross_current_expenditure"},
    "net": {"RO3": "net_current_expenditure", "ASC-FR": "net_current_expenditure",
            "PSS-EX1": "net_current_expenditure"},
}
#: Primary support reasons (``service_group`` values of the ``spend`` table split by age band).
SUPPORT_REASONS: tuple[str, ...] = (
    "physical_support", "sensory_support", "memory_cognition", "learning_disability", "mental_health",
)
_PSR_LABELS = {
    "physical_support": "Physical support", "sensory_support": "Sensory support",
    "memory_cognition": "Support with memory and cognition", "learning_disability": "Learning disability support",
    "mental_health": "Mental health support",
}
_OTHER_GROUPS = {
    "social_support": "Social support (carers, substance misuse, asylum seekers, isolation)",
    "social_care_activities": "Social care activities (assessment, safeguarding)",
    "information_early_intervention": "Information and early intervention",
    "commissioning_service_delivery": "Commissioning and service delivery",
    "assistive_equipment_technology": "Assistive equipment and technology",
}


#: Lines that RO3 splits by 18-64 / 65+ from 2022-23 in "Subcategory" (and carers') rows, stored as memorandum
#: lines: assessment and safeguarding, commissioning, carers, equipment, information. Added to the support
#: rows of an age band they make the age-band totals (``all_18-64``, ``all_65+``); a year without the split
#: (ASC-FR 2016-17, PSS-EX1 2014-15) has no such total.
AGE_SPLIT_GROUPS: tuple[str, ...] = (
    "social_care_activities", "commissioning_service_delivery", "social_support", "assistive_equipment_technology",
    "information_early_intervention",
)


@dataclass(frozen=True)
class SpendLine:
    """One benchmarked spend line: which ``spend`` rows it sums and which population it is divided by.

    Attributes
    ----------
    line
        Identifier, e.g. ``"learning_disability_18-64"``.
    label
        Plain-English name.
    groups
        ``service_group`` values summed (``("total",)`` = the published total).
    age_band
        Age band of the rows and of the population denominator: ``18+``, ``18-64`` or ``65+``.
    """

    line: str
    label: str
    groups: tuple[str, ...]
    age_band: str


def _lines() -> tuple[SpendLine, ...]:
    out = [
        SpendLine("total", "All adult social care", ("total",), "18+"),
        SpendLine("support_18-64", "Long- and short-term support, adults aged 18-64", SUPPORT_REASONS, "18-64"),
        SpendLine("support_65+", "Long- and short-term support, older people aged 65+", SUPPORT_REASONS, "65+"),
    ]
    for band, who in (("18-64", "adults aged 18-64"), ("65+", "older people aged 65+")):
        out.append(SpendLine(f"all_{band}", f"All spend on {who}", SUPPORT_REASONS + AGE_SPLIT_GROUPS, band))
    for band in ("18-64", "65+"):
        for g in SUPPORT_REASONS:
            out.append(SpendLine(f"{g}_{band}", f"{_PSR_LABELS[g]}, aged {band}", (g,), band))
    for g, label in _OTHER_GROUPS.items():
        out.append(SpendLine(g, label, (g,), "18+"))
    return tuple(out)


#: Every benchmarked line, in report order.
SPEND_LINES: tuple[SpendLine, ...] = _lines()
#: The lines shown first (summary, strip chart and councillor table).
HEADLINE_LINES: tuple[str, ...] = (
    "total", "all_18-64", "all_65+", "learning_disability_18-64", "physical_support_65+",
    "mental_health_18-64", "memory_cognition_65+",
)
#: Spend lines with a natural ASCOF partner: (spend line, ASCOF measure, why they belong together).
_LINE_BY_ID = {ln.line: ln for ln in SPEND_LINES}


# ------------------------------------------------------------------------------------------------
# spend per head for every council
# ------------------------------------------------------------------------------------------------


def _line_map() -> pd.DataFrame:
    """(line_type, service_group, age_band) -> line, one row per line a ``spend`` row counts towards."""
    rows = []
    for ln in SPEND_LINES:
        if ln.groups == ("total",):
            rows.append(("total", "total", "18+", ln.line))
            continue
        for g in ln.groups:
            kind = "memorandum" if g in AGE_SPLIT_GROUPS and ln.line.startswith("all_") else "detail"
            rows.append((kind, g, ln.age_band, ln.line))
    return pd.DataFrame(rows, columns=["line_type", "service_group", "age_band", "line"])


def _population(pop: pd.DataFrame) -> pd.DataFrame:
    """Population by (gss_code, year, age_band) on the councils of each financial year.

    :func:`helpers.data.national.population.on_financial_year_councils`: a council missing from its mid-year
    file (which is on later boundaries) takes its same-area successor's figure or the sum of the
    successors formed from it alone (Cumbria, North Yorkshire, Somerset 2022-23); ``population_basis`` says
    which.
    """
    out = on_financial_year_councils(pop)
    out = out[out["age_band"].isin(["18+", "18-64", "65+"])]
    return out.rename(columns={"basis": "population_basis"})[
        ["gss_code", "year", "age_band", "population", "mid_year", "population_basis"]].assign(
        population_own_year=True)


def _latest_population(popn: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """For spend years after the latest mid-year estimate: the latest estimate, labelled as such.

    RO3 2024-25 is published before ONS's mid-2024 estimate: its per-head figures divide by mid-2023 (the
    latest), and ``population_basis`` says so; ``population_own_year`` is ``False`` on those rows.
    """
    have = sorted(popn["year"].unique())
    if not have:
        return popn.iloc[0:0]
    latest = have[-1]
    later = [y for y in years if y > latest]
    base = popn[popn["year"] == latest]
    frames = [base.assign(year=y, population_own_year=False,
                          population_basis=f"latest estimate available (mid-{int(base['mid_year'].iloc[0])}), "
                                           f"not mid-{periods.fy_start(y)}")
              for y in later]
    return pd.concat(frames, ignore_index=True) if frames else popn.iloc[0:0]


def _sum_lines(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value_gbp_k`` by ``keys``; a group with any value not reported is not available.

    An age-band total (``all_18-64``, ``all_65+``) needs every one of :data:`AGE_SPLIT_GROUPS` split by age
    (``_memo`` rows); with fewer it is not available (``not_split``), never a support-only sum.
    """
    rows = rows.assign(_bad=(rows["value_status"] != "reported").astype(int),
                       _memo=(rows["line_type"] == "memorandum").astype(int))
    out = rows.groupby(keys, as_index=False, sort=False).agg(
        spend_gbp_k=("value_gbp_k", "sum"), _bad=("_bad", "sum"), _memo=("_memo", "sum"))
    out.loc[out["_bad"] > 0, "spend_gbp_k"] = np.nan
    out["spend_status"] = np.where(out["_bad"] > 0, "not_available", "reported")
    if "line" in out:
        short = out["line"].str.startswith("all_") & (out["_memo"] < len(AGE_SPLIT_GROUPS))
        out.loc[short, "spend_gbp_k"] = np.nan
        out.loc[short, "spend_status"] = "not_split"
    return out.drop(columns=["_bad", "_memo"])


def _build_spend_per_head(spend: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    meas = [(k, coll, m) for k, d in EXPENDITURE.items() for coll, m in d.items()]
    mm = pd.DataFrame(meas, columns=["measure", "collection", "published_measure"])
    df = spend.merge(mm, left_on=["collection", "measure"], right_on=["collection", "published_measure"],
                     suffixes=("_published", ""))
    keys = ["gss_code", "year", "collection", "source_id", "measure"]
    lines = df.merge(_line_map(), on=["line_type", "service_group", "age_band"])
    summed = _sum_lines(lines, [*keys, "line"])
    # a total where the collection publishes none (ASC-FR 2016-17): the sum of the detail rows
    detail_total = _sum_lines(df[df["line_type"] == "detail"], keys).assign(line="total")
    have = summed.loc[summed["line"] == "total", keys].drop_duplicates()
    detail_total = detail_total.merge(have, on=keys, how="left", indicator=True)
    detail_total = detail_total[detail_total["_merge"] == "left_only"].drop(columns="_merge")
    summed = pd.concat([summed, detail_total.assign(total_basis="sum of detail lines")], ignore_index=True)
    summed["total_basis"] = summed.get("total_basis", pd.Series(index=summed.index, dtype=object))
    summed.loc[(summed["line"] == "total") & summed["total_basis"].isna(), "total_basis"] = "published total"
    info = pd.DataFrame([(ln.line, ln.label, ln.age_band) for ln in SPEND_LINES],
                        columns=["line", "line_label", "age_band"])
    out = summed.merge(info, on="line")
    popn = _population(pop)
    popn = pd.concat([popn, _latest_population(popn, sorted(out["year"].unique()))], ignore_index=True)
    out = out.merge(popn, on=["gss_code", "year", "age_band"], how="left")
    out["population_basis"] = out["population_basis"].fillna("no population estimate")
    out["population_own_year"] = out["population_own_year"].eq(True)
    out["per_head_gbp"] = out["spend_gbp_k"] * 1000.0 / out["population"]
    out["per_head_status"] = np.where(out["spend_status"] != "reported", out["spend_status"],
                                      np.where(out["population"].isna(), "not_available", "reported"))
    out["level"] = np.select([out["gss_code"] == councils.ENGLAND, out["gss_code"].str.startswith("E12")],
                             ["england", "region"], default="council")
    out["series_code"] = series_code(out["gss_code"])
    order = {ln.line: i for i, ln in enumerate(SPEND_LINES)}
    out["_o"] = out["line"].map(order)
    cols = ["gss_code", "level", "year", "collection", "source_id", "measure", "line", "line_label", "age_band",
            "spend_gbp_k", "spend_status", "total_basis", "population", "mid_year", "population_basis",
            "population_own_year", "per_head_gbp", "per_head_status", "series_code"]
    return (out.sort_values(["year", "measure", "_o", "gss_code"]).reset_index(drop=True)[cols])


def _same_year_only(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    later = ~out["population_own_year"]
    out.loc[later, ["population", "per_head_gbp"]] = np.nan
    out.loc[later, "mid_year"] = np.nan
    out.loc[later, "population_basis"] = "no population estimate for the year (population_rule 'same')"
    out.loc[later & (out["per_head_status"] == "reported"), "per_head_status"] = "not_available"
    return out


def spend_per_head(population_rule: str = "same_or_latest") -> pd.DataFrame:
    """Spend per head for every council, region and England, year, collection, measure and line.

    ``population_rule`` (:data:`~helpers.analysis.benchmarking.groups.POPULATION_RULES`): ``same_or_latest``
    divides a year without its own mid-year estimate (RO3 2024-25) by the latest one (labelled in
    ``population_basis``, ``population_own_year`` ``False``); ``same`` gives those rows no per-head value.

    Returns
    -------
    pandas.DataFrame
        One row per ``(gss_code, year, collection, measure, line)``: ``level`` (council / region /
        england, where the file publishes them), ``source_id``, ``line_label``, ``age_band`` (of the rows and
        the population), ``spend_gbp_k`` and ``spend_status`` (a sum with any value not reported is
        ``not_available``), ``total_basis`` (published total, or the sum of detail lines where the
        collection publishes none), ``population`` (persons in the age band, mid-year ``mid_year``),
        ``population_basis``, ``per_head_gbp`` (£ per person, cash) and ``per_head_status``,
        ``series_code``. Computed once per process (:func:`~helpers.analysis.benchmarking.groups.derived`): do
        not modify it.
    """
    check_population_rule(population_rule)
    df = derived("spend_per_head", lambda spend, pop, _councils: _build_spend_per_head(spend, pop),
                 "spend", "population", "councils")
    if population_rule == "same":
        return derived("spend_per_head_same", lambda *_: _same_year_only(df), "spend", "population", "councils")
    return df


def _deflate(values: pd.Series, years: pd.Series, base_year: str) -> pd.Series:
    frame = pd.DataFrame({"v": values.to_numpy(dtype=float), "year": years.to_numpy()})
    return pd.Series(to_real_terms(frame, "v", base_year=base_year, deflators=tables.cached("deflators")).to_numpy(),
                     index=values.index)


def spend_years(population_rule: str = "same_or_latest") -> list[str]:
    """Financial years with a per-head value for some council."""
    df = spend_per_head(population_rule)
    return sorted(df.loc[df["per_head_gbp"].notna(), "year"].unique())


def check_expenditure(measure: str) -> str:
    """Return ``'gross'`` or ``'net'`` (any case), else raise :class:`ParameterError`."""
    m = str(measure).strip().lower()
    if m not in EXPENDITURE:
        raise ParameterError(f"parameter 'expenditure': {measure!r} is not one of {list(EXPENDITURE)}")
    return m


def check_line(line: str) -> SpendLine:
    """The :class:`SpendLine` of a line id, else raise :class:`ParameterError` listing the lines."""
    if line not in _LINE_BY_ID:
        raise ParameterError(f"unknown spend line {line!r}; lines are {list(_LINE_BY_ID)}")
    return _LINE_BY_ID[line]


def spend_availability(b: Benchmark, measure: str = "gross") -> str | None:
    """Why there is no spend per head for the council and year, or ``None`` if there is some.

    The reason names the years that do have per-head values, so the reader can pick one.
    """
    check_expenditure(measure)
    if not b.available:
        return " ".join(b.notes)
    df = spend_per_head(b.population_rule)
    years = ", ".join(spend_years(b.population_rule))
    sel = df[(df["year"] == b.year) & (df["measure"] == measure)]
    if sel.empty:
        return f"No spend data for {b.year} in the national files; per-head figures exist for {years}."
    mine = sel[(sel["gss_code"] == b.data_code) & (sel["line"] == "total")]
    if mine.empty:
        return f"{b.name} has no {measure} spend row for {b.year} in the national files."
    if sel["per_head_gbp"].notna().sum() == 0:
        mid = periods.fy_start(b.year)
        return (f"No ONS mid-{mid} population estimate is in the national files, so there is no spend per head "
                f"for {b.year} (the population rule chosen divides only by the mid-year the financial year starts "
                f"in); per-head figures exist for {years}.")
    if mine["spend_status"].iloc[0] != "reported":
        return (f"{b.name}'s {b.year} spend is not available in the national return "
                f"({source_files([mine['source_id'].iloc[0]])}): its figures are missing there, so there is no "
                "spend per head (never shown as zero).")
    return None


# ------------------------------------------------------------------------------------------------
# one council against its group, England and region
# ------------------------------------------------------------------------------------------------


def _aggregate(df: pd.DataFrame, codes: list[str] | None, published: str | None) -> tuple[float, str]:
    """Per head of an area: its published row, else spend / population summed over councils with both."""
    if published is not None:
        row = df[df["gss_code"] == published]
        if len(row) and pd.notna(row["per_head_gbp"].iloc[0]):
            return float(row["per_head_gbp"].iloc[0]), "published"
    if not codes:
        return np.nan, ""
    part = df[df["gss_code"].isin(codes) & df["spend_gbp_k"].notna() & df["population"].notna()]
    if part.empty:
        return np.nan, ""
    value = float(part["spend_gbp_k"].sum() * 1000.0 / part["population"].sum())
    return value, f"{len(part)} of {len(codes)} councils"


def year_slice(year: str, measure: str, population_rule: str = "same_or_latest") -> pd.DataFrame:
    """The rows of :func:`spend_per_head` for one financial year and measure (``gross`` or ``net``)."""
    df = spend_per_head(population_rule)
    return df[(df["year"] == year) & (df["measure"] == measure)]


def spend_summary(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] | list[str] | None = None
                  ) -> pd.DataFrame:
    """Spend per head of the council against its group, England and region, one row per line.

    Parameters
    ----------
    b
        From :func:`helpers.analysis.benchmarking.groups.setup`.
    measure
        ``gross`` or ``net`` current expenditure.
    lines
        Line ids (default all, in report order).

    Returns
    -------
    pandas.DataFrame
        ``line``, ``line_label``, ``age_band``, ``value`` (£ per head), ``status``, the fields of
        :func:`~helpers.analysis.benchmarking.groups.position` (group median, quartiles, rank, MADs, verdicts, outlier, reason), ``england``
        (England's spend per head: the published England row, else the sum over councils) and ``region``
        (the sum over the region's councils with a value, and ``region_basis``). Empty when there is no
        spend per head for the year (see :func:`spend_availability`).
    """
    check_expenditure(measure)
    if not b.available:
        return pd.DataFrame()
    sl = year_slice(b.year, measure, b.population_rule)
    if sl["per_head_gbp"].notna().sum() == 0:
        return pd.DataFrame()
    every = sorted(councils.current(b.year)["gss_code"])
    region_codes = set(councils.current(b.year).query("region_code == @b.region_code")["gss_code"])
    wanted = list(lines) if lines is not None else [ln.line for ln in SPEND_LINES]
    rows = []
    for line in wanted:
        ln = check_line(line)
        part = sl[sl["line"] == line]
        cl = part[part["level"] == "council"]
        values = cl.set_index("gss_code")["per_head_gbp"]
        values = values[~values.index.duplicated()].reindex(sorted(set(every) | set(values.index)))
        pos = position(values, b.data_code, b.group, "none", scaled=b.mad_scaled)
        mine = cl[cl["gss_code"] == b.data_code]
        status = mine["per_head_status"].iloc[0] if len(mine) else "missing"
        eng, _ = _aggregate(part, list(cl["gss_code"]), councils.ENGLAND)
        reg, reg_basis = _aggregate(part, sorted(region_codes & set(cl["gss_code"])), b.region_code)
        basis = mine["population_basis"].iloc[0] if len(mine) else ""
        rows.append({"line": line, "line_label": ln.label, "age_band": ln.age_band, **pos, "status": status,
                     "england": eng, "region": reg, "region_basis": reg_basis, "population_basis": basis})
    out = pd.DataFrame(rows)
    if not out.empty:
        out.loc[(out["status"] != "reported") & (out["reason"] == "no value for the council"), "reason"] = (
            "no value for the council (" + status_words(out["status"]) + ")")
    return out


def spend_trend(b: Benchmark, line: str = "total", measure: str = "gross") -> pd.DataFrame:
    """Spend per head over every year with data: the council, its group's median and England, cash and real.

    Real terms are in the prices of ``b.year`` (GDP deflator). The group is the chosen year's group, each
    member followed under its series code; a year where fewer than :data:`MIN_GROUP` members have a value
    has no median. The council's own series follows its series code (same-area recodes joined), so a
    council created by a merger or split starts in its first year.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``collection``, ``council``, ``group_median`` (of the comparators with a value: ``group_n`` of
        ``group_size``, ``group_missing`` the codes without one), ``england`` (cash £ per head),
        ``council_real``, ``group_median_real``, ``england_real``, ``real_prices`` (e.g. ``2023-24 prices``),
        ``deflator_note``; sorted by year. Years without any per-head value are left out.
    """
    check_expenditure(measure)
    check_line(line)
    df = spend_per_head(b.population_rule)
    df = df[(df["measure"] == measure) & (df["line"] == line)]
    df = df[df.groupby("year")["per_head_gbp"].transform("count") > 0]
    if df.empty:
        return pd.DataFrame()
    cl = df[df["level"] == "council"]
    group_series = set(series_code(pd.Series(list(b.group))))
    rows = []
    for (year, coll), part in cl.groupby(["year", "collection"], sort=True):
        mine = part.loc[part["series_code"] == b.series_code, "per_head_gbp"]
        grp_all = part[part["series_code"].isin(group_series)].drop_duplicates("series_code")
        grp = grp_all["per_head_gbp"].dropna()
        missing = tuple(sorted((group_series - set(grp_all.loc[grp_all["per_head_gbp"].notna(), "series_code"]))
                               - {b.series_code}))
        eng, _ = _aggregate(df[(df["year"] == year) & (df["collection"] == coll)], list(part["gss_code"]),
                            councils.ENGLAND)
        rows.append({"year": year, "collection": coll,
                     "council": float(mine.iloc[0]) if len(mine) else np.nan,
                     "group_median": float(grp.median()) if len(grp) >= MIN_GROUP else np.nan,
                     "group_n": int(len(grp)), "group_size": len(group_series - {b.series_code}),
                     "group_missing": missing, "england": eng})
    out = pd.DataFrame(rows)
    base = b.year if b.year in set(tables.cached("deflators")["year"]) else max(out["year"])
    for col in ("council", "group_median", "england"):
        out[f"{col}_real"] = _deflate(out[col], out["year"], base)
    out["real_prices"] = f"{base} prices"
    defl = tables.cached("deflators").set_index("year")
    chained = sorted(y for y in {*out["year"], base} if bool(defl.loc[y, "derived_index"]))
    out["deflator_note"] = ("GDP deflator for " + ", ".join(chained) + " chained from HM Treasury forecasts"
                            if chained else "")
    return out.sort_values("year").reset_index(drop=True)


def spend_strip(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> pd.DataFrame:
    """Every council's spend per head on each line as a percentage of the median council (for a dot strip).

    Returns
    -------
    pandas.DataFrame
        ``line``, ``line_label``, ``gss_code``, ``per_head_gbp``, ``pct_of_median`` (100 = the median of all
        councils with a value), ``role`` (``council``, ``comparator``, ``other``), ``median``; councils
        without a value left out.
    """
    check_expenditure(measure)
    if not b.available:
        return pd.DataFrame()
    sl = year_slice(b.year, measure, b.population_rule)
    sl = sl[(sl["level"] == "council") & sl["line"].isin(lines) & sl["per_head_gbp"].notna()]
    if sl.empty:
        return pd.DataFrame()
    med = sl.groupby("line")["per_head_gbp"].transform("median")
    out = sl[["line", "line_label", "gss_code", "per_head_gbp"]].copy()
    out["median"] = med
    out["pct_of_median"] = 100.0 * out["per_head_gbp"] / med
    out["role"] = np.where(out["gss_code"] == b.data_code, "council",
                           np.where(out["gss_code"].isin(b.group), "comparator", "other"))
    order = {ln: i for i, ln in enumerate(lines)}
    return out.sort_values(["line", "gss_code"], key=lambda s: s.map(order) if s.name == "line" else s
                           ).reset_index(drop=True)


