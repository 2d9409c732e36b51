"""Paired hypothesis tests for comparing two systems on the same items.

Conventions: for ``(x, y)`` the paired difference is ``x - y``; for McNemar
``(a_correct, b_correct)`` the effect is ``accuracy(b) - accuracy(a)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from audit.stats._validation import (
    as_bool_array,
    as_float_array,
    check_confidence,
    check_nonempty,
    check_n_resamples,
    check_same_length,
    check_seed,
)
from audit.stats.intervals import Interval, bootstrap_mean, clopper_pearson

__all__ = [
    "PairedStatistic",
    "TestResult",
    "discordant_counts",
    "mcnemar_exact",
    "mean_difference_ci",
    "paired_permutation",
    "wilcoxon_signed_rank",
]

PairedStatistic = Literal["mean", "median"]


@dataclass(frozen=True)
class TestResult:
    """Outcome of a hypothesis test: statistic, p-value, sample size and effect size."""

    __test__ = False  # not a pytest test class despite the name

    name: str
    statistic: float
    p_value: float
    n: int
    effect: float | None = None
    effect_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a plain ``dict``."""
        return asdict(self)


def _paired_floats(
    x: Sequence[float] | NDArray[Any], y: Sequence[float] | NDArray[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    xa = as_float_array(x, "x")
    ya = as_float_array(y, "y")
    n = check_same_length(x=xa, y=ya)
    check_nonempty(n, "x and y")
    return xa, ya


def _paired_bools(
    a_correct: Sequence[bool] | NDArray[Any], b_correct: Sequence[bool] | NDArray[Any]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    a = as_bool_array(a_correct, "a_correct")
    b = as_bool_array(b_correct, "b_correct")
    n = check_same_length(a_correct=a, b_correct=b)
    check_nonempty(n, "a_correct and b_correct")
    return a, b


def discordant_counts(
    a_correct: Sequence[bool] | NDArray[Any], b_correct: Sequence[bool] | NDArray[Any]
) -> tuple[int, int]:
    """Return ``(a_only, b_only)``: items only A got right, items only B got right."""
    a, b = _paired_bools(a_correct, b_correct)
    return int(np.sum(a & ~b)), int(np.sum(~a & b))


def mcnemar_exact(
    a_correct: Sequence[bool] | NDArray[Any], b_correct: Sequence[bool] | NDArray[Any]
) -> TestResult:
    """Exact (binomial) McNemar test of paired correctness of systems A and B.

    ``statistic`` is min(discordant counts); effect is accuracy(B) - accuracy(A).
    With no discordant pairs the p-value is 1.0. Use :func:`discordant_counts`
    for the two discordant counts.
    """
    a, b = _paired_bools(a_correct, b_correct)
    table = np.array(
        [
            [np.sum(a & b), np.sum(a & ~b)],
            [np.sum(~a & b), np.sum(~a & ~b)],
        ],
        dtype=np.int64,
    )
    result = mcnemar(table, exact=True)
    return TestResult(
        name="mcnemar-exact",
        statistic=float(result.statistic),
        p_value=min(1.0, float(result.pvalue)),
        n=int(a.size),
        effect=float(b.mean() - a.mean()),
        effect_name="difference in proportions (b - a)",
    )


def _rank_biserial(diff: NDArray[np.float64]) -> float:
    """Matched-pairs rank-biserial correlation (zero differences dropped)."""
    nonzero = diff[diff != 0]
    if nonzero.size == 0:
        return 0.0
    ranks = stats.rankdata(np.abs(nonzero))
    positive = float(ranks[nonzero > 0].sum())
    negative = float(ranks[nonzero < 0].sum())
    return (positive - negative) / (positive + negative)


def wilcoxon_signed_rank(
    x: Sequence[float] | NDArray[Any],
    y: Sequence[float] | NDArray[Any],
    zero_method: Literal["wilcox", "pratt", "zsplit"] = "wilcox",
    method: Literal["auto", "exact", "asymptotic"] = "auto",
) -> TestResult:
    """Two-sided Wilcoxon signed-rank test on ``x - y`` (:func:`scipy.stats.wilcoxon`).

    Effect is the matched-pairs rank-biserial correlation (positive when x > y).
    If every difference is zero the test is undefined; the result then has
    p_value 1.0, statistic 0.0, effect 0.0 and name
    "wilcoxon-signed-rank (all differences zero)".
    """
    xa, ya = _paired_floats(x, y)
    diff = xa - ya
    effect_name = "matched-pairs rank-biserial correlation"
    if np.all(diff == 0):
        return TestResult(
            name="wilcoxon-signed-rank (all differences zero)",
            statistic=0.0,
            p_value=1.0,
            n=int(diff.size),
            effect=0.0,
            effect_name=effect_name,
        )
    result = stats.wilcoxon(xa, ya, zero_method=zero_method, alternative="two-sided", method=method)
    return TestResult(
        name="wilcoxon-signed-rank",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        n=int(diff.size),
        effect=_rank_biserial(diff),
        effect_name=effect_name,
    )


def _mean_diff(x: NDArray[Any], y: NDArray[Any], axis: int = -1) -> NDArray[Any]:
    return np.mean(x - y, axis=axis)


def _median_diff(x: NDArray[Any], y: NDArray[Any], axis: int = -1) -> NDArray[Any]:
    return np.median(x - y, axis=axis)


def paired_permutation(
    x: Sequence[float] | NDArray[Any],
    y: Sequence[float] | NDArray[Any],
    n_resamples: int = 10000,
    seed: int = 0,
    statistic: PairedStatistic = "mean",
) -> TestResult:
    """Two-sided paired (sign-flip) permutation test of ``statistic(x - y)``.

    Uses :func:`scipy.stats.permutation_test` with ``permutation_type="samples"``;
    when ``2**n <= n_resamples`` the null distribution is enumerated exactly.
    Effect is the mean difference ``mean(x - y)``.
    """
    xa, ya = _paired_floats(x, y)
    resamples = check_n_resamples(n_resamples)
    rng_seed = check_seed(seed)
    if statistic == "mean":
        func = _mean_diff
    elif statistic == "median":
        func = _median_diff
    else:
        raise ValueError(f"unknown statistic {statistic!r}; expected 'mean' or 'median'")
    result = stats.permutation_test(
        (xa, ya),
        func,
        permutation_type="samples",
        vectorized=True,
        n_resamples=resamples,
        alternative="two-sided",
        rng=np.random.default_rng(rng_seed),
    )
    return TestResult(
        name=f"paired-permutation ({statistic} difference)",
        statistic=float(result.statistic),
        p_value=min(1.0, float(result.pvalue)),
        n=int(xa.size),
        effect=float(np.mean(xa - ya)),
        effect_name="mean difference (x - y)",
    )


def mean_difference_ci(
    x: Sequence[float] | NDArray[Any],
    y: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Paired bootstrap interval for ``mean(x - y)`` (pairs resampled together).

    For 0/1 outcomes whose differences are all the same (e.g. no discordant pair: the bootstrap collapses to
    a zero-width interval) the interval is exact instead: every one of the n pairs had difference v, so the
    share of pairs that would differ from v is at most 1 - L, with L the Clopper-Pearson lower bound for n/n,
    and the mean difference lies within that of v.
    """
    xa, ya = _paired_floats(x, y)
    diff = xa - ya
    binary = bool(np.all((xa == 0.0) | (xa == 1.0)) and np.all((ya == 0.0) | (ya == 1.0)))
    if binary and diff.size >= 2 and np.all(diff == diff[0]):
        check_n_resamples(n_resamples)
        check_seed(seed)
        n = int(diff.size)
        spare = 1.0 - clopper_pearson(n, n, confidence).low
        value = float(diff[0])
        low, high = {0.0: (-spare, spare), 1.0: (1.0 - 2.0 * spare, 1.0), -1.0: (-1.0, -1.0 + 2.0 * spare)}[value]
        return Interval(value, low, high, n, "exact bound, every pair's 0/1 difference equal (Clopper-Pearson)",
                        check_confidence(confidence))
    return bootstrap_mean(diff, confidence=confidence, n_resamples=n_resamples, seed=seed)
