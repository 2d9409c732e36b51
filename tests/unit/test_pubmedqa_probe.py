"""PubMedQA probe against planted ground truth (scripted model) and a clean null control."""

from __future__ import annotations

import random

import pytest

from audit import stats
from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from probes.hallucination.pubmedqa import PubMedQAProbe
from tests.helpers import planted_pubmedqa_answers


@pytest.fixture(scope="module")
def items():
    return PubMedQAProbe().load_items()


def _run(tmp_path, answers, full=True):
    model = ScriptedModel(answers=answers)
    outcome = run_audit(model, RunConfig(probes=("pubmedqa",), full=full), tmp_path, progress=False)
    return {m.name: m for m in outcome.evidence.probe_results[0].metrics}, outcome.evidence.probe_results[0]


def test_ships_all_500_items_with_the_expected_label_mix(items):
    assert len(items) == 500
    assert sum(i.answer == "yes" for i in items) == 276


@pytest.mark.parametrize("rate", [0.3, 0.6, 0.9])
def test_recovers_planted_accuracy(tmp_path, items, rate):
    answers = planted_pubmedqa_answers(items, accuracy_closed=rate, accuracy_context=rate, seed=int(rate * 10))
    metrics, _ = _run(tmp_path, answers)
    for condition in ("closed_book", "with_context"):
        metric = metrics[f"accuracy_{condition}"]
        assert metric.n == 500
        assert metric.estimate == pytest.approx(rate)
        assert metric.ci_low < rate < metric.ci_high, (condition, metric)
        assert metrics[f"abstention_{condition}"].estimate == 0.0


def test_abstentions_are_their_own_rate(tmp_path, items):
    answers = planted_pubmedqa_answers(items, 0.8, 0.8, abstain=0.2, seed=3)
    metrics, result = _run(tmp_path, answers)
    abst = metrics["abstention_with_context"]
    assert abst.estimate == pytest.approx(0.2) and abst.ci_low < 0.2 < abst.ci_high
    assert result.outcome_counts["abstained"] == 200
    # Accuracy is over answered items only; abstentions are neither right nor wrong.
    accuracy = metrics["accuracy_with_context"]
    assert accuracy.n == 400
    assert accuracy.estimate == pytest.approx(0.8)


def test_detects_planted_context_effect_and_passes_gate(tmp_path, items):
    answers = planted_pubmedqa_answers(items, accuracy_closed=0.5, accuracy_context=0.8, seed=11)
    metrics, result = _run(tmp_path, answers)
    change = metrics["accuracy_change_with_context"]
    assert change.ci_low <= 0.3 <= change.ci_high
    assert result.tests[0].p_value < 1e-6
    assert result.verdict.status == "pass"


def test_weak_model_fails_gate(tmp_path, items):
    answers = {f"{i.id}/{c}": "no" if i.answer == "yes" else "yes" for i in items for c in ("closed_book", "with_context")}
    _, result = _run(tmp_path, answers)
    assert result.verdict.status == "fail"


def test_wilson_interval_covers_a_bernoulli_rate_at_its_nominal_level():
    """The interval the probe reports covers the true rate ~95% of the time at n=100."""
    rng = random.Random(1)
    covered = 0
    for _ in range(1000):
        hits = sum(rng.random() < 0.6 for _ in range(100))
        ci = stats.wilson(hits, 100)
        covered += ci.low <= 0.6 <= ci.high
    assert 0.93 <= covered / 1000 <= 0.97


def test_mcnemar_false_alarm_rate_on_null_control(items):
    """Same true accuracy in both conditions: the exact McNemar test rejects at most alpha."""
    rng = random.Random(0)
    n_sims, alpha, rejections = 400, 0.05, 0
    for _ in range(n_sims):
        a = [rng.random() < 0.6 for _ in range(100)]
        b = [rng.random() < 0.6 for _ in range(100)]
        rejections += stats.mcnemar_exact(a, b).p_value < alpha
    rate = stats.wilson(rejections, n_sims)
    assert rate.estimate <= alpha + 0.02, rate  # exact test is conservative: expect <= alpha
    assert rate.low <= alpha


def test_default_profile_takes_a_fixed_stratified_sample(items):
    probe = PubMedQAProbe()
    chosen, how = probe.select(items, limit=None, full=False)
    again, _ = probe.select(list(reversed(items)), limit=None, full=False)
    assert len(chosen) == 45 and {i.id for i in chosen} == {i.id for i in again}
    assert sum(i.answer == "yes" for i in chosen) == 25  # 276/500 of 45 = 24.84, largest remainder
    assert "stratified" in how
    full, _ = probe.select(items, limit=None, full=True)
    assert len(full) == 500
