"""Adding next year's official files (issue 13 items 1, 2, 6) and the register commands' hardening (issue 11):
``asc data add``, the local register, ``asc data status`` / ``fetch``.

Every file here is a small synthetic fixture in a later official layout, made by the test in ``tmp_path``
(``later_files`` in ``tests/conftest.py``); none is a real figure. The national folder is the empty one the
unit tests get.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.core import paths
from helpers.core.errors import DataError, MissingDataError
from helpers.data import families, revisions, sources
from helpers.data.io import sha256_file
from helpers.data.national import population_files, spend_ro3
from helpers.pipeline.cli import app


@pytest.fixture
def nat() -> Path:
    return paths.national_dir()


def test_recognises_each_family_by_layout(tmp_path: Path, later_files) -> None:
    got = {
        "ascof": families.recognise(later_files.ascof_annual(tmp_path / "ascof-2023-24-open-data.csv")),
        "ro3": families.recognise(later_files.ro3(tmp_path / "RO3.xlsx")),
        "mye": families.recognise(later_files.mye(tmp_path / "mye24.xlsx")),
        "activity": families.recognise(later_files.activity(tmp_path / "act.csv")),
    }
    assert (got["ascof"].family, got["ascof"].years) == ("ascof_annual", ("2023-24",))
    assert (got["ro3"].family, got["ro3"].years) == ("ro3", ("2025-26",))
    assert (got["mye"].family, got["mye"].years) == ("mye", ("2024",))
    assert (got["activity"].family, got["activity"].years) == ("activity", ("2022-23",))
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    assert families.recognise(other).family is None and "columns" in families.recognise(other).what


def test_add_checks_copies_and_registers_locally_leaving_the_committed_register_alone(
        tmp_path: Path, nat: Path, later_files) -> None:
    committed = sha256_file(paths.SOURCES_REGISTER)
    f = later_files.ascof_annual(tmp_path / "dl" / "ascof-2023-24-open-data.csv")
    done = families.add(f)
    assert done.source_id == "ascof_2023_24" and done.copied and done.family == "ascof_annual"
    assert "now run `asc data build`" in done.line()
    src = sources.get("ascof_2023_24")
    assert src.local and src.family == "ascof_annual" and src.years == ("2023-24",)
    assert src.sha256 == sha256_file(f) and src.bytes == f.stat().st_size and src.page.startswith("https://")
    assert src.counts["2023-24"]["areas"] > 150
    assert (nat / "ascof" / f.name).read_bytes() == f.read_bytes()
    assert sha256_file(paths.SOURCES_REGISTER) == committed  # the committed register never changes
    with pytest.raises(DataError, match="already registered as ascof_2023_24"):
        families.add(f)


def test_a_reused_code_is_refused_and_nothing_is_written(tmp_path: Path, nat: Path, later_files) -> None:
    f = later_files.ascof_annual(tmp_path / "ascof-2023-24.csv", reuse_2c=True)
    with pytest.raises(DataError) as e:
        families.add(f)
    msg = str(e.value)
    assert "'2C' in 2023-24" in msg and "Delayed transfers of care" in msg and "\n" not in msg
    assert not (nat / "ascof").exists() and not sources.local_register_path().exists()


def test_a_zero_denominator_is_refused(tmp_path: Path, nat: Path, later_files) -> None:
    f = later_files.ascof_annual(tmp_path / "ascof-2023-24.csv", zero_den=True)
    with pytest.raises(DataError, match="a value published with a zero denominator"):
        families.add(f)


def test_later_ro3_year_mid_year_and_activity_year_join_their_families(tmp_path: Path, nat: Path,
                                                                       later_files) -> None:
    families.add(later_files.ro3(tmp_path / "RO3_2025-26_data_by_LA.xlsx"))
    families.add(later_files.mye(tmp_path / "mye24.xlsx"))
    families.add(later_files.activity(tmp_path / "activity_2023.csv"))
    assert spend_ro3.ro3_sources()["2025-26"] == "ro3_2025_26"
    assert population_files.mye_sources()[2024] == "mye_2024"
    assert [s.id for s in sources.family("activity")] == ["activity_by_setting", "activity_2022_23"]
    rows = spend_ro3.load_ro3("2025-26")
    assert set(rows["year"]) == {"2025-26"} and (rows.loc[rows["value_status"] != "reported", "value_gbp_k"]
                                                 .isna().all())


def test_a_revision_that_turns_markers_into_zeros_is_refused(tmp_path: Path, nat: Path, later_files) -> None:
    """A second RO3 2025-26 whose [x] cells became 0: refused value by value against the registered file."""
    families.add(later_files.ro3(tmp_path / "a" / "RO3_2025-26_data_by_LA.xlsx"))
    bad = later_files.ro3(tmp_path / "b" / "RO3_2025-26_revised.xlsx", zero_markers=True)
    with pytest.raises(DataError, match=r"not_available are 0 in .*suppression markers replaced by zeros"):
        families.add(bad)


def test_counts_catch_zeroed_markers_without_the_earlier_file() -> None:
    old = {"2025-26": {"rows": 1000, "areas": 154, "reported": 800, "markers": 200, "zeros": 5}}
    new = {"2025-26": {"rows": 1000, "areas": 154, "reported": 990, "markers": 10, "zeros": 195}}
    with pytest.raises(DataError, match="190 fewer suppressed / not-available values and 190 more zeros"):
        revisions.compare_counts(old, new, old_id="ro3_2025_26", new_file="x.ods")
    fewer = {"2025-26": {**old["2025-26"], "areas": 150}}
    with pytest.raises(DataError, match="4 council"):
        revisions.compare_counts(old, fewer, old_id="ro3_2025_26", new_file="x.ods")
    revisions.compare_counts(old, old, old_id="ro3_2025_26", new_file="x.ods")


def test_a_revised_copy_at_a_registered_path_supersedes_its_entry_locally(tmp_path: Path, nat: Path,
                                                                        later_files) -> None:
    """The issue's case: a newer activity compilation saved over the registered one. `asc data add` on it
    records a local entry of the same id (checked first); the committed register is untouched."""
    committed = sources.register(paths.SOURCES_REGISTER)["activity_by_setting"]
    target = nat / committed.file
    later_files.activity(target)
    families.add(target)
    now = sources.get("activity_by_setting")
    assert now.local and now.sha256 == sha256_file(target) != committed.sha256
    assert now.years == ("2022-23",) and "revised copy" in now.title


def test_unrecognised_file_is_refused_in_one_line(tmp_path: Path) -> None:
    f = tmp_path / "budget.csv"
    f.write_text("line,amount\nx,1\n")
    with pytest.raises(DataError, match="not recognised as a file of a family that takes new files") as e:
        families.add(f)
    assert "\n" not in str(e.value)
    with pytest.raises(MissingDataError, match="is not a file"):
        families.add(tmp_path / "nope.csv")


def test_status_lists_unregistered_files_with_the_command_to_add_them(tmp_path: Path, nat: Path,
                                                                      later_files) -> None:
    later_files.ascof_annual(nat / "ascof" / "ascof-2023-24.csv")
    (nat / "README.md").write_text("not data")
    rows = families.describe_unregistered()
    assert [r["file"] for r in rows] == ["ascof/ascof-2023-24.csv"]
    assert rows[0]["family"] == "ascof_annual" and rows[0]["command"].startswith("asc data add")
    out = CliRunner().invoke(app, ["data", "status"])
    assert "not registered (the build does not read them):" in out.output
    assert 'add it: asc data add "$ASC_NATIONAL_DIR/ascof/ascof-2023-24.csv"' in out.output


def test_cli_add_prints_one_line_and_refuses_in_one_line(tmp_path: Path, nat: Path, later_files) -> None:
    good = later_files.activity(tmp_path / "activity_2023.csv")
    res = CliRunner().invoke(app, ["data", "add", str(good)])
    assert res.exit_code == 0 and res.output.startswith("added activity_2022_23")
    bad = later_files.ascof_annual(tmp_path / "x-2023-24.csv", reuse_2c=True)
    res = CliRunner().invoke(app, ["data", "add", str(bad)])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "not added" in res.output


def test_fetch_checks_every_file_and_reports_every_failure(tmp_path: Path) -> None:
    """Three files missing from a mirror: all three are named (before: the first stopped the run)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    ids = ["trafford_cipfa2019", "trafford_cipfa2021", "trafford_nhsennpg"]
    with pytest.raises(sources.FetchError) as e:
        sources.fetch(ids, mirror=mirror)
    assert len(e.value.failures) == 3 and all(i in str(e.value) for i in ids)
    assert str(e.value).startswith("3 file(s) not fetched")


def test_fetch_from_a_missing_mirror_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match="the mirror folder .* does not exist"):
        sources.fetch(["trafford_cipfa2019"], mirror=tmp_path / "no_such_mirror")


def test_fetch_copies_the_good_files_and_reports_the_bad(tmp_path: Path, nat: Path) -> None:
    """A mirror with one good file (its registered sha256 made to match) and one missing: the good one is
    written, the missing one reported."""
    src = sources.get("trafford_cipfa2019")
    mirror = tmp_path / "mirror"
    (mirror / src.file).parent.mkdir(parents=True)
    data = b"code,name\n"
    (mirror / src.file).write_bytes(data)
    import hashlib

    patched = {**sources.register(), src.id: sources.Source(**{**src.__dict__, "sha256": hashlib.sha256(data)
                                                               .hexdigest()})}
    real = sources.register
    try:
        sources.register = lambda path=None: patched if path is None else real(path)  # type: ignore[assignment]
        with pytest.raises(MissingDataError) as e:
            sources.fetch([src.id, "trafford_cipfa2021"], mirror=mirror)
    finally:
        sources.register = real  # type: ignore[assignment]
    assert e.value.done == [f"{src.id}: copied from {mirror}"]
    assert (nat / src.file).read_bytes() == data and "trafford_cipfa2021" in str(e.value)
    shutil.rmtree(nat / "comparators")
