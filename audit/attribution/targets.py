"""Target functions: the quantity an explainer attributes to the input tokens.

A target function names the continuations to teacher-force after the prompt
(the target, and a foil where it contrasts) and reduces their per-token
log-probabilities to one value per row, optionally followed by a per-target-token
breakdown. Every explainer and faithfulness metric shares these, so "what was
explained" is stated once.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, Sequence, runtime_checkable

import torch

from audit.attribution.errors import UnknownNameError
from audit.errors import SelectionError
from audit.registry import Registry

if TYPE_CHECKING:
    from audit.models.hf import HFModel


@runtime_checkable
class TargetFunction(Protocol):
    """What is explained: a scalar function of teacher-forced continuation log-probabilities."""

    name: str
    per_token: bool
    """Whether ``__call__`` also returns one column per target token."""

    def continuations(self, target_ids: Sequence[int]) -> list[list[int]]:
        """The token sequences to teacher-force after the prompt; the first is the target."""
        ...

    def __call__(self, token_logprobs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Reduce log-probabilities to values.

        ``token_logprobs[k]`` has shape [batch, len(continuation k)]. Returns [batch, 1 + m]:
        column 0 is the target value, columns 1..m its per-target-token parts (m = 0 unless
        ``per_token``).
        """
        ...


def check_token_ids(ids: Sequence[int], what: str, vocab_size: int | None = None) -> list[int]:
    """Return ``ids`` as a list of ints, or raise ValueError if empty or out of range."""
    if isinstance(ids, (str, bytes)):
        raise ValueError(f"{what} must be a sequence of token ids, not text")
    try:
        out = [operator.index(t) for t in ids]
    except TypeError as exc:
        raise ValueError(f"{what} must hold integer token ids ({exc})") from None
    if not out:
        raise ValueError(f"{what} is empty: need at least one token id")
    bad = [t for t in out if t < 0 or (vocab_size is not None and t >= vocab_size)]
    if bad:
        limit = f" [0, {vocab_size})" if vocab_size is not None else " (>= 0)"
        raise ValueError(f"{what} holds token ids outside the vocabulary{limit}: {bad[:5]}")
    return out


def _single(token_logprobs: Sequence[torch.Tensor], expected: int, name: str) -> list[torch.Tensor]:
    if len(token_logprobs) != expected:
        raise ValueError(f"target {name!r} expects {expected} continuation(s), got {len(token_logprobs)}")
    for lp in token_logprobs:
        if lp.ndim != 2:
            raise ValueError(f"target {name!r}: log-probabilities must be [batch, n_tokens], got {tuple(lp.shape)}")
    return list(token_logprobs)


@dataclass(frozen=True)
class LogProbTarget:
    """log P(target | prompt): the teacher-forced sum over target tokens; per-token parts."""

    name: ClassVar[str] = "logprob"
    per_token: ClassVar[bool] = True

    def continuations(self, target_ids: Sequence[int]) -> list[list[int]]:
        return [check_token_ids(target_ids, "target_ids")]

    def __call__(self, token_logprobs: Sequence[torch.Tensor]) -> torch.Tensor:
        (lp,) = _single(token_logprobs, 1, self.name)
        return torch.cat([lp.sum(-1, keepdim=True), lp], dim=-1)


@dataclass(frozen=True)
class ProbTarget:
    """P(target | prompt) = exp(log P); per-token parts are each token's probability."""

    name: ClassVar[str] = "prob"
    per_token: ClassVar[bool] = True

    def continuations(self, target_ids: Sequence[int]) -> list[list[int]]:
        return [check_token_ids(target_ids, "target_ids")]

    def __call__(self, token_logprobs: Sequence[torch.Tensor]) -> torch.Tensor:
        (lp,) = _single(token_logprobs, 1, self.name)
        return torch.cat([lp.sum(-1, keepdim=True), lp], dim=-1).exp()


@dataclass(frozen=True)
class ContrastiveTarget:
    """log P(target | prompt) − log P(foil | prompt), e.g. "Yes" versus "No"."""

    foil_ids: tuple[int, ...]
    name: ClassVar[str] = "contrastive"
    per_token: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "foil_ids", tuple(check_token_ids(self.foil_ids, "foil_ids")))

    def continuations(self, target_ids: Sequence[int]) -> list[list[int]]:
        target = check_token_ids(target_ids, "target_ids")
        if target == list(self.foil_ids):
            raise ValueError("the contrastive target and foil are the same token sequence")
        return [target, list(self.foil_ids)]

    def __call__(self, token_logprobs: Sequence[torch.Tensor]) -> torch.Tensor:
        target, foil = _single(token_logprobs, 2, self.name)
        return (target.sum(-1) - foil.sum(-1))[:, None]


TARGETS: Registry[type] = Registry("attribution target", entry_point_group="medaudit.attribution_targets")
TARGETS.register("logprob", LogProbTarget, aliases=("log_prob",))
TARGETS.register("prob", ProbTarget, aliases=("probability",))
TARGETS.register("contrastive", ContrastiveTarget, aliases=("contrast",))


def make_target(name: str, foil_ids: Sequence[int] | None = None) -> TargetFunction:
    """Build the registered target ``name``; ``foil_ids`` is required by (and only by) contrastive ones."""
    try:
        cls = TARGETS.get(name)
    except SelectionError as exc:
        raise UnknownNameError(str(exc)) from None
    wants_foil = "foil_ids" in getattr(cls, "__dataclass_fields__", {})
    if wants_foil and foil_ids is None:
        raise ValueError(f"target {name!r} needs a foil (e.g. foil_text='No')")
    if not wants_foil and foil_ids is not None:
        raise ValueError(f"target {name!r} takes no foil; use target='contrastive' to compare against one")
    return cls(foil_ids=tuple(foil_ids)) if wants_foil else cls()  # type: ignore[arg-type]


@torch.no_grad()
def continuation_logprobs(model: "HFModel", prompt_ids: Sequence[int], continuation: Sequence[int]) -> torch.Tensor:
    """Teacher-forced log P of each continuation token after ``prompt_ids``: float32 tensor [T], one pass."""
    prompt = check_token_ids(prompt_ids, "prompt_ids")
    cont = check_token_ids(continuation, "continuation")
    ids = torch.tensor([prompt + cont[:-1]], device=model.device)
    logits = model.model(input_ids=ids, logits_to_keep=len(cont)).logits[0].float()
    logp = torch.log_softmax(logits, dim=-1)
    return logp.gather(-1, torch.tensor(cont, device=logp.device)[:, None])[:, 0].cpu()


def target_value(
    model: "HFModel", prompt_ids: Sequence[int], target_ids: Sequence[int], target: TargetFunction
) -> torch.Tensor:
    """The target function on the unperturbed prompt: tensor [1 + m] (see :class:`TargetFunction`)."""
    lps = [continuation_logprobs(model, prompt_ids, cont)[None] for cont in target.continuations(target_ids)]
    return target(lps)[0]
