"""A backend that answers from a table: planted ground truth for testing probes.

``ScriptedModel(answers)`` maps an item id to the answer label (for option scoring) or
text (for generation) that the "model" gives. It lets a test plant a defect at a known
rate and check that a probe recovers it, without any neural network.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from audit.evidence import ModelIdentity
from audit.models.base import Capability, Generation, GenerationConfig, Messages, ModelUnderAudit, OptionScores

Answerer = Callable[[str, Messages], str]
Sampler = Callable[[str, Messages, int], str]
"""(item id, prompt, seed) -> the text of one sampled answer (temperature > 0)."""


@dataclass
class ScriptedModel(ModelUnderAudit):
    """Answers each item id from ``answers`` (or ``default`` for unknown ids).

    ``confidence`` is the probability given to the scripted option; the rest is spread
    evenly over the other options. ``sampler``, where given, answers sampled generations
    (temperature > 0) from (item id, prompt, seed), so a test can plant how samples scatter."""

    answers: Mapping[str, str] | Answerer = field(default_factory=dict)
    default: str | None = None
    confidence: float = 0.9
    capability_set: frozenset[Capability] = frozenset({Capability.SCORE, Capability.GENERATE})
    context_limit: int = 100_000
    name: str = "scripted"
    sampler: Sampler | None = None

    def __post_init__(self) -> None:
        self.capabilities = frozenset(self.capability_set)

    @property
    def identity(self) -> ModelIdentity:
        table = repr(sorted(self.answers.items())) if isinstance(self.answers, Mapping) else self.name
        digest = hashlib.sha256(table.encode()).hexdigest()
        return ModelIdentity(name=self.name, source="scripted", weights_sha256=digest, tokenizer_sha256="none",
                             context_window=self.context_limit, capabilities=sorted(c.value for c in self.capabilities))

    @property
    def context_window(self) -> int:
        return self.context_limit

    def _answer(self, item_id: str, prompt: Messages) -> str:
        if callable(self.answers):
            return self.answers(item_id, prompt)
        if item_id in self.answers:
            return self.answers[item_id]
        if self.default is None:
            raise KeyError(f"scripted model has no answer for {item_id!r}")
        return self.default

    def _check(self, prompt: Messages, item_id: str) -> None:
        from audit.errors import ContextWindowError

        n_tokens = sum(len(m["content"].split()) for m in prompt)  # words stand in for tokens
        if n_tokens > self.context_limit:
            raise ContextWindowError(item_id, n_tokens, self.context_limit)

    def score_options(self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str = "?") -> OptionScores:
        self._check(prompt, item_id)
        choice = self._answer(item_id, prompt)
        if choice not in options:
            raise ValueError(f"scripted answer {choice!r} for {item_id!r} is not an option")
        rest = (1.0 - self.confidence) / max(len(options) - 1, 1)
        logprobs = {label: math.log(self.confidence if label == choice else rest) for label in options}
        variants = {f"{label}::{texts[0]}": lp for (label, texts), lp in zip(options.items(), logprobs.values())}
        return OptionScores(logprobs, variants, options[choice][0], True, 1.0, 0)

    def generate(self, prompts: Sequence[Messages], config: GenerationConfig,
                 item_ids: Sequence[str] | None = None) -> list[Generation]:
        ids = list(item_ids) if item_ids is not None else [str(i) for i in range(len(prompts))]
        out = []
        for prompt, item_id in zip(prompts, ids):
            self._check(prompt, item_id)
            if self.sampler is not None and not config.greedy:
                text = self.sampler(item_id, prompt, config.seed)
            else:
                text = self._answer(item_id, prompt)
            out.append(Generation(text, text.split(), [0.0] * len(text.split()), 0, "stop"))
        return out
