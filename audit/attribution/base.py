"""The explainer protocol and its validated result, :class:`Attribution`."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Sequence, runtime_checkable

import numpy as np

from audit.attribution.targets import TargetFunction, check_token_ids

if TYPE_CHECKING:
    import pandas as pd

    from audit.models.hf import HFModel


@runtime_checkable
class Explainer(Protocol):
    """Attributes a target function of a continuation to the prompt's tokens."""

    name: str
    supported_targets: tuple[str, ...]
    """Names of the target functions this explainer can attribute (see ``TARGETS``); "*": any."""

    def explain(
        self, model: "HFModel", prompt_ids: list[int], target_ids: list[int], target: TargetFunction
    ) -> "Attribution":
        """Score every prompt token for ``target`` of ``target_ids`` after ``prompt_ids``."""
        ...


def _frozen_array(values: Any, what: str, ndim: int) -> np.ndarray:
    try:
        arr = np.array(values, dtype=np.float64)  # a private copy
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numeric: {exc}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{what} must be {ndim}-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} holds non-finite values (NaN or inf)")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Attribution:
    """One attribution of a target function to the input (prompt) tokens.

    ``scores[i]`` is input token i's contribution to the target value (for ablation-type
    methods: value with the token minus value with it replaced by the baseline).
    ``target_scores`` [n_input, n_target], where the method and target give one, splits
    each score by target token. Arrays are read-only copies.
    """

    tokens: tuple[str, ...]
    scores: np.ndarray
    method: str
    baseline: str
    target: str
    model_calls: int
    seconds: float
    token_ids: tuple[int, ...] | None = None
    target_tokens: tuple[str, ...] = ()
    target_scores: np.ndarray | None = None
    target_value: float | None = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.tokens, str) or not all(isinstance(t, str) for t in self.tokens):
            raise ValueError("tokens must be a sequence of strings")
        tokens = tuple(self.tokens)
        if not tokens:
            raise ValueError("an attribution needs at least one input token")
        object.__setattr__(self, "tokens", tokens)
        scores = _frozen_array(self.scores, "scores", 1)
        if scores.shape[0] != len(tokens):
            raise ValueError(f"scores has {scores.shape[0]} entries but there are {len(tokens)} tokens")
        object.__setattr__(self, "scores", scores)
        for name in ("method", "baseline", "target"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string")
        if isinstance(self.model_calls, bool) or not isinstance(self.model_calls, int) or self.model_calls < 0:
            raise ValueError(f"model_calls must be a non-negative integer, got {self.model_calls!r}")
        if not isinstance(self.seconds, (int, float)) or not math.isfinite(self.seconds) or self.seconds < 0:
            raise ValueError(f"seconds must be a finite non-negative number, got {self.seconds!r}")
        if self.token_ids is not None:
            ids = tuple(check_token_ids(self.token_ids, "token_ids"))
            if len(ids) != len(tokens):
                raise ValueError(f"token_ids has {len(ids)} entries but there are {len(tokens)} tokens")
            object.__setattr__(self, "token_ids", ids)
        target_tokens = tuple(self.target_tokens)
        if not all(isinstance(t, str) for t in target_tokens):
            raise ValueError("target_tokens must be strings")
        object.__setattr__(self, "target_tokens", target_tokens)
        if self.target_scores is not None:
            per_target = _frozen_array(self.target_scores, "target_scores", 2)
            if per_target.shape != (len(tokens), len(target_tokens)):
                raise ValueError(f"target_scores must have shape {(len(tokens), len(target_tokens))} "
                                 f"(input tokens, target tokens), got {per_target.shape}")
            object.__setattr__(self, "target_scores", per_target)
        if self.target_value is not None:
            if not isinstance(self.target_value, (int, float)) or not math.isfinite(self.target_value):
                raise ValueError(f"target_value must be a finite number, got {self.target_value!r}")
            object.__setattr__(self, "target_value", float(self.target_value))
        object.__setattr__(self, "extras", dict(self.extras))

    # -- views -------------------------------------------------------------------------
    def ranking(self) -> list[int]:
        """Input positions, most positive score first."""
        return [int(i) for i in np.argsort(-self.scores, kind="stable")]

    def to_pandas(self) -> "pd.DataFrame":
        """One row per input token: position, token, token_id, score and per-target-token scores."""
        import pandas as pd

        frame = pd.DataFrame({
            "position": np.arange(len(self.tokens)),
            "token": list(self.tokens),
            "token_id": list(self.token_ids) if self.token_ids is not None else [None] * len(self.tokens),
            "score": self.scores,
        })
        if self.target_scores is not None:
            for j, tok in enumerate(self.target_tokens):
                frame[f"score[{j}:{tok}]"] = self.target_scores[:, j]
        frame.attrs.update(method=self.method, baseline=self.baseline, target=self.target,
                           model_calls=self.model_calls, seconds=self.seconds, target_value=self.target_value)
        return frame

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        """A self-contained token heat map (green: raises the target, red: lowers it).

        All text, tokens included, is HTML-escaped: model and user text is untrusted.
        """
        scale = float(np.max(np.abs(self.scores))) or 1.0
        spans = []
        for i, (tok, score) in enumerate(zip(self.tokens, self.scores)):
            alpha = 0.85 * abs(float(score)) / scale
            rgb = "0,140,60" if score >= 0 else "210,40,40"
            title = html.escape(f"#{i} {tok!r}: {score:+.6g}", quote=True)
            spans.append(f'<span class="medaudit-token" style="background:rgba({rgb},{alpha:.3f})" '
                         f'title="{title}" data-score="{float(score):.6g}">{html.escape(tok, quote=True)}</span>')
        caption = html.escape(
            f"{self.method} · target {self.target}"
            + (f" = {self.target_value:.6g}" if self.target_value is not None else "")
            + (f" of {''.join(self.target_tokens)!r}" if self.target_tokens else "")
            + f" · baseline {self.baseline} · {self.model_calls} model calls · {self.seconds:.2f} s",
            quote=True,
        )
        return (f'<figure class="medaudit-attribution" data-method="{html.escape(self.method, quote=True)}">'
                f'<figcaption>{caption}</figcaption>'
                f'<div style="white-space:pre-wrap;font-family:monospace;line-height:1.8">{"".join(spans)}</div>'
                f"</figure>")


# -- helpers shared by explainers ----------------------------------------------------------
def vocab_size(model: "HFModel") -> int:
    """Rows of the model's input embedding (ids at or above it are invalid)."""
    return int(model.model.get_input_embeddings().weight.shape[0])


def check_baseline_arg(baseline_id: int | None) -> None:
    """Validate an explainer's ``baseline_id`` option (None or a non-negative token id)."""
    if baseline_id is not None:
        check_token_ids([baseline_id], "baseline_id")


def resolve_baseline(model: "HFModel", baseline_id: int | None) -> int:
    """The explicit baseline token: ``baseline_id``, else the pad token, else EOS."""
    if baseline_id is None:
        tok = model.tokenizer
        baseline_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        if baseline_id is None:
            raise ValueError("the tokenizer has no pad or EOS token: pass an explicit baseline_id")
    (checked,) = check_token_ids([baseline_id], "baseline_id", vocab_size(model))
    return checked


def describe_baseline(model: "HFModel", baseline_id: int) -> str:
    """E.g. ``token 2 '<|im_end|>'``."""
    return f"token {baseline_id} {model.tokenizer.decode([baseline_id])!r}"


def token_strings(model: "HFModel", ids: Sequence[int]) -> tuple[str, ...]:
    """Each id decoded on its own (readable: no byte-level BPE markers)."""
    return tuple(model.tokenizer.decode([int(i)]) for i in ids)


def validate_request(
    explainer: Explainer, model: "HFModel", prompt_ids: Sequence[int], target_ids: Sequence[int],
    target: TargetFunction,
) -> tuple[list[int], list[int]]:
    """Check an ``explain`` call's inputs; return the ids as lists. Raises ValueError."""
    if not isinstance(target, TargetFunction):
        raise ValueError(f"target must be a TargetFunction (see audit.attribution.TARGETS), got {target!r}")
    if "*" not in explainer.supported_targets and target.name not in explainer.supported_targets:
        raise ValueError(f"{explainer.name} cannot attribute target {target.name!r} "
                         f"(supported: {', '.join(explainer.supported_targets)})")
    size = vocab_size(model)
    prompt = check_token_ids(prompt_ids, "prompt_ids", size)
    goal = check_token_ids(target_ids, "target_ids", size)
    continuations = target.continuations(goal)
    for cont in continuations:
        check_token_ids(cont, "continuation (target or foil)", size)
    longest = max(len(c) for c in continuations)
    window = int(getattr(model.model.config, "max_position_embeddings", 0) or 0)
    if window and len(prompt) + longest > window:
        raise ValueError(f"prompt ({len(prompt)}) + target ({longest}) tokens exceed the "
                         f"context window of {window}")
    return prompt, goal
