"""Shared pieces of the standard exports: which metrics to publish and how to name what the audit cannot know."""

from __future__ import annotations

import re
from typing import Iterator

from audit.evidence import Evidence, Metric, ProbeResult

NOT_IN_EVIDENCE = "Not in the audit evidence: to be supplied by the model provider."
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def published_metrics(result: ProbeResult) -> Iterator[Metric]:
    """The metrics of a completed probe that carry an estimate and a full interval."""
    if result.status != "completed":
        return
    for metric in result.metrics:
        if metric.estimate is not None and metric.ci_low is not None and metric.ci_high is not None:
            yield metric


def verdict_status(result: ProbeResult) -> str:
    return result.verdict.status if result.verdict else result.status


def tool_version(evidence: Evidence) -> str:
    return evidence.provenance.tool_version


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "finding"
