"""ASCOF measure identity across the 2023-24 renumbering: frameworks, the crosswalk, names, series breaks.

From 2023-24 the ASCOF has six objectives instead of four domains and NHS England renumbered the measures;
several codes were reused for other measures (``2C`` was delayed transfers of care, it is now admissions of
people aged 65+; ``3D`` was finding information, it is now self-directed support). A code therefore means a
measure only together with its **framework**:

* ``to 2022-23`` -- the four-domain framework (every year up to 2022-23);
* ``from 2023-24`` -- the six-objective framework.

The committed crosswalk ``data/raw/reference/ascof_crosswalk.csv`` gives each measure a stable ``measure_id``,
its code in each framework and its name from 2023-24 (names up to 2022-23 are those of the measure registry
``ascof_measures.csv``), whether its definition changed at the renumbering, and the source of the mapping
(``confidence``: ``sourced`` = a publication says "formerly ..."; ``inferred-from-definition`` = the same
definition under a new code). A measure with no sourced successor has no code from 2023-24 (``status``
``unknown``): a file of that framework that uses a code the crosswalk does not give is refused, never guessed.
Retired measures end (``retired``).

Series breaks (:func:`series_breaks`) come from the crosswalk (a definition changed at the renumbering) and from
``data/raw/reference/ascof_series_breaks.csv`` (the move from SALT to client-level data in 2024-25, a wider
definition of 2E, the 1H method change of 2021-22).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.core.paths import REFERENCE
from helpers.data.io import read_csv_raw, require_columns
from helpers.data.reading import raise_first

CROSSWALK_FILE: Path = REFERENCE / "ascof_crosswalk.csv"
BREAKS_FILE: Path = REFERENCE / "ascof_series_breaks.csv"

#: ASCOF framework versions: name -> (first year, last year or ``None`` while current).
FRAMEWORKS: dict[str, tuple[str, str | None]] = {"to 2022-23": ("2010-11", "2022-23"),
                                                  "from 2023-24": ("2023-24", None)}
#: Framework name -> the crosswalk's column suffix.
_SUFFIX = {"to 2022-23": "to_2022_23", "from 2023-24": "from_2023_24"}
CROSSWALK_COLUMNS = ("measure_id", "code_to_2022_23", "status_from_2023_24", "code_from_2023_24",
                     "name_from_2023_24", "other_names_from_2023_24", "definition_changed",
                     "label_errors_to_2022_23", "confidence", "source_url", "source_note")
STATUSES = ("continued", "retired", "unknown")
CONFIDENCE = ("sourced", "inferred-from-definition", "unsourced")
BREAK_KINDS = ("definition", "data_collection", "method")
BREAK_COLUMNS = ["measure_id", "year", "kind", "reason", "source_url"]


def framework_of(year: str) -> str:
    """The ASCOF framework of a financial year (``'2022-23'`` -> ``'to 2022-23'``).

    Raises
    ------
    ValueError
        Not a financial year ``YYYY-YY``.
    """
    start = periods.fy_start(year)
    for name, (first, last) in FRAMEWORKS.items():
        if start >= periods.fy_start(first) and (last is None or start <= periods.fy_start(last)):
            return name
    raise ValueError(f"{year} is before the first ASCOF framework ({min(f for f, _ in FRAMEWORKS.values())})")


@lru_cache(maxsize=4)
def _crosswalk(path: str, stamp: tuple[int, int]) -> pd.DataFrame:
    p = Path(path)
    df = read_csv_raw(p, keep_default_na=False, na_values=[])
    require_columns(df, CROSSWALK_COLUMNS, file=p)
    rows = pd.Series(np.arange(len(df)) + 2, index=df.index)
    for col in df.columns:
        df[col] = df[col].astype(str).str.strip()
    raise_first(~df["measure_id"].str.fullmatch(r"[a-z][a-z0-9_]*"), "measure_id must be lower case, digits and _",
                file=p, rows=rows, column="measure_id", values=df["measure_id"])
    raise_first(df["measure_id"].duplicated(), "duplicate measure_id", file=p, rows=rows, column="measure_id",
                values=df["measure_id"])
    raise_first(~df["status_from_2023_24"].isin(STATUSES), f"status must be one of {STATUSES}", file=p, rows=rows,
                column="status_from_2023_24", values=df["status_from_2023_24"])
    raise_first(~df["confidence"].isin(CONFIDENCE), f"confidence must be one of {CONFIDENCE}", file=p, rows=rows,
                column="confidence", values=df["confidence"])
    cont = df["status_from_2023_24"] == "continued"
    raise_first(cont != (df["code_from_2023_24"] != ""), "a code from 2023-24 is given exactly for a continued "
                "measure", file=p, rows=rows, column="code_from_2023_24", values=df["code_from_2023_24"])
    raise_first(cont & (df["name_from_2023_24"] == ""), "a continued measure needs its name from 2023-24", file=p,
                rows=rows, column="name_from_2023_24")
    raise_first(cont & ~df["definition_changed"].isin(["yes", "no"]), "definition_changed must be yes or no",
                file=p, rows=rows, column="definition_changed", values=df["definition_changed"])
    raise_first(cont & (df["confidence"] == "unsourced"), "a mapping needs a source (sourced or "
                "inferred-from-definition), never a guess", file=p, rows=rows, column="confidence")
    for col in ("code_to_2022_23", "code_from_2023_24"):
        given = df[col] != ""
        dup = given & df[col].duplicated(keep=False)
        raise_first(dup, f"code given to two measures in {col}", file=p, rows=rows, column=col, values=df[col])
    return df


def crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """The validated crosswalk (one row per measure, the columns of :data:`CROSSWALK_COLUMNS`)."""
    p = Path(path) if path is not None else CROSSWALK_FILE
    st = p.stat() if p.is_file() else None
    if st is None:
        raise DataError("the ASCOF crosswalk is missing (it is committed: `git restore data/raw/reference`)", file=p)
    return _crosswalk(str(p), (st.st_mtime_ns, st.st_size)).copy()


def label_errors(cw: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """Known mislabels of the files up to 2022-23: ``{(code, year): {published description}}``."""
    out: dict[tuple[str, str], set[str]] = {}
    for code, text in cw[["code_to_2022_23", "label_errors_to_2022_23"]].itertuples(index=False):
        for item in filter(None, str(text).split("|")):
            year, _, desc = item.partition("=")
            out.setdefault((code, year.strip()), set()).add(desc.strip())
    return out


def series_breaks(path: str | Path | None = None, cw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every series break of every ASCOF measure (table ``ascof_series_breaks``).

    A row says that the measure's values from ``year`` on are not comparable with those before it: a
    changed ``definition`` (from the crosswalk: at the 2023-24 renumbering; or in the breaks file), a new
    ``data_collection`` (SALT to client-level data in 2024-25), or a ``method`` change seen in the data.

    Returns
    -------
    pandas.DataFrame
        ``measure_id, year, kind, reason, source_url``, sorted by measure, year and kind.
    """
    p = Path(path) if path is not None else BREAKS_FILE
    cw = crosswalk() if cw is None else cw
    df = read_csv_raw(p, keep_default_na=False, na_values=[])
    require_columns(df, BREAK_COLUMNS, file=p)
    rows = pd.Series(np.arange(len(df)) + 2, index=df.index)
    raise_first(~df["measure_id"].isin(set(cw["measure_id"])), "not a measure_id of the crosswalk", file=p, rows=rows,
                column="measure_id", values=df["measure_id"])
    raise_first(~df["kind"].isin(BREAK_KINDS), f"kind must be one of {BREAK_KINDS}", file=p, rows=rows,
                column="kind", values=df["kind"])
    raise_first(~df["year"].str.fullmatch(r"\d{4}-\d{2}"), "not a financial year YYYY-YY", file=p, rows=rows,
                column="year", values=df["year"])
    changed = cw[cw["definition_changed"] == "yes"]
    renumbering = pd.DataFrame({
        "measure_id": changed["measure_id"], "year": FRAMEWORKS["from 2023-24"][0], "kind": "definition",
        "reason": ("definition changed at the 2023-24 renumbering (" + changed["code_to_2022_23"] + " -> "
                   + changed["code_from_2023_24"] + "): " + changed["source_note"]),
        "source_url": changed["source_url"],
    })
    out = pd.concat([df[BREAK_COLUMNS], renumbering], ignore_index=True)
    raise_first(out.duplicated(["measure_id", "year", "kind"]), "break given twice", file=p, rows=None,
                column="measure_id")
    return out.sort_values(["measure_id", "year", "kind"], kind="stable").reset_index(drop=True)


def codes(registry: pd.DataFrame, cw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (framework, code) of the crosswalk with its measure and the names a file may print for it.

    Parameters
    ----------
    registry
        The measure registry of the codes up to 2022-23 (``ascof_measures.csv``: ``measure_code``,
        ``measure_name``, ``other_names``).

    Returns
    -------
    pandas.DataFrame
        ``framework, measure_code, measure_id, measure_name, names`` (``names``: the registered name and its
        published variants, ``|``-separated; a measure whose definition did not change at the renumbering
        also answers to its earlier names), ``old_code`` (its code up to 2022-23).
    """
    cw = crosswalk() if cw is None else cw
    reg = registry.set_index("measure_code")
    missing = sorted(set(cw["code_to_2022_23"]) - set(reg.index) - {""})
    if missing:
        raise DataError(f"crosswalk codes {missing} are not in the measure registry", file=CROSSWALK_FILE)
    old = cw[cw["code_to_2022_23"] != ""]
    old_names = old["code_to_2022_23"].map(lambda c: "|".join(filter(None, [reg.at[c, "measure_name"],
                                                                            reg.at[c, "other_names"]])))
    rows = [pd.DataFrame({"framework": "to 2022-23", "measure_code": old["code_to_2022_23"],
                          "measure_id": old["measure_id"], "measure_name": old["code_to_2022_23"].map(
                              reg["measure_name"]), "names": old_names, "old_code": old["code_to_2022_23"]})]
    new = cw[cw["status_from_2023_24"] == "continued"]
    same = new["definition_changed"] == "no"
    inherited = new["code_to_2022_23"].map(dict(zip(old["code_to_2022_23"], old_names, strict=True))).fillna("")
    names = (new["name_from_2023_24"] + "|" + new["other_names_from_2023_24"] + "|"
             + inherited.where(same, "")).str.strip("|")
    rows.append(pd.DataFrame({"framework": "from 2023-24", "measure_code": new["code_from_2023_24"],
                              "measure_id": new["measure_id"], "measure_name": new["name_from_2023_24"],
                              "names": names, "old_code": new["code_to_2022_23"]}))
    return pd.concat(rows, ignore_index=True)
