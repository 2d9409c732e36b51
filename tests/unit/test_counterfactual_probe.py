"""Counterfactual decisions: a planted logit shift is detected on its group only, its size is
recovered within the CI, and a clean model's false-alarm rate stays at or below alpha."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pytest

from audit.evidence import ModelIdentity
from audit.models.base import Capability, ModelUnderAudit, OptionScores
from audit.models.planted import LogitShiftModel
from audit.runner import RunConfig, run_audit
from probes.bias.counterfactual import CounterfactualDecisionProbe
from probes.bias.design import fill


def _unit_noise(key: str, seed: int) -> float:
    """A deterministic standard-normal draw per (seed, key)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    u1, u2 = (int.from_bytes(digest[i:i + 4], "little") / 2**32 for i in (0, 4))
    return math.sqrt(-2 * math.log(u1 + 1e-12)) * math.cos(2 * math.pi * u2)


@dataclass
class NoisyDecisionModel(ModelUnderAudit):
    """Logit of the indicated option = a(vignette) + noise(variant) - delta if a planted term is present.

    The per-variant noise is what a real model's sensitivity to irrelevant wording looks like;
    the planted shift moves every variant that mentions ``term`` toward the unfavourable options."""

    correct: dict[str, str]
    term: str | None = None
    delta: float = 0.0
    noise: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        self.capabilities = frozenset({Capability.SCORE})

    @property
    def identity(self) -> ModelIdentity:
        return ModelIdentity(name=f"noisy-{self.seed}-{self.term}-{self.delta}", source="test", weights_sha256="0",
                             tokenizer_sha256="0")

    @property
    def context_window(self) -> int:
        return 100_000

    def base_logit(self, unit: str) -> float:
        return 1.0 + 0.8 * _unit_noise(unit, 99)

    def score_options(self, prompt, options, item_id="?") -> OptionScores:
        unit = item_id.split("/")[0] + "/" + item_id.split("/")[1]
        logit = self.base_logit(unit) + self.noise * _unit_noise(item_id, self.seed)
        if self.term and self.term in prompt[0]["content"]:
            logit -= self.delta
        right = self.correct[item_id.split("/")[0]]
        logprobs = {label: (logit if label == right else 0.0) for label in options}
        total = math.log(sum(math.exp(v) for v in logprobs.values()))
        logprobs = {k: v - total for k, v in logprobs.items()}
        return OptionScores(logprobs, {}, right, True, 1.0, 0)


@pytest.fixture(scope="module")
def probe():
    return CounterfactualDecisionProbe(full=False)


@pytest.fixture(scope="module")
def all_items(probe):
    return probe.load_items()


def _summary(probe, model, items):
    queries = probe.build_queries(items)
    results = [probe.score(q, model.score_options(q.messages, q.options, q.item_id)) for q in queries]
    return probe.summarise(results)


def test_data_meets_the_design_minimums(all_items, probe):
    assert len(all_items) >= 48 and len({v.specialty for v in all_items}) >= 8
    assert all(len(v.phrasings) >= 3 for v in all_items)
    design = probe.design()
    assert len(design.axes["race_ethnicity"].groups) >= 4 and len(design.axes["gender"].groups) >= 3
    assert design.intersections and design.placebo_axes


def test_fill_capitalises_a_pronoun_that_starts_a_sentence(probe):
    group = probe.design().axes["gender"].group("woman")
    assert fill("{patient} fell. {subject} rated {possessive} pain 9/10.", group).startswith(
        f"{group.patient} fell. {group.subject.capitalize()} rated {group.possessive} pain")


def test_planted_shift_is_detected_on_that_group_only_and_its_size_recovered(probe, all_items):
    correct = {v.id: v.clinically_correct for v in all_items}
    delta = 0.6
    model = NoisyDecisionModel(correct, term="Black", delta=delta)
    summary = _summary(probe, model, all_items)
    flagged = {t.name for t in summary.tests if t.name.startswith("demographic:") and t.p_adjusted["holm"] < 0.05}
    assert flagged == {"demographic:race_ethnicity:Black-vs-White"}
    metric = next(m for m in summary.metrics if m.name == "diff:demographic:race_ethnicity:Black-vs-White")
    # Truth: the expected change in P(indicated option) that a shift of delta causes, averaged over vignettes.
    units = sorted({f"{v.id}/p1" for v in all_items})
    n_options = {v.id: len(v.options) for v in all_items}

    def p_correct(logit: float, k: int) -> float:
        return math.exp(logit) / (math.exp(logit) + k - 1)

    truth = np.mean([p_correct(model.base_logit(u) - delta, n_options[u.split("/")[0]])
                     - p_correct(model.base_logit(u), n_options[u.split("/")[0]]) for u in units])
    assert metric.ci_high < 0
    # Coverage over independent seeded runs: the 95% interval should contain the truth ~95% of the time.
    covered = 0
    for seed in range(1, 21):
        rerun = _summary(probe, NoisyDecisionModel(correct, term="Black", delta=delta, seed=seed), all_items)
        m = next(m for m in rerun.metrics if m.name == "diff:demographic:race_ethnicity:Black-vs-White")
        covered += m.ci_low <= truth <= m.ci_high
    assert covered >= 16, f"the interval covered the planted truth in only {covered}/20 runs"
    # The reported minimum detectable difference says this shift was detectable.
    test = next(t for t in summary.tests if t.name == "demographic:race_ethnicity:Black-vs-White")
    assert test.details["min_detectable_difference_80pct_power"] < abs(truth)
    assert summary.verdict.status == "fail"


def test_clean_model_false_alarm_rate_over_seeded_runs_is_at_most_alpha(probe, all_items):
    correct = {v.id: v.clinically_correct for v in all_items}
    p_values = []
    for seed in range(12):
        summary = _summary(probe, NoisyDecisionModel(correct, seed=seed), all_items)
        p_values += [t.p_value for t in summary.tests]
    false_alarms = sum(p < 0.05 for p in p_values) / len(p_values)
    assert len(p_values) >= 100
    assert false_alarms <= 0.05 + 0.03, false_alarms


def test_placebo_false_positive_rate_is_reported_beside_the_verdict(probe, all_items):
    correct = {v.id: v.clinically_correct for v in all_items}
    summary = _summary(probe, NoisyDecisionModel(correct), all_items)
    fpr = next(m for m in summary.metrics if m.name == "placebo_false_positive_rate")
    assert fpr.n == 4 and fpr.ci_high is not None
    assert "placebo false-positive rate" in summary.verdict.explanation
    assert summary.verdict.status in ("pass", "inconclusive")


def test_logit_shift_wrapper_on_a_real_backend(tiny_model, tmp_path):
    shifted = LogitShiftModel(tiny_model, term="Black", label="no", delta=2.0)
    config = RunConfig(probes=("counterfactual_decisions",), limit=3)
    base = run_audit(tiny_model, config, tmp_path / "base", progress=False).evidence.probe_results[0]
    planted = run_audit(shifted, config, tmp_path / "planted", progress=False).evidence.probe_results[0]
    for a, b in zip(base.items, planted.items):
        mentions = "Black" in a.prompt[0].content
        if mentions and "no" in (a.option_logprobs or {}):
            assert b.option_logprobs["no"] == pytest.approx(a.option_logprobs["no"] + 2.0)
        else:
            assert b.option_logprobs == a.option_logprobs
