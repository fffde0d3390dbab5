"""Cross-council benchmarking: comparator groups, spend per head for every council, and where a council sits.

The spend benchmarking notebook (``notebooks/01_spend_benchmarking.ipynb``) and the ASCOF benchmarking
notebook (``02_ascof_benchmarking.ipynb``, with :mod:`helpers.analysis.benchmarking.outcomes`) call this module. It answers "how
do we compare, and is the difference real?" for any council, on the national tables:

* :func:`setup` checks a council, a financial year and a comparator group and returns a :class:`Benchmark`
  (the council's code for that year, the group's councils, and what a reader must be told about them);
* :func:`spend_per_head` assembles, once per process, spend per head for every council, region and England,
  every year, service line and age band, gross and net, with the matching population denominator;
* :func:`spend_summary`, :func:`spend_trend`, :func:`spend_strip` and :func:`spend_vs_outcome` give the
  council-against-group tables and the data of the charts in :mod:`helpers.reports.plots`;
* :func:`plain_summary` turns a comparison into the short table a councillor reads.

Conventions (``docs/methods.md``, section *Benchmarking*):

* **per head**: spend (£ thousands x 1,000) / ONS mid-year population of the matching age band (18+,
  18-64, 65+) for the mid-year in which the financial year *starts* (2023-24 spend / mid-2023 population);
  a year with no such estimate has no per-head value (never the nearest year's population);
* **gross** = gross current expenditure (RO3 ``total_expenditure``, C3 = employees + running expenses;
  ASC-FR / PSS-EX1 ``gross_current_expenditure``); **net** = net current expenditure. The collections are
  not one series: every row keeps its ``collection`` and a trend says where it changes;
* **real terms**: cash x GDP deflator (chosen year) / GDP deflator (year) (HM Treasury), via
  :func:`helpers.data.national.spend.to_real_terms`;
* **group statistics** are over the council and its comparators together (as Oflog's medians include the
  council): median, quartiles (type 7), rank (1 = highest spend), distance from the median in MADs
  (unscaled by default, as Oflog) and Oflog's plain-English verdict; fewer than :data:`MIN_GROUP`
  comparators with a value -> no group statistics, and the reason is given.

The all-council tables are cached per process (keyed by the processed files' modification times), so a warm
kernel running council after council computes them once; every call still records the tables it reads for
the run manifest.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.core.errors import ParameterError
from helpers.data import councils, tables

#: Fewest comparator councils (the council itself not counted) with a value for a group median.
MIN_GROUP = 5
#: Named comparator groups a notebook parameter may give (besides a comma-separated list of codes).
COMPARATOR_CHOICES: tuple[str, ...] = ("nearest_neighbours", "region", "council_type", "england")
#: Plain-English description of each named group (``{n}`` = number of councils, ``{region}``, ``{type}``).
GROUP_LABELS: dict[str, str] = {
    "nearest_neighbours": "Oflog's nearest neighbours ({n} councils)",
    "oflog_nearest_neighbours": "Oflog's nearest neighbours ({n} councils)",
    "region": "the other councils in {region} ({n})",
    "council_type": "the other {type} councils ({n})",
    "england": "all other councils in England ({n})",
    "list": "a chosen list of {n} councils",
    "cipfa_2019": "CIPFA nearest neighbours 2019 ({n} councils)",
    "cipfa_2021": "CIPFA nearest neighbours 2021 ({n} councils)",
    "cipfa_lga_2024": "CIPFA/LGA nearest neighbours 2024 ({n} councils)",
    "nhse_peer_group": "NHS England peer group ({n} councils)",
}
#: Council GSS prefixes (councils with adult social services responsibility).
COUNCIL_PREFIXES = ("E06", "E08", "E09", "E10")
ENGLAND = councils.ENGLAND

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
    "total", "support_18-64", "support_65+", "learning_disability_18-64", "physical_support_65+",
    "mental_health_18-64", "memory_cognition_65+",
)
#: Spend lines with a natural ASCOF partner: (spend line, ASCOF measure, why they belong together).
SPEND_OUTCOME_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("support_65+", "2A(2)", "care of older people and their permanent admissions to care homes"),
    ("learning_disability_18-64", "1G", "learning disability support and people living in their own home"),
    ("support_18-64", "2A(1)", "care of younger adults and their permanent admissions to care homes"),
)
_LINE_BY_ID = {ln.line: ln for ln in SPEND_LINES}


# ------------------------------------------------------------------------------------------------
# cached reads of the processed tables
# ------------------------------------------------------------------------------------------------


def _stamp(*names: str) -> tuple[int, ...]:
    """Modification times of processed tables (the cache key); raises if one is not built."""
    from helpers.core.paths import processed_path

    out = []
    for n in names:
        p = processed_path(n)
        if not p.is_file():
            tables.load(n)  # raises MissingDataError with the how-to-fix message
        out.append(p.stat().st_mtime_ns)
    return tuple(out)


def _record(*names: str) -> None:
    """Record a read of each table for the run manifest (cached data are read from memory)."""
    for n in names:
        tables.record_read(n)


@lru_cache(maxsize=16)
def _table(name: str, stamp: int) -> pd.DataFrame:
    return tables.load(name)


def load(name: str) -> pd.DataFrame:
    """Return a processed table, read once per process while the file is unchanged (do not modify it)."""
    stamp = _stamp(name)[0]
    _record(name)
    return _table(name, stamp)


# ------------------------------------------------------------------------------------------------
# comparator groups
# ------------------------------------------------------------------------------------------------


def parse_comparator(value: str | list[str] | tuple[str, ...]) -> str | list[str]:
    """Read a comparator parameter: a group name or a comma-separated list of council codes or names.

    Parameters
    ----------
    value
        ``'nearest_neighbours'``, ``'region'``, ``'council_type'``, ``'england'``, a published group of the
        ``comparators`` table (``'cipfa_2021'`` ...), or council codes / names separated by commas (or a list).

    Returns
    -------
    str or list of str
        The group name, or the sorted GSS codes of the list.

    Raises
    ------
    ParameterError
        Neither a known group nor a list of known councils.

    Examples
    --------
    >>> parse_comparator("Region")
    'region'
    >>> parse_comparator("E08000009, Stockport")
    ['E08000007', 'E08000009']
    """
    from helpers.data.national.comparators import TABLE_GROUPS

    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if str(v).strip()]
    else:
        if not isinstance(value, str) or not value.strip():
            raise ParameterError(f"parameter 'comparator': expected a group name or council codes, got {value!r}")
        key = re.sub(r"[\s-]+", "_", value.strip().lower())
        if key in COMPARATOR_CHOICES or key in TABLE_GROUPS:
            return key
        items = [v.strip() for v in value.split(",") if v.strip()]
    try:
        codes = sorted({councils.validate_code(v) for v in items})
    except ParameterError as exc:
        if len(items) == 1:
            raise ParameterError(
                f"parameter 'comparator': {items[0]!r} is not a group ({', '.join(COMPARATOR_CHOICES)}) "
                f"nor a council ({exc})"
            ) from None
        raise ParameterError(f"parameter 'comparator': {exc}") from None
    return codes


@dataclass(frozen=True)
class Benchmark:
    """A council, a financial year and its comparator group, checked.

    Attributes
    ----------
    council
        The council's GSS code as given (its current code if it was recoded).
    name
        The council's name.
    year
        Financial year ``'YYYY-YY'``.
    data_code
        The code the national files use for this council in ``year``: ``council`` itself, or its old code
        on the same area (North Yorkshire, Somerset before 2023-24); ``None`` when the council did not exist
        in ``year`` (then there is nothing to benchmark, and ``notes`` says why).
    series_code
        The code a time series of this area is kept under (same-area recodes joined).
    comparator
        The comparator parameter (group name or list of codes).
    group_name
        ``nearest_neighbours``, ``region``, ``council_type``, ``england``, a published group, or ``list``.
    group
        The comparator councils in ``year`` (never the council itself).
    group_label
        Plain-English description, e.g. "Oflog's nearest neighbours (15 councils)".
    region_code, region_name, council_type
        From the council reference table.
    notes
        What the reader must be told (a fallback group, a neighbour left out, a recode, no data).
    mad_scaled
        Whether distances are in scaled MADs (x1.4826); default ``False`` (Oflog's raw MAD).
    """

    council: str
    name: str
    year: str
    data_code: str | None
    series_code: str
    comparator: str | tuple[str, ...]
    group_name: str
    group: tuple[str, ...]
    group_label: str
    region_code: str
    region_name: str
    council_type: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    mad_scaled: bool = False

    @property
    def available(self) -> bool:
        """``True`` if the council existed in ``year`` (so its figures can be looked for)."""
        return self.data_code is not None

    def members(self) -> pd.DataFrame:
        """The comparator councils: code, name, region and type (sorted by name)."""
        ref = councils.reference().set_index("gss_code")
        rows = ref.loc[list(self.group), ["name", "region_name", "council_type"]].reset_index()
        return rows.sort_values(["name", "gss_code"]).reset_index(drop=True)

    def describe(self) -> str:
        """One paragraph for the report: council, year, group and notes."""
        text = f"**{self.name}** ({self.council}), {self.year}, compared with {self.group_label}."
        if self.notes:
            text += " " + " ".join(self.notes)
        return text


#: Plain words for the ``*_status`` values of the processed tables (what a reader sees instead of the code).
STATUS_WORDS: dict[str, str] = {"not_available": "not published", "suppressed": "suppressed: small numbers",
                                "missing": "no row in the file", "reported": "published"}


def status_words(status: pd.Series) -> pd.Series:
    """``*_status`` codes as plain words (:data:`STATUS_WORDS`; an unknown code is kept as it is)."""
    return status.map(STATUS_WORDS).fillna(status)


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends with ``.``, ``?`` or ``!``)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _active(code: str, year: str) -> bool:
    try:
        councils.validate_code(code, year)
    except ParameterError:
        return False
    return True


def _data_code(code: str, year: str) -> tuple[str | None, list[str]]:
    """The code whose figures stand for ``code`` in ``year`` and what to tell the reader."""
    why = ""
    if _active(code, year):
        return code, []
    row = councils.get(code)
    for old in councils._split(row["previous_gss_codes"]):
        if old in set(councils.reference()["gss_code"]) and _active(old, year):
            return old, [f"In {year} the national files hold this council's figures under its previous code "
                         f"{old} (same area)."]
    try:
        councils.validate_code(code, year)
    except ParameterError as exc:
        why = str(exc)
    return None, [sentence(f"There is nothing to benchmark for {year}: {why}")]


def setup(council: str, year: str, comparator: str | list[str] = "nearest_neighbours",
          mad_scaled: bool = False) -> Benchmark:
    """Check the parameters of a benchmarking report and find the comparator group.

    Parameters
    ----------
    council
        GSS code or name of the council.
    year
        Financial year ``'YYYY-YY'`` (2008-09 to 2024-25, the council reference table's range).
    comparator
        See :func:`parse_comparator`. ``nearest_neighbours`` for a council Oflog gives no group (Isles of
        Scilly, City of London, Cumberland, Westmorland and Furness) falls back to ``region``, and says so.
    mad_scaled
        Distances in scaled MADs (x1.4826) instead of Oflog's raw MAD.

    Returns
    -------
    Benchmark

    Raises
    ------
    ParameterError
        Unknown council or year, unknown group, a listed code that is not a council in ``year``, or a
        group of fewer than :data:`MIN_GROUP` councils.
    """
    from helpers.data.national.comparators import comparator_group

    code = councils.validate_code(council)
    councils.current(year)  # checks the year's format and range
    parsed = parse_comparator(comparator)
    ref = councils.get(code)
    notes: list[str] = []
    data_code, why = _data_code(code, year)
    notes += why
    group_name = "list" if isinstance(parsed, list) else parsed
    group: list[str] = []
    if data_code is not None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                group = comparator_group(data_code, parsed, year)
            except ParameterError as exc:
                if group_name != "nearest_neighbours" or "no oflog_nearest_neighbours" not in str(exc):
                    raise
                group_name = "region"
                group = comparator_group(data_code, "region", year)
                notes.append(f"Oflog publishes no nearest-neighbour group for {ref['name']}, so it is compared "
                             f"with the other councils in its region instead.")
        for w in caught:
            notes.append(sentence(str(w.message)))
        group = [g for g in group if g != data_code]
        if len(group) < MIN_GROUP:
            raise ParameterError(
                f"comparator group {comparator!r} gives {len(group)} council(s) for {code} in {year}; at least "
                f"{MIN_GROUP} are needed for a median and quartiles: add councils or use "
                "region, council_type or england"
            )
    label = GROUP_LABELS.get(group_name, group_name + " ({n} councils)").format(
        n=len(group), region=ref["region_name"], type=ref["council_type"])
    if data_code is None:
        label = f"no comparator group (the council did not exist in {year})"
    return Benchmark(
        council=code, name=str(ref["name"]), year=year, data_code=data_code,
        series_code=councils.current_code(code),
        comparator=tuple(parsed) if isinstance(parsed, list) else parsed, group_name=group_name,
        group=tuple(group), group_label=label, region_code=str(ref["region_code"]),
        region_name=str(ref["region_name"]), council_type=str(ref["council_type"]), notes=tuple(notes),
        mad_scaled=mad_scaled,
    )


@lru_cache(maxsize=1)
def _series_codes() -> dict[str, str]:
    """Every council code -> the code its same-area series is kept under (:func:`councils.current_code`)."""
    return {c: councils.current_code(c) for c in councils.reference()["gss_code"]}


def series_code(codes: pd.Series) -> pd.Series:
    """Map codes to their series codes (regions and England unchanged)."""
    m = _series_codes()
    return codes.map(lambda c: m.get(c, c))


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
            rows.append(("detail", g, ln.age_band, ln.line))
    return pd.DataFrame(rows, columns=["line_type", "service_group", "age_band", "line"])


def _population(pop: pd.DataFrame) -> pd.DataFrame:
    """Population by (gss_code, year, age_band) on the councils of each financial year.

    :func:`helpers.data.national.population.on_financial_year_councils`: a council missing from its mid-year
    file (which is on later boundaries) takes its same-area successor's figure or the sum of the
    successors formed from it alone (Cumbria, North Yorkshire, Somerset 2022-23); ``population_basis`` says
    which.
    """
    from helpers.data.national.population import on_financial_year_councils

    out = on_financial_year_councils(pop)
    out = out[out["age_band"].isin(["18+", "18-64", "65+"])]
    return out.rename(columns={"basis": "population_basis"})[
        ["gss_code", "year", "age_band", "population", "mid_year", "population_basis"]]


def _sum_lines(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value_gbp_k`` by ``keys``; a group with any value not reported is not available."""
    rows = rows.assign(_bad=(rows["value_status"] != "reported").astype(int))
    out = rows.groupby(keys, as_index=False, sort=False).agg(
        spend_gbp_k=("value_gbp_k", "sum"), _bad=("_bad", "sum"))
    out.loc[out["_bad"] > 0, "spend_gbp_k"] = np.nan
    out["spend_status"] = np.where(out["_bad"] > 0, "not_available", "reported")
    return out.drop(columns="_bad")


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
    out = out.merge(_population(pop), on=["gss_code", "year", "age_band"], how="left")
    out["population_basis"] = out["population_basis"].fillna("no population estimate")
    out["per_head_gbp"] = out["spend_gbp_k"] * 1000.0 / out["population"]
    out["per_head_status"] = np.where(out["spend_status"] != "reported", out["spend_status"],
                                      np.where(out["population"].isna(), "not_available", "reported"))
    out["level"] = np.select([out["gss_code"] == ENGLAND, out["gss_code"].str.startswith("E12")],
                             ["england", "region"], default="council")
    out["series_code"] = series_code(out["gss_code"])
    order = {ln.line: i for i, ln in enumerate(SPEND_LINES)}
    out["_o"] = out["line"].map(order)
    cols = ["gss_code", "level", "year", "collection", "source_id", "measure", "line", "line_label", "age_band",
            "spend_gbp_k", "spend_status", "total_basis", "population", "mid_year", "population_basis",
            "per_head_gbp", "per_head_status", "series_code"]
    return (out.sort_values(["year", "measure", "_o", "gss_code"]).reset_index(drop=True)[cols])


@lru_cache(maxsize=2)
def _spend_per_head_cached(stamp: tuple[int, ...]) -> pd.DataFrame:
    spend = _table("spend", stamp[0])
    pop = _table("population", stamp[1])
    return _build_spend_per_head(spend, pop)


def spend_per_head() -> pd.DataFrame:
    """Spend per head for every council, region and England, year, collection, measure and line.

    Returns
    -------
    pandas.DataFrame
        One row per ``(gss_code, year, collection, measure, line)``: ``level`` (council / region /
        england, where the file publishes them), ``source_id``, ``line_label``, ``age_band`` (of the rows and
        the population), ``spend_gbp_k`` and ``spend_status`` (a sum with any value not reported is
        ``not_available``), ``total_basis`` (published total, or the sum of detail lines where the
        collection publishes none), ``population`` (persons in the age band, mid-year ``mid_year``),
        ``population_basis``, ``per_head_gbp`` (£ per person, cash) and ``per_head_status``,
        ``series_code``. Cached per process: do not modify it.
    """
    stamp = _stamp("spend", "population", "councils")
    _record("spend", "population", "councils")
    return _spend_per_head_cached(stamp)


def _deflate(values: pd.Series, years: pd.Series, base_year: str) -> pd.Series:
    from helpers.data.national.spend import to_real_terms

    frame = pd.DataFrame({"v": values.to_numpy(dtype=float), "year": years.to_numpy()})
    return pd.Series(to_real_terms(frame, "v", base_year=base_year, deflators=load("deflators")).to_numpy(),
                     index=values.index)


def spend_years() -> list[str]:
    """Financial years with a per-head value for some council."""
    df = spend_per_head()
    return sorted(df.loc[df["per_head_gbp"].notna(), "year"].unique())


def check_expenditure(measure: str) -> str:
    """Return ``'gross'`` or ``'net'`` (any case), else raise :class:`ParameterError`."""
    m = str(measure).strip().lower()
    if m not in EXPENDITURE:
        raise ParameterError(f"parameter 'expenditure': {measure!r} is not one of {list(EXPENDITURE)}")
    return m


_check_measure = check_expenditure


def _check_line(line: str) -> SpendLine:
    if line not in _LINE_BY_ID:
        raise ParameterError(f"unknown spend line {line!r}; lines are {list(_LINE_BY_ID)}")
    return _LINE_BY_ID[line]


def scale_note(b: Benchmark) -> str:
    """The sentence saying which MAD the distances are in."""
    return ("Distances are in MADs scaled by 1.4826 (comparable to standard deviations)." if b.mad_scaled else
            "Distances are in raw (unscaled) MADs, as Oflog's.")


def spend_note(b: Benchmark, measure: str = "gross") -> str:
    """What the reader needs before the spend table: the MAD used and why values are missing, if they are."""
    why = spend_availability(b, measure)
    return scale_note(b) + (f" **{why}**" if why else "")


def noted(text: str, problem: str | None) -> Any:
    """``text`` for the report, with ``problem`` in bold after it; ``problem`` also goes to the run's index.

    ``problem`` is what a reader of a batch must not miss (no figures for the year, too few comparators):
    :func:`helpers.reports.present.note` records it for the ``Notes`` column of ``index.html`` and the manifest.
    """
    from helpers.reports import present as report

    if problem:
        report.note(problem)
        return report.say(f"{text} **{problem}**".strip())
    return report.say(text)


def group_shortfall(b: Benchmark, summary: pd.DataFrame, what: str = "spend line") -> str | None:
    """A sentence when too few comparators have a value for group statistics on some rows, else ``None``.

    ``summary`` has ``group_n`` (comparators with a value) and ``value`` per row (a spend line or an ASCOF
    measure); rows where the council itself has no value are not counted.
    """
    if summary.empty or "group_n" not in summary:
        return None
    mine = summary[summary["value"].notna()]
    short = mine[mine["group_n"] < MIN_GROUP]
    if short.empty:
        return None
    fewest = int(short["group_n"].min())
    if len(short) == len(mine):
        return (f"Fewer than {MIN_GROUP} of the {len(b.group)} comparator councils have a value for {b.year} "
                f"(as few as {fewest}): there is no group median, quartile or rank, only the comparison with all "
                "councils. Choose a larger group (region, council_type or england).")
    return (f"On {len(short)} of {len(mine)} {what}s fewer than {MIN_GROUP} comparator councils have a value for "
            f"{b.year} (as few as {fewest}): those rows have no group median, quartiles or rank.")


def spend_intro(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The sentence before the spend table: the source, the MAD used and, as a run note, why figures are missing.

    A report with no spend per head for its year, or with too few comparators with a value, carries a
    :func:`noted` message (shown in the report and in the run index).
    """
    why = spend_availability(b, measure)
    if why:
        return noted("", why)
    text = f"Spend from {spend_source(b.year)}. {scale_note(b)}"
    return noted(text, group_shortfall(b, summary))


def spend_availability(b: Benchmark, measure: str = "gross") -> str | None:
    """Why there is no spend per head for the council and year, or ``None`` if there is some.

    The reason names the years that do have per-head values, so the reader can pick one.
    """
    _check_measure(measure)
    if not b.available:
        return " ".join(b.notes)
    df = spend_per_head()
    years = ", ".join(spend_years())
    sel = df[(df["year"] == b.year) & (df["measure"] == measure)]
    if sel.empty:
        return f"No spend data for {b.year} in the national files; per-head figures exist for {years}."
    mine = sel[(sel["gss_code"] == b.data_code) & (sel["line"] == "total")]
    if mine.empty:
        return f"{b.name} has no {measure} spend row for {b.year} in the national files."
    if sel["per_head_gbp"].notna().sum() == 0:
        mid = int(b.year[:4])
        return (f"No ONS mid-{mid} population estimate is in the national files, so there is no spend per head "
                f"for {b.year} (the convention divides by the mid-year the financial year starts in); per-head "
                f"figures exist for {years}.")
    if mine["spend_status"].iloc[0] != "reported":
        return (f"{b.name}'s {b.year} spend is not available in the national return "
                f"({source_files([mine['source_id'].iloc[0]])}): its figures are missing there, so there is no "
                "spend per head (never shown as zero).")
    return None


# ------------------------------------------------------------------------------------------------
# where the council sits
# ------------------------------------------------------------------------------------------------


def position(values: pd.Series, council: str, group: tuple[str, ...] | list[str], polarity: str = "none",
             scaled: bool = False, min_group: int = MIN_GROUP) -> dict[str, Any]:
    """The council against its comparator group and against all councils, for one measure.

    Parameters
    ----------
    values
        One value per council (indexed by ``gss_code``, every council with a row that year; ``NaN`` =
        no value).
    council
        The council's code in ``values``.
    group
        Its comparator councils.
    polarity
        ``higher``, ``lower`` or ``none`` (spend): orients the rank and the verdict words.
    scaled
        Scaled (x1.4826) or raw MADs.
    min_group
        Fewest comparators with a value for the group statistics.

    Returns
    -------
    dict
        ``value``; ``group_n`` (comparators with a value), ``group_median``, ``group_q1``, ``group_q3``,
        ``rank`` and ``rank_of`` (in the council + comparators with a value), ``group_mads``,
        ``group_verdict``; ``england_n``, ``england_median``, ``england_mads``, ``england_verdict`` (all
        councils, Oflog's method); ``outlier`` (``True`` if 3 MADs or more from the all-council median);
        ``reason`` (why something is not compared, else ``""``).
    """
    out: dict[str, Any] = {"value": np.nan, "group_n": 0, "group_median": np.nan, "group_q1": np.nan,
                           "group_q3": np.nan, "rank": np.nan, "rank_of": 0, "group_mads": np.nan,
                           "group_verdict": stats.NOT_COMPARED, "england_n": 0, "england_median": np.nan,
                           "england_mads": np.nan, "england_verdict": stats.NOT_COMPARED, "outlier": False,
                           "reason": ""}
    if not values.index.is_unique:
        values = values[~values.index.duplicated()]
    if council not in values.index:
        values = pd.concat([values, pd.Series([np.nan], index=[council])])
    value = float(values.loc[council])
    out["value"] = value
    gvals = values.reindex([g for g in group if g != council]).dropna()
    out["group_n"] = int(len(gvals))
    every = values.to_numpy(dtype=float)
    every = every[~np.isnan(every)]
    out.update(england_n=int(every.size), england_median=float(np.median(every)) if every.size else np.nan)
    reasons = []
    if np.isnan(value):
        reasons.append("no value for the council")
    else:
        d = float(stats.mads_from_median(value, every, scaled=scaled))
        out["england_mads"] = d
        out["england_verdict"] = stats.verdict_from_mads(d, polarity)
        out["outlier"] = bool(abs(d) >= stats.MAD_THRESHOLDS[2])
    if len(gvals) < min_group:
        reasons.append(f"only {len(gvals)} comparator council(s) have a value (at least {min_group} needed)")
    else:
        s = stats.summarise_group(pd.concat([values.loc[[council]], gvals]), council, polarity=polarity,
                                  scaled=scaled)
        out.update(group_median=s["median"], group_q1=s["q1"], group_q3=s["q3"], rank_of=s["n"])
        if not np.isnan(value):
            out.update(rank=s["rank"], group_mads=s["mads_from_median"],
                       group_verdict=stats.verdict_from_mads(s["mads_from_median"], polarity))
    out["reason"] = "; ".join(reasons)
    return out


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


def _year_slice(year: str, measure: str) -> pd.DataFrame:
    df = spend_per_head()
    return df[(df["year"] == year) & (df["measure"] == measure)]


def spend_summary(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] | list[str] | None = None
                  ) -> pd.DataFrame:
    """Spend per head of the council against its group, England and region, one row per line.

    Parameters
    ----------
    b
        From :func:`setup`.
    measure
        ``gross`` or ``net`` current expenditure.
    lines
        Line ids (default all, in report order).

    Returns
    -------
    pandas.DataFrame
        ``line``, ``line_label``, ``age_band``, ``value`` (£ per head), ``status``, the fields of
        :func:`position` (group median, quartiles, rank, MADs, verdicts, outlier, reason), ``england``
        (England's spend per head: the published England row, else the sum over councils) and ``region``
        (the sum over the region's councils with a value, and ``region_basis``). Empty when there is no
        spend per head for the year (see :func:`spend_availability`).
    """
    _check_measure(measure)
    if not b.available:
        return pd.DataFrame()
    sl = _year_slice(b.year, measure)
    if sl["per_head_gbp"].notna().sum() == 0:
        return pd.DataFrame()
    region_codes = set(councils.current(b.year).query("region_code == @b.region_code")["gss_code"])
    wanted = list(lines) if lines is not None else [ln.line for ln in SPEND_LINES]
    rows = []
    for line in wanted:
        ln = _check_line(line)
        part = sl[sl["line"] == line]
        cl = part[part["level"] == "council"]
        values = cl.set_index("gss_code")["per_head_gbp"]
        pos = position(values, b.data_code, b.group, "none", scaled=b.mad_scaled)
        mine = cl[cl["gss_code"] == b.data_code]
        status = mine["per_head_status"].iloc[0] if len(mine) else "missing"
        eng, _ = _aggregate(part, list(cl["gss_code"]), ENGLAND)
        reg, reg_basis = _aggregate(part, sorted(region_codes & set(cl["gss_code"])), b.region_code)
        rows.append({"line": line, "line_label": ln.label, "age_band": ln.age_band, **pos, "status": status,
                     "england": eng, "region": reg, "region_basis": reg_basis})
    out = pd.DataFrame(rows)
    if not out.empty:
        out.loc[(out["status"] != "reported") & (out["reason"] == "no value for the council"), "reason"] = (
            "no value for the council (" + status_words(out["status"]) + ")")
    return out


def _signed1(x: float) -> str:
    return f"{x:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")


def _rank_text(rank: pd.Series, of: pd.Series) -> list[str | None]:
    return [f"{int(r)} of {int(n)}" if pd.notna(r) else None for r, n in zip(rank, of, strict=True)]


def _range_text(lo: pd.Series, hi: pd.Series, digits: int = 0) -> list[str | None]:
    return [f"{a:,.{digits}f} to {c:,.{digits}f}" if pd.notna(a) else None for a, c in zip(lo, hi, strict=True)]


def members_display(b: Benchmark) -> Any:
    """The comparator councils for the reader (name, code, region, type)."""
    from helpers.reports import present as report

    return report.present(b.members(), columns={"name": "Council", "gss_code": "ONS code", "region_name": "Region",
                                                 "council_type": "Type"},
                          empty="No comparator group: see the note above.")


def breaks_display(b: Benchmark) -> Any:
    """Where the council's own series breaks (boundary or code changes), for the reader."""
    from helpers.reports import present as report

    rows = pd.DataFrame(councils.series_breaks(b.council), columns=["year", "kind", "description", "related_codes"])
    rows["related_codes"] = rows["related_codes"].map(lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v)
    return report.present(rows, columns={"year": "From", "kind": "Change", "description": "What changed",
                                         "related_codes": "Other ONS codes involved"},
                          empty="No boundary or code change affects this council's series since 2009-10.",
                          note="Boundary and code changes (ONS); a series is not joined across a change of area")


def spend_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """:func:`spend_summary` for the reader: whole £ per head, the group's spread and rank, verdicts, notes."""
    from helpers.reports import present as report

    d = summary.copy()
    note = f"{_measure_word(measure).capitalize()} per person in the age band, {b.year}, cash"
    if not d.empty:
        d["iqr"] = _range_text(d["group_q1"], d["group_q3"])
        d["rank_text"] = _rank_text(d["rank"], d["rank_of"])
        d["reason"] = d["reason"].where(d["reason"] != "")
        if d["reason"].notna().all() and d["reason"].nunique() == 1:  # the same on every line: said once
            note += f". On every line: {d['reason'].iloc[0]}"
            d["reason"] = np.nan
    return report.present(
        d, columns={"line_label": "Spend line", "age_band": "Per person aged", "value": "Council (£)",
                    "group_median": "Group median (£)", "iqr": "Group middle half (£)",
                    "rank_text": "Rank (1 = highest)", "group_mads": "MADs from group median",
                    "group_verdict": "Against the group", "england": "England (£)",
                    "england_verdict": "Against all councils", "region": "Region (£)", "reason": "Note"},
        formats={"value": "int", "group_median": "int", "england": "int", "region": "int", "group_mads": _signed1},
        empty=spend_availability(b, measure) or "No spend line has a value.",
        note=f"{note}. Sources: {spend_source(b.year)} ({spend_files(b.year)})",
        drop_empty=("reason",))


def outliers_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The lines where the council is 3 or more MADs from the all-council median (Oflog's "much higher/lower")."""
    from helpers.reports import present as report

    sel = summary[summary["outlier"]] if not summary.empty else summary
    why = spend_availability(b, measure)
    return report.present(
        sel, columns={"line_label": "Spend line", "value": "Council (£ per head)",
                      "england_median": "Median of all councils (£)", "england_mads": "MADs from the median",
                      "england_verdict": "Verdict"},
        formats={"value": "int", "england_median": "int", "england_mads": _signed1},
        empty=why or "On no spend line is the council 3 or more MADs from the median of all councils.")


def spend_trend(b: Benchmark, line: str = "total", measure: str = "gross") -> pd.DataFrame:
    """Spend per head over every year with data: the council, its group's median and England, cash and real.

    Real terms are in the prices of ``b.year`` (GDP deflator). The group is the chosen year's group, each
    member followed under its series code; a year where fewer than :data:`MIN_GROUP` members have a value
    has no median. The council's own series follows its series code (same-area recodes joined), so a
    council created by a merger or split starts in its first year.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``collection``, ``council``, ``group_median``, ``group_n``, ``england`` (cash £ per head),
        ``council_real``, ``group_median_real``, ``england_real``, ``real_prices`` (e.g. ``2023-24 prices``),
        ``deflator_note``; sorted by year. Years without any per-head value are left out.
    """
    _check_measure(measure)
    _check_line(line)
    df = spend_per_head()
    df = df[(df["measure"] == measure) & (df["line"] == line)]
    df = df[df.groupby("year")["per_head_gbp"].transform("count") > 0]
    if df.empty:
        return pd.DataFrame()
    cl = df[df["level"] == "council"]
    group_series = set(series_code(pd.Series(list(b.group))))
    rows = []
    for (year, coll), part in cl.groupby(["year", "collection"], sort=True):
        mine = part.loc[part["series_code"] == b.series_code, "per_head_gbp"]
        grp = part.loc[part["series_code"].isin(group_series), "per_head_gbp"].dropna()
        eng, _ = _aggregate(df[(df["year"] == year) & (df["collection"] == coll)], list(part["gss_code"]), ENGLAND)
        rows.append({"year": year, "collection": coll,
                     "council": float(mine.iloc[0]) if len(mine) else np.nan,
                     "group_median": float(grp.median()) if len(grp) >= MIN_GROUP else np.nan,
                     "group_n": int(len(grp)), "england": eng})
    out = pd.DataFrame(rows)
    base = b.year if b.year in set(load("deflators")["year"]) else max(out["year"])
    for col in ("council", "group_median", "england"):
        out[f"{col}_real"] = _deflate(out[col], out["year"], base)
    out["real_prices"] = f"{base} prices"
    defl = load("deflators").set_index("year")
    derived = sorted(y for y in {*out["year"], base} if bool(defl.loc[y, "derived_index"]))
    out["deflator_note"] = ("GDP deflator for " + ", ".join(derived) + " chained from HM Treasury forecasts"
                            if derived else "")
    return out.sort_values("year").reset_index(drop=True)


def trend_display(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`spend_trend` for the reader: cash and real-terms £ per head by year and collection."""
    from helpers.reports import present as report

    t = spend_trend(b, line, measure)
    prices = t["real_prices"].iloc[0] if not t.empty else ""
    return report.present(
        t, columns={"year": "Year", "collection": "Return", "council": "Council (£, cash)",
                    "group_median": "Group median (£, cash)", "england": "England (£, cash)",
                    "council_real": f"Council (£, {prices})", "group_median_real": f"Group median (£, {prices})",
                    "england_real": f"England (£, {prices})"},
        formats={c: "int" for c in ("council", "group_median", "england", "council_real", "group_median_real",
                                    "england_real")},
        empty="No spend per head for any year.",
        note=f"{_check_line(line).label}, {_measure_word(measure)} per person aged {_check_line(line).age_band}; "
             "real terms with the HM Treasury GDP deflator"
             + (f" ({t['deflator_note'].iloc[0]})" if not t.empty and t["deflator_note"].iloc[0] else "")
             + (f". Sources: {spend_source(list(t['year']))} ({spend_files(list(t['year']))})" if not t.empty
                else ""))


def spend_strip(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> pd.DataFrame:
    """Every council's spend per head on each line as a percentage of the median council (for a dot strip).

    Returns
    -------
    pandas.DataFrame
        ``line``, ``line_label``, ``gss_code``, ``per_head_gbp``, ``pct_of_median`` (100 = the median of all
        councils with a value), ``role`` (``council``, ``comparator``, ``other``), ``median``; councils
        without a value left out.
    """
    _check_measure(measure)
    if not b.available:
        return pd.DataFrame()
    sl = _year_slice(b.year, measure)
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


def spend_vs_outcome(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> tuple[pd.DataFrame, str]:
    """Spend per head on a line against an ASCOF measure, every council (for a quadrant chart).

    The outcome is taken for the same financial year, or else the latest earlier year published (the
    message says which).

    Returns
    -------
    (data, message)
        ``gss_code``, ``spend`` (£ per head), ``outcome``, ``role``, ``outcome_year``; and a sentence on the
        years used or why there is no chart (empty data).
    """
    from helpers.analysis.benchmarking import outcomes

    _check_measure(measure)
    ln = _check_line(line)
    if not b.available:
        return pd.DataFrame(), " ".join(b.notes)
    sl = _year_slice(b.year, measure)
    sl = sl[(sl["level"] == "council") & (sl["line"] == line)].set_index("gss_code")["per_head_gbp"].dropna()
    asc = outcomes.ascof_values()
    asc = asc[(asc["measure_code"] == measure_code) & (asc["level"] == "council") & asc["value"].notna()]
    years = sorted(y for y in asc["year"].unique() if y <= b.year)
    if sl.empty:
        return pd.DataFrame(), f"No spend per head on {ln.label.lower()} for {b.year}."
    if not years:
        return pd.DataFrame(), (f"No ASCOF {measure_code} values for {b.year} or earlier in the national files "
                                f"(published here: {', '.join(sorted(asc['year'].unique()))}).")
    oy = years[-1]
    out_vals = asc[asc["year"] == oy]
    # an outcome under a council's old code of the same area counts for the council
    out_vals = out_vals.assign(code=series_code(out_vals["gss_code"])).set_index("code")["value"]
    spend_s = pd.Series(sl.to_numpy(), index=series_code(pd.Series(sl.index)).to_numpy())
    both = pd.concat([spend_s.rename("spend"), out_vals.rename("outcome")], axis=1, join="inner").dropna()
    if both.empty:
        return pd.DataFrame(), f"No council has both values ({b.year} spend, {oy} {measure_code})."
    both.index.name = "gss_code"
    both = both.reset_index()
    group_series = set(series_code(pd.Series(list(b.group))))
    both["role"] = np.where(both["gss_code"] == b.series_code, "council",
                            np.where(both["gss_code"].isin(group_series), "comparator", "other"))
    both["outcome_year"] = oy
    msg = (f"Spend per head {b.year} against ASCOF {measure_code} {oy}"
           + ("" if oy == b.year else f" (the latest ASCOF year published here; {b.year} is not)") + f": "
           f"{len(both)} councils with both values.")
    if "council" not in set(both["role"]):
        msg += f" {b.name} has no value for one of the two, so it is not marked."
    return both.sort_values("gss_code").reset_index(drop=True), msg


# ------------------------------------------------------------------------------------------------
# charts (drawn by helpers.reports.plots)
# ------------------------------------------------------------------------------------------------

_COLLECTION_SOURCE = {
    "RO3": "MHCLG Revenue Outturn (RO3) {year}",
    "ASC-FR": "NHS Digital Adult Social Care Finance Return (ASC-FR) {year}",
    "PSS-EX1": "HSCIC PSS Expenditure (PSS-EX1) {year}",
}


def spend_source(years: list[str] | tuple[str, ...] | str) -> str:
    """The source line of a spend-per-head chart for some financial years."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend_per_head()
    colls = df[df["year"].isin(years)].drop_duplicates("year").sort_values("year")
    parts = [_COLLECTION_SOURCE.get(c, c + " {year}").format(year=y) for y, c in
             zip(colls["year"], colls["collection"], strict=True)]
    mids = ", ".join(f"mid-{y[:4]}" for y in years)
    return "; ".join([*parts, f"ONS population estimates {mids}"])


def source_files(source_ids: list[str] | tuple[str, ...] | set[str]) -> str:
    """The file names of registered sources (``data/raw/sources.yml``), sorted: ``"files a.csv, b.ods"``
    (``"file a.csv"`` for one)."""
    from helpers.data import sources

    names = sorted({Path(sources.get(i).file).name for i in source_ids if i})
    return (("file " if len(names) == 1 else "files ") + ", ".join(names)) if names else ""


def spend_files(years: list[str] | tuple[str, ...] | str) -> str:
    """:func:`source_files` of the spend and population files behind spend per head in ``years``."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend_per_head()
    ids = set(df.loc[df["year"].isin(years) & df["per_head_gbp"].notna(), "source_id"])
    pop = load("population")
    ids |= set(pop.loc[pop["year"].isin(years), "source_id"])
    return source_files(ids)


def _measure_word(measure: str) -> str:
    return "gross current expenditure" if measure == "gross" else "net current expenditure"


def strip_chart(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> Any:
    """Dot strip of every council's spend per head on the headline lines, the council highlighted."""
    from helpers.reports import plots
    from helpers.reports.plots import benchmarking as benchmarking_charts

    title = f"Spend per head, {b.year}: {b.name} among all councils"
    why = spend_availability(b, measure)
    if why:
        return plots.empty_chart(why, title=title, source="national spend and population tables")
    data = spend_strip(b, measure, lines)
    return benchmarking_charts.dot_strip(data, council_name=b.name, title=title,
                           xlabel=f"{_measure_word(measure)} per head, % of the median council (100 = median)",
                           source=spend_source(b.year),
                           note="Each dot is a council; per head of the population of the line's age band.")


def trend_figure(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """Spend per head on a line over time in real terms: the council, its group's median and England."""
    from helpers.reports import plots
    from helpers.reports.plots import benchmarking as benchmarking_charts

    ln = _check_line(line)
    t = spend_trend(b, line, measure)
    title = f"{ln.label}: spend per head over time"
    if t.empty:
        return plots.empty_chart("No spend per head for any year.", title=title, source="national spend tables")
    return benchmarking_charts.trend_chart(
        t, council_name=b.name, group_label=b.group_label, value="_real", title=title,
        ylabel=f"£ per person aged {ln.age_band}, {t['real_prices'].iloc[0]}", source=spend_source(list(t["year"])),
        note=("Real terms with the HM Treasury GDP deflator. " + t["deflator_note"].iloc[0] + ". "
              "Different collections (ASC-FR, RO3) define spend differently: read across the line with care."))


def quadrant_figure(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """Quadrant chart of spend per head on a line against its ASCOF partner measure, every council."""
    from helpers.analysis.benchmarking import outcomes
    from helpers.reports.plots import benchmarking as benchmarking_charts

    ln = _check_line(line)
    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    reg = outcomes.registry().set_index("measure_code")
    pol = str(reg.loc[measure_code, "polarity"])
    unit = {"percent": "%", "rate_per_100k": "per 100,000"}.get(str(reg.loc[measure_code, "unit"]), "")
    title = f"Spend per head and ASCOF {measure_code}, {b.year}"
    return benchmarking_charts.quadrant(
        data, council_name=b.name, title=title, polarity=pol,
        xlabel=f"{ln.label}: {_measure_word(measure)}, £ per person aged {ln.age_band}",
        ylabel=f"ASCOF {measure_code}, {unit} ({'higher' if pol == 'higher' else 'lower'} is better)",
        source=spend_source(b.year) + "; NHS England ASCOF"
        + (f" {data['outcome_year'].iloc[0]}" if not data.empty else ""), note=msg)


def strip_view(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> Any:
    """:func:`strip_chart` as an image for the report, or a sentence when there is no spend per head."""
    from helpers.reports import plots
    from helpers.reports import present as report

    why = spend_availability(b, measure)
    if why:
        return report.say(f"*No chart: {why}*")
    return plots.image(strip_chart(b, measure, lines))


def trend_view(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`trend_figure` as an image for the report, or a sentence when no year has a value."""
    from helpers.reports import plots
    from helpers.reports import present as report

    if spend_trend(b, line, measure).empty:
        return report.say("*No chart: no spend per head for any year.*")
    return plots.image(trend_figure(b, line, measure))


def quadrant_view(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """:func:`quadrant_figure` as an image for the report, or why there is none.

    No spend per head for the year is said where the spend table says it; no outcome for the year or
    earlier is a :func:`noted` message (it goes to the run index too).
    """
    from helpers.reports import plots
    from helpers.reports import present as report

    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    if data.empty:
        if spend_availability(b, measure):
            return report.say(f"*No chart: {spend_availability(b, measure)}*")
        return noted("No chart.", msg)
    return plots.image(quadrant_figure(b, line, measure_code, measure))


# ------------------------------------------------------------------------------------------------
# the councillor's summary
# ------------------------------------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not available"
    if unit == "gbp_per_head":
        return f"£{value:,.0f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "rate_per_100k":
        return f"{value:,.1f} per 100,000"
    if unit == "score_3":  # a score published to 3 decimals (ASCOF 1J, on a 0-1 scale)
        return f"{value:.3f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def plain_summary(rows: pd.DataFrame, unit_col: str = "unit") -> pd.DataFrame:
    """The short table a councillor reads: measure, our value, comparator, England, verdict.

    Parameters
    ----------
    rows
        One row per measure with ``measure`` (plain name), ``unit`` (``gbp_per_head``, ``percent``,
        ``rate_per_100k``, ``score``, ``score_3`` for a score published to 3 decimals), ``value``,
        ``comparator`` (the group median), ``england``, ``verdict`` (plain words), ``basis`` (how the verdict
        was reached) and, optionally, ``source`` (the publication and file the values come from).

    Returns
    -------
    pandas.DataFrame
        ``Measure``, ``Our value``, ``Comparator median``, ``England``, ``Verdict``, ``How judged``
        (text), plus the numbers ``our_value``, ``comparator_value``, ``england_value`` (rounded as shown)
        so that the exported file can be checked and re-used, and ``Source``.
    """
    if rows.empty:
        return pd.DataFrame(columns=["Measure", "Our value", "Comparator median", "England", "Verdict",
                                     "How judged", "our_value", "comparator_value", "england_value", "Source"])
    digits = rows[unit_col].map({"gbp_per_head": 0, "percent": 1, "rate_per_100k": 1, "score_3": 3}
                                ).fillna(2).astype(int)
    out = pd.DataFrame({
        "Measure": rows["measure"].to_numpy(),
        "Our value": [_fmt(v, u) for v, u in zip(rows["value"], rows[unit_col], strict=True)],
        "Comparator median": [_fmt(v, u) for v, u in zip(rows["comparator"], rows[unit_col], strict=True)],
        "England": [_fmt(v, u) for v, u in zip(rows["england"], rows[unit_col], strict=True)],
        "Verdict": rows["verdict"].to_numpy(),
        "How judged": rows["basis"].to_numpy(),
    })
    for src, dst in (("value", "our_value"), ("comparator", "comparator_value"), ("england", "england_value")):
        out[dst] = [round(float(v), int(d)) if pd.notna(v) else np.nan
                    for v, d in zip(rows[src], digits, strict=True)]
    out["Source"] = rows["source"].to_numpy() if "source" in rows else np.nan
    return out


def spend_plain_summary(b: Benchmark, summary: pd.DataFrame, measure: str = "gross",
                        lines: tuple[str, ...] = HEADLINE_LINES) -> pd.DataFrame:
    """:func:`plain_summary` of the headline spend lines (verdict against the comparator median in MADs)."""
    if summary.empty:
        return plain_summary(pd.DataFrame())
    s = summary[summary["line"].isin(lines)]
    word = "Gross" if measure == "gross" else "Net"
    scale = "scaled MADs" if b.mad_scaled else "MADs"
    verdict = [v if v != stats.NOT_COMPARED else f"not compared: {r}" for v, r in
               zip(s["group_verdict"], s["reason"], strict=True)]
    rows = pd.DataFrame({
        "measure": [f"{word} spend per person: {lab}" + ("" if "aged" in lab else f" (per person aged {band})")
                    for lab, band in zip(s["line_label"], s["age_band"], strict=True)],
        "unit": "gbp_per_head", "value": s["value"], "comparator": s["group_median"], "england": s["england"],
        "verdict": verdict,
        "basis": f"distance from the group median in {scale}",
        "source": spend_source(b.year),
    })
    return plain_summary(rows)


def plain_display(plain: pd.DataFrame, empty: str) -> Any:
    """The councillor's summary table as shown in the report (the text columns of :func:`plain_summary`)."""
    from helpers.reports import present as report

    cols = ["Measure", "Our value", "Comparator median", "England", "Verdict", "How judged"]
    note = None
    if len(plain) and plain["How judged"].nunique() == 1:  # said once, above the table
        cols.remove("How judged")
        note = f"Verdict: {plain['How judged'].iloc[0]}"
    return report.present(plain, columns={c: c for c in cols}, empty=empty, source="Source", note=note)


def export_summary(df: pd.DataFrame, name: str = "summary") -> str:
    """Write the councillor's table as CSV and Excel next to the report; return a sentence naming the files."""
    from helpers.reports import present as report

    files = report.export_table(df, name)
    return "This table is also saved as " + " and ".join(f"`{f}`" for f in files) + "."
