"""SHAP explainer: shap's Partition (or Permutation) explainer over a ``shap.maskers.Text`` masker.

What shap computes here, exactly
--------------------------------
The cooperative game has one player per prompt token (exactly ``prompt_ids``, chat-template
special tokens included). A coalition S is scored by

    v(S) = target(prompt with every token outside S replaced by the baseline token)

where ``target`` is the :class:`~audit.attribution.targets.TargetFunction` (log P(target),
P(target), or log P(target) − log P(foil) for "contrastive"), teacher-forced after the masked
prompt: one forward per continuation over a batch of masked prompts, log-softmax in float32,
exactly as :func:`~audit.attribution.targets.target_value` scores the unmasked prompt. The
masked prompt keeps its length (tokens are replaced, never dropped), like occlusion and the
captum explainers, so scores are comparable with theirs.

``scores[i]`` is token i's **Owen value** in that game with respect to the Text masker's
hierarchical clustering of the tokens (``shap.maskers.Text.clustering``: word pieces, then
words, then phrases and sentences), estimated by:

* ``algorithm="partition"`` (shap's default for text): ``PartitionExplainer`` recursively
  splits clusters, most-changing first, until ``max_evals`` masked prompts are scored; credit of
  a cluster left unsplit is shared evenly among its tokens;
* ``algorithm="permutation"``: ``PermutationExplainer``, antithetic (forward + reverse) random
  token orders that respect the same clustering (``partition_tree_shuffle``),
  ``max_evals // (2n + 1)`` of them.

Both are *efficient*: ``sum(scores) == v(all tokens) − v(no tokens)``, i.e. the target on the
prompt (``Attribution.target_value``) minus the target on an all-baseline prompt of the same
length (shap's base value, ``extras["base_value"]``). Where tokens act additively, Owen and
Shapley values coincide.

Why not ``shap.models.TeacherForcing`` itself: it scores each target token's log-odds
logit(p) = log p − log(1 − p) (not log P, and nothing contrastive), re-tokenises the masked
*strings* (so masked tokens would not stay our ids) and materialises float64 logits over the
whole vocabulary at every position. Here the teacher-forcing model in its place scores ids
directly; shap's Text masker and explainers do the masking and the game theory.

How masker tokens equal our ids
-------------------------------
The Text masker tokenises a string with whatever callable tokenizer it is given. It gets a
:class:`_PinnedTokenizer` built on a *deep copy* of the model's tokenizer (nothing shap does can
touch ``model.tokenizer``): the prompt's "text" is the concatenation of the tokens decoded one
by one (the same strings as ``Attribution.tokens``), and tokenising exactly that string returns
``prompt_ids`` with contiguous character offsets, one per token. The masker runs with
``output_type="token_ids"``, ``mask_token=<baseline id>`` and no collapsing of masked runs, so
each masked prompt it emits is ``prompt_ids`` with the masked positions set to the baseline id.

shap is imported only when an explainer runs.
"""

from __future__ import annotations

import copy
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

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

ALGORITHMS = ("partition", "permutation")


def _import_shap() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # shap's colour maps, at import (shap 0.51)
        import shap
    return shap


def _int_option(value: Any, what: str, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or \
            (maximum is not None and value > maximum):
        bound = f"an integer >= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise ValueError(f"{what} must be {bound}, got {value!r}")


class _PinnedTokenizer:
    """A tokenizer for ``shap.maskers.Text``, on a copy of the model's tokenizer, pinned to one prompt.

    ``tokenizer(self.text)`` returns exactly ``prompt_ids`` and one character span per id, where
    ``self.text`` joins the ids decoded one at a time. The empty string (which shap tokenises to
    find a tokenizer's prefix and suffix tokens) gives no ids; any other string is encoded by the
    copy without special tokens.
    """

    def __init__(self, tokenizer: Any, prompt_ids: Sequence[int]) -> None:
        self._tokenizer = copy.deepcopy(tokenizer)
        self.pieces = tuple(self._tokenizer.decode([int(i)]) for i in prompt_ids)
        self.text = "".join(self.pieces)
        self.ids = [int(i) for i in prompt_ids]
        self.offsets: list[tuple[int, int]] = []
        end = 0
        for piece in self.pieces:
            self.offsets.append((end, end + len(piece)))
            end += len(piece)

    def __call__(self, text: str, return_offsets_mapping: bool = False, **_: Any) -> dict[str, Any]:
        if text == self.text:
            ids, offsets = list(self.ids), list(self.offsets)
        elif text == "":
            ids, offsets = [], []
        else:
            encoded = self._tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
            ids, offsets = list(encoded["input_ids"]), [tuple(o) for o in encoded["offset_mapping"]]
        out: dict[str, Any] = {"input_ids": ids}
        if return_offsets_mapping:
            out["offset_mapping"] = offsets
        return out

    def decode(self, ids: Sequence[int], **kwargs: Any) -> str:
        return self._tokenizer.decode(list(ids), **kwargs)


def text_masker(model: "HFModel", prompt_ids: Sequence[int], baseline_id: int) -> tuple[Any, str]:
    """A ``shap.maskers.Text`` whose tokens are exactly ``prompt_ids`` (masked: ``baseline_id``); and its text."""
    shap = _import_shap()
    tokenizer = _PinnedTokenizer(model.tokenizer, prompt_ids)
    masker = shap.maskers.Text(tokenizer, mask_token=int(baseline_id), collapse_mask_token=False,
                               output_type="token_ids")
    return masker, tokenizer.text


_NUMBA_SEEDER: Any = None


def _seed_numba(seed: int) -> None:
    """Seed numba's own generator (numpy's is separate from it).

    shap's permutation explainer draws its token orders in numba-compiled code
    (``partition_tree_shuffle``), which ``np.random.seed`` in Python does not reach; numba's
    documented way is to call ``np.random.seed`` inside a jitted function.
    """
    global _NUMBA_SEEDER
    if _NUMBA_SEEDER is None:
        from numba import njit

        @njit
        def seeder(value: int) -> None:
            np.random.seed(value)

        _NUMBA_SEEDER = seeder
    _NUMBA_SEEDER(seed)


class _TeacherForcedTarget:
    """shap's model: a batch of masked prompt ids [b, n] → the target function's value [b].

    Counts forwards (``calls``) and scored masked prompts (``rows``).
    """

    def __init__(self, model: "HFModel", continuations: list[list[int]], target: TargetFunction,
                 batch_size: int) -> None:
        self.model = model
        self.continuations = [torch.tensor(c, device=model.device) for c in continuations]
        self.target = target
        self.batch_size = batch_size
        self.calls = 0
        self.rows = 0

    @torch.no_grad()
    def __call__(self, rows: Any) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.ndim == 1:
            rows = rows[None]
        values = []
        for start in range(0, len(rows), self.batch_size):
            chunk = torch.as_tensor(rows[start:start + self.batch_size], device=self.model.device)
            b = chunk.shape[0]
            logprobs = []
            for cont in self.continuations:
                ids = torch.cat([chunk, cont[:-1].expand(b, -1)], dim=1)
                logits = self.model.model(input_ids=ids, logits_to_keep=len(cont)).logits.float()
                logp = torch.log_softmax(logits, dim=-1)
                logprobs.append(logp.gather(-1, cont.expand(b, -1)[..., None])[..., 0].cpu())
                self.calls += 1
            values.append(self.target(logprobs)[:, 0].double().numpy())
        self.rows += len(rows)
        return np.concatenate(values)


@dataclass(frozen=True)
class ShapTeacherForcing:
    """SHAP (Owen) values of a teacher-forced target, via shap's Text masker and Partition/Permutation explainer.

    See the module docstring for exactly what is computed. Options:

    ``max_evals``: masked prompts shap may score (partition: including the full and the
    all-baseline prompt; permutation: must be at least 2n + 1 for n prompt tokens).
    ``seed``: makes a run reproducible. shap draws from numpy's global generator (partition breaks
    ties at random) and, for permutation, from numba's (token orders): both are seeded; numpy's
    state is restored after the run, numba's (used only by numba-compiled code) is left seeded.
    ``baseline_id``: the replacement token (None → the tokenizer's pad token, else EOS).
    ``batch_size``: masked prompts per forward (and per shap masking batch).
    ``algorithm``: "partition" (shap's default for text) or "permutation".
    """

    max_evals: int = 200
    seed: int = 0
    baseline_id: int | None = None
    batch_size: int = 32
    algorithm: str = "partition"
    name: ClassVar[str] = "shap"
    supported_targets: ClassVar[tuple[str, ...]] = ("*",)  # any TargetFunction

    def __post_init__(self) -> None:
        _int_option(self.max_evals, "max_evals", 3)
        _int_option(self.seed, "seed", 0, 2**32 - 1)
        check_baseline_arg(self.baseline_id)
        _int_option(self.batch_size, "batch_size", 1)
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}")

    def explain(
        self, model: "HFModel", prompt_ids: list[int], target_ids: list[int], target: TargetFunction
    ) -> Attribution:
        """Owen values of every prompt token for ``target`` of ``target_ids`` (see the module docstring)."""
        prompt, goal = validate_request(self, model, prompt_ids, target_ids, target)
        if len(prompt) < 2:
            raise ValueError("the shap explainer needs at least 2 prompt tokens (its Text masker clusters tokens)")
        if self.algorithm == "permutation" and self.max_evals < 2 * len(prompt) + 1:
            raise ValueError(f"max_evals={self.max_evals} is too low for algorithm='permutation' with "
                             f"{len(prompt)} prompt tokens: it needs at least 2n + 1 = {2 * len(prompt) + 1}")
        baseline = resolve_baseline(model, self.baseline_id)

        shap = _import_shap()
        masker, text = text_masker(model, prompt, baseline)
        scorer = _TeacherForcedTarget(model, target.continuations(goal), target, self.batch_size)
        began = time.perf_counter()
        state = np.random.get_state()
        try:
            np.random.seed(self.seed)
            if self.algorithm == "partition":
                explainer = shap.explainers.Partition(scorer, masker)
            else:
                _seed_numba(self.seed)
                explainer = shap.explainers.Permutation(scorer, masker, seed=self.seed)
            explanation = explainer([text], max_evals=self.max_evals, batch_size=self.batch_size, silent=True)
        finally:
            np.random.set_state(state)
        seconds = time.perf_counter() - began

        scores = np.asarray(explanation.values[0], dtype=np.float64)
        if scores.shape != (len(prompt),):
            raise RuntimeError(f"shap returned {scores.shape} values for {len(prompt)} prompt tokens")
        base_value = float(np.asarray(explanation.base_values).reshape(-1)[0])
        value = float(target_value(model, prompt, goal, target)[0])  # not part of shap's work: not timed or counted
        return Attribution(
            tokens=token_strings(model, prompt),
            scores=scores,
            method=self.name,
            baseline=describe_baseline(model, baseline),
            target=target.name,
            model_calls=scorer.calls,
            seconds=seconds,
            token_ids=tuple(prompt),
            target_value=value,
            extras={"seed": self.seed, "algorithm": self.algorithm, "max_evals": self.max_evals,
                    "evaluations": scorer.rows, "base_value": base_value},
        )
