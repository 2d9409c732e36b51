"""Uncertainty detectors: AUROC and risk–coverage on planted confidence signals."""

from __future__ import annotations

import random

from audit.detectors import option_uncertainty, uncertainty_metrics
from audit.evidence import ItemResult


def _item(i: int, correct: bool, p_chosen: float) -> ItemResult:
    import math

    other = (1 - p_chosen)
    return ItemResult(probe_id="t", item_id=str(i), index=i, prompt=[], parsed="a", reference="a" if correct else "b",
                      outcome="correct" if correct else "incorrect",
                      option_logprobs={"a": math.log(p_chosen), "b": math.log(other)})


def test_informative_confidence_gets_high_auroc_and_lower_risk_at_low_coverage():
    rng = random.Random(0)
    items = []
    for i in range(300):
        correct = rng.random() < 0.6
        p = rng.uniform(0.7, 0.99) if correct else rng.uniform(0.5, 0.8)  # planted: wrong answers are less confident
        items.append(_item(i, correct, p))
    metrics = {m.name: m for m in uncertainty_metrics("u", "uncertainty", items, option_uncertainty)}
    assert metrics["auroc_u"].ci_low > 0.8
    assert metrics["risk_at_coverage_20_u"].estimate < metrics["risk_at_coverage_100_u"].estimate
    assert metrics["risk_at_coverage_100_u"].n == 300


def test_uninformative_confidence_has_auroc_ci_containing_half():
    rng = random.Random(1)
    items = [_item(i, rng.random() < 0.6, rng.uniform(0.5, 0.99)) for i in range(300)]
    auroc = next(m for m in uncertainty_metrics("u", "u", items, option_uncertainty) if m.name == "auroc_u")
    assert auroc.ci_low < 0.5 < auroc.ci_high


def test_single_class_gives_no_auroc_rather_than_a_number():
    items = [_item(i, True, 0.9) for i in range(10)]
    auroc = uncertainty_metrics("u", "u", items, option_uncertainty)[0]
    assert auroc.estimate is None and auroc.n == 0


def test_calibration_of_a_calibrated_and_an_overconfident_model():
    rng = random.Random(2)
    calibrated, overconfident = [], []
    for i in range(2000):
        p = rng.uniform(0.5, 1.0)
        correct = rng.random() < p
        calibrated.append(_item(i, correct, min(p, 0.999)))
        overconfident.append(_item(i, rng.random() < 0.6, 0.99))
    good = {m.name: m for m in uncertainty_metrics("u", "u", calibrated, option_uncertainty)}
    bad = {m.name: m for m in uncertainty_metrics("u", "u", overconfident, option_uncertainty)}
    assert good["ece_u"].estimate < 0.03 and bad["ece_u"].estimate > 0.3
    assert good["brier_u"].estimate < bad["brier_u"].estimate
