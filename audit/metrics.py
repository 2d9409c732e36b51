"""Build :class:`Metric` records from counts and intervals, so every probe reports alike."""

from __future__ import annotations

import math
from typing import Literal, Mapping

from audit import stats
from audit.evidence import Metric


def rate(name: str, description: str, hits: int, n: int) -> Metric:
    """A proportion with its Wilson 95% interval (proper at 0% and 100%; [0, 1] when n = 0)."""
    ci = stats.wilson(hits, n)
    # The Wilson bounds at 0/n and n/n are exactly 0 and 1; remove floating-point dust.
    low = 0.0 if hits == 0 else ci.low
    high = 1.0 if hits == n else ci.high
    return Metric(name=name, description=description, estimate=None if n == 0 else ci.estimate,
                  ci_low=low, ci_high=high, n=n, method="Wilson")


def from_interval(name: str, description: str, interval: stats.Interval,
                  kind: Literal["rate", "score", "difference"] = "score") -> Metric:
    """A metric from any :class:`audit.stats.Interval` (bootstrap, AUROC, ...)."""
    estimate = None if math.isnan(interval.estimate) else interval.estimate
    return Metric(name=name, description=description, estimate=estimate, ci_low=interval.low,
                  ci_high=interval.high, n=interval.n, method=interval.method, kind=kind)


def no_data(name: str, description: str, kind: Literal["rate", "score", "difference"] = "score") -> Metric:
    """A metric that could not be computed (too few items); shown as such, never as zero."""
    return Metric(name=name, description=description, estimate=None, ci_low=None, ci_high=None, n=0,
                  method="not computed (too few items)", kind=kind)


def softmax(logprobs: Mapping[str, float]) -> dict[str, float]:
    """Probabilities renormalised over the given options."""
    top = max(logprobs.values())
    weights = {k: math.exp(v - top) for k, v in logprobs.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}
