"""Discrimination metrics for binary scores: AUROC with CI, TPR at a fixed FPR."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from sklearn.metrics import roc_auc_score, roc_curve

from audit.stats._validation import (
    as_binary_labels,
    as_float_array,
    check_confidence,
    check_n_resamples,
    check_nonempty,
    check_same_length,
    check_seed,
)
from audit.stats.intervals import Interval, clopper_pearson

__all__ = ["auroc", "tpr_at_fpr"]

#: Upper bound on resampled values held in memory at once by :func:`auroc`.
_MAX_BATCH_ELEMENTS = 4_000_000


def _labels_scores(
    labels: Sequence[int | bool] | NDArray[Any], scores: Sequence[float] | NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    y = as_binary_labels(labels, "labels")
    s = as_float_array(scores, "scores")
    n = check_same_length(labels=y, scores=s)
    check_nonempty(n, "labels and scores")
    if y.min() == y.max():
        raise ValueError("labels must contain both classes (0 and 1); only one class present")
    return y, s


def _auc_batch(pos: NDArray[np.float64], neg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row-wise AUROC of positives vs negatives via the Mann-Whitney U statistic.

    U / (n_pos * n_neg) equals the ROC AUC with ties counted as 1/2, which is
    what :func:`sklearn.metrics.roc_auc_score` computes.
    """
    u = stats.mannwhitneyu(pos, neg, axis=1, method="asymptotic").statistic
    return np.asarray(u, dtype=np.float64) / (pos.shape[1] * neg.shape[1])


def auroc(
    labels: Sequence[int | bool] | NDArray[Any],
    scores: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """AUROC (``roc_auc_score``) with a stratified percentile bootstrap CI.

    Positives and negatives are resampled separately, so every resample keeps
    the original class counts. Labels are bool or 0/1 with 1 the positive class;
    raises ValueError if only one class is present.

    At perfect separation (AUROC 1, or 0) every resample gives the same value and the bootstrap interval
    would have zero width. There the interval is widened to an exact bound: pair each of m = min(positives,
    negatives) cases with a different case of the other class; those m pairs are independent trials that
    each rank correctly with probability AUROC, all m did, so the Clopper-Pearson bound for m/m (0/m)
    bounds AUROC.
    """
    y, s = _labels_scores(labels, scores)
    conf = check_confidence(confidence)
    resamples = check_n_resamples(n_resamples)
    rng = np.random.default_rng(check_seed(seed))

    estimate = float(roc_auc_score(y, s))
    pos, neg = s[y == 1], s[y == 0]
    batch = max(1, min(resamples, _MAX_BATCH_ELEMENTS // s.size))
    distribution = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, batch):
        size = min(batch, resamples - start)
        pos_idx = rng.integers(0, pos.size, size=(size, pos.size))
        neg_idx = rng.integers(0, neg.size, size=(size, neg.size))
        distribution[start : start + size] = _auc_batch(pos[pos_idx], neg[neg_idx])

    alpha = 1.0 - conf
    low, high = (float(v) for v in np.quantile(distribution, [alpha / 2.0, 1.0 - alpha / 2.0]))
    method = "stratified-bootstrap-percentile"
    if estimate in (0.0, 1.0):
        m = int(min(pos.size, neg.size))
        edge = clopper_pearson(m if estimate == 1.0 else 0, m, conf)
        low, high = min(low, edge.low), max(high, edge.high)
        method += f"; at the edge Clopper-Pearson over {m} disjoint case pairs"
    return Interval(estimate, low, high, int(y.size), method, conf)


def tpr_at_fpr(
    labels: Sequence[int | bool] | NDArray[Any],
    scores: Sequence[float] | NDArray[Any],
    fpr: float,
) -> float:
    """Highest true-positive rate at any score threshold whose FPR is <= ``fpr``.

    Uses the empirical ROC curve from :func:`sklearn.metrics.roc_curve`
    (no interpolation between operating points).
    """
    if isinstance(fpr, bool) or not isinstance(fpr, (int, float, np.floating, np.integer)):
        raise ValueError(f"fpr must be a number in [0, 1], got {fpr!r}")
    if not 0.0 <= float(fpr) <= 1.0:
        raise ValueError(f"fpr must lie in [0, 1], got {fpr!r}")
    y, s = _labels_scores(labels, scores)
    fprs, tprs, _ = roc_curve(y, s, drop_intermediate=False)
    return float(np.max(tprs[fprs <= float(fpr)]))
