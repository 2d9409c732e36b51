"""Inline SVG plots for the report (matplotlib, no external resources)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Sequence

from audit.evidence import Explanation, Metric, ProbeResult


def _svg(fig) -> str:
    """A figure as inline SVG; text is drawn as paths, so labels cannot inject markup."""
    import matplotlib
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "medaudit"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def layer_profile_svg(explanation: Explanation) -> str:
    """One panel per layer profile (logit lens, patching effects): their scales differ."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    profiles = explanation.layer_profiles
    fig, axes = plt.subplots(len(profiles), 1, figsize=(8, 1.7 * len(profiles) + 0.4), squeeze=False)
    for ax, profile in zip(axes[:, 0], profiles):
        points = [(i, v) for i, v in enumerate(profile.values) if v is not None]
        ax.plot([i for i, _ in points], [v for _, v in points], marker="o", markersize=3, color="#1d4e89")
        ax.axhline(0, color="#888", linewidth=0.8)
        step = max(1, len(profile.layers) // 16)
        ax.set_xticks(range(0, len(profile.layers), step), profile.layers[::step], fontsize=6)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(profile.name, fontsize=8)
    fig.tight_layout()
    return _svg(fig)


def forest_svg(metrics: Sequence[Metric], title: str) -> str:
    """A forest plot of differences with their CIs; text is drawn as paths, so labels cannot inject markup."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [m for m in metrics if m.estimate is not None and m.ci_low is not None and m.ci_high is not None]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    for y, m in enumerate(reversed(rows)):
        ax.errorbar(m.estimate, y, xerr=[[m.estimate - m.ci_low], [m.ci_high - m.estimate]], fmt="o", color="#1d4e89",
                    ecolor="#6b8fb8", capsize=2, markersize=4)
    ax.axvline(0, color="#888", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [m.name.removeprefix("diff:") for m in reversed(rows)], fontsize=7)
    ax.set_xlabel("paired difference (95% CI)", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    return _svg(fig)


def probe_figures(result: ProbeResult) -> list[str]:
    """The SVGs of :func:`probe_plots` (forest plots, ROC, risk-coverage, reliability, per-layer AUROC)."""
    return [plot.svg for plot in probe_plots(result)]


@dataclass(frozen=True)
class Plot:
    svg: str
    caption: str


_FAMILIES = {"demographic": "counterfactual swaps of one attribute", "intersection": "intersectional cells (two "
             "attributes crossed, each against the reference cell)", "placebo": "placebo swaps (null controls)"}


def probe_plots(result: ProbeResult) -> list[Plot]:
    """Every figure the evidence has the data for, each with a caption saying what it shows.

    - forest plots of paired differences with CIs, one per family (counterfactual, intersectional, placebo);
    - ROC curves of uncertainty detectors (for 'this answer is wrong') and of membership-inference attacks,
      recomputed from the items and drawn only when their AUROC equals the recorded metric;
    - risk-coverage curves from the recorded risk_at_coverage points and their intervals;
    - reliability diagrams for detectors whose confidence is a probability (those with an ECE);
    - per-layer AUROC of hidden-state truth probes with CIs."""
    if result.status != "completed":
        return []
    plots: list[Plot] = []
    differences = [m for m in result.metrics if m.kind == "difference" and m.name.startswith("diff:")]
    families: dict[str, list[Metric]] = {}
    for m in differences:
        families.setdefault(m.name.split(":")[1] if m.name.count(":") >= 2 else "", []).append(m)
    if len(differences) >= 2:
        for family, rows in families.items():
            what = _FAMILIES.get(family, family or "paired differences")
            plots.append(Plot(forest_svg(rows, f"{result.probe_id}: {what}"),
                              f"Forest plot: {what}; mean paired difference with its 95% CI, 0 = no difference."))
    curves = uncertainty_curves(result)
    if curves:
        plots.append(Plot(roc_svg(curves, f"{result.probe_id}: detecting wrong answers", "wrong answer"),
                          "ROC of each uncertainty score for 'this answer is wrong' (items answered right or wrong); "
                          "legend: AUROC [95% CI]. The diagonal is chance."))
    membership = membership_curves(result)
    if membership:
        plots.append(Plot(roc_svg(membership, f"{result.probe_id}: membership inference", "member", log_fpr=True),
                          "ROC of each membership-inference attack (members vs non-members), false-positive rate on a "
                          "log scale where attacks matter; legend: AUROC [95% CI]."))
    coverage = risk_coverage_series(result)
    if coverage:
        plots.append(Plot(risk_coverage_svg(coverage, f"{result.probe_id}: risk-coverage"),
                          "Risk-coverage: error rate when only the most confident share of items is answered, per "
                          "uncertainty score, with Wilson 95% intervals. A useful score falls to the left."))
    diagrams = [c for c in curves if c.calibrated]
    if diagrams:
        plots.append(Plot(reliability_svg(diagrams, f"{result.probe_id}: reliability diagram"),
                          "Reliability diagram: share of right answers against the stated confidence (10 equal-width "
                          "bins, marker size = items in the bin); the diagonal is perfect calibration."))
    layers = layer_auroc_series(result)
    if layers:
        plots.append(Plot(layer_auroc_svg(layers, f"{result.probe_id}: truth probe AUROC by layer"),
                          "AUROC of the hidden-state truth probes by layer (held-out statements) with 95% CIs; "
                          "0.5 is chance."))
    return plots


# ----------------------------------------------------------------------------------------------- curve data


@dataclass(frozen=True)
class Curve:
    """Scores of one detector or attack over items, with the label it should detect."""

    name: str
    metric: Metric
    labels: list[int]
    scores: list[float]
    calibrated: bool = False  # 1 - score is a probability (reliability diagram makes sense)

    @property
    def legend(self) -> str:
        m = self.metric
        return f"{self.name}: {m.estimate:.2f} [{m.ci_low:.2f}, {m.ci_high:.2f}]"


def _consistent(curve: Curve) -> bool:
    """Only draw a curve whose recomputed AUROC is the recorded one (same items, same direction)."""
    from sklearn.metrics import roc_auc_score

    if len(set(curve.labels)) < 2 or curve.metric.estimate is None or curve.metric.ci_low is None:
        return False
    return abs(float(roc_auc_score(curve.labels, curve.scores)) - curve.metric.estimate) < 1e-9


def uncertainty_curves(result: ProbeResult) -> list[Curve]:
    """For each recorded 'auroc_<detector>[_<condition>]' metric: wrongness labels and uncertainty scores."""
    from audit.detectors import option_uncertainty
    from audit.sampling_detectors import DETECTORS

    detectors = sorted(DETECTORS, key=lambda d: -len(d.name))
    eces = {m.name.removeprefix("ece_") for m in result.metrics if m.name.startswith("ece_")}
    curves = []
    for metric in result.metrics:
        if not metric.name.startswith("auroc_") or metric.estimate is None:
            continue
        name = metric.name.removeprefix("auroc_")
        read = None
        if name.startswith("option_uncertainty"):
            suffix = name.removeprefix("option_uncertainty").lstrip("_")
            read = option_uncertainty
            rows = [r for r in result.items if r.option_logprobs]
        else:
            detector = next((d for d in detectors if name == d.name or name.startswith(d.name + "_")), None)
            if detector is None:
                continue
            suffix = name.removeprefix(detector.name).lstrip("_")
            read = (lambda r, d=detector: d.uncertainty(r.scores[d.key]))
            rows = [r for r in result.items if detector.key in r.scores]
        rows = [r for r in rows if r.outcome in ("correct", "incorrect") and (not suffix or r.condition == suffix)]
        curve = Curve(name, metric, [int(r.outcome == "incorrect") for r in rows], [read(r) for r in rows],
                      calibrated=name in eces)
        if _consistent(curve):
            curves.append(curve)
    return curves


def membership_curves(result: ProbeResult) -> list[Curve]:
    """For each recorded 'membership_auroc_<attack>' metric: member labels and attack scores."""
    rows = [r for r in result.items if r.outcome != "error" and r.reference in ("member", "non_member")]
    curves = []
    for metric in result.metrics:
        attack = metric.name.removeprefix("membership_auroc_")
        if not metric.name.startswith("membership_auroc_") or not rows or not all(attack in r.scores for r in rows):
            continue
        curve = Curve(attack, metric, [int(r.reference == "member") for r in rows], [r.scores[attack] for r in rows])
        if _consistent(curve):
            curves.append(curve)
    return curves


def _metric_series(result: ProbeResult, pattern: str, series_group: int,
                   x_group: int) -> dict[str, list[tuple[int, Metric]]]:
    """{series name: [(x, metric)]} from metrics whose name matches ``pattern`` and that have an estimate
    and an interval; sorted by x; series with fewer than two points are left out."""
    series: dict[str, list[tuple[int, Metric]]] = {}
    for m in result.metrics:
        match = re.fullmatch(pattern, m.name)
        if match and m.estimate is not None and m.ci_low is not None and m.ci_high is not None:
            series.setdefault(match.group(series_group), []).append((int(match.group(x_group)), m))
    return {k: sorted(v, key=lambda p: p[0]) for k, v in series.items() if len(v) >= 2}


def risk_coverage_series(result: ProbeResult) -> dict[str, list[tuple[int, Metric]]]:
    """{score name: [(coverage %, risk metric)]} from 'risk_at_coverage_<pct>_<name>' metrics with data."""
    return _metric_series(result, r"risk_at_coverage_(\d+)_(.+)", series_group=2, x_group=1)


def layer_auroc_series(result: ProbeResult) -> dict[str, list[tuple[int, Metric]]]:
    """{probe kind: [(layer, AUROC metric)]} from 'truth_auroc_<kind>_layer_<n>' metrics."""
    return _metric_series(result, r"truth_auroc_(.+)_layer_(\d+)", series_group=1, x_group=2)


# ----------------------------------------------------------------------------------------------- drawing

_COLOURS = ("#1d4e89", "#c8553d", "#2a9d8f", "#8a5a9e", "#e9a03b", "#4a5263", "#7fb069", "#d1495b")


def _figure(width: float = 6.4, height: float = 4.0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def roc_svg(curves: Sequence[Curve], title: str, positive: str, log_fpr: bool = False) -> str:
    from sklearn.metrics import roc_curve

    fig, ax = _figure()
    floor = 1.0
    for i, curve in enumerate(curves[:8]):
        fpr, tpr, _ = roc_curve(curve.labels, curve.scores, drop_intermediate=False)
        negatives = len(curve.labels) - sum(curve.labels)
        floor = min(floor, 0.5 / max(negatives, 1))
        if log_fpr:
            fpr = [max(x, 0.5 / max(negatives, 1)) for x in fpr]
        ax.step(fpr, tpr, where="post", color=_COLOURS[i % len(_COLOURS)], linewidth=1.3, label=curve.legend)
    grid = [floor, 1.0] if log_fpr else [0.0, 1.0]
    ax.plot(grid, grid, color="#999", linewidth=0.8, linestyle="--")
    if log_fpr:
        ax.set_xscale("log")
        ax.set_xlim(floor, 1.0)
    ax.set_xlabel("false-positive rate", fontsize=8)
    ax.set_ylabel(f"true-positive rate ({positive})", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6.5, loc="lower right", title="AUROC [95% CI]", title_fontsize=7)
    fig.tight_layout()
    return _svg(fig)


def risk_coverage_svg(series: dict[str, list[tuple[int, Metric]]], title: str) -> str:
    fig, ax = _figure()
    names = list(series)[:8]
    for i, name in enumerate(names):
        points = series[name]
        shift = (i - (len(names) - 1) / 2) * 0.8
        xs = [c + shift for c, _ in points]
        ys = [m.estimate for _, m in points]
        err = [[m.estimate - m.ci_low for _, m in points], [m.ci_high - m.estimate for _, m in points]]
        ax.errorbar(xs, ys, yerr=err, marker="o", markersize=3, linewidth=1.1, capsize=2,
                    color=_COLOURS[i % len(_COLOURS)], label=name)
    ax.set_xlabel("coverage: share of items answered, most confident first (%)", fontsize=8)
    ax.set_ylabel("risk: error rate among them", fontsize=8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6.5, loc="best")
    fig.tight_layout()
    return _svg(fig)


def reliability_svg(curves: Sequence[Curve], title: str) -> str:
    from audit import stats

    fig, ax = _figure(5.6, 4.2)
    ax.plot([0, 1], [0, 1], color="#999", linewidth=0.8, linestyle="--")
    for i, curve in enumerate(curves[:8]):
        correct = [1 - y for y in curve.labels]
        confidence = [min(1.0, max(0.0, 1.0 - s)) for s in curve.scores]
        bins = [b for b in stats.reliability_bins(correct, confidence) if b["count"]]
        colour = _COLOURS[i % len(_COLOURS)]
        xs, ys = [b["mean_confidence"] for b in bins], [b["observed_frequency"] for b in bins]
        ax.plot(xs, ys, color=colour, linewidth=1.0, label=curve.name)
        total = sum(int(b["count"]) for b in bins) or 1
        ax.scatter(xs, ys, color=colour, s=[10 + 120 * int(b["count"]) / total for b in bins], alpha=0.7,
                   clip_on=False)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("stated confidence (1 - uncertainty)", fontsize=8)
    ax.set_ylabel("share answered right", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6.5, loc="upper left")
    fig.tight_layout()
    return _svg(fig)


def layer_auroc_svg(series: dict[str, list[tuple[int, Metric]]], title: str) -> str:
    fig, ax = _figure(6.4, 3.4)
    for i, (name, points) in enumerate(list(series.items())[:8]):
        colour = _COLOURS[i % len(_COLOURS)]
        layers = [layer for layer, _ in points]
        ax.plot(layers, [m.estimate for _, m in points], marker="o", markersize=3, color=colour, label=name)
        ax.fill_between(layers, [m.ci_low for _, m in points], [m.ci_high for _, m in points], color=colour,
                        alpha=0.15, linewidth=0)
    ax.axhline(0.5, color="#999", linewidth=0.8, linestyle="--")
    ax.set_xlabel("layer", fontsize=8)
    ax.set_ylabel("AUROC (95% CI)", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _svg(fig)
