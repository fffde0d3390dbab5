"""Adding next year's official files: recognise a file's family by its layout, check it in full with the family's
loader, then copy and register it (``asc data add FILE``); say what the unregistered files of the national folder
look like (``asc data status``).

Families that take new files (:data:`FAMILIES`): the ASCOF trend file and annual open-data files, the RO3 revenue
outturn (one per year), the ONS mid-year estimates (one per mid-year) and the activity compilation (and later
years in its layout). A file is added in four steps, and nothing is written before the first three pass:

1. **recognise**: the header (CSV) or the sheet names (workbooks) say which family (:func:`recognise`); the
   years come from the file (a ``Year`` column, the RO3 sheet name, the MYE title) or its name, or ``year``;
2. **check** the whole file with the family's loader, exactly as the build will (layout, codes, councils,
   numbers, ASCOF measure names against the crosswalk, value ranges);
3. **compare** with the registered files of the same family and years: a later version that replaced
   suppression markers by zeros, or lost councils, is refused (:mod:`helpers.data.revisions`);
4. **copy** it into the family's folder of ``ASC_NATIONAL_DIR`` (if it is not there) and **register** it in the
   local register ``ASC_NATIONAL_DIR/sources.local.yml`` (:func:`helpers.data.sources.write_local_entry`), with
   its sha256, size, years, counts, publisher, title and official page.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.core import periods
from helpers.core.errors import AscError, DataError, MissingDataError
from helpers.core.paths import national_dir, relative
from helpers.data import sources
from helpers.data.io import atomic_write_bytes, decode_text, read_sheet, sha256_file, sheet_names, short
from helpers.data.national import activity, ascof, ascof_files, population, population_files, spend_ro3
from helpers.data.reading import read_csv
from helpers.data.revisions import compare_counts, later_release_wins, value_counts

#: Header of the activity compilation (CSV).
_ACTIVITY = set(activity.COLUMNS)
_TREND = set(ascof_files.TREND_COLUMNS)
_ANNUAL = {"geographical level", "ons code", "disaggregation level", "measure type", "measure value"}


@dataclass(frozen=True)
class Family:
    """A family of files that build one table: where its files go and what the register says of them."""

    name: str
    label: str
    folder: str
    table: str
    prefix: str
    publisher: str
    page: str
    licence: str = "OGL-3.0"


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("ascof_trend", "ASCOF trend file", "ascof", "ascof", "ascof_trend", "NHS England",
           "https://digital.nhs.uk/data-and-information/publications/statistical/adult-social-care-outcomes-framework-ascof"),
    Family("ascof_annual", "ASCOF annual data file", "ascof", "ascof", "ascof", "NHS England",
           "https://digital.nhs.uk/data-and-information/publications/statistical/adult-social-care-outcomes-framework-ascof"),
    Family("ro3", "RO3 revenue outturn (social care)", "finance", "spend", "ro3",
           "Ministry of Housing, Communities and Local Government",
           "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing"),
    Family("mye", "ONS mid-year population estimates (MYE2)", "population", "population_sya", "mye",
           "Office for National Statistics",
           "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates"),
    Family("activity", "Adult social care activity by setting (compilation layout)", "activity", "activity",
           "activity", "Goodair et al. (University research team), compiled from PSS-EX1 / ASC-FR",
           "https://github.com/BenGoodair/adults_social_care_data", "CC-BY-4.0 (research compilation of OGL v3.0 data)"),
)}

#: The key of each family's rows (what a later release is compared on).
KEYS: dict[str, list[str]] = {
    "ascof_trend": ["gss_code", "year", "measure_id", "disaggregation"],
    "ascof_annual": ["gss_code", "year", "measure_id", "disaggregation"],
    "ro3": ["gss_code", "year", "service_line", "age_band", "measure"],
    "mye": ["gss_code", "year", "sex", "age"],
    "activity": ["gss_code", "year", "support_setting", "provision"],
}

_FY_RE = re.compile(r"(?<!\d)(20\d{2})\s*[-_ ]\s*(?:20)?(\d{2})(?!\d)")


@dataclass(frozen=True)
class Recognised:
    """What a file looks like: its family (``None`` if none), the years it covers, and why."""

    family: str | None
    years: tuple[str, ...]
    what: str


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    text = decode_text(path, data=head.split(b"\n", 1)[0])
    return [c.strip() for c in next(csv.reader([text.lstrip("\ufeff")]), [])]


def _years_from_name(path: Path) -> tuple[str, ...]:
    m = _FY_RE.search(path.name)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return (f"{m.group(1)}-{m.group(2)}",)
    return ()


def recognise(path: str | Path) -> Recognised:
    """Say which family a file belongs to, from its layout (header, sheets, codes), and which years it covers.

    Never raises for a readable file of the wrong kind: an unrecognised one has ``family`` ``None`` and ``what``
    says what it looks like.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_file() and path.stat().st_size == 0:
        return Recognised(None, (), "an empty file")
    if suffix == ".csv":
        try:
            header = _csv_header(path)
        except AscError as exc:
            return Recognised(None, (), str(exc))
        except Exception as exc:  # noqa: BLE001 -- an unreadable header: say so, do not guess
            return Recognised(None, (), f"a CSV whose header cannot be read ({type(exc).__name__})")
        cols = set(header)
        if _TREND <= cols:
            years = tuple(sorted(set(read_csv(path, usecols=["Year"])["Year"].dropna().str.strip())))
            return Recognised("ascof_trend", years, "an ASCOF trend file (Year, ONS Code, Measure Group ...)")
        if _ANNUAL <= {" ".join(c.split()).lower() for c in cols}:
            return Recognised("ascof_annual", _years_from_name(path),
                              "an ASCOF annual data file (Geographical Level, ONS Code, Measure Type ...)")
        if _ACTIVITY <= cols:
            raw = read_csv(path, usecols=["year"])["year"].dropna().str.strip()
            years = tuple(sorted({periods.fy_from_end_year(int(y)) for y in raw if y.isdigit()}))
            return Recognised("activity", years, "a file in the activity compilation's layout")
        return Recognised(None, (), f"a CSV with columns {short(header[:8], 120)}")
    if suffix in (".xlsx", ".xls", ".ods"):
        try:
            names = sheet_names(path)
        except AscError as exc:
            return Recognised(None, (), str(exc))
        ro3 = [s for s in names if s.upper().startswith("RO3_LA_DATA")]
        if ro3:
            years = _years_from_name(Path(ro3[0])) or _years_from_name(path)
            return Recognised("ro3", years, f"an RO3 revenue outturn workbook (sheet {ro3[0]!r})")
        try:
            population_files.find_sheet(names, "persons", file=path)
        except DataError:
            pass
        else:
            return Recognised("mye", _mid_year(path, names), "an ONS mid-year estimates workbook (MYE2 sheets)")
        try:
            head = [str(c).strip().lower() for c in read_sheet(path, 0, header=0, nrows=0).columns]
        except AscError:
            head = []
        if _ANNUAL <= {" ".join(c.split()) for c in head}:
            return Recognised("ascof_annual", _years_from_name(path), "an ASCOF annual data workbook")
        return Recognised(None, (), f"a workbook with sheets {short(names[:6], 120)}")
    return Recognised(None, (), f"a {suffix} file" if suffix else "a file with no extension")


def _mid_year(path: Path, names: list[str]) -> tuple[str, ...]:
    sheet = population_files.find_sheet(names, "persons", file=path)
    top = read_sheet(path, sheet, header=None, nrows=8)
    for cell in top.to_numpy().ravel():
        m = re.search(r"mid-(\d{4})", str(cell), re.IGNORECASE)
        if m:
            return (m.group(1),)
    m = re.search(r"(?<!\d)(20\d{2})(?!\d)", path.name)
    return (m.group(1),) if m else ()


def check_file(path: Path, family: str, years: tuple[str, ...], source_id: str) -> pd.DataFrame:
    """Load the whole file with its family's loader, as the build will (raises its first error).

    Returns
    -------
    pandas.DataFrame
        The rows the file gives its table, with ``value`` / ``value_status`` columns for the counts.
    """
    if family in ("ascof_trend", "ascof_annual"):
        src = sources.Source(id=source_id, publisher="-", title="-", page="-", licence="-", file=path.name,
                             sha256="-", family=family, years=years if family == "ascof_annual" else ())
        if family == "ascof_annual":
            _one(years, path)
        return ascof.load_source(src, path=path)
    if family == "ro3":
        out = spend_ro3.load_ro3(_one(years, path), source_id=source_id, path=path)
        return out.rename(columns={"value_gbp_k": "value"})
    if family == "mye":
        out = population.check_mye_file(int(_one(years, path)), source_id=source_id, path=path)
        return out.assign(year=out["mid_year"].astype(str), value=out["population"], value_status="reported")
    if family == "activity":
        return activity.load_checked(path, source_id=source_id)
    raise DataError(f"no family {family!r}")


def _one(years: tuple[str, ...], path: Path) -> str:
    if len(years) != 1:
        raise DataError(f"expected one year for this file, found {list(years) or 'none'}: give it with --year",
                        file=path)
    return years[0]


@dataclass
class Added:
    """What :func:`add` did."""

    source_id: str
    family: str
    years: tuple[str, ...]
    file: str
    copied: bool
    register: Path
    rows: int

    def line(self) -> str:
        """One line for the command line."""
        how = "copied to" if self.copied else "already at"
        return (f"added {self.source_id} ({FAMILIES[self.family].label}, {', '.join(self.years)}; {self.rows:,} rows): "
                f"{how} $ASC_NATIONAL_DIR/{self.file}, registered in {relative(self.register)}; "
                f"now run `asc data build`")


def _new_id(fam: Family, years: tuple[str, ...]) -> str:
    span = years[0] if len(years) == 1 else f"{years[0]}_to_{years[-1]}"
    return f"{fam.prefix}_{span.replace('-', '_')}"


def add(file: str | Path, *, year: str | None = None, source_id: str | None = None, title: str | None = None,
        publisher: str | None = None, page: str | None = None) -> Added:
    """Add an official file: recognise, check in full, compare, then copy and register it (module docstring).

    Parameters
    ----------
    file
        The file, anywhere (a file already in the national folder is registered where it is).
    year
        The year it covers, where the file does not say (an ASCOF annual file, an RO3 or MYE file whose name
        and sheets do not give it): ``YYYY-YY`` (``YYYY`` for a mid-year estimate).
    source_id, title, publisher, page
        Override the register entry's id and description (defaults from the family and years).

    Raises
    ------
    MissingDataError, DataError
        One line saying why the file is refused; nothing is written then.
    """
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise MissingDataError(f"{file} is not a file")
    rec = recognise(path)
    if rec.family is None:
        kinds = ", ".join(f.label for f in FAMILIES.values())
        raise DataError(f"not recognised as a file of a family that takes new files ({kinds}): it looks like "
                        f"{rec.what}; see docs/data_updates.md", file=path)
    fam = FAMILIES[rec.family]
    years = (year,) if year else rec.years
    if not years:
        raise DataError(f"recognised as {fam.label}, but the years it covers are not in the file or its name: give "
                        "them with --year", file=path)
    nd = national_dir()
    digest = sha256_file(path)
    reg = sources.register()
    in_place = next((s for s in reg.values() if s.path.resolve() == path), None)
    same = next((s for s in reg.values() if s.sha256 == digest), None)
    if same is not None:
        raise DataError(f"already registered as {same.id} ({same.file})", file=path)
    sid = source_id or (in_place.id if in_place is not None else _new_id(fam, years))
    if in_place is None:
        n = 2
        base = sid
        while sid in reg:
            sid = f"{base}_r{n}"
            n += 1
    if in_place is not None and in_place.family != fam.name:
        raise DataError(f"this is the registered file {in_place.id} of another kind ({in_place.family or 'single'}): "
                        "refused", file=path)
    rows = check_file(path, fam.name, years, sid)
    counts = value_counts(rows)
    for prev in [s for s in sources.family(fam.name) if set(s.years) & set(years) or s.id == sid]:
        compare_counts(prev.counts, counts, old_id=prev.id, new_file=path.name)
        if prev.id != sid and prev.path.is_file():  # the earlier release is here: compare value by value
            old = check_file(prev.path, fam.name, prev.years, prev.id)
            later_release_wins([old[old["year"].isin(years)], rows], KEYS[fam.name], value="value",
                               status="value_status")
    try:
        rel = path.relative_to(nd.resolve()).as_posix()
        copied = False
    except ValueError:
        rel = f"{fam.folder}/{path.name}"
        dest = nd / rel
        if dest.exists() and sha256_file(dest) != digest:
            raise DataError(f"another file is already at $ASC_NATIONAL_DIR/{rel}: rename yours and add it again",
                            file=path) from None
        copied = True
    entry = {
        "id": sid, "publisher": publisher or (in_place.publisher if in_place else fam.publisher),
        "title": title or _title(fam, years, path, in_place),
        "page": page or (in_place.page if in_place else fam.page), "url": in_place.url if in_place else None,
        "licence": in_place.licence if in_place else fam.licence, "file": rel, "sha256": digest,
        "bytes": path.stat().st_size, "family": fam.name, "years": list(years), "counts": counts,
    }
    sources.check_entry(entry)
    if copied:
        atomic_write_bytes(nd / rel, path.read_bytes())
    where = sources.write_local_entry(entry)
    return Added(sid, fam.name, years, rel, copied, where, len(rows))


def _title(fam: Family, years: tuple[str, ...], path: Path, old: sources.Source | None) -> str:
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    if old is not None:
        return f"{old.title} -- revised copy covering {span} (added with asc data add)"
    return f"{fam.label}, {span} ({path.name}, added with asc data add)"


def describe_unregistered() -> list[dict[str, str]]:
    """The national folder's unregistered files: what each looks like and the command that adds it.

    ``command`` is ``asc data add ...`` for a file recognised as a family that takes new files, else empty;
    ``hint`` what to do with it (``asc data status`` prints it under the file); ``line`` the one line
    ``asc data build`` prints for it (an unregistered file is never skipped in silence).
    """
    out = []
    kinds = ", ".join(f.label for f in FAMILIES.values())
    for rel in sources.unregistered():
        try:
            rec = recognise(national_dir() / rel)
        except AscError as exc:  # a file that cannot even be looked at: say so, do not stop the listing
            rec = Recognised(None, (), str(exc))
        except Exception as exc:  # noqa: BLE001 -- a reader's own error type for a damaged file
            rec = Recognised(None, (), f"a file that cannot be read ({type(exc).__name__})")
        add = f"asc data add \"$ASC_NATIONAL_DIR/{rel}\""
        cmd = add if rec.family else ""
        if rec.family and not rec.years:
            cmd += " --year YYYY-YY"
        if rec.family:
            years = f" covering {', '.join(rec.years)}" if rec.years else ""
            hint = f"add it: {cmd}"
            line = f"{rel}: {rec.what}{years}; not registered, so the build does not read it: add it with `{cmd}`"
        else:
            hint = (f"not a layout the toolkit reads ({kinds}): if it is one of them, `{add}` says what does not "
                    "match; otherwise move it out of the national folder")
            line = f"{rel}: {rec.what}; not registered and {hint}"
        out.append({"file": rel, "family": rec.family or "", "years": ", ".join(rec.years), "what": rec.what,
                    "command": cmd, "hint": hint, "line": line})
    return out
