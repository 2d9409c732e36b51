"""Typed evidence records: the single source of truth for every report.

``evidence.json`` is an :class:`Evidence` serialised with pydantic. HTML and Markdown
reports are renderings of it, and its JSON Schema is committed beside the renderer
(``audit/report/evidence.schema.json``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Outcome = Literal["correct", "incorrect", "abstained", "unparseable", "error", "not_applicable"]
"""How one item ended. Abstentions, unparseable answers and errors are never folded
into correct or incorrect."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChatMessage(_Record):
    role: Literal["system", "user", "assistant"]
    content: str


class Redaction(_Record):
    """One identifier removed from model output: its type, the keyed token that replaced it, and where
    it was in the original text (character offsets)."""

    type: str
    token: str
    start: int
    end: int
    sample: int | None = Field(None, description="Index into the item's samples when the identifier was in a "
                               "sampled response (offsets then refer to that sample); None: the response.")


class ItemResult(_Record):
    """One probe item as it was asked, answered and scored."""

    probe_id: str
    item_id: str
    index: int = Field(description="Position in the probe's selected item list; fixes report order.")
    group: str | None = Field(None, description="Pairing key: items sharing it are paired observations.")
    condition: str | None = Field(None, description="Experimental condition within a group.")
    prompt: list[ChatMessage]
    response: str | None = Field(None, description="Raw model output (untrusted text).")
    samples: list[str] = Field(default_factory=list, description="Further answers sampled at temperature > 0, "
                               "seeded from (seed, item id), for consistency-based detectors (untrusted text).")
    option_logprobs: dict[str, float] | None = Field(
        None, description="Log-probability of each answer option, when scored without sampling."
    )
    parsed: str | None = Field(None, description="The answer as the probe's parser read it.")
    reference: str | None = Field(None, description="The expected answer, where one exists.")
    outcome: Outcome
    scores: dict[str, float] = Field(default_factory=dict)
    error: str | None = None
    truncated: bool = False
    redactions: list[Redaction] = Field(default_factory=list, description="Identifiers removed from the "
                                        "response before it was stored (values never stored unless --show-pii).")
    artifact: str | None = Field(None, description="A large per-item array (e.g. activations) stored in the run "
                                 "folder: 'relative/path.npy sha256:<hex>'.")
    elapsed_s: float = Field(0.0, description="Wall time for this item (timing, not reproducible).")


class Metric(_Record):
    """An estimate with its n and confidence interval."""

    name: str
    description: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float = 0.95
    n: int
    method: str = Field(description="How the interval was computed, e.g. 'Wilson'.")
    kind: Literal["rate", "score", "difference"] = "rate"


class TestRecord(_Record):
    """A hypothesis test and its multiplicity-adjusted p-values."""

    name: str
    description: str
    statistic: float | None
    p_value: float | None
    n: int
    effect: float | None = None
    effect_name: str | None = None
    p_adjusted: dict[str, float] = Field(default_factory=dict)
    details: dict[str, float] = Field(default_factory=dict)


class Threshold(_Record):
    """The pass/fail rule of a verdict, applied to a bound of a metric's interval."""

    metric: str
    operator: Literal[">=", "<="]
    value: float
    rationale: str


class Verdict(_Record):
    status: Literal["pass", "fail", "inconclusive", "not_run"]
    threshold: Threshold
    explanation: str


class DataSource(_Record):
    path: str
    sha256: str
    n_items_available: int
    n_items_used: int
    selection: str
    license: str | None = None


class ProbeResult(_Record):
    """Everything one probe produced: metadata, every item, metrics, tests, verdict."""

    probe_id: str
    suite: str
    title: str
    description: str
    references: list[str]
    tags: list[str]
    requires: list[str]
    status: Literal["completed", "skipped", "failed"]
    skip_reason: str | None = None
    data: DataSource | None = None
    metrics: list[Metric] = Field(default_factory=list)
    tests: list[TestRecord] = Field(default_factory=list)
    verdict: Verdict | None = None
    outcome_counts: dict[str, int] = Field(default_factory=dict)
    items: list[ItemResult] = Field(default_factory=list)

    def to_pandas(self):
        """Every item as a pandas DataFrame (one row per item, a ``score:NAME`` column per score)."""
        from audit.notebook import items_frame

        return items_frame(self.items)

    def metrics_frame(self):
        """The metrics as a pandas DataFrame (estimate, interval, n, method)."""
        from audit.notebook import metrics_frame

        return metrics_frame(self.metrics)

    def tests_frame(self):
        """The hypothesis tests as a pandas DataFrame (p, adjusted p, effect, details)."""
        from audit.notebook import tests_frame

        return tests_frame(self.tests)

    def _repr_html_(self) -> str:
        from audit.notebook import probe_result_html

        return probe_result_html(self)


class Finding(_Record):
    """A verdict that did not pass, stated for the reader, with the items behind it."""

    id: str
    probe_id: str
    severity: Literal["high", "medium", "low", "info"]
    summary: str
    item_ids: list[str] = Field(default_factory=list)


class ModelIdentity(_Record):
    name: str
    source: str
    weights_sha256: str
    tokenizer_sha256: str
    architecture: str | None = None
    n_parameters: int | None = None
    context_window: int | None = None
    dtype: str | None = None
    device: str | None = None
    capabilities: list[str] = Field(default_factory=list)


class Provenance(_Record):
    """What a reviewer needs to reproduce the run."""

    tool: str = "medaudit"
    tool_version: str
    git_commit: str | None
    command_line: list[str]
    python: str
    platform: str
    packages: dict[str, str]
    model: ModelIdentity
    seed: int
    profile: str
    limit: int | None
    decoding: dict[str, Any]
    data_files: dict[str, str] = Field(description="Path → sha256 of every probe data file used.")
    started_at: str
    finished_at: str


class TokenAttribution(_Record):
    """One explainer's scores for every prompt token, with how far they can be trusted."""

    method: str
    target: str = Field(description="The target function explained, e.g. 'contrastive'.")
    baseline: str = Field(description="What replaced a removed token.")
    tokens: list[str] = Field(description="The prompt's tokens, each decoded on its own (untrusted text).")
    scores: list[float]
    target_value: float | None = None
    model_calls: int
    faithfulness: dict[str, float | None] = Field(
        default_factory=dict, description="Per-instance faithfulness of this attribution (comprehensiveness, "
        "sufficiency, deletion/insertion AOPC) and the same for random rankings ('random_' prefix); None: undefined.")
    elapsed_s: float = 0.0


class LayerProfile(_Record):
    """A value per layer: a logit-lens readout or an activation-patching effect."""

    name: str
    description: str
    layers: list[str]
    values: list[float | None]


class Explanation(_Record):
    """Why the model answered one item of a finding as it did."""

    id: str
    finding_id: str
    probe_id: str
    item_id: str
    target_text: str = Field(description="The answer explained (untrusted text).")
    foil_text: str | None = Field(None, description="The answer it is contrasted with, if any.")
    question: str = Field(description="What is explained, in words.")
    attributions: list[TokenAttribution] = Field(default_factory=list)
    layer_profiles: list[LayerProfile] = Field(default_factory=list)
    partner_item_id: str | None = Field(None, description="The paired item patched against, for paired probes.")
    notes: list[str] = Field(default_factory=list)


class ExplanationSummary(_Record):
    """Faithfulness of one method over all explained items, against random rankings."""

    method: str
    metrics: list[Metric]


class GateResult(_Record):
    """One policy gate applied to a metric's confidence interval (see audit/report/policy.py)."""

    id: str
    probe_id: str
    metric: str
    direction: Literal["max", "min"] = Field(description="max: the metric must not exceed the threshold; "
                                             "min: it must reach at least the threshold.")
    threshold: float
    rationale: str
    status: Literal["pass", "fail", "inconclusive", "not_evaluated"] = Field(
        description="pass/fail only when the whole interval lies on one side of the threshold; inconclusive when "
        "it straddles it; not_evaluated when the metric or its interval is missing (never a pass).")
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    explanation: str


class GateReport(_Record):
    """A gate policy evaluated against this evidence."""

    policy: str = Field(description="The policy's name.")
    version: str
    source: str = Field(description="Where the policy was read from ('builtin:default' for the shipped one).")
    sha256: str = Field(description="sha256 of the policy file's bytes.")
    results: list[GateResult]


class IntendedUse(_Record):
    """The intended use as the provider declares it (``medaudit run --intended-use FILE``): not a test result,
    but what every result is read against."""

    purpose: str = Field(description="What the system is for, in the provider's words.")
    users: list[str] = Field(default_factory=list, description="Intended users (e.g. 'emergency physicians').")
    population: str | None = Field(None, description="The intended patient population.")
    setting: str | None = Field(None, description="Care setting and workflow the output enters.")
    human_oversight: str | None = Field(None, description="Who reviews an output before it affects care.")
    out_of_scope: list[str] = Field(default_factory=list, description="Uses the provider rules out.")
    declared_by: str | None = Field(None, description="Who made this declaration.")
    source: str = Field(description="The file it was read from, and its sha256.")


class ComponentReliability(_Record):
    """How far one detector or parser that scores model output can be trusted: its precision and recall per
    class on a hand-labelled set, measured when the run was made (see :mod:`audit.reliability`)."""

    id: str
    title: str
    kind: Literal["detector", "parser"]
    used_by: list[str] = Field(description="Probes of this run whose scores it produces.")
    dataset: str = Field(description="The labelled set, relative to the source tree.")
    dataset_sha256: str
    dataset_status: str = Field(description="Held out or development set, as the set's datasheet states it.")
    computed_by: str = Field(description="The function that computed the figures ('module:function').")
    metrics: list[Metric] = Field(description="'precision:TASK/CLASS' and 'recall:TASK/CLASS', Wilson intervals.")


class Evidence(_Record):
    """The whole audit."""

    schema_version: str = SCHEMA_VERSION
    audit_id: str
    provenance: Provenance
    probe_results: list[ProbeResult]
    findings: list[Finding] = Field(default_factory=list)
    explanations: list[Explanation] = Field(default_factory=list)
    explanation_summaries: list[ExplanationSummary] = Field(default_factory=list)
    explanation_plan: str | None = Field(None, description="Which findings and items were explained, and why.")
    pii_detectors: list[Metric] = Field(default_factory=list, description="Precision and recall per identifier type "
                                        "of the PHI detectors that redact model output, on the held-out labelled set.")
    gates: GateReport | None = Field(None, description="Policy gates evaluated on this evidence (medaudit run --policy, "
                                     "or the shipped default policy).")
    intended_use: IntendedUse | None = Field(None, description="The provider's declared intended use "
                                             "(medaudit run --intended-use); None: not declared.")
    reliability: list[ComponentReliability] = Field(default_factory=list, description="Measured precision and recall "
                                                    "of the parsers and detectors that scored this run's output.")

    def to_pandas(self):
        """Every item of every probe as one pandas DataFrame."""
        import pandas as pd

        from audit.notebook import items_frame

        frames = [items_frame(r.items) for r in self.probe_results if r.items]
        return pd.concat(frames, ignore_index=True) if frames else items_frame([])

    def _repr_html_(self) -> str:
        from audit.notebook import evidence_html

        return evidence_html(self)


TIMING_FIELDS = frozenset({"started_at", "finished_at", "elapsed_s"})
"""Fields that differ between otherwise identical runs."""
