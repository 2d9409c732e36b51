"""Integration: the embedded SmolLM2-135M-Instruct, loaded offline from its GGUF."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from audit.cli import app
from audit.models import GenerationConfig
from audit.models.loading import EMBEDDED_GGUF, cache_root, embedded_gguf_path, resolve_model, sha256_file

pytestmark = pytest.mark.integration

PROMPT = [{"role": "user", "content": "Is metformin a first-line drug for type 2 diabetes? Answer yes or no."}]


def test_gguf_is_cached_as_safetensors_keyed_by_its_sha256(embedded_model):
    gguf = embedded_gguf_path()
    assert gguf.name == EMBEDDED_GGUF
    resolved = resolve_model(None)
    sha = sha256_file(gguf)
    assert resolved.weights_sha256 == sha == embedded_model.identity.weights_sha256
    assert resolved.folder.parent == cache_root() / "models" and resolved.folder.name == sha[:24]
    assert list(resolved.folder.glob("*.safetensors")) and (resolved.folder / "tokenizer.json").is_file()
    assert embedded_model.identity.n_parameters == 134_515_008


def test_cached_model_matches_a_fresh_gguf_load(embedded_model):
    from transformers import AutoModelForCausalLM

    gguf = embedded_gguf_path()
    fresh = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    ids = torch.tensor([embedded_model.encode_prompt(PROMPT)])
    with torch.no_grad():
        assert torch.allclose(fresh(input_ids=ids).logits, embedded_model.model(input_ids=ids).logits, atol=1e-5)


def test_option_scoring_matches_full_forward(embedded_model):
    options = {"yes": ("Yes", "yes"), "no": ("No",), "long": ("Metformin is first-line therapy",)}
    scores = embedded_model.score_options(PROMPT, options, "m1")
    for label, texts in options.items():
        for text in texts:
            full = sum(embedded_model.continuation_logprobs(PROMPT, text))
            assert scores.variant_logprobs[f"{label}::{text}"] == pytest.approx(full, abs=1e-4)


def test_greedy_generation_is_deterministic(embedded_model):
    config = GenerationConfig(max_new_tokens=12)
    first = embedded_model.generate([PROMPT], config)[0]
    assert first.text and first.text == embedded_model.generate([PROMPT], config)[0].text
    assert all(lp <= 0 for lp in first.token_logprobs)


def test_transformer_bridge_reproduces_the_model_logits(embedded_model):
    options = {"yes": ("Yes",), "long": ("Metformin is first-line therapy",)}
    before = embedded_model.score_options(PROMPT, options).variant_logprobs
    bridge = embedded_model.bridge()
    assert embedded_model.score_options(PROMPT, options).variant_logprobs == before  # the model is not rewired
    ids = torch.tensor([embedded_model.encode_prompt(PROMPT)])
    with torch.no_grad():
        logits, cache = bridge.run_with_cache(ids)
        reference = embedded_model.model(input_ids=ids).logits
    assert torch.allclose(logits, reference, atol=1e-4)
    assert "blocks.0.hook_resid_pre" in cache.keys()


def test_cli_audit_of_the_embedded_model_writes_all_three_outputs(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--limit", "4", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    for name in ("evidence.json", "report.html", "report.md"):
        assert (out / name).is_file()
    evidence = json.loads((out / "evidence.json").read_text())
    results = {r["probe_id"]: r for r in evidence["probe_results"]}
    assert {"pubmedqa", "none_of_the_above", "false_confidence", "fabricated_entities",
            "counterfactual_decisions", "stereotype_preference"} <= set(results)
    assert all(r["status"] == "completed" and r["items"] for r in results.values())
    pubmedqa = results["pubmedqa"]
    assert len(pubmedqa["items"]) == 8
    assert evidence["provenance"]["model"]["name"] == "SmolLM2-135M-Instruct"
    assert all(0 <= item["scores"]["option_mass"] <= 1 for item in pubmedqa["items"])
    assert "probes/bias/data/demographics.yaml" in evidence["provenance"]["data_files"]
