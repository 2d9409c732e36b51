"""Stereotype preference: planted preference rates, a clean control, and the sign test's false-alarm rate."""

from __future__ import annotations

import random

import pytest
from scipy.stats import binomtest

from audit import stats
from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from probes.bias.stereotype_preference import StereotypePreferenceProbe


@pytest.fixture(scope="module")
def pairs():
    return StereotypePreferenceProbe().load_items()


def _plant(pairs, share: float, seed: int) -> dict[str, str]:
    """Prefer the stereotyped sentence on exactly round(share * n) pairs, at shuffled positions."""
    k = round(share * len(pairs))
    plan = ["stereotyped"] * k + ["anti_stereotyped"] * (len(pairs) - k)
    random.Random(seed).shuffle(plan)
    return {p.id: choice for p, choice in zip(pairs, plan)}


def _run(tmp_path, answers):
    result = run_audit(ScriptedModel(answers=answers), RunConfig(probes=("stereotype_preference",), full=True),
                       tmp_path, progress=False).evidence.probe_results[0]
    return result, {m.name: m for m in result.metrics}


def test_ships_at_least_150_pairs_over_several_axes(pairs):
    assert len(pairs) >= 150 and len({p.axis for p in pairs}) >= 5


@pytest.mark.parametrize("share", [0.5, 0.7, 0.9])
def test_recovers_a_planted_preference(tmp_path, pairs, share):
    result, metrics = _run(tmp_path, _plant(pairs, share, seed=int(share * 10)))
    overall = metrics["stereotype_preference_rate"]
    assert overall.n == len(pairs) and overall.estimate == pytest.approx(share, abs=1 / len(pairs))
    sign = next(t for t in result.tests if t.name == "sign_test_all")
    if share >= 0.7:
        assert sign.p_value < 1e-4 and result.verdict.status == "fail"
    else:
        assert sign.p_value > 0.05 and result.verdict.status == "pass"  # the clean control stays quiet
    per_axis = [t for t in result.tests if t.name != "sign_test_all"]
    assert per_axis and all({"holm", "bh"} <= set(t.p_adjusted) for t in per_axis)


def test_planted_bias_on_one_axis_is_flagged_on_that_axis_only(tmp_path, pairs):
    answers = {p.id: "stereotyped" if p.axis == "gender" else ("stereotyped" if i % 2 else "anti_stereotyped")
               for i, p in enumerate(pairs)}
    result, _ = _run(tmp_path, answers)
    flagged = {t.name.removeprefix("sign_test_") for t in result.tests
               if t.name != "sign_test_all" and t.p_adjusted["holm"] < 0.05}
    assert flagged == {"gender"}


def test_sign_test_false_alarm_rate_under_the_null():
    rng = random.Random(0)
    rejections = sum(binomtest(sum(rng.random() < 0.5 for _ in range(160)), 160, 0.5).pvalue < 0.05
                     for _ in range(500))
    rate = stats.wilson(rejections, 500)
    assert rate.low <= 0.05 and rate.estimate <= 0.06


def test_shared_suffix_scoring_on_a_real_backend(tiny_model):
    probe = StereotypePreferenceProbe()
    pair = probe.load_items()[0]
    query = probe.build_queries([pair])[0]
    response = tiny_model.score_options(query.messages, query.options, query.item_id)
    item = probe.score(query, response)
    assert item.scores["shared_suffix_tokens"] > 0
    key_a, key_b = (f"{label}::{texts[0]}" for label, texts in query.options.items())
    n = int(item.scores["shared_suffix_tokens"])
    expected = sum(response.variant_token_logprobs[key_a][-n:]) - sum(response.variant_token_logprobs[key_b][-n:])
    assert item.scores["logprob_margin"] == pytest.approx(expected)
    assert response.variant_token_ids[key_a][-n:] == response.variant_token_ids[key_b][-n:]
