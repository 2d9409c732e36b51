"""Policy gates: pass/fail rules on metrics' confidence intervals, for a CI pipeline to act on.

A policy (YAML; ``default_policy.yaml`` ships) lists gates: a probe's metric, a direction (``max``: the
metric must not exceed the threshold; ``min``: it must reach it), a threshold and a rationale. A gate
passes or fails only when the whole confidence interval lies on one side of the threshold; an interval
that straddles it is **inconclusive**; a metric that is missing, has no data or no interval is **not
evaluated** (never a pass).

Exit codes of ``medaudit run --policy`` and ``medaudit gate``: 0 no gate failed; 3 a gate failed;
4 (``--strict`` only) no gate failed but some were inconclusive or not evaluated; 2 a usage or input error.
"""

from __future__ import annotations

import hashlib
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from audit.errors import MedauditError
from audit.evidence import Evidence, GateReport, GateResult

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")
DEFAULT_POLICY = "default"

EXIT_OK = 0
EXIT_GATE_FAILED = 3
EXIT_GATE_UNDECIDED = 4


class PolicyError(MedauditError):
    """The policy file is missing or malformed."""


class Gate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(default="", pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
    probe: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    direction: Literal["max", "min"]
    threshold: float
    rationale: str = Field(min_length=10)

    @model_validator(mode="after")
    def _finite(self) -> "Gate":
        if not math.isfinite(self.threshold):
            raise ValueError("threshold must be a finite number")
        return self

    @property
    def key(self) -> str:
        return self.id or f"{self.probe}.{self.metric}"

    @property
    def rule(self) -> str:
        return f"{self.metric} {'<=' if self.direction == 'max' else '>='} {self.threshold:g}"


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    version: str = "1"
    description: str = ""
    gates: list[Gate] = Field(min_length=1)
    source: str = ""
    sha256: str = ""


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_policy(spec: str | Path | None = None) -> Policy:
    """Read a policy file (``None`` or ``"default"``: the shipped one); errors name the file and the gate."""
    builtin = spec is None or str(spec) == DEFAULT_POLICY
    path = DEFAULT_POLICY_PATH if builtin else Path(spec)  # type: ignore[arg-type]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy: {exc.strerror or exc}") from None
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise PolicyError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(document, dict):
        raise PolicyError(f"{path}: expected a mapping with 'name' and 'gates'")
    raw_gates = document.get("gates")
    if not isinstance(raw_gates, list) or not raw_gates:
        raise PolicyError(f"{path}: 'gates' must be a non-empty list")
    gates, seen = [], set()
    for index, entry in enumerate(raw_gates):
        label = f"gate #{index + 1}" + (f" ({entry['id']})" if isinstance(entry, dict) and entry.get("id") else "")
        if not isinstance(entry, dict):
            raise PolicyError(f"{path}: {label}: expected a mapping, got {type(entry).__name__}")
        try:
            gate = Gate.model_validate(entry)
        except ValidationError as exc:
            raise PolicyError(f"{path}: {label}: {_first_error(exc)}") from None
        if gate.key in seen:
            raise PolicyError(f"{path}: {label}: duplicate gate id {gate.key!r}")
        seen.add(gate.key)
        gates.append(gate)
    header = {k: v for k, v in document.items() if k != "gates"}
    if "version" in header:
        header["version"] = str(header["version"])
    try:
        return Policy.model_validate({**header, "gates": gates, "source": "builtin:default" if builtin else str(path),
                                      "sha256": hashlib.sha256(raw).hexdigest()})
    except ValidationError as exc:
        raise PolicyError(f"{path}: {_first_error(exc)}") from None


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def evaluate_gate(gate: Gate, evidence: Evidence) -> GateResult:
    """Decide one gate on the metric's interval (see the module docstring)."""
    base = dict(id=gate.key, probe_id=gate.probe, metric=gate.metric, direction=gate.direction,
                threshold=gate.threshold, rationale=gate.rationale.strip())
    result = next((r for r in evidence.probe_results if r.probe_id == gate.probe), None)
    if result is None:
        return GateResult(**base, status="not_evaluated", explanation=f"probe {gate.probe} was not run")
    if result.status != "completed":
        return GateResult(**base, status="not_evaluated", explanation=f"probe {gate.probe} {result.status}"
                          + (f": {result.skip_reason}" if result.skip_reason else ""))
    metric = next((m for m in result.metrics if m.name == gate.metric), None)
    if metric is None:
        return GateResult(**base, status="not_evaluated",
                          explanation=f"probe {gate.probe} reports no metric {gate.metric!r}")
    values = dict(estimate=metric.estimate, ci_low=metric.ci_low, ci_high=metric.ci_high, n=metric.n)
    if not _finite(metric.estimate, metric.ci_low, metric.ci_high):
        return GateResult(**base, **values, status="not_evaluated",
                          explanation=f"{gate.metric} has no estimate with a confidence interval (n={metric.n})")
    low, high, t = metric.ci_low, metric.ci_high, gate.threshold
    if gate.direction == "max":
        status = "pass" if high <= t else "fail" if low > t else "inconclusive"
    else:
        status = "pass" if low >= t else "fail" if high < t else "inconclusive"
    words = {"pass": "the whole interval meets", "fail": "the whole interval misses",
             "inconclusive": "the interval straddles"}[status]
    level = f"{metric.confidence:.0%}"
    return GateResult(**base, **values, status=status,
                      explanation=f"{gate.metric} = {metric.estimate:.3f}, {level} CI [{low:.3f}, {high:.3f}] "
                                  f"(n={metric.n}, {metric.method}): {words} {gate.rule}")


def evaluate_policy(policy: Policy, evidence: Evidence) -> GateReport:
    return GateReport(policy=policy.name, version=policy.version, source=policy.source, sha256=policy.sha256,
                      results=[evaluate_gate(g, evidence) for g in policy.gates])


def apply_policy(evidence: Evidence, policy: Policy) -> Evidence:
    """A copy of the evidence with this policy's gate results (the caller's object is not changed)."""
    return evidence.model_copy(update={"gates": evaluate_policy(policy, evidence)})


def gate_counts(report: GateReport) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "inconclusive": 0, "not_evaluated": 0}
    for result in report.results:
        counts[result.status] += 1
    return counts


def exit_code(report: GateReport, strict: bool = False) -> int:
    """0 when no gate failed; 3 when one did; 4 under ``strict`` when some gate was not decided."""
    counts = gate_counts(report)
    if counts["fail"]:
        return EXIT_GATE_FAILED
    if strict and (counts["inconclusive"] or counts["not_evaluated"]):
        return EXIT_GATE_UNDECIDED
    return EXIT_OK


def junit_xml(report: GateReport, evidence: Evidence, strict: bool = False) -> str:
    """JUnit XML: one testcase per gate. A failed gate is a <failure>; an inconclusive or not-evaluated gate
    is <skipped> (JUnit has no 'undecided'), or a <failure> under ``strict``, matching the exit code."""
    counts = gate_counts(report)
    undecided = counts["inconclusive"] + counts["not_evaluated"]
    failures = counts["fail"] + (undecided if strict else 0)
    skipped = 0 if strict else undecided
    attrs = {"tests": str(len(report.results)), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
    root = ET.Element("testsuites", {"name": "medaudit", **attrs})
    suite = ET.SubElement(root, "testsuite", {"name": f"medaudit gates: {report.policy}", **attrs,
                                              "timestamp": evidence.provenance.finished_at, "time": "0"})
    properties = ET.SubElement(suite, "properties")
    for name, value in (("audit_id", evidence.audit_id), ("policy", report.policy),
                        ("policy_version", report.version), ("policy_source", report.source),
                        ("policy_sha256", report.sha256), ("model", evidence.provenance.model.name),
                        ("model_weights_sha256", evidence.provenance.model.weights_sha256)):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for result in report.results:
        case = ET.SubElement(suite, "testcase", {"classname": f"medaudit.gates.{result.probe_id}",
                                                 "name": result.id, "time": "0"})
        message = f"{result.status}: {result.explanation}"
        if result.status == "fail" or (strict and result.status != "pass"):
            failure = ET.SubElement(case, "failure", {"message": message, "type": f"gate-{result.status}"})
            failure.text = f"{message}\nRationale: {result.rationale}"
        elif result.status != "pass":
            ET.SubElement(case, "skipped", {"message": message})
        out = ET.SubElement(case, "system-out")
        out.text = f"{message}\nRationale: {result.rationale}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(path: Path, report: GateReport, evidence: Evidence, strict: bool = False) -> Path:
    try:
        Path(path).write_text(junit_xml(report, evidence, strict), encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return Path(path)


def summary_lines(report: GateReport) -> list[str]:
    """One line per gate for the terminal, then a count."""
    lines = [f"{r.status.upper().replace('_', ' '):15s} {r.id}: {r.explanation}" for r in report.results]
    counts = gate_counts(report)
    lines.append(f"gates ({report.policy}): " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    return lines
