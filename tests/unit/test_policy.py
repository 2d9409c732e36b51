"""Policy gates: decided on the whole CI, never on a missing metric; exit codes; JUnit XML that parses back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml
from typer.testing import CliRunner

from audit.cli import app
from audit.report.policy import (
    EXIT_GATE_FAILED,
    EXIT_GATE_UNDECIDED,
    Gate,
    PolicyError,
    evaluate_gate,
    evaluate_policy,
    exit_code,
    junit_xml,
    load_policy,
)
from tests.report_factory import evidence, metric, probe

runner = CliRunner()


def _gate(direction: str, threshold: float, metric_name: str = "rate") -> Gate:
    return Gate(id="g", probe="p", metric=metric_name, direction=direction, threshold=threshold,
                rationale="a rationale for the test")


def _status(direction: str, threshold: float, low: float | None, high: float | None, estimate: float | None = 0.5):
    ev = evidence([probe("p", [metric("rate", estimate, low, high)])])
    return evaluate_gate(_gate(direction, threshold), ev).status


@pytest.mark.parametrize("low, high, threshold, expected", [
    (0.10, 0.20, 0.20, "pass"),          # upper bound exactly at the maximum: the whole CI meets it
    (0.10, 0.20, 0.2000001, "pass"),
    (0.10, 0.20, 0.1999999, "inconclusive"),
    (0.10, 0.20, 0.10, "inconclusive"),  # lower bound exactly at the maximum: not wholly above it
    (0.10, 0.20, 0.0999999, "fail"),
    (0.00, 0.00, 0.00, "pass"),          # a zero rate with a zero-width interval at a zero maximum
])
def test_max_gate_decides_on_the_whole_interval(low, high, threshold, expected):
    assert _status("max", threshold, low, high, estimate=(low + high) / 2) == expected


@pytest.mark.parametrize("low, high, threshold, expected", [
    (0.70, 0.90, 0.70, "pass"),          # lower bound exactly at the minimum
    (0.70, 0.90, 0.7000001, "inconclusive"),
    (0.70, 0.90, 0.90, "inconclusive"),  # upper bound exactly at the minimum: not wholly below it
    (0.70, 0.90, 0.9000001, "fail"),
    (0.70, 0.90, 0.80, "inconclusive"),
])
def test_min_gate_decides_on_the_whole_interval(low, high, threshold, expected):
    assert _status("min", threshold, low, high, estimate=(low + high) / 2) == expected


def test_point_estimate_alone_never_decides():
    # The estimate is far past the threshold but the interval straddles it.
    assert _status("max", 0.5, 0.05, 0.95, estimate=0.06) == "inconclusive"


def test_missing_metric_probe_or_interval_is_not_evaluated_never_pass():
    gate = _gate("max", 0.5)
    assert evaluate_gate(gate, evidence([])).status == "not_evaluated"
    assert "was not run" in evaluate_gate(gate, evidence([])).explanation
    skipped = evidence([probe("p", status="skipped", skip_reason="the model backend lacks: hooks")])
    result = evaluate_gate(gate, skipped)
    assert result.status == "not_evaluated" and "lacks: hooks" in result.explanation
    other_metric = evidence([probe("p", [metric("something_else", 0.1, 0.0, 0.2)])])
    assert evaluate_gate(gate, other_metric).status == "not_evaluated"
    no_data = evidence([probe("p", [metric("rate", None, None, None, n=0)])])
    assert evaluate_gate(gate, no_data).status == "not_evaluated"
    no_interval = evidence([probe("p", [metric("rate", 0.1, None, None)])])
    assert evaluate_gate(gate, no_interval).status == "not_evaluated"
    nan = evidence([probe("p", [metric("rate", 0.1, float("nan"), 0.2)])])
    assert evaluate_gate(gate, nan).status == "not_evaluated"


def _policy_file(tmp_path, gates, name="test-policy"):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump({"name": name, "version": 2, "gates": gates}))
    return path


GATES = [
    {"id": "passes", "probe": "a", "metric": "rate", "direction": "max", "threshold": 0.3, "rationale": "a passes here"},
    {"id": "fails", "probe": "b", "metric": "rate", "direction": "max", "threshold": 0.3, "rationale": "b fails <here>"},
    {"id": "unsure", "probe": "c", "metric": "rate", "direction": "min", "threshold": 0.5, "rationale": "c straddles"},
    {"id": "absent", "probe": "d", "metric": "rate", "direction": "min", "threshold": 0.5, "rationale": "d never ran"},
]


def _evidence_for_gates():
    return evidence([probe("a", [metric("rate", 0.1, 0.05, 0.2)]), probe("b", [metric("rate", 0.6, 0.5, 0.7)]),
                     probe("c", [metric("rate", 0.5, 0.4, 0.6)])])


def test_policy_evaluation_and_exit_codes(tmp_path):
    policy = load_policy(_policy_file(tmp_path, GATES))
    assert policy.version == "2" and len(policy.sha256) == 64
    report = evaluate_policy(policy, _evidence_for_gates())
    assert [r.status for r in report.results] == ["pass", "fail", "inconclusive", "not_evaluated"]
    assert exit_code(report) == EXIT_GATE_FAILED == 3
    undecided = evaluate_policy(load_policy(_policy_file(tmp_path, [GATES[0], GATES[2], GATES[3]])), _evidence_for_gates())
    assert exit_code(undecided) == 0 and exit_code(undecided, strict=True) == EXIT_GATE_UNDECIDED == 4
    passing = evaluate_policy(load_policy(_policy_file(tmp_path, [GATES[0]])), _evidence_for_gates())
    assert exit_code(passing, strict=True) == 0


def test_junit_xml_parses_back_one_testcase_per_gate(tmp_path):
    ev = _evidence_for_gates()
    report = evaluate_policy(load_policy(_policy_file(tmp_path, GATES)), ev)
    root = ET.fromstring(junit_xml(report, ev))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "1"
    assert suite.get("skipped") == "2" and suite.get("errors") == "0"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["passes", "fails", "unsure", "absent"]
    assert cases["passes"].find("failure") is None and cases["passes"].find("skipped") is None
    failure = cases["fails"].find("failure")
    assert failure is not None and "b fails <here>" in failure.text and failure.get("type") == "gate-fail"
    assert cases["unsure"].find("skipped").get("message").startswith("inconclusive")
    assert cases["absent"].find("skipped").get("message").startswith("not_evaluated")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["audit_id"] == ev.audit_id and props["policy"] == "test-policy" and len(props["policy_sha256"]) == 64
    strict = ET.fromstring(junit_xml(report, ev, strict=True)).find("testsuite")
    assert strict.get("failures") == "3" and strict.get("skipped") == "0"


def test_gate_command_exit_codes_and_junit(tmp_path):
    ev = _evidence_for_gates()
    path = tmp_path / "evidence.json"
    path.write_text(ev.model_dump_json())
    policy = _policy_file(tmp_path, GATES)
    out = tmp_path / "gates.xml"
    result = runner.invoke(app, ["gate", str(path), "--policy", str(policy), "--junit", str(out)])
    assert result.exit_code == 3, result.output
    assert "FAIL" in result.output and "fails" in result.output
    assert len(ET.parse(out).getroot().find("testsuite").findall("testcase")) == 4
    ok_policy = _policy_file(tmp_path, [GATES[0], GATES[2]])
    assert runner.invoke(app, ["gate", str(path), "--policy", str(ok_policy)]).exit_code == 0
    assert runner.invoke(app, ["gate", str(path), "--policy", str(ok_policy), "--strict"]).exit_code == 4
    default = runner.invoke(app, ["gate", str(path)])  # the shipped policy: none of its probes ran here
    assert default.exit_code == 0 and "NOT EVALUATED" in default.output


def test_bad_policy_is_one_line_naming_file_and_gate(tmp_path):
    bad = _policy_file(tmp_path, [GATES[0], {**GATES[1], "direction": "below"}])
    with pytest.raises(PolicyError, match=r"policy\.yaml: gate #2 \(fails\): direction"):
        load_policy(bad)
    ev_path = tmp_path / "evidence.json"
    ev_path.write_text(_evidence_for_gates().model_dump_json())
    result = runner.invoke(app, ["gate", str(ev_path), "--policy", str(bad)])
    assert result.exit_code == 2 and "gate #2 (fails)" in result.output
    for broken, message in (([GATES[0], GATES[0]], "duplicate gate id"),
                            ([{**GATES[0], "threshold": "high"}], "threshold"),
                            ([{**GATES[0], "rationale": ""}], "rationale"),
                            ([{**GATES[0], "colour": "red"}], "colour"),
                            ([], "non-empty list")):
        with pytest.raises(PolicyError, match=message):
            load_policy(_policy_file(tmp_path, broken))
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")


def test_default_policy_gates_registered_probes_and_their_declared_metrics():
    from audit.probes import PROBES, register_builtin_probes

    register_builtin_probes()
    policy = load_policy("default")
    assert policy.source == "builtin:default"
    for gate in policy.gates:
        cls = PROBES.get(gate.probe)
        assert cls.threshold.metric == gate.metric, gate.id
        assert gate.direction == ("max" if cls.threshold.operator == "<=" else "min")


def test_run_with_policy_exits_3_on_a_failed_gate(tiny_model_dir, tmp_path):
    policy = _policy_file(tmp_path, [
        {"id": "impossible", "probe": "pubmedqa", "metric": "accuracy_with_context", "direction": "min",
         "threshold": 1.01, "rationale": "no interval reaches above one"},
        {"id": "trivial", "probe": "pubmedqa", "metric": "accuracy_with_context", "direction": "max",
         "threshold": 1.0, "rationale": "every interval lies at or below one"}])
    data = tmp_path / "mine.jsonl"  # short items that fit the tiny model's context window
    data.write_text("".join(json.dumps({"id": f"h{i}", "question": f"Does drug {i} help?", "context": "A trial.",
                                        "answer": ["yes", "no"][i % 2]}) + "\n" for i in range(4)))
    out = tmp_path / "run"
    junit = tmp_path / "junit.xml"
    args = ["run", "--model", str(tiny_model_dir), "--probe", "pubmedqa", "--data", str(data), "--out", str(out),
            "--no-progress", "--explain", "0", "--device", "cpu"]
    result = runner.invoke(app, [*args, "--policy", str(policy), "--junit", str(junit)])
    assert result.exit_code == 3, result.output
    from audit.report.render import load_evidence

    stored = load_evidence(out / "evidence.json").gates
    assert stored is not None and [r.status for r in stored.results] == ["fail", "pass"]
    assert "impossible" in (out / "report.html").read_text() and "impossible" in (out / "report.md").read_text()
    assert ET.parse(junit).getroot().find("testsuite").get("failures") == "1"
    again = runner.invoke(app, args)  # no --policy: the default policy is reported, the exit code is not changed
    assert again.exit_code == 0, again.output
    assert load_evidence(out / "evidence.json").gates.policy == "medaudit-default"
