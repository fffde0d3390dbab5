"""Comparator groups: Oflog nearest neighbours, and Trafford's CIPFA / NHS England groups (table ``comparators``).

Inputs (registered in ``data/raw/sources.yml``):

* ``oflog_nearest_neighbours`` -- JSON ``{code: [16 codes]}``: for every council, itself and its 15
  nearest neighbours, **in GSS-code order** (every upper-tier list is sorted by code, so the file carries
  no similarity rank). Councils are on the 2021-22 / 2022-23 geography (Cumbria, North Yorkshire and
  Somerset counties; no 2023 councils). The Isles of Scilly and the City of London have no neighbours
  (their lists hold only themselves). District (E07), combined-authority (E47) and GLA (E61) entries are
  not adult social services authorities and are left out.
* ``trafford_cipfa2019``, ``trafford_cipfa2021``, ``trafford_cipfalga0724``, ``trafford_nhsennpg`` --
  Trafford's (E08000009) 15 neighbours in four published groups (``area_code, area_name``; Trafford itself
  not listed). The CIPFA lists are kept in the order published (not code or name order, consistent with
  CIPFA's nearest-first order: ``rank`` 1..15); the NHS England peer group is in code order (no rank).

Table ``comparators``: ``gss_code, group, neighbour_gss_code, rank, source_id``; ``rank`` 0 is the council
itself where the file lists it, 1..15 the published order where the file is ordered by similarity, and
missing where it is not.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError
from helpers.data import councils, schemas, sources
from helpers.data.io import decode_text, require_columns, require_file
from helpers.data.reading import check_registered, raise_first, read_csv, registered_paths
from helpers.data.tables import TableSpec, load, register_table

#: Trafford's GSS code: the council whose CIPFA / NHS England groups are published here.
TRAFFORD = "E08000009"

#: group name -> (source id, council the list belongs to, is the file in similarity order?)
TRAFFORD_GROUPS: dict[str, tuple[str, bool]] = {
    "cipfa_2019": ("trafford_cipfa2019", True),
    "cipfa_2021": ("trafford_cipfa2021", True),
    "cipfa_lga_2024": ("trafford_cipfalga0724", True),
    "nhse_peer_group": ("trafford_nhsennpg", False),
}
OFLOG_GROUP = "oflog_nearest_neighbours"
#: Register ids of the files the ``comparators`` table is built from.
SOURCE_IDS: tuple[str, ...] = (OFLOG_GROUP, *(v[0] for v in TRAFFORD_GROUPS.values()))
#: Groups held in the ``comparators`` table.
TABLE_GROUPS: tuple[str, ...] = (OFLOG_GROUP, *TRAFFORD_GROUPS)
#: Groups computed from the ``councils`` reference table.
DERIVED_GROUPS: tuple[str, ...] = ("region", "council_type", "england")
#: ``comparator_group`` accepts this alias for the default group.
ALIASES = {"nearest_neighbours": OFLOG_GROUP}
#: Council geography (financial year) of the Oflog lists.
OFLOG_GEOGRAPHY_YEAR = "2022-23"


class _DuplicateKeyError(ValueError):
    """A JSON object with the same key twice (``json`` would keep the last silently)."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen.add(key)
    return dict(pairs)


def load_oflog(path: Path | None = None) -> pd.DataFrame:
    """Read the Oflog nearest-neighbour JSON into comparator rows.

    Parameters
    ----------
    path
        The JSON file (default: the registered ``oflog_nearest_neighbours``).

    Returns
    -------
    pandas.DataFrame
        ``gss_code, group, neighbour_gss_code, rank, source_id, _row`` for the upper-tier councils (rank 0
        = the council itself, neighbours without rank: the file lists them in code order).

    Raises
    ------
    DataError
        Not JSON, not ``{code: [codes]}``, a council with a list that does not contain it, a neighbour that
        is not an upper-tier council, or a list that is not 16 codes (except the two councils Oflog leaves
        without neighbours). ``_row`` is the line of the council's key in the file.
    """
    path = require_file(path or sources.path(OFLOG_GROUP))
    text = decode_text(path, encoding="utf-8-sig")
    lines_of: dict[str, list[int]] = {}
    for m in re.finditer(r'"(E\d{8})"\s*:', text):
        lines_of.setdefault(m.group(1), []).append(text.count("\n", 0, m.start()) + 1)
    try:
        doc = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError as exc:
        code = exc.args[0]
        raise DataError("a council is listed twice", file=path, row=(lines_of.get(code) or [None, None])[1],
                        column=code) from None
    except json.JSONDecodeError as exc:
        cut = " (the file ends early: truncated?)" if exc.pos >= len(text.rstrip()) - 1 else ""
        raise DataError(f"not valid JSON: {exc.msg}{cut}", file=path, row=exc.lineno,
                        column=f"character {exc.colno}") from None
    if not isinstance(doc, dict):
        raise DataError("expected an object {council code: [neighbour codes]}", file=path, row=1)
    rows = []
    upper = re.compile(schemas.COUNCIL_CODE_RE)
    known = set(councils.reference()["gss_code"])
    for code, codes in doc.items():
        i = (lines_of.get(code) or [None])[0]
        if not upper.match(code):
            continue  # districts, combined authorities, GLA: not adult social services authorities
        if code not in known:
            raise DataError("not a council in the reference table (helpers.data.councils)", file=path, row=i, column=code,
                            value=code)
        if not isinstance(codes, list):
            raise DataError("neighbours are not a list", file=path, row=i, column=code, value=codes)
        if code not in codes:
            raise DataError("the council is not in its own list", file=path, row=i, column=code)
        bad = [c for c in codes if not (isinstance(c, str) and upper.match(c))]
        if bad:
            raise DataError("neighbour is not an upper-tier council code", file=path, row=i, column=code,
                            value=bad[0])
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise DataError("neighbour is not a council in the reference table (helpers.data.councils)", file=path, row=i,
                            column=code, value=unknown[0])
        if len(codes) != 16 and codes != [code]:
            raise DataError(f"expected the council and 15 neighbours, found {len(codes)} codes", file=path,
                            row=i, column=code)
        if len(set(codes)) != len(codes):
            raise DataError("a neighbour is listed twice", file=path, row=i, column=code)
        rows.append({"gss_code": code, "group": OFLOG_GROUP, "neighbour_gss_code": code, "rank": 0, "_row": i})
        rows += [{"gss_code": code, "group": OFLOG_GROUP, "neighbour_gss_code": n, "rank": pd.NA, "_row": i}
                 for n in codes if n != code]
    listed = {r["gss_code"] for r in rows}
    expected = set(councils.current(OFLOG_GEOGRAPHY_YEAR)["gss_code"])
    for what, codes_ in (("is not a council of", sorted(listed - expected)), ("has no group: a council of",
                                                                           sorted(expected - listed))):
        if codes_:
            raise DataError(f"{codes_[0]} ({councils.name_of(codes_[0])}) {what} {OFLOG_GEOGRAPHY_YEAR}, the "
                            "geography of the Oflog lists", file=path, row=(lines_of.get(codes_[0]) or [None])[0],
                            column=codes_[0])
    df = pd.DataFrame(rows)
    df["source_id"] = OFLOG_GROUP
    return df


def load_trafford(group: str, path: Path | None = None) -> pd.DataFrame:
    """Read one of Trafford's published comparator lists (``area_code, area_name``).

    Each name must match its code through :func:`helpers.data.councils.resolve_names` (so a shifted or edited
    file is caught). ``rank`` is the row order for the CIPFA lists, missing for the NHS England peer group
    (in code order).

    Raises
    ------
    DataError
        Missing column, a code that is not a council, a name that does not match its code, Trafford listed
        as its own neighbour, a duplicate, or not 15 rows.
    """
    sid, ranked = TRAFFORD_GROUPS[group]
    path = path or sources.path(sid)
    raw = read_csv(path)
    require_columns(raw, ["area_code", "area_name"], file=path)
    raw["_row"] = np.arange(len(raw)) + 2
    codes = raw["area_code"].astype("string").str.strip()
    raise_first(~codes.isin(councils.reference()["gss_code"]).fillna(False), "not a council GSS code in the "
                "reference table", file=path, rows=raw["_row"], column="area_code", values=raw["area_code"])
    named = councils.resolve_names(raw["area_name"], file=path, column="area_name", rows=raw["_row"],
                                   year=OFLOG_GEOGRAPHY_YEAR)
    mismatch = named.to_numpy() != codes.to_numpy()
    if mismatch.any():
        i = int(np.flatnonzero(mismatch)[0])
        raise DataError(f"name and code disagree (the name is {named.iloc[i]})", file=path,
                        row=int(raw["_row"].iloc[i]), column="area_code", value=raw["area_code"].iloc[i])
    raise_first(codes.duplicated(), "a neighbour is listed twice", file=path, rows=raw["_row"], column="area_code",
                values=raw["area_code"])
    raise_first(codes == TRAFFORD, "Trafford is listed as its own neighbour", file=path, rows=raw["_row"],
                column="area_code", values=raw["area_code"])
    if len(raw) != 15:
        raise DataError(f"expected 15 neighbours, found {len(raw)}: the file is cut short or not this group",
                        file=path, row=int(raw["_row"].iloc[-1]) if len(raw) else 1, column="area_code")
    df = pd.DataFrame({
        "gss_code": TRAFFORD,
        "group": group,
        "neighbour_gss_code": codes.astype(str),
        "rank": pd.array(np.arange(1, len(raw) + 1) if ranked else [pd.NA] * len(raw), dtype="Int64"),
        "source_id": sid,
        "_row": raw["_row"],
    })
    return df


def build_comparators() -> pd.DataFrame:
    """Build the ``comparators`` table from the Oflog JSON and Trafford's four lists (validated, sorted)."""
    parts = [load_oflog(), *(load_trafford(group) for group in TRAFFORD_GROUPS)]
    df = pd.concat(parts, ignore_index=True)
    df["_file"] = df["source_id"].map(lambda sid: sources.get(sid).file)
    df["rank"] = df["rank"].astype("Int64")
    schemas.unique_key(df, ["group", "gss_code", "neighbour_gss_code"], table="comparators")
    df = df[["gss_code", "group", "neighbour_gss_code", "rank", "source_id", "_row", "_file"]]
    out = schemas.validate(df, schemas.COMPARATORS)
    check_registered(SOURCE_IDS)
    order = out.assign(_r=out["rank"].fillna(99))
    return (order.sort_values(["group", "gss_code", "_r", "neighbour_gss_code"]).drop(columns="_r")
            .reset_index(drop=True))


def _inputs() -> list[Path]:
    return registered_paths(SOURCE_IDS)


register_table(TableSpec(
    name="comparators", build=build_comparators, inputs=_inputs, depends=("councils",), kind="national",
    description="Comparator groups: Oflog nearest neighbours (all councils), Trafford's CIPFA and NHS England groups",
))


# ------------------------------------------------------------------------------------------------
# comparator groups for the notebooks
# ------------------------------------------------------------------------------------------------


def comparator_group(
    gss_code: str,
    group: str | list[str] = "nearest_neighbours",
    year: str | None = None,
) -> list[str]:
    """Return the councils to compare a council with (never the council itself).

    Parameters
    ----------
    gss_code
        The council (code or name).
    group
        ``'nearest_neighbours'`` (Oflog's 15, the default), one of :data:`TABLE_GROUPS` (the CIPFA and NHS
        England groups exist for Trafford only), ``'region'`` (the other councils of its region),
        ``'council_type'`` (of its type), ``'england'`` (all other councils), or a list of council codes.
    year
        Financial year; the councils that existed then (default: the latest year). For the Oflog groups
        (2022-23 geography) a neighbour that was recoded since is replaced by its new code (North
        Yorkshire, Somerset); one that was split (Cumbria) is dropped with a warning.

    Returns
    -------
    list of str
        GSS codes: in the published order for the ranked CIPFA groups, else sorted by code.

    Raises
    ------
    ParameterError
        Unknown council or group, a council with no published group of that kind (Oflog has none for the
        Isles of Scilly, the City of London and the councils created in 2023), or a listed code that is not
        a council in ``year``.
    """
    year = year or councils.LATEST_YEAR
    code = councils.validate_code(gss_code, year)
    active = councils.current(year)
    if isinstance(group, (list, tuple)):
        out = [councils.validate_code(c, year) for c in group]
        return sorted(set(out) - {code})
    name = ALIASES.get(group, group)
    if name in DERIVED_GROUPS:
        me = councils.get(code)
        if name == "region":
            sel = active[active["region_code"] == me["region_code"]]
        elif name == "council_type":
            sel = active[active["council_type"] == me["council_type"]]
        else:
            sel = active
        return sorted(set(sel["gss_code"]) - {code})
    if name not in TABLE_GROUPS:
        raise ParameterError(
            f"unknown comparator group {group!r}; use one of {['nearest_neighbours', *TABLE_GROUPS[1:], *DERIVED_GROUPS]}"
            " or a list of council codes"
        )
    table = load("comparators")
    lookup = code
    if name == OFLOG_GROUP and lookup not in set(table["gss_code"]):
        # a council recoded since the Oflog geography: use its old code's group
        prev = [p for p in councils.split_codes(councils.get(code)["previous_gss_codes"])]
        lookup = next((p for p in prev if p in set(table["gss_code"])), code)
    rows = table[(table["group"] == name) & (table["gss_code"] == lookup)]
    rows = rows.assign(_r=rows["rank"].fillna(99)).sort_values(["_r", "neighbour_gss_code"])
    neighbours = rows.loc[rows["neighbour_gss_code"] != lookup, "neighbour_gss_code"].tolist()
    if not neighbours:
        where = "Trafford (E08000009) only" if name in TRAFFORD_GROUPS else "Oflog's 2022-23 council list"
        raise ParameterError(
            f"no {name} comparator group for {code} ({councils.name_of(code)}): published for {where}; "
            "use group='region', 'council_type', 'england' or a list of codes"
        )
    ok = set(active["gss_code"])
    out = []
    for n in neighbours:
        if n in ok:
            out.append(n)
            continue
        new = councils.current_code(n)
        if new in ok:
            out.append(new)
        else:
            warnings.warn(
                f"{name} neighbour {n} ({councils.name_of(n)}) of {code} did not exist in {year}; left out",
                stacklevel=2,
            )
    return list(dict.fromkeys(c for c in out if c != code))
