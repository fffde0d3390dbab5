"""Council report figures: the input template, its reader, the reconciliation of printed totals, the workbook.

A council's own report tables are transcribed into ``data/raw/councils/<slug>/`` (one CSV per kind of table, or
one workbook with a sheet per kind) following the template in ``docs/council_data.md``; the seeds' tables
(Stockport, Nottinghamshire, Cambridgeshire) are the embedded default dataset. The package:

* :mod:`~helpers.data.council_reports.kinds` -- the template: kinds of table, their columns;
* :mod:`~helpers.data.council_reports.reader` -- finding the council folders, reading and validating one file;
* :mod:`~helpers.data.council_reports.checks` -- every printed total and derived figure recomputed;
* :mod:`~helpers.data.council_reports.load` -- whole folders as tidy tables; the processed ``council_*`` tables;
* :mod:`~helpers.data.council_reports.workbook` -- a council folder written as a fill-in workbook.

Importing the package registers the processed tables. The names below are its public interface.
"""

from __future__ import annotations

from helpers.data.council_reports.checks import reconcile
from helpers.data.council_reports.kinds import (
    EXTRA_MARKERS,
    IGNORED_SHEETS,
    KINDS,
    KPI_SCALES,
    TABLES,
    TEMPLATE_COMMON,
    TEMPLATE_TAIL,
    Kind,
    template_columns,
)
from helpers.data.council_reports.load import load_council_folder, load_kind, reconcile_all
from helpers.data.council_reports.reader import (
    council_files,
    council_folders,
    councils_with_data,
    read_council_file,
    resolve_parents,
)
from helpers.data.council_reports.workbook import write_workbook

__all__ = [
    "EXTRA_MARKERS", "IGNORED_SHEETS", "KINDS", "KPI_SCALES", "TABLES", "TEMPLATE_COMMON", "TEMPLATE_TAIL", "Kind",
    "council_files", "council_folders", "councils_with_data", "load_council_folder", "load_kind",
    "read_council_file", "reconcile", "reconcile_all", "resolve_parents", "template_columns", "write_workbook",
]
