"""Evidence whose every user- or model-controlled string carries script, markup, template and URL payloads.

Used by the browser tests (nothing may execute, load or error in a real Chromium) and the PDF test.
"""

from __future__ import annotations

from audit.evidence import (
    ChatMessage,
    ComponentReliability,
    Explanation,
    Finding,
    IntendedUse,
    ItemResult,
    LayerProfile,
    Metric,
    TestRecord,
    TokenAttribution,
)
from audit.report.policy import apply_policy, load_policy
from tests.report_factory import SUITES, evidence, metric, probe, provenance

MARK = "PLANTED"
TEMPLATE = MARK + "{{ 7*7 }}"  # must be shown literally, never as PLANTED49
PAYLOADS = (
    '<script>window.__pwned="script";console.error("pwned script")</script>',
    '<img src=x onerror="window.__pwned=\'img\'">',
    '<a href="javascript:window.__pwned=\'link\'">click me</a> javascript:window.__pwned="text"',
    '"><svg onload="window.__pwned=\'attr\'"><x y=\'',
    "'><iframe src=\"https://evil.example/frame\"></iframe>",
    '<link rel="stylesheet" href="https://evil.example/a.css"><meta http-equiv="refresh" content="0;url=javascript:1">',
    "![x](https://evil.example/pixel.png) [link](javascript:alert(1))",
    TEMPLATE,
    "{% raw %}{{ config }}{% endraw %}",
)
HOSTILE = " ".join(PAYLOADS)


def _item(probe_id: str, index: int, outcome: str) -> ItemResult:
    return ItemResult(
        probe_id=probe_id, item_id=f"{probe_id}-{index} {HOSTILE}", index=index, group=f"g{index} {HOSTILE}",
        condition=f"cond {HOSTILE}",
        prompt=[ChatMessage(role="system", content=f"system {HOSTILE}"), ChatMessage(role="user", content=HOSTILE)],
        response=f"response {HOSTILE}", option_logprobs={f"opt {HOSTILE}": -0.5, "no": -1.2},
        parsed=f"parsed {HOSTILE}", reference=f"ref {HOSTILE}", outcome=outcome,  # type: ignore[arg-type]
        scores={f"score {HOSTILE}": 1.0}, error=f"error {HOSTILE}" if outcome == "error" else None)


def hostile_evidence(policy_dir=None):
    """Evidence with payloads in model output, parsed answers, item ids, explanation tokens, probe metadata,
    provenance, findings, the intended use, a parser's reliability record and (given ``policy_dir``) a policy's
    name and rationale."""
    results = []
    for probe_id in ("pubmedqa", "counterfactual_decisions", "phi_elicitation"):
        base = probe(probe_id)
        metrics = [metric("accuracy", 0.4, 0.3, 0.5),
                   Metric(name=f"diff:{HOSTILE}", description=f"desc {HOSTILE}", estimate=0.02, ci_low=-0.01,
                          ci_high=0.05, n=20, method=f"bootstrap {HOSTILE}", kind="difference"),
                   Metric(name="diff:other", description="d", estimate=-0.01, ci_low=-0.03, ci_high=0.01, n=20,
                          method="bootstrap", kind="difference")]
        items = [_item(probe_id, i, outcome) for i, outcome in
                 enumerate(["correct", "incorrect", "abstained", "unparseable", "error"])]
        results.append(base.model_copy(update={
            "title": f"Title {HOSTILE}", "description": f"Description {HOSTILE}", "references": [HOSTILE],
            "metrics": metrics, "items": items,
            "outcome_counts": {"correct": 1, "incorrect": 1, "abstained": 1, "unparseable": 1, "error": 1},
            "tests": [TestRecord(name=f"test {HOSTILE}", description=HOSTILE, statistic=1.0, p_value=0.2, n=5,
                                 effect=0.1, effect_name=HOSTILE, p_adjusted={"holm": 0.4}, details={HOSTILE: 1.0})],
            "data": base.data.model_copy(update={"path": f"data/{HOSTILE}.jsonl", "selection": HOSTILE,
                                                 "license": HOSTILE}),
            "verdict": base.verdict.model_copy(update={"explanation": HOSTILE}),
        }))
    # A third-party probe whose id itself is hostile (ids end up in attributes and in the filter script).
    odd = probe("custom_probe")
    odd_id = 'odd"]\'><script>window.__pwned="id"</script>'
    results.append(odd.model_copy(update={"probe_id": odd_id, "items": [
        _item(odd_id, 0, "correct").model_copy(update={"probe_id": odd_id})]}))
    results.append(probe("contextual_disclosure", status="skipped", skip_reason=f"skipped {HOSTILE}"))
    results += [probe(p) for p in SUITES if p not in {r.probe_id for r in results}]
    attribution = TokenAttribution(method="occlusion", target="contrastive", baseline="<pad>",
                                   tokens=[p for p in PAYLOADS] + ["yes"], scores=[0.1 * i - 0.3 for i in range(len(PAYLOADS) + 1)],
                                   target_value=0.5, model_calls=10, faithfulness={"comprehensiveness": 0.2,
                                                                                   "random_comprehensiveness": 0.1})
    explanation = Explanation(
        id="e1", finding_id="pubmedqa:fail", probe_id="pubmedqa", item_id=f"pubmedqa-1 {HOSTILE}",
        target_text=HOSTILE, foil_text=HOSTILE, question=f"why {HOSTILE}", attributions=[attribution],
        layer_profiles=[LayerProfile(name=f"lens {HOSTILE}", description=HOSTILE, layers=["0", "1", "2"],
                                     values=[0.1, None, 0.3])],
        partner_item_id=HOSTILE, notes=[HOSTILE])
    model = provenance().model.model_copy(update={"name": f"model {HOSTILE}", "source": HOSTILE,
                                                  "architecture": HOSTILE})
    ev = evidence(results, provenance=provenance(model=model, command_line=["medaudit", "run", HOSTILE],
                                                 decoding={"note": HOSTILE}, packages={HOSTILE: HOSTILE},
                                                 data_files={HOSTILE: "ab" * 32}),
                  findings=[Finding(id="pubmedqa:fail", probe_id="pubmedqa", severity="high",
                                    summary=f"summary {HOSTILE}", item_ids=["pubmedqa-1"])],
                  explanations=[explanation], explanation_plan=f"plan {HOSTILE}",
                  pii_detectors=[metric("recall:overall", 0.95, 0.9, 0.98)],
                  intended_use=IntendedUse(purpose=f"purpose {HOSTILE}", users=[HOSTILE], population=HOSTILE,
                                           setting=HOSTILE, human_oversight=HOSTILE, out_of_scope=[HOSTILE],
                                           declared_by=HOSTILE, source=HOSTILE),
                  reliability=[ComponentReliability(
                      id=HOSTILE, title=f"parser {HOSTILE}", kind="parser", used_by=["pubmedqa", HOSTILE],
                      dataset=HOSTILE, dataset_sha256="ab" * 32, dataset_status=HOSTILE, computed_by=HOSTILE,
                      metrics=[metric(f"recall:{HOSTILE}/{HOSTILE}", 0.5, 0.3, 0.7, n=12),
                               metric(f"precision:{HOSTILE}/{HOSTILE}", 0.6, 0.4, 0.8, n=10)])])
    if policy_dir is not None:
        import yaml

        path = policy_dir / "hostile-policy.yaml"
        path.write_text(yaml.safe_dump({"name": f"policy {HOSTILE}", "gates": [
            {"id": "acc", "probe": "pubmedqa", "metric": "accuracy", "direction": "min", "threshold": 0.5,
             "rationale": f"rationale {HOSTILE}"}]}))
        ev = apply_policy(ev, load_policy(path))
    return ev
