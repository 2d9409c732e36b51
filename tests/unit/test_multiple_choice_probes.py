"""NOTA and false-confidence probes: planted accuracy, a NOTA-loving model, an always-agreeing model."""

from __future__ import annotations

import random

import pytest

from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from probes.hallucination._choice import LETTERS
from probes.hallucination.false_confidence import FalseConfidenceProbe
from probes.hallucination.none_of_the_above import NOTA, NoneOfTheAboveProbe


def _run(tmp_path, probe_id, answers):
    result = run_audit(ScriptedModel(answers=answers), RunConfig(probes=(probe_id,), full=True), tmp_path,
                       progress=False).evidence.probe_results[0]
    return result, {m.name: m for m in result.metrics}


def _plan(n: int, share: float, seed: int) -> list[bool]:
    k = round(share * n)
    plan = [True] * k + [False] * (n - k)
    random.Random(seed).shuffle(plan)
    return plan


@pytest.mark.parametrize("accuracy", [0.3, 0.75])
def test_nota_recovers_planted_accuracy(tmp_path, accuracy):
    items = NoneOfTheAboveProbe().load_items()
    nota_items = [i for i in items if i.nota_correct]
    assert len(nota_items) >= 150
    answers = {}
    for item, right in zip(nota_items, _plan(len(nota_items), accuracy, seed=3)):
        wrong = next(k for k in range(len(item.options)) if k != item.answer_index)
        answers[item.id] = LETTERS[item.answer_index if right else wrong]
    for item in items:
        answers.setdefault(item.id, LETTERS[item.answer_index])
    result, metrics = _run(tmp_path, "none_of_the_above", answers)
    acc = metrics["accuracy_nota_items"]
    assert acc.estimate == pytest.approx(accuracy, abs=1 / len(nota_items)) and acc.ci_low < accuracy < acc.ci_high
    assert metrics["accuracy_control_items"].estimate == 1.0 and metrics["nota_pick_rate_controls"].estimate == 0.0


def test_a_model_that_always_picks_nota_is_caught_by_the_controls(tmp_path):
    items = NoneOfTheAboveProbe().load_items()
    answers = {i.id: LETTERS[i.options.index(NOTA)] for i in items}
    result, metrics = _run(tmp_path, "none_of_the_above", answers)
    assert metrics["accuracy_nota_items"].estimate == 1.0  # looks perfect on the NOTA items alone...
    assert metrics["nota_pick_rate_controls"].estimate == 1.0  # ...but picks NOTA on every control
    assert metrics["accuracy_control_items"].estimate == 0.0


@pytest.mark.parametrize("accuracy", [0.5, 0.9])
def test_false_confidence_recovers_planted_accuracy(tmp_path, accuracy):
    items = FalseConfidenceProbe().load_items()
    assert len(items) >= 150 and sum(i.proposed_is_correct for i in items) * 2 == len(items)
    answers = {}
    for item, right in zip(items, _plan(len(items), accuracy, seed=5)):
        truth = "yes" if item.proposed_is_correct else "no"
        answers[item.id] = truth if right else ("no" if truth == "yes" else "yes")
    result, metrics = _run(tmp_path, "false_confidence", answers)
    acc = metrics["accuracy"]
    assert acc.estimate == pytest.approx(accuracy, abs=1 / len(items)) and acc.ci_low < accuracy < acc.ci_high
    assert result.verdict.status == ("pass" if accuracy == 0.9 else "fail")


def test_always_agreeing_model_scores_half_and_accepts_every_wrong_proposal(tmp_path):
    items = FalseConfidenceProbe().load_items()
    result, metrics = _run(tmp_path, "false_confidence", {i.id: "yes" for i in items})
    assert metrics["accuracy"].estimate == 0.5
    assert metrics["false_acceptance_rate"].estimate == 1.0 and metrics["agreement_rate"].estimate == 1.0
    assert result.verdict.status == "fail"


@pytest.mark.parametrize("flip", [0.0, 0.3, 0.6])
def test_sycophancy_recovers_a_planted_flip_rate_and_its_direction(tmp_path, flip):
    items = FalseConfidenceProbe().load_items()
    probe_queries = {q.item_id: q for q in __import__("probes.hallucination.sycophancy", fromlist=["x"])
                     .SycophancyProbe().build_queries(items)}
    answers = {}
    for item, flips in zip(items, _plan(len(items), flip, seed=9)):
        right = LETTERS[item.correct_index]
        answers[f"{item.id}/neutral"] = right
        answers[f"{item.id}/pushback"] = probe_queries[f"{item.id}/pushback"].meta["pushed"] if flips else right
    result, metrics = _run(tmp_path, "sycophancy", answers)
    pushback = metrics["flip_rate_pushback"]
    assert pushback.estimate == pytest.approx(flip, abs=1 / len(items)) and pushback.ci_low <= flip <= pushback.ci_high
    assert metrics["flip_rate_neutral"].estimate == 0.0
    if flip > 0:
        assert metrics["flips_toward_pushed_option"].estimate == 1.0
        assert result.tests[0].p_value < 1e-6
    else:
        assert result.tests[0].p_value == 1.0 and result.verdict.status == "pass"


@pytest.mark.parametrize("follow", [0.0, 0.5, 1.0])
def test_context_counterfactual_recovers_planted_evidence_following(tmp_path, follow):
    from probes.hallucination.context_counterfactual import ContextCounterfactualProbe

    items = ContextCounterfactualProbe().load_items()
    assert len(items) >= 120
    answers = {}
    for item, follows in zip(items, _plan(len(items), follow, seed=2)):
        answers[f"{item.id}/original"] = item.original_answer
        answers[f"{item.id}/counterfactual"] = item.counterfactual_answer if follows else item.original_answer
    result, metrics = _run(tmp_path, "context_counterfactual", answers)
    rate = metrics["follows_counterfactual_rate"]
    assert rate.estimate == pytest.approx(follow, abs=1 / len(items)) and rate.ci_low <= follow <= rate.ci_high
    shift = metrics["p_shift_toward_evidence"]
    assert shift.estimate == pytest.approx(0.8 * follow, abs=0.01)  # scripted confidence 0.9 vs 0.1
    assert result.verdict.status == {0.0: "fail", 0.5: "fail", 1.0: "pass"}[follow]
