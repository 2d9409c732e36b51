"""Explanations attached to findings: pick the items behind each finding and explain them.

For the ``top_k`` most severe findings, the ``items_per_finding`` shortest failing items
(shortest, so the default profile fits its time budget; the choice is stated in the
evidence) are explained with each requested token-attribution method, scored for
faithfulness against random rankings, read through the logit lens, and, for paired
probes, localised by activation patching against the item's counterfactual partner.
Every explanation is appended to ``explanations.jsonl`` as it finishes, so an
interrupted run resumes without recomputing it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from audit.errors import SelectionError
from audit.evidence import (
    Evidence,
    Explanation,
    ExplanationSummary,
    Finding,
    ItemResult,
    LayerProfile,
    Metric,
    TokenAttribution,
)
from audit.probes import ExplanationRequest, Probe, Query
from audit.results_log import ExplanationLog

if TYPE_CHECKING:
    from audit.attribution.base import Attribution
    from audit.attribution.targets import TargetFunction
    from audit.models.hf import HFModel

EXPLANATIONS_FILE = "explanations.jsonl"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


@dataclass(frozen=True)
class ExplainSettings:
    """How much to explain, with what, and within which time budget."""

    top_k: int = 3
    items_per_finding: int = 2
    methods: tuple[str, ...] = ("occlusion",)
    logit_lens: bool = True
    patching: bool = True
    faithfulness: bool = True
    budget_s: float | None = 90.0
    max_prompt_tokens: int = 200
    random_rankings: int = 3
    curve_points: int = 10
    seed: int = 0
    finding_ids: tuple[str, ...] = ()
    """Explain exactly these findings (``medaudit explain``) instead of the ``top_k`` most severe."""

    def __post_init__(self) -> None:
        if self.top_k < 0 or self.items_per_finding < 1:
            raise ValueError("top_k must be >= 0 and items_per_finding >= 1")
        if self.budget_s is not None and self.budget_s <= 0:
            raise ValueError("budget_s must be positive (or None for no budget)")


@dataclass(frozen=True)
class ProbeQueries:
    """A probe and its queries by item id, as the run built them."""

    probe: Probe
    queries: Mapping[str, Query]


@dataclass(frozen=True)
class PlannedItem:
    finding: Finding
    item: ItemResult
    request: ExplanationRequest
    n_prompt_tokens: int
    partner: ItemResult | None
    n_partner_tokens: int = 0


def predicted_work(entry: PlannedItem, settings: ExplainSettings, n_layers: int) -> float:
    """About how many tokens explaining ``entry`` runs through the model: what the budget check scales by.

    Occlusion (and the other attributions) cost ~n²/2 for an n-token prompt, the faithfulness masks
    one full prompt each, activation patching one full partner prompt per patched component."""
    from audit.attribution.faithfulness import ERASER_BINS

    n = entry.n_prompt_tokens
    work = len(settings.methods) * n * n / 2 + n
    if settings.faithfulness:
        work += (2 * len(ERASER_BINS) + 2 * settings.curve_points) * (1 + settings.random_rankings) * n
    if settings.patching and entry.n_partner_tokens:
        work += (3 * n_layers + 1) * entry.n_partner_tokens
    return work


def explanation_id(finding_id: str, item_id: str) -> str:
    return f"{finding_id}/{item_id}"


def rank_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first; ties keep the report's order."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9))


def _partner(item: ItemResult, items: Sequence[ItemResult]) -> ItemResult | None:
    """Another condition of the same pair group (the counterfactual to patch against)."""
    if item.group is None:
        return None
    return next((other for other in items if other.group == item.group and other.condition != item.condition
                 and other.outcome != "error"), None)


def plan(model: "HFModel", evidence: Evidence, probes: Mapping[str, ProbeQueries],
         settings: ExplainSettings) -> tuple[list[PlannedItem], str]:
    """The items to explain, and a sentence saying how they were chosen."""
    results = {r.probe_id: r for r in evidence.probe_results}
    chosen: list[PlannedItem] = []
    if settings.finding_ids:
        known = {f.id: f for f in evidence.findings}
        missing = [f for f in settings.finding_ids if f not in known]
        if missing:
            raise SelectionError(f"no finding {', '.join(map(repr, missing))} in this run "
                                 f"(findings: {', '.join(known) or 'none'})")
        considered = [known[f] for f in settings.finding_ids]
    else:
        considered = rank_findings(evidence.findings)[: settings.top_k]
    unexplainable: list[str] = []
    for finding in considered:
        result, entry = results.get(finding.probe_id), probes.get(finding.probe_id)
        if result is None or entry is None:
            unexplainable.append(finding.id)
            continue
        failed = set(finding.item_ids)
        pool = [i for i in result.items if i.item_id in failed] or [i for i in result.items if i.outcome != "error"]
        candidates = []
        for item in pool:
            query = entry.queries.get(item.item_id)
            request = entry.probe.explanation_request(query, item) if query is not None else None
            if request is None:
                continue
            n_tokens = len(model.encode_prompt(list(request.messages)))
            if n_tokens <= settings.max_prompt_tokens:
                partner = _partner(item, result.items)
                n_partner = len(model.encode_prompt([m.model_dump() for m in partner.prompt])) if partner else 0
                candidates.append(PlannedItem(finding, item, request, n_tokens, partner, n_partner))
        candidates.sort(key=lambda p: (p.n_prompt_tokens, p.item.index))
        if not candidates:
            unexplainable.append(finding.id)
        chosen.extend(candidates[: settings.items_per_finding])
    which = (f"The finding(s) {', '.join(f.id for f in considered)}" if settings.finding_ids else
             f"The {len(considered)} most severe finding(s) of {len(evidence.findings)} (severity order)")
    text = (f"{which}; for each, the "
            f"{settings.items_per_finding} shortest explainable item(s) behind it (prompts of at most "
            f"{settings.max_prompt_tokens} tokens), so the explanation fits the time budget; shorter items may "
            f"not be typical of the finding. Methods: {', '.join(settings.methods) or 'none'}"
            + ("; logit lens" if settings.logit_lens else "") + ("; activation patching for paired items"
                                                                 if settings.patching else "") + ".")
    if unexplainable:
        text += f" Not explainable (no scored option or unredacted response to explain): {', '.join(unexplainable)}."
    return chosen, text


def _token_attribution(attribution: "Attribution", faithfulness: dict[str, float | None]) -> TokenAttribution:
    return TokenAttribution(method=attribution.method, target=attribution.target, baseline=attribution.baseline,
                            tokens=list(attribution.tokens), scores=[float(s) for s in attribution.scores],
                            target_value=attribution.target_value, model_calls=attribution.model_calls,
                            faithfulness=faithfulness, elapsed_s=attribution.seconds)


def explain_item(model: "HFModel", planned: PlannedItem, settings: ExplainSettings,
                 partner_request: ExplanationRequest | None = None) -> Explanation:
    """Every requested analysis of one item."""
    from audit.attribution import get_explainer, make_target

    request = planned.request
    prompt_ids = model.encode_prompt(list(request.messages))
    target_ids = model.encode_continuation(request.target_text)
    foil_ids = model.encode_continuation(request.foil_text) if request.foil_text else None
    target = make_target("contrastive" if foil_ids else "logprob", foil_ids)
    attributions, notes = [], []
    for method in settings.methods:
        attribution = get_explainer(method).explain(model, prompt_ids, target_ids, target)
        scores: dict[str, float | None] = {}
        if settings.faithfulness:
            scores = _faithfulness(model, prompt_ids, target_ids, target, attribution, settings)
        attributions.append(_token_attribution(attribution, scores))
    profiles: list[LayerProfile] = []
    if settings.logit_lens:
        profiles.extend(_logit_lens_profiles(model, prompt_ids, target_ids, foil_ids))
    if settings.patching and planned.partner is not None and partner_request is not None and foil_ids:
        partner_ids = model.encode_prompt(list(partner_request.messages))
        profiles.extend(_patching_profiles(model, prompt_ids, partner_ids, target_ids[0], foil_ids[0]))
        notes.append(f"Patching: activations of this item's prompt (clean) patched into its counterfactual "
                     f"partner {planned.partner.item_id!r} (corrupted), one component at a time.")
    return Explanation(id=explanation_id(planned.finding.id, planned.item.item_id), finding_id=planned.finding.id,
                       probe_id=planned.finding.probe_id, item_id=planned.item.item_id,
                       target_text=request.target_text, foil_text=request.foil_text, question=request.question,
                       attributions=attributions, layer_profiles=profiles,
                       partner_item_id=planned.partner.item_id if planned.partner and profiles else None, notes=notes)


def _faithfulness(model: "HFModel", prompt_ids: list[int], target_ids: list[int], target: "TargetFunction",
                  attribution: "Attribution", settings: ExplainSettings) -> dict[str, float | None]:
    """Per-instance faithfulness of one attribution and of random rankings ('random_' keys); None: undefined."""
    from audit.attribution.faithfulness import instance_faithfulness

    result = instance_faithfulness(model, prompt_ids, target_ids, attribution, target,
                                   n_random=settings.random_rankings, rng=settings.seed,
                                   curve_points=settings.curve_points)
    values = {**result.method, **{f"random_{k}": v for k, v in result.random.items()}}
    return {k: (float(v) if math.isfinite(v) else None) for k, v in values.items()}


def _logit_lens_profiles(model: "HFModel", prompt_ids: list[int], target_ids: list[int],
                         foil_ids: list[int] | None) -> list[LayerProfile]:
    """What the residual stream after each block already 'says' about the answer's first token."""
    from audit.attribution.lens import logit_lens

    lens = logit_lens(model, prompt_ids, target_ids, foil_ids)
    layers = ["embed"] + [f"L{k}" for k in range(len(lens.logprob) - 1)]
    if foil_ids and lens.logprob_diff is not None:
        values, what = lens.logprob_diff, "log P(target) − log P(foil) of the first answer token"
    else:
        values, what = lens.logprob, "log P(first answer token)"
    return [LayerProfile(name="logit lens", layers=layers, values=[float(v) for v in values],
                         description=f"{what}, read through the final norm and unembedding from the residual "
                                     "stream after each block (the last value is the model's own).")]


def _patching_profiles(model: "HFModel", clean_ids: list[int], corrupted_ids: list[int], target_id: int,
                       foil_id: int) -> list[LayerProfile]:
    """Where the difference between an item and its counterfactual partner arises, component by component."""
    from audit.attribution.lens import activation_patching

    differing = [k for k, (a, b) in enumerate(zip(clean_ids, corrupted_ids)) if a != b]
    # Residual-stream patches only at the first swapped token (the profile below): every patch is a full forward.
    patching = activation_patching(model, clean_ids, corrupted_ids, target_id, foil_id,
                                   resid_positions=differing[:1] if len(clean_ids) == len(corrupted_ids) else ())
    layers = [f"L{k}" for k in range(len(patching.attn_raw))]
    if not patching.normalised:
        return [LayerProfile(name=f"patching {part} (raw)", layers=layers, values=[float(v) for v in raw],
                             description=f"The pair's answers differ by only {patching.gap:+.2g} (logit difference), "
                                         "so normalised patching effects are undefined; raw changes shown.")
                for part, raw in (("attention", patching.attn_raw), ("MLP", patching.mlp_raw))]
    peak_kind, peak_layer = patching.peak
    profiles = [LayerProfile(name=f"patching {part}", layers=layers, values=[float(v) for v in effect],
                             description=f"Share of the pair's logit-difference gap ({patching.gap:+.3g}) restored by "
                                         f"patching this {part} output at the final position (1: all of it). Peak: "
                                         f"{peak_kind} at layer {peak_layer}.")
                for part, effect in (("attention", patching.attn_effect), ("MLP", patching.mlp_effect))]
    if differing and differing[0] in patching.resid_positions and patching.resid_effect is not None:
        first = patching.resid_positions.index(differing[0])
        token = patching.clean_tokens[differing[0]]
        profiles.append(LayerProfile(
            name="patching residual stream at the swapped term",
            layers=["embed"] + [f"L{k}" for k in range(len(layers))],
            values=[float(v) for v in patching.resid_effect[:, first]],
            description=f"Share of the gap restored by patching the residual stream at the first token where the "
                        f"pair differs ({token!r}, position {differing[0]}) after each block ('embed': before the first). "
                        "High early and falling later: the term's information has moved on to later "
                        "positions by then."))
    return profiles


_METRIC_MEANING = {
    "comprehensiveness": "mean target drop when the top-ranked tokens are removed (ERASER; higher: more faithful)",
    "sufficiency": "mean target drop when only the top-ranked tokens are kept (ERASER; lower: more faithful)",
    "deletion_aopc": "area over the deletion curve, normalised per item (1: ideal ranking)",
    "insertion_aopc": "area under the insertion curve, normalised per item (1: ideal ranking)",
}


def summarise(explanations: Sequence[Explanation], seed: int = 0) -> list[ExplanationSummary]:
    """Per method: each faithfulness metric's mean over explained items, chance's, and the paired difference."""
    from audit.attribution.faithfulness import METRICS, summarise_values

    by_method: dict[str, list[TokenAttribution]] = {}
    for explanation in explanations:
        for attribution in explanation.attributions:
            if attribution.faithfulness:
                by_method.setdefault(attribution.method, []).append(attribution)
    summaries = []
    for method, attributions in by_method.items():
        metrics = []
        for name in METRICS:
            ours = [_nan(a.faithfulness.get(name)) for a in attributions]
            chance = [_nan(a.faithfulness.get(f"random_{name}")) for a in attributions]
            summary = summarise_values(name, ours, chance, seed=seed)
            for label, interval, meaning in (
                (name, summary.method, _METRIC_MEANING[name]),
                (f"random_{name}", summary.random, f"the same for random rankings of the same prompts"),
                (f"diff_{name}", summary.difference, f"{method} minus random, paired by item"),
            ):
                if interval is None:
                    continue
                metrics.append(Metric(
                    name=label, description=f"{meaning}; {summary.n_undefined} item(s) undefined",
                    estimate=_none(interval.estimate), ci_low=_none(interval.low), ci_high=_none(interval.high),
                    n=interval.n, method=interval.method, kind="difference" if label.startswith("diff_") else "score"))
        summaries.append(ExplanationSummary(method=method, metrics=metrics))
    return summaries


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def explain_findings(
    model: "HFModel", evidence: Evidence, probes: Mapping[str, ProbeQueries], settings: ExplainSettings,
    log: ExplanationLog | None = None, on_done: Callable[[Explanation], None] | None = None,
) -> Evidence:
    """``evidence`` with explanations of its most severe findings attached."""
    planned, text = plan(model, evidence, probes, settings)
    started = time.perf_counter()
    explanations: list[Explanation] = []
    skipped = 0
    work_done = 0.0  # predicted_work of the items explained so far
    n_layers = model.n_layers or 0
    for entry in planned:
        key = explanation_id(entry.finding.id, entry.item.item_id)
        cached = log.items.get(key) if log is not None else None
        if cached is not None and set(settings.methods) <= {a.method for a in cached.attributions}:
            explanations.append(cached)
            continue
        elapsed = time.perf_counter() - started
        # Seconds per unit of predicted work so far, times this item's predicted work.
        expected = elapsed * predicted_work(entry, settings, n_layers) / work_done if work_done else 0.0
        if settings.budget_s is not None and elapsed + expected > settings.budget_s:
            skipped += 1  # it would most likely end past the budget
            continue
        partner_request = None
        if entry.partner is not None:
            query = probes[entry.finding.probe_id].queries.get(entry.partner.item_id)
            partner_request = probes[entry.finding.probe_id].probe.explanation_request(query, entry.partner) \
                if query is not None else None
        explanation = explain_item(model, entry, settings, partner_request)
        work_done += predicted_work(entry, settings, n_layers)
        if log is not None:
            log.append(explanation)
        if on_done:
            on_done(explanation)
        explanations.append(explanation)
    if skipped:
        text += (f" The time budget of {settings.budget_s:.0f} s ran out: {skipped} planned item(s) were not "
                 "explained (rerun with a larger --explain-budget to add them).")
    return evidence.model_copy(update={"explanations": explanations,
                                       "explanation_summaries": summarise(explanations, settings.seed),
                                       "explanation_plan": text})


def merge_explanations(old: Sequence[Explanation], new: Sequence[Explanation]) -> list[Explanation]:
    """``old`` updated by ``new``: same id → attributions united by method (new wins), the rest from new."""
    merged = {e.id: e for e in old}
    for explanation in new:
        previous = merged.get(explanation.id)
        if previous is not None:
            by_method = {a.method: a for a in previous.attributions}
            by_method.update({a.method: a for a in explanation.attributions})
            explanation = explanation.model_copy(update={"attributions": list(by_method.values())})
        merged[explanation.id] = explanation
    return list(merged.values())
