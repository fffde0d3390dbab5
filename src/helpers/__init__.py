"""Shared helpers for the adult social care (ASC) finance and performance notebooks.

Import as ``import helpers`` from a notebook or a script. Modules are named by domain:

- :mod:`helpers.paths`      -- the one place for project paths (``ASC_NATIONAL_DIR`` overrides the national folder)
- :mod:`helpers.errors`     -- the exception types; every message is one clear line
- :mod:`helpers.io`         -- reading spreadsheets, parsing numbers with suppression markers, atomic writes, hashes
- :mod:`helpers.sources`    -- the register of national source files (``data/raw/sources.yml``)
- :mod:`helpers.schemas`    -- pandera schemas of the processed tables and the validator that names file/row/column
- :mod:`helpers.tables`     -- the registry of processed tables, incremental build, and ``load(name)``
- :mod:`helpers.councils`   -- the one reference table of councils (codes, names, boundary changes)
- :mod:`helpers.national`   -- loaders of the national official statistics
- :mod:`helpers.params`     -- validation of notebook parameters
- :mod:`helpers.run`        -- the papermill runner (runs, HTML, index, manifest)
- :mod:`helpers.cli`        -- the ``asc`` command line
"""

from __future__ import annotations

__version__ = "0.1.0"
