"""Fuzz cases for the national loaders (issue 11): each case is a copy of a real file broken one way, built in a
tmp sandbox (links to the real national files, an empty processed folder), and its outcome classified.

Used by ``tests/fuzz/test_fuzz_loaders.py`` and ``scripts/fuzz_report.py``. The broken files are made in the
sandbox from the real ones and never committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import AscError
from helpers.data import sources, tables
from tests.sandbox import national_sandbox

#: Loader family -> (table built, register id of the input broken).
FAMILIES = {
    "ascof": ("ascof", "ascof_trend"),
    "ascof open data": ("ascof", "ascof_2020_21_open_data"),
    "oflog": ("oflog_asc", "oflog_asc"),
    "RO3 spend": ("spend", "ro3_2024_25"),
    "ASC-FR activity": ("activity", "activity_by_setting"),
    "ONS population": ("population_sya", "mye_2022"),
    "comparators JSON": ("comparators", "oflog_nearest_neighbours"),
    "deprivation xlsx": ("deprivation", "iod2019_upper_tier"),
}


def _cut(b: bytes) -> bytes:
    return b[: int(len(b) * 0.6)]


def _bad_byte(b: bytes) -> bytes:
    at = b.index(b"\n", len(b) // 2) + 1 if b"\n" in b else len(b) // 2
    return b[:at] + b"\x9d" + b[at:]


def _header_only(b: bytes) -> bytes:
    return b.split(b"\n", 1)[0] + b"\n"


def _wrong_format(b: bytes) -> bytes:  # an xlsx saved under a text name, or text under a workbook name
    other = sources.get("iod2019_upper_tier").path if b[:2] != b"PK" else sources.get("ascof_trend").path
    return other.read_bytes()


def _drop_council(b: bytes) -> bytes:  # every row of one council (Manchester, E08000003) deleted
    return b"\n".join(line for line in b.split(b"\n") if b"E08000003" not in line)


def _x_to_zero(b: bytes) -> bytes:
    return b.replace(b"[x]", b"0").replace(b"[c]", b"0").replace(b",x,", b",0,").replace(b",c,", b",0,")


def _hostile(b: bytes) -> bytes:
    return b.replace(b"Manchester", b"Manchester<script>alert(1)</script>=cmd|' /C calc'!A0`x`", 1)


#: Mutation name -> (function, applies to text files only).
MUTATIONS: dict[str, tuple[Callable[[bytes], bytes], bool]] = {
    "truncated": (_cut, False),
    "non-UTF-8 byte": (_bad_byte, True),
    "header only": (_header_only, True),
    "wrong format under the name": (_wrong_format, False),
    "a council's rows deleted": (_drop_council, True),
    "[x] turned to 0": (_x_to_zero, True),
    "hostile strings": (_hostile, True),
}

#: (family, mutation) whose build is accepted by a documented rule when it succeeds: none. A hostile council name
#: in a national file is refused (the name no longer matches the council table), so it must be a clear error.
ACCEPTED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Case:
    family: str
    mutation: str

    @property
    def id(self) -> str:
        return f"{self.family}: {self.mutation}"


def cases() -> list[Case]:
    """Every (family, mutation) that applies to the family's input file."""
    out = []
    for fam, (_t, sid) in FAMILIES.items():
        text = sources.get(sid).file.endswith((".csv", ".json"))
        out += [Case(fam, m) for m, (_f, text_only) in MUTATIONS.items() if text or not text_only]
    return out


def sandbox(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The national sandbox the data tests use (:func:`tests.sandbox.national_sandbox`)."""
    return national_sandbox(tmp, mp)


def run(case: Case, tmp: Path, mp: pytest.MonkeyPatch) -> tuple[str, str]:
    """Build the case's table from the broken copy; return (outcome, detail). Outcomes: "clear error",
    "traceback", "silent wrong", "accepted", "partial write"."""
    table, sid = FAMILIES[case.family]
    nat, processed = sandbox(tmp, mp)
    src = sources.get(sid)
    real = src.path.resolve()
    previous = processed / f"{table}.parquet"
    pd.DataFrame({"previous_version": [1, 2, 3]}).to_parquet(previous)
    (processed / tables.STATE_FILE).write_text(json.dumps({table: {"key": "previous", "rows": 3, "inputs": {}}}))
    before = previous.read_bytes()
    target = nat / src.file
    target.unlink()
    data = real.read_bytes()
    broken = MUTATIONS[case.mutation][0](data)
    if broken == data:
        return "not applicable", "the mutation leaves this file unchanged"
    target.write_bytes(broken)
    name = Path(src.file).name
    try:
        res = {r.name: r for r in tables.build([table], force=True)}[table]
    except AscError as exc:
        outcome, detail = ("clear error" if name in str(exc) else "traceback"), str(exc)
    except Exception as exc:  # noqa: BLE001 - any other exception is the failure being counted
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    else:
        if res.status == "failed":
            one_line = "\n" not in (res.message or "").strip()
            outcome = "clear error" if name in (res.message or "") and one_line else "traceback"
            detail = res.message or ""
        else:
            outcome = "accepted" if (case.family, case.mutation) in ACCEPTED else "silent wrong"
            return outcome, f"{res.status}, {res.rows} rows"
    leftovers = [p.name for p in processed.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")]
    if leftovers or previous.read_bytes() != before:
        return "partial write", f"{leftovers or 'previous table changed'}"
    return outcome, detail[:300]


# ------------------------------------------------------------------------------------------------
# council report loaders (helpers.data.council_reports): a copy of the Stockport folder, one file broken
# ------------------------------------------------------------------------------------------------

COUNCIL_FILE = "budget_monitoring.csv"


def _pounds(b: bytes) -> bytes:  # one line in pounds instead of thousands (27852 -> 27852000)
    return b.replace(b",27852,27874,", b",27852000,27874,", 1)


def _council_hostile(b: bytes) -> bytes:  # a line name and commentary with markup, a formula, backticks
    return b.replace(b"Boroughwide Services", b"=cmd|' /C calc'!A0 <script>alert(1)</script> `x`", 1)


def _unknown_name(b: bytes) -> bytes:
    return b  # the file is renamed (see run_council), its bytes kept


COUNCIL_MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": _cut, "non-UTF-8 byte": _bad_byte, "header only": _header_only,
    "wrong format under the name": _wrong_format, "unknown file name": _unknown_name,
    "pounds instead of thousands": _pounds, "hostile strings": _council_hostile,
}
#: Accepted by a documented rule: text from council files is data, escaped on output (helpers.core.text).
COUNCIL_ACCEPTED = {"hostile strings"}


def council_cases() -> list[Case]:
    return [Case("council reports", m) for m in COUNCIL_MUTATIONS]


def run_council(case: Case, tmp: Path) -> tuple[str, str]:
    """Load a copy of the Stockport council folder with one file broken; classify as :func:`run`."""
    import shutil

    from helpers.core.paths import COUNCIL_DATA
    from helpers.data.council_reports import load_council_folder

    folder = tmp / "councils" / "stockport"
    shutil.copytree(COUNCIL_DATA / "stockport", folder)
    target = folder / COUNCIL_FILE
    data = target.read_bytes()
    broken = COUNCIL_MUTATIONS[case.mutation](data)
    if broken == data and case.mutation != "unknown file name":
        return "not applicable", "the mutation leaves this file unchanged"
    target.write_bytes(broken)
    name = COUNCIL_FILE
    if case.mutation == "unknown file name":
        name = "Budget Monitoring.csv"
        target.rename(folder / name)
    try:
        load_council_folder(folder, warn=False)
    except AscError as exc:
        return ("clear error" if name in str(exc) else "traceback"), str(exc)[:300]
    except Exception as exc:  # noqa: BLE001 - any other exception is the failure being counted
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    if case.mutation in COUNCIL_ACCEPTED:
        return "accepted", "loaded; escaped on output"
    return "silent wrong", "loaded without error"
