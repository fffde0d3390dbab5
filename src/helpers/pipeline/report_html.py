"""A report's HTML page: the executed notebook without its code, made to read on screen and to print.

:func:`export_html` runs nbconvert with the project's template (``templates/asc``: JupyterLab's look, nothing
loaded from the internet, alt text on charts, the screen and print stylesheet ``asc.css``) and then adds what
the notebook does not hold:

* the **title**: the notebook's heading becomes the page's title, naming the council and period ("Stockport -
  forecast variance, quarter 3 2017-18"), with the notebook's question ("Forecast variance: where is ...?")
  under it; a summary box with the same title is headed "In brief" instead (the page says it once);
* a **banner** at the top for each table the report read whose latest build failed (``stale data``);
* a **contents** list linking every ``##`` / ``###`` heading of the notebook (after the report's summary box
  where it has one: the answer first);
* for every table, a **caption** (the section's heading, for screen readers, where the table has none) and a
  box that scrolls sideways on screen; a table too wide for A4 portrait is marked for a landscape page (and,
  wider still, smaller type) when printed;
* a **"How this was made"** footer: the parameters by name and value, the command that makes the report
  again, the run id, the git commit and the tables and files it was made from.

Every string from parameters, data, the run or the notebook's title reaches the page through
:func:`helpers.core.text.escape_html` (or an element's text, which the HTML serialiser escapes).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from helpers.core.text import escape_html
from helpers.data.io import atomic_write_text
from helpers.pipeline import words
from helpers.reports import present

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = TEMPLATES / "asc" / "asc.css"
#: Printable width of an A4 page in CSS pixels (96 per inch), portrait and landscape, with the margins of
#: ``asc.css`` (12 mm each side): 186 mm and 273 mm.
PORTRAIT_PX = 186 / 25.4 * 96
LANDSCAPE_PX = 273 / 25.4 * 96
#: Average width of a character of the printed tables' type (7.5 pt) in CSS pixels, and a cell's padding.
PRINT_CHAR_PX = 5.6
CELL_PAD_PX = 8.0
#: A data cell this short or shorter is never wrapped (as :func:`helpers.reports.present.present` marks it).
SHORT_CELL = 12
_CACHE: dict[str, Any] = {}


@dataclass(frozen=True)
class Page:
    """What the page says besides the notebook: its title, the run it belongs to, what it was made from.

    Attributes
    ----------
    title
        The page's title (its heading, ``<title>`` and the PDF's running head), e.g. ``"Stockport - forecast
        variance, quarter 3 2017-18"``.
    notebook
        The notebook's file name.
    parameters
        Every parameter the notebook ran with (defaults included), by name.
    given
        The names given on the command line (the others are the notebook's defaults).
    run_id, commit, dirty
        The run folder's name, the git commit and whether the work tree had uncommitted changes.
    tables
        Each processed table the report read -> the input files it was built from.
    stale
        ``(table, why)`` for each table read whose latest build failed.
    command
        The command that makes this report again.
    manifest
        A link to the run's ``manifest.json``, relative to the page (``""``: none).
    """

    title: str = ""
    notebook: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    given: Collection[str] = ()
    run_id: str = ""
    commit: str | None = None
    dirty: bool | None = None
    tables: Mapping[str, Sequence[str]] = field(default_factory=dict)
    stale: Sequence[tuple[str, str]] = ()
    command: str = ""
    manifest: str = ""


def stylesheet() -> str:
    """The reports' screen and print stylesheet (``templates/asc/asc.css``)."""
    return STYLESHEET.read_text(encoding="utf-8")


def rerun_command(notebook: str, parameters: Mapping[str, Any]) -> str:
    """``asc run NAME -p k v ...``: the command that makes a report again (values quoted for a shell)."""
    name = re.sub(r"^\d+_", "", Path(notebook).stem)
    parts = ["asc", "run", name]
    for k, v in parameters.items():
        shown = json.dumps(v) if isinstance(v, (list, dict)) else str(v)
        parts += ["-p", k, shlex.quote(shown)]
    return " ".join(parts)


def export_html(ipynb: Path, html_out: Path, page: Page | None = None) -> Path:
    """Export an executed notebook to a report page (see the module's description); written atomically."""
    import nbformat  # lazy: nbformat and nbconvert take seconds to import; only a run that writes HTML needs them
    from nbconvert import HTMLExporter  # lazy: as nbformat

    page = page or Page()
    nb = nbformat.read(str(ipynb), as_version=4)
    if page.stale:
        _drop_stale_warnings(nb)
    if "exporter" not in _CACHE:  # compiling the templates takes about 0.3 s: once per process
        _CACHE["exporter"] = HTMLExporter(template_name="asc", extra_template_basedirs=[str(TEMPLATES)],
                                          exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"metadata": {"name": page.title or ipynb.stem}, "asc_css": stylesheet()}
    body, _ = _CACHE["exporter"].from_notebook_node(nb, resources=resources)
    # Only the page's <main> is parsed and changed: the <head> (JupyterLab's 250 kB of CSS) is kept as text.
    start, end = body.find("<main>"), body.rfind("</main>")
    if start < 0 or end < 0:
        raise ValueError("nbconvert's page has no <main> element: the template changed")
    soup = BeautifulSoup(body[start:end + len("</main>")], "html.parser")
    main = soup.find("main")
    title_cell = main.find(class_="jp-MarkdownCell")
    _title(soup, title_cell, page.title)
    _box_heading(main, page.title)
    banners, contents = _banners(page), _contents(soup, main)
    if banners is not None:
        _insert_after(main, title_cell, banners)
    if contents is not None:  # after a summary box that comes before the first section, else after the title
        first = main.find(lambda t: "asc-summary" in (t.get("class") or []) or (
            t.name == "h2" and t.find_parent(class_="jp-MarkdownCell") is not None))
        cell = first.find_parent(class_="jp-Cell") if first is not None and first.name != "h2" else None
        _insert_after(main, cell or banners or title_cell, contents)
    _tables(soup, main)
    main.append(_footer(page))
    html_out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(html_out, body[:start] + str(soup) + body[end + len("</main>"):])
    return html_out


# --------------------------------------------------------------------------------------------------
# The parts added to the page
# --------------------------------------------------------------------------------------------------

#: The text of the warning :func:`helpers.data.tables.load` gives when a table's latest build failed.
_STALE_WARNING = "StaleDataWarning"


def _drop_stale_warnings(nb: Any) -> None:
    """Remove the raw ``StaleDataWarning`` stderr text (a source path and a line number) from the cells of a
    page that carries the stale-data banner: the banner says the same in words; other stderr output stays."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and _STALE_WARNING in out.get("text", ""):
                out["text"] = _without_stale_lines(out["text"])
                if not out["text"].strip():
                    continue
            kept.append(out)
        cell.outputs = kept


def _without_stale_lines(text: str) -> str:
    """``text`` without each ``path:line: StaleDataWarning: ...`` line and the indented source line after it."""
    out: list[str] = []
    skip_source = False
    for line in text.splitlines(keepends=True):
        if _STALE_WARNING + ":" in line:
            skip_source = True
            continue
        if skip_source and line.startswith((" ", "\t")):
            continue
        skip_source = False
        out.append(line)
    return "".join(out)


def _insert_after(main: Tag, anchor: Tag | None, element: Tag) -> None:
    if anchor is None:
        main.insert(0, element)
    else:
        anchor.insert_after(element)


def _title(soup: BeautifulSoup, cell: Tag | None, title: str) -> None:
    """The notebook's ``#`` heading says ``title``; a question it asked (after a colon) follows as a subtitle."""
    h1 = cell.find("h1") if cell is not None and title else None
    if h1 is None:
        return
    question = _heading_text(h1)
    if question == title:
        return
    anchor = h1.find("a", class_="anchor-link")
    h1.clear()
    h1.append(title)
    if anchor is not None:
        h1.append(anchor)
    if ":" in question:
        sub = soup.new_tag("p", attrs={"class": "asc-question"})
        sub.string = question
        h1.insert_after(sub)


def _box_heading(main: Tag, title: str) -> None:
    """A summary box titled as the page is headed "In brief" (its accessible name): the title is said once."""
    box = main.find(class_="asc-summary") if title else None
    strong = box.find("strong") if box is not None else None
    if strong is not None and " ".join(strong.get_text().split()) == title:
        strong.string = box.get("aria-label") or "In brief"


def _fragment(html: str) -> Tag:
    return BeautifulSoup(html, "html.parser").find()


def _banners(page: Page) -> Tag | None:
    if not page.stale:
        return None
    items = "".join(present.banner_html(
        "stale data", f"the table {table} could not be rebuilt from its latest files, so this report used the "
                      f"version built before: {why}") for table, why in page.stale)
    return _fragment(f'<div class="asc-page-banners">{items}</div>')


def _heading_text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).replace("¶", " ").split())


def _contents(soup: BeautifulSoup, main: Tag) -> Tag | None:
    heads = [h for cell in main.find_all(class_="jp-MarkdownCell") for h in cell.find_all(["h2", "h3"])
             if h.get("id")]
    if not heads:
        return None
    nav = soup.new_tag("nav", attrs={"class": "asc-contents", "aria-labelledby": "asc-contents-title"})
    title = soup.new_tag("p", attrs={"id": "asc-contents-title"})
    strong = soup.new_tag("strong")
    strong.string = "Contents"
    title.append(strong)
    nav.append(title)
    top = soup.new_tag("ol")
    nav.append(top)
    current: Tag | None = None
    for h in heads:
        li = soup.new_tag("li")
        a = soup.new_tag("a", href=f"#{h['id']}")
        a.string = _heading_text(h)
        li.append(a)
        if h.name == "h3" and current is not None:
            sub = current.find("ol")
            if sub is None:
                sub = soup.new_tag("ol")
                current.append(sub)
            sub.append(li)
        else:
            top.append(li)
            current = li
    return nav


def table_layout(table: Tag) -> str:
    """How a table prints: ``"portrait"``, ``"landscape"`` (too wide for portrait even wrapped) or ``"tight"``
    (too wide for landscape at 7.5 pt: landscape at 6.5 pt).

    Estimated from the longest word of each column (the narrowest the column can wrap to; a data cell of
    :data:`SHORT_CELL` characters or fewer counts whole) in the printed type.
    """
    longest: dict[int, int] = {}
    for tr in table.find_all("tr"):
        col = 0
        for cell in tr.find_all(["th", "td"], recursive=False):
            span = int(cell.get("colspan", 1) or 1)
            text = " ".join(cell.get_text(" ").split())
            # a short data cell does not wrap (years, codes, RAG words: present.present keeps them whole)
            word = len(text) if cell.name == "td" and len(text) <= SHORT_CELL else max(
                (len(w) for w in text.split()), default=1)
            if span == 1:
                longest[col] = max(longest.get(col, 0), word)
            col += span
    need = sum(n * PRINT_CHAR_PX + CELL_PAD_PX for n in longest.values())
    if need <= PORTRAIT_PX * 0.92:
        return "portrait"
    return "landscape" if need <= LANDSCAPE_PX * 0.92 else "tight"


def _tables(soup: BeautifulSoup, main: Tag) -> None:
    heading = ""
    for el in main.find_all(["h1", "h2", "h3", "h4", "table"]):
        if el.name != "table":
            heading = _heading_text(el)
            continue
        if el.find_parent("table") is not None:
            continue
        cap = el.find("caption", recursive=False)
        if cap is None:
            cap = soup.new_tag("caption", attrs={"class": "asc-sr-only"})
            cap.string = heading or "Table"
            el.insert(0, cap)
        label = _heading_text(cap)
        layout = table_layout(el)
        classes = ["asc-table-wrap"] + {"portrait": [], "landscape": ["asc-landscape"],
                                        "tight": ["asc-landscape", "asc-tight"]}[layout]
        wrap = soup.new_tag("div", attrs={"class": " ".join(classes), "role": "region", "tabindex": "0",
                                          "aria-label": label[:200]})
        el.wrap(wrap)


def _code(text: object) -> str:
    return f"<code>{escape_html(text)}</code>"


def _footer(page: Page) -> Tag:
    rows: list[tuple[str, str]] = []
    report = escape_html(page.title) if page.title else ""
    if page.notebook:
        report += (": " if report else "") + f"notebook {_code(page.notebook)}"
    if report:
        rows.append(("Report", report))
    if page.parameters:
        shown = []
        for k, v in page.parameters.items():
            value = json.dumps(v) if isinstance(v, (list, dict)) else str(v)
            extra = ""
            if k == "council":
                extra = f" ({escape_html(words.council_name(v))})"
            if k not in page.given:
                extra += " (default)"
            shown.append(f"{_code(k)} = {_code(value)}{extra}")
        rows.append(("Run with", ", ".join(shown)))
        rows.append(("To make it again", _code(page.command or rerun_command(page.notebook, page.parameters))))
    run = []
    if page.run_id:
        run.append(f"run {_code(page.run_id)}")
    if page.commit:
        run.append(f"git commit {_code(page.commit[:12])}" + (", with uncommitted changes" if page.dirty else ""))
    if run:
        details = f' (details in <a href="{escape_html(page.manifest)}">manifest.json</a>)' if page.manifest else ""
        rows.append(("Run", "; ".join(run) + details))
    if page.tables:
        files = sorted({f for fs in page.tables.values() for f in fs})
        rows.append(("Tables read", ", ".join(_code(t) for t in sorted(page.tables))))
        if files:
            rows.append(("Built from", "; ".join(_code(f) for f in files) +
                         " (the sha256 of each is in the run's manifest)"))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return _fragment(f'<footer class="asc-made" aria-labelledby="asc-made-title"><h2 id="asc-made-title">How this '
                     f"was made</h2><dl>{body}</dl></footer>")
