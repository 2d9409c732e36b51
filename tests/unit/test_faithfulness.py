"""Faithfulness metrics: the batched masked evaluator, ERASER/AOPC on planted ground truth, the report."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import torch

from audit.attribution import Attribution, make_target
from audit.attribution.faithfulness import (
    METRICS,
    FaithfulnessReport,
    bin_counts,
    curve_counts,
    default_eligible,
    evaluate_faithfulness,
    instance_faithfulness,
    masked_target_values,
)
from audit.attribution.occlusion import Occlusion
from audit.attribution.targets import target_value
from tests.unit.test_attribution import PROMPT, _planted_model

LOGPROB = make_target("logprob")


@pytest.fixture(scope="module")
def sharp_model(tiny_model):
    """The tiny architecture with large random weights, so masking moves log-probs by O(1)."""
    from transformers import LlamaForCausalLM

    from audit.models.hf import HFModel

    config = tiny_model.model.config.__class__.from_dict(tiny_model.model.config.to_dict())
    config.initializer_range = 0.4
    torch.manual_seed(1)
    return HFModel(LlamaForCausalLM(config), tiny_model.tokenizer, name="tiny-sharp")


@pytest.fixture(scope="module")
def planted(tiny_model):
    """A model where only prompt token k matters, four prompts (prefixes cut off) holding it, occlusion on each."""
    prompt = tiny_model.encode_prompt(PROMPT)
    counts = {tok: prompt.count(tok) for tok in prompt}
    pad = tiny_model.tokenizer.pad_token_id
    singles = [i for i, tok in enumerate(prompt[:-1]) if counts[tok] == 1 and tok != pad]
    k = singles[len(singles) // 2]
    answer = tiny_model.encode_continuation("yes")
    model = _planted_model(tiny_model.tokenizer, prompt[k], answer[0])
    instances = [(prompt[cut:], answer) for cut in (0, 1, 2, 3)]
    attributions = [Occlusion().explain(model, p, a, LOGPROB) for p, a in instances]
    return model, instances, attributions, [k - cut for cut in (0, 1, 2, 3)]


# -- the batched evaluator ---------------------------------------------------------------------
@pytest.mark.parametrize("target_name", ["logprob", "prob", "contrastive"])
def test_masked_values_equal_direct_edits(sharp_model, target_name):
    prompt = sharp_model.encode_prompt(PROMPT)
    goal, foil = sharp_model.encode_continuation("yes no"), sharp_model.encode_continuation("maybe")
    target = make_target(target_name, foil if target_name == "contrastive" else None)
    masks = np.random.default_rng(0).random((7, len(prompt))) < 0.3
    masks[0], masks[1] = False, True
    baseline = 5
    values = masked_target_values(sharp_model, prompt, goal, target, masks, baseline, batch_size=3)
    direct = [float(target_value(sharp_model, np.where(m, baseline, prompt).tolist(), goal, target)[0]) for m in masks]
    assert values.shape == (7,) and values.dtype == np.float64
    assert np.max(np.abs(values - direct)) <= 1e-4
    if target_name == "prob":  # probabilities of two tokens are tiny here: compare relatively
        assert np.allclose(values, direct, rtol=1e-3, atol=0) and np.ptp(direct) > 0.1 * np.max(direct)
    else:
        assert np.ptp(direct) > 0.1  # the masks matter: not a vacuous match


def test_masked_values_without_masks_is_empty(tiny_model):
    out = masked_target_values(tiny_model, [1, 2, 3], [4], LOGPROB, np.zeros((0, 3), dtype=bool), 0)
    assert out.shape == (0,)


# -- bins and curve steps ------------------------------------------------------------------------
def test_bin_and_curve_counts_round_up_to_at_least_one_token():
    assert bin_counts(1) == (1, 1, 1, 1, 1)
    assert bin_counts(10) == (1, 1, 1, 2, 5)
    assert bin_counts(20) == (1, 1, 2, 4, 10)  # 20% of 20 is exactly 4: no float round-up to 5
    assert bin_counts(200) == (2, 10, 20, 40, 100)
    assert bin_counts(45) == (1, 3, 5, 9, 23)  # ceil: each bin holds at least k% of the tokens
    assert curve_counts(5, 20) == (1, 2, 3, 4, 5)
    assert curve_counts(10, 4) == (3, 5, 8, 10)
    assert default_eligible(4).tolist() == [True, True, True, False]


# -- planted ground truth ----------------------------------------------------------------------------
def test_occlusion_is_faithful_on_the_planted_model(planted):
    model, instances, attributions, ks = planted
    (prompt, answer), occ, k = instances[0], attributions[0], ks[0]
    assert occ.ranking()[0] == k
    result = instance_faithfulness(model, prompt, answer, occ, LOGPROB, n_random=20, rng=0)
    full_drop = result.full_value - result.removed_value
    assert full_drop > 1.0 and result.full_value == pytest.approx(occ.target_value, abs=1e-4)
    assert result.method["comprehensiveness"] == pytest.approx(full_drop, abs=1e-3)
    assert abs(result.method["sufficiency"]) < 1e-3
    assert result.method["deletion_aopc"] == pytest.approx(1.0, abs=1e-3)
    assert result.method["insertion_aopc"] == pytest.approx(1.0, abs=1e-3)
    assert np.allclose(result.deletion_curve, 1.0, atol=1e-3) and len(result.deletion_curve) == min(20, result.n_eligible)
    # chance: a random order reaches the planted token only part of the way in
    assert result.random["comprehensiveness"] < 0.6 * full_drop
    assert result.random["sufficiency"] > 0.4 * full_drop
    for metric in ("deletion_aopc", "insertion_aopc"):
        assert result.random[metric] < 0.75
    # default eligibility: everything but the last token is replaced to get the "all removed" value
    baseline = model.tokenizer.pad_token_id
    edited = [baseline] * (len(prompt) - 1) + prompt[-1:]
    assert result.removed_value == pytest.approx(float(target_value(model, edited, answer, LOGPROB)[0]), abs=1e-4)


def test_reversed_attribution_is_worse_than_random(planted):
    model, instances, attributions, _ = planted
    (prompt, answer), occ = instances[0], attributions[0]
    reverse = dataclasses.replace(occ, scores=-occ.scores, method="reversed")
    result = instance_faithfulness(model, prompt, answer, reverse, LOGPROB, n_random=20, rng=0)
    assert result.method["comprehensiveness"] < 0.5 * result.random["comprehensiveness"]
    assert result.method["comprehensiveness"] == pytest.approx(0.0, abs=1e-3)  # the planted token is ranked last
    assert result.method["sufficiency"] > result.random["sufficiency"]
    for metric in ("deletion_aopc", "insertion_aopc"):
        assert result.method[metric] == pytest.approx(1 / len(result.curve_counts), abs=1e-3)
        assert result.method[metric] < result.random[metric]


def test_eligibility_mask_is_respected(planted):
    model, instances, attributions, ks = planted
    (prompt, answer), occ, k = instances[0], attributions[0], ks[0]
    eligible = default_eligible(len(prompt))
    eligible[k] = False  # protect the planted token: removing the rest changes nothing
    result = instance_faithfulness(model, prompt, answer, occ, LOGPROB, eligible=eligible, n_random=2)
    assert result.n_eligible == len(prompt) - 2
    assert abs(result.method["comprehensiveness"]) < 1e-3
    assert math.isnan(result.method["deletion_aopc"]) and math.isnan(result.random["insertion_aopc"])


def test_report_on_the_planted_model(planted):
    model, instances, attributions, _ = planted
    report = evaluate_faithfulness(model, instances, attributions, LOGPROB, n_random=10, seed=0, n_resamples=500)
    assert isinstance(report, FaithfulnessReport) and report.method == "occlusion" and report.target == "logprob"
    assert [s.metric for s in report.summaries] == list(METRICS)
    for metric in ("comprehensiveness", "deletion_aopc", "insertion_aopc"):
        s = report.summary(metric)
        assert s.n == 4 and s.n_undefined == 0 and s.higher_is_better
        assert s.difference.low > 0 and s.method.estimate > s.random.estimate
    suff = report.summary("sufficiency")
    assert not suff.higher_is_better and suff.difference.high < 0 and abs(suff.method.estimate) < 1e-3
    frame = report.to_pandas()
    assert frame.shape[0] == 4 and {"method_low", "random_high", "difference", "n_undefined"} <= set(frame.columns)
    assert frame.attrs["n_random"] == 10 and frame.attrs["n_instances"] == 4


# -- random weights: shapes, determinism, NaN counting ------------------------------------------------
def _tiny_instances(model):
    prompt = model.encode_prompt(PROMPT)
    other = model.encode_prompt([{"role": "user", "content": "Does metformin reduce mortality?"}])
    answer = model.encode_continuation("yes")
    return [(prompt, answer), (other, answer)]


def test_shapes_and_seeded_determinism(tiny_model):
    instances = _tiny_instances(tiny_model)
    attrs = [Occlusion().explain(tiny_model, p, a, LOGPROB) for p, a in instances]
    run = lambda seed: evaluate_faithfulness(tiny_model, instances, attrs, LOGPROB, n_random=3, seed=seed,  # noqa: E731
                                             curve_points=5, min_range=0.0, n_resamples=100)
    first, again, other = run(7), run(7), run(8)
    pd.testing.assert_frame_equal(first.to_pandas(), again.to_pandas())
    assert not first.to_pandas()["random"].equals(other.to_pandas()["random"])
    assert first.to_pandas()["method"].equals(other.to_pandas()["method"])  # only chance depends on the seed
    for (prompt, _), result in zip(instances, first.instances):
        n = len(prompt) - 1
        assert result.n_eligible == n and result.bin_counts == bin_counts(n) and result.curve_counts == curve_counts(n, 5)
        assert result.deletion_curve.shape == result.insertion_curve.shape == (5,)
        assert set(result.method) == set(result.random) == set(METRICS)
        assert result.deletion_curve[-1] == pytest.approx(1.0)  # the curve ends with every eligible token removed
    assert len(first.instances) == 2 and first.summary("comprehensiveness").n == 2


def test_undefined_normalisation_is_nan_and_counted(tiny_model):
    instances = _tiny_instances(tiny_model)
    pad = tiny_model.tokenizer.pad_token_id
    blank = [pad] * 6 + instances[0][0][-1:]  # every eligible token already is the baseline: f(x) = f(all removed)
    instances.append((blank, instances[0][1]))
    attrs = [Occlusion().explain(tiny_model, p, a, LOGPROB) for p, a in instances]
    report = evaluate_faithfulness(tiny_model, instances, attrs, LOGPROB, n_random=2, min_range=0.0, n_resamples=100)
    for metric in ("deletion_aopc", "insertion_aopc"):
        assert (report.summary(metric).n, report.summary(metric).n_undefined) == (2, 1)
        assert math.isfinite(report.summary(metric).method.estimate)
    assert (report.summary("comprehensiveness").n, report.summary("comprehensiveness").n_undefined) == (3, 0)
    assert np.isnan(report.instances[2].deletion_curve).all()
    assert report.instances[2].method["comprehensiveness"] == 0.0
    everything = evaluate_faithfulness(tiny_model, instances, attrs, LOGPROB, n_random=2, min_range=1e9,
                                       n_resamples=100)
    summary = everything.summary("insertion_aopc")
    assert (summary.n, summary.n_undefined) == (0, 3) and math.isnan(summary.method.estimate)
    assert everything.to_pandas().set_index("metric").loc["deletion_aopc", "n_undefined"] == 3


def test_rendering_escapes_text(planted):
    model, instances, attributions, _ = planted
    evil = [dataclasses.replace(a, method="<script>x|y</script>") for a in attributions[:2]]
    report = evaluate_faithfulness(model, instances[:2], evil, LOGPROB, n_random=2, n_resamples=100)
    page = report.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and page.count("<tr>") == 5
    text = report.to_markdown()
    assert "<script>" not in text and "x\\|y" in text
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 6 and len({line.replace("\\|", "").count("|") for line in table}) == 1


# -- validation -------------------------------------------------------------------------------------------
def test_input_validation(tiny_model):
    (prompt, answer), _ = _tiny_instances(tiny_model)
    occ = Occlusion().explain(tiny_model, prompt, answer, LOGPROB)
    n = len(prompt)
    no_ids = dataclasses.replace(occ, token_ids=None)
    cases = [
        (lambda: masked_target_values(tiny_model, prompt, answer, LOGPROB, np.zeros((2, n - 1), bool), 0), "masks must"),
        (lambda: masked_target_values(tiny_model, prompt, answer, LOGPROB, np.zeros((2, n), int), 0), "masks must"),
        (lambda: masked_target_values(tiny_model, prompt, answer, LOGPROB, np.zeros((1, n), bool), 0, 0), "batch_size"),
        (lambda: masked_target_values(tiny_model, prompt, answer, "logprob", np.zeros((1, n), bool), 0), "TargetFunction"),
        (lambda: masked_target_values(tiny_model, prompt, answer, LOGPROB, np.zeros((1, n), bool), -1), "baseline_id"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, no_ids, LOGPROB), "no token_ids"),
        (lambda: instance_faithfulness(tiny_model, prompt[1:], answer, occ, LOGPROB), "differ from the attribution"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, make_target("prob")), "explains target"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, eligible=np.zeros(n, bool)),
         "no eligible positions"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, eligible=[1] * n), "boolean mask"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, n_random=-1), "n_random"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, bins=(0, 5)), "bins"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, curve_points=0), "curve_points"),
        (lambda: instance_faithfulness(tiny_model, prompt, answer, occ, LOGPROB, min_range=math.nan), "min_range"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt, answer)], [occ, occ], LOGPROB), "one \\(prompt_ids"),
        (lambda: evaluate_faithfulness(tiny_model, [], [], LOGPROB), "one \\(prompt_ids"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt, answer)] * 2,
                                       [occ, dataclasses.replace(occ, method="other")], LOGPROB), "mix methods"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt, answer)], [occ], LOGPROB, eligible=[None] * 2),
         "eligible has 2"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt, answer)], [occ], LOGPROB, seed=-1), "seed"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt,)], [occ], LOGPROB), "pair"),
        (lambda: evaluate_faithfulness(tiny_model, [(prompt, answer)] * 2, [occ] * 2, LOGPROB, n_random=1,
                                       n_resamples=100).summary("accuracy"), "unknown faithfulness metric"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    assert isinstance(occ, Attribution)
