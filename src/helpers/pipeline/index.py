"""A run's contents pages: ``index.html`` and, for a batch of several councils, ``councils/<code>.html``.

The index lists the reports in notebook order with the council's name, the parameters in words
(:func:`helpers.pipeline.words.parameters_in_words`), the status (ok / no data / stale data / failed) and why,
and links to each report's HTML, PDF, executed notebook and data files. Reports that need attention (failed,
stale data, no data) are listed above the table. For several councils the table filters and sorts by council,
region and status (a small inline script; without it the table is still complete) and each council has a page
of its own. A council pack (``asc pack``) gets the same page as its contents, with the one PDF of the pack.

Every string from the run (titles, parameters, notes, errors, reasons, file names) is escaped with
:func:`helpers.core.text.escape_html`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.core.errors import AscError
from helpers.core.text import escape_html
from helpers.data import councils
from helpers.pipeline import words
from helpers.pipeline.outputs import JobResult, RunSummary, rel, write_text

#: The index's styles (inline: a saved page needs no other file). Colours pass WCAG AA (tests/unit/pipeline).
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1a1a1a; background: #ffffff; max-width: 1400px; }
a { color: #0a4f86; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border-bottom: 1px solid #d0d0d0; padding: .4em .6em; text-align: left; vertical-align: top; }
th button { font: inherit; font-weight: bold; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
td.num { text-align: right; white-space: nowrap; }
.status { font-weight: bold; white-space: nowrap; }
tr.st-failed td { background: #fde8e0; } tr.st-failed .status { color: #8a3000; }
tr.st-stale-data td { background: #fdf5e6; } tr.st-stale-data .status { color: #6b4a00; }
tr.st-no-data td { background: #f2f2f2; } tr.st-no-data .status { color: #4d4d4d; }
.filters { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.filters label { font-weight: bold; }
.attention li { margin: .2em 0; }
.wrap { overflow-x: auto; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm; }
@media print {
  .filters, .screen { display: none; } body { margin: 0; font-size: 9pt; max-width: none; }
  a { text-decoration: none; } thead { display: table-header-group; } tr { break-inside: avoid; }
}
"""
#: Filters and sorting of the reports table (no library, nothing loaded from elsewhere).
SCRIPT = """
(function () {
  var table = document.getElementById('asc-reports');
  if (!table) { return; }
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var council = document.getElementById('f-council'), region = document.getElementById('f-region'),
      status = document.getElementById('f-status'), shown = document.getElementById('f-shown');
  function apply() {
    var c = council ? council.value.trim().toLowerCase() : '', g = region ? region.value : '',
        s = status ? status.value : '', n = 0;
    rows.forEach(function (r) {
      var ok = (!c || r.getAttribute('data-council').toLowerCase().indexOf(c) >= 0) &&
               (!g || r.getAttribute('data-region') === g) && (!s || r.getAttribute('data-status') === s);
      r.hidden = !ok; if (ok) { n += 1; }
    });
    if (shown) { shown.textContent = n === 1 ? '1 report shown' : n + ' reports shown'; }
  }
  [council, region, status].forEach(function (el) { if (el) { el.addEventListener('input', apply); } });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    var b = th.querySelector('button');
    if (!b) { return; }
    b.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      rows.sort(function (a, z) {
        var x = a.cells[i].getAttribute('data-sort') || a.cells[i].textContent,
            y = z.cells[i].getAttribute('data-sort') || z.cells[i].textContent;
        return (asc ? 1 : -1) * x.localeCompare(y, 'en', {numeric: true});
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
"""


def council_page(code: str) -> str:
    """The council page's path in the run folder: ``councils/<GSS code>.html`` (any other text made safe)."""
    return f"councils/{re.sub(r'[^A-Za-z0-9-]', '-', str(code)) or 'council'}.html"


def _region(code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(councils.get(code)["region_name"] or "")
    except (AscError, KeyError, ValueError):
        return ""


def ordered(results: list[JobResult]) -> list[JobResult]:
    """Reports in notebook order, then by council name, then by parameters."""
    return sorted(results, key=lambda r: (Path(r.notebook).name, words.council_name(r.council) if r.council else "",
                                          json.dumps(r.all_parameters or r.parameters, sort_keys=True, default=str)))


def _link(path: str | None, run_dir: Path, text: str, up: str) -> str:
    href = rel(path, run_dir)
    return f'<a href="{escape_html(up + href)}">{escape_html(text)}</a>' if href else ""


def _why(r: JobResult) -> str:
    lines = ([r.error] if r.error else []) + [x for x in r.reasons if x != r.error] + r.notes
    if r.pdf_error:
        lines.append(f"PDF not made: {r.pdf_error}")
    return "<br>".join(escape_html(x) for x in lines)


def _row(r: JobResult, run_dir: Path, *, many: bool, up: str = "", pages: bool = False) -> str:
    name = words.council_name(r.council) if r.council else ""
    region = _region(r.council)
    title = escape_html(r.title or Path(r.notebook).stem)
    report = _link(r.output_html, run_dir, r.title or Path(r.notebook).stem, up) or title
    files = [x for x in (
        _link(r.output_html, run_dir, "HTML", up), _link(r.output_pdf, run_dir, "PDF", up),
        _link(r.output_ipynb, run_dir, "notebook", up),
        *(_link(f, run_dir, Path(f).name, up) for f in r.data_files)) if x]
    params = escape_html(words.parameters_in_words(r.all_parameters or r.parameters)) or "the notebook's defaults"
    cls = "st-" + r.status.replace(" ", "-")
    # sorting by status puts the most serious first
    severity = len(words.STATUS_ORDER) - words.STATUS_ORDER.index(r.status) if r.status in words.STATUS_ORDER else 0
    region_cell = f"<td>{escape_html(region)}</td>" if many else ""
    council = (f'<a href="{escape_html(up + council_page(r.council))}">{escape_html(name)}</a>'
               if many and r.council else escape_html(name))
    page = f'<td class="num">{r.pack_page or "–"}</td>' if pages else ""
    return (f'<tr class="{cls}" data-council="{escape_html(name)}" data-region="{escape_html(region)}" '
            f'data-status="{escape_html(r.status)}"><td>{report}</td>{page}<td>{council}</td>{region_cell}'
            f'<td>{params}</td><td class="status" data-sort="{severity}">{escape_html(r.status)}</td><td>{_why(r)}</td>'
            f'<td class="screen">{" · ".join(files)}</td>'
            f'<td class="num screen" data-sort="{r.seconds:09.1f}">{r.seconds:.1f}</td></tr>')


def _table(results: list[JobResult], run_dir: Path, *, many: bool, up: str = "", caption: str) -> str:
    sort = (lambda h, c="": f'<th scope="col"{c}><button type="button">{h}</button></th>') if many else (
        lambda h, c="": f'<th scope="col"{c}>{h}</th>')
    pages = any(r.pack_page for r in results)
    heads = [sort("Report")] + (['<th scope="col">Page in the PDF</th>'] if pages else []) + [sort("Council")] + (
        [sort("Region")] if many else []) + ['<th scope="col">Parameters</th>', sort("Status"),
                                             '<th scope="col">Why, and notes</th>',
                                             '<th scope="col" class="screen">Files</th>',
                                             sort("Seconds", ' class="screen"')]
    rows = "\n".join(_row(r, run_dir, many=many, up=up, pages=pages) for r in results)
    return (f'<div class="wrap"><table id="asc-reports"><caption>{escape_html(caption)}</caption><thead><tr>'
            f'{"".join(heads)}</tr></thead><tbody>\n{rows}\n</tbody></table></div>')


def _attention(results: list[JobResult], run_dir: Path, up: str = "") -> str:
    worst_first = [r for s in ("failed", "stale data", "no data") for r in results if r.status == s]
    if not worst_first:
        return ""
    items = []
    for r in worst_first:
        who = f" ({escape_html(words.council_name(r.council))})" if r.council else ""
        link = _link(r.output_html, run_dir, r.title or Path(r.notebook).stem, up) or escape_html(r.title)
        why = escape_html(r.error or (r.reasons[0] if r.reasons else ""))
        items.append(f"<li><strong>{escape_html(r.status)}</strong>: {link}{who}{': ' + why if why else ''}</li>")
    return (f'<h2>Needs attention: {escape_html(words.plural(len(worst_first), "report"))}</h2>'
            f'<ul class="attention">{"".join(items)}</ul>')


def _filters(results: list[JobResult]) -> str:
    regions = sorted({_region(r.council) for r in results} - {""})
    statuses = [s for s in words.STATUS_ORDER if any(r.status == s for r in results)]
    names = sorted({words.council_name(r.council) for r in results if r.council})
    opts = "".join(f'<option value="{escape_html(g)}">{escape_html(g)}</option>' for g in regions)
    sopts = "".join(f'<option value="{escape_html(s)}">{escape_html(s)}</option>' for s in statuses)
    dl = "".join(f'<option value="{escape_html(n)}"></option>' for n in names)
    return (f'<div class="filters" role="search"><div><label for="f-council">Council</label> '
            f'<input id="f-council" type="search" list="f-councils" autocomplete="off">'
            f'<datalist id="f-councils">{dl}</datalist></div>'
            f'<div><label for="f-region">Region</label> <select id="f-region"><option value="">all regions</option>'
            f'{opts}</select></div><div><label for="f-status">Status</label> <select id="f-status">'
            f'<option value="">every status</option>{sopts}</select></div>'
            f'<div aria-live="polite" id="f-shown"></div></div>')


def _page(title: str, body: str, *, script: bool) -> str:
    js = f"<script>{SCRIPT}</script>" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape_html(title)}</title><style>{STYLE}</style></head><body>\n{body}\n{js}</body></html>\n")


def _council_pages(summary: RunSummary, results: list[JobResult]) -> list[str]:
    """Write ``councils/<code>.html`` for each council; return the list items that link them."""
    by: dict[str, list[JobResult]] = {}
    for r in results:
        if r.council:
            by.setdefault(r.council, []).append(r)
    items = []
    for code in sorted(by, key=words.council_name):
        rs = by[code]
        name = words.council_name(code)
        body = (f'<p><a href="../index.html">All reports of this run</a></p><h1>{escape_html(name)}: adult social '
                f'care reports</h1><p>{escape_html(words.status_counts([r.status for r in rs]))}.</p>'
                f'{_attention(rs, summary.run_dir, up="../")}'
                f'{_table(rs, summary.run_dir, many=False, up="../", caption=f"Reports for {name}, in notebook order")}')
        page = council_page(code)
        write_text(summary.run_dir / page, _page(f"{name}: adult social care reports", body, script=False),
                   "council page")
        items.append(f'<li><a href="{escape_html(page)}">{escape_html(name)}</a>: '
                     f"{escape_html(words.status_counts([r.status for r in rs]))}</li>")
    return items


def write_index(summary: RunSummary) -> Path:
    """Write ``index.html`` (and the council pages of a batch of several councils); return its path."""
    run_dir = summary.run_dir
    results = ordered(summary.results)
    codes = {r.council for r in results if r.council}
    many = len(codes) > 1
    counts = words.status_counts([r.status for r in results])
    run = escape_html(run_dir.name)
    if summary.kind == "pack":
        name = words.council_name(next(iter(codes))) if codes else "Council"
        heading = f"{name}: adult social care reports"
    else:
        heading = "Adult social care reports"
    noted = sum(1 for r in results if r.notes)
    notes = (f" {words.plural(noted, 'report carries', 'reports carry')} notes on missing or limited data (see "
             "\u201cWhy, and notes\u201d)." if noted else "")
    parts = [f"<h1>{escape_html(heading)}</h1>",
             f'<p>Run <code>{run}</code>: {escape_html(counts)}.{escape_html(notes)} Details: '
             f'<a href="manifest.json">manifest.json</a>, <a href="run.log">run.log</a>.</p>']
    if summary.kind == "pack":
        if summary.pack_pdf:
            parts.append(f'<p>Every report in one PDF: {_link(summary.pack_pdf, run_dir, Path(summary.pack_pdf).name, "")}'
                         f" (this contents page first).</p>")
        else:
            parts.append("<p>No PDF of the pack was made (see the run's messages).</p>")
    parts.append(_attention(results, run_dir))
    if many:
        parts.append(_filters(results))
    parts.append(_table(results, run_dir, many=many, caption="Reports, in notebook order"))
    if summary.skipped:
        items = "".join(f"<li>{escape_html(t)}: {escape_html(w)}</li>" for t, w in summary.skipped)
        parts.append(f"<h2>Not in this pack</h2><ul>{items}</ul>")
    if many:
        parts.append(f'<h2>Councils</h2><p>A page per council lists its reports.</p><ul>'
                     f'{"".join(_council_pages(summary, results))}</ul>')
    page = _page(f"{heading}: {run_dir.name}", "\n".join(p for p in parts if p), script=many)
    return write_text(run_dir / "index.html", page, "run index")
