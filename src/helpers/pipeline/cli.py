"""The ``asc`` command line: run notebooks, build and fetch data.

Examples
--------
::

    asc run                                   # every notebook with its defaults
    asc run spend_benchmarking -p council E08000007 -p year 2023-24
    asc run spend_benchmarking --all-councils # one report per council, in parallel
    asc run --pdf                             # and a PDF beside each HTML (headless Chromium)
    asc pack Stockport -p year 2023-24        # every report for one council, one contents page, one PDF
    asc notebooks                             # the notebooks and their parameters
    asc data build                            # build data/processed from the raw files
    asc data status                           # which national files are present, missing or changed
    asc data fetch --from /path/to/mirror     # copy the registered national files from a local mirror
    asc data add ~/Downloads/ascof-2023-24.csv  # check a new official file, copy and register it

Every error is one line on stderr saying what is wrong and how to fix it; the exit status is non-zero.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from helpers.core.errors import AscError
from helpers.core.paths import OUTPUTS, national_dir
from helpers.data import families, sources
from helpers.data import tables as tbl  # `tables` is the argument of `asc data build`
from helpers.pipeline import execute, notebooks, outputs, words
from helpers.pipeline.pack import pack_specs

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Adult social care finance and performance notebooks.")
data_app = typer.Typer(no_args_is_help=True, help="Build, check and fetch the data.")
app.add_typer(data_app, name="data")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _parse_params(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in pairs or []:
        k, eq, v = item.partition("=")
        if not eq or not k.strip():
            _fail(f"parameter {item!r}: write -p NAME VALUE (or -p NAME=VALUE)")
        out[k.strip()] = v
    return out


def _expand_p(argv: list[str]) -> list[str]:
    """Turn ``-p NAME VALUE`` into ``-p NAME=VALUE`` so that typer sees one value per option.

    A token after ``-p`` is ``NAME=VALUE`` only when it has a name before its ``=``; otherwise (no ``=``, or a
    leading ``=``) it is the NAME of ``-p NAME VALUE``, so a name such as ``=HYPERLINK(...)`` reaches the
    parameter check and is refused there in one line, naming it.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        name, eq, _ = argv[i + 1].partition("=") if i + 1 < len(argv) else ("", "", "")
        if a in ("-p", "--param") and i + 2 < len(argv) and not (eq and name.strip()):
            out += [a, f"{argv[i + 1]}={argv[i + 2]}"]
            i += 3
        else:
            out.append(a)
            i += 1
    return out


def _check_timeout(timeout: int) -> None:
    if timeout < 1:
        _fail(f"--timeout {timeout}: give the per-cell timeout in seconds, at least 1 (a cell that runs longer fails)")


def _run(specs: list, run_dir: Path, *, batch: bool, mode: str, timeout: int, html: bool, pdf: bool,
         workers: int | None, dask: str | None, quiet: bool, kind: str = "run",
         skipped: list[tuple[str, str]] | None = None) -> None:
    """Run the jobs, say where the reports are, and exit non-zero if any failed (shared by run and pack)."""
    jobs = execute.plan_jobs(specs, run_dir, batch=batch, mode=mode, timeout=timeout, html=html)
    executor = None
    client = None
    try:
        if dask:
            from dask.distributed import Client  # lazy: optional, slow; only --dask needs it

            client = Client(dask)
            executor = client.get_executor()
        summary = execute.execute(jobs, run_dir, executor=executor, workers=workers, progress=not quiet,
                                  command=" ".join(["asc", *sys.argv[1:]]), pdf=pdf, kind=kind, skipped=skipped)
    except AscError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write the run in {run_dir}: {exc.strerror or exc}")
    finally:
        if client is not None:
            client.close()
    rel = run_dir.relative_to(Path.cwd()) if run_dir.is_relative_to(Path.cwd()) else run_dir
    counts = words.status_counts([r.status for r in summary.results])
    typer.echo(f"{counts} in {summary.seconds:.1f} s; contents: {rel}/index.html")
    if summary.pack_pdf:
        typer.echo(f"the pack in one PDF: {rel}/{Path(summary.pack_pdf).name}")
    if summary.pdf_note:
        typer.echo(summary.pdf_note, err=True)
    for r in summary.results:
        if r.status != "ok":
            typer.echo(f"{r.status.upper()} {Path(r.notebook).stem} {r.parameters or ''}: "
                       f"{r.error or '; '.join(r.reasons)}", err=True)
    unprinted = [r for r in summary.results if r.pdf_error]
    for r in unprinted:
        typer.echo(f"PDF not made for {Path(r.notebook).stem} {r.parameters or ''}: {r.pdf_error}", err=True)
    if summary.failed or unprinted:
        raise typer.Exit(1)


@app.command()
def run(
    notebook: Annotated[str | None, typer.Argument(help="Notebook to run (all notebooks if omitted).")] = None,
    param: Annotated[list[str] | None, typer.Option("-p", "--param", help="A parameter: -p NAME VALUE.")] = None,
    all_councils: Annotated[bool, typer.Option("--all-councils", help="Run once per council.")] = False,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPU cores).")] = None,
    mode: Annotated[str, typer.Option(help="warm: reuse a kernel per worker; cold: a new kernel each.")] = "warm",
    timeout: Annotated[int, typer.Option(help="Per-cell timeout in seconds (at least 1).")] = 600,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Write HTML reports.")] = True,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each report to PDF (headless Chromium).")] = False,
    dask: Annotated[str | None, typer.Option(help="Address of a Dask scheduler to run the jobs on.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Where run folders go (default: outputs/).")
                          ] = None,
) -> None:
    """Run notebooks through papermill and write outputs/<run>/ (reports, index.html, manifest.json)."""
    try:
        if mode not in ("warm", "cold"):
            _fail(f"--mode {mode!r}: use warm or cold")
        _check_timeout(timeout)
        if pdf and not html:
            _fail("--pdf prints the HTML reports: do not give --no-html with it")
        raw = _parse_params(param)
        if notebook is None:
            if raw or all_councils:
                _fail("give a notebook name to use -p or --all-councils (see `asc notebooks`)")
            specs = [(nb, {}) for nb in notebooks.list_notebooks()]
            if not specs:
                _fail("no notebooks in notebooks/")
            batch = False
        else:
            nb = notebooks.find_notebook(notebook)
            checked = notebooks.prepare_parameters(nb, raw)
            if all_councils:
                declared = notebooks.notebook_parameters(nb)
                if "council" not in declared:
                    _fail(f"notebook {nb.stem} has no 'council' parameter, so --all-councils does not apply")
                if "council" in checked:
                    _fail("--all-councils sets 'council' itself; do not give -p council")
                specs = [(nb, p) for p in notebooks.batch_parameters(nb, checked)]
                if not specs:
                    _fail(f"no council has figures for notebook {nb.stem} with these parameters")
                batch = True
            else:
                specs = [(nb, checked)]
                batch = False
        label = "all" if notebook is None else notebooks.notebook_name(specs[0][0])
        run_dir = outputs.new_run_dir(output_dir or OUTPUTS, label=label + ("-batch" if batch else ""))
    except AscError as exc:
        _fail(str(exc))
    _run(specs, run_dir, batch=batch, mode=mode, timeout=timeout, html=html, pdf=pdf, workers=workers, dask=dask,
         quiet=quiet)


@app.command()
def pack(
    council: Annotated[str, typer.Argument(help="The council: GSS code or name.")],
    param: Annotated[list[str] | None, typer.Option(
        "-p", "--param", help="A parameter for the reports that have it: -p year 2023-24, -p period Q2.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Print the pack to one PDF (default: yes).")] = True,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPU cores).")] = None,
    timeout: Annotated[int, typer.Option(help="Per-cell timeout in seconds (at least 1).")] = 600,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Where run folders go (default: outputs/).")
                          ] = None,
) -> None:
    """Every report for one council in one run folder, with one contents page and one PDF."""
    try:
        _check_timeout(timeout)
        specs, skipped = pack_specs(council, _parse_params(param))
        if not specs:
            _fail(f"no report applies to {council!r} with these parameters")
        name = words.council_name(specs[0][1]["council"])
        label = "pack-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "council")
        run_dir = outputs.new_run_dir(output_dir or OUTPUTS, label=label)
    except AscError as exc:
        _fail(str(exc))
    _run(specs, run_dir, batch=False, mode="warm", timeout=timeout, html=True, pdf=pdf, workers=workers, dask=None,
         quiet=quiet, kind="pack", skipped=skipped)


@app.command("notebooks")
def list_notebooks() -> None:
    """List the notebooks and their parameters (name, type, default, meaning)."""
    for nb in notebooks.list_notebooks():
        typer.echo(f"{nb.stem}: {notebooks.notebook_title(nb)}")
        for p in notebooks.notebook_parameters(nb).values():
            typer.echo(f"    {p.name}: {p.type_name or '?'} = {p.default!r}  # {p.help}")


@data_app.command("build")
def data_build(
    tables: Annotated[list[str] | None, typer.Argument(help="Tables to build (all if omitted).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
) -> None:
    """Build data/processed/*.parquet from the raw files (only what changed since the last build)."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = tbl.build(tables or None, force=force, progress=typer.echo)
    except AscError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot use the processed folder: {exc.strerror or exc} ({exc.filename or ''})")
    for w in caught:  # one line each (e.g. a council report whose printed totals do not add up)
        if issubclass(w.category, UserWarning):
            typer.echo(f"warning: {w.message}", err=True)
    for e in families.describe_unregistered():  # never a silent skip: a file the build does not read is named
        typer.echo(f"warning: {e['line']}", err=True)
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    if skipped and not national_dir().is_dir():
        typer.echo(f"error: the national data folder {national_dir()} does not exist: set ASC_NATIONAL_DIR to the "
                   "folder of national files or run `asc data fetch`", err=True)
    if failed or skipped:
        raise typer.Exit(1)


@data_app.command("status")
def data_status() -> None:
    """Say which registered national files are present, missing or changed, which files of the national folder
    are not registered (and how to add them), and which tables are built, missing or failed."""
    nd = national_dir()
    try:
        typer.echo(f"national data folder: {nd}{'' if nd.is_dir() else ' (does not exist)'}")
        local = sources.local_register_path()
        if local.is_file():
            typer.echo(f"local register: {local}")
        rows = sources.status()
        for r in rows:
            typer.echo(f"  {r['state']:<8} {r['id']:<34} {r['file']}")
        extra = families.describe_unregistered()
        if extra:
            typer.echo("not registered (the build does not read them):")
            for e in extra:
                typer.echo(f"  {e['file']}: {e['what']}" + (f"; years {e['years']}" if e["years"] else ""))
                typer.echo(f"      {e['hint']}")
        tbl.discover()
        typer.echo("processed tables:")
        failed = []
        for name in tbl.REGISTRY:
            state, message = tbl.table_status(name)
            typer.echo(f"  {state:<8} {name}" + (f": {message}" if message else ""))
            if state == "failed":
                failed.append(name)
    except AscError as exc:
        _fail(str(exc))
    if any(r["state"] != "present" for r in rows) or failed:
        raise typer.Exit(1)


@data_app.command("fetch")
def data_fetch(
    ids: Annotated[list[str] | None, typer.Argument(help="Source ids to fetch (all if omitted).")] = None,
    from_dir: Annotated[Path | None, typer.Option("--from", help="Copy from this local mirror.")] = None,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Download the registered national files (https, sha256 checked, atomic) into ASC_NATIONAL_DIR.

    Every file is tried; each failure is one line and the exit status is non-zero if any failed."""
    try:
        for line in sources.fetch(ids or None, mirror=from_dir, force=force):
            typer.echo(line)
    except sources.FetchError as exc:
        for line in exc.done:
            typer.echo(line)
        for line in exc.failures:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(2) from None
    except AscError as exc:
        for line in getattr(exc, "done", []):
            typer.echo(line)
        _fail(str(exc))
    except OSError as exc:
        _fail(f"download failed: {exc}")


@data_app.command("add")
def data_add(
    file: Annotated[Path, typer.Argument(help="The new official file (ASCOF, RO3, ONS mid-year estimates, "
                                             "activity compilation).")],
    year: Annotated[str | None, typer.Option("--year", help="The year it covers, if the file does not say "
                                                            "(YYYY-YY; YYYY for a mid-year estimate).")] = None,
    source_id: Annotated[str | None, typer.Option("--id", help="Register id (default from the family and years).")
                         ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title for the register.")] = None,
    page: Annotated[str | None, typer.Option("--page", help="Official page of the publication (https).")] = None,
) -> None:
    """Check a new official file in full, copy it into ASC_NATIONAL_DIR and register it (sources.local.yml)."""
    try:
        done = families.add(file, year=year, source_id=source_id, title=title, page=page)
    except AscError as exc:
        _fail(f"{file} not added: {exc}")
    except OSError as exc:
        _fail(f"{file} not added: {exc.strerror or exc} ({exc.filename or ''})")
    typer.echo(done.line())


def main() -> None:  # pragma: no cover - console entry point wrapper
    """Entry point that accepts ``-p NAME VALUE`` as well as ``-p NAME=VALUE``."""
    sys.argv = [sys.argv[0], *_expand_p(sys.argv[1:])]
    app()


if __name__ == "__main__":  # pragma: no cover - `python -m helpers.pipeline.cli`
    main()
