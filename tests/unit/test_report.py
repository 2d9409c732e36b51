"""Report rendering: escaping of untrusted text, CIs on every metric, no network, schema drift."""

from __future__ import annotations

import json
import re

import pytest

from audit.evidence import Evidence, ItemResult
from audit.models.scripted import ScriptedModel
from audit.report.render import md_escape, render_html, render_markdown
from audit.report.schema import SCHEMA_PATH, schema_text
from audit.runner import RunConfig, run_audit

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)> **bold** [link](http://evil.example)'


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> Evidence:
    folder = tmp_path_factory.mktemp("run")
    model = ScriptedModel(answers=lambda item_id, prompt: "yes")
    evidence = run_audit(model, RunConfig(probes=("pubmedqa",), limit=5), folder, progress=False).evidence
    # Plant hostile model output and a hostile item id in the evidence.
    result = evidence.probe_results[0]
    hostile = result.items[0].model_copy(update={"response": PAYLOAD, "parsed": PAYLOAD})
    result = result.model_copy(update={"items": [hostile, *result.items[1:]]})
    return evidence.model_copy(update={"probe_results": [result]})


def test_html_escapes_model_output(evidence):
    page = render_html(evidence)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_html_makes_no_network_requests(evidence):
    page = render_html(evidence)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only same-document references (SVG clip paths), nothing to fetch
    assert "default-src 'none'" in page  # CSP forbids fetching anything


def test_markdown_escapes_model_output(evidence):
    text = render_markdown(evidence)
    assert "<script>" not in text and "<img" not in text and "[link](http" not in text
    assert md_escape("a|b*c_<d>") == "a\\|b\\*c\\_&lt;d&gt;"


def test_every_metric_is_shown_with_n_and_interval(evidence):
    page = render_html(evidence)
    text = render_markdown(evidence)
    for metric in evidence.probe_results[0].metrics:
        assert metric.ci_low is not None and metric.ci_high is not None and metric.n >= 0
        assert metric.name in page and metric.name in text
    assert page.count("[") >= len(evidence.probe_results[0].metrics)


def test_verdict_shows_threshold_and_rationale(evidence):
    verdict = evidence.probe_results[0].verdict
    page = render_html(evidence)
    assert verdict.threshold.rationale.split(".")[0].replace("'", "&#39;") in page
    assert f"{verdict.threshold.metric} {verdict.threshold.operator} {verdict.threshold.value}" in render_markdown(evidence)


def test_every_item_is_listed_passed_and_failed(evidence):
    page = render_html(evidence)
    for item in evidence.probe_results[0].items:
        assert item.item_id in page


def test_committed_schema_matches_the_models():
    assert SCHEMA_PATH.read_text() == schema_text(), "run `python -m audit.report.schema` and commit the result"


def test_evidence_round_trips_through_json(evidence):
    again = Evidence.model_validate_json(evidence.model_dump_json())
    assert again == evidence
    with pytest.raises(Exception):
        ItemResult.model_validate({**json.loads(evidence.probe_results[0].items[0].model_dump_json()), "outcome": "maybe-right"})


def test_forest_plot_is_inline_svg_with_text_as_paths():
    from audit.evidence import Metric, ProbeResult
    from audit.report.plots import probe_figures

    metrics = [Metric(name=f"diff:demographic:axis:<script>g{i}-vs-ref", description="d", estimate=0.01 * i,
                      ci_low=0.01 * i - 0.02, ci_high=0.01 * i + 0.02, n=20, method="bootstrap", kind="difference")
               for i in range(3)]
    result = ProbeResult(probe_id="p", suite="bias", title="t", description="d", references=[], tags=[], requires=[],
                         status="completed", metrics=metrics)
    (svg,) = probe_figures(result)
    assert svg.startswith("<svg") and "<text" not in svg and "<script" not in svg
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", svg)
    assert probe_figures(result) == [svg]  # deterministic, so re-rendered reports are identical


def test_report_methods_state_the_redacting_detectors_precision_and_recall(tmp_path):
    from audit.models.scripted import ScriptedModel
    from audit.report.render import render_html, render_markdown
    from audit.runner import RunConfig, run_audit

    evidence = run_audit(ScriptedModel(default="yes"), RunConfig(probes=("pubmedqa",), limit=2), tmp_path,
                         progress=False).evidence
    names = {m.name for m in evidence.pii_detectors}
    assert {"precision:PERSON", "recall:PERSON", "recall:overall"} <= names
    overall = next(m for m in evidence.pii_detectors if m.name == "recall:overall")
    assert overall.n >= 150 and overall.ci_low <= overall.estimate <= overall.ci_high
    page = render_html(evidence)
    assert "Measured reliability of detectors and parsers" in page and "PHI detectors (redaction" in page
    text = render_markdown(evidence)
    row = next(line for line in text.splitlines() if line.startswith("| PERSON |"))
    person = next(m for m in evidence.pii_detectors if m.name == "recall:PERSON")
    assert f"{person.estimate:.3f} [{person.ci_low:.3f}, {person.ci_high:.3f}]" in row
