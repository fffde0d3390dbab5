"""Exception types. Every message is one line that says what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.core.paths import relative


class AscError(Exception):
    """Base class of the project's errors: caught by the CLI and printed as one line."""


class ParameterError(AscError, ValueError):
    """A notebook or CLI parameter is unknown or has a bad value."""


class MissingDataError(AscError, FileNotFoundError):
    """A data file or folder that is needed is not there."""


class DataError(AscError, ValueError):
    """A data file has bad content: names the file, the row and the column at fault.

    Parameters
    ----------
    message
        What is wrong, e.g. ``"not a number"``.
    file
        The file (a path or a name); shown relative to the project or national folder.
    row
        The 1-based row number as a spreadsheet shows it (header row = 1), if known.
    column
        The column name (or letter) at fault, if known.
    value
        The offending value, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        sheet: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.sheet = sheet
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.file is not None:
            f = relative(Path(self.file)) if isinstance(self.file, Path) else str(self.file)
            parts.append(f if self.sheet is None else f"{f} [sheet {self.sheet!r}]")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        where = ", ".join(parts)
        text = f"{where}: {self.message}" if where else self.message
        if self.value is not None:
            text += f" (found {self.value!r})"
        return text


class ReconciliationWarning(UserWarning):
    """A document's own figures do not add up; the loader reports it and keeps the printed value."""
