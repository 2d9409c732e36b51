"""Confidence intervals: binomial proportions and bootstrap statistics.

Binomial intervals wrap :func:`statsmodels.stats.proportion.proportion_confint`;
bootstrap intervals wrap :func:`scipy.stats.bootstrap`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from audit.stats._validation import (
    as_float_array,
    check_confidence,
    check_int,
    check_n_resamples,
    check_same_length,
    check_seed,
)

__all__ = [
    "Interval",
    "ProportionMethod",
    "bootstrap_mean",
    "bootstrap_statistic",
    "clopper_pearson",
    "proportion",
    "wilson",
]

ProportionMethod = Literal["wilson", "clopper-pearson"]

#: Interval.method values produced by the bootstrap helpers.
_BCA = "bootstrap-bca"
_PERCENTILE = "bootstrap-percentile"
_DEGENERATE = "bootstrap-degenerate"


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval.

    ``n`` is the number of observations (trials, items or pairs) behind the
    estimate; ``method`` names how the interval was computed.
    """

    estimate: float
    low: float
    high: float
    n: int
    method: str
    confidence: float = 0.95

    def __post_init__(self) -> None:
        check_confidence(self.confidence)
        check_int(self.n, "n", minimum=0)

    def to_dict(self) -> dict[str, float | int | str]:
        """Return a plain ``dict`` (JSON-friendly apart from NaN estimates)."""
        return asdict(self)


# --------------------------------------------------------------------------- #
# Binomial proportions
# --------------------------------------------------------------------------- #


def _check_counts(successes: int, n: int) -> tuple[int, int]:
    k = check_int(successes, "successes", minimum=0)
    total = check_int(n, "n", minimum=0)
    if k > total:
        raise ValueError(f"successes ({k}) must not exceed n ({total})")
    return k, total


def _binomial_interval(successes: int, n: int, confidence: float, sm_method: str, name: str) -> Interval:
    k, total = _check_counts(successes, n)
    conf = check_confidence(confidence)
    if total == 0:
        # No data: the estimate is undefined and the interval is the whole unit range.
        return Interval(math.nan, 0.0, 1.0, 0, f"{name} (no data)", conf)
    low, high = proportion_confint(k, total, alpha=1.0 - conf, method=sm_method)
    return Interval(k / total, float(low), float(high), total, name, conf)


def wilson(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for ``successes`` out of ``n`` trials.

    ``n == 0`` means no data: estimate NaN, interval [0, 1].
    """
    return _binomial_interval(successes, n, confidence, "wilson", "wilson")


def clopper_pearson(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Exact Clopper-Pearson (beta) interval for ``successes`` out of ``n``.

    At 0/n (n/n) the low (high) bound is 0 (1) and the other bound is the
    one-sided exact limit, so the interval never collapses to a point.
    ``n == 0`` means no data: estimate NaN, interval [0, 1].
    """
    return _binomial_interval(successes, n, confidence, "beta", "clopper-pearson")


def proportion(
    successes: int,
    n: int,
    method: ProportionMethod = "wilson",
    confidence: float = 0.95,
) -> Interval:
    """Binomial proportion interval; ``method`` is "wilson" or "clopper-pearson"."""
    if method == "wilson":
        return wilson(successes, n, confidence)
    if method == "clopper-pearson":
        return clopper_pearson(successes, n, confidence)
    raise ValueError(f"unknown proportion method {method!r}; expected 'wilson' or 'clopper-pearson'")


# --------------------------------------------------------------------------- #
# Bootstrap
# --------------------------------------------------------------------------- #


def bootstrap_statistic(
    data: tuple[Sequence[float] | NDArray[Any], ...],
    statistic: Callable[..., Any],
    paired: bool,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    vectorized: bool = False,
) -> Interval:
    """Bootstrap confidence interval for ``statistic(*data)``.

    ``data`` is a tuple of 1-D samples; with ``paired=True`` they must have equal
    length and are resampled together (row-wise). If ``vectorized`` the statistic
    must accept an ``axis`` keyword (as in :func:`scipy.stats.bootstrap`).

    The interval is BCa; when BCa cannot be computed (NaN, e.g. a degenerate
    bootstrap distribution or jackknife) the percentile interval over the
    *same* resamples is used instead. If every resample gives the same value,
    ``low == high`` == that value and ``method`` is "bootstrap-degenerate".
    Each sample needs at least two observations.
    """
    if not isinstance(data, tuple) or len(data) == 0:
        raise ValueError("data must be a non-empty tuple of 1-D samples")
    if not callable(statistic):
        raise ValueError("statistic must be callable")
    conf = check_confidence(confidence)
    resamples = check_n_resamples(n_resamples)
    rng_seed = check_seed(seed)
    arrays = tuple(as_float_array(sample, f"data[{i}]") for i, sample in enumerate(data))
    if paired:
        check_same_length(**{f"data[{i}]": arr for i, arr in enumerate(arrays)})
    for i, arr in enumerate(arrays):
        if arr.size < 2:
            raise ValueError(f"data[{i}] must contain at least 2 observations for a bootstrap, got {arr.size}")

    estimate = float(statistic(*arrays, axis=-1) if vectorized else statistic(*arrays))
    n = int(arrays[0].size) if paired or len(arrays) == 1 else int(sum(a.size for a in arrays))

    common: dict[str, Any] = {
        "vectorized": vectorized,
        "paired": paired,
        "confidence_level": conf,
    }
    with warnings.catch_warnings():
        # BCa failures are detected from the NaN result and handled below.
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            arrays,
            statistic,
            n_resamples=resamples,
            method="BCa",
            rng=np.random.default_rng(rng_seed),
            **common,
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=np.float64)
    if distribution.size and np.all(distribution == distribution.flat[0]):
        value = float(distribution.flat[0])
        return Interval(estimate, value, value, n, _DEGENERATE, conf)

    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    method = _BCA
    if not (math.isfinite(low) and math.isfinite(high)):
        # Reuse the existing resamples (n_resamples=0) for the percentile interval.
        fallback = stats.bootstrap(
            arrays,
            statistic,
            n_resamples=0,
            bootstrap_result=result,
            method="percentile",
            rng=np.random.default_rng(rng_seed),
            **common,
        )
        low, high = float(fallback.confidence_interval.low), float(fallback.confidence_interval.high)
        method = _PERCENTILE
    return Interval(estimate, low, high, n, method, conf)


def share_mean(
    shares: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Mean of per-cluster shares in [0, 1] (e.g. the share of one item's sampled answers that abstained)
    with a bootstrap CI over clusters, which are independent where the observations inside one are not.

    When every share is 0 (or every one is 1) each resample gives the same mean and a bootstrap interval has
    zero width. Then the interval is Clopper-Pearson with the clusters as trials: none of n clusters had any
    share above 0, and the mean share is at most the probability that a cluster has any, so the exact upper
    bound for 0/n bounds it (likewise the lower bound for n/n when every share is 1). Needs two clusters.
    """
    arr = as_float_array(shares, "shares")
    if arr.size < 2:
        raise ValueError(f"shares must contain at least 2 clusters, got {arr.size}")
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise ValueError("shares must lie in [0, 1]")
    if np.all(arr == 0.0) or np.all(arr == 1.0):
        check_n_resamples(n_resamples)
        check_seed(seed)
        k = int(arr.size) if arr[0] == 1.0 else 0
        exact = clopper_pearson(k, int(arr.size), confidence)
        return Interval(float(arr[0]), exact.low, exact.high, int(arr.size),
                        "clopper-pearson over clusters (every share at the edge)", exact.confidence)
    return bootstrap_mean(arr, confidence=confidence, n_resamples=n_resamples, seed=seed)


def bootstrap_mean(
    values: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Bootstrap (BCa, percentile fallback) interval for the mean of ``values``.

    If all values are equal the interval is degenerate: ``low == high == mean``
    with ``method`` "bootstrap-degenerate". Needs at least two values.
    """
    arr = as_float_array(values, "values")
    if arr.size < 2:
        raise ValueError(f"values must contain at least 2 observations for a bootstrap, got {arr.size}")
    if np.all(arr == arr[0]):
        conf = check_confidence(confidence)
        check_n_resamples(n_resamples)
        check_seed(seed)
        mean = float(arr[0])
        return Interval(mean, mean, mean, int(arr.size), _DEGENERATE, conf)
    return bootstrap_statistic(
        (arr,),
        np.mean,
        paired=False,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
        vectorized=True,
    )
