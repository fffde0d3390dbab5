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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from helpers.core.errors import AscError, DataError, MissingDataError
from helpers.core.paths import SOURCES_REGISTER, national_dir, relative
from helpers.data.io import atomic_write_bytes, sha256_file, short

REQUIRED_KEYS = ("id", "publisher", "title", "page", "licence", "file", "sha256")
#: The local register: files added with ``asc data add`` on this machine, in the national folder (never committed).
LOCAL_REGISTER = "sources.local.yml"


@dataclass(frozen=True)
class Source:
    """One registered national file.

    ``family`` (``ascof_trend``, ``ascof_annual``, ``ro3``, ``mye``, ``activity``) marks a file that is one of
    several building one table; ``years`` are the years it covers (financial years ``YYYY-YY``; the mid-year
    ``YYYY`` for population estimates); ``counts`` the value counts recorded when it was added (rows, councils,
    reported / suppressed / zero values), which a later version is compared with; ``local`` is true for an
    entry of the local register.
    """

    id: str
    publisher: str
    title: str
    page: str
    licence: str
    file: str
    sha256: str
    url: str | None = None
    bytes: int | None = None
    family: str | None = None
    years: tuple[str, ...] = ()
    counts: dict | None = field(default=None, compare=False, hash=False)
    local: bool = False

    @property
    def path(self) -> Path:
        """Where the file is expected: ``ASC_NATIONAL_DIR/<file>``."""
        return national_dir() / self.file


def _entries(p: Path) -> list[dict]:
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML: {short(exc)}", file=p) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte offset {exc.start})", file=p) from exc
    entries = doc.get("sources", []) if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError("expected a mapping with a list 'sources'", file=p)
    return entries


def _source(entry: dict, i: int, p: Path, local: bool) -> Source:
    if not isinstance(entry, dict):
        raise DataError(f"source entry {i} is not a mapping", file=p)
    for key in REQUIRED_KEYS:
        if not entry.get(key):
            raise DataError(f"source entry {i} has no {key!r}", file=p, column=key)
    url = entry.get("url")
    if url and urllib.parse.urlparse(url).scheme != "https":
        raise DataError(f"source {entry['id']!r}: url must be https", file=p, column="url", value=url)
    fields = {k: entry.get(k) for k in Source.__dataclass_fields__ if k in entry}
    fields["years"] = tuple(str(y) for y in entry.get("years") or ())
    fields["local"] = local
    return Source(**fields)


@lru_cache(maxsize=8)
def _load_register(path: str, local_path: str | None, stamp: tuple) -> dict[str, Source]:
    p = Path(path)
    if not p.is_file():
        raise MissingDataError(f"the sources register {relative(p)} is missing")
    out: dict[str, Source] = {}
    for i, entry in enumerate(_entries(p), start=1):
        src = _source(entry, i, p, local=False)
        if src.id in out:
            raise DataError(f"duplicate source id {src.id!r}", file=p, column="id")
        out[src.id] = src
    if local_path is None:
        return out
    lp = Path(local_path)
    seen: set[str] = set()
    for i, entry in enumerate(_entries(lp), start=1):
        src = _source(entry, i, lp, local=True)
        if src.id in seen:
            raise DataError(f"duplicate source id {src.id!r}", file=lp, column="id")
        seen.add(src.id)
        out.pop(src.id, None)  # a local entry of a committed id supersedes it (a revised copy, checked on adding)
        out[src.id] = src
    return out


def local_register_path() -> Path:
    """The local register: ``ASC_NATIONAL_DIR/sources.local.yml`` (see ``docs/decisions.md``)."""
    return national_dir() / LOCAL_REGISTER


def register(path: Path | None = None) -> dict[str, Source]:
    """Return the register as ``{id: Source}``: the committed ``data/raw/sources.yml`` and, over it, the local
    register of this machine's national folder (:func:`local_register_path`).

    A local entry with a new id adds a file; one with a committed id supersedes that entry (a revised copy of
    the file, added with ``asc data add``). The committed file never changes on a user's machine. Within a
    family, the order of the register is the order of release: committed entries first, then local ones in the
    order they were added.

    Parameters
    ----------
    path
        Read this register file alone (no local register).
    """
    if path is not None:
        return _load_register(str(path), None, _stamp(Path(path)))
    local = local_register_path()
    lp = str(local) if local.is_file() else None
    return _load_register(str(SOURCES_REGISTER), lp, (_stamp(SOURCES_REGISTER), _stamp(local)))


def _stamp(p: Path) -> tuple[int, int]:
    try:
        st = p.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def family(name: str) -> list[Source]:
    """The registered files of a family, in order of release (register order; see :func:`register`)."""
    return [s for s in register().values() if s.family == name]


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


def unregistered() -> list[str]:
    """Files in the national folder that no register entry names (paths relative to it, sorted).

    Hidden files, ``README*`` and the local register itself are not data files and are left out.
    """
    nd = national_dir()
    if not nd.is_dir():
        return []
    known = {s.file for s in register().values()}
    out = []
    for p in nd.rglob("*"):
        rel = p.relative_to(nd).as_posix()
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(nd).parts):
            continue
        if rel == LOCAL_REGISTER or p.name.upper().startswith("README") or rel in known:
            continue
        out.append(rel)
    return sorted(out)


def check_entry(entry: dict) -> Source:
    """Check a register entry as the register would read it (raises :class:`DataError`)."""
    return _source(entry, 0, local_register_path(), local=True)


def write_local_entry(entry: dict) -> Path:
    """Add ``entry`` to the local register (replacing an entry of the same id), atomically; return its path.

    The entry must have the keys of :data:`REQUIRED_KEYS`; it is checked by reading the register back.
    """
    p = local_register_path()
    check_entry(entry)
    entries = _entries(p) if p.is_file() else []
    entries = [e for e in entries if e.get("id") != entry["id"]] + [entry]
    head = ("# Local register: national files added on this machine with `asc data add` (never committed).\n"
            "# Layered over data/raw/sources.yml: a new id adds a file, a committed id supersedes its entry.\n")
    text = head + yaml.safe_dump({"sources": entries}, sort_keys=False, allow_unicode=True, width=1000)
    atomic_write_bytes(p, text.encode("utf-8"))
    register()  # read back: a bad entry fails here, naming the file
    return p


def status_table() -> pd.DataFrame:
    """:func:`status` as a DataFrame with the publisher and title, sorted by file (for reports)."""
    reg = register()
    df = pd.DataFrame(status(), columns=["id", "file", "state"])
    df["publisher"] = df["id"].map(lambda i: reg[i].publisher)
    df["title"] = df["id"].map(lambda i: reg[i].title)
    return df[["file", "state", "publisher", "title"]].sort_values("file").reset_index(drop=True)


class FetchError(AscError):
    """Some files could not be fetched: ``done`` says what was done with the others, ``failures`` one line each."""

    def __init__(self, done: list[str], failures: list[tuple[str, AscError]]) -> None:
        self.done = done
        self.failures = [f"{sid}: {exc}" if not str(exc).startswith(sid) else str(exc) for sid, exc in failures]
        first = failures[0][1]
        text = str(first) if len(failures) == 1 else (
            f"{len(failures)} file(s) not fetched: " + "; ".join(self.failures))
        super().__init__(text)
        self.kind = type(first)


def fetch(source_ids: list[str] | None = None, *, mirror: Path | None = None, force: bool = False) -> list[str]:
    """Download (or copy from ``mirror``) registered files into the national folder.

    Each file is checked against its registered sha256 before it is written (atomically); a file
    that is already present with the right checksum is left alone unless ``force``. Every file is tried: a
    failure does not stop the others, and all failures are reported together.

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
    MissingDataError
        The mirror folder does not exist; or the one file that failed had no url / was not in the mirror.
    DataError
        The one file that failed did not match its checksum (nothing is written then).
    FetchError
        More than one file failed (:attr:`FetchError.failures`: one line each; :attr:`FetchError.done`).
    """
    reg = register()
    if mirror is not None and not Path(mirror).is_dir():
        raise MissingDataError(f"the mirror folder {mirror} does not exist (or is not a folder): give the folder "
                               "that holds the national files with --from")
    ids = source_ids or sorted(reg)
    done: list[str] = []
    failures: list[tuple[str, AscError]] = []
    for sid in ids:
        try:
            done.append(_fetch_one(get(sid), mirror=mirror, force=force))
        except AscError as exc:
            failures.append((sid, exc))
        except KeyError as exc:
            failures.append((sid, MissingDataError(str(exc).strip('"'))))
        except OSError as exc:
            failures.append((sid, MissingDataError(f"{sid}: download failed ({exc})")))
    if failures:
        if len(failures) == 1:
            exc = failures[0][1]
            exc.done = done  # type: ignore[attr-defined]
            raise exc
        raise FetchError(done, failures)
    return done


def _fetch_one(src: Source, *, mirror: Path | None, force: bool) -> str:
    sid = src.id
    dest = src.path
    if dest.is_file() and not force and sha256_file(dest) == src.sha256:
        return f"{sid}: already present"
    if mirror is not None:
        origin = Path(mirror) / src.file
        if not origin.is_file():
            raise MissingDataError(f"{sid}: {src.file} is not in the mirror {mirror}")
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
    return f"{sid}: {how}"
