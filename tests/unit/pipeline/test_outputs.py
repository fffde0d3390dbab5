"""A run's record (helpers.pipeline.outputs): side files, statuses, stale tables, the manifest, refused writes."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from helpers.core.errors import AscError
from helpers.data import tables
from helpers.pipeline import outputs
from helpers.pipeline.outputs import JobResult, RunSummary
from helpers.reports import exports, present


def test_report_side_files_read_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What present.set_status / note / export_table / exports.export_workbook leave for the runner."""
    import pandas as pd

    prefix = tmp_path / "03_forecast_variance"
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(prefix))
    present.set_status("no data", "no budget figures for\n2019-20")
    present.note("Only {n} lines.", n=3)
    present.export_table(pd.DataFrame({"a": [1]}), "summary")
    exports.export_workbook(exports.Cover("t", "Stockport", "Q3"), [exports.Sheet("Lines", pd.DataFrame({"a": [1]}))])
    Path(f"{prefix}.reads").write_text("spend\ncouncils\nspend\n")
    present.summary_box("Stockport - forecast variance,\nquarter 3 2017-18", ["Overspend of £584k."])
    present.summary_box("A second box", ["not the title"])
    side = outputs.read_side_files(prefix)
    assert side.title == "Stockport - forecast variance, quarter 3 2017-18"  # the first box's title, one line
    assert side.statuses == [("no data", "no budget figures for 2019-20")]
    assert side.notes == ["Only 3 lines."]
    assert side.reads == ["councils", "spend"]
    assert [Path(f).name for f in side.exports] == ["03_forecast_variance_summary.csv",
                                                    "03_forecast_variance_summary.xlsx",
                                                    "03_forecast_variance_workbook.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [Path(f).name for f in side.exports]  # side files gone


def test_a_status_line_that_is_not_understood_is_kept_not_dropped(tmp_path: Path) -> None:
    prefix = tmp_path / "r"
    Path(f"{prefix}.status").write_text('not json\n{"status": "fine", "reason": "x"}\n{"status": "ok"}\n')
    side = outputs.read_side_files(prefix)
    assert [s for s, _ in side.statuses] == ["stale data"] * 3
    assert side.statuses[0][1] == "unreadable status line: not json"
    assert side.statuses[1][1] == "unknown status 'fine': x"


def test_a_data_file_named_but_not_written_is_not_linked(tmp_path: Path) -> None:
    prefix = tmp_path / "r"
    (tmp_path / "r_a.csv").write_text("a\n")
    Path(f"{prefix}.exports").write_text("r_a.csv\nr_missing.csv\n../../etc/passwd\nr_a.csv\n")
    assert [Path(f).name for f in outputs.read_side_files(prefix).exports] == ["r_a.csv"]


def test_stale_tables_are_those_whose_latest_build_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    states = {"spend": ("failed", "RO3.ods: row 4\n bad"), "councils": ("built", None), "ascof": ("missing", None)}
    monkeypatch.setattr(tables, "table_status", lambda name: states[name])
    assert outputs.stale_tables(["ascof", "councils", "spend"]) == [("spend", "RO3.ods: row 4 bad")]


def test_manifest_records_each_status_and_the_counts(tmp_path: Path) -> None:
    def job(status: str, reasons: list[str]) -> JobResult:
        return JobResult("notebooks/00_x.ipynb", {"council": "E08000007"}, status, 1.0, "", None, "t",
                         reasons=reasons, all_parameters={"council": "E08000007", "year": "2023-24"})

    results = [job("ok", []), job("no data", ["no data: none"]), job("stale data", ["stale data: spend"])]
    summary = RunSummary(tmp_path, results, 2.0)
    m = json.loads(outputs.write_manifest(summary, command="asc run").read_text())
    assert m["status"] == "stale data" and summary.ok  # not a failure: the run exits 0
    assert m["statuses"] == {"ok": 1, "no data": 1, "stale data": 1, "failed": 0}
    assert m["counts"] == {"notebooks": 3, "failed": 0}
    assert [j["reasons"] for j in m["jobs"]] == [[], ["no data: none"], ["stale data: spend"]]
    assert m["jobs"][0]["all_parameters"] == {"council": "E08000007", "year": "2023-24"}
    results.append(job("failed", ["cell [3]: KeyError"]))
    assert json.loads(outputs.write_manifest(RunSummary(tmp_path, results, 2.0)).read_text())["status"] == "failed"


def test_a_refused_write_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "atomic_write_text", full)
    with pytest.raises(AscError, match=r"^cannot write the run index .*index.html: No space left on device$"):
        outputs.write_text(tmp_path / "index.html", "x", "run index")
    assert not list(tmp_path.iterdir())


def test_a_run_folder_that_cannot_be_made_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(self, *a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(AscError, match="^cannot create a run folder in .*: Read-only file system$"):
        outputs.new_run_dir(tmp_path, "t")
