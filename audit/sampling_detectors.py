"""Reference-free hallucination detectors from the answer's own tokens and from k seeded samples.

For one answered item (the greedy answer, plus k samples drawn at temperature > 0, seeded from the
run seed and the item id):

* **token entropy**: the entropy of the model's full next-token distribution at each generated
  step, averaged and maximised over the answer (needs a backend that reports it; otherwise the
  detector is "not available", never 0);
* **sequence log-probability** of the greedy answer: the sum, and the mean per token;
* **self-consistency**: the share of samples whose meaning agrees with the greedy answer
  (SelfCheckGPT, Manakul et al. 2023);
* **semantic entropy** (Kuhn, Gal & Farquhar 2023; Farquhar et al., Nature 2024): the samples are
  clustered by meaning and the entropy is taken over clusters, either from cluster frequencies
  (the discrete estimator) or from the samples' probabilities summed per cluster
  (``semantic_entropy_weighted``: length-normalised log-likelihoods, as in the authors' code).

Meaning clusters: a short categorical answer (yes/no/maybe, an option letter) is its parsed label;
free text is clustered by sentence embeddings (:mod:`audit.embeddings`). Abstentions and unparseable
or empty samples are clusters of their own and have their own rates: nothing is dropped.

Each detector is then scored with :func:`audit.detectors.uncertainty_metrics` against the item's
known correctness: AUROC for "this answer is wrong" with a bootstrap CI, a risk-coverage curve, and
ECE and Brier where the score is a probability (sequence probability, self-consistency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Hashable, Sequence

from audit import stats
from audit.detectors import uncertainty_metrics
from audit.evidence import ItemResult, Metric
from audit.metrics import from_interval
from audit.models.base import Generation, GenerationConfig, Messages, ModelUnderAudit

UNPARSEABLE = "unparseable"
ABSTAIN = "abstain"
EMPTY = "empty"


# -- drawing the samples ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SampledAnswers:
    """The greedy answer to one prompt and k answers sampled at temperature > 0."""

    greedy: Generation
    samples: tuple[Generation, ...]


def draw_samples(model: ModelUnderAudit, messages: Messages, item_id: str, greedy: GenerationConfig,
                 sampling: GenerationConfig, k: int, seed: int = 0) -> SampledAnswers:
    """One greedy generation and ``k`` sampled ones (``sampling.temperature`` > 0) through the backend's
    :meth:`~audit.models.base.ModelUnderAudit.generate_samples`, seeded from (seed, item id), so the samples
    never depend on what else ran (by default one call per sample, each with its own seed)."""
    if sampling.greedy and k > 0:
        raise ValueError("sampling needs a temperature above 0")
    first = model.generate([messages], greedy, [item_id])[0]
    samples = model.generate_samples(messages, replace(sampling, seed=seed), k, item_id) if k > 0 else []
    return SampledAnswers(first, tuple(samples))


# -- entropies ----------------------------------------------------------------------------------------
def entropy(probabilities: Sequence[float]) -> float:
    """Shannon entropy in nats of a distribution (renormalised; zero entries contribute nothing)."""
    total = math.fsum(probabilities)
    if total <= 0:
        raise ValueError("probabilities must have a positive sum")
    value = -math.fsum(p / total * math.log(p / total) for p in probabilities if p > 0)
    return value if value > 0 else 0.0  # never -0.0 or rounding dust below 0


def _groups(clusters: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    groups: dict[Hashable, list[int]] = {}
    for i, cluster in enumerate(clusters):
        groups.setdefault(cluster, []).append(i)
    return groups


def discrete_semantic_entropy(clusters: Sequence[Hashable]) -> float:
    """Entropy (nats) of the cluster frequencies of the samples: 0 when all agree, log k when all differ."""
    if not clusters:
        raise ValueError("no samples")
    return entropy([len(members) for members in _groups(clusters).values()])


def weighted_semantic_entropy(clusters: Sequence[Hashable], logprobs: Sequence[float]) -> float:
    """Entropy (nats) over clusters of the samples' probabilities, renormalised over the samples drawn:
    log p(c) = logsumexp of the members' log-probabilities - logsumexp over all samples
    (Farquhar et al. 2024's ``sum_normalized`` estimator)."""
    if len(clusters) != len(logprobs) or not clusters:
        raise ValueError("need one log-probability per sample")
    top = max(logprobs)
    weights = [math.exp(lp - top) for lp in logprobs]
    return entropy([math.fsum(weights[i] for i in members) for members in _groups(clusters).values()])


def self_consistency(answer_cluster: Hashable, sample_clusters: Sequence[Hashable]) -> float:
    """Share of the samples in the same meaning cluster as the answer."""
    if not sample_clusters:
        raise ValueError("no samples")
    return sum(c == answer_cluster for c in sample_clusters) / len(sample_clusters)


# -- per-item scores ---------------------------------------------------------------------------------
def token_scores(generation: Generation) -> dict[str, float]:
    """Token entropy (mean, max) and sequence log-probability (sum, mean per token) of one answer.
    A figure the backend cannot give is left out (reported as not available), never set to 0."""
    scores: dict[str, float] = {}
    if generation.token_entropies:
        scores["mean_token_entropy"] = math.fsum(generation.token_entropies) / len(generation.token_entropies)
        scores["max_token_entropy"] = max(generation.token_entropies)
    if generation.token_logprobs:
        scores["sequence_logprob"] = math.fsum(generation.token_logprobs)
        scores["mean_token_logprob"] = scores["sequence_logprob"] / len(generation.token_logprobs)
    return scores


def mean_logprob(generation: Generation) -> float | None:
    """Length-normalised log-likelihood of one generation (None when it has no tokens)."""
    lps = generation.token_logprobs
    return math.fsum(lps) / len(lps) if lps else None


def consistency_scores(answer_cluster: Hashable, sample_clusters: Sequence[Hashable],
                       sample_logprobs: Sequence[float | None] | None = None) -> dict[str, float]:
    """Self-consistency, discrete and (where every sample has a log-probability) weighted semantic
    entropy, the number of clusters, and the shares of abstaining and unparseable samples."""
    if not sample_clusters:
        return {}
    k = len(sample_clusters)
    scores = {
        "n_samples": float(k),
        "self_consistency": self_consistency(answer_cluster, sample_clusters),
        "semantic_entropy": discrete_semantic_entropy(sample_clusters),
        "n_clusters": float(len(set(sample_clusters))),
        "sample_abstention_share": sum(c == ABSTAIN for c in sample_clusters) / k,
        "sample_unparseable_share": sum(_unparseable(c) for c in sample_clusters) / k,
    }
    if sample_logprobs is not None and len(sample_logprobs) == k and all(lp is not None for lp in sample_logprobs):
        scores["semantic_entropy_weighted"] = weighted_semantic_entropy(sample_clusters, list(sample_logprobs))
    return scores


def _unparseable(cluster: Hashable) -> bool:
    return cluster == EMPTY or str(cluster) == UNPARSEABLE or str(cluster).startswith(UNPARSEABLE + ":")


# -- meaning clusters --------------------------------------------------------------------------------
def label_clusters(labels: Sequence[str | None]) -> list[str]:
    """Clusters of short categorical answers: the parsed label, or "unparseable" (one cluster) for None."""
    return [UNPARSEABLE if label is None else label for label in labels]


def text_clusters(texts: Sequence[str], fixed: Callable[[str], str | None] = lambda text: None,
                  prefix: str = "meaning", threshold: float | None = None, embedder=None) -> list[str]:
    """Meaning clusters of answers given as text. ``fixed(text)`` may name a cluster outright (a parsed
    label such as "yes", or "abstain"); empty texts are "empty"; the rest are clustered by sentence
    embeddings into "<prefix>:0", "<prefix>:1", ... Cluster the answer and its samples in one call, so
    that their names are comparable. Texts no parser could read go in with ``prefix="unparseable"``: each
    distinct meaning among them is its own cluster (and counts as an unparseable sample)."""
    from audit.embeddings import DEFAULT_THRESHOLD, cluster_texts

    names = [EMPTY if not text.strip() else fixed(text) for text in texts]
    free = [i for i, name in enumerate(names) if name is None]
    if free:
        ids = cluster_texts([texts[i] for i in free], embedder, DEFAULT_THRESHOLD if threshold is None else threshold)
        for i, cluster in zip(free, ids):
            names[i] = f"{prefix}:{cluster}"
    return [str(name) for name in names]


# -- scoring the detectors against correctness ------------------------------------------------------------
@dataclass(frozen=True)
class Detector:
    """One uncertainty score read from ``ItemResult.scores[key]``."""

    name: str
    key: str
    description: str
    uncertainty: Callable[[float], float]
    probability: bool  # the confidence 1 - uncertainty is a probability: ECE and Brier make sense
    needs: str  # what the backend or the run must provide


DETECTORS: tuple[Detector, ...] = (
    Detector("mean_token_entropy", "mean_token_entropy", "the mean token entropy of the answer (nats)",
             lambda v: v, False, "a backend that reports next-token entropies (token_entropies)"),
    Detector("max_token_entropy", "max_token_entropy", "the largest token entropy in the answer (nats)",
             lambda v: v, False, "a backend that reports next-token entropies (token_entropies)"),
    Detector("sequence_probability", "sequence_logprob", "1 - P(answer sequence)",
             lambda v: 1.0 - math.exp(v), True, "token log-probabilities"),
    Detector("mean_token_logprob", "mean_token_logprob", "minus the mean token log-probability of the answer",
             lambda v: -v, False, "token log-probabilities"),
    Detector("self_consistency", "self_consistency", "1 - the share of samples agreeing with the answer",
             lambda v: 1.0 - v, True, "k >= 1 sampled answers"),
    Detector("semantic_entropy", "semantic_entropy", "the semantic entropy of the samples (cluster frequencies, nats)",
             lambda v: v, False, "k >= 1 sampled answers"),
    Detector("semantic_entropy_weighted", "semantic_entropy_weighted",
             "the probability-weighted semantic entropy of the samples (nats)",
             lambda v: v, False, "sampled answers with token log-probabilities"),
)


def not_available(name: str, description: str, needs: str) -> Metric:
    """A detector the backend or run could not supply: shown as not available, never as a number."""
    return Metric(name=name, description=f"{description}; not available: needs {needs}", estimate=None, ci_low=None,
                  ci_high=None, n=0, method="not available", kind="score")


def detector_metrics(results: Sequence[ItemResult], suffix: str = "", seed: int = 0,
                     detectors: Sequence[Detector] = DETECTORS) -> list[Metric]:
    """For each detector: AUROC for a wrong answer (CI), ECE and Brier where the score is a probability,
    and the risk-coverage points, over the answered items that carry its score."""
    metrics: list[Metric] = []
    tail = f"_{suffix}" if suffix else ""
    for detector in detectors:
        rows = [r for r in results if detector.key in r.scores]
        if not rows:
            metrics.append(not_available(f"auroc_{detector.name}{tail}", f"AUROC of {detector.description} for "
                                         "'this answer is wrong'", detector.needs))
            continue
        metrics += uncertainty_metrics(f"{detector.name}{tail}", detector.description, rows,
                                       lambda r, d=detector: d.uncertainty(r.scores[d.key]), seed,
                                       calibration=detector.probability)
    return metrics


def sample_share_metrics(results: Sequence[ItemResult], suffix: str = "", seed: int = 0) -> list[Metric]:
    """Mean over items of the share of samples that abstained, and that were unparseable or empty, with
    a bootstrap CI over items (samples of one item are not independent); at 0% or 100% an exact
    Clopper-Pearson interval over items (:func:`audit.stats.share_mean`), never a zero-width one."""
    tail = f"_{suffix}" if suffix else ""
    rows = [r for r in results if "n_samples" in r.scores]
    metrics = []
    for key, what in (("sample_abstention_share", "abstained"),
                      ("sample_unparseable_share", "were unparseable or empty")):
        name = f"{key.removesuffix('_share')}_rate{tail}"
        description = f"Mean share of the sampled answers that {what} (CI over items)"
        values = [r.scores[key] for r in rows]
        if len(values) >= 2:
            metrics.append(from_interval(name, description, stats.share_mean(values, seed=seed), kind="rate"))
        else:
            metrics.append(not_available(name, description, "sampled answers on at least 2 items"))
    return metrics
