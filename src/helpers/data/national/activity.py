"""Adult social care activity by support setting and provision (in-house / external), 2000-01 to 2021-22.

One processed table, ``activity``, from the research team's compilation ``activity_by_setting_2001-2022.csv``
(Goodair et al., compiled from PSS-EX1 / ASC-FR): one row per council (or England / region where the
compilation has one), financial year, support setting and provision, with the unit of the value.

What the loader establishes (evidence in ``docs/methods.md``; checks in ``tests/test_activity.py``):

* **Year.** The file's ``year`` is the year the financial year *ends*: file year 2014 is 2013-14 (Barnsley's
  home-care hours equal the 2013-14 PSS-EX1 annex, F2.1/F2.2), 2015 is 2014-15 (the 2014-15 activity
  file), 2016 is 2015-16 (Stockport's weeks equal ASC-FR 2015-16), 2017 is 2016-17 (ASC-FR 2016-17).
  So file year 2001 means 2000-01.
* **Units** (:func:`unit_of`): residential and nursing care are weeks of care in the year for people aged
  65+; home care (2008-09 .. 2013-14) is hours of home care in the year (all adults); day care is the
  average number of clients per week (2008-09: aged 65+; 2009-10 .. 2013-14: all adults); the blank
  setting of 2015-16 and 2016-17 is short-term support to maximise independence (ST-Max), weeks, 65+.
  The blank setting from 2017-18 on is kept as ``unspecified`` with unit ``unconfirmed``: its values
  jump twenty-fold on 2016-17 and no file here shows what it counts. The research team's own note
  ("ITEMVALUE: the hours per week of care given") is contradicted by the source files and is not used.
* **Councils** are matched by name through :func:`helpers.data.councils.resolve_names` (never by similarity);
  the 2016-17 rows have no name in the file and are attributed by recomputing them from the ASC-FR
  2016-17 activity file, which has GSS codes (:func:`attribute_2016_17`); every value must match.
  Class aggregates of the early years (``TOTAL Metropolitan Districts`` etc., ``TOTAL Inner/Outer
  London``) have no GSS code and are dropped (:data:`AGGREGATES`). Councils that no longer exist keep
  their own codes; :func:`helpers.data.councils.series_breaks` says where a series breaks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils, sources
from helpers.data.io import parse_numbers, require_columns
from helpers.data.reading import check_registered, raise_first, read_csv, registered_paths
from helpers.data.revisions import later_release_wins
from helpers.data.schemas import ACTIVITY_SCHEMA, unique_key, validate
from helpers.data.tables import TableSpec, register_table

SOURCE_ID = "activity_by_setting"
#: Register family of the activity files (the compilation, and later years in its layout).
ACTIVITY_FAMILY = "activity"
#: ASC-FR 2016-17 activity file: the source of the 2016-17 rows, which the compilation left unnamed.
ASCFR_ACTIVITY_SOURCE = "ascfr_2016_17_activity"
COLUMNS = ["percent_sector", "SupportSetting", "DH_GEOGRAPHY_NAME", "ActivityProvision", "ITEMVALUE", "year"]

#: ``ActivityProvision`` -> ``provision``.
PROVISIONS: dict[str, str] = {"External": "external", "In House": "in_house", "99": "all"}
#: ``SupportSetting`` -> ``support_setting`` (the blank setting depends on the year, see :func:`unit_of`).
SETTINGS: dict[str, str] = {"Residential": "residential", "Nursing": "nursing", "Home care": "home_care",
                            "Day care": "day_care"}
#: Normalised names of aggregates with no GSS code (dropped).
AGGREGATES = frozenset({"total metropolitan districts", "total shire counties", "total unitary authorities",
                        "total inner london", "total outer london"})
UNITS = ("weeks", "hours", "clients_per_week", "unconfirmed")
ACTIVITY_COLUMNS = ["gss_code", "year", "support_setting", "provision", "value", "value_status", "unit", "age_band",
                    "percent_sector", "source_id"]


def unit_of(support_setting: str, year: str) -> tuple[str, str]:
    """Return ``(unit, age_band)`` of a setting in a financial year (see the module docstring).

    Raises
    ------
    ValueError
        A setting/year pair the compilation does not contain.
    """
    start = periods.fy_start(year)
    if support_setting in ("residential", "nursing"):
        return "weeks", "65+"
    if support_setting == "home_care" and 2008 <= start <= 2013:
        return "hours", "18+"
    if support_setting == "day_care" and 2008 <= start <= 2013:
        return "clients_per_week", "65+" if start == 2008 else "18+"
    if support_setting == "short_term_max_independence" and start in (2015, 2016):
        return "weeks", "65+"
    if support_setting == "unspecified" and start >= 2017:
        return "unconfirmed", "65+"
    raise ValueError(f"no unit established for setting {support_setting!r} in {year}")


def _blank_setting(year: str) -> str | None:
    start = periods.fy_start(year)
    if start in (2015, 2016):
        return "short_term_max_independence"
    if start >= 2017:
        return "unspecified"
    return None


def attribute_2016_17(block: pd.DataFrame, *, file: Path) -> pd.Series:
    """Give GSS codes to the compilation's unnamed 2016-17 rows by recomputing them from ASC-FR 2016-17.

    The compilers summed the ASC-FR 2016-17 activity file (people aged 65+, ``AgeBand_KEY`` 2) by
    ``GEOGRAPHY_CODE``, provision (99 = all, External, In House) and setting (Nursing, Residential, none),
    in that sorted order, and dropped the code. This recomputes the same sums and pairs them with the
    rows in file order; every value must agree (to 0.01), otherwise nothing is attributed.

    Parameters
    ----------
    block
        The unnamed rows, in file order, with ``ActivityProvision``, ``SupportSetting``, ``ITEMVALUE``
        and ``_row``.
    file
        The compilation (for the error message).

    Returns
    -------
    pandas.Series
        GSS codes aligned with ``block``.

    Raises
    ------
    DataError
        The recomputed rows do not match the file's (count, order or value).
    """
    src = read_csv(sources.path(ASCFR_ACTIVITY_SOURCE))
    require_columns(src, ["GEOGRAPHY_CODE", "AgeBand_KEY", "SupportSetting_KEY", "ActivityProvision_KEY", "ItemValue"],
                    file=sources.path(ASCFR_ACTIVITY_SOURCE))
    src = src[src["GEOGRAPHY_CODE"].notna() & (src["AgeBand_KEY"].str.strip() == "2")].copy()
    src["v"] = pd.to_numeric(src["ItemValue"], errors="raise")
    prov = src["ActivityProvision_KEY"].str.strip().map({"2": "External", "3": "In House"})
    sett = src["SupportSetting_KEY"].fillna("").str.strip().map({"6": "Nursing", "7": "Residential", "": ""})
    src = src.assign(prov=prov, sett=sett)
    parts = src.groupby(["GEOGRAPHY_CODE", "prov", "sett"])["v"].sum()
    total = src.groupby(["GEOGRAPHY_CODE", "sett"])["v"].sum().to_frame().assign(prov="99")
    total = total.set_index("prov", append=True).reorder_levels([0, 2, 1])["v"]
    expect = pd.concat([parts, total]).rename("v").reset_index()
    # dplyr's order: code, provision ("99" < "External" < "In House"), setting ("Nursing" < "Residential" < NA)
    expect["sett_order"] = expect["sett"].map({"Nursing": 0, "Residential": 1, "": 2})
    expect = expect.sort_values(["GEOGRAPHY_CODE", "prov", "sett_order"]).reset_index(drop=True)
    got = block.reset_index(drop=True)
    first_row = int(got["_row"].iloc[0]) if len(got) else None
    if len(expect) != len(got):
        raise DataError(f"the {len(got)} unnamed 2016-17 rows do not match the {len(expect)} rows recomputed from "
                        "ASC-FR 2016-17 activity: cannot attribute them", file=file, row=first_row,
                        column="DH_GEOGRAPHY_NAME")
    value = pd.to_numeric(got["ITEMVALUE"], errors="coerce")
    same = ((got["ActivityProvision"].to_numpy() == expect["prov"].to_numpy())
            & (got["SupportSetting"].to_numpy() == expect["sett"].to_numpy())
            & (np.abs(value.to_numpy() - expect["v"].to_numpy()) <= 0.01))
    if not same.all():
        i = int(np.flatnonzero(~same)[0])
        raise DataError(f"unnamed 2016-17 row does not match ASC-FR 2016-17 activity for {expect['GEOGRAPHY_CODE'][i]} "
                        f"({expect['prov'][i]}, {expect['sett'][i] or 'no setting'}: {expect['v'][i]:.2f})",
                        file=file, row=int(got["_row"].iloc[i]), column="ITEMVALUE", value=got["ITEMVALUE"].iloc[i])
    return pd.Series(expect["GEOGRAPHY_CODE"].to_numpy(), index=block.index)


def load_activity(path: Path | None = None, source_id: str = SOURCE_ID) -> pd.DataFrame:
    """Read a file in the activity compilation's layout into the ``activity`` columns (plus ``_row``), not yet
    validated.

    Parameters
    ----------
    path
        The file; the registered ``activity_by_setting`` file when ``None``.
    source_id
        Its register id.

    Raises
    ------
    DataError
        A missing column, a year that is not a 4-digit year, an unknown provision or setting, a blank
        setting in a year where it has no established meaning, an unknown name, unnamed rows outside
        2016-17 (or that do not match ASC-FR), or a non-numeric value -- naming file, row and column.
    """
    path = path or sources.path(SOURCE_ID)
    df = read_csv(path, keep_default_na=False, na_values=[])
    require_columns(df, COLUMNS, file=path)
    df["_row"] = np.arange(len(df)) + 2
    for col in ("SupportSetting", "DH_GEOGRAPHY_NAME", "ActivityProvision", "year"):
        df[col] = df[col].astype(str).str.strip()
    raise_first(~df["year"].str.fullmatch(r"(19|20)\d{2}"), "not a 4-digit year", file=path, rows=df["_row"],
                column="year", values=df["year"])
    df["fy"] = df["year"].astype(int).map(periods.fy_from_end_year)
    provision = df["ActivityProvision"].map(PROVISIONS)
    raise_first(provision.isna(), f"unknown provision (expected {sorted(PROVISIONS)})", file=path, rows=df["_row"],
                column="ActivityProvision", values=df["ActivityProvision"])
    blank = df["SupportSetting"] == ""
    setting = df["SupportSetting"].map(SETTINGS)
    setting[blank] = df.loc[blank, "fy"].map(_blank_setting)
    if setting.isna().any():
        i = int(np.flatnonzero(setting.isna().to_numpy())[0])
        what = "blank setting in a year where it has no established meaning" if blank.iloc[i] else "unknown setting"
        raise DataError(what, file=path, row=int(df["_row"].iloc[i]), column="SupportSetting",
                        value=df["SupportSetting"].iloc[i])
    # drop class aggregates without a GSS code
    key = councils.normalise_names(df["DH_GEOGRAPHY_NAME"])
    df = df[~key.isin(AGGREGATES)]
    provision, setting = provision[df.index], setting[df.index]
    unnamed = df["DH_GEOGRAPHY_NAME"] == ""
    raise_first(unnamed & (df["fy"] != "2016-17"), "blank council name", file=path, rows=df["_row"],
                column="DH_GEOGRAPHY_NAME")
    gss = pd.Series(index=df.index, dtype=object)
    named = df[~unnamed]
    gss[named.index] = councils.resolve_names(named["DH_GEOGRAPHY_NAME"], file=path, column="DH_GEOGRAPHY_NAME",
                                              rows=named["_row"], year=named["fy"],
                                              levels=("council", "region", "england"))
    if unnamed.any():
        gss[df.index[unnamed]] = attribute_2016_17(df[unnamed], file=path)
    value, status = parse_numbers(df["ITEMVALUE"], file=path, column="ITEMVALUE", rows=df["_row"])
    pct, _ = parse_numbers(df["percent_sector"], file=path, column="percent_sector", rows=df["_row"])
    units = [unit_of(s, y) for s, y in zip(setting, df["fy"], strict=True)]
    return pd.DataFrame({
        "gss_code": gss.to_numpy(), "year": df["fy"].to_numpy(), "support_setting": setting.to_numpy(),
        "provision": provision.to_numpy(), "value": value.to_numpy(), "value_status": status.to_numpy(),
        "unit": [u for u, _ in units], "age_band": [a for _, a in units], "percent_sector": pct.to_numpy(),
        "source_id": source_id, "_row": df["_row"].to_numpy(),
    })


ACTIVITY_KEY = ["gss_code", "year", "support_setting", "provision"]


def check_activity_values(df: pd.DataFrame, *, file: Path) -> None:
    """Value-level checks (issue 11): activity is never negative, and the share of the external sector is a
    percentage (0-100)."""
    raise_first((df["value"] < 0).to_numpy(), "negative activity", file=file, rows=df["_row"], column="ITEMVALUE",
                values=df["value"])
    pct = df["percent_sector"]
    raise_first(((pct < 0) | (pct > 100)).to_numpy(), "percent_sector outside 0-100", file=file, rows=df["_row"],
                column="percent_sector", values=pct)


def load_checked(path: Path, source_id: str) -> pd.DataFrame:
    """One file of the family, read and checked in full (key, values, schema): what the build adds."""
    df = load_activity(path, source_id=source_id)
    unique_key(df, ACTIVITY_KEY, table="activity", file=path)
    check_activity_values(df, file=path)
    return validate(df, ACTIVITY_SCHEMA, file=path)


def build_activity() -> pd.DataFrame:
    """Build the validated ``activity`` table from every registered file of the family (sorted by year, council,
    setting, provision); where a later file covers a council and year, its rows replace the earlier ones."""
    files = sources.family(ACTIVITY_FAMILY)
    frames = []
    for src in files:
        frames.append(load_checked(sources.path(src.id), src.id))
    df, found = later_release_wins(frames, ACTIVITY_KEY, value="value", status="value_status")
    check_registered([*(s.id for s in files), ASCFR_ACTIVITY_SOURCE])
    out = df.sort_values(["year", "gss_code", "support_setting", "provision"], kind="mergesort"
                         ).reset_index(drop=True)[ACTIVITY_COLUMNS]
    out.attrs["changes"] = found
    return out


register_table(TableSpec(
    name="activity",
    build=build_activity,
    inputs=lambda: registered_paths([*(s.id for s in sources.family(ACTIVITY_FAMILY)), ASCFR_ACTIVITY_SOURCE]),
    depends=("councils",),
    description="Residential/nursing/home/day care and ST-Max activity by council, in-house vs external, "
                "from 2000-01 (units differ by setting and year: see the unit column)",
))
