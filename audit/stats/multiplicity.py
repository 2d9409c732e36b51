"""Multiple-comparison p-value adjustment (wraps statsmodels ``multipletests``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from statsmodels.stats.multitest import multipletests

from audit.stats._validation import as_float_array

__all__ = ["AdjustMethod", "adjust", "benjamini_hochberg", "bonferroni", "holm"]

AdjustMethod = Literal["holm", "benjamini-hochberg", "bh", "fdr_bh", "bonferroni"]

_STATSMODELS_METHOD: dict[str, str] = {
    "holm": "holm",
    "benjamini-hochberg": "fdr_bh",
    "bh": "fdr_bh",
    "fdr_bh": "fdr_bh",
    "bonferroni": "bonferroni",
}


def _check_p_values(p_values: Sequence[float] | NDArray[Any]) -> NDArray[np.float64]:
    arr = as_float_array(p_values, "p_values")
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise ValueError("p_values must lie in [0, 1]")
    return arr


def adjust(p_values: Sequence[float] | NDArray[Any], method: AdjustMethod) -> list[float]:
    """Adjust ``p_values`` for multiplicity, returning adjusted p-values in input order.

    ``method``: "holm" (FWER), "benjamini-hochberg" / "bh" / "fdr_bh" (FDR) or
    "bonferroni". Empty input gives an empty list.
    """
    if method not in _STATSMODELS_METHOD:
        raise ValueError(f"unknown adjustment method {method!r}; expected one of {sorted(_STATSMODELS_METHOD)}")
    arr = _check_p_values(p_values)
    if arr.size == 0:
        return []
    _, adjusted, _, _ = multipletests(arr, method=_STATSMODELS_METHOD[method])
    return [float(p) for p in adjusted]


def holm(p_values: Sequence[float] | NDArray[Any]) -> list[float]:
    """Holm step-down adjusted p-values (controls family-wise error rate)."""
    return adjust(p_values, "holm")


def benjamini_hochberg(p_values: Sequence[float] | NDArray[Any]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (controls false discovery rate)."""
    return adjust(p_values, "benjamini-hochberg")


def bonferroni(p_values: Sequence[float] | NDArray[Any]) -> list[float]:
    """Bonferroni adjusted p-values (``min(1, m * p)``)."""
    return adjust(p_values, "bonferroni")
