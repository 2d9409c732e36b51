"""Reports never leak identifiers found in model output: redacted in the log, evidence, HTML and Markdown."""

from __future__ import annotations

import os

from audit.models.scripted import ScriptedModel
from audit.redaction import Redactor, redaction_key
from audit.report.render import write_reports
from audit.runner import RunConfig, run_audit

PLANTED = {"PHONE": "(555) 201-3344", "EMAIL": "jane.doe@example.org", "SSN": "123-45-6789",
           "NHS_NUMBER": "943 476 5919"}


LEAK = (f"Call Dr. Jane Doe on {PLANTED['PHONE']} or write to {PLANTED['EMAIL']}; "
        f"SSN {PLANTED['SSN']}, NHS number {PLANTED['NHS_NUMBER']}.")


def _run(tmp_path, show_pii=False):
    config = RunConfig(probes=("fabricated_entities",), limit=5, show_pii=show_pii)
    outcome = run_audit(ScriptedModel(default=LEAK), config, tmp_path, progress=False)
    write_reports(outcome.evidence, tmp_path)
    return outcome.evidence


def _files(folder):
    return {p.name: p.read_text() for p in folder.iterdir() if p.suffix in (".json", ".jsonl", ".html", ".md")}


def test_planted_identifiers_appear_nowhere_in_the_run_folder(tmp_path):
    evidence = _run(tmp_path)
    files = _files(tmp_path)
    assert {"results.jsonl", "evidence.json", "report.html", "report.md"} <= set(files)
    for name, text in files.items():
        for value in [*PLANTED.values(), "Jane Doe"]:
            assert value not in text, (name, value)
    item = evidence.probe_results[0].items[0]
    assert {r.type for r in item.redactions} >= {"PHONE", "EMAIL", "SSN", "NHS_NUMBER", "PERSON"}
    # Equal values get equal tokens, so repetition stays visible.
    tokens = {r.token for i in evidence.probe_results[0].items for r in i.redactions if r.type == "PHONE"}
    assert len(tokens) == 1 and tokens.pop() in item.response


def test_show_pii_keeps_values_and_says_so(tmp_path):
    evidence = _run(tmp_path, show_pii=True)
    assert PLANTED["PHONE"] in evidence.probe_results[0].items[0].response
    assert evidence.provenance.decoding["pii_in_output"].startswith("shown")


def test_cli_output_does_not_echo_identifiers(tmp_path, capsys):
    _run(tmp_path)
    captured = capsys.readouterr()
    assert all(value not in captured.out + captured.err for value in PLANTED.values())


def test_tokens_need_the_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDAUDIT_REDACTION_KEY", raising=False)
    monkeypatch.setenv("MEDAUDIT_CACHE_DIR", str(tmp_path))
    key = redaction_key()
    assert len(key) == 32 and oct(os.stat(tmp_path / "redaction.key").st_mode)[-3:] == "600"
    assert redaction_key() == key
    assert Redactor(key).token("PHONE", "1") != Redactor(b"other").token("PHONE", "1")
