"""`medaudit report EVIDENCE --pdf`: Chromium prints the HTML report; the PDF holds the gate table and the crosswalk."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.report.browser import find_chromium
from audit.report.policy import apply_policy, load_policy
from audit.runner import write_evidence
from tests.report_factory import SUITES, run_of

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found (apt-get install chromium, or "
                                "set $MEDAUDIT_CHROMIUM); .ci/run installs it")


def test_pdf_contains_gate_table_and_crosswalk(tmp_path):
    from pypdf import PdfReader

    evidence = apply_policy(run_of([p for p in SUITES if p != "canary_exposure"]), load_policy())
    write_evidence(evidence, tmp_path / "evidence.json")
    result = CliRunner().invoke(app, ["report", str(tmp_path / "evidence.json"), "--pdf"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "report.pdf"
    assert f"pdf: {pdf}" in result.output and pdf.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(pdf)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert len(reader.pages) >= 3
    for heading in ("1. Executive verdict", "Policy gates", "Regulatory crosswalk", "6. Reproducibility manifest"):
        assert heading in text, heading
    compact = text.replace(" ", "")  # table cells wrap anywhere in print; extraction puts spaces at the breaks
    gate = evidence.gates.results[0]
    assert gate.id in compact and gate.rationale.replace(" ", "")[:40] in compact
    assert "canary_exposure" in compact and "notevaluated" in compact  # the gate whose probe did not run
    assert "EU AI Act" in text and "Art.10(2)(f)" in compact and "notmeasured" in compact
    assert text.index("Policy gates") < text.index("2. Methods") < text.index("Regulatory crosswalk")
    def titles(outline):
        for entry in outline:
            yield from titles(entry) if isinstance(entry, list) else [entry.title]

    bookmarks = list(titles(reader.outline))  # headings become PDF bookmarks
    assert {"Policy gates", "Regulatory crosswalk", "EU AI Act"} <= set(bookmarks)


def test_pdf_without_chromium_is_one_clear_error(tmp_path, monkeypatch):
    evidence = run_of(["pubmedqa"])
    write_evidence(evidence, tmp_path / "evidence.json")
    monkeypatch.setenv("MEDAUDIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    result = CliRunner().invoke(app, ["report", str(tmp_path / "evidence.json"), "--pdf"])
    assert result.exit_code == 2 and "Chromium not found" in result.output
    assert (tmp_path / "report.html").exists() and not (tmp_path / "report.pdf").exists()
