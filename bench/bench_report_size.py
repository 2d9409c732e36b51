"""Size and load time of the HTML report for a synthetic 5,000-item run, with the bounded item listing vs.
listing every item (what the page did before). Prints figures; always exits 0.

    .venv/bin/python bench/bench_report_size.py      # ~1 min on 2 cores; needs Chromium + playwright
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import audit.report.render as render  # noqa: E402
from audit.report.browser import chromium, find_chromium  # noqa: E402
from tests.report_factory import large_run  # noqa: E402


def measure(page_path: Path) -> dict[str, float]:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        page.select_option("[data-filter-outcome]", "incorrect")  # first probe's filter
        filtered = time.perf_counter() - started
        timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
        dom_rows = page.evaluate("() => document.querySelectorAll('table.items tbody tr').length")
    return {"load_s": loaded, "dom_content_loaded_ms": timing["domContentLoadedEventEnd"],
            "filter_s": filtered, "rows": dom_rows}


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    if find_chromium() is None:
        print("no Chromium: sizes only")
    evidence = large_run(5000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        for label, limits in (("bounded listing", None), ("every item listed", (10**9, 10**9))):
            saved = render.INLINE_ITEMS, render.INLINE_ITEMS_TOTAL, render.INLINE_CHARS
            if limits:
                render.INLINE_ITEMS, render.INLINE_ITEMS_TOTAL = limits
                render.INLINE_CHARS = 10**9
            try:
                started = time.perf_counter()
                html = render.render_html(evidence)
                rendered = time.perf_counter() - started
            finally:
                render.INLINE_ITEMS, render.INLINE_ITEMS_TOTAL, render.INLINE_CHARS = saved
            path = Path(tmp) / f"{label.replace(' ', '_')}.html"
            path.write_text(html, encoding="utf-8")
            line = f"{label:18s}: {len(html.encode()) / 1e6:6.2f} MB, Jinja render {rendered:5.2f} s"
            if find_chromium() is not None:
                m = measure(path)
                line += (f", Chromium load {m['load_s']:5.2f} s (DOMContentLoaded {m['dom_content_loaded_ms']:.0f} ms), "
                         f"outcome filter {m['filter_s']:.2f} s over {m['rows']} rows")
            print(line)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
