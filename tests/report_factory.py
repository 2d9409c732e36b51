"""Hand-built evidence for report-layer tests (crosswalk, policy gates, signing, diff): no model, no probes run."""

from __future__ import annotations

from typing import Iterable, Sequence

from audit.evidence import (
    ChatMessage,
    DataSource,
    Evidence,
    ItemResult,
    Metric,
    ModelIdentity,
    ProbeResult,
    Provenance,
    TestRecord,
    Threshold,
    Verdict,
)

SUITES = {
    "pubmedqa": "hallucination", "none_of_the_above": "hallucination", "false_confidence": "hallucination",
    "context_counterfactual": "hallucination", "citation_fabrication": "hallucination", "truth_probe": "hallucination",
    "sycophancy": "hallucination", "fabricated_entities": "hallucination",
    "counterfactual_decisions": "bias", "stereotype_preference": "bias", "representation": "bias",
    "phi_elicitation": "privacy", "contextual_disclosure": "privacy", "canary_exposure": "privacy",
    "membership_inference": "privacy", "memorisation_extraction": "privacy",
}
PRIVACY = [p for p, s in SUITES.items() if s == "privacy"]


def metric(name: str, estimate: float | None, low: float | None, high: float | None, n: int = 100,
           kind: str = "rate") -> Metric:
    return Metric(name=name, description=f"{name} (test)", estimate=estimate, ci_low=low, ci_high=high, n=n,
                  method="Wilson", kind=kind)


def item(probe_id: str, index: int, outcome: str = "correct", response: str = "yes") -> ItemResult:
    return ItemResult(probe_id=probe_id, item_id=f"{probe_id}-{index}", index=index,
                      prompt=[ChatMessage(role="user", content=f"question {index}?")], response=response,
                      parsed=response, reference="yes", outcome=outcome)


def probe(probe_id: str, metrics: Sequence[Metric] = (), status: str = "completed", tests: Sequence[TestRecord] = (),
          skip_reason: str | None = None, n_items: int = 3, tags: Sequence[str] = ()) -> ProbeResult:
    completed = status == "completed"
    metrics = list(metrics) or ([metric("accuracy", 0.8, 0.7, 0.9)] if completed else [])
    if completed and probe_id == "counterfactual_decisions" and not tests:
        metrics.append(metric("diff:race=Black-White", 0.01, -0.02, 0.04, kind="difference"))
        tests = [TestRecord(name="wilcoxon:race", description="paired test", statistic=1.0, p_value=0.3, n=20)]
    verdict = None
    if completed:
        first = metrics[0]
        threshold = Threshold(metric=first.name, operator=">=", value=0.5, rationale="test threshold")
        verdict = Verdict(status="pass", threshold=threshold, explanation="test")
    return ProbeResult(
        probe_id=probe_id, suite=SUITES.get(probe_id, "custom"), title=f"{probe_id} title", description="test probe",
        references=["ref"], tags=list(tags), requires=[], status=status,  # type: ignore[arg-type]
        skip_reason=skip_reason or (None if completed else "the model backend lacks: hooks"),
        data=DataSource(path=f"probes/data/{probe_id}.jsonl", sha256="ab" * 32, n_items_available=10,
                        n_items_used=n_items, selection="test") if completed else None,
        metrics=metrics if completed else [], tests=list(tests) if completed else [], verdict=verdict,
        outcome_counts={"correct": n_items} if completed else {},
        items=[item(probe_id, i) for i in range(n_items)] if completed else [])


def provenance(**changes) -> Provenance:
    base = dict(tool_version="0.1.0", git_commit="abc123", command_line=["medaudit", "run"], python="3.11.0",
                platform="Linux x86_64", packages={"medaudit": "0.1.0", "torch": "2.13.0"},
                model=ModelIdentity(name="test-model", source="/models/test", weights_sha256="cd" * 32,
                                    tokenizer_sha256="ef" * 32, architecture="LlamaForCausalLM", n_parameters=135_000_000,
                                    capabilities=["generate", "hooks", "score"]),
                seed=0, profile="default", limit=None, decoding={"generation_default": "greedy"},
                data_files={"probes/data/pubmedqa.jsonl": "ab" * 32}, started_at="2026-01-01T00:00:00+00:00",
                finished_at="2026-01-01T00:10:00+00:00")
    base.update(changes)
    return Provenance(**base)


def evidence(results: Iterable[ProbeResult], **changes) -> Evidence:
    return Evidence(audit_id="ma-test", provenance=changes.pop("provenance", None) or provenance(),
                    probe_results=list(results), **changes)


def run_of(probe_ids: Iterable[str], **changes) -> Evidence:
    """Evidence in which each named probe completed with a passing accuracy metric."""
    return evidence([probe(p) for p in probe_ids], **changes)


def large_run(n_items: int = 5000, n_probes: int = 5, prompt_chars: int = 1000, response_chars: int = 300,
              fail_every: int = 7) -> Evidence:
    """Synthetic evidence with ``n_items`` items spread over ``n_probes`` probes (long prompts and responses,
    one item in ``fail_every`` failed), for the large-run page tests and bench/bench_report_size.py."""
    probe_ids = list(SUITES)[:n_probes]
    per_probe = [n_items // n_probes + (1 if i < n_items % n_probes else 0) for i in range(n_probes)]
    results = []
    for probe_id, count in zip(probe_ids, per_probe):
        items = []
        for i in range(count):
            outcome = "incorrect" if i % fail_every == 0 else "correct"
            text = f"case {i}: " + ("a 54-year-old patient presents with chest pain radiating to the left arm. " *
                                    (prompt_chars // 72 + 1))[:prompt_chars]
            items.append(ItemResult(probe_id=probe_id, item_id=f"{probe_id}-{i:05d}", index=i, group=f"g{i // 2}",
                                    condition="with_context" if i % 2 else "closed_book",
                                    prompt=[ChatMessage(role="system", content="You are a careful clinician."),
                                            ChatMessage(role="user", content=text)],
                                    response=("The answer is yes because " * (response_chars // 26 + 1))[:response_chars],
                                    option_logprobs={"yes": -0.4, "no": -1.3, "maybe": -2.2}, parsed="yes",
                                    reference="no" if outcome == "incorrect" else "yes", outcome=outcome,
                                    scores={"p_correct": 0.61, "margin": 0.9}, elapsed_s=0.12))
        failed = sum(it.outcome != "correct" for it in items)
        result = probe(probe_id).model_copy(update={"items": items, "outcome_counts": {
            "correct": count - failed, "incorrect": failed}})
        results.append(result)
    return evidence(results)
