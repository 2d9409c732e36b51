"""The regulatory crosswalk: clause → report sections → evidence → status, computed from the evidence.

The clauses, what evidence each needs and why live in ``crosswalk.yaml`` beside this module (data, not
code). This module validates that file and decides each clause's status from what a run actually
contains:

- **met**: every required piece of evidence is present;
- **partial**: some are present, others missing or skipped (each named);
- **not measured**: none is present (e.g. the privacy clauses of a run without the privacy suite);
- **not applicable**: the clause declares ``not_applicable``, or its ``applies_when`` / ``applies_unless``
  selector rules it out for this run.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from audit.errors import MedauditError
from audit.evidence import Evidence, ModelIdentity, ProbeResult, Provenance

CROSSWALK_PATH = Path(__file__).with_name("crosswalk.yaml")

SECTIONS = ("cover", "verdict", "gates", "system", "methods", "statistics", "reliability", "findings", "explainability",
            "limitations", "risks", "change", "monitoring", "crosswalk", "manifest")
"""Report anchors a clause may point to (HTML ids; Markdown headings of the same sections)."""

SELECTOR_KINDS = ("suite", "probe", "tag", "metric", "test", "verdict", "items", "provenance", "evidence", "model",
                  "provider")

_DECLARED = {"intended_purpose": "purpose", "intended_use": "purpose", "intended_population": "population"}
"""provider:... selectors that the intended-use declaration (medaudit run --intended-use) answers, and its field."""

Status = Literal["met", "partial", "not_measured", "not_applicable"]
State = Literal["present", "skipped", "absent"]

STATUS_LABELS = {"met": "met", "partial": "partial", "not_measured": "not measured", "not_applicable": "not applicable"}


class CrosswalkError(MedauditError):
    """The crosswalk file is missing or malformed."""


# ----------------------------------------------------------------------------------------------- the file


def _check_selector(text: str) -> str:
    kind, sep, argument = text.partition(":")
    if not sep or not argument.strip():
        raise ValueError(f"evidence selector {text!r} must look like 'kind:argument'")
    if kind not in SELECTOR_KINDS:
        raise ValueError(f"evidence selector {text!r}: unknown kind {kind!r} (known: {', '.join(SELECTOR_KINDS)})")
    if kind in ("metric", "test") and "/" not in argument:
        raise ValueError(f"evidence selector {text!r} must look like '{kind}:PROBE/NAME' (globs allowed)")
    if kind == "provenance":
        _check_path(Provenance, argument, text)
    if kind == "evidence" and argument not in Evidence.model_fields:
        raise ValueError(f"evidence selector {text!r}: Evidence has no field {argument!r}")
    if kind == "model":
        field, eq, _ = argument.partition("=")
        if not eq or field not in ModelIdentity.model_fields:
            raise ValueError(f"evidence selector {text!r} must look like 'model:FIELD=VALUE' with a field of the "
                             "model identity")
    return text


def _check_path(model: type[BaseModel], dotted: str, text: str) -> None:
    current: Any = model
    for part in dotted.split("."):
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            raise ValueError(f"evidence selector {text!r}: no field {part!r} in {getattr(current, '__name__', current)}")
        current = fields[part].annotation


class AnyOf(BaseModel):
    """Satisfied by any one of its selectors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list[str] = Field(min_length=2)

    @field_validator("any")
    @classmethod
    def _selectors(cls, value: list[str]) -> list[str]:
        return [_check_selector(s) for s in value]

    def __str__(self) -> str:
        return "any of " + ", ".join(self.any)


Requirement = Union[str, AnyOf]


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)


class Clause(BaseModel):
    """One clause of one framework, and the evidence that answers it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    framework: str
    clause: str = Field(min_length=1)
    title: str = Field(min_length=1)
    sections: list[str] = Field(min_length=1)
    requires: list[Requirement] = Field(default_factory=list)
    optional: list[Requirement] = Field(default_factory=list)
    applies_when: str | None = None
    applies_unless: str | None = None
    not_applicable: str | None = None
    justification: str = Field(min_length=10)

    @field_validator("sections")
    @classmethod
    def _sections(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown report section(s) {', '.join(unknown)} (known: {', '.join(SECTIONS)})")
        return value

    @field_validator("requires", "optional")
    @classmethod
    def _requirements(cls, value: list[Requirement]) -> list[Requirement]:
        return [_check_selector(r) if isinstance(r, str) else r for r in value]

    @field_validator("applies_when", "applies_unless")
    @classmethod
    def _applicability(cls, value: str | None) -> str | None:
        return None if value is None else _check_selector(value)

    @model_validator(mode="after")
    def _rule(self) -> "Clause":
        if self.not_applicable is None and not self.requires:
            raise ValueError("needs `requires` (the evidence that answers it) or `not_applicable` (why it never applies)")
        if self.not_applicable is not None and self.requires:
            raise ValueError("`not_applicable` and `requires` exclude each other")
        return self


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    frameworks: dict[str, Framework]
    clauses: list[Clause]
    source: str = ""
    sha256: str = ""

    def framework_title(self, key: str) -> str:
        return self.frameworks[key].title


def _entry_name(raw: Any, index: int) -> str:
    name = raw.get("id") if isinstance(raw, dict) else None
    return f"clause #{index + 1}" + (f" ({name})" if isinstance(name, str) else "")


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"] if not isinstance(p, str) or p not in ("str", "AnyOf"))
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_crosswalk(path: Path | str | None = None) -> Crosswalk:
    """Read and validate a crosswalk file; errors name the file and the entry."""
    path = Path(path) if path is not None else CROSSWALK_PATH
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise CrosswalkError(f"{path}: cannot read the crosswalk: {exc.strerror or exc}") from None
    try:
        document = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CrosswalkError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(document, dict):
        raise CrosswalkError(f"{path}: expected a mapping with 'version', 'frameworks' and 'clauses'")
    unknown = set(document) - {"version", "frameworks", "clauses"}
    if unknown:
        raise CrosswalkError(f"{path}: unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    try:
        frameworks = {str(k): Framework.model_validate(v) for k, v in (document.get("frameworks") or {}).items()}
    except ValidationError as exc:
        raise CrosswalkError(f"{path}: frameworks: {_first_error(exc)}") from None
    raw_clauses = document.get("clauses")
    if not isinstance(raw_clauses, list) or not raw_clauses:
        raise CrosswalkError(f"{path}: 'clauses' must be a non-empty list")
    clauses: list[Clause] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_clauses):
        entry = _entry_name(raw, index)
        if not isinstance(raw, dict):
            raise CrosswalkError(f"{path}: {entry}: expected a mapping, got {type(raw).__name__}")
        try:
            clause = Clause.model_validate(raw)
        except ValidationError as exc:
            raise CrosswalkError(f"{path}: {entry}: {_first_error(exc)}") from None
        if clause.framework not in frameworks:
            raise CrosswalkError(f"{path}: {entry}: framework {clause.framework!r} is not declared under 'frameworks'")
        if clause.id in seen:
            raise CrosswalkError(f"{path}: {entry}: duplicate id")
        seen.add(clause.id)
        clauses.append(clause)
    version = document.get("version")
    if not isinstance(version, int):
        raise CrosswalkError(f"{path}: 'version' must be an integer")
    return Crosswalk(version=version, frameworks=frameworks, clauses=clauses, source=str(path),
                     sha256=hashlib.sha256(raw_bytes).hexdigest())


@lru_cache(maxsize=1)
def default_crosswalk() -> Crosswalk:
    return load_crosswalk(CROSSWALK_PATH)


# ----------------------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Support:
    """How far one required (or optional) piece of evidence is present in a run."""

    requirement: str
    state: State
    detail: str


@dataclass(frozen=True)
class ClauseStatus:
    clause: Clause
    framework: str
    status: Status
    required: tuple[Support, ...]
    optional: tuple[Support, ...]
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _probes_named(evidence: Evidence, selector: str, label: str, pick) -> Support:
    chosen = [r for r in evidence.probe_results if pick(r)]
    done = [r for r in chosen if r.status == "completed"]
    if done:
        return Support(selector, "present", f"{label}: " + ", ".join(f"{r.probe_id} ({len(r.items)} items)"
                                                                       for r in done))
    if chosen:
        return Support(selector, "skipped", f"{label}: " + "; ".join(f"{r.probe_id} {r.status}"
                                                                     + (f" ({r.skip_reason})" if r.skip_reason else "")
                                                                     for r in chosen))
    return Support(selector, "absent", f"{label}: not in this run")


def _named_records(evidence: Evidence, selector: str, argument: str, what: str) -> Support:
    probe_glob, _, name_glob = argument.partition("/")
    probes = [r for r in evidence.probe_results if fnmatch.fnmatchcase(r.probe_id, probe_glob)]
    found, empty = [], []
    for result in probes:
        if result.status != "completed":
            continue
        records = result.metrics if what == "metric" else result.tests
        for record in records:
            if not fnmatch.fnmatchcase(record.name, name_glob):
                continue
            usable = (record.estimate is not None and record.ci_low is not None and record.ci_high is not None
                      if what == "metric" else record.p_value is not None)
            (found if usable else empty).append(f"{result.probe_id}/{record.name}")
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        return Support(selector, "present", f"{len(found)} {what}(s): " + ", ".join(found[:3]) + more)
    if empty:
        return Support(selector, "skipped", f"{what}(s) without data: " + ", ".join(empty[:3]))
    if any(r.status != "completed" for r in probes):
        return Support(selector, "skipped", "probe(s) not completed: " + ", ".join(
            r.probe_id for r in probes if r.status != "completed"))
    return Support(selector, "absent", f"no {what} matching {argument} in this run")


def _lookup(root: Any, dotted: str) -> Any:
    current = root
    for part in dotted.split("."):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def _filled(value: Any) -> bool:
    return value not in (None, "", "unknown") and not (isinstance(value, (list, dict, tuple)) and not value)


def resolve(selector: str, evidence: Evidence) -> Support:
    """Whether the evidence holds what ``selector`` names (see the head of crosswalk.yaml)."""
    kind, _, argument = selector.partition(":")
    if kind == "suite":
        return _probes_named(evidence, selector, f"suite {argument}", lambda r: r.suite == argument)
    if kind == "probe":
        return _probes_named(evidence, selector, f"probe {argument}", lambda r: r.probe_id == argument)
    if kind == "tag":
        return _probes_named(evidence, selector, f"tag {argument}", lambda r: argument in r.tags)
    if kind in ("metric", "test"):
        return _named_records(evidence, selector, argument, kind)
    if kind == "verdict":
        reached = [r.probe_id for r in evidence.probe_results if fnmatch.fnmatchcase(r.probe_id, argument)
                   and r.verdict is not None and r.verdict.status != "not_run"]
        if reached:
            return Support(selector, "present", f"threshold verdicts reached: {', '.join(reached[:5])}"
                           + (f" and {len(reached) - 5} more" if len(reached) > 5 else ""))
        return Support(selector, "absent", "no threshold verdict reached")
    if kind == "items":
        count = sum(1 for r in evidence.probe_results if r.status == "completed" for item in r.items
                    if _filled(getattr(item, argument, None)))
        return (Support(selector, "present", f"{count} item(s) record {argument}") if count else
                Support(selector, "absent", f"no item records {argument}"))
    if kind == "provenance":
        value = _lookup(evidence.provenance, argument)
        return (Support(selector, "present", f"provenance {argument} recorded") if _filled(value) else
                Support(selector, "absent", f"provenance {argument} not recorded"))
    if kind == "evidence":
        value = getattr(evidence, argument, None)
        return (Support(selector, "present", f"{argument}: {len(value) if isinstance(value, list) else 1} record(s)")
                if _filled(value) else Support(selector, "absent", f"no {argument} in this run"))
    if kind == "model":
        field, _, expected = argument.partition("=")
        value = getattr(evidence.provenance.model, field, None)
        if isinstance(value, (list, tuple)):
            matches, verb = expected in value, ("includes", "does not include")
        else:
            matches, verb = str(value) == expected, ("is", "is not")
        return Support(selector, "present" if matches else "absent",
                       f"model {field} {verb[0] if matches else verb[1]} {expected}")
    if kind == "provider":
        declared = _DECLARED.get(argument)
        value = getattr(evidence.intended_use, declared, None) if declared and evidence.intended_use else None
        if value:
            return Support(selector, "present", f"{argument.replace('_', ' ')}: declared by the provider "
                           f"({evidence.intended_use.source}), shown in the report, not tested")
        return Support(selector, "absent", f"{argument.replace('_', ' ')}: supplied by the provider, not evidenced by "
                       "an audit")
    raise CrosswalkError(f"unknown evidence selector kind {kind!r}")  # validated on load; defensive


def _resolve_requirement(requirement: Requirement, evidence: Evidence) -> Support:
    if isinstance(requirement, str):
        return resolve(requirement, evidence)
    parts = [resolve(s, evidence) for s in requirement.any]
    for state in ("present", "skipped"):
        hits = [p for p in parts if p.state == state]
        if hits:
            return Support(str(requirement), state, "; ".join(p.detail for p in hits))
    return Support(str(requirement), "absent", "none of them in this run")


def clause_status(clause: Clause, evidence: Evidence) -> ClauseStatus:
    """Decide one clause's status from the evidence, by the clause's own rule."""
    optional = tuple(_resolve_requirement(r, evidence) for r in clause.optional)
    if clause.not_applicable is not None:
        return ClauseStatus(clause, clause.framework, "not_applicable", (), optional, clause.not_applicable.strip())
    if clause.applies_when and resolve(clause.applies_when, evidence).state != "present":
        return ClauseStatus(clause, clause.framework, "not_applicable", (), optional,
                            f"applies only when {clause.applies_when}: {resolve(clause.applies_when, evidence).detail}")
    if clause.applies_unless and resolve(clause.applies_unless, evidence).state == "present":
        return ClauseStatus(clause, clause.framework, "not_applicable", (), optional,
                            f"does not apply when {clause.applies_unless}: "
                            f"{resolve(clause.applies_unless, evidence).detail}")
    required = tuple(_resolve_requirement(r, evidence) for r in clause.requires)
    present = sum(s.state == "present" for s in required)
    missing = [s for s in required if s.state != "present"]
    if not missing:
        status: Status = "met"
        reason = "all required evidence present"
    elif present:
        status = "partial"
        reason = "missing or skipped: " + ", ".join(s.requirement for s in missing)
    else:
        status = "not_measured"
        reason = "none of the required evidence is in this run"
    return ClauseStatus(clause, clause.framework, status, required, optional, reason)


def evaluate_crosswalk(evidence: Evidence, crosswalk: Crosswalk | None = None) -> list[ClauseStatus]:
    """Every clause's status for this evidence, in the file's order."""
    crosswalk = crosswalk or default_crosswalk()
    return [clause_status(c, evidence) for c in crosswalk.clauses]


def crosswalk_view(evidence: Evidence, crosswalk: Crosswalk | None = None) -> dict[str, Any]:
    """What the report's crosswalk section shows: rows grouped by framework, and status counts."""
    crosswalk = crosswalk or default_crosswalk()
    rows = evaluate_crosswalk(evidence, crosswalk)
    groups = []
    for key, framework in crosswalk.frameworks.items():
        members = [r for r in rows if r.framework == key]
        if members:
            groups.append({"key": key, "title": framework.title, "citation": framework.citation, "rows": members})
    counts = {label: sum(r.status == status for r in rows) for status, label in STATUS_LABELS.items()}
    return {"groups": groups, "counts": counts, "source": Path(crosswalk.source).name, "sha256": crosswalk.sha256,
            "version": crosswalk.version}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


if __name__ == "__main__":  # pragma: no cover - print statuses for an evidence file
    import sys

    from audit.report.render import load_evidence

    for row in evaluate_crosswalk(load_evidence(Path(sys.argv[1]))):
        print(f"{row.clause.id:40s} {row.label:15s} {row.reason}")
