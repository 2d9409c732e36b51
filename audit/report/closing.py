"""Closing sections computed from the evidence: limitations and risks not measured (NIST AI RMF MEASURE 1.1),
and monitoring recommendations derived from what this run measured.

Nothing here is boilerplate about a run: every limitation names the probe, metric or component it comes
from, and every monitoring recommendation names the metric, its threshold, its current interval and the
command that re-measures it. The list of risks is data (``risks.yaml``).
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from audit.evidence import Evidence, GateResult, Metric, ProbeResult

RISKS_PATH = Path(__file__).with_name("risks.yaml")

WEAK_PARSER_FIGURE = 0.8
"""A parser or detector class whose measured precision or recall is below this is called out."""


def weak_figures(metrics: list[Metric]) -> list[Metric]:
    """Precision/recall figures measured below WEAK_PARSER_FIGURE, lowest first."""
    return sorted((m for m in metrics if m.estimate is not None and m.n and m.estimate < WEAK_PARSER_FIGURE),
                  key=lambda m: m.estimate or 0.0)


# ----------------------------------------------------------------------------------------------- risks


@dataclass(frozen=True)
class RiskRow:
    id: str
    title: str
    status: str  # "measured", "partly measured", "not measured in this run", "not measured by medaudit"
    probes: list[str]
    gap: str


@lru_cache(maxsize=1)
def _risks() -> dict[str, Any]:
    data = yaml.safe_load(RISKS_PATH.read_text(encoding="utf-8"))
    for risk in data["risks"]:
        unknown = [s for s in risk.get("measured_by", []) if s.partition(":")[0] not in ("suite", "probe")]
        if unknown:
            raise ValueError(f"{RISKS_PATH}: risk {risk['id']}: unknown selector(s) {unknown}")
    return data


def _matches(selector: str, result: ProbeResult) -> bool:
    kind, _, name = selector.partition(":")
    return (kind == "suite" and result.suite == name) or (kind == "probe" and result.probe_id == name)


def risk_rows(evidence: Evidence) -> list[RiskRow]:
    """Each risk with whether this run measured it (from the probes that completed) and what stays unmeasured."""
    rows = []
    for risk in _risks()["risks"]:
        selectors = risk.get("measured_by", [])
        related = [r for r in evidence.probe_results if any(_matches(s, r) for s in selectors)]
        done = sorted(r.probe_id for r in related if r.status == "completed")
        if not selectors:
            status = "not measured by medaudit"
        elif not done:
            status = "not measured in this run"
        else:
            status = "measured" if risk.get("coverage") == "core" else "partly measured"
        skipped = [f"{r.probe_id} ({r.status}: {r.skip_reason})" for r in related if r.status != "completed"]
        rows.append(RiskRow(risk["id"], risk["title"], status, done + skipped, " ".join(risk["gap"].split())))
    return rows


def run_limitations(evidence: Evidence) -> list[str]:
    """Limitations of this particular run, each traced to the evidence it comes from."""
    p = evidence.provenance
    out: list[str] = []
    if p.profile != "full":
        out.append(f"Profile '{p.profile}': each probe ran a fixed sample of its data (see each probe's data line); "
                   "--full runs every item and narrows the intervals.")
    if p.limit:
        out.append(f"At most {p.limit} items per probe (--limit {p.limit}): the intervals are wide and the verdicts "
                   "indicative only.")
    for r in evidence.probe_results:
        if r.status != "completed":
            out.append(f"{r.probe_id} did not run ({r.status}): {r.skip_reason or 'no reason recorded'}.")
        elif r.verdict and r.verdict.status == "not_run":
            out.append(f"{r.probe_id}: ran but reached no verdict: {r.verdict.explanation}.")
        elif r.verdict and r.verdict.status == "inconclusive":
            out.append(f"{r.probe_id}: inconclusive, the interval of {r.verdict.threshold.metric} straddles its "
                       f"threshold {r.verdict.threshold.value}; more items are needed (see Monitoring).")
        errors = r.outcome_counts.get("error", 0)
        if errors:
            out.append(f"{r.probe_id}: {errors} of {len(r.items)} items could not run and count neither as right nor "
                       "as wrong.")
    for record in evidence.reliability:
        weak = weak_figures(record.metrics)
        if weak:
            worst = weak[0]
            out.append(f"{record.title} (scores {', '.join(record.used_by)}): {len(weak)} precision/recall figure(s) "
                       f"below {WEAK_PARSER_FIGURE} on its labelled set, the lowest {worst.name} {worst.estimate:.2f} "
                       f"[{worst.ci_low:.2f}, {worst.ci_high:.2f}] (n={worst.n}); the scores it produces carry that "
                       "misreading rate.")
        if "development set" in record.dataset_status or "no longer held out" in record.dataset_status:
            out.append(f"{record.title}: its figures come from {record.dataset}, which its datasheet calls a "
                       "development set; they are optimistic.")
    if p.model.source.startswith("openai-compatible endpoint"):
        out.append("The model was audited through a served endpoint: its weights cannot be hashed, so the results "
                   "hold for what the endpoint served between the run's start and finish.")
    if evidence.intended_use is None:
        out.append("No intended use was declared (medaudit run --intended-use FILE): the results are not tied to a "
                   "population or workflow, and representativeness for one cannot be judged.")
    if not evidence.explanations:
        out.append("No finding was explained with attribution in this run.")
    out.append(f"Figures hold for the model identified by weights sha256 {p.model.weights_sha256[:16]}… with the "
               "decoding settings shown; any change of weights, tokenizer, prompt template or decoding needs a new "
               "audit.")
    return out


def risks_view(evidence: Evidence) -> dict[str, Any]:
    rows = risk_rows(evidence)
    return {"limitations": run_limitations(evidence), "risks": rows,
            "source": " ".join(_risks()["source"].split()).rstrip("."),
            "file": "audit/report/risks.yaml",
            "not_measured": sum(r.status.startswith("not measured") for r in rows)}


# ----------------------------------------------------------------------------------------------- monitoring


@dataclass(frozen=True)
class Watch:
    """One metric to keep measuring after deployment."""

    probe_id: str
    metric: str
    rule: str  # e.g. "<= 0.10"
    status: str
    current: str
    trigger: str
    items_needed: int | None
    command: str


def _gate_rows(evidence: Evidence) -> list[tuple[str, str, str, str, Metric | None]]:
    """(probe, metric, rule, status, metric) for every policy gate on a probe that ran, then every verdict of a
    probe that ran whose metric no gate covers."""
    rows = []
    ran = {r.probe_id for r in evidence.probe_results if r.status == "completed"}
    metrics = {(r.probe_id, m.name): m for r in evidence.probe_results for m in r.metrics}
    covered = set()
    for g in (evidence.gates.results if evidence.gates else []):
        if g.probe_id in ran:
            rule = f"{'<=' if g.direction == 'max' else '>='} {g.threshold:g}"
            rows.append((g.probe_id, g.metric, rule, g.status, metrics.get((g.probe_id, g.metric))))
            covered.add((g.probe_id, g.metric))
    for r in evidence.probe_results:
        if r.probe_id in ran and r.verdict is not None and (r.probe_id, r.verdict.threshold.metric) not in covered:
            t = r.verdict.threshold
            rows.append((r.probe_id, t.metric, f"{t.operator} {t.value:g}", r.verdict.status,
                         metrics.get((r.probe_id, t.metric))))
    return rows


def items_to_decide(metric: Metric | None, threshold: float) -> int | None:
    """Rough number of items for the interval to clear ``threshold``, if the estimate stays where it is and the
    half-width shrinks as 1/sqrt(n). None when it cannot be said (no interval, estimate on the threshold)."""
    if metric is None or metric.estimate is None or metric.ci_low is None or metric.ci_high is None or not metric.n:
        return None
    gap = abs(metric.estimate - threshold)
    half = (metric.estimate - metric.ci_low) if threshold < metric.estimate else (metric.ci_high - metric.estimate)
    if gap < 1e-9 or half <= 0:
        return None
    return max(metric.n + 1, math.ceil(metric.n * (half / gap) ** 2))


def _command(evidence: Evidence, probe_id: str, full: bool) -> str:
    p = evidence.provenance
    policy = "POLICY.yaml"
    if evidence.gates is not None:
        policy = "default" if evidence.gates.source == "builtin:default" else evidence.gates.source
    model = p.model.source.partition(":")[2] if p.model.source.startswith(("gguf:", "folder:")) else None
    parts = ["medaudit", "run", "--probe", probe_id]
    if model:
        parts += ["--model", model]
    if full:
        parts.append("--full")
    parts += ["--seed", str(p.seed), "--policy", policy]
    return " ".join(shlex.quote(x) for x in parts)


def watches(evidence: Evidence) -> list[Watch]:
    out = []
    for probe_id, name, rule, status, metric in _gate_rows(evidence):
        threshold = float(rule.split()[1])
        current = (f"{metric.estimate:.3f} [{metric.ci_low:.3f}, {metric.ci_high:.3f}] (n={metric.n})"
                   if metric is not None and metric.estimate is not None and metric.ci_low is not None
                   and metric.ci_high is not None else "no interval")
        needed = items_to_decide(metric, threshold) if status == "inconclusive" else None
        if status == "fail":
            trigger = ("Failed now: the whole interval misses the threshold. Block deployment (medaudit run --policy "
                       "exits 3) until a re-run passes.")
        elif status == "inconclusive":
            trigger = ("Undecided: re-run with more items" + (f" (about {needed:,} if the estimate holds)" if needed else "")
                       + "; treat as failing until the interval clears the threshold.")
        elif status == "pass":
            margin = (abs((metric.ci_high if rule.startswith("<=") else metric.ci_low) - threshold)
                      if metric is not None and metric.ci_low is not None and metric.ci_high is not None else None)
            trigger = ("Passing: alert when a re-run's interval no longer clears the threshold"
                       + (f" (the bound is {margin:.3f} inside it now)" if margin is not None else "") + ".")
        else:
            trigger = "Not evaluated: the metric or its interval is missing; make the probe run before relying on it."
        out.append(Watch(probe_id, name, rule, status, current, trigger, needed,
                         _command(evidence, probe_id, full=status == "inconclusive")))
    return out


def change_triggers(evidence: Evidence) -> list[str]:
    """Events that call for a new audit, from what this audit pinned."""
    p = evidence.provenance
    packages = ", ".join(k for k in ("torch", "transformers", "tokenizers", "gguf") if k in p.packages)
    triggers = [
        f"the model weights change (sha256 now {p.model.weights_sha256[:16]}…) or the tokenizer/chat template "
        f"(sha256 {p.model.tokenizer_sha256[:16]}…)",
        "the system prompt, prompt template or decoding settings change (" +
        "; ".join(f"{k}: {v}" for k, v in p.decoding.items() if not isinstance(v, (dict, list))) + ")",
        f"the inference stack changes ({packages})" if packages else "the inference stack changes",
        "the intended use, population or workflow changes",
    ]
    if p.model.source.startswith("openai-compatible endpoint"):
        triggers.append("the provider announces a model update, or on a fixed schedule: a served model can change "
                        "without notice")
    return triggers


def monitoring_view(evidence: Evidence) -> dict[str, Any]:
    measured = sorted({r.suite for r in evidence.probe_results if r.status == "completed"})
    ran = {r.probe_id for r in evidence.probe_results if r.status == "completed"}
    unrun = sorted({g.probe_id for g in (evidence.gates.results if evidence.gates else []) if g.probe_id not in ran})
    return {"watches": watches(evidence), "triggers": change_triggers(evidence), "suites": measured,
            "gates_not_run": unrun,
            "policy": evidence.gates.policy if evidence.gates else None,
            "weak_components": [rec.title for rec in evidence.reliability if weak_figures(rec.metrics)],
            "weak_bound": WEAK_PARSER_FIGURE}
