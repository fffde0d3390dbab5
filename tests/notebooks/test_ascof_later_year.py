"""Report 02 executed by papermill (``-p year 2023-24``) on a national sandbox holding a later ASCOF file (issue 13).

The 2023-24 ASCOF annual file is a SYNTHETIC fixture made by the test (``later_files.ascof_annual`` in
``tests/conftest.py``: the 2023-24 layout and codes 2C, 2B, 2E, 3D(2A) for every council, with made-up
numerators and denominators), never figures. It is added with ``asc data add``'s function into the one sandbox
of ``tests/sandbox.py`` (links to the real national files), the tables are built there, and the notebook runs in
a kernel whose project root (``ASC_PROJECT_ROOT``) reads that sandbox's processed folder; the real
``data/processed`` is never touched. The report must show the new codes under the right names with the earlier
code beside them, and say where series break or end.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers.core.paths import NOTEBOOKS, ROOT
from helpers.data import families, sources, tables
from tests.sandbox import national_sandbox

pytestmark = [pytest.mark.notebooks, pytest.mark.slow, pytest.mark.national]
PAPERMILL = str(Path(sys.executable).parent / "papermill")
TABLES = ["councils", "council_names", "population", "comparators", "deprivation", "ascof_measures",
          "ascof_series_breaks", "ascof", "council_kpis"]


def _shown_text(nb: dict) -> str:
    """Everything the executed notebook shows a reader, as plain text (HTML tags and Markdown escapes removed)."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                parts.append(BeautifulSoup("".join(data["text/html"]), "html.parser").get_text(" "))
            elif "text/markdown" in data:
                parts.append(html.unescape("".join(data["text/markdown"]).replace("\\", "")))
            elif "text/plain" in data:
                parts.append("".join(data["text/plain"]))
            elif out.get("output_type") == "stream":
                parts.append("".join(out.get("text", "")))
    return " ".join(" ".join(parts).split())


@pytest.mark.skipif(not sources.national_available(), reason="no national data files (set ASC_NATIONAL_DIR)")
def test_report_02_for_2023_24_shows_the_new_codes_with_the_earlier_ones(tmp_path: Path, later_files,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    nat, processed = national_sandbox(tmp_path, monkeypatch)
    families.add(later_files.ascof_annual(tmp_path / "downloads" / "ascof-2023-24-open-data.csv"))
    res = tables.build(TABLES)
    assert all(r.status in ("built", "unchanged") for r in res), [(r.name, r.message) for r in res]
    root = tmp_path / "project"  # the kernel's project: the committed raw files, the sandbox's processed tables
    (root / "data" / "raw").mkdir(parents=True)
    for name in ("reference", "councils", "sources.yml"):
        (root / "data" / "raw" / name).symlink_to(ROOT / "data" / "raw" / name)
    (root / "data" / "processed").symlink_to(processed)
    (root / "notebooks").symlink_to(NOTEBOOKS)
    out = tmp_path / "out" / "02_ascof_benchmarking.ipynb"
    out.parent.mkdir()
    env = {**os.environ, "ASC_PROJECT_ROOT": str(root), "ASC_NATIONAL_DIR": str(nat),
           "ASC_OUTPUT_PREFIX": str(out.with_suffix(""))}
    proc = subprocess.run([PAPERMILL, str(NOTEBOOKS / "02_ascof_benchmarking.ipynb"), str(out), "-p", "year",
                           "2023-24", "--cwd", str(out.parent), "--no-progress-bar"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = _shown_text(json.loads(out.read_text(encoding="utf-8")))
    assert "Stockport - adult social care outcomes (ASCOF), 2023-24" in text
    assert "No ASCOF values for 2023-24" not in text
    # the new codes, under their names, with the earlier code beside them (the councillor's table)
    assert "ASCOF 2C (was 2A(2)): Permanent admissions to care homes, aged 65+, per 100,000" in text
    assert "ASCOF 2B (was 2A(1)): Permanent admissions to care homes, aged 18-64, per 100,000" in text
    assert "ASCOF 2E (was 1G): Adults with a learning disability living in their own home or with family" in text
    assert "ASCOF 3D(2A) (was 1C(2A)): People who use services receiving direct payments" in text
    # a reused code never takes the old measure's name: 2C is not delayed transfers of care in 2023-24
    assert "ASCOF 2C: Delayed" not in text and "2C (was 2A(2)) Delayed" not in text
    # one trend across the renumbering under the stable id: Stockport's published 2A(2) of 2017-18 (1,512.8)
    # heads the row shown under the 2023-24 code; a measure without a 2023-24 value is shown under its new code
    assert "2C (was 2A(2)) 1,512.8 1,417.4" in text and "2D(1) (was 2B(1)) 96.1 92.4" in text
    # series breaks and ends, in words; the chart names only breaks a panel's own values cross: 2D(1)'s values end
    # in 2022-23 (this file has none), so its 2023-24 break is said in the not-published list, not on the chart
    assert "Series breaks on the chart" not in text
    assert "series break from 2023-24: definition changed at the 2023-24 renumbering (2B(1) -> 2D(1))" in text
    assert "series ends after 2019-20 (retired at the 2023-24 renumbering)" in text
    assert "2D(1) (was 2B(1))" in text  # not published in this file: listed under its 2023-24 code
