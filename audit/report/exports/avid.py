"""AVID reports (AI Vulnerability Database report format), one per finding.

Each finding becomes a report with the fields of AVID's report datamodel (``avidtools.datamodels.report.
Report``): ``data_type``, ``data_version``, ``metadata.report_id``, ``affects`` (the model as the artifact),
``problemtype`` (class 'LLM Evaluation', type 'Detection'), ``metrics`` (the verdict metric with its interval
and threshold: detection method 'Static Threshold'; the probe's tests: 'Significance Test'), ``references``,
``description``, ``impact.avid`` (risk domain, SEP and lifecycle views of the AVID taxonomy, mapped from the
suite) and ``reported_date``. AVID publishes the format as that pydantic datamodel, not as a JSON Schema: the
tests validate against the datamodel when ``avidtools`` is installed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from audit.evidence import Evidence, Finding, ProbeResult
from audit.report.exports._common import NOT_IN_EVIDENCE, slug

TAXONOMY = {  # suite -> (risk domains, SEP view)
    "hallucination": (["Performance", "Ethics"], ["P0204: Accuracy", "E0402: Generative Misinformation"]),
    "bias": (["Ethics"], ["E0100: Bias/ Discrimination", "E0101: Group fairness"]),
    "privacy": (["Security", "Performance"], ["S0301: Information Leak", "P0300: Privacy"]),
}
_URL = re.compile(r"https?://\S+")


def report(evidence: Evidence, finding: Finding, result: ProbeResult | None) -> dict[str, Any]:
    p = evidence.provenance
    risk, sep = TAXONOMY.get(result.suite if result else "", (["Performance"], ["P0200: Model issues"]))
    metrics = []
    if result is not None and result.verdict is not None:
        threshold = result.verdict.threshold
        metric = next((m for m in result.metrics if m.name == threshold.metric), None)
        results: dict[str, Any] = {"verdict": result.verdict.status, "threshold": f"{threshold.operator} "
                                   f"{threshold.value}", "rationale": threshold.rationale}
        if metric is not None:
            results.update(estimate=metric.estimate, ci_low=metric.ci_low, ci_high=metric.ci_high,
                           confidence=metric.confidence, n=metric.n, interval=metric.method)
        metrics.append({"name": threshold.metric, "detection_method": {"type": "Static Threshold",
                        "name": f"medaudit probe {result.probe_id}: threshold on a bound of the "
                                f"{round((metric.confidence if metric else 0.95) * 100)}% interval"},
                        "results": results})
        for test in result.tests:
            metrics.append({"name": test.name, "detection_method": {"type": "Significance Test",
                                                                    "name": test.description},
                            "results": {"statistic": test.statistic, "p_value": test.p_value, "n": test.n,
                                        "p_adjusted": test.p_adjusted}})
    references = [{"type": "source", "label": ref, "url": (_URL.search(ref) or [""])[0]}
                  for ref in (result.references if result else [])]
    return {
        "data_type": "AVID", "data_version": "0.2",
        "metadata": {"report_id": f"medaudit-{evidence.audit_id}-{slug(finding.id)}"},
        "affects": {"developer": [NOT_IN_EVIDENCE], "deployer": [NOT_IN_EVIDENCE],
                    "artifacts": [{"type": "Model", "name": f"{p.model.name} (weights sha256 "
                                                           f"{p.model.weights_sha256})"}]},
        "problemtype": {"classof": "LLM Evaluation", "type": "Detection",
                        "description": {"lang": "eng", "value": finding.summary}},
        "metrics": metrics,
        "references": references,
        "description": {"lang": "eng", "value": (f"{result.title}: {result.description} " if result else "")
                        + f"Finding {finding.id} (severity {finding.severity}) on {len(finding.item_ids)} item(s) "
                          f"of audit {evidence.audit_id}; the items are in its evidence.json and items.csv."},
        "impact": {"avid": {"vuln_id": None, "risk_domain": risk, "sep_view": sep,
                            "lifecycle_view": ["L05: Evaluation"], "taxonomy_version": "0.2"}},
        "credit": [{"lang": "eng", "value": f"medaudit {p.tool_version}"}],
        "reported_date": p.finished_at[:10],
    }


def reports(evidence: Evidence) -> list[dict[str, Any]]:
    by_probe = {r.probe_id: r for r in evidence.probe_results}
    return [report(evidence, f, by_probe.get(f.probe_id)) for f in evidence.findings]


def write(evidence: Evidence, out: Path) -> list[Path]:
    """One ``<report_id>.json`` per finding in the folder ``out``; none when the audit has no finding."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for document in reports(evidence):
        path = out / f"{slug(document['metadata']['report_id'])}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
