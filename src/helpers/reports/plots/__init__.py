"""The one plotting style: colour-blind-safe palette, fixed figure sizes, titles, units and a source line.

Every chart in the notebooks is made through these helpers so that reports look the same and every chart
says what it shows, in what units, and where the numbers come from.
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib as mpl
import matplotlib.patches  # noqa: F401  (mpl.patches)
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython import get_ipython
from IPython.display import SVG, Image

from helpers.core.text import escape_html

#: Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), used for every categorical colour.
PALETTE: list[str] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Named roles, so that "our council" is the same colour in every chart.
COLOURS: dict[str, str] = {
    "council": "#D55E00",      # vermilion: the council being reported on
    "comparator": "#0072B2",   # blue: comparator group / median
    "england": "#000000",      # black: England
    "region": "#009E73",       # green: region
    "other": "#BBBBBB",        # grey: other councils
    "red": "#D55E00", "amber": "#E69F00", "green": "#009E73",  # RAG (with text labels, never colour alone)
}
#: Fixed figure sizes (inches) so outputs are deterministic.
SIZES: dict[str, tuple[float, float]] = {"wide": (10.0, 5.0), "tall": (10.0, 8.0), "square": (7.0, 7.0)}


def alt_text(fig: plt.Figure) -> str:
    """A chart's alt text from what the chart says: each panel's title and axis labels, and the source line.

    :func:`image` and the notebook's figure display (:func:`setup`) attach it to every chart; a report that can
    say more (the finding the chart shows) passes its own ``alt`` to :func:`image`.
    """
    parts = []
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        parts.append(sup.get_text().strip())
    for ax in fig.axes:
        title = next((ax.get_title(loc=k) for k in ("left", "center", "right") if ax.get_title(loc=k)), "")
        x, y = ax.get_xlabel().strip(), ax.get_ylabel().strip()
        if not (title or x or y):
            continue  # a colour bar or an inset without labels
        axes = f"{y} against {x}" if x and y else (y or x)
        parts.append(" - ".join(p for p in (title.strip(), axes) if p))
    source = next((t.get_text() for t in fig.texts if t.get_text().startswith("Source:")), "")
    if source:
        parts.append(" ".join(source.split()))
    return "Chart: " + (". ".join(parts) if parts else "no title")


def _with_alt(render: object) -> object:
    def display_with_alt(fig: plt.Figure) -> object:
        data = render(fig)
        return None if data is None else (data, {"alt": alt_text(fig)})

    display_with_alt.asc_alt = True
    return display_with_alt


def _alt_on_displayed_figures() -> None:
    """Make the notebook's own display of a figure (a cell that leaves a figure open) carry its alt text."""
    shell = get_ipython()
    if shell is None:
        return
    for formatter in shell.display_formatter.formatters.values():
        try:
            render = formatter.lookup_by_type(plt.Figure)
        except KeyError:
            continue
        if not getattr(render, "asc_alt", False):
            formatter.for_type(plt.Figure, _with_alt(render))


def setup() -> None:
    """Apply the project style (call once at the top of a notebook); every displayed chart gets alt text."""
    _alt_on_displayed_figures()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update({
        "figure.figsize": SIZES["wide"],
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.titleweight": "bold",
        "axes.titlesize": 13,
        "axes.titlelocation": "left",
        "svg.hashsalt": "asc",  # deterministic SVG ids
    })


def figure(size: str = "wide", layout: str | None = "constrained") -> tuple[plt.Figure, plt.Axes]:
    """Return a new figure and axes of a named fixed size (``wide``, ``tall``, ``square``).

    ``layout=None`` gives a figure without a layout engine, for charts that set fixed margins with
    :func:`margins` (constrained layout measures every text twice before drawing: about 40% of the time of
    the benchmarking charts).
    """
    fig, ax = plt.subplots(figsize=SIZES[size], layout=layout)
    return fig, ax


#: Average width of a character of the charts' font (DejaVu Sans), in ems: for fixed margins sized to labels.
CHAR_EM = 0.6


def text_inches(labels: list[str] | pd.Series, fontsize: float) -> float:
    """Estimated width in inches of the longest line of ``labels`` at ``fontsize`` points (for margins)."""
    longest = max((len(line) for lab in labels for line in str(lab).split("\n")), default=0)
    return longest * fontsize * CHAR_EM / 72


def margins(fig: plt.Figure, *, left: float, right: float = 0.25, top: float = 0.5, bottom: float = 0.7,
            hspace: float | None = None, wspace: float | None = None) -> None:
    """Fixed margins in inches around the axes of a figure made with ``layout=None`` (see :func:`figure`).

    :func:`image` keeps these margins in inches when it adds the strip for the source line under the chart.
    """
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h,
                        hspace=hspace, wspace=wspace)


def title_at_left_edge(ax: plt.Axes) -> None:
    """Put the axes title at the figure's left edge (call after :func:`margins` and :func:`finish`)."""
    w = ax.figure.get_size_inches()[0]
    pos = ax.get_position()
    ax.set_title(ax.get_title(loc="left"), loc="left", x=-(pos.x0 - 0.08 / w) / pos.width)


def finish(ax: plt.Axes, *, title: str, xlabel: str, ylabel: str, source: str, note: str | None = None) -> plt.Axes:
    """Give a chart its title, axis labels (with units) and a source line; raise if any is missing.

    Parameters
    ----------
    ax
        The axes.
    title
        What the chart shows (e.g. "Gross spend per adult, 2023-24").
    xlabel, ylabel
        Axis labels **with units** (e.g. "£ per head of population aged 18+").
    source
        Where the numbers come from (e.g. "MHCLG RO3 2023-24; ONS mid-2023 population estimates").
    note
        Optional caveat printed under the source.
    """
    for label, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel), ("source", source)):
        if not text or not str(text).strip():
            raise ValueError(f"every chart needs a {label}")
    ax.set_title(title, loc="left")  # the house style, whatever rcParams say
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    caption = f"Source: {source}" + (f"\n{note}" if note else "")
    ax.figure.text(0.0, -0.02, caption, ha="left", va="top", fontsize=8, color="#444444",
                   transform=ax.figure.transFigure, wrap=True)
    return ax


def empty_chart(message: str, *, title: str, source: str, size: str = "wide") -> plt.Figure:
    """A chart that says why it has nothing to show (never a silent empty chart)."""
    fig, ax = figure(size)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    finish(ax, title=title, xlabel="(no data)", ylabel="(no data)", source=source)
    return fig


def fill(text: str, inches: float, fontsize: float) -> str:
    """Wrap ``text`` to lines that fit ``inches`` at ``fontsize`` points (estimated with :data:`CHAR_EM`)."""
    return textwrap.fill(str(text), max(20, int(inches * 72 / (fontsize * CHAR_EM))))


def finish_figure(ax: plt.Axes, **kw) -> plt.Figure:
    finish(ax, **kw)
    return ax.figure


def empty_axes(ax: plt.Axes, message: str, **labels: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    finish(ax, **labels)


def gbp_k_label(x: float) -> str:
    if round(x) == 0:
        return "£0k"
    return f"{'-' if x < 0 else '+'}£{abs(x):,.0f}k"


def wrap_label(text: str, width: int, lines: int) -> str:
    """Wrap a label to at most ``lines`` lines of ``width`` characters (an ellipsis if cut)."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def fy_ticks(ax: plt.Axes, starts: list[int]) -> None:
    """Label integer start years as financial years ``YYYY-YY`` (every year, or every other when crowded)."""
    lo, hi = min(starts), max(starts)
    step = 1 if hi - lo <= 12 else 2
    ticks = list(range(lo, hi + 1, step))
    ax.set_xticks(ticks, [f"{t}-{(t + 1) % 100:02d}" for t in ticks], rotation=45, ha="right")


def image(fig: plt.Figure, fmt: str = "svg", *, alt: str | None = None) -> object:
    """Render a finished chart now and close it; return it for display (``IPython.display.SVG`` or ``Image``).

    Notebook charts are otherwise rendered by the inline backend with ``bbox_inches="tight"``, which lays the
    chart out twice (once to find the tight box, once to draw); measured on the benchmarking charts that is
    about twice the time. Here the source caption (placed under the axes by :func:`finish`) is moved into a
    strip added at the bottom of the figure, the caption is wrapped to the figure's width, and the chart is
    drawn once at the figure's size and dpi. Deterministic: same chart, same bytes.

    ``fmt="svg"`` (the default) writes the text as SVG text (``svg.fonttype: none``), drawn by the browser:
    measured on the benchmarking charts it renders in 35-50% of the time of a PNG (Agg rasterises every glyph),
    is smaller for all but the dot strip, and stays sharp when a report is zoomed or printed. ``fmt="png"``:
    a PNG at the figure's dpi.

    Every chart carries alt text (``alt``, or :func:`alt_text`): in the output's metadata (the report's ``<img
    alt>``), as the SVG's ``<title>``, and as a PNG's ``Description``.
    """
    alt = alt or alt_text(fig)
    w, h = fig.get_size_inches()
    caps = [t for t in fig.texts if t.get_text().startswith("Source:")]
    if caps:
        cap = caps[0]
        size = float(cap.get_fontsize())
        chars = max(40, int(w * 72 / (size * 0.55)))
        text = "\n".join(textwrap.fill(line, chars) for line in cap.get_text().split("\n"))
        lines = text.count("\n") + 1
        extra = (lines * size * 1.3 + 8) / 72
        total = h + extra
        fig.set_size_inches(w, total)
        cap.set_wrap(False)
        cap.set_text(text)
        cap.set_position((0.005, (extra - 4 / 72) / total))
        cap.set_verticalalignment("top")
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
            engine.set(rect=(0, extra / total, 1, 1 - extra / total))
        else:  # fixed margins (see margins): keep them in inches, the strip added under the bottom one
            sp = fig.subplotpars
            fig.subplots_adjust(top=1 - (1 - sp.top) * h / total, bottom=(sp.bottom * h + extra) / total)
    buf = io.BytesIO()
    if fmt == "svg":
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "asc"}):
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
        svg = re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m.group(1)}<title>{escape_html(alt)}</title>",
                     buf.getvalue().decode("utf-8"), count=1)
        return SVG(data=svg, metadata={"alt": alt})
    fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None, "Description": alt})
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png", metadata={"alt": alt})


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>\s*(?:<title>.*?</title>)?", re.S)


def with_alt(image: object, alt: str) -> object:
    """A chart from :func:`image` given its own alt text (the finding it shows), the one way to do so.

    The text (whitespace collapsed) becomes the output's ``alt`` metadata, which the report template writes
    as the ``<img alt>``; an SVG's ``<title>`` is replaced by it and the SVG gets ``role="img"`` and an
    ``aria-label`` (for the SVG opened on its own); all escaped. A PNG keeps its bytes.
    """
    text = " ".join(str(alt).split())
    if isinstance(image, SVG):
        safe = escape_html(text)
        data = _SVG_OPEN.sub(lambda m: f'<svg{m.group(1)} role="img" aria-label="{safe}"><title>{safe}</title>',
                             image.data, count=1)
        return SVG(data=data, metadata={**(image.metadata or {}), "alt": text})
    image.metadata = {**(getattr(image, "metadata", None) or {}), "alt": text}
    return image
