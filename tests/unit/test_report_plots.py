"""Report figures drawn from the evidence (inline SVG, text as paths) and per-group tables."""

from __future__ import annotations

import random
import re

from audit import stats
from audit.evidence import ChatMessage, ItemResult, Metric
from audit.metrics import from_interval
from audit.report.groups import group_table
from audit.report.plots import membership_curves, probe_plots, uncertainty_curves
from audit.report.render import render_html, render_markdown
from audit.sampling_detectors import detector_metrics
from tests.report_factory import evidence, probe

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _safe(svg: str) -> None:
    assert svg.startswith("<svg") and "<text" not in svg and "<script" not in svg
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", svg)


def _answered(n: int = 60, seed: int = 0) -> list[ItemResult]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        wrong = i % 3 == 0
        consistency = min(1.0, max(0.0, (0.3 if wrong else 0.7) + rng.uniform(-0.35, 0.35)))
        items.append(ItemResult(
            probe_id="answer_uncertainty", item_id=f"q{i}", index=i, prompt=[ChatMessage(role="user", content="q")],
            response="yes", parsed="yes", reference="no" if wrong else "yes",
            outcome="incorrect" if wrong else "correct",
            scores={"self_consistency": consistency, "sequence_logprob": -rng.uniform(0.05, 3.0),
                    "mean_token_entropy": rng.uniform(0, 3), "n_samples": 5.0}))
    return items


def test_detector_plots_roc_risk_coverage_and_reliability_from_the_items():
    items = _answered()
    result = probe("answer_uncertainty").model_copy(update={"items": items, "metrics": detector_metrics(items)})
    plots = probe_plots(result)
    captions = [p.caption for p in plots]
    assert [c.split(":")[0].split(" ")[0] for c in captions] == ["ROC", "Risk-coverage", "Reliability"]
    for plot in plots:
        _safe(plot.svg)
    curves = uncertainty_curves(result)
    assert {c.name for c in curves} == {"self_consistency", "sequence_probability", "mean_token_entropy"}
    assert {c.name for c in curves if c.calibrated} == {"self_consistency", "sequence_probability"}
    page = render_html(evidence([result]))
    assert page.count("<figcaption>") == 3 and "<figure" not in render_markdown(evidence([result]))


def test_a_curve_that_does_not_reproduce_its_recorded_auroc_is_not_drawn():
    items = _answered()
    metrics = [m.model_copy(update={"estimate": 0.99}) if m.name == "auroc_self_consistency" else m
               for m in detector_metrics(items)]
    result = probe("answer_uncertainty").model_copy(update={"items": items, "metrics": metrics})
    assert "self_consistency" not in {c.name for c in uncertainty_curves(result)}


def test_membership_roc_from_member_labels_and_attack_scores():
    rng = random.Random(1)
    items = [ItemResult(probe_id="membership_inference", item_id=f"d{i}", index=i, prompt=[],
                        reference="member" if i % 2 else "non_member", outcome="not_applicable",
                        scores={"loss": rng.gauss(1.0 if i % 2 else 0.0, 1.0), "zlib": rng.random()})
             for i in range(40)]
    labels = [int(r.reference == "member") for r in items]
    metrics = [from_interval(f"membership_auroc_{a}", a, stats.auroc(labels, [r.scores[a] for r in items]))
               for a in ("loss", "zlib")]
    result = probe("membership_inference").model_copy(update={"items": items, "metrics": metrics})
    assert {c.name for c in membership_curves(result)} == {"loss", "zlib"}
    (plot,) = probe_plots(result)
    assert plot.caption.startswith("ROC of each membership-inference attack")
    _safe(plot.svg)


def test_truth_probe_auroc_by_layer_and_forest_plots_per_family():
    layers = [Metric(name=f"truth_auroc_{k}_layer_{n}", description="d", estimate=0.5 + n / 100, ci_low=0.4,
                     ci_high=0.7, n=200, method="stratified-bootstrap-percentile", kind="score")
              for k in ("logreg", "massmean") for n in (0, 5, 10)]
    (plot,) = probe_plots(probe("truth_probe", layers))
    assert "by layer" in plot.caption
    diffs = [Metric(name=f"diff:{family}:axis:g{i}-vs-ref", description="d", estimate=0.01 * i, ci_low=-0.02,
                    ci_high=0.04, n=20, method="bootstrap-bca", kind="difference")
             for family in ("demographic", "intersection", "placebo") for i in range(2)]
    captions = [p.caption for p in probe_plots(probe("representation", diffs))]
    assert [c.split(";")[0] for c in captions] == [
        "Forest plot: counterfactual swaps of one attribute",
        "Forest plot: intersectional cells (two attributes crossed, each against the reference cell)",
        "Forest plot: placebo swaps (null controls)"]


def test_per_group_table_counts_each_condition_with_wilson_intervals_and_escapes_labels():
    conditions = ["demographic:race=White", "demographic:race=Black", f"intersection:race_x_gender={PAYLOAD}",
                  "placebo:name=Emily"]
    items = []
    for i in range(40):
        condition = conditions[i % 4]
        outcome = "error" if i == 39 else ("correct" if i % 3 else "incorrect")
        items.append(ItemResult(probe_id="counterfactual_decisions", item_id=f"v{i}", index=i, group=f"u{i // 4}",
                                condition=condition, prompt=[], outcome=outcome))
    result = probe("counterfactual_decisions").model_copy(update={"items": items})
    rows = group_table(result)
    assert [r.family for r in rows] == ["demographic", "demographic", "intersection", "placebo"]
    black = next(r for r in rows if r.group == "race=Black")
    right = sum(it.outcome == "correct" for it in items if it.condition == "demographic:race=Black")
    assert black.n == 10 and black.correct.estimate == right / 10
    assert (black.correct.ci_low, black.correct.ci_high) == (stats.wilson(right, 10).low, stats.wilson(right, 10).high)
    placebo = next(r for r in rows if r.family == "placebo")
    assert placebo.error == 1 and placebo.correct.n == 9
    page = render_html(evidence([result]))
    assert "Per-group results" in page and "<script>alert" not in page and "intersectional cells" in page
    assert "<script>alert" not in render_markdown(evidence([result]))
    single = probe("pubmedqa")  # items without conditions: no table
    assert group_table(single) == []
