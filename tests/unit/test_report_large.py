"""Large runs: the page lists a bounded number of items per probe (failed ones first) and links items.csv,
which holds every item; its size does not grow with the item count. Timings: bench/bench_report_size.py."""

from __future__ import annotations

import csv
import re

import pytest

from audit.report import render
from audit.report.browser import find_chromium
from audit.report.exports.items_table import COLUMNS, safe_cell
from audit.report.render import ItemListing, render_html, render_markdown, write_reports
from tests.report_factory import large_run


def _rows(page: str) -> int:
    return len(re.findall(r'<tr data-outcome="', page))


def test_page_for_5000_items_stays_under_a_megabyte():
    page = render_html(large_run(5000, 5))
    assert len(page.encode("utf-8")) < 1_000_000
    assert _rows(page) == render.INLINE_ITEMS_TOTAL  # 5 probes x 80
    assert "every item is in items.csv" in page and 'href="items.csv"' in page
    bigger = render_html(large_run(20000, 5))
    assert len(bigger.encode()) < 1.02 * len(page.encode())  # bounded by the listing, not by the run
    many_probes = render_html(large_run(5000, 16))
    assert len(many_probes.encode()) < 1_000_000 and _rows(many_probes) <= render.INLINE_ITEMS_TOTAL + 16 * 20


def test_failed_items_are_listed_first_then_passing_ones_in_order():
    ev = large_run(1000, 1, fail_every=20)  # 50 failed
    listing = ItemListing(ev.probe_results[0], 100)
    assert listing.shown == 100 and listing.failed_shown == listing.failed_total == 50
    assert [it.index for it in listing.rows] == sorted(it.index for it in listing.rows)
    assert "100 of 1000 items listed here (all 50 failed and the first 50 passed)" in listing.summary()
    ev = large_run(1000, 1, fail_every=5)  # 200 failed: the first 100 of them, no passing ones
    listing = ItemListing(ev.probe_results[0], 100)
    assert listing.failed_shown == 100 and all(it.outcome == "incorrect" for it in listing.rows)
    assert "the first 100 of 200 failed" in listing.summary()


def test_small_runs_still_list_every_item():
    ev = large_run(60, 3)
    page = render_html(ev)
    assert _rows(page) == 60 and "All 20 items, passed and failed" in page and "every item is in" not in page
    assert "All 20 items" in render_markdown(ev)


def test_long_texts_are_clipped_on_the_page_but_whole_in_the_csv(tmp_path):
    ev = large_run(10, 1, prompt_chars=5000)
    page = render_html(ev)
    assert "more characters in items.csv]" in page
    paths = write_reports(ev, tmp_path)
    with paths["items"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10 and len(rows[0]["prompt"]) > 5000


def test_items_csv_holds_every_item(tmp_path):
    ev = large_run(5000, 5)
    paths = write_reports(ev, tmp_path)
    with paths["items"].open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert len(rows) == 5000
    assert {r["item_id"] for r in rows} == {it.item_id for r in ev.probe_results for it in r.items}
    assert "items.csv" in paths["markdown"].read_text()


def test_csv_cells_cannot_become_spreadsheet_formulas():
    assert safe_cell('=HYPERLINK("http://evil.example","x")') == '\'=HYPERLINK("http://evil.example","x")'
    assert [safe_cell(v) for v in ("+1", "-cmd", "@SUM(A1)", "\tx", "ok", None, -0.5, 3)] == \
        ["'+1", "'-cmd", "'@SUM(A1)", "'\tx", "ok", "", -0.5, 3]


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium found (apt-get install chromium)")
def test_5000_item_page_loads_and_filters_in_chromium(tmp_path):
    from audit.report.browser import chromium

    paths = write_reports(large_run(5000, 5), tmp_path)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(paths["html"].resolve().as_uri(), wait_until="load")
        page.select_option("[data-filter-outcome]", "incorrect")
        first = page.query_selector("details.items")
        visible = first.evaluate("b => [...b.querySelectorAll('tbody tr')].filter(r => r.style.display !== 'none').length")
        count = first.evaluate("b => b.querySelector('[data-filter-count]').textContent")
    assert not errors
    assert visible == 80 and count == "80 of 80 listed rows match"  # 1 in 7 of 1000 failed: 143 > 80 listed


def test_parquet_export_round_trips(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed (parquet is optional)")
    from audit.report.exports import export

    ev = large_run(50, 2)
    (path,) = export(ev, "parquet", tmp_path / "items.parquet")
    table = pq.read_table(path)
    assert table.num_rows == 50 and tuple(table.column_names) == COLUMNS
