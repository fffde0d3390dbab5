"""The population tables (single years of age, age bands, latest boundaries) built from the ONS mid-year estimates.

The files are read by :mod:`helpers.data.national.population_files`. Three processed tables:

``population_sya``
    Population by single year of age (0..89, and 90 = "90 and over" as ONS publishes it) and sex
    (``persons``, ``male``, ``female``) for every English council with adult social services
    responsibility (upper tier: counties, unitary authorities, metropolitan districts, London boroughs,
    City of London, Isles of Scilly), every English region and England, one row per area, mid-year, sex
    and age, with the boundary set of the file (``geography_vintage``).
``population``
    Persons in the age bands the notebooks divide by (``all``, ``18+``, ``18-64``, ``65+``, ``85+``),
    keyed by the financial year that *starts* in the mid-year (mid-2022 -> ``2022-23``:
    :func:`helpers.core.periods.fy`; see ``docs/methods.md``). Derived from ``population_sya``.
``population_latest_boundaries``
    A derived continuous series: persons by single year of age, every mid-year on the latest councils.

Geography codes are kept as each file publishes them: old areas are never silently re-aggregated into new
ones (except in the derived series, which says how in ``basis``). Where a council's series breaks,
:mod:`helpers.data.councils` says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils, sources, tables
from helpers.data.councils import ENGLAND
from helpers.data.national.population_files import (
    AGES,
    MAX_AGE,
    MYE_FAMILY,
    SEXES,
    boundary_year,
    geography_vintage,
    mye_sources,
    read_mye,
)
from helpers.data.reading import check_registered, registered_paths
from helpers.data.revisions import later_release_wins
from helpers.data.schemas import POPULATION_LATEST_SCHEMA, POPULATION_SCHEMA, POPULATION_SYA_SCHEMA, validate
from helpers.data.tables import TableSpec, register_table

#: Age bands of the ``population`` table: inclusive (first, last) single years; 90 means 90 and over.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "all": (0, MAX_AGE),
    "18+": (18, MAX_AGE),
    "18-64": (18, 64),
    "65+": (65, MAX_AGE),
    "85+": (85, MAX_AGE),
}
#: GSS prefixes of councils with adult social services responsibility (upper tier): unitary
#: authorities (E06, incl. Isles of Scilly), metropolitan districts (E08), London boroughs and the City
#: of London (E09), counties (E10). Districts (E07) and metropolitan counties (E11) are left out.
COUNCIL_PREFIXES: tuple[str, ...] = ("E06", "E08", "E09", "E10")


def select_areas(wide: pd.DataFrame, mid_year: int, *, file: str | Path, sheet: str | None = None
                 ) -> pd.DataFrame:
    """Keep the councils with adult social services responsibility, the regions and England.

    The councils (E06/E08/E09/E10 rows) must be exactly :func:`helpers.data.councils.current` of the file's
    boundary year (:func:`~helpers.data.national.population_files.boundary_year`), and the regions exactly :func:`helpers.data.councils.regions`.
    Districts (E07), metropolitan counties (E11) and other nations are dropped.

    Raises
    ------
    DataError
        A council code that is not in the reference table or not a council with these boundaries
        (names its row), or a council or region of the reference table missing from the file.
    """
    prefix = wide["gss_code"].str[:3]
    is_council = prefix.isin(COUNCIL_PREFIXES)
    expected = set(councils.current(boundary_year(mid_year))["gss_code"])
    known = set(councils.reference()["gss_code"])
    region_codes = set(councils.regions()["region_code"]) - {ENGLAND}
    extra = is_council & ~wide["gss_code"].isin(expected)
    if extra.any():
        i = int(np.flatnonzero(extra.to_numpy())[0])
        code = wide["gss_code"].iloc[i]
        why = (f"is not a council of {boundary_year(mid_year)} ({geography_vintage(mid_year)})" if code in known
               else "is not in the council reference table (data/raw/reference/councils.csv)")
        raise DataError(f"council code {code} ({wide['name'].iloc[i]}) {why}", file=file, sheet=sheet,
                        row=int(wide["_row"].iloc[i]), column="Code", value=code)
    missing = sorted(expected - set(wide["gss_code"])) + sorted(region_codes - set(wide["gss_code"]))
    if missing:
        raise DataError(
            f"{len(missing)} council(s)/region(s) of {boundary_year(mid_year)} missing from the file, first "
            f"{missing[0]} ({councils.name_of(missing[0])})",
            file=file, sheet=sheet, column="Code",
        )
    keep = is_council | wide["gss_code"].isin(region_codes) | (wide["gss_code"] == ENGLAND)
    return wide[keep]


def _check_england_total(wide: pd.DataFrame, *, file: str | Path) -> None:
    """The councils must add up to the published England row (each age and all ages)."""
    prefix = wide["gss_code"].str[:3]
    eng = wide[wide["gss_code"] == ENGLAND]
    if len(eng) != 1:
        raise DataError("no England row (E92000001)", file=file, column="Code")
    cols = ["all_ages", *AGES]
    diff = wide.loc[prefix.isin(COUNCIL_PREFIXES), cols].sum() - eng[cols].iloc[0]
    off = diff[diff.abs() > 0.5]
    if len(off):
        raise DataError(
            f"the councils ({', '.join(COUNCIL_PREFIXES)}) add up to {diff[off.index[0]]:+.0f} more than "
            f"England for {off.index[0]}: a council or county row is missing or doubled",
            file=file, row=int(eng["_row"].iloc[0]), column=str(off.index[0]),
        )


def _inputs() -> list[Path]:
    return registered_paths(s.id for s in sources.family(MYE_FAMILY))


def load_population_sya(mid_years: list[int] | None = None, sexes: tuple[str, ...] = SEXES) -> pd.DataFrame:
    """Build the ``population_sya`` table from the MYE files.

    Parameters
    ----------
    mid_years
        Mid-years to read (every registered one, :func:`mye_sources`, when ``None``).
    sexes
        Which MYE2 sheets to read.

    Returns
    -------
    pandas.DataFrame
        Validated; columns ``gss_code, mid_year, sex, age, population, source_id, geography_vintage``,
        sorted by mid-year, code, sex, age.

    Raises
    ------
    MissingDataError, DataError
        A file is missing; a file's layout or content is not as expected (names file, sheet, row and
        column); the councils do not add up to England.
    """
    frames = []
    files = [s for s in sources.family(MYE_FAMILY) if mid_years is None or int(s.years[0]) in mid_years]
    for src in files:
        year = int(src.years[0])
        for sex in sexes:
            wide = read_mye(year, sex, source_id=src.id)
            _check_england_total(wide, file=src.path)
            frames.append(select_areas(wide, year, file=src.path, sheet=wide.attrs.get("sheet"))
                          .assign(_file=src.file))
    wide = pd.concat(frames, ignore_index=True)
    n = len(wide)
    long = pd.DataFrame({
        "gss_code": np.repeat(wide["gss_code"].to_numpy(), len(AGES)),
        "mid_year": np.repeat(wide["mid_year"].to_numpy(), len(AGES)).astype("int64"),
        "sex": np.repeat(wide["sex"].to_numpy(), len(AGES)),
        "age": np.tile(np.array(AGES, dtype="int64"), n),
        "population": wide[list(AGES)].to_numpy(dtype=float).ravel(),
        "source_id": np.repeat(wide["source_id"].to_numpy(), len(AGES)),
        "_row": np.repeat(wide["_row"].to_numpy(), len(AGES)),
        "_file": np.repeat(wide["_file"].to_numpy(), len(AGES)),
    })
    long["geography_vintage"] = long["mid_year"].map(geography_vintage)
    parts = [g.assign(year=g["mid_year"].astype(str), _status="reported") for _, g in
             long.groupby("source_id", sort=False)]
    order = {s.id: i for i, s in enumerate(files)}
    parts.sort(key=lambda g: order[g["source_id"].iloc[0]])
    long, found = later_release_wins(parts, ["gss_code", "mid_year", "sex", "age"], value="population",
                                     status="_status", unit=("gss_code", "mid_year"))
    long = long.drop(columns=["year", "_status"])
    long["sex"] = pd.Categorical(long["sex"], categories=list(SEXES))
    long = long.sort_values(["mid_year", "gss_code", "sex", "age"], kind="stable").reset_index(drop=True)
    long["sex"] = long["sex"].astype(str)
    out = validate(long, POPULATION_SYA_SCHEMA)
    check_registered(s.id for s in files)
    out.attrs["changes"] = found
    return out


def check_mye_file(mid_year: int, *, source_id: str, path: Path) -> pd.DataFrame:
    """Check one MYE file in full, as the build does (every sheet, the councils of its boundary year, the
    councils adding up to England), before it is registered; return its rows in the ``population_sya`` layout
    (persons, male, female) with ``gss_code, mid_year, sex, age, population``."""
    frames = []
    for sex in SEXES:
        wide = read_mye(mid_year, sex, source_id=source_id, path=path)
        _check_england_total(wide, file=path)
        kept = select_areas(wide, mid_year, file=path, sheet=wide.attrs.get("sheet"))
        long = kept.melt(id_vars=["gss_code"], value_vars=list(AGES), var_name="age", value_name="population")
        frames.append(long.assign(mid_year=mid_year, sex=sex, source_id=source_id))
    return pd.concat(frames, ignore_index=True)


def age_bands(sya: pd.DataFrame, bands: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Sum single years of age into bands (persons only).

    Parameters
    ----------
    sya
        Rows of ``population_sya`` (any sexes; only ``persons`` rows are used).
    bands
        ``{band: (first_age, last_age)}`` inclusive; :data:`AGE_BANDS` when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``gss_code, mid_year, year, age_band, population, source_id`` (``year`` = the financial year
        starting in the mid-year), sorted by mid-year, code and the order of ``bands``.
    """
    bands = bands or AGE_BANDS
    persons = sya[sya["sex"] == "persons"]
    keys = ["gss_code", "mid_year", "source_id"]
    frames = []
    for band, (lo, hi) in bands.items():
        part = persons[persons["age"].between(lo, hi)]
        s = part.groupby(keys, sort=False, observed=True)["population"].sum(min_count=hi - lo + 1)
        frames.append(s.reset_index().assign(age_band=band))
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["mid_year"].map(periods.fy)
    out["age_band"] = pd.Categorical(out["age_band"], categories=list(bands))
    out = out.sort_values(["mid_year", "gss_code", "age_band"], kind="stable").reset_index(drop=True)
    out["age_band"] = out["age_band"].astype(str)
    return out[["gss_code", "mid_year", "year", "age_band", "population", "source_id"]]


def load_population() -> pd.DataFrame:
    """Build the ``population`` table (age bands) from the processed ``population_sya`` table."""
    return validate(age_bands(tables.load("population_sya")), POPULATION_SCHEMA)


def on_financial_year_councils(pop: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``population`` bands on the councils that had adult social services in each financial year.

    Use this to join population to figures reported by the councils of a financial year (finance returns,
    ASCOF). Each MYE file uses the boundaries in force when it was *published*, which for four mid-years is
    later than the financial year it is the denominator for (mid-2018 -> 2018-19 on April 2019
    boundaries, mid-2019 -> 2019-20 on April 2020, mid-2020 -> 2020-21 on April 2021, mid-2022 ->
    2022-23 on April 2023). A council of the financial year that its file does not list gets:

    * the published figure of its successor when :mod:`helpers.data.councils` says the successor is the same
      area under a new code (Buckinghamshire 2019-20; North Yorkshire and Somerset 2022-23);
    * the sum of its successors when it was split and each successor came from it alone, so that together
      they are exactly its area (Northamptonshire 2020-21; Cumbria 2022-23);
    * otherwise no figure: ``population`` NaN with ``population_status`` ``not_available`` and the
      reason in ``basis`` (Bournemouth, Poole and Dorset county 2018-19: their successors BCP and Dorset
      were formed from parts of more than one of them, and the mid-2018 file is on April 2019 boundaries).

    Councils in a file that did not exist in the financial year (e.g. BCP in 2018-19) are left out.
    Regions and England are as published.

    Parameters
    ----------
    pop
        The ``population`` table; loaded from ``data/processed`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``gss_code, mid_year, year, age_band, population, population_status, source_id, basis``, one row
        per council of the financial year (plus regions and England) and band, sorted by year, code, band.
        ``basis`` is ``published`` or says how the figure was derived.
    """
    if pop is None:
        pop = tables.load("population")
    ref = councils.reference().set_index("gss_code")
    frames = []
    for (mid_year, year), part in pop.groupby(["mid_year", "year"], sort=True):
        have = set(part["gss_code"])
        wanted = set(councils.current(year)["gss_code"])
        keep = part[part["gss_code"].isin(wanted) | ~part["gss_code"].str[:3].isin(COUNCIL_PREFIXES)]
        frames.append(keep.assign(population_status="reported", basis="published"))
        source_id = part["source_id"].iloc[0]
        for code in sorted(wanted - have):
            succ = councils.split_codes(ref.at[code, "successor_codes"])
            recoded = len(succ) == 1 and code in councils.split_codes(ref.at[succ[0], "previous_gss_codes"])
            exact = bool(succ) and all(councils.split_codes(ref.at[s, "predecessor_codes"]) == [code] for s in succ)
            if succ and set(succ) <= have and (recoded or exact):
                rows = part[part["gss_code"].isin(succ)]
                summed = rows.groupby("age_band", sort=False)["population"].sum().reset_index()
                basis = (f"recoded: published as {succ[0]} (same area)" if recoded else
                         f"sum of its successors {' + '.join(succ)} (together the same area)")
                frames.append(summed.assign(gss_code=code, mid_year=mid_year, year=year, source_id=source_id,
                                            population_status="reported", basis=basis))
            else:
                frames.append(pd.DataFrame({
                    "gss_code": code, "mid_year": mid_year, "year": year, "age_band": list(AGE_BANDS),
                    "population": np.nan, "source_id": source_id, "population_status": "not_available",
                    "basis": f"not published: the mid-{mid_year} file is on {geography_vintage(mid_year)}, where "
                             f"{code} ({councils.name_of(code)}) is gone and its successor(s) {' + '.join(succ)} "
                             "were formed from parts of more than one council",
                }))
    out = pd.concat(frames, ignore_index=True)
    out["age_band"] = pd.Categorical(out["age_band"], categories=list(AGE_BANDS))
    out = out.sort_values(["mid_year", "gss_code", "age_band"], kind="stable").reset_index(drop=True)
    out["age_band"] = out["age_band"].astype(str)
    cols = ["gss_code", "mid_year", "year", "age_band", "population", "population_status", "source_id", "basis"]
    return out[cols]


#: The latest boundary set (the financial year whose councils :func:`load_population_latest_boundaries`
#: re-expresses every mid-year on).
LATEST_BOUNDARY_YEAR = "2023-24"

#: Councils created since 2015 whose area is not a union of earlier upper-tier councils: the districts
#: (E07) and unitaries they were formed from, per the structural changes orders (The Bournemouth, Dorset
#: and Poole (Structural Changes) Order 2018, SI 2018/648; The Northamptonshire (Structural Changes) Order
#: 2020, SI 2020/156; The Cumbria (Structural Changes) Order 2022, SI 2022/331). Each county's districts
#: are checked to add up to the county in every file that lists them (tests/data/test_population.py).
SUCCESSOR_COMPONENTS: dict[str, tuple[str, ...]] = {
    # Bournemouth, Christchurch and Poole = Bournemouth UA + Poole UA + Christchurch district (Dorset)
    "E06000058": ("E06000028", "E06000029", "E07000048"),
    # Dorset UA = East Dorset, North Dorset, Purbeck, West Dorset, Weymouth and Portland
    "E06000059": ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053"),
    # North Northamptonshire = Corby, East Northamptonshire, Kettering, Wellingborough
    "E06000061": ("E07000150", "E07000152", "E07000153", "E07000156"),
    # West Northamptonshire = Daventry, Northampton, South Northamptonshire
    "E06000062": ("E07000151", "E07000154", "E07000155"),
    # Cumberland = Allerdale, Carlisle, Copeland
    "E06000063": ("E07000026", "E07000028", "E07000029"),
    # Westmorland and Furness = Barrow-in-Furness, Eden, South Lakeland
    "E06000064": ("E07000027", "E07000030", "E07000031"),
}


def to_latest_boundaries(wide: pd.DataFrame, mid_year: int) -> pd.DataFrame:
    """Re-express one file's areas (wide, every area incl. districts) on the latest councils.

    Parameters
    ----------
    wide
        :func:`read_mye` output (all areas of the file, districts included).
    mid_year
        Its mid-year.

    Returns
    -------
    pandas.DataFrame
        Wide, one row per council of :data:`LATEST_BOUNDARY_YEAR`, region and England: ``gss_code``,
        ``basis`` and the age columns. ``basis`` is ``published``, ``recoded: published as <old code>``
        or ``sum of <codes>`` (for :data:`SUCCESSOR_COMPONENTS`).

    Raises
    ------
    DataError
        A latest council that the file neither lists nor has the components of.
    """
    by_code = wide.set_index("gss_code")
    ref = councils.current(LATEST_BOUNDARY_YEAR).set_index("gss_code")
    regions = sorted(set(councils.regions()["region_code"]))
    ages = list(AGES)
    rows, basis, codes = [], [], []
    for code in [*ref.index, *regions]:
        prev = councils.split_codes(ref.at[code, "previous_gss_codes"]) if code in ref.index else []
        old = [c for c in prev if c in by_code.index]
        if code in by_code.index:
            rows.append(by_code.loc[code, ages].to_numpy(dtype=float))
            basis.append("published")
        elif old:
            rows.append(by_code.loc[old[0], ages].to_numpy(dtype=float))
            basis.append(f"recoded: published as {old[0]} (same area)")
        elif code in SUCCESSOR_COMPONENTS and all(c in by_code.index for c in SUCCESSOR_COMPONENTS[code]):
            parts = list(SUCCESSOR_COMPONENTS[code])
            rows.append(by_code.loc[parts, ages].to_numpy(dtype=float).sum(axis=0))
            basis.append(f"sum of {' + '.join(parts)} (the areas it was formed from)")
        else:
            raise DataError(f"{code} ({councils.name_of(code)}) cannot be built from the mid-{mid_year} file's areas",
                            file=mye_sources().get(mid_year, f"mid-{mid_year}"), column="Code")
        codes.append(code)
    out = pd.DataFrame(np.vstack(rows), columns=ages)
    out.insert(0, "basis", basis)
    out.insert(0, "gss_code", codes)
    return out


def load_population_latest_boundaries() -> pd.DataFrame:
    """Build ``population_latest_boundaries``: persons by single year of age, every mid-year on the latest
    (April 2023) councils, for continuous series across the 2019, 2020, 2021 and 2023 reorganisations.

    This is a derived series, not what ONS published for the earlier years: a council created since 2015
    is the sum of the areas it was formed from (:data:`SUCCESSOR_COMPONENTS`), a recoded council takes
    its old code's figure, and ``basis`` says which. Use ``population`` / ``population_sya`` for figures
    as published.

    Returns
    -------
    pandas.DataFrame
        ``gss_code, mid_year, sex ('persons'), age, population, source_id, geography_vintage
        ('2023 boundaries (derived)' before mid-2022), basis``; sorted by mid-year, code, age.
    """
    frames = []
    ids = mye_sources()
    for year in sorted(ids):
        w = to_latest_boundaries(read_mye(year, "persons"), year)
        long = w.melt(id_vars=["gss_code", "basis"], var_name="age", value_name="population")
        frames.append(long.assign(mid_year=year, source_id=ids[year]))
    out = pd.concat(frames, ignore_index=True)
    out["age"] = out["age"].astype("int64")
    out["mid_year"] = out["mid_year"].astype("int64")
    out["sex"] = "persons"
    native = {y for y in ids if councils.current(boundary_year(y))["gss_code"].tolist()
              == councils.current(LATEST_BOUNDARY_YEAR)["gss_code"].tolist()}
    latest = geography_vintage(max(y for y in ids if boundary_year(y) == LATEST_BOUNDARY_YEAR))
    out["geography_vintage"] = np.where(out["mid_year"].isin(native), latest, f"{latest} (derived)")
    out = out.sort_values(["mid_year", "gss_code", "age"], kind="stable").reset_index(drop=True)
    cols = ["gss_code", "mid_year", "sex", "age", "population", "source_id", "geography_vintage", "basis"]
    out = validate(out[cols], POPULATION_LATEST_SCHEMA)
    check_registered(ids.values())
    return out


register_table(TableSpec(
    name="population_sya",
    build=load_population_sya,
    inputs=_inputs,
    depends=("councils",),
    description="ONS mid-year population estimates by single year of age and sex: ASC councils, regions, "
                "England, from mid-2015 (codes as published)",
))
register_table(TableSpec(
    name="population",
    build=load_population,
    inputs=lambda: [],
    depends=("population_sya",),
    description="Population in the per-head age bands (all, 18+, 18-64, 65+, 85+) by financial year "
                "starting in the mid-year",
))
register_table(TableSpec(
    name="population_latest_boundaries",
    build=load_population_latest_boundaries,
    inputs=_inputs,
    depends=("councils",),
    description="DERIVED continuous series: persons by single year of age, from mid-2015, every year on "
                "the April 2023 councils (earlier years summed from the areas each council was formed from)",
))
