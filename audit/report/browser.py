"""A system headless Chromium driven by Playwright: print-to-PDF for reports, and browser tests of the page.

Playwright's own browser download is not used (it cannot run offline); Debian's ``chromium`` (or the binary
named by ``$MEDAUDIT_CHROMIUM``) is launched through ``executable_path``. Playwright is imported only here,
so the rest of medaudit works without it.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from audit.errors import MedauditError

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser",
               "google-chrome", "google-chrome-stable")


class BrowserError(MedauditError):
    """No usable Chromium or Playwright."""


def find_chromium() -> str | None:
    """The Chromium binary to drive: ``$MEDAUDIT_CHROMIUM``, else Debian's, else one on PATH; None if none."""
    override = os.environ.get("MEDAUDIT_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for candidate in _CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


@contextmanager
def chromium() -> Iterator[object]:
    """A launched headless Chromium (a Playwright ``Browser``), closed on exit."""
    binary = find_chromium()
    if binary is None:
        raise BrowserError("Chromium not found (install Debian's `chromium` package, or set $MEDAUDIT_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserError("PDF output needs Playwright: pip install 'medaudit[browser]'") from None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def html_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print a report page to PDF (A4, backgrounds on). The page loads nothing from the network; any request
    other than the file itself is aborted."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    with chromium() as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        own = html_path.as_uri()
        page.route("**/*", lambda route: route.continue_() if route.request.url in (own,)
                   or route.request.url.startswith("data:") else route.abort())
        page.goto(own, wait_until="load")
        page.emulate_media(media="print")
        try:
            pdf_path.write_bytes(page.pdf(format="A4", landscape=True, prefer_css_page_size=True,
                                          print_background=True, outline=True, tagged=True))
        except OSError as exc:
            raise BrowserError(f"cannot write {pdf_path}: {exc.strerror or exc}") from exc
    return pdf_path
