"""Options queries answered by generation and a validated parser where the backend cannot score options."""

from __future__ import annotations

import numpy as np
import pytest

from audit.errors import ScoringUnavailable
from audit.models.base import Capability
from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from probes.hallucination.pubmedqa import PubMedQAProbe

TEXT_ONLY = frozenset({Capability.GENERATE})
# Varied phrasings per label, as a text-only endpoint answers: the parser, not a template, must read them.
SAYS = {
    "yes": ("Yes.", "Yes, the evidence supports it.", "The answer is yes.", "I'd say yes - the study found a benefit."),
    "no": ("No.", "No, it does not.", "The answer is no.", "Based on the data, no."),
    "maybe": ("Maybe.", "Maybe - the results are mixed.", "The answer is maybe.", "It depends; maybe."),
}
WRONG = {"yes": "no", "no": "yes", "maybe": "yes"}


def _plan(n_items: int, wrong: float, abstain: float, garbled: float, seed: int):
    rng = np.random.default_rng(seed)
    return rng.choice(["right", "wrong", "abstain", "garbled"], size=n_items,
                      p=[1 - wrong - abstain - garbled, wrong, abstain, garbled])


def _answers(plan, items):
    table = {}
    for k, (item, what) in enumerate(zip(items, plan)):
        for condition in ("closed_book", "with_context"):
            label = item.answer if what == "right" else WRONG[item.answer]
            text = {"abstain": "I don't know.", "garbled": "Patient patient the the of."}.get(what,
                                                                                       SAYS[label][k % 4])
            table[f"{item.id}/{condition}"] = text
    return table


@pytest.fixture(scope="module")
def items():
    probe = PubMedQAProbe()
    return probe.select(probe.load_items(), limit=None, full=False)[0]


@pytest.mark.parametrize("wrong", [0.2, 0.5])
def test_a_text_only_backend_runs_pubmedqa_by_generation_and_recovers_the_planted_rates(tmp_path, items, wrong):
    plan = _plan(len(items), wrong, abstain=0.1, garbled=0.05, seed=int(wrong * 10))
    model = ScriptedModel(answers=_answers(plan, items), capability_set=TEXT_ONLY)
    result = run_audit(model, RunConfig(probes=("pubmedqa",)), tmp_path, progress=False).evidence.probe_results[0]
    assert result.status == "completed"
    metrics = {m.name: m for m in result.metrics}
    n = len(items)
    answered = int(np.sum(np.isin(plan, ["right", "wrong"])))
    truth = float(np.sum(plan == "right")) / answered
    accuracy = metrics["accuracy_with_context"]
    assert accuracy.n == answered and accuracy.ci_low <= truth <= accuracy.ci_high
    assert accuracy.estimate == pytest.approx(truth)  # the parser read every planted answer as planted
    assert metrics["abstention_with_context"].estimate == pytest.approx(np.sum(plan == "abstain") / n)
    assert metrics["unparseable_with_context"].estimate == pytest.approx(np.sum(plan == "garbled") / n)
    assert metrics["answered_by_generation_with_context"].estimate == 1.0
    assert all(not i.option_logprobs and i.response for i in result.items)
    assert not [m for m in metrics if m.startswith("option_uncertainty") and metrics[m].n]  # no probabilities


def test_a_probe_without_a_parser_is_still_skipped_on_a_text_only_backend(tmp_path):
    model = ScriptedModel(default="A", capability_set=TEXT_ONLY)
    result = run_audit(model, RunConfig(probes=("none_of_the_above",), limit=2), tmp_path,
                       progress=False).evidence.probe_results[0]
    assert result.status == "skipped" and "score" in result.skip_reason


class _PartlyScorable(ScriptedModel):
    """Scores options except for the items in ``unscorable``, as a served endpoint with degraded scoring does."""

    unscorable: frozenset[str] = frozenset()

    def score_options(self, prompt, options, item_id="?"):
        if item_id in self.unscorable:
            raise ScoringUnavailable(f"item {item_id!r}: options not in the top-k")
        return super().score_options(prompt, options, item_id)


def test_items_the_backend_cannot_score_fall_back_one_by_one(tmp_path):
    probe = PubMedQAProbe()
    chosen = probe.select(probe.load_items(), limit=6, full=False)[0]
    scored_ids = {f"{i.id}/closed_book" for i in chosen[:3]}
    answers = {}
    for item in chosen:
        for condition in ("closed_book", "with_context"):
            key = f"{item.id}/{condition}"
            answers[key] = item.answer if key in scored_ids else f"The answer is {item.answer}."
    model = _PartlyScorable(answers=answers)
    model.unscorable = frozenset(answers) - scored_ids
    limit = RunConfig(probes=("pubmedqa",), limit=6)
    result = run_audit(model, limit, tmp_path, progress=False).evidence.probe_results[0]
    by_id = {i.item_id: i for i in result.items}
    assert {k for k, i in by_id.items() if i.option_logprobs} == scored_ids
    assert all(i.outcome == "correct" for i in result.items)
    assert {k for k, i in by_id.items() if i.scores.get("answered_by_generation")} == set(model.unscorable)
