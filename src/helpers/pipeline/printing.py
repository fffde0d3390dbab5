"""Reports to PDF (and measured on screen) with a real headless browser: Chromium from the OS packages.

:func:`find_browser` looks for Chromium or Chrome (``ASC_CHROMIUM`` names one; otherwise ``chromium``,
``chromium-browser``, ``google-chrome`` on the ``PATH``). :class:`Browser` starts it once, headless, with a new
empty profile and every background service off, and drives it over the DevTools protocol on a pipe (no network
port is opened): :meth:`Browser.print_pdf` prints a page to A4 (the page's own print stylesheet decides
portrait or landscape per page), :meth:`Browser.measure` reports how wide each table is against its box at a
given width and media (screen or print), and :meth:`Browser.screenshot` takes a PNG. :func:`merge_pdfs` joins
PDFs with a bookmark per part (pypdf), for a council pack.

There is no fallback renderer: WeasyPrint (PyPI) needs the Pango libraries from the OS anyway and lays pages
out differently from the browser the reports are checked in (``docs/decisions.md``). Where no browser is
installed the run says so in one line and writes the HTML.
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from helpers.core.errors import AscError
from helpers.data.io import atomic_write_bytes

#: Names of the browser's executable looked for on the ``PATH`` (after ``ASC_CHROMIUM``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: How to start it: headless, no sandbox (containers), no GPU, nothing from the network, a fresh profile.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars")
#: A4 in inches (the page's ``@page`` rules win: ``preferCSSPageSize``).
A4 = (8.27, 11.69)
#: Seconds to wait for the browser to answer one command (a long report prints in a few seconds).
TIMEOUT = 120.0
NO_BROWSER = ("no PDF: no headless Chromium found (install the OS package `chromium`, or set ASC_CHROMIUM to a "
              "Chromium or Chrome executable); the HTML reports are written")

#: Running head and page numbers of the printed pages (Chromium fills the title and the numbers).
FOOTER = ('<div style="font-size:7pt; color:#333; width:100%; padding:0 12mm; display:flex; '
          'justify-content:space-between;"><span class="title"></span><span>page <span class="pageNumber"></span> '
          'of <span class="totalPages"></span></span></div>')

#: JavaScript measuring every table against its box (run in the page): the table's width, its box's width,
#: whether the box scrolls, the page's own width and scroll width, and every column heading's text.
MEASURE_JS = """
(() => {
  const doc = document.documentElement;
  const out = {viewport: doc.clientWidth, scrollWidth: doc.scrollWidth, tables: []};
  document.querySelectorAll('main table').forEach((t, i) => {
    if (t.parentElement.closest('table')) { return; }
    const box = t.closest('.asc-table-wrap') || t.parentElement;
    const cs = getComputedStyle(box);
    const cap = t.querySelector('caption');
    const heads = Array.from(t.querySelectorAll('thead th')).map(th => th.innerText.trim()).filter(x => x);
    const r = t.getBoundingClientRect(), b = box.getBoundingClientRect();
    out.tables.push({index: i, caption: cap ? cap.textContent.trim() : '', width: t.scrollWidth,
                     box: box.clientWidth, boxRight: b.right, right: r.right, overflowX: cs.overflowX,
                     landscape: box.classList.contains('asc-landscape'), headers: heads});
  });
  return out;
})()
"""


#: Puts the pipe's two ends on fds 3 and 4 of the browser process (via fds >= 10, so none is overwritten).
_TRAMPOLINE = """
import fcntl, os, sys
src = [int(sys.argv[1]), int(sys.argv[2])]
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in src]
for fd in src:
    os.close(fd)
os.dup2(high[0], 3)
os.dup2(high[1], 4)
for fd in high:
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


def find_browser() -> str | None:
    """The headless browser to print with: ``ASC_CHROMIUM`` if set (and runnable), else one on the ``PATH``."""
    named = os.environ.get("ASC_CHROMIUM")
    if named:
        found = shutil.which(named)
        return found if found else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


class PrintError(AscError):
    """The browser could not load or print a page (one line)."""


class Browser:
    """One headless browser, driven over the DevTools protocol on a pipe; a context manager.

    Examples
    --------
    >>> with Browser() as b:                                           # doctest: +SKIP
    ...     b.print_pdf(Path("report.html"), Path("report.pdf"))
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or find_browser()
        if not self.executable:
            raise PrintError(NO_BROWSER)
        self._id = 0
        self._buf = b""
        self._events: list[dict[str, Any]] = []
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None

    # -- process -----------------------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the browser with a new empty profile; its DevTools protocol on file descriptors 3 and 4."""
        self.profile = tempfile.mkdtemp(prefix="asc-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The protocol pipe must be the child's fds 3 (commands in) and 4 (answers out): a small Python
        # trampoline moves them there and execs the browser (no code runs between fork and exec here).
        args = [*FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"]
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _TRAMPOLINE, str(to_browser_r), str(from_browser_w), self.executable, *args],
                pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise PrintError(f"cannot start the browser {self.executable}: {exc.strerror or exc}") from None
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)
        self.call("Target.setDiscoverTargets", discover=False)

    def close(self) -> None:
        """Close the browser and remove its profile."""
        if self.proc is not None:
            try:
                self.call("Browser.close", timeout=5)
            except (PrintError, OSError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        for fd in ("_to_browser", "_from_browser"):
            if hasattr(self, fd):
                try:
                    os.close(getattr(self, fd))
                except OSError:
                    pass
                delattr(self, fd)
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    # -- protocol ----------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PrintError("the browser did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise PrintError("the browser stopped (it may be missing libraries: run it by hand to see why)")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, timeout: float = TIMEOUT, **params: Any) -> dict:
        """Send one DevTools command and return its result (events that arrive meanwhile are kept)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(msg).encode("utf-8") + b"\0")
        except OSError as exc:
            raise PrintError(f"the browser stopped: {exc.strerror or exc}") from None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise PrintError(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float = TIMEOUT) -> dict:
        """Wait for an event of ``method`` from ``session``."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self._events):
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._read_message(deadline))

    # -- pages -------------------------------------------------------------------------------------
    def open(self, path: Path, *, width: int = 1280, height: int = 1000, media: str = "screen") -> str:
        """Open a file in a new tab at ``width`` x ``height`` CSS pixels; return the tab's session id."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._targets = getattr(self, "_targets", {})
        self._targets[session] = target
        self.call("Page.enable", session)
        self.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        self.call("Emulation.setEmulatedMedia", session, media=media)
        self._events.clear()
        nav = self.call("Page.navigate", session, url=Path(path).resolve().as_uri())
        if nav.get("errorText"):
            raise PrintError(f"cannot open {path}: {nav['errorText']}")
        self.wait_event("Page.loadEventFired", session)
        return session

    def close_tab(self, session: str) -> None:
        target = getattr(self, "_targets", {}).pop(session, None)
        if target:
            self.call("Target.closeTarget", targetId=target)

    def print_pdf(self, html: Path, pdf: Path, *, title_footer: bool = True) -> int:
        """Print ``html`` to ``pdf`` (A4, backgrounds, page numbers; written atomically); return its page count."""
        session = self.open(html, media="print")
        try:
            res = self.call("Page.printToPDF", session, paperWidth=A4[0], paperHeight=A4[1],
                            preferCSSPageSize=True, printBackground=True, displayHeaderFooter=title_footer,
                            headerTemplate="<span></span>", footerTemplate=FOOTER if title_footer else "<span></span>",
                            marginTop=0.55, marginBottom=0.6, marginLeft=0.47, marginRight=0.47,
                            generateTaggedPDF=True, generateDocumentOutline=True)
        finally:
            self.close_tab(session)
        data = base64.b64decode(res["data"])
        try:
            atomic_write_bytes(pdf, data)
        except OSError as exc:
            raise PrintError(f"cannot write {pdf}: {exc.strerror or exc}") from None
        return len(PdfReader(io.BytesIO(data)).pages)

    def evaluate(self, html: Path, expression: str, *, width: int = 1280, media: str = "screen") -> Any:
        """Open ``html`` at ``width`` CSS pixels in ``media``, run a JavaScript expression, return its value."""
        session = self.open(html, width=width, media=media)
        try:
            res = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        finally:
            self.close_tab(session)
        if "exceptionDetails" in res:
            raise PrintError(f"script failed in {html}: {res['exceptionDetails'].get('text', '')}")
        return res["result"].get("value")

    def measure(self, html: Path, *, width: int, media: str = "screen") -> dict[str, Any]:
        """Every table of ``html`` against its box at ``width`` CSS pixels in ``media`` (see :data:`MEASURE_JS`)."""
        return self.evaluate(html, MEASURE_JS, width=width, media=media)

    def screenshot(self, html: Path, png: Path, *, width: int = 1280) -> None:
        """A PNG of the whole page at ``width`` CSS pixels (screen media)."""
        session = self.open(html, width=width)
        try:
            res = self.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
        finally:
            self.close_tab(session)
        atomic_write_bytes(png, base64.b64decode(res["data"]))


def merge_pdfs(parts: Sequence[tuple[str, Path]], out: Path) -> int:
    """Join PDFs into ``out`` with one bookmark per part (``(title, path)``); written atomically; return pages."""
    writer = PdfWriter()
    for title, path in parts:
        start = len(writer.pages)
        writer.append(str(path))
        writer.add_outline_item(title=title, page_number=start)
    buf = io.BytesIO()
    writer.write(buf)
    try:
        atomic_write_bytes(out, buf.getvalue())
    except OSError as exc:
        raise PrintError(f"cannot write {out}: {exc.strerror or exc}") from None
    return len(writer.pages)
