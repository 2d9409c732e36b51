"""Calibration of predicted probabilities: Brier score, ECE and reliability bins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import brier_score_loss

from audit.stats._validation import (
    as_binary_labels,
    as_probabilities,
    check_int,
    check_nonempty,
    check_same_length,
)
from audit.stats.intervals import Interval, bootstrap_mean, bootstrap_statistic

__all__ = ["brier", "expected_calibration_error", "reliability_bins"]


def _labels_probs(
    labels: Sequence[int | bool] | NDArray[Any], probs: Sequence[float] | NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    y = as_binary_labels(labels, "labels")
    p = as_probabilities(probs, "probs")
    n = check_same_length(labels=y, probs=p)
    check_nonempty(n, "labels and probs")
    return y, p


def _check_n_bins(n_bins: int) -> int:
    return check_int(n_bins, "n_bins", minimum=1)


def _bin_index(probs: NDArray[np.float64], n_bins: int) -> NDArray[np.intp]:
    """Equal-width bin of each probability: [k/n, (k+1)/n), the last bin closed at 1."""
    return np.minimum(np.floor(probs * n_bins).astype(np.intp), n_bins - 1)


def _bin_sums(
    labels: NDArray[Any], probs: NDArray[np.float64], n_bins: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per-bin (count, sum of confidence, sum of labels)."""
    idx = _bin_index(probs, n_bins)
    counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
    conf_sum = np.bincount(idx, weights=probs, minlength=n_bins)
    label_sum = np.bincount(idx, weights=np.asarray(labels, dtype=np.float64), minlength=n_bins)
    return counts, conf_sum, label_sum


def _ece(labels: NDArray[Any], probs: NDArray[np.float64], n_bins: int) -> float:
    """sum_b (n_b / N) * |mean(label)_b - mean(prob)_b| over non-empty bins."""
    _, conf_sum, label_sum = _bin_sums(labels, probs, n_bins)
    return float(np.sum(np.abs(label_sum - conf_sum)) / probs.size)


def brier(
    labels: Sequence[int | bool] | NDArray[Any],
    probs: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Brier score (``brier_score_loss``) with a bootstrap CI over items.

    ``probs`` are predicted probabilities of label 1. The CI bootstraps the
    mean of per-item squared errors (BCa, percentile fallback; degenerate
    when every item has the same error). Needs at least two items.
    """
    y, p = _labels_probs(labels, probs)
    estimate = float(brier_score_loss(y, p, pos_label=1))
    ci = bootstrap_mean((p - y) ** 2, confidence=confidence, n_resamples=n_resamples, seed=seed)
    return Interval(estimate, ci.low, ci.high, ci.n, ci.method, ci.confidence)


def expected_calibration_error(
    labels: Sequence[int | bool] | NDArray[Any],
    probs: Sequence[float] | NDArray[Any],
    n_bins: int = 10,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Expected calibration error over ``n_bins`` equal-width bins, with bootstrap CI.

    ECE = sum over bins of (bin count / N) * |observed frequency - mean confidence|.
    The CI resamples (label, prob) pairs (BCa, percentile fallback). ECE is
    biased upwards in small samples, so the interval may not contain the
    estimate. Needs at least two items.
    """
    y, p = _labels_probs(labels, probs)
    bins = _check_n_bins(n_bins)
    estimate = _ece(y, p, bins)

    def statistic(lab: NDArray[Any], prob: NDArray[np.float64]) -> float:
        return _ece(lab, prob, bins)

    ci = bootstrap_statistic(
        (y.astype(np.float64), p),
        statistic,
        paired=True,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )
    return Interval(estimate, ci.low, ci.high, ci.n, ci.method, ci.confidence)


def reliability_bins(
    labels: Sequence[int | bool] | NDArray[Any],
    probs: Sequence[float] | NDArray[Any],
    n_bins: int = 10,
) -> list[dict[str, float | int | None]]:
    """Reliability-diagram data: one dict per equal-width bin, in order.

    Keys: ``low``, ``high`` (bin edges), ``count``, ``mean_confidence`` and
    ``observed_frequency`` (fraction of label 1); the last two are ``None``
    for empty bins.
    """
    y, p = _labels_probs(labels, probs)
    bins = _check_n_bins(n_bins)
    counts, conf_sum, label_sum = _bin_sums(y, p, bins)
    rows: list[dict[str, float | int | None]] = []
    for k in range(bins):
        count = int(counts[k])
        rows.append(
            {
                "low": k / bins,
                "high": (k + 1) / bins,
                "count": count,
                "mean_confidence": float(conf_sum[k] / count) if count else None,
                "observed_frequency": float(label_sum[k] / count) if count else None,
            }
        )
    return rows
