"""A report's HTML page (helpers.pipeline.report_html): contents, banner, footer, tables, charts, no CDN.

The executed notebook is synthetic (tests/unit/pipeline/conftest.py): nothing runs a kernel here.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from bs4 import BeautifulSoup

from helpers.pipeline import report_html
from helpers.pipeline.report_html import Page, export_html

from .conftest import executed_notebook

PAGE = Page(title="Stockport - Trivial report, 2023-24", notebook="01_trivial.ipynb",
            parameters={"council": "E08000007", "year": "2023-24", "mad_scaled": False}, given=("council",),
            run_id="20250101-000000-run-abc123", commit="0123456789abcdef0123", dirty=True,
            tables={"spend": ["$ASC_NATIONAL_DIR/finance/RO3.ods"], "councils": ["data/raw/reference/councils.csv"]},
            stale=[("spend", "RO3.ods row 4 column 'value': not a number")], manifest="manifest.json")


def _page(notebook_file: Path, tmp_path: Path, page: Page = PAGE) -> BeautifulSoup:
    out = export_html(notebook_file, tmp_path / "out.html", page)
    return BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")


def test_nothing_is_loaded_from_the_internet_and_the_stylesheet_is_inline(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    assert not soup.find_all("script", src=True)  # no require.js / MathJax from a CDN
    assert not [link for link in soup.find_all("link") if "http" in (link.get("href") or "")]
    css = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "@page asc-landscape" in css and "size: A4 portrait" in css and "display: table-header-group" in css
    assert soup.title.get_text() == "Stockport - Trivial report, 2023-24"


def test_contents_link_every_section_in_order(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    nav = soup.find("nav", class_="asc-contents")
    links = [(a.get_text(), a["href"]) for a in nav.find_all("a")]
    assert links == [("Part one", "#Part-one"), ("A detail", "#A-detail"), ("Part two", "#Part-two")]
    assert all(soup.find(id=h[1:]) is not None for _, h in links)
    assert nav.find("ol").find("ol").find("a").get_text() == "A detail"  # ### nested under its ##


def test_stale_table_banner_at_the_top(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    banner = soup.find(class_="asc-stale-data")
    assert banner["role"] == "alert"
    assert "the table spend could not be rebuilt" in banner.get_text()
    assert "RO3.ods row 4 column 'value': not a number" in banner.get_text()
    text = soup.get_text()
    assert text.index("Stale data:") < text.index("Part one")  # above the first section
    none = _page(notebook_file, tmp_path, Page(title="t"))
    assert none.find(class_="asc-stale-data") is None


def test_the_raw_stale_warning_gives_way_to_the_banner(tmp_path: Path) -> None:
    """The kernel's StaleDataWarning (a source path and line number) is not shown under the banner that says the
    same in words; other stderr text in the same output stays."""
    nb_path = executed_notebook(tmp_path / "nb.ipynb")
    nb = nbformat.read(str(nb_path), as_version=4)
    warning = ("/work/src/helpers/reports/forecast_variance.py:327: StaleDataWarning: table council_budget: its "
               "latest build failed\n  budget = tables.cached('council_budget')\nAnother warning: kept\n")
    nb.cells.append(nbformat.v4.new_code_cell("r.more()", outputs=[
        nbformat.v4.new_output("stream", name="stderr", text=warning),
        nbformat.v4.new_output("stream", name="stderr", text="x.py:1: StaleDataWarning: only this\n")]))
    nbformat.write(nb, str(nb_path))
    text = _page(nb_path, tmp_path).get_text()
    assert "StaleDataWarning" not in text and "forecast_variance.py:327" not in text
    assert "Another warning: kept" in text and "Stale data:" in text
    plain = _page(nb_path, tmp_path, Page(title="t")).get_text()  # no banner: the warning is the only word of it
    assert "StaleDataWarning: table council_budget" in plain


def test_how_this_was_made_footer_holds_the_parameter_names(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    footer = soup.find("footer", class_="asc-made")
    assert footer is soup.find("main").find_all(recursive=False)[-1]  # the last thing on the page
    rows = {dt.get_text(): " ".join(dt.find_next_sibling("dd").get_text().split()) for dt in footer.find_all("dt")}
    assert rows["Run with"] == ("council = E08000007 (Stockport), year = 2023-24 (default), mad_scaled = False "
                                "(default)")
    assert rows["To make it again"] == "asc run trivial -p council E08000007 -p year 2023-24 -p mad_scaled False"
    assert rows["Run"].startswith("run 20250101-000000-run-abc123; git commit 0123456789ab, with uncommitted")
    assert rows["Tables read"] == "councils, spend"
    assert "$ASC_NATIONAL_DIR/finance/RO3.ods" in rows["Built from"]
    # parameter names appear in the footer only
    body = soup.find("main").get_text().replace(footer.get_text(), "")
    assert "mad_scaled" not in body


def test_every_table_has_a_caption_and_a_box_that_scrolls(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    tables = soup.find("main").find_all("table")
    assert len(tables) == 2
    for t, heading in zip(tables, ["Part one", "A detail"], strict=True):
        assert t.caption.get_text() == heading and "asc-sr-only" in t.caption["class"]
        wrap = t.parent
        assert "asc-table-wrap" in wrap["class"] and wrap["role"] == "region" and wrap["tabindex"] == "0"
        assert wrap["aria-label"] == heading
    assert "asc-landscape" not in tables[0].parent["class"]  # two short columns: portrait
    assert "asc-landscape" in tables[1].parent["class"]  # 14 columns: a landscape page


def test_table_layout_by_the_narrowest_the_columns_can_wrap_to() -> None:
    def table(cols: int, word: str) -> object:
        cells = "".join(f"<td>{word} and more</td>" for _ in range(cols))
        return BeautifulSoup(f"<table><tr>{cells}</tr></table>", "html.parser").table

    # 186 mm of portrait = 703 px; a 10-letter word at 5.6 px + 8 px padding = 64 px a column
    assert report_html.table_layout(table(9, "abcdefghij")) == "portrait"  # 576 px
    assert report_html.table_layout(table(12, "abcdefghij")) == "landscape"  # 768 px
    assert report_html.table_layout(table(20, "abcdefghij")) == "tight"  # 1280 px > 273 mm
    assert report_html.table_layout(table(3, "a" * 30)) == "portrait"
    # a short data cell counts whole: it does not wrap (a year, a code, a RAG word)
    short = BeautifulSoup("<table><tr>" + "<td>No target</td>" * 12 + "</tr></table>", "html.parser").table
    assert report_html.table_layout(short) == "landscape"  # 12 x (9 x 5.6 + 8) = 701 px > 92% of 703


def test_charts_carry_their_alt_text(notebook_file: Path, tmp_path: Path) -> None:
    soup = _page(notebook_file, tmp_path)
    imgs = soup.find("main").find_all("img")
    assert [i.get("alt") for i in imgs] == ["Chart: spend per head against year", "Chart: a PNG"]
    assert imgs[0]["src"].startswith("data:image/svg+xml;base64,")


def test_summary_box_before_the_first_section_comes_before_the_contents(tmp_path: Path) -> None:
    box = ('<div class="asc-summary" role="note" aria-label="In brief"><p><strong>Stockport - Trivial report, '
           '2023-24</strong></p></div>')
    nb = executed_notebook(tmp_path / "b.ipynb")
    book = nbformat.read(str(nb), as_version=4)
    book.cells.insert(2, nbformat.v4.new_code_cell("r.summary()", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": box, "text/plain": "box"})]))
    book.cells[2]["id"] = "box"
    nbformat.write(book, str(nb))
    soup = _page(nb, tmp_path)
    text = soup.get_text()
    assert text.index("In brief") < text.index("Contents") < text.index("Part one")
    assert soup.find(class_="asc-summary").strong.get_text() == "In brief"  # the heading names it; said once



def test_the_heading_names_the_council_and_period_and_the_question_follows(notebook_file: Path,
                                                                         tmp_path: Path) -> None:
    """Issue 16: the visible title (and <title>) is the page's title, not the notebook's generic question."""
    soup = _page(notebook_file, tmp_path)
    h1 = soup.find("main").find("h1")
    assert h1.get_text().replace("¶", "").strip() == "Stockport - Trivial report, 2023-24"
    assert h1.get("id") and h1.find("a", class_="anchor-link") is not None  # links to it still work
    assert h1.find_next_sibling().get_text() == "Trivial report: a question?"
    assert "asc-question" in h1.find_next_sibling()["class"]
    assert soup.title.get_text() == "Stockport - Trivial report, 2023-24"
    untitled = _page(notebook_file, tmp_path, Page())  # no title given: the notebook's heading stays
    assert untitled.find("main").find("h1").get_text().replace("¶", "").strip() == "Trivial report: a question?"
    assert untitled.find(class_="asc-question") is None


def test_rerun_command_quotes_values_for_a_shell() -> None:
    got = report_html.rerun_command("03_forecast_variance.ipynb",
                                    {"council": "E08000007", "spend_profile": [9, 8], "service_scope": "a b;rm"})
    assert got == ("asc run forecast_variance -p council E08000007 -p spend_profile '[9, 8]' "
                   "-p service_scope 'a b;rm'")
