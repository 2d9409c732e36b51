"""The gate table (front matter) and the crosswalk (closing section): registered partials, HTML and Markdown, escaped."""

from __future__ import annotations

import yaml

from audit.report.policy import apply_policy, load_policy
from audit.report.render import render_html, render_markdown
from audit.report.sections import SECTIONS, sections_for
from tests.report_factory import SUITES, evidence, metric, probe

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)> **bold** [link](http://evil.example) {{ 7*7 }}'


def _hostile_run(tmp_path):
    results = [probe(p) for p in SUITES if p not in ("contextual_disclosure", "pubmedqa")]
    results.append(probe("pubmedqa", [metric("accuracy_with_context", 0.7, 0.6, 0.8)]))
    results.append(probe("contextual_disclosure", status="skipped", skip_reason=PAYLOAD))
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"name": "hostile " + PAYLOAD, "gates": [
        {"id": "context", "probe": "pubmedqa", "metric": "accuracy_with_context", "direction": "min",
         "threshold": 0.552, "rationale": "rationale " + PAYLOAD},
        {"id": "missing", "probe": "nowhere", "metric": "m", "direction": "max", "threshold": 0.1,
         "rationale": "a gate whose probe never ran"}]}))
    return apply_policy(evidence(results), load_policy(policy))


def test_sections_are_registered_with_partials_per_format():
    assert {"gates", "crosswalk"} <= set(SECTIONS.names())
    ev = evidence([])
    assert [s.section.name for s in sections_for("front", ev)][0] == "gates"
    assert "crosswalk" in [s.section.name for s in sections_for("closing", ev)]
    crosswalk = next(s for s in sections_for("closing", ev) if s.section.name == "crosswalk")
    assert crosswalk.data["groups"] and crosswalk.markdown.endswith(".md.j2") and crosswalk.html.endswith(".html.j2")


def test_gate_table_in_front_matter_and_crosswalk_before_manifest(tmp_path):
    ev = _hostile_run(tmp_path)
    page = render_html(ev)
    assert page.index('id="verdict"') < page.index('id="gates"') < page.index('id="methods"')
    assert page.index('id="limitations"') < page.index('id="crosswalk"') < page.index('id="manifest"')
    assert 'badge pass">pass' in page and 'badge not_evaluated">not evaluated' in page
    assert "0.700 [0.600, 0.800] (n=100)" in page and "probe nowhere was not run" in page
    text = render_markdown(ev)
    assert text.index("## 1. Executive verdict") < text.index("## Policy gates") < text.index("## 2. Methods")
    assert text.index("## 5. Limitations") < text.index("## Regulatory crosswalk") < text.index("## 6. Reproducibility")
    assert "| **pass** |" in text and "**not evaluated**" in text


def test_crosswalk_statuses_shown_in_both_formats(tmp_path):
    ev = _hostile_run(tmp_path)
    page = render_html(ev)
    text = render_markdown(ev)
    assert 'id="clause-nist-ai-600-1.data-privacy"' in page
    row = page[page.index('id="clause-nist-ai-600-1.data-privacy"'):]
    row = row[:row.index("</tr>")]
    assert "cw-partial" in row and "probe:contextual_disclosure" in row
    no_privacy = evidence([probe(p) for p, s in SUITES.items() if s != "privacy"])
    page = render_html(no_privacy)
    row = page[page.index('id="clause-nist-ai-600-1.data-privacy"'):]
    assert "not measured" in row[:row.index("</tr>")]
    assert "Art. 10\\(2\\)\\(f\\)" in text and "**met**" in text and "**not applicable**" in text


def test_untrusted_text_is_escaped_in_the_new_sections(tmp_path):
    ev = _hostile_run(tmp_path)
    page = render_html(ev)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 3  # policy name, rationale, skip reason
    assert "{{ 7*7 }}" in page  # rendered as data, never evaluated as template code
    text = render_markdown(ev)
    assert "<script>" not in text and "<img" not in text and "[link](http" not in text
    assert "\\{\\{ 7\\*7 \\}\\}" in text


def test_every_section_a_clause_points_to_exists_in_the_page(tmp_path):
    import re

    from audit.report.crosswalk import default_crosswalk

    page = render_html(_hostile_run(tmp_path))
    anchors = set(re.findall(r'id="([^"]+)"', page))
    named = {s for c in default_crosswalk().clauses for s in c.sections}
    assert named <= anchors, named - anchors
