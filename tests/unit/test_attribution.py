"""Attribution: occlusion == captum's exact feature ablation, targets, results, planted ground truth."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from audit.attribution import EXPLAINERS, Attribution, TargetFunction, explain, get_explainer, make_target
from audit.attribution.captum_backend import CaptumFeatureAblation
from audit.attribution.occlusion import Occlusion, ablated_logprobs
from audit.attribution.targets import target_value

PROMPT = [{"role": "user", "content": "Is aspirin a nonsteroidal anti-inflammatory drug? Answer yes or no."}]
TOLERANCE = 1e-4


def _ids(model, target_text: str = "yes no", foil_text: str = "maybe"):
    return model.encode_prompt(PROMPT), model.encode_continuation(target_text), model.encode_continuation(foil_text)


@pytest.fixture(scope="module")
def sharp_model(tiny_model):
    """The tiny architecture with large random weights, so ablations move log-probs by O(1)."""
    from transformers import LlamaForCausalLM

    from audit.models.hf import HFModel

    config = tiny_model.model.config.__class__.from_dict(tiny_model.model.config.to_dict())
    config.initializer_range = 0.4
    torch.manual_seed(1)
    return HFModel(LlamaForCausalLM(config), tiny_model.tokenizer, name="tiny-sharp")


# -- occlusion is exact ---------------------------------------------------------------------
@pytest.mark.parametrize("model_name", ["tiny_model", "sharp_model"])
@pytest.mark.parametrize("target_name", ["logprob", "prob", "contrastive"])
def test_occlusion_equals_captum_feature_ablation(request, model_name, target_name):
    model = request.getfixturevalue(model_name)
    prompt, goal, foil = _ids(model)
    target = make_target(target_name, foil if target_name == "contrastive" else None)
    ours = Occlusion(max_tokens_per_forward=64).explain(model, prompt, goal, target)
    theirs = CaptumFeatureAblation().explain(model, prompt, goal, target)
    assert np.max(np.abs(ours.scores - theirs.scores)) <= TOLERANCE
    if target.per_token:
        assert ours.target_scores.shape == theirs.target_scores.shape == (len(prompt), len(goal))
        assert np.max(np.abs(ours.target_scores - theirs.target_scores)) <= TOLERANCE
    assert ours.target_value == pytest.approx(theirs.target_value, abs=TOLERANCE)
    assert ours.tokens == theirs.tokens and ours.token_ids == tuple(prompt)
    assert ours.model_calls < theirs.model_calls == (len(prompt) + 1) * len(target.continuations(goal))
    if model_name == "sharp_model" and target_name != "prob":
        assert np.max(np.abs(ours.scores)) > 0.1  # the comparison is not between near-zero vectors


def test_packing_budget_does_not_change_scores(sharp_model):
    prompt, goal, foil = _ids(sharp_model)
    target = make_target("contrastive", foil)
    results = [Occlusion(max_tokens_per_forward=b).explain(sharp_model, prompt, goal, target) for b in (1, 9, 10_000)]
    for other in results[1:]:
        assert np.max(np.abs(other.scores - results[0].scores)) <= TOLERANCE  # float32 summation order
    assert [r.model_calls for r in results] == sorted((r.model_calls for r in results), reverse=True)
    assert results[-1].model_calls == 2  # one prefix pass, one packed pass


def test_tokens_equal_to_the_baseline_score_exactly_zero(sharp_model):
    prompt, goal, _ = _ids(sharp_model)
    baseline = sharp_model.tokenizer.pad_token_id
    assert baseline in prompt  # the chat template's <|im_end|>
    result = Occlusion().explain(sharp_model, prompt, goal, make_target("logprob"))
    for i, tok in enumerate(prompt):
        if tok == baseline:
            assert result.scores[i] == 0.0
    explicit = Occlusion(baseline_id=prompt[3]).explain(sharp_model, prompt, goal, make_target("logprob"))
    assert explicit.baseline.startswith(f"token {prompt[3]} ")
    assert explicit.scores[3] == 0.0


def test_ablated_logprobs_rows_match_direct_forwards(sharp_model):
    prompt, goal, _ = _ids(sharp_model)
    base, ablated, _ = ablated_logprobs(sharp_model.model, prompt, [goal], baseline_id=0, max_tokens_per_forward=50)
    for i in (0, len(prompt) // 2, len(prompt) - 1):
        ids = list(prompt)
        ids[i] = 0
        with torch.no_grad():
            logits = sharp_model.model(input_ids=torch.tensor([ids + goal[:-1]])).logits[0, len(prompt) - 1:]
        direct = torch.log_softmax(logits, -1)[torch.arange(len(goal)), torch.tensor(goal)]
        assert torch.allclose(ablated[0][i], direct, atol=1e-5)
    assert base[0].shape == (len(goal),)


# -- targets -------------------------------------------------------------------------------------
def test_contrastive_target_is_logprob_difference(sharp_model):
    prompt, goal, foil = _ids(sharp_model, "yes", "no")
    contrastive = make_target("contrastive", foil)
    logprob = make_target("logprob")
    value = target_value(sharp_model, prompt, goal, contrastive)
    yes = sum(sharp_model.continuation_logprobs(PROMPT, "yes"))  # the HF backend's own scoring
    no = sum(sharp_model.continuation_logprobs(PROMPT, "no"))
    assert value.shape == (1,)
    assert float(value[0]) == pytest.approx(yes - no, abs=1e-4)
    separate = target_value(sharp_model, prompt, goal, logprob)[0] - target_value(sharp_model, prompt, foil, logprob)[0]
    assert float(value[0]) == pytest.approx(float(separate), abs=1e-5)
    # and attribution is linear in the target: scores(contrastive) = scores(target) − scores(foil)
    occ = Occlusion()
    both = occ.explain(sharp_model, prompt, goal, contrastive)
    separately = occ.explain(sharp_model, prompt, goal, logprob).scores - occ.explain(sharp_model, prompt, foil,
                                                                                      logprob).scores
    assert np.max(np.abs(both.scores - separately)) <= TOLERANCE  # float32 summation order differs
    assert both.target_scores is None and both.target == "contrastive"


def test_target_functions_reduce_as_documented():
    lp = torch.tensor([[-1.0, -2.0], [-0.5, -0.25]])
    assert torch.allclose(make_target("logprob")([lp]), torch.tensor([[-3.0, -1.0, -2.0], [-0.75, -0.5, -0.25]]))
    assert torch.allclose(make_target("prob")([lp]), make_target("logprob")([lp]).exp())
    foil = torch.tensor([[-4.0], [-1.0]])
    assert torch.allclose(make_target("contrastive", [7])([lp, foil]), torch.tensor([[1.0], [0.25]]))
    assert isinstance(make_target("logprob"), TargetFunction)


@pytest.mark.parametrize("call, message", [
    (lambda: make_target("contrastive"), "needs a foil"),
    (lambda: make_target("logprob", [1]), "takes no foil"),
    (lambda: make_target("no-such-target"), "unknown attribution target"),
    (lambda: make_target("contrastive", []), "foil_ids is empty"),
    (lambda: make_target("contrastive", [3]).continuations([3]), "same token sequence"),
    (lambda: make_target("logprob").continuations("yes"), "not text"),
    (lambda: make_target("logprob").continuations([1.5]), "integer token ids"),
    (lambda: make_target("logprob")([torch.zeros(3)]), r"\[batch, n_tokens\]"),
])
def test_target_errors_are_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- the result object ---------------------------------------------------------------------------
def _attribution(**overrides) -> Attribution:
    fields = dict(tokens=["a", "b", "c"], scores=[0.5, -1.0, 0.0], method="occlusion", baseline="token 0 '<pad>'",
                  target="logprob", model_calls=2, seconds=0.1)
    fields.update(overrides)
    return Attribution(**fields)


@pytest.mark.parametrize("overrides, message", [
    (dict(scores=[0.5, -1.0]), "3 tokens"),
    (dict(scores=[[0.5, -1.0, 0.0]]), "1-dimensional"),
    (dict(scores=[0.5, float("nan"), 0.0]), "non-finite"),
    (dict(scores=["x", "y", "z"]), "numeric"),
    (dict(tokens=[]), "at least one"),
    (dict(tokens="abc"), "sequence of strings"),
    (dict(tokens=["a", 1, "c"]), "sequence of strings"),
    (dict(method=""), "method"),
    (dict(model_calls=-1), "model_calls"),
    (dict(model_calls=1.5), "model_calls"),
    (dict(seconds=float("inf")), "seconds"),
    (dict(token_ids=[1, 2]), "token_ids has 2"),
    (dict(token_ids=[1, -2, 3]), "outside the vocabulary"),
    (dict(target_tokens=["x"], target_scores=[[1.0, 2.0]] * 3), r"shape \(3, 1\)"),
    (dict(target_value=float("nan")), "target_value"),
])
def test_attribution_validation(overrides, message):
    with pytest.raises(ValueError, match=message):
        _attribution(**overrides)


def test_attribution_is_an_immutable_copy():
    scores = np.array([0.5, -1.0, 0.0])
    result = _attribution(scores=scores, target_tokens=("x",), target_scores=[[1.0], [2.0], [3.0]])
    scores[0] = 99.0
    assert result.scores[0] == 0.5
    with pytest.raises(ValueError):
        result.scores[0] = 1.0
    with pytest.raises(AttributeError):
        result.method = "other"  # type: ignore[misc]
    assert result.ranking() == [0, 2, 1]
    frame = result.to_pandas()
    assert list(frame.columns) == ["position", "token", "token_id", "score", "score[0:x]"]
    assert frame.attrs["method"] == "occlusion" and frame["score"].tolist() == [0.5, -1.0, 0.0]


def test_to_html_escapes_untrusted_text():
    result = _attribution(tokens=["<script>", "alert('x')", '" onmouseover="evil()'], method="m<b>",
                          target_tokens=("</figure>",), target_scores=[[1.0], [0.0], [-1.0]])
    page = result.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '" onmouseover="' not in page and "&quot; onmouseover=&quot;" in page
    assert "m<b>" not in page and "</figure>" == page[-len("</figure>"):] and page.count("</figure>") == 1
    assert page.count('class="medaudit-token"') == 3


# -- planted ground truth ------------------------------------------------------------------------------
def _planted_model(tokenizer, planted: int, answer: int):
    """A 1-layer Llama whose answer logit reads exactly one input token.

    Only token ``planted`` has a non-zero embedding coordinate 0. The attention has zero
    queries and keys (uniform weights over the prefix) and copies coordinate 0 into
    coordinate 1 of the residual stream; the LM head reads coordinate 1 into the
    ``answer`` logit; the MLP is zero. So log P(answer) is high iff ``planted`` is in the
    prompt, whatever its position, and no other prompt token (bar the last, whose
    embedding enters the final norm) can change it.
    """
    from transformers import LlamaConfig, LlamaForCausalLM

    from audit.models.hf import HFModel

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    lm = LlamaForCausalLM(config)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in lm.parameters():
            param.zero_()
        for norm in (lm.model.layers[0].input_layernorm, lm.model.layers[0].post_attention_layernorm, lm.model.norm):
            norm.weight.fill_(1.0)
        embed = lm.model.embed_tokens.weight
        embed.copy_(0.1 * torch.randn(embed.shape, generator=generator))
        embed[:, :2] = 0.0
        embed[planted, 0] = 10.0
        attn = lm.model.layers[0].self_attn
        attn.v_proj.weight[0, 0] = 1.0  # KV head 0, channel 0 ← normalised coordinate 0
        attn.o_proj.weight[1, 0] = 10.0  # residual coordinate 1 ← head 0, channel 0
        lm.lm_head.weight[answer, 1] = 20.0
    return HFModel(lm, tokenizer, name="planted")


@pytest.fixture(scope="module")
def planted(tiny_model):
    prompt = tiny_model.encode_prompt(PROMPT)
    counts = {tok: prompt.count(tok) for tok in prompt}
    pad = tiny_model.tokenizer.pad_token_id
    singles = [i for i, tok in enumerate(prompt[:-1]) if counts[tok] == 1 and tok != pad]
    k, placebo = singles[len(singles) // 2], singles[1]
    answer = tiny_model.encode_continuation("yes")
    return _planted_model(tiny_model.tokenizer, prompt[k], answer[0]), prompt, answer, k, placebo


@pytest.mark.parametrize("method, options", [
    ("occlusion", {}),
    ("captum.feature_ablation", {}),
    ("captum.shapley", {"n_samples": 2}),
    ("captum.lime", {"n_samples": 96}),
])  # Integrated gradients is left out on purpose: this model saturates (the planted signal
#     passes an RMSNorm), so IG's path integral is ~0 at 16 steps and only finds k at ~64.
def test_planted_token_ranks_first(planted, method, options):
    model, prompt, answer, k, placebo = planted
    result = get_explainer(method, options).explain(model, prompt, answer, make_target("logprob"))
    assert result.ranking()[0] == k
    top = result.scores[k]
    assert top > 1.0  # removing the planted token costs several nats
    assert abs(result.scores[placebo]) < 0.05 * top
    if method in ("occlusion", "captum.feature_ablation", "captum.shapley"):
        others = np.delete(result.scores, [k, len(prompt) - 1])
        assert np.max(np.abs(others)) < 1e-4  # exact methods: nothing else matters


# -- the registry and the one-call entry point -----------------------------------------------------------
def test_registry_lists_explainers_and_imports_captum_lazily():
    assert {"occlusion", "captum.feature_ablation", "captum.shapley", "captum.lime",
            "captum.integrated_gradients"} <= set(EXPLAINERS.names())
    code = "import sys, audit.attribution as a; a.get_explainer('occlusion'); print('captum' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_explain_convenience(sharp_model):
    result = explain(sharp_model, PROMPT, "yes", target="contrastive", foil_text="no")
    assert result.method == "occlusion" and result.target == "contrastive"
    assert len(result.tokens) == len(sharp_model.encode_prompt(PROMPT))
    lime = explain(sharp_model, PROMPT, "yes", method="captum.lime", options={"n_samples": 16, "seed": 3})
    again = explain(sharp_model, PROMPT, "yes", method="captum.lime", options={"n_samples": 16, "seed": 3})
    assert np.array_equal(lime.scores, again.scores) and lime.target_scores is None
    ig = explain(sharp_model, PROMPT, "yes no", method="captum.integrated_gradients", options={"n_steps": 4})
    assert ig.target_scores.shape == (len(result.tokens), 2)


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="no-such-method"), "unknown explainer"),
    (dict(target="contrastive"), "needs a foil"),
    (dict(foil_text="no"), "takes no foil"),
    (dict(target_text=""), "target_text"),
    (dict(method="captum.integrated_gradients", target="prob"), "cannot attribute target 'prob'"),
    (dict(options={"max_tokens_per_forward": 0}), "max_tokens_per_forward"),
    (dict(options={"baseline_id": -1}), "baseline_id"),
    (dict(options={"n_samples": 4}), "has no option"),
    (dict(method="captum.shapley", options={"n_samples": 0}), "n_samples"),
])
def test_explain_rejects_bad_input(tiny_model, kwargs, message):
    call = dict(model=tiny_model, messages=PROMPT, target_text="yes")
    call.update(kwargs)
    with pytest.raises(ValueError, match=message):
        explain(**call)


def test_explainers_reject_bad_ids(tiny_model):
    occ = Occlusion()
    vocab = tiny_model.model.get_input_embeddings().weight.shape[0]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        occ.explain(tiny_model, [1, 2, vocab], [3], make_target("logprob"))
    with pytest.raises(ValueError, match="target_ids is empty"):
        occ.explain(tiny_model, [1, 2], [], make_target("logprob"))
    with pytest.raises(ValueError, match="context window"):
        occ.explain(tiny_model, [5] * 600, [3], make_target("logprob"))
    with pytest.raises(ValueError, match="TargetFunction"):
        occ.explain(tiny_model, [1, 2], [3], "logprob")  # type: ignore[arg-type]


@pytest.mark.integration
def test_occlusion_equals_captum_on_embedded_model(embedded_model):
    messages = [{"role": "system", "content": "You are a clinician."},
                {"role": "user", "content": "Fever and neck stiffness: is meningitis possible? Yes or no."}]
    prompt = embedded_model.encode_prompt(messages)
    goal = embedded_model.encode_continuation("Yes, it is")
    target = make_target("logprob")
    ours = Occlusion().explain(embedded_model, prompt, goal, target)
    theirs = CaptumFeatureAblation().explain(embedded_model, prompt, goal, target)
    assert np.max(np.abs(ours.scores - theirs.scores)) <= TOLERANCE
    assert np.max(np.abs(ours.target_scores - theirs.target_scores)) <= TOLERANCE
    assert np.max(np.abs(ours.scores)) > 1.0


def test_occlusion_is_exact_with_eager_attention(sharp_model):
    from transformers import LlamaForCausalLM

    from audit.models.hf import HFModel

    torch.manual_seed(1)
    eager = HFModel(LlamaForCausalLM._from_config(sharp_model.model.config, attn_implementation="eager"),
                    sharp_model.tokenizer)
    assert eager.model.config._attn_implementation == "eager"
    prompt, goal, foil = _ids(eager)
    target = make_target("contrastive", foil)
    ours = Occlusion(max_tokens_per_forward=100).explain(eager, prompt, goal, target)
    theirs = CaptumFeatureAblation().explain(eager, prompt, goal, target)
    assert np.max(np.abs(ours.scores - theirs.scores)) <= TOLERANCE


@pytest.mark.parametrize("config, message", [
    (dict(_attn_implementation="flash_attention_2"), "does not take"),
    (dict(_attn_implementation="sdpa", layer_types=["full_attention", "sliding_attention"]), "full-attention"),
    (dict(_attn_implementation="sdpa", sliding_window=16), "full-attention"),
])
def test_occlusion_refuses_models_it_cannot_pack(config, message):
    from types import SimpleNamespace

    from audit.attribution.occlusion import check_packable

    with pytest.raises(ValueError, match=message):
        check_packable(SimpleNamespace(config=SimpleNamespace(**config)), total_len=40)
    check_packable(SimpleNamespace(config=SimpleNamespace(_attn_implementation="sdpa", sliding_window=64)), 40)
