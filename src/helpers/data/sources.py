"""The register of national source files: where each one comes from, and whether it is here.

The register is ``data/raw/sources.yml``. National files are never committed: they are read from
:func:`helpers.core.paths.national_dir` (``ASC_NATIONAL_DIR``). ``asc data fetch`` downloads them from their
official https address (or copies them from a local mirror with ``--from``), checks the sha256 and writes
atomically; ``asc data status`` says what is present, missing or changed.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from helpers.core.errors import DataError, MissingDataError
from helpers.core.paths import SOURCES_REGISTER, national_dir, relative
from helpers.data.io import atomic_write_bytes, sha256_file

REQUIRED_KEYS = ("id", "publisher", "title", "page", "licence", "file", "sha256")


@dataclass(frozen=True)
class Source:
    """One registered national file."""

    id: str
    publisher: str
    title: str
    page: str
    licence: str
    file: str
    sha256: str
    url: str | None = None
    bytes: int | None = None

    @property
    def path(self) -> Path:
        """Where the file is expected: ``ASC_NATIONAL_DIR/<file>``."""
        return national_dir() / self.file


@lru_cache(maxsize=4)
def _load_register(path: str) -> dict[str, Source]:
    p = Path(path)
    if not p.is_file():
        raise MissingDataError(f"the sources register {relative(p)} is missing")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML: {exc}", file=p) from exc
    out: dict[str, Source] = {}
    for i, entry in enumerate(doc.get("sources", []), start=1):
        for key in REQUIRED_KEYS:
            if not entry.get(key):
                raise DataError(f"source entry {i} has no {key!r}", file=p, column=key)
        if entry["id"] in out:
            raise DataError(f"duplicate source id {entry['id']!r}", file=p, column="id")
        url = entry.get("url")
        if url and urllib.parse.urlparse(url).scheme != "https":
            raise DataError(f"source {entry['id']!r}: url must be https", file=p, column="url", value=url)
        out[entry["id"]] = Source(**{k: entry.get(k) for k in Source.__dataclass_fields__})
    return out


def register(path: Path | None = None) -> dict[str, Source]:
    """Return the register as ``{id: Source}``."""
    return _load_register(str(path or SOURCES_REGISTER))


def get(source_id: str) -> Source:
    """Return one registered source by id (a clear error for an unknown id)."""
    reg = register()
    if source_id not in reg:
        raise KeyError(f"unknown source id {source_id!r}; registered: {sorted(reg)}")
    return reg[source_id]


def path(source_id: str) -> Path:
    """Return the path of a registered national file, raising a clear error if it is not there."""
    src = get(source_id)
    p = src.path
    if not p.is_file():
        nd = national_dir()
        hint = (
            f"the national data folder {nd} does not exist"
            if not nd.is_dir()
            else f"{src.file} is not in the national data folder"
        )
        raise MissingDataError(
            f"{hint}: set ASC_NATIONAL_DIR to the folder holding the national files, "
            f"or run `asc data fetch` ({src.title}; {src.page})"
        )
    return p


def national_available() -> bool:
    """True when the national data folder exists and holds at least one registered file."""
    return any(s.path.is_file() for s in register().values())


def status() -> list[dict[str, str]]:
    """Return one row per registered file: id, file and state (present / missing / changed)."""
    rows = []
    for src in register().values():
        if not src.path.is_file():
            state = "missing"
        elif sha256_file(src.path) != src.sha256:
            state = "changed"
        else:
            state = "present"
        rows.append({"id": src.id, "file": src.file, "state": state})
    return rows


def status_table() -> pd.DataFrame:
    """:func:`status` as a DataFrame with the publisher and title, sorted by file (for reports)."""
    reg = register()
    df = pd.DataFrame(status(), columns=["id", "file", "state"])
    df["publisher"] = df["id"].map(lambda i: reg[i].publisher)
    df["title"] = df["id"].map(lambda i: reg[i].title)
    return df[["file", "state", "publisher", "title"]].sort_values("file").reset_index(drop=True)


def fetch(source_ids: list[str] | None = None, *, mirror: Path | None = None, force: bool = False) -> list[str]:
    """Download (or copy from ``mirror``) registered files into the national folder.

    Each file is checked against its registered sha256 before it is written (atomically); a file
    that is already present with the right checksum is left alone unless ``force``.

    Parameters
    ----------
    source_ids
        Ids to fetch; all when ``None``.
    mirror
        A local folder laid out like the national folder; copy from it instead of downloading.
    force
        Fetch even if a correct copy is present.

    Returns
    -------
    list of str
        One line per file saying what was done.

    Raises
    ------
    MissingDataError, DataError
        No url registered / not in the mirror; checksum mismatch (nothing is written then).
    """
    reg = register()
    ids = source_ids or sorted(reg)
    done: list[str] = []
    for sid in ids:
        src = get(sid)
        dest = src.path
        if dest.is_file() and not force and sha256_file(dest) == src.sha256:
            done.append(f"{sid}: already present")
            continue
        if mirror is not None:
            origin = Path(mirror) / src.file
            if not origin.is_file():
                raise MissingDataError(f"{src.file} is not in the mirror {mirror}")
            data = origin.read_bytes()
            how = f"copied from {mirror}"
        else:
            if not src.url:
                raise MissingDataError(
                    f"{sid}: no direct download address is registered; download it from {src.page} "
                    f"and save it as {dest}, or use `asc data fetch --from DIR`"
                )
            if urllib.parse.urlparse(src.url).scheme != "https":
                raise DataError(f"{sid}: refusing a non-https url", value=src.url)
            with urllib.request.urlopen(src.url, timeout=120) as resp:  # noqa: S310 (https checked above)
                data = resp.read()
            how = f"downloaded from {src.url}"
        digest = hashlib.sha256(data).hexdigest()
        if digest != src.sha256:
            raise DataError(
                f"{sid}: sha256 {digest[:12]}... does not match the register ({src.sha256[:12]}...); not written",
                file=src.file,
            )
        atomic_write_bytes(dest, data)
        done.append(f"{sid}: {how}")
    return done
