"""The "Change since the last audit" section: a registered closing section filled from `medaudit report --baseline`."""

from __future__ import annotations

from typer.testing import CliRunner

from audit.cli import app
from audit.report.render import render_html, render_markdown
from audit.report.sections import SECTIONS, sections_for
from audit.runner import write_evidence
from tests.hostile_evidence import HOSTILE
from tests.report_factory import metric, probe, provenance, run_of


def _pair():
    old = run_of(["pubmedqa"]).model_copy(update={"audit_id": "ma-old", "probe_results": [
        probe("pubmedqa", [metric("accuracy", 0.5, 0.4, 0.6, n=100)]), probe("sycophancy")]})
    new_model = provenance().model.model_copy(update={"weights_sha256": "ef" * 32})
    new = run_of(["pubmedqa"]).model_copy(update={"audit_id": "ma-new", "provenance": provenance(model=new_model),
                                                   "probe_results": [probe("pubmedqa", [
                                                       metric("accuracy", 0.8, 0.71, 0.87, n=100)]),
                                                       probe(f"custom {HOSTILE}")]})
    return old, new


def test_change_section_is_registered_between_limitations_and_crosswalk():
    assert "change" in SECTIONS.names()
    names = [s.section.name for s in sections_for("closing", run_of(["pubmedqa"]))]
    assert names.index("change") < names.index("crosswalk")
    page = render_html(run_of(["pubmedqa"]))
    assert page.index('id="limitations"') < page.index('id="change"') < page.index('id="crosswalk"')
    assert "No earlier audit was given" in page and "No earlier audit was given" in render_markdown(run_of(["pubmedqa"]))


def test_change_section_shows_metric_changes_flags_and_probes(tmp_path):
    old, new = _pair()
    page = render_html(new, baseline=old)
    section = page[page.index('id="change"'):page.index('id="crosswalk"')]
    assert "ma-old" in section and "model weights_sha256" in section
    assert "✱" in section and "pubmedqa</a> / <code>accuracy</code>" in section and "+0.300" in section
    assert "probe sycophancy: only in the baseline" in section
    assert "<script>window" not in section and "&lt;script&gt;" in section  # a hostile probe id stays text
    text = render_markdown(new, baseline=old)
    assert "## Change since the last audit" in text and "| \\* | pubmedqa / `accuracy`" in text
    import re

    assert "<script>" not in re.sub(r"`[^`\n]*`", "", text)  # only inside code spans, where it is literal text


def test_report_baseline_option(tmp_path):
    old, new = _pair()
    write_evidence(old, tmp_path / "old" / "evidence.json") if (tmp_path / "old").mkdir() is None else None
    write_evidence(new, tmp_path / "evidence.json")
    result = CliRunner().invoke(app, ["report", str(tmp_path / "evidence.json"), "--baseline", str(tmp_path / "old")])
    assert result.exit_code == 0, result.output
    assert "Baseline: audit <code>ma-old</code>" in (tmp_path / "report.html").read_text()
    result = CliRunner().invoke(app, ["report", str(tmp_path / "evidence.json"), "--baseline", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not found" in result.output
