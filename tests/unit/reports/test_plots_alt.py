"""Every chart carries alt text (helpers.reports.plots): from plots.image and from a figure a cell displays."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from helpers.reports import plots  # noqa: E402


def _chart() -> plt.Figure:
    fig, ax = plots.figure()
    ax.plot([2022, 2023], [1, 2])
    plots.finish(ax, title="Spend per head <2023>", xlabel="financial year", ylabel="£ per head",
                 source="MHCLG RO3 & ONS")
    return fig


def test_alt_text_says_what_the_chart_says() -> None:
    assert plots.alt_text(_chart()) == ("Chart: Spend per head <2023> - £ per head against financial year. "
                                        "Source: MHCLG RO3 & ONS")


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_image_outputs_carry_alt_text(fmt: str) -> None:
    img = plots.image(_chart(), fmt)
    data, meta = img._repr_svg_() if fmt == "svg" else img._repr_png_()
    assert meta == {"alt": "Chart: Spend per head <2023> - £ per head against financial year. Source: MHCLG RO3 & ONS"}
    if fmt == "svg":  # the SVG itself says it too, escaped
        assert "<title>Chart: Spend per head &lt;2023&gt; - £ per head" in data and "<2023>" not in data
    else:  # the PNG's own Description
        from PIL import Image

        assert Image.open(io.BytesIO(img.data)).info["Description"].startswith("Chart: Spend per head <2023>")


def test_given_alt_text_wins() -> None:
    assert plots.image(_chart(), alt="Spend rose from 1 to 2.").metadata == {"alt": "Spend rose from 1 to 2."}


def test_a_figure_displayed_by_a_cell_carries_alt_text() -> None:
    """A report method that returns a Figure (drawn by the notebook's inline backend) gets alt text too."""
    shell = InteractiveShell.instance()
    try:
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(shell, {"png"})
        plots.setup()
        plots.setup()  # idempotent: not wrapped twice
        data, meta = shell.display_formatter.format(_chart())
        assert "image/png" in data
        assert meta["image/png"]["alt"].startswith("Chart: Spend per head <2023>")
    finally:
        InteractiveShell.clear_instance()
        plt.close("all")


def test_a_reports_own_alt_text_reaches_the_img_and_replaces_the_title() -> None:
    """plots.with_alt (the one way a report gives a chart its finding as alt text): the metadata the template
    writes as <img alt>, one <title> (the old one replaced), role and aria-label, all escaped."""
    said = "Stockport  spends <b>most</b>\n on & nursing"
    svg = plots.with_alt(plots.image(_chart()), said)
    assert svg.metadata["alt"] == "Stockport spends <b>most</b> on & nursing"
    assert svg.data.count("<title>") == 1 and "Spend per head &lt;2023&gt;" not in svg.data.split("</title>")[0]
    assert "<title>Stockport spends &lt;b&gt;most&lt;/b&gt; on &amp; nursing</title>" in svg.data
    assert 'role="img" aria-label="Stockport spends &lt;b&gt;most&lt;/b&gt; on &amp; nursing"' in svg.data
    assert "<b>" not in svg.data
    png = plots.with_alt(plots.image(_chart(), fmt="png"), said)
    assert png.metadata["alt"] == "Stockport spends <b>most</b> on & nursing"
