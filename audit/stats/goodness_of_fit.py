"""Goodness of fit of observed category counts to expected proportions.

Pearson's chi-square (:func:`scipy.stats.chisquare`) is accurate only when every expected count is
large enough; the usual rule (Cochran) asks for at least 5. Below that, :func:`multinomial_gof` uses
the exact multinomial test: the p-value is the total probability, under the expected proportions, of
every outcome with the same n that is no more probable than the one observed. It enumerates all
outcomes when there are at most ``max_outcomes`` of them, and otherwise estimates the same p-value
from ``n_simulations`` multinomial draws with a fixed seed ((1 + hits) / (1 + draws), never 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, Sequence

import numpy as np
from scipy import stats
from scipy.special import gammaln

from audit.stats._validation import check_seed

__all__ = ["GoodnessOfFit", "GofMethod", "multinomial_gof"]

GofMethod = Literal["auto", "chi-square", "exact"]
MIN_EXPECTED = 5.0
_RELATIVE_TIE = 1e-7


@dataclass(frozen=True)
class GoodnessOfFit:
    """One test: ``method`` is "chi-square", "exact multinomial (enumerated)" or "exact multinomial (Monte
    Carlo, N draws)"; ``statistic`` is Pearson's X² (reported for every method) and ``df`` its degrees of
    freedom; ``expected`` the expected counts."""

    statistic: float
    p_value: float
    n: int
    df: int
    method: str
    expected: tuple[float, ...]


def _log_pmf(counts: np.ndarray, n: int, log_p: np.ndarray) -> np.ndarray:
    """Multinomial log-probabilities of count rows (categories with p = 0 must have count 0)."""
    with np.errstate(invalid="ignore"):
        terms = np.where(counts > 0, counts * log_p, 0.0)
    return gammaln(n + 1) - gammaln(counts + 1).sum(axis=-1) + terms.sum(axis=-1)


def _compositions(n: int, k: int) -> np.ndarray:
    """Every vector of k non-negative integers summing to n (stars and bars)."""
    bars = np.array(list(combinations(range(n + k - 1), k - 1)), dtype=np.int64).reshape(-1, k - 1)
    edges = np.concatenate([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + k - 1)], axis=1)
    return np.diff(edges, axis=1) - 1


def multinomial_gof(observed: Sequence[int], expected_proportions: Sequence[float], method: GofMethod = "auto",
                    max_outcomes: int = 200_000, n_simulations: int = 20_000, seed: int = 0) -> GoodnessOfFit:
    """Test whether ``observed`` counts fit ``expected_proportions`` (renormalised to sum to 1).

    ``method="auto"`` uses chi-square when every expected count is at least 5, else the exact test."""
    obs = np.asarray(observed, dtype=np.int64)
    probs = np.asarray(expected_proportions, dtype=np.float64)
    if obs.ndim != 1 or probs.shape != obs.shape or len(obs) < 2:
        raise ValueError("observed and expected_proportions must be 1-D sequences of the same length >= 2")
    if np.any(obs < 0) or np.any(probs < 0) or not np.all(np.isfinite(probs)) or probs.sum() <= 0:
        raise ValueError("counts and proportions must be non-negative, with a positive total proportion")
    if method not in ("auto", "chi-square", "exact"):
        raise ValueError(f"unknown method {method!r}; expected 'auto', 'chi-square' or 'exact'")
    check_seed(seed)
    probs = probs / probs.sum()
    n = int(obs.sum())
    expected = probs * n
    exp = tuple(float(e) for e in expected)
    support = probs > 0
    df = int(support.sum()) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.sum(np.where(support, (obs - expected) ** 2 / np.where(support, expected, 1.0), 0.0)))
    if n == 0:
        return GoodnessOfFit(0.0, 1.0, 0, df, "no observations", exp)
    if np.any(obs[~support] > 0):
        return GoodnessOfFit(math.inf, 0.0, n, df, "impossible under the expected proportions", exp)
    if df == 0:
        return GoodnessOfFit(0.0, 1.0, n, df, "single category", exp)
    use_chi2 = method == "chi-square" or (method == "auto" and bool(np.all(expected[support] >= MIN_EXPECTED)))
    if use_chi2:
        result = stats.chisquare(obs[support], expected[support])
        return GoodnessOfFit(float(result.statistic), float(result.pvalue), n, df, "chi-square", exp)
    k = int(support.sum())
    log_p = np.log(probs[support])
    observed_lp = float(_log_pmf(obs[support][None, :], n, log_p)[0])
    threshold = observed_lp + math.log1p(_RELATIVE_TIE)
    if math.comb(n + k - 1, k - 1) <= max_outcomes:
        outcomes = _compositions(n, k)
        lp = _log_pmf(outcomes, n, log_p)
        p_value = float(np.exp(lp[lp <= threshold]).sum())
        name = "exact multinomial (enumerated)"
    else:
        draws = np.random.default_rng(seed).multinomial(n, probs[support], size=n_simulations)
        hits = int(np.sum(_log_pmf(draws, n, log_p) <= threshold))
        p_value = (1 + hits) / (1 + n_simulations)
        name = f"exact multinomial (Monte Carlo, {n_simulations} draws, seed {seed})"
    return GoodnessOfFit(x2, min(1.0, p_value), n, df, name, exp)
