"""Comparator groups: the checked council, year and group of a benchmarking report, and where a council sits in it.

Shared by :mod:`helpers.analysis.benchmarking.spend` and :mod:`helpers.analysis.benchmarking.outcomes`:

* :func:`parse_comparator` reads the ``comparator`` parameter (a group name or a list of councils);
* :func:`setup` checks a council, a financial year and a comparator group and returns a :class:`Benchmark`
  (the council's code for that year, the group's councils, and what a reader must be told about them);
* :func:`series_code`, :func:`status_words`, :func:`group_shortfall`, :func:`scale_note`, :func:`source_files`:
  small shared pieces (same-area series codes, status codes in words, the sentences the reports need);
* :func:`derived` keeps a frame computed from processed tables once per process while they are unchanged.

Conventions (``docs/methods.md``, section *Benchmarking*): group statistics are over the comparators with a
value, never the council (as LG Inform and Fingertips), with their count and the names of those without one;
"all councils" statistics are Oflog's (every council with a value, the council included); fewer than
:data:`MIN_GROUP` comparators with a value -> no group statistics, and the reason is given; distances are in
unscaled MADs by default (as Oflog), over a stated floor for bounded measures.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from helpers.core.errors import ParameterError
from helpers.data import councils, sources, tables
from helpers.data.national.comparators import TABLE_GROUPS, comparator_group

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
#: Plain words for the ``*_status`` values of the processed tables (what a reader sees instead of the code).
STATUS_WORDS: dict[str, str] = {"not_available": "not published", "suppressed": "suppressed: small numbers",
                                "missing": "no row in the file", "reported": "published",
                                "not_split": "not split by age in this year's return"}

#: Which ONS mid-year estimate divides spend per head: the year's own, else the latest (default), or the own only.
POPULATION_RULES: dict[str, str] = {
    "same_or_latest": "the mid-year the financial year starts in, else the latest estimate published",
    "same": "the mid-year the financial year starts in only",
}

T = TypeVar("T")


def check_population_rule(value: str) -> str:
    """``same_or_latest`` or ``same`` (any case), else :class:`ParameterError`."""
    key = str(value).strip().lower()
    if key not in POPULATION_RULES:
        raise ParameterError(f"parameter 'population_rule': {value!r} is not one of {list(POPULATION_RULES)}")
    return key


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
    population_rule
        Which mid-year population a per-head figure divides by (:data:`POPULATION_RULES`).
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
    population_rule: str = "same_or_latest"

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
        """One paragraph for the report (plain text, escaped by the report): council, year, group and notes."""
        text = f"{self.name} ({self.council}), {self.year}, compared with {self.group_label}."
        if self.notes:
            text += " " + " ".join(self.notes)
        return text


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


def _code_list(value: object) -> list[str]:
    """A ``;``-separated list of codes of the council reference table (``None`` -> ``[]``)."""
    return [v for v in value.split(";") if v] if isinstance(value, str) else []


def _data_code(code: str, year: str) -> tuple[str | None, list[str]]:
    """The code whose figures stand for ``code`` in ``year`` and what to tell the reader."""
    why = ""
    if _active(code, year):
        return code, []
    row = councils.get(code)
    for old in _code_list(row["previous_gss_codes"]):
        if old in set(councils.reference()["gss_code"]) and _active(old, year):
            return old, [f"In {year} the national files hold this council's figures under its previous code "
                         f"{old} (same area)."]
    try:
        councils.validate_code(code, year)
    except ParameterError as exc:
        why = str(exc)
    return None, [sentence(f"There is nothing to benchmark for {year}: {why}")]


def _successors(code: str, year: str) -> list[str]:
    """The councils that replaced ``code`` (split or merged) and exist in ``year`` (Cumbria 2023-24:
    Cumberland, Westmorland and Furness)."""
    try:
        row = councils.get(code)
    except ParameterError:
        return []
    return sorted(c for c in _code_list(row["successor_codes"]) if _active(c, year))


def setup(council: str, year: str, comparator: str | list[str] = "nearest_neighbours",
          mad_scaled: bool = False, population_rule: str = "same_or_latest") -> Benchmark:
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
    population_rule
        Which ONS mid-year estimate a per-head figure divides by (:data:`POPULATION_RULES`):
        ``same_or_latest`` (default: the mid-year the financial year starts in, else the latest estimate
        published, labelled as such) or ``same`` (no per-head figure without the year's own estimate).

    Returns
    -------
    Benchmark

    Raises
    ------
    ParameterError
        Unknown council or year, unknown group, a listed code that is not a council in ``year``, or a
        group of fewer than :data:`MIN_GROUP` councils.
    """
    code = councils.validate_code(council)
    councils.current(year)  # checks the year's format and range
    population_rule = check_population_rule(population_rule)
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
            msg = str(w.message)
            dropped = re.search(r"neighbour (E\d{8}) .* did not exist in", msg)
            subs = _successors(dropped.group(1), year) if dropped else []
            if subs:
                group += [c for c in subs if c not in group and c != data_code]
                notes.append(
                    f"{councils.name_of(dropped.group(1))} ({dropped.group(1)}), one of Oflog's neighbours, was "
                    f"split in April 2023; its successors {' and '.join(councils.name_of(c) for c in subs)} "
                    "take its place in the group.")
            else:
                notes.append(sentence(msg))
        group = sorted({g for g in group if g != data_code})
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
        mad_scaled=mad_scaled, population_rule=population_rule,
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
# where the council sits
# ------------------------------------------------------------------------------------------------


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
                "councils. A larger comparator group (the region, councils of the same type, or all of England) "
                "would have one.")
    return (f"On {len(short)} of {len(mine)} {what}s fewer than {MIN_GROUP} comparator councils have a value for "
            f"{b.year} (as few as {fewest}): those rows have no group median, quartiles or rank.")


def scale_note(b: Benchmark) -> str:
    """The sentence saying which MAD the distances are in."""
    return ("Distances are in MADs scaled by 1.4826 (comparable to standard deviations)." if b.mad_scaled else
            "Distances are in raw (unscaled) MADs, as Oflog's.")


# ------------------------------------------------------------------------------------------------
# shared by spend and outcomes: source files, derived tables
# ------------------------------------------------------------------------------------------------


def source_files(source_ids: list[str] | tuple[str, ...] | set[str]) -> str:
    """The file names of registered sources (``data/raw/sources.yml``), sorted: ``"files a.csv, b.ods"``
    (``"file a.csv"`` for one)."""
    names = sorted({Path(sources.get(i).file).name for i in source_ids if i})
    return (("file " if len(names) == 1 else "files ") + ", ".join(names)) if names else ""


#: :func:`derived` results: key -> (the tables they were computed from, the result).
_DERIVED: dict[str, tuple[tuple[pd.DataFrame, ...], Any]] = {}


def derived(key: str, build: Callable[..., T], *names: str) -> T:
    """``build(*frames)`` of the processed tables ``names``, computed once per process while they are unchanged.

    The frames come from :func:`helpers.data.tables.cached`, so every call records the reads for the run
    manifest and a rebuilt table is read again; the result is kept while ``cached`` returns the very same
    frames (a warm kernel running council after council computes it once). Do not modify the result.
    """
    frames = tuple(tables.cached(n) for n in names)
    hit = _DERIVED.get(key)
    if hit is None or len(hit[0]) != len(frames) or any(a is not f for a, f in zip(hit[0], frames, strict=True)):
        hit = (frames, build(*frames))
        _DERIVED[key] = hit
    return hit[1]
