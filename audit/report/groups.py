"""Per-group results of a probe, from its items: each condition (a demographic group, an intersectional cell, a
placebo name, a prompt condition) with its own n and correctness rate (Wilson 95%), so accuracy for specific
groups is shown beside the paired differences."""

from __future__ import annotations

from dataclasses import dataclass

from audit import stats
from audit.evidence import Metric, ProbeResult

MAX_GROUPS = 80
"""Above this many conditions a per-group table would not be read; the items table and items.csv hold them."""

ANSWERED = ("correct", "incorrect")


@dataclass(frozen=True)
class GroupRow:
    family: str
    group: str
    n: int
    correct: Metric
    abstained: int
    unparseable: int
    error: int


def _split(condition: str) -> tuple[str, str]:
    family, sep, rest = condition.partition(":")
    return (family, rest) if sep else ("", condition)


def group_table(result: ProbeResult) -> list[GroupRow]:
    """One row per condition, in first-seen order; empty when the probe has fewer than two conditions, more than
    MAX_GROUPS, or no item judged right or wrong."""
    by_condition: dict[str, list] = {}
    for item in result.items:
        if item.condition is not None:
            by_condition.setdefault(item.condition, []).append(item)
    if not 2 <= len(by_condition) <= MAX_GROUPS:
        return []
    if not any(it.outcome in ANSWERED for items in by_condition.values() for it in items):
        return []
    rows = []
    for condition, items in by_condition.items():
        outcomes = [it.outcome for it in items]
        right, judged = outcomes.count("correct"), sum(o in ANSWERED for o in outcomes)
        interval = stats.wilson(right, judged)
        family, group = _split(condition)
        rows.append(GroupRow(family, group, len(items), Metric(
            name=f"correct:{condition}", description=f"correct among answered items, {condition}",
            estimate=interval.estimate if judged else None, ci_low=interval.low, ci_high=interval.high, n=judged,
            method="Wilson"), outcomes.count("abstained"), outcomes.count("unparseable"), outcomes.count("error")))
    return sorted(rows, key=lambda r: (r.family != "demographic", r.family, r.group)) if any(
        r.family for r in rows) else rows
