"""Helpers for packed forward passes: several continuations in one sequence, each seeing only its own context."""

from __future__ import annotations

import inspect
from typing import Any

import torch


def additive_mask(allowed: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A boolean "may attend" mask as the additive float mask both eager and SDPA attention accept."""
    return torch.zeros(allowed.shape, dtype=dtype, device=allowed.device).masked_fill_(~allowed, torch.finfo(dtype).min)


def cache_kwarg(lm: Any) -> str:
    """The forward() keyword for a KV cache: transformers renamed ``past_key_values`` to ``cache`` during 5.x."""
    return "cache" if "cache" in inspect.signature(lm.forward).parameters else "past_key_values"
