"""Reference-free detectors: entropies by hand, planted consistency signals, meaning clusters, HF token entropy."""

from __future__ import annotations

import math
import random
import zlib

import pytest
import torch

from audit.detectors import uncertainty_metrics
from audit.evidence import ItemResult
from audit.models.base import Generation, GenerationConfig, sample_seed
from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from audit.sampling_detectors import (
    DETECTORS,
    consistency_scores,
    detector_metrics,
    discrete_semantic_entropy,
    draw_samples,
    entropy,
    label_clusters,
    self_consistency,
    token_scores,
    weighted_semantic_entropy,
)
from probes.hallucination.answer_uncertainty import AnswerUncertaintyProbe
from probes.hallucination.fabricated_entities import FabricatedEntityProbe


# -- entropies against hand-computed values --------------------------------------------------------------
def test_entropies_match_hand_computed_values():
    assert entropy([0.5, 0.5]) == pytest.approx(math.log(2))
    assert entropy([2, 1, 1]) == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert discrete_semantic_entropy(["yes", "yes", "yes"]) == 0.0
    assert discrete_semantic_entropy(["yes", "no", "maybe"]) == pytest.approx(math.log(3))
    # 2 of 3 in one cluster: -(2/3 ln 2/3 + 1/3 ln 1/3) = 0.636514...
    assert discrete_semantic_entropy(["a", "a", "b"]) == pytest.approx(0.6365141682948128, abs=1e-12)
    # Probability-weighted: cluster a holds 0.2 + 0.2, cluster b 0.4 -> ln 2, whatever the frequencies.
    assert weighted_semantic_entropy(["a", "a", "b"], [math.log(0.2), math.log(0.2), math.log(0.4)]) == \
        pytest.approx(math.log(2))
    # Renormalised over the samples drawn: a common shift of the log-probabilities changes nothing.
    assert weighted_semantic_entropy(["a", "b"], [-100.0, -101.0]) == pytest.approx(entropy([1, math.exp(-1)]))
    assert self_consistency("yes", ["yes", "no", "yes"]) == pytest.approx(2 / 3)


def test_token_scores_and_not_available():
    gen = Generation("Yes it is", ["Yes", " it", " is"], [-0.5, -1.0, -1.5], 10, "stop",
                     token_entropies=[0.2, 1.1, 0.2])
    scores = token_scores(gen)
    assert scores == pytest.approx({"mean_token_entropy": 0.5, "max_token_entropy": 1.1,
                                    "sequence_logprob": -3.0, "mean_token_logprob": -1.0})
    # A backend without entropies: the score is absent (never 0) and its detector says "not available".
    bare = token_scores(Generation("Yes", ["Yes"], [-0.1], 5, "stop"))
    assert "mean_token_entropy" not in bare and bare["sequence_logprob"] == pytest.approx(-0.1)
    items = [ItemResult(probe_id="t", item_id=str(i), index=i, prompt=[], outcome="correct" if i % 2 else "incorrect",
                        scores=bare) for i in range(6)]
    metrics = {m.name: m for m in detector_metrics(items)}
    entropy_auroc = metrics["auroc_mean_token_entropy"]
    assert entropy_auroc.estimate is None and entropy_auroc.method == "not available" and entropy_auroc.n == 0
    assert metrics["auroc_sequence_probability"].n == 6
    assert "ece_mean_token_entropy" not in metrics  # entropies are not probabilities: no calibration figures


def test_consistency_scores_count_abstaining_and_unparseable_samples():
    clusters = label_clusters(["yes", None, "abstain", "yes"])
    assert clusters == ["yes", "unparseable", "abstain", "yes"]
    scores = consistency_scores("yes", clusters, [-1.0, -2.0, -3.0, -1.0])
    assert scores["self_consistency"] == 0.5 and scores["n_clusters"] == 3
    assert scores["sample_abstention_share"] == 0.25 and scores["sample_unparseable_share"] == 0.25
    assert scores["semantic_entropy"] == pytest.approx(entropy([2, 1, 1]))
    assert "semantic_entropy_weighted" in scores
    assert "semantic_entropy_weighted" not in consistency_scores("yes", clusters, [-1.0, None, -3.0, -1.0])


def test_draw_samples_uses_a_distinct_seed_per_sample():
    seen = []
    model = ScriptedModel(answers=lambda item_id, prompt: "Yes",
                          sampler=lambda item_id, prompt, seed: seen.append(seed) or f"sample {seed}")
    drawn = draw_samples(model, [{"role": "user", "content": "q"}], "q1", GenerationConfig(),
                         GenerationConfig(temperature=1.0), k=4, seed=7)
    assert drawn.greedy.text == "Yes" and len(set(seen)) == 4
    assert seen == [sample_seed(7, j) for j in range(4)]
    with pytest.raises(ValueError, match="temperature"):
        draw_samples(model, [], "q1", GenerationConfig(), GenerationConfig(), k=2)


# -- planted ground truth through the whole runner ------------------------------------------------------
TEXT = {"yes": "Yes, it does.", "no": "No.", "maybe": "Maybe; the evidence is mixed."}
SCATTER = ["Yes.", "No, it does not.", "Maybe.", "I don't know.", "Double balloon entvironomics."]


def _planted(correct_share: float, scatter_when_wrong: bool, seed: int) -> ScriptedModel:
    """Right on ~correct_share of items. Samples mostly repeat the greedy answer on 'consistent' items and scatter
    over yes/no/maybe/abstain/off-format text on the others; 'consistent' means 'right' when scatter_when_wrong, and
    is a coin flip independent of correctness otherwise (the control)."""
    def plan(item_id: str) -> tuple[bool, bool]:
        rng = random.Random(f"{seed}:{item_id}")
        right = rng.random() < correct_share
        consistent = right if scatter_when_wrong else rng.random() < 0.5
        return right, consistent

    def greedy(item_id, prompt):
        reference = ANSWERS[item_id.split("/")[0]]
        right, _ = plan(item_id)
        label = reference if right else next(x for x in ("yes", "no", "maybe") if x != reference)
        return TEXT[label]

    def sampler(item_id, prompt, sample):
        _, consistent = plan(item_id)
        rng = random.Random(f"{seed}:{item_id}:{sample}")
        if consistent and rng.random() < 0.8:  # a consistent item still strays on ~1 sample in 5
            return greedy(item_id, prompt)
        return rng.choice(SCATTER)

    return ScriptedModel(answers=greedy, sampler=sampler)


ANSWERS = {item.id: item.answer for item in AnswerUncertaintyProbe().load_items()}


def _run(tmp_path, model, **config):
    result = run_audit(model, RunConfig(probes=("answer_uncertainty",), **config), tmp_path,
                       progress=False).evidence.probe_results[0]
    return result, {m.name: m for m in result.metrics}


def test_planted_scatter_on_wrong_answers_is_detected(tmp_path):
    result, metrics = _run(tmp_path, _planted(0.6, True, seed=1), full=True)
    assert len(result.items) == 200 and all(len(i.samples) == 10 for i in result.items)
    for name in ("auroc_self_consistency", "auroc_semantic_entropy", "auroc_semantic_entropy_weighted"):
        assert metrics[name].estimate >= 0.9, (name, metrics[name])
    assert result.verdict.status == "pass"
    # The scripted backend reports no token entropies: shown as not available, not as a number.
    assert metrics["auroc_mean_token_entropy"].method == "not available"
    # Abstaining and off-format samples are their own rates, not dropped.
    assert 0 < metrics["sample_abstention_rate"].estimate < 0.2
    assert 0 < metrics["sample_unparseable_rate"].estimate < 0.2
    risk = {c: metrics[f"risk_at_coverage_{c}_self_consistency"].estimate for c in (20, 100)}
    assert risk[20] < 0.05 < risk[100]


def test_control_scatter_independent_of_correctness_gives_chance_auroc(tmp_path):
    _, metrics = _run(tmp_path, _planted(0.6, False, seed=2), full=True)
    for name in ("auroc_self_consistency", "auroc_semantic_entropy"):
        auroc = metrics[name]
        assert auroc.ci_low < 0.5 < auroc.ci_high, (name, auroc)


def test_samples_flag_sets_k_and_samples_are_redacted(tmp_path):
    phone = "Call 617-555-0123."
    model = ScriptedModel(answers=lambda item_id, prompt: "Yes.", sampler=lambda item_id, prompt, seed: phone)
    result, _ = _run(tmp_path, model, limit=2, samples=2)
    item = result.items[0]
    assert item.scores["n_samples"] == 2 and len(item.samples) == 2
    assert all("617-555-0123" not in s for s in item.samples)
    assert {r.sample for r in item.redactions} == {0, 1}
    assert RunConfig(samples=2).fingerprint() != RunConfig().fingerprint()


# -- meaning clusters with the offline sentence-embedding model ------------------------------------------
def test_embedding_clusters_group_paraphrases_and_separate_different_answers():
    from audit.embeddings import cluster_texts, load_embedder

    texts = [
        "Zorvatinib is a tyrosine kinase inhibitor used to treat lung cancer.",
        "Zorvatinib is a kinase inhibitor that is used for treating lung cancer.",
        "Zorvatinib is an antibiotic used for urinary tract infections.",
        "Zorvatinib is a beta blocker prescribed for high blood pressure.",
        "Metformin is the first-line drug for type 2 diabetes.",
        "The first-line treatment of type 2 diabetes is metformin.",
        "Insulin is the first-line drug for type 2 diabetes.",
    ]
    embedder = load_embedder()
    vectors = embedder.embed(texts)
    assert vectors.shape == (7, 384) and abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-5
    clusters = cluster_texts(texts, embedder)
    assert clusters[0] == clusters[1] and clusters[4] == clusters[5]
    assert len({clusters[0], clusters[2], clusters[3], clusters[4], clusters[6]}) == 5
    # Order does not matter: the same partition from the reversed list.
    reverse = cluster_texts(texts[::-1], embedder)[::-1]
    assert [[a == b for b in reverse] for a in reverse] == [[a == b for b in clusters] for a in clusters]


def test_fabricated_entities_semantic_entropy_flags_confabulation(tmp_path):
    """Fabricating answers whose samples invent different facts vs abstentions that stay abstentions."""
    claims = ["is a beta blocker used for high blood pressure.", "is an antibiotic for urinary tract infections.",
              "is a monoclonal antibody approved for psoriasis.", "is an antiepileptic drug taken twice daily.",
              "is a vitamin D analogue for osteoporosis."]

    entities = {item.id: item.fake_entity for item in FabricatedEntityProbe().load_items()}

    def fabricates(item_id):
        return zlib.crc32(item_id.encode()) % 2 == 0

    def entity(item_id):
        return entities[item_id.split("/")[0]]

    def greedy(item_id, prompt):
        if item_id.endswith("/real"):
            return "It is a well known drug."
        return f"{entity(item_id)} {claims[0]}" if fabricates(item_id) else f"I'm not aware of {entity(item_id)}."

    def sampler(item_id, prompt, seed):
        if not fabricates(item_id):
            return random.Random(seed).choice([f"I don't know what {entity(item_id)} is.",
                                               f"I have no information about {entity(item_id)}."])
        return f"{entity(item_id)} {random.Random(f'{item_id}:{seed}').choice(claims)}"

    result = run_audit(ScriptedModel(answers=greedy, sampler=sampler),
                       RunConfig(probes=("fabricated_entities",), full=True), tmp_path, progress=False
                       ).evidence.probe_results[0]
    metrics = {m.name: m for m in result.metrics}
    sampled = [i for i in result.items if i.samples]
    assert len(sampled) == 40 and all(i.condition == "fake" and len(i.samples) == 10 for i in sampled)
    assert metrics["auroc_semantic_entropy_fake"].estimate >= 0.9
    assert metrics["auroc_self_consistency_fake"].estimate >= 0.9
    assert metrics["sample_abstention_rate_fake"].n == 40


# -- token entropy from the HF backend equals a direct forward pass ------------------------------------
PROMPT = [{"role": "user", "content": "Does early mobilisation reduce length of stay?"}]


def _spy_sequences(model, monkeypatch) -> list[list[int]]:
    """Record the token ids generate() produced (Generation reports them only as text)."""
    sequences: list[list[int]] = []
    original = model.model.generate

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        sequences.extend(out.sequences.tolist())
        return out

    monkeypatch.setattr(model.model, "generate", spy)
    return sequences


def _check_against_forward_pass(model, gen: Generation, sequence: list[int]) -> None:
    assert gen.tokens and len(gen.token_entropies) == len(gen.tokens) == len(gen.token_logprobs)
    prompt_ids = model.encode_prompt(PROMPT)
    assert sequence[:len(prompt_ids)] == prompt_ids
    generated = sequence[len(prompt_ids):len(prompt_ids) + len(gen.tokens)]
    with torch.no_grad():
        logits = model.model(input_ids=torch.tensor([prompt_ids + generated])).logits[0].float()
    logp = torch.log_softmax(logits[len(prompt_ids) - 1:-1], dim=-1)
    direct = -(logp.exp() * logp).sum(-1)  # the raw distribution, whatever the sampling temperature
    assert gen.token_entropies == pytest.approx(direct.tolist(), abs=1e-4)
    picked = logp[torch.arange(len(generated)), torch.tensor(generated)]
    assert gen.token_logprobs == pytest.approx(picked.tolist(), abs=1e-4)
    assert all(0.0 <= h <= math.log(logits.shape[-1]) + 1e-4 for h in gen.token_entropies)


@pytest.mark.parametrize("config", [GenerationConfig(max_new_tokens=8),
                                    GenerationConfig(max_new_tokens=8, temperature=0.7, seed=3)])
def test_hf_token_entropy_equals_forward_pass(tiny_model, config, monkeypatch):
    sequences = _spy_sequences(tiny_model, monkeypatch)
    gen = tiny_model.generate([PROMPT], config, ["q1"])[0]
    _check_against_forward_pass(tiny_model, gen, sequences[0])


def test_hf_batched_samples_are_reproducible_and_exact(tiny_model, monkeypatch):
    config = GenerationConfig(max_new_tokens=8, temperature=1.0, seed=5)
    sequences = _spy_sequences(tiny_model, monkeypatch)
    samples = tiny_model.generate_samples(PROMPT, config, 4, "q1")
    assert len(samples) == 4 and len({s.text for s in samples}) > 1
    for sample, sequence in zip(samples, sequences):
        _check_against_forward_pass(tiny_model, sample, sequence)
    again = tiny_model.generate_samples(PROMPT, config, 4, "q1")
    assert [s.text for s in again] == [s.text for s in samples]
    assert [s.text for s in tiny_model.generate_samples(PROMPT, config, 4, "q2")] != [s.text for s in samples]


def test_uncertainty_metrics_without_calibration_skips_ece_and_brier():
    items = [ItemResult(probe_id="t", item_id=str(i), index=i, prompt=[], outcome="correct" if i % 2 else "incorrect",
                        scores={"h": 3.0 - i % 2}) for i in range(10)]
    names = {m.name for m in uncertainty_metrics("h", "entropy", items, lambda r: r.scores["h"], calibration=False)}
    assert "auroc_h" in names and not {"ece_h", "brier_h"} & names
    assert {d.name for d in DETECTORS} >= {"semantic_entropy", "self_consistency", "mean_token_entropy"}


def test_fabricated_entity_sampling_only_on_request_or_full():
    probe = FabricatedEntityProbe()
    items, _ = probe.select(probe.load_items(), limit=8, full=False)
    assert not [q for q in probe.build_queries(items) if q.kind == "compute"]  # default profile: greedy only
    probe.n_samples = 2
    sampled = [q for q in probe.build_queries(items) if q.kind == "compute"]
    assert len(sampled) == 4 and all(q.condition == "fake" and q.meta["k"] == 2 for q in sampled)


def test_sampled_fabricated_entity_questions_stay_explainable():
    probe = FabricatedEntityProbe()
    probe.n_samples = 3
    items, _ = probe.select(probe.load_items(), limit=4, full=False)
    queries = probe.build_queries(items)
    sampled = [q for q in queries if q.kind == "compute"]
    assert sampled and all(q.condition == "fake" and q.meta["k"] == 3 for q in sampled)
    query = sampled[0]
    item = ItemResult(probe_id=probe.id, item_id=query.item_id, index=query.index, prompt=list(query.messages),
                      response="It is a beta blocker.", outcome="incorrect")
    request = probe.explanation_request(query, item)
    assert request is not None and request.target_text == "It is a beta blocker."


def test_gate_is_inconclusive_with_too_few_right_or_wrong_answers(tmp_path):
    result, metrics = _run(tmp_path, _planted(0.6, True, seed=1), limit=12)
    assert metrics["auroc_semantic_entropy"].estimate is not None
    assert result.verdict.status == "inconclusive" and "too few" in result.verdict.explanation
