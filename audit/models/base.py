"""The one interface every backend implements, with declared capabilities."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Sequence

from audit.evidence import ModelIdentity


class Capability(str, Enum):
    """What a backend can do; a probe declares which of these it needs."""

    GENERATE = "generate"
    SCORE = "score"
    HIDDEN_STATES = "hidden_states"
    HOOKS = "hooks"


Messages = Sequence[dict[str, str]]
"""A chat conversation: ``[{"role": "user", "content": "..."}]``."""


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings. ``temperature == 0`` means greedy."""

    max_new_tokens: int = 64
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0


def sample_seed(seed: int, index: int) -> int:
    """The seed of sample ``index`` drawn under ``seed``: distinct per sample, stable across runs."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"{seed}:sample:{index}".encode()).digest()[:4], "little")


@dataclass(frozen=True)
class Generation:
    """One generated answer with the log-probability of each generated token."""

    text: str
    tokens: list[str]
    token_logprobs: list[float]
    n_prompt_tokens: int
    finish_reason: str  # "stop" | "length"
    token_entropies: list[float] = field(default_factory=list)
    """Entropy (nats) of the model's full next-token distribution at each generated step, before any
    temperature or top-p; empty where a backend cannot report it (then it is "not available", never 0)."""


@dataclass(frozen=True)
class OptionScores:
    """Teacher-forced log-probabilities of given continuations after one prompt.

    ``logprobs[label]`` is the log of the summed probability of the label's surface
    variants (e.g. "yes" and "Yes"); per-token detail is keyed like ``variant_logprobs``
    ("label::text") where a backend provides it. ``top_token`` is the model's most likely next token
    over the whole vocabulary, and ``option_mass`` the probability that the first
    token is the first token of some option: together they tell whether the model would
    have answered in the expected format at all.
    """

    logprobs: dict[str, float]
    variant_logprobs: dict[str, float]
    top_token: str
    top_token_in_options: bool
    option_mass: float
    n_prompt_tokens: int
    variant_token_ids: dict[str, list[int]] = field(default_factory=dict)
    variant_token_logprobs: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class ModelUnderAudit(ABC):
    """A model as the audit sees it. Subclasses set ``capabilities``."""

    capabilities: frozenset[Capability] = field(default=frozenset(), init=False)

    @property
    @abstractmethod
    def identity(self) -> ModelIdentity:
        """Name, source and hashes of the weights and tokenizer."""

    @property
    @abstractmethod
    def context_window(self) -> int:
        """Maximum number of tokens (prompt plus continuation) the model accepts."""

    @property
    def n_layers(self) -> int | None:
        """Number of transformer blocks, where the backend exposes hidden states."""
        return None

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def capability_note(self, capability: Capability) -> str | None:
        """Why ``capability`` is not offered, where the backend can say (shown in a skipped probe's reason)."""
        return None

    def backend_provenance(self) -> dict[str, Any]:
        """Backend facts merged into the evidence's decoding record (e.g. a served endpoint's verified
        capabilities and request accounting); empty for local backends."""
        return {}

    def prefetch_options(self, requests: Sequence[tuple[Messages, dict[str, Sequence[str]]]]) -> None:
        """A hint that ``score_options`` will be called for each (prompt, options): a remote backend may send
        these requests concurrently now. Local backends ignore it."""

    def generate(
        self, prompts: Sequence[Messages], config: GenerationConfig, item_ids: Sequence[str] | None = None
    ) -> list[Generation]:
        """Chat-templated generation for a batch of conversations."""
        raise NotImplementedError(f"{type(self).__name__} cannot generate")

    def generate_samples(self, prompt: Messages, config: GenerationConfig, k: int,
                         item_id: str = "?") -> list[Generation]:
        """``k`` answers to one conversation sampled at ``config.temperature`` > 0 for consistency-based
        detectors. This default makes k calls, sample j seeded with :func:`sample_seed` (config.seed, j);
        a backend may draw them in one batch, seeded from (config.seed, item id)."""
        from dataclasses import replace

        if config.greedy:
            raise ValueError("sampling needs a temperature above 0")
        return [self.generate([prompt], replace(config, seed=sample_seed(config.seed, j)), [item_id])[0]
                for j in range(k)]

    def score_options(
        self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str = "?"
    ) -> OptionScores:
        """Log-probabilities of each option as the assistant's reply to ``prompt``."""
        raise NotImplementedError(f"{type(self).__name__} cannot score continuations")

    def hidden_states(self, prompts: Sequence[Messages], layers: Sequence[int], chat: bool = True) -> Any:
        """Residual-stream activations at the last token for chosen layers; ``chat=False`` reads the
        messages' text without the chat template (the last token is then the text's own)."""
        raise NotImplementedError(f"{type(self).__name__} does not expose hidden states")
