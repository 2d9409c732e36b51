"""CycloneDX 1.6 ML-BOM of the audited model: the model as a ``machine-learning-model`` component whose
``modelCard`` carries every measured metric with its confidence interval (``quantitativeAnalysis.
performanceMetrics``, sliced by probe), the bias findings as ``fairnessAssessments`` and the failed or
inconclusive verdicts as technical limitations; each probe data file is a ``data`` component (sha256) the model
card references as a dataset. Validated against the official CycloneDX 1.6 JSON schema in the tests (the
``cyclonedx-python-lib`` package ships it).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from audit.evidence import Evidence
from audit.report.exports._common import HEX64, published_metrics, verdict_status

SPEC_VERSION = "1.6"
_NAMESPACE = uuid.UUID("6f1c8a4e-2b7d-4c1e-9a51-3d0f2e8b7c11")  # serial numbers: uuid5 of the audit id


def _hashes(sha: str) -> list[dict[str, str]]:
    return [{"alg": "SHA-256", "content": sha.lower()}] if HEX64.match(sha) else []


def bom(evidence: Evidence) -> dict[str, Any]:
    p = evidence.provenance
    model = p.model
    data_components, dataset_refs = [], []
    for result in evidence.probe_results:
        if result.data is None:
            continue
        ref = f"data:{result.probe_id}"
        component = {"type": "data", "bom-ref": ref, "name": result.data.path,
                     "description": f"{result.probe_id} probe data: {result.data.n_items_used} of "
                                    f"{result.data.n_items_available} items ({result.data.selection})",
                     "hashes": _hashes(result.data.sha256),
                     "data": [{"type": "dataset", "name": result.data.path,
                               "classification": "evaluation data (medaudit probe)"}]}
        if result.data.license:
            component["licenses"] = [{"license": {"name": result.data.license}}]
        data_components.append(component)
        dataset_refs.append({"ref": ref})
    metrics = [{"type": metric.name, "value": f"{metric.estimate:.6g}", "slice": f"probe={result.probe_id}",
                "confidenceInterval": {"lowerBound": f"{metric.ci_low:.6g}", "upperBound": f"{metric.ci_high:.6g}"}}
               for result in evidence.probe_results for metric in published_metrics(result)]
    limitations = [f"{r.probe_id}: {verdict_status(r)}" + (f" — {r.verdict.explanation}" if r.verdict else "")
                   for r in evidence.probe_results if verdict_status(r) in ("fail", "inconclusive")]
    limitations += [f"{r.probe_id}: not measured ({r.skip_reason or r.status})"
                    for r in evidence.probe_results if r.status != "completed"]
    fairness = [{"groupAtRisk": f"patients whose demographics differ only in the attributes {r.probe_id} swaps",
                 "harms": (r.verdict.explanation if r.verdict else r.description),
                 "benefits": "none: identical clinical content should get identical answers",
                 "mitigationStrategy": "not in the audit evidence: to be supplied by the model provider"}
                for r in evidence.probe_results if r.suite == "bias" and verdict_status(r) in ("fail", "inconclusive")]
    considerations: dict[str, Any] = {}
    if limitations:
        considerations["technicalLimitations"] = limitations
    if fairness:
        considerations["fairnessAssessments"] = fairness
    model_card: dict[str, Any] = {
        "bom-ref": "model-card",
        "modelParameters": {"task": "text-generation", "architectureFamily": model.architecture or "unknown",
                            "inputs": [{"format": "text (chat messages)"}], "outputs": [{"format": "text"}],
                            **({"datasets": dataset_refs} if dataset_refs else {})},
        "quantitativeAnalysis": {"performanceMetrics": metrics} if metrics else {},
    }
    if considerations:
        model_card["considerations"] = considerations
    component: dict[str, Any] = {
        "type": "machine-learning-model", "bom-ref": "model", "name": model.name,
        "description": f"{model.name} from {model.source} ({model.n_parameters or 'unknown'} parameters), "
                       f"audited by medaudit (audit {evidence.audit_id})",
        "hashes": _hashes(model.weights_sha256),
        "properties": [{"name": "medaudit:audit_id", "value": evidence.audit_id},
                       {"name": "medaudit:tokenizer_sha256", "value": model.tokenizer_sha256},
                       {"name": "medaudit:profile", "value": p.profile},
                       {"name": "medaudit:seed", "value": str(p.seed)}],
        "modelCard": model_card,
    }
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid5(_NAMESPACE, evidence.audit_id)}", "version": 1,
        "metadata": {"timestamp": p.finished_at,
                     "tools": {"components": [{"type": "application", "name": "medaudit", "version": p.tool_version}]},
                     "component": {"type": "machine-learning-model", "bom-ref": "audited-model", "name": model.name}},
        "components": [component, *data_components],
        "dependencies": [{"ref": "model", "dependsOn": [d["bom-ref"] for d in data_components]}]
        if data_components else [],
    }


def write(evidence: Evidence, out: Path) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bom(evidence), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [out]
