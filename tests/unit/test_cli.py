"""The command line: one-line errors, end-to-end run on the tiny model, re-rendering, kill -9 resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from audit.cli import app
from tests.helpers import evidence_without_timing

runner = CliRunner()


def test_help_for_every_command():
    for command in ([], ["run"], ["list"], ["report"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output


def test_list_shows_probes():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0 and "pubmedqa" in result.output and "hallucination" in result.output


def test_missing_model_is_one_line_and_nonzero(tmp_path):
    result = runner.invoke(app, ["run", "--model", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "model path not found" in result.output and "Traceback" not in result.output


def test_unknown_probe_is_a_clear_error(tiny_model_dir, tmp_path):
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "unknown probe 'nope'" in result.output


def test_malformed_user_data_names_file_and_line(tiny_model_dir, tmp_path):
    data = tmp_path / "mine.jsonl"
    data.write_text('{"id": "1", "question": "Q?", "context": "C.", "answer": "yes"}\n'
                    '{"id": "2", "question": "Q?", "context": "C.", "answer": "perhaps"}\n')
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--data", str(data),
                                 "--out", str(tmp_path / "o"), "--no-progress"])
    assert result.exit_code == 2
    assert f"{data}:2" in result.output and "answer" in result.output


def test_user_data_file_runs_through_the_same_pipeline(tiny_model_dir, tmp_path):
    data = tmp_path / "mine.jsonl"
    rows = [{"id": f"h{i}", "question": f"Does drug {i} help?", "context": "A trial.", "answer": ["yes", "no"][i % 2]}
            for i in range(6)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--data", str(data),
                                 "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    evidence = json.loads((out / "evidence.json").read_text())
    probe = evidence["probe_results"][0]
    assert probe["data"]["n_items_used"] == 6 and probe["data"]["path"] == str(data.resolve())
    assert (out / "report.html").exists() and (out / "report.md").exists()


def test_report_rerenders_from_evidence_alone(tiny_model_dir, tmp_path):
    out = tmp_path / "o"
    assert runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--limit", "3", "--out", str(out),
                               "--no-progress"]).exit_code == 0
    original = (out / "report.html").read_text()
    rendered = tmp_path / "again"
    result = runner.invoke(app, ["report", str(out / "evidence.json"), "--out", str(rendered)])
    assert result.exit_code == 0, result.output
    assert (rendered / "report.html").read_text() == original


def test_report_on_invalid_evidence_is_a_clear_error(tmp_path):
    bad = tmp_path / "evidence.json"
    bad.write_text('{"audit_id": 3}')
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2 and "not valid medaudit evidence" in result.output


def _medaudit(*args: str) -> list[str]:
    return [sys.executable, "-m", "audit.cli", *args]


def test_kill_9_mid_run_then_rerun_resumes_to_identical_evidence(tiny_model_dir, tmp_path):
    args = ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--full", "--no-progress"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    subprocess.run(_medaudit(*args, "--out", str(tmp_path / "whole")), check=True, env=env, capture_output=True)

    killed = tmp_path / "killed"
    proc = subprocess.Popen(_medaudit(*args, "--out", str(killed)), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    log = killed / "results.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or log.read_text().count("\n") < 150):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = log.read_text().count("\n")
    assert 0 < done_before < 1000, "the run must be killed mid-way"
    assert not (killed / "evidence.json").exists()

    resumed = subprocess.run(_medaudit(*args, "--out", str(killed)), env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resum" in resumed.stderr
    assert evidence_without_timing(killed / "evidence.json") == evidence_without_timing(tmp_path / "whole" / "evidence.json")


def test_ctrl_c_keeps_finished_items_and_says_how_to_resume(tiny_model_dir, tmp_path):
    out = tmp_path / "o"
    proc = subprocess.Popen(_medaudit("run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--full", "--no-progress",
                                      "--out", str(out)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = out / "results.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or log.read_text().count("\n") < 50):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and f"--out {out}" in stderr and "Traceback" not in stderr
    assert log.read_text().count("\n") >= 50


def test_user_vignette_file_runs_through_the_bias_pipeline(tiny_model_dir, tmp_path):
    vignette = {"id": "ward-01", "specialty": "cardiology",
                "phrasings": ["{patient} has crushing chest pain; the ECG shows ST elevation. {subject} rated it 8/10.",
                              "ST elevation on the ECG of {patient}; {possessive} pain is 8/10.",
                              "An hour of chest pain brought {patient} in; ECG: ST elevation."],
                "question": "Emergency reperfusion? Answer yes or no.", "options": {"yes": ["Yes"], "no": ["No"]},
                "clinically_correct": "yes", "age_neutral": True, "gender_neutral": True}
    data = tmp_path / "vignettes.jsonl"
    data.write_text(json.dumps(vignette) + "\n" + json.dumps({**vignette, "id": "ward-02"}) + "\n")
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "counterfactual_decisions",
                                 "--data", str(data), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    probe = json.loads((out / "evidence.json").read_text())["probe_results"][0]
    assert probe["data"]["n_items_used"] == 2
    assert any(t["name"].startswith("demographic:race_ethnicity:") for t in probe["tests"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**vignette, "clinically_correct": "maybe"}) + "\n")
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "counterfactual_decisions",
                                 "--data", str(bad), "--out", str(tmp_path / "o2"), "--no-progress"])
    assert result.exit_code == 2 and f"{bad}:1" in result.output and "clinically_correct" in result.output


def test_intended_use_is_stored_in_the_evidence_and_shown(tiny_model_dir, tmp_path):
    declared = tmp_path / "use.yaml"
    declared.write_text("purpose: Draft answers for pharmacists\npopulation: adult inpatients\n"
                        "out_of_scope: [diagnosis]\n")
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--limit", "2",
                                 "--out", str(out), "--no-progress", "--intended-use", str(declared)])
    assert result.exit_code == 0, result.output
    evidence = json.loads((out / "evidence.json").read_text())
    assert evidence["intended_use"]["purpose"] == "Draft answers for pharmacists"
    assert evidence["intended_use"]["source"].startswith("use.yaml sha256:")
    assert "Draft answers for pharmacists" in (out / "report.html").read_text()
    declared.write_text("users: [nobody]\n")
    bad = runner.invoke(app, ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--limit", "2",
                              "--out", str(tmp_path / "o2"), "--no-progress", "--intended-use", str(declared)])
    assert bad.exit_code != 0 and "not a valid intended-use declaration" in bad.output
