"""Closing sections computed from the evidence: limitations, risks not measured (NIST AI RMF MEASURE 1.1) and
monitoring recommendations derived from the measured metrics."""

from __future__ import annotations

import yaml

from audit.evidence import GateReport, GateResult, Threshold, Verdict
from audit.report.closing import RISKS_PATH, items_to_decide, monitoring_view, risk_rows, risks_view, weak_figures
from audit.report.render import render_html, render_markdown
from audit.reliability import ReliabilitySource, component_reliability, measured_reliability
from tests.report_factory import SUITES, evidence, metric, probe

NIST_600_1 = {"cbrn", "confabulation", "dangerous-content", "data-privacy", "environmental", "harmful-bias",
              "human-ai-configuration", "information-integrity", "information-security", "intellectual-property",
              "obscene-content", "value-chain"}


def _status(ev, risk_id):
    return next(r for r in risk_rows(ev) if r.id == risk_id)


def test_risk_list_covers_the_twelve_nist_600_1_risks_and_names_only_real_probes():
    import probes  # noqa: F401  (registers the built-in probes)
    from audit.probes import PROBES

    known = set(PROBES.names())
    data = yaml.safe_load(RISKS_PATH.read_text())
    assert NIST_600_1 <= {r["id"] for r in data["risks"]}
    for risk in data["risks"]:
        for selector in risk["measured_by"]:
            kind, _, name = selector.partition(":")
            assert (kind == "suite" and name in set(SUITES.values())) or (kind == "probe" and name in known), selector


def test_risks_not_measured_follow_what_the_run_completed():
    no_privacy = evidence([probe(p) for p, s in SUITES.items() if s != "privacy"])
    assert _status(no_privacy, "data-privacy").status == "not measured in this run"
    assert _status(no_privacy, "confabulation").status == "measured"
    assert _status(no_privacy, "information-integrity").status == "partly measured"
    assert _status(no_privacy, "cbrn").status == "not measured by medaudit"
    skipped = evidence([probe("membership_inference", status="skipped", skip_reason="needs data")])
    row = _status(skipped, "data-privacy")
    assert row.status == "not measured in this run" and "membership_inference (skipped: needs data)" in row.probes
    page = render_html(no_privacy)
    assert 'id="risk-data-privacy"' in page and page.index('id="limitations"') < page.index('id="crosswalk"')
    text = render_markdown(no_privacy)
    assert "| Data privacy \\(NIST AI 600-1\\) | **not measured in this run** |" in text


def test_limitations_are_traced_to_the_run():
    inconclusive = probe("pubmedqa").model_copy(update={"verdict": Verdict(
        status="inconclusive", threshold=Threshold(metric="accuracy", operator=">=", value=0.8, rationale="r"),
        explanation="straddles"), "outcome_counts": {"correct": 3, "error": 2}})
    skipped = probe("truth_probe", status="skipped", skip_reason="the model backend lacks: hidden_states")
    records, _ = measured_reliability(["representation"])
    toy = ReliabilitySource("Toy reader", "parser", ("fabricated_entities",), lambda: RISKS_PATH,
                            lambda: {"abstain": {"n": 20, "predicted": 10, "tp": 8}}, "tests:toy", "held out", "toy")
    no_verdict = probe("answer_uncertainty").model_copy(update={"verdict": Verdict(
        status="not_run", threshold=Threshold(metric="auroc", operator=">=", value=0.6, rationale="r"),
        explanation="auroc has no data")})
    ev = evidence([inconclusive, skipped, probe("representation"), probe("fabricated_entities"), no_verdict],
                  reliability=records + [component_reliability("toy", toy, ["fabricated_entities"])])
    lines = risks_view(ev)["limitations"]
    joined = "\n".join(lines)
    assert "answer_uncertainty: ran but reached no verdict: auroc has no data." in joined
    assert "Toy reader (scores fabricated_entities): 1 precision/recall figure(s) below 0.8" in joined
    assert "recall:toy/abstain 0.40" in joined
    for record in records:  # a parser is named exactly when one of its classes measured below 0.8
        assert any(line.startswith(record.title) for line in lines) == bool(weak_figures(record.metrics))
    assert monitoring_view(ev)["weak_components"] == ["Toy reader"]
    assert "truth_probe did not run (skipped): the model backend lacks: hidden_states." in joined
    assert "pubmedqa: inconclusive" in joined and "pubmedqa: 2 of 3 items could not run" in joined
    assert "No intended use was declared" in joined and "cd" * 8 in joined


def test_items_needed_to_decide_an_inconclusive_gate():
    m = metric("rate", 0.70, 0.55, 0.82, n=40)
    # threshold above the estimate: the upper half-width (0.12) must shrink to the gap (0.05)
    assert items_to_decide(m, 0.75) == 231  # ceil(40 * (0.12 / 0.05) ** 2)
    assert items_to_decide(m, 0.70) is None
    assert items_to_decide(metric("rate", None, None, None), 0.5) is None


def test_monitoring_recommendations_come_from_the_gates_of_probes_that_ran():
    results = [probe("pubmedqa", [metric("accuracy_with_context", 0.70, 0.55, 0.82, n=40)]),
               probe("fabricated_entities", [metric("fabrication_rate", 0.40, 0.30, 0.50)])]
    gates = GateReport(policy="site policy", version="1", source="/etc/policy.yaml", sha256="0" * 64, results=[
        GateResult(id="ctx", probe_id="pubmedqa", metric="accuracy_with_context", direction="min", threshold=0.75,
                   rationale="r", status="inconclusive", estimate=0.70, ci_low=0.55, ci_high=0.82, n=40,
                   explanation="e"),
        GateResult(id="fab", probe_id="fabricated_entities", metric="fabrication_rate", direction="max",
                   threshold=0.2, rationale="r", status="fail", estimate=0.4, ci_low=0.3, ci_high=0.5, n=100,
                   explanation="e"),
        GateResult(id="mi", probe_id="membership_inference", metric="membership_auroc", direction="max",
                   threshold=0.6, rationale="r", status="not_evaluated", explanation="e")])
    ev = evidence(results, gates=gates)
    view = monitoring_view(ev)
    by_probe = {w.probe_id: w for w in view["watches"]}
    assert set(by_probe) == {"pubmedqa", "fabricated_entities"} and view["gates_not_run"] == ["membership_inference"]
    assert by_probe["pubmedqa"].items_needed == 231 and "about 231" in by_probe["pubmedqa"].trigger
    assert by_probe["pubmedqa"].command.startswith("medaudit run --probe pubmedqa --full --seed 0 --policy /etc/")
    assert "Block deployment" in by_probe["fabricated_entities"].trigger
    assert by_probe["fabricated_entities"].rule == "<= 0.2"
    assert any("cd" * 8 in t for t in view["triggers"])
    page = render_html(ev)
    assert page.index('id="change"') < page.index('id="monitoring"') < page.index('id="crosswalk"')
    assert "0.700 [0.550, 0.820] (n=40)" in page[page.index('id="monitoring"'):]
    text = render_markdown(ev)
    assert "## Monitoring recommendations" in text and "membership\\_inference" in text


def test_without_gates_the_probe_verdicts_are_monitored():
    ev = evidence([probe("pubmedqa")])
    (watch,) = monitoring_view(ev)["watches"]
    assert (watch.metric, watch.rule, watch.status) == ("accuracy", ">= 0.5", "pass")
    assert "0.200 inside it" in watch.trigger  # lower bound 0.7 vs threshold 0.5
