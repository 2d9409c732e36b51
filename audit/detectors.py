"""Reference-free uncertainty detectors scored against known correctness, and their calibration.

For items whose correctness is known, an uncertainty score should be high on wrong answers.
We report its AUROC for "this answer is wrong" (stratified bootstrap CI) and a risk–coverage
curve: the error rate when the model answers only its most confident x% of items.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from audit import stats
from audit.evidence import ItemResult, Metric
from audit.metrics import from_interval, no_data, rate

COVERAGES = (1.0, 0.8, 0.6, 0.4, 0.2)


def uncertainty_metrics(name: str, description: str, results: Sequence[ItemResult],
                        uncertainty: Callable[[ItemResult], float], seed: int = 0,
                        calibration: bool = True) -> list[Metric]:
    """AUROC of ``uncertainty`` for wrong answers, and the risk–coverage points, over answered items.

    ``calibration``: also ECE and Brier of the confidence 1 - uncertainty; pass False when that is not a
    probability (an entropy in nats, say), where both would be meaningless."""
    answered = [r for r in results if r.outcome in ("correct", "incorrect")]
    wrong = [int(r.outcome == "incorrect") for r in answered]
    scores = [uncertainty(r) for r in answered]
    auroc_name = f"auroc_{name}"
    auroc_description = f"AUROC of {description} for 'this answer is wrong' (0.5 = no better than chance)"
    if len(answered) >= 4 and 0 < sum(wrong) < len(wrong):
        metrics = [from_interval(auroc_name, auroc_description, stats.auroc(wrong, scores, seed=seed))]
    else:
        metrics = [no_data(auroc_name, auroc_description + "; needs right and wrong answers")]
    if calibration and len(answered) >= 2:
        correct = [1 - w for w in wrong]
        confidence = [1.0 - u for u in scores]
        metrics.append(from_interval(f"ece_{name}", f"Expected calibration error of the confidence 1 - {description} "
                                     "(10 equal-width bins)", stats.expected_calibration_error(correct, confidence,
                                                                                               seed=seed)))
        metrics.append(from_interval(f"brier_{name}", f"Brier score of the confidence 1 - {description}",
                                     stats.brier(correct, confidence, seed=seed)))
    ranked = [w for _, w in sorted(zip(scores, wrong), key=lambda pair: pair[0])]  # most confident first
    for coverage in COVERAGES:
        kept = ranked[: math.ceil(coverage * len(ranked))]
        metrics.append(rate(f"risk_at_coverage_{int(coverage * 100)}_{name}",
                            f"Error rate when answering only the {int(coverage * 100)}% of items with the lowest "
                            f"{description}", sum(kept), len(kept)))
    return metrics


def option_uncertainty(result: ItemResult) -> float:
    """1 − the renormalised probability of the chosen option (from ``option_logprobs``)."""
    logprobs = result.option_logprobs or {}
    if not logprobs or result.parsed not in logprobs:
        return 1.0
    top = max(logprobs.values())
    total = sum(math.exp(v - top) for v in logprobs.values())
    return 1.0 - math.exp(logprobs[result.parsed] - top) / total
