"""Wrappers that plant a known defect into any backend, to prove that a probe detects it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from audit.evidence import ModelIdentity
from audit.models.base import Capability, Generation, GenerationConfig, Messages, ModelUnderAudit, OptionScores


@dataclass
class LogitShiftModel(ModelUnderAudit):
    """Adds ``delta`` to the log-probability of option ``label`` whenever ``term`` is in the prompt.

    This is a logit shift of exactly ``delta`` nats toward ``label`` in the comparison between
    options, the planted defect of the bias suite's proof."""

    base: ModelUnderAudit
    term: str
    label: str
    delta: float

    def __post_init__(self) -> None:
        # The shift is applied to the output, not planted in the weights: hooks would not see it.
        self.capabilities = self.base.capabilities - {Capability.HOOKS}

    @property
    def identity(self) -> ModelIdentity:
        base = self.base.identity
        return base.model_copy(update={"name": f"{base.name}+shift({self.term!r}->{self.label}, {self.delta})"})

    @property
    def context_window(self) -> int:
        return self.base.context_window

    def score_options(self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str = "?") -> OptionScores:
        scores = self.base.score_options(prompt, options, item_id)
        if self.label not in scores.logprobs or not any(self.term in m["content"] for m in prompt):
            return scores
        shifted = dict(scores.logprobs)
        shifted[self.label] += self.delta
        return OptionScores(shifted, scores.variant_logprobs, scores.top_token, scores.top_token_in_options,
                            scores.option_mass, scores.n_prompt_tokens)

    def generate(self, prompts: Sequence[Messages], config: GenerationConfig,
                 item_ids: Sequence[str] | None = None) -> list[Generation]:
        return self.base.generate(prompts, config, item_ids)

    def hidden_states(self, prompts: Sequence[Messages], layers: Sequence[int], chat: bool = True) -> Any:
        return self.base.hidden_states(prompts, layers, chat)
