"""The HTML report in a real headless Chromium (Debian's, driven by Playwright): planted script, markup, template
and javascript: payloads in model output and metadata never execute, nothing is requested from outside the
file, the console stays clean, and {{ 7*7 }} is shown literally.

The screenshot is saved as ``report.png`` in the test's tmp_path (printed; run with ``-s`` to see the path).
"""

from __future__ import annotations

import pytest

from audit.report.browser import find_chromium
from audit.report.render import write_reports
from tests.hostile_evidence import MARK, hostile_evidence

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found (apt-get install chromium, or "
                                "set $MEDAUDIT_CHROMIUM); .ci/run installs it")


def _open(page_path, interact):
    """Load the page, exercise it, and return what the browser saw."""
    from audit.report.browser import chromium

    seen = {"requests": [], "console": [], "errors": [], "dialogs": [], "navigations": []}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("console", lambda m: seen["console"].append((m.type, m.text)))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.on("framenavigated", lambda f: seen["navigations"].append(f.url))
        page.goto(page_path.as_uri(), wait_until="load")
        result = interact(page)
        page.wait_for_timeout(300)  # let any late handler (onerror, meta refresh) fire
        seen["pwned"] = page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")
        seen["url"] = page.url
        return seen, result


def _exercise(screenshot):
    def interact(page):
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        for box in page.query_selector_all("[data-filter-text]"):
            box.fill("yes")
            box.fill("")
        for select in page.query_selector_all("[data-filter-outcome]"):
            select.select_option(index=1)
        dom = page.evaluate("""() => {
            const out = {handlers: [], js_links: [], tags: {}};
            for (const el of document.querySelectorAll('*')) {
              for (const a of el.getAttributeNames()) if (a.toLowerCase().startsWith('on')) out.handlers.push(el.tagName + ' ' + a);
              for (const a of ['href', 'src', 'action', 'formaction', 'xlink:href'])
                if ((el.getAttribute(a) || '').trim().toLowerCase().startsWith('javascript:')) out.js_links.push(el.outerHTML.slice(0, 80));
              const t = el.tagName.toLowerCase(); out.tags[t] = (out.tags[t] || 0) + 1;
            }
            out.scripts = document.scripts.length;
            return out; }""")
        text = page.inner_text("body")
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshot), timeout=60_000)  # the viewport: the cover, payloads as text
        return dom, text
    return interact


def test_planted_payloads_do_not_execute_load_or_error(tmp_path):
    ev = hostile_evidence(tmp_path)
    paths = write_reports(ev, tmp_path)
    screenshot = tmp_path / "report.png"
    seen, (dom, text) = _open(paths["html"], _exercise(screenshot))

    assert seen["pwned"] is None, f"a planted payload ran: {seen['pwned']}"
    assert not seen["dialogs"]
    own = paths["html"].resolve().as_uri()
    assert [u for u in seen["requests"] if u != own and not u.startswith("data:")] == [], seen["requests"]
    assert set(seen["navigations"]) == {own} and seen["url"] == own
    assert not seen["errors"], seen["errors"]
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == [], seen["console"]
    assert not any("pwned" in m[1] for m in seen["console"])

    assert dom["handlers"] == [] and dom["js_links"] == []
    assert dom["scripts"] == 1  # the report's own filter script, allowed by its hash in the CSP
    for tag in ("img", "iframe", "link", "object", "embed", "form", "base"):
        assert tag not in dom["tags"], f"planted <{tag}> became an element"
    assert dom["tags"]["meta"] == 2  # charset + CSP; the planted refresh is text
    assert f"{MARK}{{{{ 7*7 }}}}" in text and f"{MARK}49" not in text  # template syntax shown, never evaluated
    assert "<script>window.__pwned" in text and 'onerror="window.__pwned' in text  # shown as text
    assert screenshot.stat().st_size > 10_000
    print(f"\nscreenshot: {screenshot}")


def test_filter_script_works_under_the_strict_csp(tmp_path):
    """The CSP allows only the report's own script by hash: it must still run (filtering hides rows)."""
    ev = hostile_evidence()
    paths = write_reports(ev, tmp_path)

    def interact(page):
        select = page.query_selector('[data-filter-outcome="pubmedqa"]')
        select.select_option("incorrect")
        visible = page.evaluate("""() => [...document.getElementById('items-pubmedqa').tBodies[0].rows]
                                   .filter(r => r.style.display !== 'none').map(r => r.dataset.outcome)""")
        page.fill('[data-filter-text="pubmedqa"]', "no such text anywhere")
        hidden = page.evaluate("""() => [...document.getElementById('items-pubmedqa').tBodies[0].rows]
                                  .every(r => r.style.display === 'none')""")
        return visible, hidden

    seen, (visible, hidden) = _open(paths["html"], interact)
    assert visible == ["incorrect"] and hidden
    assert not seen["errors"] and not [m for m in seen["console"] if m[0] == "error"]
