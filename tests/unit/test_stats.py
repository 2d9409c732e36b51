"""Tests for audit.stats against independently computed reference values."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.stats import (
    Interval,
    TestResult,
    adjust,
    auroc,
    benjamini_hochberg,
    bonferroni,
    bootstrap_mean,
    bootstrap_statistic,
    brier,
    clopper_pearson,
    discordant_counts,
    expected_calibration_error,
    holm,
    mcnemar_exact,
    mean_difference_ci,
    paired_permutation,
    proportion,
    reliability_bins,
    tpr_at_fpr,
    wilcoxon_signed_rank,
    wilson,
)
from audit.stats.classification import _auc_batch

# --------------------------------------------------------------------------- #
# Interval / binomial proportions
# --------------------------------------------------------------------------- #


def test_interval_is_frozen_and_serialisable() -> None:
    iv = Interval(0.5, 0.1, 0.9, 10, "wilson")
    with pytest.raises(dataclasses.FrozenInstanceError):
        iv.low = 0.0  # type: ignore[misc]
    assert iv.to_dict() == {
        "estimate": 0.5,
        "low": 0.1,
        "high": 0.9,
        "n": 10,
        "method": "wilson",
        "confidence": 0.95,
    }


def test_wilson_8_of_10_matches_r() -> None:
    # R: binom::binom.confint(8, 10, method = "wilson") -> 0.4901625, 0.9433178
    iv = wilson(8, 10)
    assert iv.estimate == 0.8
    assert iv.low == pytest.approx(0.4901625, abs=1e-6)
    assert iv.high == pytest.approx(0.9433178, abs=1e-6)
    assert (iv.n, iv.method, iv.confidence) == (10, "wilson", 0.95)


def test_wilson_matches_closed_form() -> None:
    # Wilson score formula written out by hand, z from the normal quantile.
    k, n, conf = 13, 41, 0.90
    z = sps.norm.ppf(1 - (1 - conf) / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    iv = wilson(k, n, confidence=conf)
    assert iv.low == pytest.approx(centre - half, rel=1e-12)
    assert iv.high == pytest.approx(centre + half, rel=1e-12)


def test_clopper_pearson_boundaries_are_non_degenerate() -> None:
    # Exact one-sided limits at 0/n and n/n: 1 - (alpha/2)**(1/n) and (alpha/2)**(1/n).
    lo0 = clopper_pearson(0, 20)
    assert lo0.estimate == 0.0 and lo0.low == 0.0
    assert lo0.high == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-10)
    assert lo0.high == pytest.approx(0.16843, abs=1e-5)
    hi = clopper_pearson(20, 20)
    assert hi.high == 1.0
    assert hi.low == pytest.approx(0.025 ** (1 / 20), rel=1e-10)
    assert hi.low == pytest.approx(0.83157, abs=1e-5)


def test_clopper_pearson_interior_matches_beta_quantiles() -> None:
    # Textbook definition: Beta(k, n-k+1) and Beta(k+1, n-k) quantiles.
    k, n = 7, 25
    iv = clopper_pearson(k, n)
    assert iv.low == pytest.approx(sps.beta.ppf(0.025, k, n - k + 1), rel=1e-10)
    assert iv.high == pytest.approx(sps.beta.ppf(0.975, k + 1, n - k), rel=1e-10)
    assert iv.method == "clopper-pearson"


@pytest.mark.parametrize("func", [wilson, clopper_pearson])
def test_proportion_no_data(func) -> None:
    iv = func(0, 0)
    assert math.isnan(iv.estimate)
    assert (iv.low, iv.high, iv.n) == (0.0, 1.0, 0)
    assert "no data" in iv.method


def test_proportion_dispatcher() -> None:
    assert proportion(8, 10) == wilson(8, 10)
    assert proportion(8, 10, method="clopper-pearson") == clopper_pearson(8, 10)
    with pytest.raises(ValueError, match="unknown proportion method"):
        proportion(8, 10, method="agresti")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "successes, n, confidence",
    [(11, 10, 0.95), (-1, 10, 0.95), (1, -1, 0.95), (1.5, 10, 0.95), (True, 10, 0.95), (1, 10, 1.0), (1, 10, 0.0)],
)
def test_proportion_validation(successes, n, confidence) -> None:
    with pytest.raises(ValueError):
        wilson(successes, n, confidence)


# --------------------------------------------------------------------------- #
# Bootstrap
# --------------------------------------------------------------------------- #


def test_bootstrap_mean_reproducible_and_seed_dependent() -> None:
    values = np.random.default_rng(42).normal(size=60)
    a = bootstrap_mean(values, seed=7)
    b = bootstrap_mean(values, seed=7)
    c = bootstrap_mean(values, seed=8)
    assert a == b  # byte-for-byte identical
    assert (a.low, a.high) != (c.low, c.high)
    assert a.estimate == pytest.approx(values.mean())
    assert a.low < a.estimate < a.high
    assert a.method == "bootstrap-bca"


def test_bootstrap_mean_matches_scipy_bca() -> None:
    # Independent call of scipy.stats.bootstrap with the same generator seed.
    values = np.random.default_rng(1).exponential(size=40)
    ref = sps.bootstrap((values,), np.mean, n_resamples=500, method="BCa", rng=np.random.default_rng(3))
    iv = bootstrap_mean(values, n_resamples=500, seed=3, confidence=0.95)
    assert iv.low == ref.confidence_interval.low
    assert iv.high == ref.confidence_interval.high


def test_bootstrap_mean_constant_values_is_degenerate() -> None:
    iv = bootstrap_mean([0.3, 0.3, 0.3, 0.3])
    assert iv.estimate == iv.low == iv.high == 0.3
    assert iv.method == "bootstrap-degenerate"


def test_bootstrap_statistic_falls_back_to_percentile() -> None:
    # Every jackknife median of [1,2,2,2,3] is 2, so the BCa acceleration is 0/0.
    data = np.array([1.0, 2.0, 2.0, 2.0, 3.0])
    iv = bootstrap_statistic((data,), np.median, paired=False, n_resamples=1000, seed=0)
    ref = sps.bootstrap((data,), np.median, n_resamples=1000, method="percentile", rng=np.random.default_rng(0))
    assert iv.method == "bootstrap-percentile"
    assert (iv.low, iv.high) == (ref.confidence_interval.low, ref.confidence_interval.high)
    assert iv.estimate == 2.0


def test_bootstrap_statistic_paired_two_samples() -> None:
    x = np.random.default_rng(5).normal(size=30)
    y = x + 0.5
    iv = bootstrap_statistic((x, y), lambda a, b: np.mean(b - a), paired=True, n_resamples=300, seed=1)
    # y - x is constant, so every paired resample gives exactly the same value.
    assert iv.method == "bootstrap-degenerate"
    assert iv.low == iv.high == pytest.approx(0.5)
    assert iv.n == 30


def test_bootstrap_validation() -> None:
    with pytest.raises(ValueError, match="same length"):
        bootstrap_statistic(([1.0, 2.0], [1.0, 2.0, 3.0]), lambda a, b: 0.0, paired=True)
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_mean([1.0])
    with pytest.raises(ValueError, match="finite"):
        bootstrap_mean([1.0, float("nan")])
    with pytest.raises(ValueError, match="seed"):
        bootstrap_mean([1.0, 2.0], seed=-1)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_mean([1.0, 2.0], n_resamples=1)
    with pytest.raises(ValueError, match="tuple"):
        bootstrap_statistic([1.0, 2.0], np.mean, paired=False)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Paired tests
# --------------------------------------------------------------------------- #


def test_mcnemar_exact_known_p() -> None:
    # Discordant b=1 (only A right), c=9 (only B right): p = 2 * binom.cdf(1, 10, 0.5).
    a = [True] * 1 + [False] * 9 + [True] * 5 + [False] * 3
    b = [False] * 1 + [True] * 9 + [True] * 5 + [False] * 3
    assert discordant_counts(a, b) == (1, 9)
    res = mcnemar_exact(a, b)
    assert isinstance(res, TestResult)
    assert res.p_value == pytest.approx(0.021484375, abs=1e-12)
    assert res.p_value == pytest.approx(2 * sps.binom.cdf(1, 10, 0.5))
    assert res.statistic == 1.0
    assert res.n == 18
    # accuracy(B) - accuracy(A) = 14/18 - 6/18
    assert res.effect == pytest.approx(8 / 18)


def test_mcnemar_no_discordant_pairs() -> None:
    res = mcnemar_exact([1, 0, 1], [1, 0, 1])
    assert res.p_value == 1.0
    assert res.effect == 0.0


def _exact_signed_rank_p(d: np.ndarray) -> float:
    """Two-sided exact p by enumerating all 2**n sign assignments of the ranks."""
    ranks = sps.rankdata(np.abs(d))
    t_obs = ranks[d > 0].sum()
    t_all = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=len(d))]
    t_all = np.array(t_all)
    lower = np.mean(t_all <= t_obs)
    upper = np.mean(t_all >= t_obs)
    return min(1.0, 2 * min(lower, upper))


def test_wilcoxon_exact_against_enumeration() -> None:
    x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
    y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    res = wilcoxon_signed_rank(x, y)
    d = x - y
    assert res.p_value == pytest.approx(_exact_signed_rank_p(d), rel=1e-12)
    # Classic Hollander & Wolfe example: exact two-sided p = 0.0390625 (R wilcox.test).
    assert res.p_value == pytest.approx(0.0390625, rel=1e-12)
    # Rank-biserial by hand: T+ = 40, T- = 5, r = (40 - 5) / 45.
    assert res.effect == pytest.approx(35 / 45)
    assert res.statistic == 5.0
    assert res.n == 9


def test_wilcoxon_all_zero_differences() -> None:
    res = wilcoxon_signed_rank([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert res.p_value == 1.0
    assert "all differences zero" in res.name
    assert res.effect == 0.0


def _exact_sign_flip_p(d: np.ndarray, stat=np.mean) -> float:
    """Two-sided p: fraction of the 2**n sign flips with |stat| >= |observed|."""
    obs = abs(stat(d))
    flips = np.array(list(itertools.product([1, -1], repeat=len(d))))
    null = np.abs(np.array([stat(f * d) for f in flips]))
    return float(np.mean(null >= obs - 1e-12))


def test_paired_permutation_exact_enumeration() -> None:
    x = np.array([3.0, 1.0, 7.0, 4.0, 8.0, 2.0, 9.0, 5.0])
    y = np.array([0.0, 2.0, 3.0, 3.0, 3.0, 11.0, 7.0, -1.0])
    d = x - y  # [3, -1, 4, 1, 5, -9, 2, 6]
    res = paired_permutation(x, y, n_resamples=10000, seed=0)
    # 2**8 = 256 <= n_resamples, so scipy enumerates the null exactly.
    assert res.p_value == pytest.approx(_exact_sign_flip_p(d), rel=1e-12)
    assert res.effect == pytest.approx(d.mean())
    assert res.statistic == pytest.approx(d.mean())
    med = paired_permutation(x, y, statistic="median")
    assert med.p_value == pytest.approx(_exact_sign_flip_p(d, np.median), rel=1e-12)


def test_paired_permutation_reproducible_when_sampled() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=40)
    y = x + rng.normal(0.3, 1.0, size=40)
    a = paired_permutation(x, y, n_resamples=2000, seed=4)
    b = paired_permutation(x, y, n_resamples=2000, seed=4)
    assert a == b
    assert 0.0 < a.p_value <= 1.0


def test_mean_difference_ci() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(1.0, 1.0, size=50)
    y = rng.normal(0.0, 1.0, size=50)
    iv = mean_difference_ci(x, y, seed=9)
    assert iv == bootstrap_mean(x - y, seed=9)
    assert iv.estimate == pytest.approx(np.mean(x - y))
    assert iv.low < iv.estimate < iv.high
    assert iv == mean_difference_ci(x, y, seed=9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mcnemar_exact([True, False], [True]),
        lambda: discordant_counts([True], [True, False]),
        lambda: wilcoxon_signed_rank([1.0, 2.0], [1.0]),
        lambda: paired_permutation([1.0, 2.0], [1.0]),
        lambda: mean_difference_ci([1.0, 2.0, 3.0], [1.0, 2.0]),
    ],
)
def test_paired_mismatched_lengths(call) -> None:
    with pytest.raises(ValueError, match="same length"):
        call()


def test_paired_other_validation() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        mcnemar_exact([], [])
    with pytest.raises(ValueError, match="0/1"):
        mcnemar_exact([0, 2], [1, 1])
    with pytest.raises(ValueError, match="unknown statistic"):
        paired_permutation([1.0, 2.0], [0.0, 1.0], statistic="trimmed")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Multiplicity
# --------------------------------------------------------------------------- #


def test_holm_and_bh_known_values() -> None:
    # By hand: sorted p = .01, .03, .04 (m = 3).
    # Holm: max-accumulate(.01*3, .03*2, .04*1) = (.03, .06, .06), back in input order.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    # BH: min-accumulate from the top of (.01*3/1, .03*3/2, .04*3/3) = (.03, .04, .04).
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert bonferroni([0.01, 0.5]) == pytest.approx([0.02, 1.0])
    assert adjust([0.01, 0.04, 0.03], "bh") == benjamini_hochberg([0.01, 0.04, 0.03])


def test_multiplicity_empty_and_validation() -> None:
    assert holm([]) == []
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError, match="unknown adjustment method"):
        adjust([0.1], "sidak")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.1, 1.5])


# --------------------------------------------------------------------------- #
# Classification
# --------------------------------------------------------------------------- #


def test_auroc_known_values() -> None:
    # Pairs (pos, neg): (.35,.1) ok, (.35,.4) wrong, (.8,.1) ok, (.8,.4) ok -> 3/4.
    iv = auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_resamples=200)
    assert iv.estimate == 0.75
    assert 0.0 <= iv.low <= iv.high <= 1.0
    perfect = auroc([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    assert perfect.estimate == perfect.high == 1.0 and perfect.low < 1.0  # never a zero-width interval


def test_auroc_batch_matches_sklearn_with_ties() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    pos = rng.integers(0, 5, size=(20, 7)).astype(float)
    neg = rng.integers(0, 5, size=(20, 11)).astype(float)
    ours = _auc_batch(pos, neg)
    labels = np.r_[np.ones(7), np.zeros(11)]
    ref = [roc_auc_score(labels, np.r_[p, q]) for p, q in zip(pos, neg)]
    assert ours == pytest.approx(ref, rel=1e-12)


def test_auroc_ci_reproducible_and_sensible() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, size=300)
    scores = labels + rng.normal(0, 1.2, size=300)
    a = auroc(labels, scores, seed=5)
    assert a == auroc(labels, scores, seed=5)
    assert a != auroc(labels, scores, seed=6)
    assert a.low < a.estimate < a.high
    assert a.n == 300


def test_auroc_validation() -> None:
    with pytest.raises(ValueError, match="both classes"):
        auroc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="same length"):
        auroc([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="0/1"):
        auroc([0, 2], [0.1, 0.2])


def test_tpr_at_fpr() -> None:
    labels = [0, 0, 0, 0, 1, 1, 1, 1]
    scores = [0.1, 0.2, 0.3, 0.6, 0.4, 0.7, 0.8, 0.9]
    # Threshold 0.7 -> TPR 3/4 at FPR 0; threshold 0.4 -> TPR 1 at FPR 1/4.
    assert tpr_at_fpr(labels, scores, 0.0) == 0.75
    assert tpr_at_fpr(labels, scores, 0.1) == 0.75
    assert tpr_at_fpr(labels, scores, 0.25) == 1.0
    with pytest.raises(ValueError, match="fpr"):
        tpr_at_fpr(labels, scores, 1.5)


# --------------------------------------------------------------------------- #
# Calibration
# --------------------------------------------------------------------------- #


def test_brier_known_values() -> None:
    perfect = brier([1, 0], [1.0, 0.0])
    assert perfect.estimate == perfect.low == perfect.high == 0.0
    # (0.2**2 + 0.3**2 + 0.4**2 + 0.1**2) / 4 = 0.075
    iv = brier([1, 0, 1, 0], [0.8, 0.3, 0.6, 0.1], n_resamples=500)
    assert iv.estimate == pytest.approx(0.075)
    assert iv.low <= iv.high


def test_ece_known_values() -> None:
    # Bins with confidence .25 / .75 whose observed frequencies are .25 / .75 -> ECE 0.
    labels = [1, 0, 0, 0, 1, 1, 1, 0]
    probs = [0.25] * 4 + [0.75] * 4
    assert expected_calibration_error(labels, probs, n_resamples=200).estimate == 0.0
    # Bin [.9,1): conf .9, freq .5 -> .5*.4; bin [.1,.2): conf .1, freq 0 -> .5*.1; total .25
    ece = expected_calibration_error([1, 0, 0, 0], [0.9, 0.9, 0.1, 0.1], n_resamples=200)
    assert ece.estimate == pytest.approx(0.25)


def test_ece_reproducible() -> None:
    rng = np.random.default_rng(8)
    probs = rng.uniform(size=200)
    labels = (rng.uniform(size=200) < probs).astype(int)
    a = expected_calibration_error(labels, probs, seed=1, n_resamples=500)
    assert a == expected_calibration_error(labels, probs, seed=1, n_resamples=500)
    assert a.low <= a.high


def test_reliability_bins() -> None:
    rows = reliability_bins([1, 0, 0, 0, 1, 1, 1, 0, 1], [0.25] * 4 + [0.75] * 4 + [1.0], n_bins=4)
    assert [(r["low"], r["high"]) for r in rows] == [(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0)]
    assert [r["count"] for r in rows] == [0, 4, 0, 5]
    assert rows[0]["mean_confidence"] is None and rows[0]["observed_frequency"] is None
    assert rows[1]["mean_confidence"] == 0.25 and rows[1]["observed_frequency"] == 0.25
    # Last bin is closed at 1.0: (4 * .75 + 1.0) / 5 = .8 ; frequency 4 / 5.
    assert rows[3]["mean_confidence"] == pytest.approx(0.8)
    assert rows[3]["observed_frequency"] == pytest.approx(0.8)


def test_calibration_validation() -> None:
    with pytest.raises(ValueError, match="same length"):
        brier([1, 0, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        expected_calibration_error([1, 0], [0.5, 1.2])
    with pytest.raises(ValueError, match="n_bins"):
        reliability_bins([1, 0], [0.5, 0.5], n_bins=0)
