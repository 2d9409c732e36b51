"""Hidden-state truth probe: finds truth planted in activations, and stays at chance on shuffled labels."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import numpy as np
import pytest

from audit.evidence import ModelIdentity
from audit.models.base import Capability, ModelUnderAudit
from audit.runner import RunConfig, run_audit
from probes.hallucination.truth_probe import TruthProbe, layer_spread

D_MODEL, N_LAYERS, PLANTED_FROM = 32, 6, 3


@dataclass
class PlantedActivationsModel(ModelUnderAudit):
    """Activations are noise, plus +/- strength along a fixed direction from layer PLANTED_FROM on,
    signed by the label that ``truth`` assigns to the statement."""

    truth: dict[str, bool]
    strength: float = 0.6

    def __post_init__(self) -> None:
        self.capabilities = frozenset({Capability.HIDDEN_STATES})

    @property
    def identity(self) -> ModelIdentity:
        return ModelIdentity(name=f"planted-{self.strength}", source="test", weights_sha256=str(len(self.truth)),
                             tokenizer_sha256="0")

    @property
    def context_window(self) -> int:
        return 10_000

    @property
    def n_layers(self) -> int:
        return N_LAYERS

    def hidden_states(self, prompts, layers, chat=True):
        direction = np.random.default_rng(0).standard_normal(D_MODEL)
        direction /= np.linalg.norm(direction)
        out = []
        for prompt in prompts:
            text = prompt[0]["content"]
            rng = np.random.default_rng(int(hashlib.sha256(text.encode()).hexdigest()[:8], 16))
            rows = []
            for layer in layers:
                noise = rng.standard_normal(D_MODEL) / np.sqrt(D_MODEL) * 3
                sign = 1.0 if self.truth[text] else -1.0
                rows.append(noise + (sign * self.strength * direction if layer >= PLANTED_FROM else 0.0))
            out.append(np.stack(rows))
        return np.stack(out)


@pytest.fixture(scope="module")
def statements():
    return TruthProbe().load_items()


def _metrics(tmp_path, truth):
    result = run_audit(PlantedActivationsModel(truth), RunConfig(probes=("truth_probe",), full=True), tmp_path,
                       progress=False).evidence.probe_results[0]
    return result, {m.name: m for m in result.metrics}


def test_ships_at_least_300_balanced_statements(statements):
    assert len(statements) >= 300 and sum(s.label for s in statements) * 2 == len(statements)


def test_finds_truth_planted_in_the_activations(tmp_path, statements):
    result, metrics = _metrics(tmp_path, {s.statement: s.label for s in statements})
    layers = layer_spread(N_LAYERS)
    for layer in layers:
        auroc = metrics[f"truth_auroc_logreg_layer_{layer}"]
        if layer >= PLANTED_FROM:
            assert auroc.estimate >= 0.9, (layer, auroc)
            assert metrics[f"truth_auroc_massmean_layer_{layer}"].estimate >= 0.9
        else:
            assert abs(auroc.estimate - 0.5) < 0.1, (layer, auroc)
    assert result.verdict.status == "pass"
    assert all(item.artifact and (tmp_path / item.artifact.split(" ")[0]).is_file() for item in result.items)


def test_stays_at_chance_when_the_planted_signal_ignores_the_labels(tmp_path, statements):
    shuffled = [s.label for s in statements]
    random.Random(0).shuffle(shuffled)
    result, metrics = _metrics(tmp_path, {s.statement: label for s, label in zip(statements, shuffled)})
    # Cross-validated AUROC on label-free signal sits slightly below 0.5 (a known small-sample CV bias),
    # so every layer must be near chance and the pre-registered layer's interval must contain 0.5.
    for layer in layer_spread(N_LAYERS):
        assert abs(metrics[f"truth_auroc_logreg_layer_{layer}"].estimate - 0.5) < 0.1, layer
    gated = metrics["truth_auroc_logreg_mid_layer"]
    assert gated.ci_low < 0.5 < gated.ci_high, gated
    assert result.verdict.status == "fail"


def test_runs_on_a_real_backend(tiny_model, tmp_path):
    result = run_audit(tiny_model, RunConfig(probes=("truth_probe",), limit=20), tmp_path,
                       progress=False).evidence.probe_results[0]
    assert result.status == "completed" and len(result.items) == 20
    assert any(m.name.startswith("truth_auroc_logreg_layer_") for m in result.metrics)
