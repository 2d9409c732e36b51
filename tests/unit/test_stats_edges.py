"""Intervals at the edges: a rate, AUROC or paired difference of exactly 0 or 1 never gets a zero-width interval."""

from __future__ import annotations

import numpy as np
import pytest

from audit import stats


@pytest.mark.parametrize("n_pos,n_neg", [(3, 3), (10, 4), (40, 40)])
def test_perfect_auroc_gets_the_exact_bound_over_disjoint_pairs(n_pos, n_neg):
    labels = [1] * n_pos + [0] * n_neg
    scores = list(np.linspace(10, 11, n_pos)) + list(np.linspace(0, 1, n_neg))
    iv = stats.auroc(labels, scores)
    m = min(n_pos, n_neg)
    assert iv.estimate == iv.high == 1.0
    assert iv.low == pytest.approx(0.025 ** (1 / m))  # Clopper-Pearson lower bound for m/m
    assert "Clopper-Pearson" in iv.method
    flipped = stats.auroc(labels, [-s for s in scores])
    assert flipped.estimate == flipped.low == 0.0 and flipped.high == pytest.approx(1 - 0.025 ** (1 / m))


def test_interior_auroc_keeps_its_bootstrap_interval():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, size=200)
    iv = stats.auroc(labels, labels + rng.normal(0, 1, size=200))
    assert iv.method == "stratified-bootstrap-percentile" and iv.low < iv.estimate < iv.high


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_share_mean_at_the_edge_is_clopper_pearson_over_clusters(value):
    iv = stats.share_mean([value] * 12)
    exact = stats.clopper_pearson(12 if value else 0, 12)
    assert iv.estimate == value and (iv.low, iv.high) == (exact.low, exact.high)
    assert iv.high - iv.low > 0.2


def test_share_mean_inside_is_the_bootstrap_and_rejects_non_shares():
    values = [0.0, 0.2, 0.4, 0.0, 0.6, 0.2]
    assert stats.share_mean(values, seed=3) == stats.bootstrap_mean(values, seed=3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        stats.share_mean([0.5, 1.5])


def test_paired_binary_difference_without_discordant_pairs_is_not_zero_width():
    x = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1]
    iv = stats.mean_difference_ci(x, x)
    spare = 1 - stats.clopper_pearson(10, 10).low
    assert iv.estimate == 0.0 and iv.low == pytest.approx(-spare) and iv.high == pytest.approx(spare)
    every = stats.mean_difference_ci([1] * 8, [0] * 8)
    assert every.estimate == every.high == 1.0 and every.low < 1.0
    # Non-binary data with constant differences is left to the bootstrap (a point is then the honest answer).
    assert stats.mean_difference_ci([2.0, 3.0, 5.0], [1.0, 2.0, 4.0]).method == "bootstrap-degenerate"


def test_sampled_answer_share_metrics_never_have_zero_width_at_zero():
    from audit.evidence import ItemResult
    from audit.sampling_detectors import sample_share_metrics

    items = [ItemResult(probe_id="p", item_id=f"i{i}", index=i, prompt=[], outcome="correct",
                        scores={"n_samples": 5.0, "sample_abstention_share": 0.0, "sample_unparseable_share": 0.0})
             for i in range(10)]
    for metric in sample_share_metrics(items):
        assert metric.estimate == 0.0 and metric.ci_low == 0.0 and metric.ci_high > 0.2, metric
