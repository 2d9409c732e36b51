"""Shared input validation helpers for :mod:`audit.stats` (private)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence, Sized
from typing import Any

import numpy as np
from numpy.typing import NDArray


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as float, requiring 0 < confidence < 1."""
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence must be a real number in (0, 1), got {confidence!r}")
    value = float(confidence)
    if not 0.0 < value < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return value


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as int, requiring an integral (non-bool) value >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    result = int(value)
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {result}")
    return result


def check_seed(seed: Any) -> int:
    """Validate a seed for :func:`numpy.random.default_rng`."""
    return check_int(seed, "seed", minimum=0)


def check_n_resamples(n_resamples: Any) -> int:
    """Validate a bootstrap/permutation resample count (>= 2)."""
    return check_int(n_resamples, "n_resamples", minimum=2)


def as_float_array(values: Sequence[float] | NDArray[Any], name: str) -> NDArray[np.float64]:
    """Convert to a finite 1-D float64 array, raising ValueError otherwise."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D sequence of numbers: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN/inf)")
    return arr


def as_bool_array(values: Sequence[bool] | NDArray[Any], name: str) -> NDArray[np.bool_]:
    """Convert booleans or 0/1 values to a 1-D bool array, raising ValueError otherwise."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype == np.bool_:
        return arr
    if arr.size == 0:
        return arr.astype(np.bool_)
    if not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must contain booleans or 0/1 values, got dtype {arr.dtype}")
    if not np.all(np.isin(arr, (0, 1))):
        raise ValueError(f"{name} must contain only booleans or 0/1 values")
    return arr.astype(np.bool_)


def as_binary_labels(labels: Sequence[int | bool] | NDArray[Any], name: str = "labels") -> NDArray[np.int64]:
    """Convert binary labels (bool or 0/1) to a 1-D int64 array of 0/1."""
    return as_bool_array(labels, name).astype(np.int64)


def as_probabilities(probs: Sequence[float] | NDArray[Any], name: str = "probs") -> NDArray[np.float64]:
    """Convert to a finite 1-D float array with every value in [0, 1]."""
    arr = as_float_array(probs, name)
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def check_same_length(**arrays: Sized) -> int:
    """Require all arrays to share one length and return it."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"inputs must have the same length, got {detail}")
    return next(iter(lengths.values()), 0)


def check_nonempty(n: int, what: str = "input") -> None:
    """Raise ValueError when ``n`` is zero."""
    if n == 0:
        raise ValueError(f"{what} must not be empty")

