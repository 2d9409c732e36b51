"""Compare two audits metric by metric, and flag what changed underneath them.

For each metric both audits report for the same probe:

- **rates** (``kind == "rate"`` whose estimate × n is a count): the difference new − old with Newcombe's
  hybrid score interval (built from the two Wilson intervals, so it stays proper at 0% and 100%), and a
  two-proportion test: the pooled z-test, or Fisher's exact test when an expected cell count is below 5;
- **other metrics** (scores, paired differences, AUROCs): the difference with an approximate Wald interval
  and z-test whose standard errors are read off each audit's own confidence interval (marked approximate).

p-values are Holm-adjusted across all compared metrics. The two audits are treated as independent
samples; when both ran the same items on related models the test is conservative (a paired test on the
items would be sharper). Separately, changes in model identity (weights, tokenizer), data-file hashes,
package versions and run settings are flagged, since a metric change may come from any of them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from audit.evidence import Evidence, Metric

Z95 = 1.959963984540054


@dataclass(frozen=True)
class MetricChange:
    probe_id: str
    metric: str
    kind: str
    old: float | None
    new: float | None
    old_n: int
    new_n: int
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    p_value: float | None
    p_holm: float | None = None
    note: str = ""

    @property
    def significant(self) -> bool:
        return self.p_holm is not None and self.p_holm < 0.05


@dataclass
class AuditDiff:
    old_id: str
    new_id: str
    flags: list[str] = field(default_factory=list)  # identity, data, package and setting changes
    probes_only_old: list[str] = field(default_factory=list)
    probes_only_new: list[str] = field(default_factory=list)
    verdict_changes: list[str] = field(default_factory=list)
    metrics: list[MetricChange] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for row, change in zip(data["metrics"], self.metrics):
            row["significant"] = change.significant
        return data

    def lines(self) -> list[str]:
        out = [f"old: {self.old_id}   new: {self.new_id}"]
        out += [f"CHANGED   {flag}" for flag in self.flags] or ["same model, data files, packages and settings"]
        out += [f"ONLY OLD  probe {p}" for p in self.probes_only_old]
        out += [f"ONLY NEW  probe {p}" for p in self.probes_only_new]
        out += [f"VERDICT   {v}" for v in self.verdict_changes]
        for m in self.metrics:
            interval = (f" [{m.ci_low:+.3f}, {m.ci_high:+.3f}]" if m.ci_low is not None and m.ci_high is not None
                        else "")
            test = (f", p={m.p_value:.4g}, Holm p={m.p_holm:.4g}" if m.p_value is not None and m.p_holm is not None
                    else "")
            mark = "*" if m.significant else " "
            diff = f"{m.difference:+.3f}" if m.difference is not None else "n/a"
            out.append(f"{mark} {m.probe_id}/{m.metric}: {_fmt(m.old)} (n={m.old_n}) -> {_fmt(m.new)} (n={m.new_n}), "
                       f"difference {diff}{interval} ({m.method}{test}){'; ' + m.note if m.note else ''}")
        out += [f"NOT COMPARED {n}" for n in self.not_compared]
        significant = sum(m.significant for m in self.metrics)
        out.append(f"{len(self.metrics)} metric(s) compared, {significant} changed significantly (Holm-adjusted p < 0.05, "
                   "marked *); audits treated as independent samples")
        return out


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _count(metric: Metric) -> int | None:
    """The success count behind a rate, if its estimate is one (estimate × n within rounding of an integer)."""
    if metric.kind != "rate" or metric.estimate is None or metric.n <= 0 or not 0 <= metric.estimate <= 1:
        return None
    raw = metric.estimate * metric.n
    count = round(raw)
    return count if abs(raw - count) < 1e-6 * max(1, metric.n) else None


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p2 − p1 (method 10), from the two Wilson intervals."""
    from audit.stats import wilson

    a, b = wilson(x1, n1, confidence), wilson(x2, n2, confidence)
    p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    return (d - math.sqrt((p2 - b.low) ** 2 + (a.high - p1) ** 2),
            d + math.sqrt((b.high - p2) ** 2 + (p1 - a.low) ** 2))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Two-sided p-value for p1 = p2: pooled z-test, or Fisher's exact test when an expected count is < 5."""
    from scipy import stats

    pooled = (x1 + x2) / (n1 + n2)
    expected = [n * q for n in (n1, n2) for q in (pooled, 1 - pooled)]
    if min(expected) < 5:
        return float(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])[1]), "Fisher exact"
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x2 / n2 - x1 / n1) / se
    return float(2 * stats.norm.sf(abs(z))), "pooled z-test"


def _compare_metric(probe_id: str, old: Metric, new: Metric) -> MetricChange:
    base = dict(probe_id=probe_id, metric=old.name, kind=new.kind, old=old.estimate, new=new.estimate,
                old_n=old.n, new_n=new.n)
    if old.estimate is None or new.estimate is None:
        return MetricChange(**base, difference=None, ci_low=None, ci_high=None, method="not compared",
                            p_value=None, note="no estimate in " + ("both" if old.estimate is None and
                                                                   new.estimate is None else
                                                                   "old" if old.estimate is None else "new"))
    difference = new.estimate - old.estimate
    x1, x2 = _count(old), _count(new)
    if x1 is not None and x2 is not None:
        low, high = newcombe_interval(x1, old.n, x2, new.n)
        p_value, test = two_proportion_test(x1, old.n, x2, new.n)
        return MetricChange(**base, difference=difference, ci_low=low, ci_high=high,
                            method=f"Newcombe interval, {test}", p_value=p_value)
    if None in (old.ci_low, old.ci_high, new.ci_low, new.ci_high):
        return MetricChange(**base, difference=difference, ci_low=None, ci_high=None, method="no interval",
                            p_value=None, note="an interval is missing; no test")
    from scipy import stats

    se_old = (old.ci_high - old.ci_low) / (2 * Z95)  # type: ignore[operator]
    se_new = (new.ci_high - new.ci_low) / (2 * Z95)  # type: ignore[operator]
    se = math.hypot(se_old, se_new)
    if se == 0:
        return MetricChange(**base, difference=difference, ci_low=difference, ci_high=difference,
                            method="zero-width intervals", p_value=None, note="no test")
    p_value = float(2 * stats.norm.sf(abs(difference) / se))
    return MetricChange(**base, difference=difference, ci_low=difference - Z95 * se, ci_high=difference + Z95 * se,
                        method="approx. Wald (SE from each CI)", p_value=p_value)


def _mapping_changes(label: str, old: dict[str, str], new: dict[str, str]) -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            out.append(f"{label} {key}: removed (was {old[key]})")
        elif key not in old:
            out.append(f"{label} {key}: added ({new[key]})")
        elif old[key] != new[key]:
            out.append(f"{label} {key}: {old[key]} -> {new[key]}")
    return out


def diff_evidence(old: Evidence, new: Evidence) -> AuditDiff:
    from audit.stats import holm

    result = AuditDiff(old_id=old.audit_id, new_id=new.audit_id)
    po, pn = old.provenance, new.provenance
    for name in ("name", "source", "weights_sha256", "tokenizer_sha256", "architecture", "dtype"):
        a, b = getattr(po.model, name), getattr(pn.model, name)
        if a != b:
            result.flags.append(f"model {name}: {a} -> {b}")
    result.flags += _mapping_changes("data file", po.data_files, pn.data_files)
    result.flags += _mapping_changes("package", po.packages, pn.packages)
    for name in ("tool_version", "git_commit", "seed", "profile", "limit", "python"):
        a, b = getattr(po, name), getattr(pn, name)
        if a != b:
            result.flags.append(f"{name}: {a} -> {b}")
    if po.decoding != pn.decoding:
        result.flags.append(f"decoding: {po.decoding} -> {pn.decoding}")

    old_probes = {r.probe_id: r for r in old.probe_results}
    new_probes = {r.probe_id: r for r in new.probe_results}
    result.probes_only_old = sorted(set(old_probes) - set(new_probes))
    result.probes_only_new = sorted(set(new_probes) - set(old_probes))
    for probe_id in [p for p in old_probes if p in new_probes]:
        a, b = old_probes[probe_id], new_probes[probe_id]
        va = a.verdict.status if a.verdict else a.status
        vb = b.verdict.status if b.verdict else b.status
        if va != vb:
            result.verdict_changes.append(f"{probe_id}: {va} -> {vb}")
        if a.data and b.data and a.data.sha256 != b.data.sha256:
            result.flags.append(f"probe {probe_id} data: {a.data.sha256[:12]}… -> {b.data.sha256[:12]}…")
        new_metrics = {m.name: m for m in b.metrics}
        for metric in a.metrics:
            if metric.name in new_metrics:
                result.metrics.append(_compare_metric(probe_id, metric, new_metrics[metric.name]))
            else:
                result.not_compared.append(f"{probe_id}/{metric.name}: only in old")
        result.not_compared += [f"{probe_id}/{n}: only in new" for n in new_metrics
                                if n not in {m.name for m in a.metrics}]
    if old.gates and new.gates:
        old_gates = {g.id: g.status for g in old.gates.results}
        for gate in new.gates.results:
            if gate.id in old_gates and old_gates[gate.id] != gate.status:
                result.verdict_changes.append(f"gate {gate.id}: {old_gates[gate.id]} -> {gate.status}")
    tested = [i for i, m in enumerate(result.metrics) if m.p_value is not None]
    if tested:
        adjusted = holm([result.metrics[i].p_value for i in tested])  # type: ignore[misc]
        for i, p in zip(tested, adjusted):
            result.metrics[i] = MetricChange(**{**asdict(result.metrics[i]), "p_holm": float(p)})
    return result


def evidence_path(path: Path) -> Path:
    """An evidence file, or a run folder holding one."""
    path = Path(path)
    return path / "evidence.json" if path.is_dir() else path


def change_view(evidence: Evidence, context: dict[str, Any]) -> dict[str, Any]:
    """Data of the report's "Change since the last audit" section: the diff from the baseline, if one was given."""
    baseline = context.get("baseline")
    if baseline is None:
        return {"diff": None}
    result = diff_evidence(baseline, evidence)
    return {"diff": result, "significant": sum(m.significant for m in result.metrics),
            "baseline_finished": baseline.provenance.finished_at}
