"""The one place for project paths.

Every other module asks this one where things are. The national data folder is
``ASC_NATIONAL_DIR`` if set (a relative value is taken from the project root, so it
means the same thing from a notebook's folder as from the repository root), else
``data/raw/national/``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder that holds the national official statistics files.
NATIONAL_ENV = "ASC_NATIONAL_DIR"
#: Environment variable that overrides the project root (for installs outside the repository).
ROOT_ENV = "ASC_PROJECT_ROOT"


def project_root() -> Path:
    """Return the repository root (the folder holding ``pyproject.toml``).

    Returns
    -------
    pathlib.Path
        ``ASC_PROJECT_ROOT`` if set, else the folder three levels above this module
        (``src/helpers/core`` -> repository root).
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[3]


ROOT: Path = project_root()
SRC: Path = ROOT / "src"
DATA: Path = ROOT / "data"
RAW: Path = DATA / "raw"
PROCESSED: Path = DATA / "processed"
#: Council report figures (committed): one folder per council, the input template.
COUNCIL_DATA: Path = RAW / "councils"
#: Reference tables compiled by this project (committed): councils, name variants, boundary changes.
REFERENCE: Path = RAW / "reference"
#: The register of national source files.
SOURCES_REGISTER: Path = RAW / "sources.yml"
NOTEBOOKS: Path = ROOT / "notebooks"
OUTPUTS: Path = ROOT / "outputs"
DOCS: Path = ROOT / "docs"
DEFAULT_NATIONAL: Path = RAW / "national"


def national_dir() -> Path:
    """Return the folder holding the national data files.

    Returns
    -------
    pathlib.Path
        Absolute path: ``ASC_NATIONAL_DIR`` (relative values resolved against the
        project root) or ``data/raw/national``. The folder may not exist; callers
        that need it use :func:`helpers.data.sources.require_national_dir`.
    """
    env = os.environ.get(NATIONAL_ENV)
    if env:
        p = Path(env).expanduser()
        if not p.is_absolute():
            p = ROOT / p
        return p.resolve()
    return DEFAULT_NATIONAL


def processed_path(table: str) -> Path:
    """Return the Parquet path of a processed table, e.g. ``data/processed/ascof.parquet``."""
    return PROCESSED / f"{table}.parquet"


def relative(path: Path) -> str:
    """Return ``path`` relative to the project root (or the national folder) for messages.

    Output never shows absolute paths, so executed notebooks are the same on every machine.
    """
    path = Path(path)
    for base, label in ((national_dir(), "$ASC_NATIONAL_DIR"), (ROOT, None)):
        try:
            rel = path.resolve().relative_to(base.resolve())
        except ValueError:
            continue
        return f"{label}/{rel.as_posix()}" if label else rel.as_posix()
    return path.name
