"""Captum explainers: feature ablation, Shapley value sampling, LIME, integrated gradients.

All run through captum's ``LLMAttribution`` / ``LLMGradientAttribution`` on the exact
sequence-level path (``forward_in_tokens=False``: with transformers 5 the default
token-by-token path returns wrong log-probabilities after the first target token),
with an explicit baseline token. captum is imported only when an explainer runs.

Captum attributes log P or P. A contrastive target (log P(target) − log P(foil)) runs
the method twice under the same random seed and subtracts: every method here is
linear in the attributed function once its random draws are fixed, so this is the
attribution of the difference itself.
"""

from __future__ import annotations

import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator

import numpy as np
import torch

from audit.attribution.base import (
    Attribution,
    check_baseline_arg,
    describe_baseline,
    resolve_baseline,
    token_strings,
    validate_request,
)
from audit.attribution.targets import TargetFunction, target_value

if TYPE_CHECKING:
    from audit.models.hf import HFModel

_CAPTUM_TARGETS = {"logprob": "log_prob", "prob": "prob"}


def _positive_int(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")


def token_input(model: "HFModel", prompt_ids: list[int], baseline_id: int) -> Any:
    """A captum ``TextTokenInput`` over exactly ``prompt_ids`` with an explicit baseline token."""
    from captum.attr import TextTokenInput

    text = model.tokenizer.decode(prompt_ids)
    inp = TextTokenInput(text, model.tokenizer, baselines=baseline_id)
    if inp.inp_tensor[0].tolist() != prompt_ids:
        # Decoding and re-encoding is not always the identity (or adds a BOS): pin the ids.
        ids = torch.tensor([prompt_ids])
        inp.inp_tensor = inp.itp_tensor = ids
        inp.values = model.tokenizer.convert_ids_to_tokens(prompt_ids)
        inp.n_itp_features = len(prompt_ids)
    return inp


@contextmanager
def _count_calls(module: torch.nn.Module) -> Iterator[list[int]]:
    """Count calls of ``module`` (the hook is removed on exit).

    captum calls ``model.forward`` directly, which skips the model's own hooks, so
    the count is taken on the input-embedding module, which every forward calls once.
    """
    counter = [0]

    def hook(*_: Any) -> None:
        counter[0] += 1

    handle = module.register_forward_pre_hook(hook)
    try:
        yield counter
    finally:
        handle.remove()


def _seeded(seed: int, device: torch.device, run: Callable[[], Any]) -> Any:
    """``run()`` with torch's generators seeded, leaving the caller's random state untouched."""
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        return run()


@dataclass(frozen=True)
class _CaptumExplainer:
    """Shared driver: build captum's wrapper, run it per continuation, combine by the target."""

    baseline_id: int | None = None
    seed: int = 0
    name: ClassVar[str] = "captum"
    supported_targets: ClassVar[tuple[str, ...]] = ("logprob", "prob", "contrastive")

    def __post_init__(self) -> None:
        check_baseline_arg(self.baseline_id)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")

    # subclasses: one captum run for one continuation → (seq_attr [n], token_attr [T, n] | None)
    def _attribute(self, model: "HFModel", inp: Any, ids: list[int], attr_target: str) -> tuple[Any, Any]:
        raise NotImplementedError

    def explain(
        self, model: "HFModel", prompt_ids: list[int], target_ids: list[int], target: TargetFunction
    ) -> Attribution:
        """Attribute ``target`` of ``target_ids`` to each token of ``prompt_ids``."""
        prompt, goal = validate_request(self, model, prompt_ids, target_ids, target)
        baseline = resolve_baseline(model, self.baseline_id)
        inp = token_input(model, prompt, baseline)
        attr_target = _CAPTUM_TARGETS.get(target.name, "log_prob")
        began = time.perf_counter()
        runs = []
        with _count_calls(model.model.get_input_embeddings()) as calls, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # captum's pretty-token warnings about odd tokenisations
            for cont in target.continuations(goal):
                runs.append(_seeded(self.seed, model.device, lambda: self._attribute(model, inp, cont, attr_target)))
        seconds = time.perf_counter() - began
        value = target_value(model, prompt, goal, target)  # not part of captum's work: not timed or counted
        seq = np.asarray(runs[0][0].detach().double().cpu())
        per_token = runs[0][1]
        if target.name == "contrastive":
            seq = seq - np.asarray(runs[1][0].detach().double().cpu())
            per_token = None
        return Attribution(
            tokens=token_strings(model, prompt),
            scores=seq,
            method=self.name,
            baseline=describe_baseline(model, baseline),
            target=target.name,
            model_calls=calls[0],
            seconds=seconds,
            token_ids=tuple(prompt),
            target_tokens=token_strings(model, goal) if per_token is not None else (),
            target_scores=np.asarray(per_token.detach().double().cpu()).T if per_token is not None else None,
            target_value=float(value[0]),
            extras={"seed": self.seed},
        )


def _perturbation_run(model: "HFModel", method: Any, inp: Any, ids: list[int], attr_target: str,
                      **kwargs: Any) -> tuple[Any, Any]:
    from captum.attr import LLMAttribution

    llm = LLMAttribution(method, model.tokenizer, attr_target=attr_target)
    result = llm.attribute(inp, target=torch.tensor(ids), forward_in_tokens=False, **kwargs)
    return result.seq_attr, result.token_attr


@dataclass(frozen=True)
class CaptumFeatureAblation(_CaptumExplainer):
    """captum ``FeatureAblation``: exact single-token ablation (one forward per token)."""

    name: ClassVar[str] = "captum.feature_ablation"

    def _attribute(self, model: "HFModel", inp: Any, ids: list[int], attr_target: str) -> tuple[Any, Any]:
        from captum.attr import FeatureAblation

        return _perturbation_run(model, FeatureAblation(model.model), inp, ids, attr_target)


@dataclass(frozen=True)
class CaptumShapley(_CaptumExplainer):
    """captum ``ShapleyValueSampling``: ``n_samples`` random permutations (n + 1 forwards each)."""

    n_samples: int = 8
    name: ClassVar[str] = "captum.shapley"

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive_int(self.n_samples, "n_samples")

    def _attribute(self, model: "HFModel", inp: Any, ids: list[int], attr_target: str) -> tuple[Any, Any]:
        from captum.attr import ShapleyValueSampling

        return _perturbation_run(model, ShapleyValueSampling(model.model), inp, ids, attr_target,
                                 n_samples=self.n_samples)


@dataclass(frozen=True)
class CaptumLime(_CaptumExplainer):
    """captum ``Lime``: a ridge-regression surrogate fitted on ``n_samples`` random token masks.

    captum's default surrogate, Lasso(alpha=0.01), zeroes every coefficient when effects
    are small (log-prob changes of 1e-2), so the surrogate is an explicit ridge with ``alpha``.
    """

    n_samples: int = 64
    alpha: float = 1e-3
    name: ClassVar[str] = "captum.lime"

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive_int(self.n_samples, "n_samples")
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float)) or not self.alpha >= 0:
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}")

    def _attribute(self, model: "HFModel", inp: Any, ids: list[int], attr_target: str) -> tuple[Any, Any]:
        from captum._utils.models.linear_model import SkLearnRidge
        from captum.attr import Lime

        method = Lime(model.model, interpretable_model=SkLearnRidge(alpha=float(self.alpha)))
        return _perturbation_run(model, method, inp, ids, attr_target, n_samples=self.n_samples)


@dataclass(frozen=True)
class CaptumIntegratedGradients(_CaptumExplainer):
    """captum ``LayerIntegratedGradients`` on the input embeddings, from the baseline token's embedding."""

    n_steps: int = 32
    name: ClassVar[str] = "captum.integrated_gradients"
    supported_targets: ClassVar[tuple[str, ...]] = ("logprob", "contrastive")

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive_int(self.n_steps, "n_steps")

    def _attribute(self, model: "HFModel", inp: Any, ids: list[int], attr_target: str) -> tuple[Any, Any]:
        from captum.attr import LayerIntegratedGradients, LLMGradientAttribution

        method = LayerIntegratedGradients(model.model, model.model.get_input_embeddings())
        llm = LLMGradientAttribution(method, model.tokenizer)
        result = llm.attribute(inp, target=torch.tensor(ids), n_steps=self.n_steps)
        return result.seq_attr, result.token_attr
