"""The shap explainer: masker tokens are our prompt ids, baseline masking, planted ground truth, efficiency."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from audit.attribution import EXPLAINERS, explain, get_explainer, make_target
from audit.attribution.base import token_strings
from audit.attribution.shap_backend import ShapTeacherForcing, text_masker
from audit.attribution.targets import target_value
from tests.unit.test_attribution import PROMPT, _planted_model

EFFICIENCY_TOLERANCE = 1e-4  # float32 forwards, batched differently for different coalitions


@pytest.fixture(scope="module")
def sharp_model(tiny_model):
    """The tiny architecture with large random weights: tokens interact and move log-probs by O(1)."""
    from transformers import LlamaForCausalLM

    from audit.models.hf import HFModel

    config = tiny_model.model.config.__class__.from_dict(tiny_model.model.config.to_dict())
    config.initializer_range = 0.4
    torch.manual_seed(1)
    return HFModel(LlamaForCausalLM(config), tiny_model.tokenizer, name="tiny-sharp")


@pytest.fixture(scope="module")
def planted(tiny_model):
    """A model whose answer log-prob reads only prompt token k (see test_attribution._planted_model)."""
    prompt = tiny_model.encode_prompt(PROMPT)
    counts = {tok: prompt.count(tok) for tok in prompt}
    pad = tiny_model.tokenizer.pad_token_id
    singles = [i for i, tok in enumerate(prompt[:-1]) if counts[tok] == 1 and tok != pad]
    k, placebo = singles[len(singles) // 2], singles[1]
    answer = tiny_model.encode_continuation("yes")
    return _planted_model(tiny_model.tokenizer, prompt[k], answer[0]), prompt, answer, k, placebo


def _record_forwards(model):
    """Collect the input_ids of every forward (a pre-hook on the input embedding); returns (rows, handle)."""
    rows: list[torch.Tensor] = []
    handle = model.model.get_input_embeddings().register_forward_pre_hook(
        lambda _module, args: rows.append(args[0].detach().cpu().clone()))
    return rows, handle


# -- alignment: shap's masker works on exactly our prompt ids ------------------------------------------
def test_masker_tokens_are_the_prompt_ids(tiny_model):
    prompt = tiny_model.encode_prompt(PROMPT)
    baseline = 7
    assert baseline not in prompt
    masker, text = text_masker(tiny_model, prompt, baseline)
    segments, ids = masker.token_segments(text)
    assert list(ids) == prompt  # special tokens of the chat template included
    assert tuple(segments) == token_strings(tiny_model, prompt)
    assert masker.shape(text) == (1, len(prompt))
    assert masker.tokenizer._tokenizer is not tiny_model.tokenizer  # shap works on a copy
    mask = np.ones(len(prompt), dtype=bool)
    mask[[0, 5, 6, len(prompt) - 1]] = False
    (masked,) = masker(mask, text)
    expected = [tok if keep else baseline for tok, keep in zip(prompt, mask)]
    assert masked.tolist() == [expected]  # replaced one for one, never dropped or collapsed


def test_model_sees_prompt_or_baseline_at_every_position(sharp_model):
    prompt = sharp_model.encode_prompt(PROMPT)
    goal, foil = sharp_model.encode_continuation("yes no"), sharp_model.encode_continuation("maybe")
    baseline = 5
    assert baseline not in prompt
    rows, handle = _record_forwards(sharp_model)
    try:
        result = ShapTeacherForcing(max_evals=60, baseline_id=baseline, batch_size=16).explain(
            sharp_model, prompt, goal, make_target("contrastive", foil))
    finally:
        handle.remove()
    assert len(rows) == result.model_calls + 2  # one counted call per forward; target_value's 2 are not shap's
    rows = rows[:-2]
    n = len(prompt)
    seen = torch.cat([r[:, :n] for r in rows])
    tails = {tuple(t) for r in rows for t in r[:, n:].tolist()}
    assert tails == {tuple(goal[:-1]), tuple(foil[:-1])}  # teacher-forced target and foil
    keep = seen == torch.tensor(prompt)
    assert bool(torch.all(keep | (seen == baseline)))
    assert bool(keep.all(dim=1).any()) and bool((~keep).all(dim=1).any())  # the full and the all-baseline prompt
    assert result.extras["evaluations"] == len(seen) // 2 == 60  # each masked prompt: one row per continuation
    assert result.tokens == token_strings(sharp_model, prompt) and result.token_ids == tuple(prompt)
    assert result.baseline.startswith(f"token {baseline} ")


# -- planted ground truth ----------------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    {"max_evals": 200},
    {"max_evals": 120, "algorithm": "permutation"},  # one antithetic pair of orders (n = 45)
])
def test_planted_token_ranks_first(planted, options):
    model, prompt, answer, k, placebo = planted
    result = get_explainer("shap", options).explain(model, prompt, answer, make_target("logprob"))
    assert result.ranking()[0] == k
    top = result.scores[k]
    assert top > 1.0  # removing the planted token costs several nats
    assert abs(result.scores[placebo]) < 0.05 * top
    others = np.delete(result.scores, [k, len(prompt) - 1])
    assert np.max(np.abs(others)) < 1e-4  # null players get nothing


def test_too_few_evals_leave_the_planted_token_unresolved(planted):
    """The budget is real: with too few evaluations the planted token's credit is spread over its cluster."""
    model, prompt, answer, k, _ = planted
    result = ShapTeacherForcing(max_evals=20).explain(model, prompt, answer, make_target("logprob"))
    assert result.scores[k] < 0.9 * result.scores.sum()


# -- efficiency: scores sum to f(prompt) − f(all baseline) ---------------------------------------------
@pytest.mark.parametrize("algorithm, max_evals", [("partition", 200), ("partition", 24), ("permutation", 182)])
@pytest.mark.parametrize("target_name", ["logprob", "contrastive"])
def test_efficiency(sharp_model, algorithm, max_evals, target_name):
    prompt = sharp_model.encode_prompt(PROMPT)
    goal, foil = sharp_model.encode_continuation("yes no"), sharp_model.encode_continuation("maybe")
    target = make_target(target_name, foil if target_name == "contrastive" else None)
    baseline = sharp_model.tokenizer.pad_token_id
    result = ShapTeacherForcing(max_evals=max_evals, algorithm=algorithm).explain(sharp_model, prompt, goal, target)
    full = float(target_value(sharp_model, prompt, goal, target)[0])
    empty = float(target_value(sharp_model, [baseline] * len(prompt), goal, target)[0])
    assert result.target_value == pytest.approx(full, abs=1e-6)
    assert result.extras["base_value"] == pytest.approx(empty, abs=EFFICIENCY_TOLERANCE)
    assert abs(result.scores.sum() - (full - empty)) <= EFFICIENCY_TOLERANCE
    assert abs(full - empty) > 0.5 and np.max(np.abs(result.scores)) > 0.05  # not a sum of near-zeros
    assert result.extras["evaluations"] <= max_evals


# -- the tiny model, the registry, the one-call entry point ----------------------------------------------
def test_contrastive_on_tiny_model_via_explain(tiny_model):
    result = explain(tiny_model, PROMPT, "yes", method="shap.teacher_forcing", target="contrastive", foil_text="no",
                     options={"max_evals": 64, "batch_size": 8, "seed": 3})
    prompt = tiny_model.encode_prompt(PROMPT)
    assert result.method == "shap" and result.target == "contrastive" and result.target_scores is None
    assert result.token_ids == tuple(prompt) and len(result.scores) == len(prompt)
    assert np.all(np.isfinite(result.scores)) and np.any(result.scores != 0)
    target = make_target("contrastive", tiny_model.encode_continuation("no"))
    assert result.target_value == pytest.approx(
        float(target_value(tiny_model, prompt, tiny_model.encode_continuation("yes"), target)[0]), abs=1e-6)
    assert result.model_calls % 2 == 0 and result.model_calls >= 2 * (64 // 8)  # target + foil, 8 prompts a forward
    assert result.seconds > 0 and result.extras["seed"] == 3


def test_seeded_and_leaves_numpy_random_state_alone(sharp_model):
    prompt = sharp_model.encode_prompt(PROMPT)
    goal = sharp_model.encode_continuation("yes")
    np.random.seed(12345)
    before = np.random.get_state()[1].copy()
    runs = [ShapTeacherForcing(max_evals=91, algorithm="permutation", seed=s).explain(
        sharp_model, prompt, goal, make_target("logprob")) for s in (1, 1, 2)]
    assert np.array_equal(np.random.get_state()[1], before)
    assert np.array_equal(runs[0].scores, runs[1].scores)
    assert not np.array_equal(runs[0].scores, runs[2].scores)


def test_registry_and_lazy_shap_import():
    assert EXPLAINERS.get("shap") is EXPLAINERS.get("shap.teacher_forcing") is ShapTeacherForcing
    code = "import sys, audit.attribution as a; a.get_explainer('shap'); print('shap' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("options, message", [
    ({"max_evals": 2}, "max_evals"),
    ({"max_evals": 0}, "max_evals"),
    ({"max_evals": 100.0}, "max_evals"),
    ({"max_evals": True}, "max_evals"),
    ({"seed": -1}, "seed"),
    ({"seed": "0"}, "seed"),
    ({"seed": 2**32}, "seed"),
    ({"baseline_id": -1}, "baseline_id"),
    ({"batch_size": 0}, "batch_size"),
    ({"algorithm": "exact"}, "algorithm"),
    ({"n_samples": 8}, "has no option"),
])
def test_bad_options_raise_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        get_explainer("shap", options)


def test_bad_requests_raise_value_error(tiny_model):
    prompt = tiny_model.encode_prompt(PROMPT)
    goal = tiny_model.encode_continuation("yes")
    with pytest.raises(ValueError, match="2n \\+ 1"):
        ShapTeacherForcing(max_evals=50, algorithm="permutation").explain(tiny_model, prompt, goal,
                                                                          make_target("logprob"))
    with pytest.raises(ValueError, match="at least 2 prompt tokens"):
        ShapTeacherForcing().explain(tiny_model, prompt[:1], goal, make_target("logprob"))
    vocab = tiny_model.model.get_input_embeddings().weight.shape[0]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        ShapTeacherForcing(baseline_id=vocab).explain(tiny_model, prompt, goal, make_target("logprob"))
    with pytest.raises(ValueError, match="TargetFunction"):
        ShapTeacherForcing().explain(tiny_model, prompt, goal, "logprob")  # type: ignore[arg-type]
