"""The HF backend on a tiny random Llama: scoring, generation, context limits."""

from __future__ import annotations

import pytest
import torch

from audit.errors import ContextWindowError, ModelLoadError
from audit.models import GenerationConfig, load_model
from audit.models.base import Capability

PROMPT = [{"role": "user", "content": "Is aspirin a nonsteroidal anti-inflammatory drug?"}]
OPTIONS = {"yes": ("yes", "Yes"), "no": ("no",), "abstain": ("I don't know", "I am not sure")}


def test_declares_all_capabilities(tiny_model):
    assert tiny_model.capabilities == frozenset(Capability)
    assert tiny_model.identity.context_window == 512


def test_shared_prefix_scoring_matches_full_forward(tiny_model):
    scores = tiny_model.score_options(PROMPT, OPTIONS, "q1")
    for label, texts in OPTIONS.items():
        for text in texts:
            full = sum(tiny_model.continuation_logprobs(PROMPT, text))
            assert scores.variant_logprobs[f"{label}::{text}"] == pytest.approx(full, abs=1e-4)
    # A label's log-prob is the log of its variants' summed probability.
    yes = torch.logsumexp(torch.tensor([scores.variant_logprobs["yes::yes"], scores.variant_logprobs["yes::Yes"]]), 0)
    assert scores.logprobs["yes"] == pytest.approx(float(yes), abs=1e-6)
    assert 0.0 <= scores.option_mass <= 1.0


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_packed_scoring_is_exact_under_each_attention_kernel(tiny_model_dir, attention):
    # Options of different lengths in one packed sequence must not see each other.
    model = load_model(str(tiny_model_dir), device="cpu")
    model.model.set_attn_implementation(attention)
    options = {"a": ("chest pain radiating to the left arm", "no"), "b": ("Yes", "shortness of breath")}
    scores = model.score_options(PROMPT, options, "q1")
    for label, texts in options.items():
        for text in texts:
            per_token = model.continuation_logprobs(PROMPT, text)
            assert scores.variant_token_logprobs[f"{label}::{text}"] == pytest.approx(per_token, abs=1e-5)


def test_next_token_distribution_agrees_with_option_scores(tiny_model):
    logprobs = tiny_model.next_token_logprobs(PROMPT)
    assert logprobs.exp().sum().item() == pytest.approx(1.0, abs=1e-4)
    no_id = tiny_model.encode_continuation("no")
    if len(no_id) == 1:
        assert tiny_model.score_options(PROMPT, OPTIONS).logprobs["no"] == pytest.approx(logprobs[no_id[0]].item(), abs=1e-5)


def test_greedy_batch_equals_one_by_one(tiny_model):
    prompts = [PROMPT, [{"role": "user", "content": "Yes"}], [{"role": "user", "content": "The patient presented with chest pain"}]]
    config = GenerationConfig(max_new_tokens=6)
    batched = tiny_model.generate(prompts, config)
    for prompt, out in zip(prompts, batched):
        single = tiny_model.generate([prompt], config)[0]
        assert single.text == out.text
        assert single.token_logprobs == pytest.approx(out.token_logprobs, abs=1e-4)
        assert len(out.token_logprobs) == len(out.tokens)


def test_seeded_sampling_is_reproducible_and_batch_independent(tiny_model):
    config = GenerationConfig(max_new_tokens=8, temperature=1.0, seed=7)
    prompts = [PROMPT, [{"role": "user", "content": "Yes"}]]
    first = tiny_model.generate(prompts, config, ["a", "b"])
    again = tiny_model.generate(prompts[1:], config, ["b"])
    assert first[1].text == again[0].text
    other_seed = tiny_model.generate(prompts, GenerationConfig(max_new_tokens=8, temperature=1.0, seed=8), ["a", "b"])
    assert [g.text for g in other_seed] != [g.text for g in first]


def test_prompt_longer_than_context_names_the_item(tiny_model):
    long_prompt = [{"role": "user", "content": "chest pain " * 400}]
    with pytest.raises(ContextWindowError, match="item 'too-long'"):
        tiny_model.score_options(long_prompt, OPTIONS, "too-long")
    with pytest.raises(ContextWindowError, match="item 'gen-long'"):
        tiny_model.generate([long_prompt], GenerationConfig(max_new_tokens=4), ["gen-long"])


def test_hidden_states_shape(tiny_model):
    states = tiny_model.hidden_states([PROMPT, PROMPT], layers=[0, 2])
    assert states.shape == (2, 2, 32)
    assert torch.allclose(states[0], states[1])


def test_missing_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        load_model(str(tmp_path / "empty"))


def test_unavailable_cuda_is_a_clear_error(tiny_model_dir):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(ModelLoadError, match="no CUDA device"):
        load_model(str(tiny_model_dir), device="cuda")
