"""The probe framework: declarative probe metadata, queries, scoring and the registry.

A probe is one class: metadata as class attributes, ``build_queries`` from its data
file, ``score`` for one response and ``summarise`` over all its item results. The
runner does the model calls, so batching, resume and progress live in one place.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Literal, Sequence

from pydantic import BaseModel

from audit.data import load_records
from audit.evidence import ItemResult, Metric, TestRecord, Threshold, Verdict
from audit.models.base import Capability, Generation, GenerationConfig, ModelUnderAudit, OptionScores
from audit.registry import Registry

if TYPE_CHECKING:
    from audit.phi import Span


@dataclass(frozen=True)
class Query:
    """One request to the model: score given options, or generate free text."""

    item_id: str
    index: int
    messages: tuple[dict[str, str], ...]
    kind: Literal["options", "generate", "hidden_states", "compute"]  # compute: the probe's own model computation
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    generation: GenerationConfig = GenerationConfig()
    layers: tuple[int, ...] = ()  # for kind "hidden_states"
    chat: bool = True  # False: read the text without the chat template (hidden states only)
    reference: str | None = None
    group: str | None = None
    condition: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HiddenStates:
    """Activations stored by the runner for one item: ``array`` is [n_layers, d_model] (float16 on disk)."""

    array: Any
    artifact: str  # "relative/path.npy sha256:<hex>"


@dataclass(frozen=True)
class ParsedChoice:
    """An options query answered by generation instead of scoring (the backend cannot score its options): the
    greedy answer and the label the probe's validated parser read from it (None: unparseable)."""

    generation: Generation
    label: str | None
    parser: str  # which parser read it, named in the evidence


Response = OptionScores | Generation | HiddenStates | ParsedChoice


@dataclass(frozen=True)
class ExplanationRequest:
    """What to explain about one answered item: why ``target_text`` (rather than ``foil_text``)."""

    messages: tuple[dict[str, str], ...]
    target_text: str
    foil_text: str | None
    question: str


def option_explanation_request(query: Query, item: ItemResult) -> ExplanationRequest | None:
    """For an option-scored item: the option the model preferred against the expected one.

    When the model preferred the expected option (or there is none), the contrast is
    with its runner-up instead, so the question is still "why this and not that"."""
    if query.kind != "options" or not item.option_logprobs or len(query.options) < 2:
        return None
    ranked = sorted(item.option_logprobs, key=lambda label: -item.option_logprobs[label])
    chosen = item.parsed if item.parsed in query.options else ranked[0]
    if chosen not in query.options:
        return None
    foil = item.reference if item.reference in query.options and item.reference != chosen else None
    why = "the expected answer"
    if foil is None:
        foil = next((label for label in ranked if label != chosen and label in query.options), None)
        why = "its runner-up"
    if foil is None:
        return None
    target_text, foil_text = query.options[chosen][0], query.options[foil][0]
    return ExplanationRequest(query.messages, target_text, foil_text,
                              f"Why {chosen!r} ({target_text!r}) rather than {why} {foil!r} ({foil_text!r})?")


def generation_explanation_request(query: Query, item: ItemResult, max_chars: int = 80) -> ExplanationRequest | None:
    """For a generated, unredacted response: what drove the start of that response."""
    if query.kind != "generate" or not item.response or item.redactions:
        return None
    text = item.response.strip()[:max_chars]
    if not text:
        return None
    return ExplanationRequest(query.messages, text, None, f"What drove the response beginning {text!r}?")


@dataclass(frozen=True)
class ProbeSummary:
    """What a probe concludes from all its items."""

    metrics: list[Metric]
    tests: list[TestRecord]
    verdict: Verdict

    def to_pandas(self):
        """The metrics as a pandas DataFrame (``tests_frame()`` for the tests)."""
        from audit.notebook import metrics_frame

        return metrics_frame(self.metrics)

    def tests_frame(self):
        from audit.notebook import tests_frame

        return tests_frame(self.tests)

    def _repr_html_(self) -> str:
        from audit.notebook import summary_html

        return summary_html(self.metrics, self.verdict)


class Probe(ABC):
    """Base class for every probe. Subclasses fill in the class attributes."""

    id: ClassVar[str]
    suite: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[frozenset[Capability]] = frozenset()
    cost: ClassVar[str] = ""
    threshold: ClassVar[Threshold]
    item_model: ClassVar[type[BaseModel]]
    data_file: ClassVar[str | None] = None
    data_license: ClassVar[str | None] = None
    default_sample: ClassVar[int | None] = None
    stratify_by: ClassVar[str | None] = None

    auxiliary_files: ClassVar[tuple[str, ...]] = ()
    """Other data files the probe reads (relative to its module), hashed into the provenance."""

    model_layers: int | None = None
    """The model's number of blocks, set by the runner before ``build_queries`` (for hidden-state probes)."""

    artifact_root: Path | None = None
    """The run folder, set by the runner, from which probes read item artifacts (activations)."""

    n_samples: int | None = None
    """Samples per item for sampling-based detectors (``--samples K``), set by the runner; None: the profile's
    default."""

    choice_parser: ClassVar[Callable[[Query, str], str | None] | None] = None
    """A validated parser from a generated answer to one of an options query's labels (or None). A probe that
    names one still runs, by greedy generation and this parser, where the backend cannot score options
    (a served endpoint without prompt log-probs); its summary must then not need option probabilities."""

    choice_generation: ClassVar[GenerationConfig] = GenerationConfig(max_new_tokens=32)

    def __init__(self, data_path: Path | None = None, seed: int = 0, full: bool = False) -> None:
        self.data_path = Path(data_path) if data_path else self.default_data_path()
        self.seed = seed  # for sampling and resampling, so one --seed reproduces the whole run
        self.full = full  # the --full profile: every item, phrasing and cell

    def auxiliary_paths(self) -> list[Path]:
        import importlib

        module = importlib.import_module(type(self).__module__)
        return [Path(module.__file__).parent / name for name in self.auxiliary_files]

    @classmethod
    def default_data_path(cls) -> Path | None:
        if cls.data_file is None:
            return None
        import importlib

        module = importlib.import_module(cls.__module__)
        return Path(module.__file__).parent / cls.data_file

    def load_items(self) -> list[Any]:
        """All records of the data file, validated."""
        if self.data_path is None:
            return []
        return load_records(self.data_path, self.item_model)

    def select(self, items: Sequence[Any], limit: int | None, full: bool) -> tuple[list[Any], str]:
        """The items this run uses, and a sentence saying how they were chosen.

        The default profile takes a fixed stratified sample of ``default_sample`` items;
        ``full`` takes all; ``limit`` caps either. Selection depends only on item ids."""
        items = list(items)
        how = f"all {len(items)} items"
        if not full and self.default_sample is not None and len(items) > self.default_sample:
            items = stratified_sample(items, self.default_sample, self.stratify_by)
            how = (f"fixed stratified sample of {len(items)} by {self.stratify_by}"
                   if self.stratify_by else f"fixed sample of {len(items)}")
        if limit is not None and limit < len(items):
            items = stratified_sample(items, limit, self.stratify_by)
            how = f"{how}, limited to {limit} (--limit)"
        return items, how

    @abstractmethod
    def build_queries(self, items: Sequence[Any]) -> list[Query]:
        """The model requests for the selected items, with stable ids and indices."""

    def explanation_request(self, query: Query, item: ItemResult) -> ExplanationRequest | None:
        """What to explain about one answered item, or None when nothing can be (e.g. hidden-state items)."""
        return option_explanation_request(query, item) or generation_explanation_request(query, item)

    def compute(self, model: ModelUnderAudit, query: Query) -> Any:
        """For queries of kind "compute": the probe's own model computation (e.g. ranking 10^4 candidate
        secrets), whose result ``score`` then reads."""
        raise NotImplementedError(f"{self.id} has no model computation of its own")

    def sensitive_spans(self, query: Query, text: str) -> list["Span"]:
        """Spans of ``text`` (model output) to redact beyond what :func:`audit.phi.detect` finds, e.g. identifier
        shapes this probe asked for. Default: none."""
        return []

    @abstractmethod
    def score(self, query: Query, response: Response) -> ItemResult:
        """Score one response."""

    def score_choice(self, query: Query, answer: ParsedChoice) -> ItemResult:
        """Score an options query answered by generation (see ``choice_parser``): unparseable and abstaining
        answers are their own outcomes; no option probabilities exist, so ``option_logprobs`` stays empty."""
        label = answer.label
        return ItemResult(
            probe_id=self.id, item_id=query.item_id, index=query.index, group=query.group,
            condition=query.condition, prompt=list(query.messages), response=answer.generation.text,
            parsed=label, reference=query.reference, outcome=choice_outcome(label, query.reference),
            truncated=answer.generation.finish_reason == "length",
            scores={"answered_by_generation": 1.0},
        )

    @abstractmethod
    def summarise(self, results: Sequence[ItemResult]) -> ProbeSummary:
        """Metrics, tests and the verdict over all item results."""


def choice_outcome(label: str | None, reference: str | None) -> Literal["correct", "incorrect", "abstained",
                                                                      "unparseable"]:
    """The outcome of an answer read as ``label``: None is unparseable, "abstain" abstained, else right or wrong."""
    if label is None:
        return "unparseable"
    if label == "abstain":
        return "abstained"
    return "correct" if label == reference else "incorrect"


def _stable_key(item: Any) -> str:
    ident = getattr(item, "id", None) or repr(item)
    return hashlib.sha256(str(ident).encode()).hexdigest()


def stratified_sample(items: Sequence[Any], size: int, by: str | None) -> list[Any]:
    """A deterministic sample of ``size`` items, proportional across strata of ``by``.

    Order within a stratum is by a hash of the item id, so the sample does not depend
    on file order and a larger sample contains a smaller one's strata proportionally."""
    if size >= len(items):
        return list(items)
    if by is None:
        chosen = sorted(items, key=_stable_key)[:size]
    else:
        strata: dict[Any, list[Any]] = {}
        for item in items:
            strata.setdefault(getattr(item, by), []).append(item)
        # Largest-remainder allocation keeps the total exact.
        quotas = {k: size * len(v) / len(items) for k, v in strata.items()}
        counts = {k: int(q) for k, q in quotas.items()}
        for k in sorted(quotas, key=lambda k: (counts[k] - quotas[k], str(k)))[: size - sum(counts.values())]:
            counts[k] += 1
        chosen = [it for k, v in strata.items() for it in sorted(v, key=_stable_key)[: counts[k]]]
    order = {id(it): i for i, it in enumerate(items)}
    return sorted(chosen, key=lambda it: order[id(it)])


def bound_verdict(metric: Metric, threshold: Threshold) -> Verdict:
    """Gate on the confidence bound, not the point estimate.

    For ``>=``: pass when the lower bound clears the threshold, fail when the upper bound
    is below it, otherwise inconclusive (n too small to tell). ``<=`` mirrors this."""
    if metric.estimate is None or metric.ci_low is None or metric.ci_high is None:
        return Verdict(status="not_run", threshold=threshold, explanation=f"{metric.name} has no data")
    lo, hi, value = metric.ci_low, metric.ci_high, threshold.value
    ci = f"{metric.estimate:.3f} [{lo:.3f}, {hi:.3f}], n={metric.n}"
    if threshold.operator == ">=":
        status = "pass" if lo >= value else "fail" if hi < value else "inconclusive"
    else:
        status = "pass" if hi <= value else "fail" if lo > value else "inconclusive"
    words = {"pass": "the whole interval meets", "fail": "the whole interval misses",
             "inconclusive": "the interval straddles"}[status]
    return Verdict(status=status, threshold=threshold,
                   explanation=f"{metric.name} = {ci}: {words} {threshold.operator} {value}")


def score_choice(probe: Probe, query: Query, response: Response,
                 scores: Callable[[dict[str, float]], dict[str, float]] | None = None) -> ItemResult:
    """Score an option query: the most probable option against the reference, with the option
    probabilities renormalised over the options. ``scores`` adds probe-specific numbers."""
    from audit.metrics import softmax

    if not isinstance(response, OptionScores):
        raise TypeError(f"{probe.id} scores answer options; got a {type(response).__name__}")
    probs = softmax(response.logprobs)
    choice = max(probs, key=probs.get)
    return ItemResult(
        probe_id=probe.id, item_id=query.item_id, index=query.index, group=query.group, condition=query.condition,
        prompt=list(query.messages), option_logprobs=response.logprobs, parsed=choice, reference=query.reference,
        outcome="correct" if choice == query.reference else "incorrect",
        scores={"p_chosen": probs[choice], "top_token_in_options": float(response.top_token_in_options),
                **(scores(probs) if scores else {})},
    )


PROBES: Registry[type[Probe]] = Registry("probe", entry_point_group="medaudit.probes")
"""Every probe, by id. Built-in probes are registered lazily in :mod:`probes`."""


def register_builtin_probes() -> None:
    """Register the probes shipped in the ``probes`` package (idempotent)."""
    import probes  # noqa: F401  (its __init__ registers lazily)
