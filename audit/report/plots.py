"""Inline SVG plots for the report (matplotlib, no external resources)."""

from __future__ import annotations

import io
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
    """The figures a probe's section shows: a forest plot when it reports several paired differences."""
    differences = [m for m in result.metrics if m.kind == "difference" and m.name.startswith("diff:")]
    return [forest_svg(differences, f"{result.probe_id}: paired differences")] if len(differences) >= 2 else []
