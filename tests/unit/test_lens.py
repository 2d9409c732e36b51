"""Logit lens, direct logit attribution and activation patching (audit.attribution.lens) against ground truth."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from audit.attribution.lens import (
    ActivationPatching,
    DirectLogitAttribution,
    LogitLens,
    activation_patching,
    direct_logit_attribution,
    logit_lens,
)

PROMPT = [{"role": "user", "content": "Is aspirin a nonsteroidal anti-inflammatory drug?"}]
BASE = [1, 50, 60, 70, 80, 90, 100, 110]  # plain token ids for the planted models
TRIGGER, OTHER, ANSWER, FOIL = 300, 301, 200, 201


def _planted(tokenizer, kind: str, layer: int, n_layers: int = 4):
    """A zero-weight Llama in which only block ``layer``'s ``kind`` ("attn" or "mlp") moves the answer logit.

    Embedding coordinates 0-3 are zero for every token but ``TRIGGER`` (coordinate 0 = 10). "attn": zero
    queries and keys (uniform attention over the prefix); head 0 copies normalised coordinate 0 into
    residual coordinate 1. "mlp": the gated MLP maps normalised coordinate 0 of the same position to
    coordinate 1 (silu(x)·x). The LM head reads coordinate 1 into ``ANSWER``; ``FOIL``'s row is zero.
    Every other weight is zero, so no other component ever writes to the residual stream.
    """
    from transformers import LlamaConfig, LlamaForCausalLM

    from audit.models.hf import HFModel

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=n_layers,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    lm = LlamaForCausalLM(config)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in lm.parameters():
            param.zero_()
        for block in lm.model.layers:
            block.input_layernorm.weight.fill_(1.0)
            block.post_attention_layernorm.weight.fill_(1.0)
        lm.model.norm.weight.fill_(1.0)
        embed = lm.model.embed_tokens.weight
        embed.copy_(0.1 * torch.randn(embed.shape, generator=generator))
        embed[:, :4] = 0.0
        embed[TRIGGER, 0] = 10.0
        block = lm.model.layers[layer]
        if kind == "attn":
            block.self_attn.v_proj.weight[0, 0] = 1.0  # KV head 0, channel 0 ← normalised coordinate 0
            block.self_attn.o_proj.weight[1, 0] = 10.0  # residual coordinate 1 ← query head 0, channel 0
        else:
            block.mlp.gate_proj.weight[0, 0] = 1.0
            block.mlp.up_proj.weight[0, 0] = 1.0
            block.mlp.down_proj.weight[1, 0] = 1.0
        lm.lm_head.weight[ANSWER, 1] = 2.0
    return HFModel(lm, tokenizer, name=f"planted-{kind}{layer}")


def _prompts(kind: str) -> tuple[list[int], list[int], int]:
    """Clean and corrupted prompts (trigger vs another token) and the position where they differ."""
    pos = len(BASE) - 1 if kind == "mlp" else 3  # the MLP reads its own position only
    clean, corrupted = list(BASE), list(BASE)
    clean[pos], corrupted[pos] = TRIGGER, OTHER
    return clean, corrupted, pos


@pytest.fixture(scope="module")
def prompt_ids(tiny_model) -> list[int]:
    return tiny_model.encode_prompt(PROMPT)


@pytest.fixture(scope="module")
def yes_no(tiny_model) -> tuple[int, int]:
    return tiny_model.encode_continuation("yes")[0], tiny_model.encode_continuation("no")[0]


# -- logit lens ----------------------------------------------------------------------------------------
def test_logit_lens_matches_direct_computation(tiny_model, prompt_ids, yes_no):
    yes, no = yes_no
    lens = logit_lens(tiny_model, prompt_ids, [yes, 5], foil_ids=[no])
    n = tiny_model.n_layers
    assert lens.logprob.shape == (n + 1,) and len(lens.top_tokens) == n + 1
    real = tiny_model.next_token_logprobs(PROMPT)
    assert abs(lens.logprob[-1] - real[yes].item()) < 1e-4
    assert abs(lens.logprob_diff[-1] - (real[yes] - real[no]).item()) < 1e-4
    assert lens.top_ids[-1] == int(real.argmax())
    hf = tiny_model.model
    with torch.no_grad():
        states = hf(input_ids=torch.tensor([prompt_ids]), output_hidden_states=True).hidden_states
        for k in range(n):  # HF's last hidden state is already normed, so the final layer is checked above
            logp = torch.log_softmax(hf.lm_head(hf.model.norm(states[k][0, -1])), -1)
            assert abs(lens.logprob[k] - logp[yes].item()) < 1e-4
            assert lens.top_ids[k] == int(logp.argmax())
    frame = lens.to_pandas()
    assert list(frame["layer"]) == list(range(n + 1)) and "logprob_diff" in frame
    assert logit_lens(tiny_model, prompt_ids, [yes]).logprob_diff is None


def test_logit_lens_on_planted_model(tiny_model):
    model = _planted(tiny_model.tokenizer, "attn", 2)
    clean, _, _ = _prompts("attn")
    lens = logit_lens(model, clean, [ANSWER], foil_ids=[FOIL])
    assert np.allclose(lens.logprob_diff[:3], 0.0, atol=1e-5)  # nothing written before block 2
    assert np.all(lens.logprob_diff[3:] > 1.0) and np.allclose(lens.logprob_diff[3:], lens.logprob_diff[-1])
    assert lens.top_ids[-1] == ANSWER


# -- direct logit attribution ------------------------------------------------------------------------
def _hf_outputs(hf, ids: list[int]) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor, torch.Tensor]:
    """Attention and MLP outputs at the last position, final residual stream and logits, via plain HF hooks."""
    attn, mlp = [], []
    handles = []
    for block in hf.model.layers:
        handles.append(block.self_attn.register_forward_hook(lambda m, i, o: attn.append(o[0][0, -1])))
        handles.append(block.mlp.register_forward_hook(lambda m, i, o: mlp.append(o[0, -1])))
    try:
        with torch.no_grad():
            out = hf(input_ids=torch.tensor([ids]), output_hidden_states=True)
    finally:
        for handle in handles:
            handle.remove()
    final = out.hidden_states[-2][0, -1]  # before the final norm: recompute it from the last block
    final = final + attn[-1] + mlp[-1]
    return attn, mlp, final, out.logits[0, -1]


@pytest.mark.parametrize("use_foil", [True, False])
def test_dla_sums_to_the_logit_and_matches_hf(tiny_model, prompt_ids, yes_no, use_foil):
    yes, no = yes_no
    dla = direct_logit_attribution(tiny_model, prompt_ids, yes, no if use_foil else None)
    n, heads = tiny_model.n_layers, tiny_model.model.config.num_attention_heads
    assert dla.heads.shape == (n, heads) and dla.mlps.shape == (n,)
    hf = tiny_model.model
    attn, mlp, final, logits = _hf_outputs(hf, prompt_ids)
    actual = logits[yes] - (logits[no] if use_foil else 0.0)
    assert abs(dla.actual - actual.item()) < 1e-4
    assert abs(dla.total - dla.actual) < 1e-3 and abs(dla.bias) < 1e-4
    scale = final.pow(2).mean().add(hf.config.rms_norm_eps).sqrt()
    direction = hf.lm_head.weight[yes] - (hf.lm_head.weight[no] if use_foil else 0.0)
    direction = direction * hf.model.norm.weight / scale
    for k in range(n):
        assert abs(dla.mlps[k] - (mlp[k] @ direction).item()) < 1e-4
        assert abs(dla.heads[k].sum() - (attn[k] @ direction).item()) < 1e-4
    frame = dla.to_pandas()
    assert len(frame) == 2 + n * (heads + 1) and abs(frame["score"].sum() - dla.actual) < 1e-3


@pytest.mark.parametrize("kind, layer", [("attn", 1), ("mlp", 2)])
def test_dla_finds_planted_component(tiny_model, kind, layer):
    model = _planted(tiny_model.tokenizer, kind, layer)
    clean, _, _ = _prompts(kind)
    dla = direct_logit_attribution(model, clean, ANSWER, FOIL)
    assert dla.actual > 1.0 and abs(dla.total - dla.actual) < 1e-3
    planted = dla.heads[layer, 0] if kind == "attn" else dla.mlps[layer]
    assert abs(planted - dla.actual) < 1e-3
    assert abs(dla.embed) < 1e-6 and np.abs(dla.heads).sum() + np.abs(dla.mlps).sum() - abs(planted) < 1e-5


# -- activation patching -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind, layer", [("attn", 1), ("attn", 3), ("mlp", 0), ("mlp", 2)])
def test_patching_localises_planted_component(tiny_model, kind, layer):
    model = _planted(tiny_model.tokenizer, kind, layer)
    clean, corrupted, pos = _prompts(kind)
    result = activation_patching(model, clean, corrupted, ANSWER, FOIL)
    assert result.gap > 1.0 and result.normalised
    assert (result.peak_component, result.peak_layer) == (kind, layer)
    effects = {"attn": result.attn_effect.copy(), "mlp": result.mlp_effect.copy()}
    assert effects[kind][layer] > 0.5
    effects[kind][layer] = 0.0
    assert max(np.abs(e).max() for e in effects.values()) < 1e-4  # nothing anywhere else
    resid, last = result.resid_effect, len(clean) - 1
    assert resid.shape == (model.n_layers + 1, len(clean)) and result.resid_positions == tuple(range(len(clean)))
    carriers = np.zeros_like(resid)  # which (layer, position) carries the trigger's information
    carriers[: layer + 1, pos] = 1.0  # entering blocks up to the planted one: where the token is
    carriers[layer + 1:, last] = 1.0  # after it: the final position
    assert np.allclose(resid, carriers, atol=1e-4)


def test_patching_restricted_residual_positions_equal_the_full_grid(tiny_model):
    model = _planted(tiny_model.tokenizer, "attn", 1)
    clean, corrupted, pos = _prompts("attn")
    full = activation_patching(model, clean, corrupted, ANSWER, FOIL)
    last = len(clean) - 1
    some = activation_patching(model, clean, corrupted, ANSWER, FOIL, resid_positions=[last, pos])
    assert some.resid_positions == (pos, last)
    assert np.allclose(some.resid_raw, full.resid_raw[:, [pos, last]], atol=1e-6)
    one = activation_patching(model, clean, corrupted, ANSWER, FOIL, resid_positions=[pos])
    assert one.resid_positions == (pos,) and np.allclose(one.resid_raw, full.resid_raw[:, [pos]], atol=1e-6)
    none = activation_patching(model, clean, corrupted, ANSWER, FOIL, resid_positions=())
    assert none.resid_raw.shape == (model.n_layers + 1, 0) and len(none.to_pandas()) == 2 * model.n_layers
    assert isinstance(none.to_html(), str)
    assert np.allclose(some.attn_raw, full.attn_raw) and np.allclose(some.mlp_raw, full.mlp_raw)
    with pytest.raises(ValueError, match="resid_positions"):
        activation_patching(model, clean, corrupted, ANSWER, FOIL, resid_positions=[len(clean)])


def test_finding_patching_profiles_follow_the_swapped_term(tiny_model):
    """Explanations of paired findings patch the residual stream only where the pair differs (cheap), and the
    profile shows the term's information at its own position up to the planted layer, then gone from it."""
    from audit.attribution.findings import _patching_profiles

    model = _planted(tiny_model.tokenizer, "attn", 1)
    clean, corrupted, pos = _prompts("attn")
    profiles = {p.name: p for p in _patching_profiles(model, clean, corrupted, ANSWER, FOIL)}
    assert profiles["patching attention"].values[1] == pytest.approx(1.0, abs=1e-4)
    term = profiles["patching residual stream at the swapped term"]
    assert term.layers == ["embed", "L0", "L1", "L2", "L3"]
    assert np.allclose(term.values, [1.0, 1.0, 0.0, 0.0, 0.0], atol=1e-4)


def test_finding_patching_profiles_of_pairs_of_different_lengths(tiny_model):
    """A partner one token longer (e.g. 'White' vs 'B'+'ac'+'k'): component profiles only, no residual profile."""
    from audit.attribution.findings import _patching_profiles

    model = _planted(tiny_model.tokenizer, "attn", 1)
    clean, corrupted, _ = _prompts("attn")
    longer = corrupted[:1] + [91] + corrupted[1:]  # a token the model ignores, before the trigger position
    names = [p.name for p in _patching_profiles(model, clean, longer, ANSWER, FOIL)]
    assert names and all("residual" not in name for name in names)


def test_patching_placebo_is_zero_and_undefined(tiny_model):
    model = _planted(tiny_model.tokenizer, "attn", 1)
    clean, _, _ = _prompts("attn")
    placebo = list(clean)
    placebo[5] = 91  # a token the model ignores
    result = activation_patching(model, clean, placebo, ANSWER, FOIL)
    assert abs(result.gap) < 1e-6 and not result.normalised
    assert result.attn_effect is None and result.mlp_effect is None and result.resid_effect is None
    assert max(np.abs(result.attn_raw).max(), np.abs(result.mlp_raw).max(), np.abs(result.resid_raw).max()) < 1e-5
    frame = result.to_pandas()
    assert frame["effect"].isna().all() and np.isfinite(frame["raw"]).all()
    assert "undefined" in result.to_html()


def test_patching_on_tiny_model(tiny_model, prompt_ids, yes_no):
    yes, no = yes_no
    corrupted = list(prompt_ids)
    corrupted[len(corrupted) // 2] = tiny_model.encode_continuation("maybe")[0]
    one = activation_patching(tiny_model, prompt_ids, corrupted, yes, no, max_batch=1)
    many = activation_patching(tiny_model, prompt_ids, corrupted, yes, no, max_batch=64)
    n, length = tiny_model.n_layers, len(prompt_ids)
    assert one.model_calls == 2 + 2 * n + (n + 1) * length and many.model_calls == 2 + math.ceil(
        (2 * n + (n + 1) * length) / 64)
    assert np.allclose(one.resid_raw, many.resid_raw, atol=1e-4) and np.allclose(one.mlp_raw, many.mlp_raw, atol=1e-4)
    assert abs(many.resid_raw[-1, -1] - many.gap) < 1e-4  # the whole final stream restores the clean metric
    assert np.allclose(many.resid_raw[0, : length // 2], 0.0, atol=1e-5)  # before the change: nothing differs
    # Unequal lengths: the residual stream is patched at the final position only.
    short = activation_patching(tiny_model, prompt_ids, corrupted[1:], yes, no)
    assert short.resid_positions == (length - 1,) and short.resid_raw.shape == (n + 1, 1)
    assert abs(short.resid_raw[-1, 0] - short.gap) < 1e-4
    frame = many.to_pandas()
    assert len(frame) == 2 * n + (n + 1) * length and set(frame["component"]) == {"attn", "mlp", "resid"}


# -- hygiene -----------------------------------------------------------------------------------------
def test_audited_model_is_untouched(tiny_model, prompt_ids, yes_no):
    yes, no = yes_no
    hf = tiny_model.model
    ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        before = hf(input_ids=ids).logits
    state = {k: v.clone() for k, v in hf.state_dict().items()}
    hooks = _hooks(hf)  # transformers installs its own output-capturing hooks; ours must add none
    logit_lens(tiny_model, prompt_ids, [yes])
    direct_logit_attribution(tiny_model, prompt_ids, yes, no)
    activation_patching(tiny_model, prompt_ids, prompt_ids[:-2] + prompt_ids[-1:] * 2, yes, no)
    with torch.no_grad():
        assert torch.equal(hf(input_ids=ids).logits, before)
    assert all(torch.equal(v, state[k]) for k, v in hf.state_dict().items())
    assert _hooks(hf) == hooks
    ours = {p.data_ptr() for p in hf.parameters()}
    assert not ours & {p.data_ptr() for p in tiny_model.bridge().parameters()}  # the bridge holds a copy


def _hooks(module: torch.nn.Module) -> dict[str, tuple[list, list]]:
    return {name: (list(m._forward_hooks.values()), list(m._forward_pre_hooks.values()))
            for name, m in module.named_modules()}


@pytest.mark.parametrize("call, message", [
    (lambda m, p, y, n: logit_lens(m, [], [y]), "prompt_ids is empty"),
    (lambda m, p, y, n: logit_lens(m, p, []), "target_ids is empty"),
    (lambda m, p, y, n: logit_lens(m, p, [10**6]), "outside the vocabulary"),
    (lambda m, p, y, n: logit_lens(m, p, [y], foil_ids=[y]), "same token"),
    (lambda m, p, y, n: logit_lens(m, "some text", [y]), "not text"),
    (lambda m, p, y, n: logit_lens(m, p * 100, [y]), "context window"),
    (lambda m, p, y, n: direct_logit_attribution(m, p, -1), "outside the vocabulary"),
    (lambda m, p, y, n: direct_logit_attribution(m, p, [y]), "one token id"),
    (lambda m, p, y, n: direct_logit_attribution(m, p, y, y), "same token"),
    (lambda m, p, y, n: activation_patching(m, p, [], y, n), "corrupted_ids is empty"),
    (lambda m, p, y, n: activation_patching(m, p, p, y, 10**6), "outside the vocabulary"),
    (lambda m, p, y, n: activation_patching(m, p, p, y, n, max_batch=0), "max_batch"),
    (lambda m, p, y, n: activation_patching(m, p, p, y, n, min_gap=-1.0), "min_gap"),
])
def test_bad_input_raises_value_error(tiny_model, prompt_ids, yes_no, call, message):
    with pytest.raises(ValueError, match=message):
        call(tiny_model, prompt_ids, *yes_no)


def test_html_escapes_all_text():
    evil = "<script>alert(1)</script>"
    lens = LogitLens(tokens=(evil,), target_token=evil, foil_token=None, logprob=[-1.0, -0.5], logprob_diff=None,
                     top_ids=(1, 2), top_tokens=(evil, "&"), seconds=0.0)
    dla = DirectLogitAttribution(tokens=(evil,), target_token=evil, foil_token=evil, heads=[[0.1, -0.2]],
                                 mlps=[0.3], embed=0.0, bias=0.0, actual=0.2, seconds=0.0)
    patch = ActivationPatching(clean_tokens=(evil, "a"), corrupted_tokens=("b", "c"), target_token=evil,
                               foil_token=evil, clean_value=1.0, corrupted_value=0.0, attn_raw=[0.5], mlp_raw=[0.1],
                               resid_raw=[[0.0, 1.0], [0.0, 1.0]], resid_positions=(0, 1), min_gap=1e-3,
                               model_calls=3, seconds=0.0)
    for page in (lens.to_html(), dla.to_html(), patch.to_html()):
        assert page.startswith("<figure") and "<script>" not in page and "&lt;script&gt;" in page
    assert patch.peak == ("attn", 0) and np.allclose(patch.resid_effect, [[0.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError):
        lens.logprob[0] = 0.0  # read-only
