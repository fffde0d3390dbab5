"""The demand series catalogue: what each series counts, its unit, source, driving population and budget cost.

National series (every council):

* ``op_residential_placements``, ``op_nursing_placements``, ``op_care_home_placements`` -- older people
  (65+) supported in residential / nursing / either kind of care home: weeks of care in the year / 52
  (``activity`` table; the unit is weeks of care for people aged 65+, see ``docs/data_dictionary.md``);
* ``op_permanent_admissions``, ``adult_permanent_admissions`` -- permanent admissions to residential and
  nursing care of people aged 65+ (ASCOF 2A(2)) and 18-64 (ASCOF 2A(1)) in the year: the published
  numerator where there is one (2020-21 open data), else rate x population of the band / 100,000;
* ``ld_spend_18_64`` -- spend on learning disability support for adults aged 18-64, £ thousands (RO3 total
  expenditure; ASC-FR gross current expenditure shown as an earlier, separate collection);
* ``op_residential_unit_cost``, ``op_nursing_unit_cost`` -- £ per week of long-term residential / nursing
  care for people aged 65+ = ASC-FR gross current expenditure / weeks of care (2014-15, 2016-17).

Council-report series (``council_key_activity``, the councils that publish key activity data):

* ``ld_clients`` -- learning disability service users; ``op_care_home_clients`` -- older people (incl.
  mental health) in residential and nursing placements.

How each is assembled from the tables is :mod:`helpers.analysis.demand.series`; the definitions are written
up in ``docs/methods.md`` ("Demand series"). :func:`check_series_key` is the parameter check of ``series``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.core.errors import ParameterError

#: First year of the COVID-19 break declared for every series that spans it.
COVID_YEAR = "2020-21"
#: Years whose change from the year before is COVID's (the fall into 2020-21 and the partial recovery into
#: 2021-22): never used to estimate growth (``docs/methods.md``, "Demand forecasting").
COVID_CHANGE_YEARS: tuple[str, ...] = ("2020-21", "2021-22")
#: Weeks in a year, for weeks of care -> average placements and for the budget table.
WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class SeriesSpec:
    """One entry of the series catalogue.

    Attributes
    ----------
    key
        Parameter value naming the series (``"op_residential_placements"``).
    label
        Plain-English name for titles.
    unit
        Unit of the values, for axis labels (``"placements (weeks of care / 52)"``).
    kind
        ``"stock"`` (people supported at a time: the budget table applies), ``"flow"`` (events in a year),
        ``"money"`` (£ thousands) or ``"unit_cost"`` (£ per week).
    table
        The processed table the values come from.
    source
        Source line for charts.
    driver_band
        The population band that drives it (``"65+"``, ``"18-64"``) or ``None``.
    definition
        How the value is computed (for the report and the docs).
    scope
        ``"national"`` (every council) or ``"council"`` (councils with report data).
    unit_cost
        Key of the weekly unit cost (:func:`helpers.analysis.demand.budget.unit_cost_for`) used by the budget
        table, or ``None``.
    join
        ``(earlier, later)`` collections joined into one series by a level ratio estimated across councils
        (:func:`helpers.analysis.demand.series.level_ratio`), or ``None``: only the latest collection is modelled.
    """

    key: str
    label: str
    unit: str
    kind: str
    table: str
    source: str
    driver_band: str | None
    definition: str
    scope: str = "national"
    unit_cost: str | None = None
    join: tuple[str, str] | None = None


_ACT_SRC = ("Goodair et al. compilation of PSS-EX1 / ASC-FR activity (activity_by_setting_2001-2022); "
            "NHS Digital ASC-FR")
SERIES: dict[str, SeriesSpec] = {s.key: s for s in (
    SeriesSpec("op_residential_placements", "Older people (65+) in residential care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of residential care in the year for people aged 65+ / 52: ASC-FR long-term care from "
               "2014-15; before, PSS-EX1 supported residents in residential homes (own provision + others, "
               "permanent and temporary; nursing not included), joined by a level ratio estimated across "
               "councils", unit_cost="op_residential", join=("PSS-EX1", "ASC-FR")),
    SeriesSpec("op_nursing_placements", "Older people (65+) in nursing care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of nursing care in the year for people aged 65+ / 52 (ASC-FR, from 2014-15)",
               unit_cost="op_nursing"),
    SeriesSpec("op_care_home_placements", "Older people (65+) in residential or nursing care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of residential plus nursing care in the year for people aged 65+ / 52 (ASC-FR, from "
               "2014-15)", unit_cost="op_care_home"),
    SeriesSpec("op_permanent_admissions", "Permanent admissions of older people (65+) to care homes",
               "admissions in the year", "flow", "ascof",
               "NHS England ASCOF 2A(2) (trend file and 2020-21 open data); ONS mid-year estimates", "65+",
               "ASCOF 2A(2) published numerator where there is one (2020-21), otherwise rate per 100,000 x "
               "population aged 65+ (mid-year the financial year starts in) / 100,000"),
    SeriesSpec("adult_permanent_admissions", "Permanent admissions of adults (18-64) to care homes",
               "admissions in the year", "flow", "ascof",
               "NHS England ASCOF 2A(1) (trend file and 2020-21 open data); ONS mid-year estimates", "18-64",
               "ASCOF 2A(1) published numerator where there is one (2020-21), otherwise rate per 100,000 x "
               "population aged 18-64 / 100,000"),
    SeriesSpec("ld_spend_18_64", "Spend on learning disability support, adults 18-64",
               "£ thousands (cash)", "money", "spend",
               "MHCLG RO3 revenue outturn; NHS Digital ASC-FR (earlier, separate collection)", "18-64",
               "RO3 total expenditure on learning disability support 18-64 (line lrnadl); ASC-FR gross current "
               "expenditure on learning disability support 18-64 (sum of its lines) is an earlier collection"),
    SeriesSpec("op_residential_unit_cost", "Weekly cost of residential care, older people (65+)",
               "£ per week (cash)", "unit_cost", "spend", "NHS Digital ASC-FR expenditure and activity", None,
               "ASC-FR gross current expenditure on long-term residential care 65+ (all support reasons) x 1,000 "
               "/ weeks of residential care 65+"),
    SeriesSpec("op_nursing_unit_cost", "Weekly cost of nursing care, older people (65+)",
               "£ per week (cash)", "unit_cost", "spend", "NHS Digital ASC-FR expenditure and activity", None,
               "ASC-FR gross current expenditure on long-term nursing care 65+ (all support reasons) x 1,000 "
               "/ weeks of nursing care 65+"),
    SeriesSpec("ld_clients", "Learning disability service users (council report)", "service users", "stock",
               "council_key_activity", "council finance and performance report, key activity data", "18-64",
               "service users of the learning disability service at the report date (latest report of each "
               "year)", scope="council", unit_cost="ld_council"),
    SeriesSpec("op_care_home_clients", "Older people in residential and nursing placements (council report)",
               "service users", "stock", "council_key_activity",
               "council finance and performance report, key activity data", "65+",
               "older people's and older people's mental health residential and nursing (incl. dementia) "
               "service users at the report date (latest report of each year)", scope="council",
               unit_cost="op_care_home_council"),
)}


def check_series_key(value: str, name: str = "series") -> str:
    """Return ``value`` if it names a catalogue series, else raise :class:`ParameterError` listing them."""
    if not isinstance(value, str) or value.strip() not in SERIES:
        raise ParameterError(f"parameter {name!r}: {value!r} is not a demand series; choose one of "
                             f"{', '.join(SERIES)}")
    return value.strip()


def catalogue() -> pd.DataFrame:
    """The series catalogue as a table (``key``, ``label``, ``unit``, ``kind``, ``driver_band``, ``scope``,
    ``source``, ``definition``), in catalogue order."""
    rows = [{"key": s.key, "label": s.label, "unit": s.unit, "kind": s.kind, "driver_band": s.driver_band or "",
             "scope": s.scope, "source": s.source,
             "definition": s.definition} for s in SERIES.values()]
    return pd.DataFrame(rows)

#: Key-activity lines of each council-report series: (service groups, line labels).
KEY_ACTIVITY_LINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ld_clients": (("Learning Disability",), ("Residential", "Nursing", "Community")),
    "op_care_home_clients": (("Older People", "Older People Mental Health"),
                             ("Residential", "Residential Dementia", "Nursing", "Nursing Dementia")),
}


__all__ = ["COVID_CHANGE_YEARS", "COVID_YEAR", "KEY_ACTIVITY_LINES", "SERIES", "WEEKS_PER_YEAR", "SeriesSpec", "catalogue",
           "check_series_key"]
