"""Statistics for audit reports: intervals, paired tests, multiplicity, discrimination, calibration.

All resampling functions take an explicit ``seed`` and are reproducible.
"""

from audit.stats.calibration import brier, expected_calibration_error, reliability_bins
from audit.stats.classification import auroc, tpr_at_fpr
from audit.stats.intervals import (
    Interval,
    ProportionMethod,
    bootstrap_mean,
    bootstrap_statistic,
    clopper_pearson,
    proportion,
    share_mean,
    wilson,
)
from audit.stats.multiplicity import AdjustMethod, adjust, benjamini_hochberg, bonferroni, holm
from audit.stats.paired import (
    PairedStatistic,
    TestResult,
    discordant_counts,
    mcnemar_exact,
    mean_difference_ci,
    paired_permutation,
    wilcoxon_signed_rank,
)

__all__ = [
    "AdjustMethod",
    "Interval",
    "PairedStatistic",
    "ProportionMethod",
    "TestResult",
    "adjust",
    "auroc",
    "benjamini_hochberg",
    "bonferroni",
    "bootstrap_mean",
    "bootstrap_statistic",
    "brier",
    "clopper_pearson",
    "discordant_counts",
    "expected_calibration_error",
    "holm",
    "mcnemar_exact",
    "mean_difference_ci",
    "paired_permutation",
    "proportion",
    "reliability_bins",
    "share_mean",
    "tpr_at_fpr",
    "wilcoxon_signed_rank",
    "wilson",
]
