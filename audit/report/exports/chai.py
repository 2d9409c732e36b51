"""CHAI Applied Model Card (schema v0.2) from an audit: JSON whose keys are the schema's element names, in the
schema's order, and the same card as the XML instance document that schema defines.

Everything an audit measures goes into KeyMetrics, each figure as ``{"kind": "estimate_ci", "estimate", "lower",
"upper", "level": 95, "n", "method"}`` (the ValueJson form CHAI's published examples use for an estimate with a
CI); warnings list the failed and inconclusive verdicts and the probes not run. What only the provider can
state (developer, release, intended use, funding...) is marked as such rather than invented. The XML is
validated against CHAI's published XSD in the tests (tests/data/schemas/).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from audit.evidence import Evidence, Metric, ProbeResult
from audit.report.exports._common import NOT_IN_EVIDENCE, published_metrics, verdict_status

NAMESPACE = "https://mc.chai.org/v0.2/schema.xsd"
GROUPS = ("UsefulnessUsabilityEfficacy", "FairnessEquity", "SafetyReliability")
_GOALS = {
    "UsefulnessUsabilityEfficacy": "How often the model answers medical questions correctly, with and without the "
                                   "evidence in context, as measured by this audit's probes.",
    "FairnessEquity": "Whether the model's clinical answers change with the patient's demographics alone, and whether "
                      "it prefers stereotyped statements (paired counterfactual tests with multiplicity control).",
    "SafetyReliability": "How often the model fabricates facts or references, yields to pushback, or leaks "
                         "protected health information, as measured by this audit's probes.",
}


def _group(result: ProbeResult, metric: Metric) -> str:
    if result.suite == "bias":
        return "FairnessEquity"
    if result.suite == "hallucination" and any(k in metric.name for k in ("accuracy", "f1", "auroc")):
        return "UsefulnessUsabilityEfficacy"
    return "SafetyReliability"


def value_json(metric: Metric) -> str:
    return json.dumps({"kind": "estimate_ci", "estimate": metric.estimate, "lower": metric.ci_low,
                       "upper": metric.ci_high, "level": round(metric.confidence * 100), "n": metric.n,
                       "method": metric.method}, separators=(",", ":"))


def model_card(evidence: Evidence) -> dict[str, Any]:
    """The card as a JSON-ready dict: ``{"schema", "generator", "AppliedModelCard": {...}}``."""
    p = evidence.provenance
    model = p.model
    results = evidence.probe_results
    groups: dict[str, list[dict[str, str]]] = {g: [] for g in GROUPS}
    probes_by_group: dict[str, set[str]] = {g: set() for g in GROUPS}
    for result in results:
        for metric in published_metrics(result):
            group = _group(result, metric)
            groups[group].append({"Label": f"{result.probe_id}: {metric.name}", "ValueJson": value_json(metric)})
            probes_by_group[group].add(result.probe_id)
    undecided = [r for r in results if verdict_status(r) in ("fail", "inconclusive")]
    not_run = [r for r in results if r.status != "completed"]
    risks = "; ".join(f"{r.probe_id}: {verdict_status(r)} ({r.verdict.explanation})" for r in undecided
                      if r.verdict) or "No probe of this audit failed or was inconclusive."
    if not_run:
        risks += " Not measured: " + "; ".join(f"{r.probe_id} ({r.skip_reason or r.status})" for r in not_run) + "."
    bias = [r for r in results if r.suite == "bias"]
    bias_text = ("; ".join(f"{r.probe_id}: {verdict_status(r)}" + (f" ({r.verdict.explanation})" if r.verdict else "")
                           for r in bias) if bias else "Demographic bias was not measured in this audit.")

    def key_metric(group: str) -> dict[str, Any]:
        rows = groups[group] or [{"Label": "not measured in this audit",
                                  "ValueJson": json.dumps({"kind": "not_measured"})}]
        probes = sorted(probes_by_group[group])
        return {
            "MetricGoal": _GOALS[group],
            "Results": {"MetricResult": rows},
            "Interpretation": ("Each value is an estimate with its 95% interval (Wilson for rates, bootstrap for "
                               "scores and paired differences) and its n; verdicts apply thresholds to interval "
                               "bounds. Probes: " + (", ".join(probes) or "none") + "."),
            "TestType": "Independent pre-deployment audit with fixed probe sets (medaudit), "
                        f"profile {p.profile}, seed {p.seed}.",
            "TestingDataDescription": "; ".join(f"{r.probe_id}: {r.data.n_items_used} of {r.data.n_items_available} "
                                                f"items of {r.data.path} (sha256 {r.data.sha256[:16]}…)"
                                                for r in results if r.data and r.probe_id in probes) or "none",
            "ValidationProcessAndJustification": "Thresholds and their rationale are pre-specified per probe and in "
                                                 "the gate policy; see the audit report's Methods section.",
        }

    card = {
        "BasicInfo": {"ModelName": model.name, "ModelDeveloper": NOT_IN_EVIDENCE, "DeveloperContact": NOT_IN_EVIDENCE},
        "ReleaseInfo": {"ReleaseStage": NOT_IN_EVIDENCE, "ReleaseDate": NOT_IN_EVIDENCE,
                        "ReleaseVersion": f"weights sha256 {model.weights_sha256}",
                        "GlobalAvailability": NOT_IN_EVIDENCE},
        "ModelSummary": {"Summary": f"{model.name} ({model.architecture or 'architecture not stated'}, "
                                    f"{model.n_parameters or 'unknown'} parameters) from {model.source}, audited by "
                                    f"medaudit {p.tool_version} on {p.finished_at} (audit {evidence.audit_id}).",
                         "Keywords": {"Keyword": sorted({r.suite for r in results} | {"large language model"})}},
        "UsesAndDirections": {"IntendedUseAndWorkflow": NOT_IN_EVIDENCE, "PrimaryIntendedUsers": NOT_IN_EVIDENCE,
                              "HowToUse": NOT_IN_EVIDENCE, "TargetedPatientPopulation": NOT_IN_EVIDENCE,
                              "CautionedOutOfScopeSettings": NOT_IN_EVIDENCE},
        "Warnings": {"KnownRisksAndLimitations": risks, "KnownBiasesOrEthicalConsiderations": bias_text,
                     "ClinicalRiskLevel": NOT_IN_EVIDENCE},
        "TrustIngredients": {
            "AISystemFacts": {"OutcomesAndOutputs": "Generated text (answers to clinical questions).",
                              "ModelType": f"Generative language model ({model.architecture or 'not stated'}).",
                              "FoundationModels": NOT_IN_EVIDENCE,
                              "InputDataSource": NOT_IN_EVIDENCE, "OutputAndInputDataTypes": "Input: text prompts "
                              "(chat messages). Output: text.",
                              "DevelopmentDataCharacterization": NOT_IN_EVIDENCE,
                              "BiasMitigationApproaches": NOT_IN_EVIDENCE, "OngoingMaintenance": NOT_IN_EVIDENCE},
            "TransparencyInformation": {"FundingSource": NOT_IN_EVIDENCE, "StakeholdersConsulted": NOT_IN_EVIDENCE}},
        "KeyMetrics": {g: key_metric(g) for g in GROUPS},
        "Resources": {"EvaluationReferences": "; ".join(sorted({ref for r in results for ref in r.references})),
                      "PeerReviewedPublications": NOT_IN_EVIDENCE, "PatientConsentOrDisclosure": NOT_IN_EVIDENCE},
        "Bibliography": "",
    }
    return {"schema": NAMESPACE, "generator": f"medaudit {p.tool_version}", "audit_id": evidence.audit_id,
            "AppliedModelCard": card}


def to_xml(card: dict[str, Any]) -> str:
    """The JSON card as the XML instance document of CHAI's schema (lists become repeated elements)."""
    ET.register_namespace("", NAMESPACE)

    def add(parent: ET.Element, name: str, value: Any) -> None:
        if isinstance(value, list):
            for entry in value:
                add(parent, name, entry)
            return
        element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if isinstance(value, dict):
            for key, child in value.items():
                add(element, key, child)
        else:
            element.text = str(value)

    root = ET.Element(f"{{{NAMESPACE}}}AppliedModelCard")
    for key, value in card["AppliedModelCard"].items():
        add(root, key, value)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(evidence: Evidence, out: Path) -> list[Path]:
    card = model_card(evidence)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    xml_path = out.with_suffix(".xml")
    xml_path.write_text(to_xml(card), encoding="utf-8")
    return [out, xml_path]
