"""medaudit's exact token occlusion (feature ablation), made fast by doing less work.

Occlusion replaces one prompt token at a time with a baseline token and records how
the target function changes: ``score[i] = f(prompt) − f(prompt with token i → baseline)``.
That is exactly what captum's ``FeatureAblation`` computes through ``LLMAttribution``
(``forward_in_tokens=False``), and the scores agree to float32 rounding.

How the work shrinks (a naive run does n + 1 full forwards of prompt + target):

* the KV cache of the unchanged prompt is computed once; the variant that ablates
  position i reuses its first i positions and recomputes only positions i onwards;
* variants are *packed* side by side into one row per forward, each with its own
  position ids and a block attention mask (prefix-cache columns < i, plus its own
  tokens causally), so no token is padded or recomputed, and few forwards run;
* several continuations (a contrastive target and its foil) branch off the same
  ablated prompt inside a variant instead of re-running it;
* logits are computed only at the rows that predict target tokens (``logits_to_keep``);
* a position whose token already is the baseline scores exactly 0 without a forward.
"""

from __future__ import annotations

import inspect
import operator
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import torch

from audit.attribution.base import (
    Attribution,
    describe_baseline,
    resolve_baseline,
    token_strings,
    validate_request,
)
from audit.attribution.targets import TargetFunction

if TYPE_CHECKING:
    from audit.models.hf import HFModel

KV = list[tuple[torch.Tensor, torch.Tensor]]
"""Per layer: key and value tensors [1, n_kv_heads, seq, head_dim]."""


@dataclass(frozen=True)
class _Variant:
    """One forward-equivalent: prompt from ``start`` on (first token maybe replaced), then each continuation."""

    start: int
    first_token: int


@dataclass(frozen=True)
class Occlusion:
    """Exact single-token occlusion with an explicit baseline token.

    ``baseline_id``: the replacement token (None → the tokenizer's pad token, else EOS).
    ``max_tokens_per_forward``: how many packed tokens one forward may hold (memory/speed).
    """

    baseline_id: int | None = None
    max_tokens_per_forward: int = 384
    name: ClassVar[str] = "occlusion"
    supported_targets: ClassVar[tuple[str, ...]] = ("*",)  # any TargetFunction

    def __post_init__(self) -> None:
        if self.baseline_id is not None:
            try:
                operator.index(self.baseline_id)
            except TypeError:
                raise ValueError(f"baseline_id must be a token id, got {self.baseline_id!r}") from None
        if isinstance(self.max_tokens_per_forward, bool) or not isinstance(self.max_tokens_per_forward, int) \
                or self.max_tokens_per_forward < 1:
            raise ValueError(f"max_tokens_per_forward must be a positive integer, got {self.max_tokens_per_forward!r}")

    def explain(
        self, model: "HFModel", prompt_ids: list[int], target_ids: list[int], target: TargetFunction
    ) -> Attribution:
        """Occlusion scores of every prompt token for ``target``."""
        prompt, goal = validate_request(self, model, prompt_ids, target_ids, target)
        baseline = resolve_baseline(model, self.baseline_id)
        continuations = target.continuations(goal)
        check_packable(model.model, len(prompt) + max(len(c) for c in continuations))
        began = time.perf_counter()
        base, ablated, calls = ablated_logprobs(model.model, prompt, continuations, baseline,
                                                self.max_tokens_per_forward)
        base_value = target([lp[None] for lp in base])  # [1, 1 + m]
        diff = (base_value.double() - target(ablated).double()).cpu().numpy()  # [n, 1 + m]
        seconds = time.perf_counter() - began
        return Attribution(
            tokens=token_strings(model, prompt),
            scores=diff[:, 0],
            method=self.name,
            baseline=describe_baseline(model, baseline),
            target=target.name,
            model_calls=calls,
            seconds=seconds,
            token_ids=tuple(prompt),
            target_tokens=token_strings(model, goal) if target.per_token else (),
            target_scores=diff[:, 1:] if target.per_token else None,
            target_value=float(base_value[0, 0]),
        )


def check_packable(lm: Any, total_len: int) -> None:
    """Raise ValueError unless ``lm`` takes custom 4-D masks over full (not sliding) attention."""
    config = lm.config
    impl = getattr(config, "_attn_implementation", None) or "eager"
    if impl not in ("eager", "sdpa"):
        raise ValueError(f"occlusion packs variants with a custom attention mask, which attention "
                         f"implementation {impl!r} does not take; load the model with 'sdpa' or 'eager', "
                         f"or use 'captum.feature_ablation'")
    layer_types = getattr(config, "layer_types", None) or []
    window = getattr(config, "sliding_window", None)
    if any(t != "full_attention" for t in layer_types) or (window is not None and total_len > window):
        raise ValueError("occlusion supports full-attention models only; use 'captum.feature_ablation'")


@torch.no_grad()
def ablated_logprobs(
    lm: Any,
    prompt: Sequence[int],
    continuations: Sequence[Sequence[int]],
    baseline_id: int,
    max_tokens_per_forward: int = 384,
) -> tuple[list[torch.Tensor], list[torch.Tensor], int]:
    """Teacher-forced log-probabilities of each continuation, unperturbed and with each prompt token ablated.

    Returns ``(base, ablated, model_calls)``: ``base[k]`` is a float32 tensor [T_k];
    ``ablated[k]`` is [n_prompt, T_k], row i with prompt token i replaced by ``baseline_id``.
    """
    prompt = list(prompt)
    conts = [list(c) for c in continuations]
    n = len(prompt)
    if n == 0 or not conts or any(not c for c in conts):
        raise ValueError("need a non-empty prompt and non-empty continuations")
    prefix, calls = _prefix_kv(lm, prompt[:-1])
    variants = [_Variant(n - 1, prompt[-1])]  # the unperturbed prompt
    variants += [_Variant(i, baseline_id) for i in range(n) if prompt[i] != baseline_id]
    per_variant: list[list[torch.Tensor]] = []
    for chunk in _chunks(variants, n, conts, max_tokens_per_forward):
        per_variant.extend(_run_packed(lm, prompt, conts, chunk, prefix))
        calls += 1
    base = per_variant[0]
    ablated = [b[None].repeat(n, 1) for b in base]  # a baseline-token position keeps the base value
    for variant, lps in zip(variants[1:], per_variant[1:]):
        for k, lp in enumerate(lps):
            ablated[k][variant.start] = lp
    return base, ablated, calls


def _cache_kwarg(lm: Any) -> str:
    # transformers renamed ``past_key_values`` to ``cache`` during 5.x.
    return "cache" if "cache" in inspect.signature(lm.forward).parameters else "past_key_values"


def _prefix_kv(lm: Any, ids: list[int]) -> tuple[KV, int]:
    """Keys and values of ``ids`` for every layer (one forward), or [] when there is no prefix."""
    if not ids:
        return [], 0
    out = lm(input_ids=torch.tensor([ids], device=lm.device), use_cache=True, logits_to_keep=1)
    cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
    return [(layer.keys, layer.values) for layer in cache.layers], 1


def _segment_len(start: int, n: int, conts: list[list[int]]) -> int:
    return (n - start) + sum(len(c) - 1 for c in conts)


def _chunks(variants: list[_Variant], n: int, conts: list[list[int]], budget: int) -> list[list[_Variant]]:
    """Consecutive groups whose packed length stays within ``budget`` (a longer variant goes alone)."""
    chunks: list[list[_Variant]] = []
    current: list[_Variant] = []
    size = 0
    for variant in variants:
        length = _segment_len(variant.start, n, conts)
        if current and size + length > budget:
            chunks.append(current)
            current, size = [], 0
        current.append(variant)
        size += length
    if current:
        chunks.append(current)
    return chunks


def _run_packed(
    lm: Any, prompt: list[int], conts: list[list[int]], chunk: list[_Variant], prefix: KV
) -> list[list[torch.Tensor]]:
    """One forward over the packed variants of ``chunk``; per variant, per continuation: log-probs [T_k]."""
    n, device = len(prompt), lm.device
    ids: list[int] = []
    pos: list[int] = []
    owner: list[int] = []  # variant index within the chunk
    branch: list[int] = []  # -1: prompt part; k: continuation k
    rows: list[int] = []  # packed index whose logits predict each target token
    labels: list[int] = []
    for v, variant in enumerate(chunk):
        part = [variant.first_token] + prompt[variant.start + 1:]
        ids += part
        pos += range(variant.start, n)
        owner += [v] * len(part)
        branch += [-1] * len(part)
        last_prompt = len(ids) - 1
        for k, cont in enumerate(conts):
            first = len(ids)
            ids += cont[:-1]
            pos += range(n, n + len(cont) - 1)
            owner += [v] * (len(cont) - 1)
            branch += [k] * (len(cont) - 1)
            rows += [last_prompt, *range(first, len(ids))]
            labels += cont

    n_cached = max(variant.start for variant in chunk)  # prefix columns any variant may see
    pos_t = torch.tensor(pos, device=device)
    owner_t = torch.tensor(owner, device=device)
    branch_t = torch.tensor(branch, device=device)
    starts_t = torch.tensor([chunk[v].start for v in owner], device=device)
    sees_prefix = torch.arange(n_cached, device=device)[None, :] < starts_t[:, None]  # [S, n_cached]
    sees_packed = ((owner_t[:, None] == owner_t[None, :]) & (pos_t[None, :] <= pos_t[:, None])
                   & ((branch_t[None, :] == -1) | (branch_t[None, :] == branch_t[:, None])))  # [S, S]
    allowed = torch.cat([sees_prefix, sees_packed], dim=1)
    dtype = lm.get_input_embeddings().weight.dtype
    mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill_(~allowed, torch.finfo(dtype).min)

    kwargs: dict[str, Any] = {"use_cache": False}
    if n_cached:
        from transformers import DynamicCache

        cache = DynamicCache(ddp_cache_data=[(k[:, :, :n_cached], v[:, :, :n_cached]) for k, v in prefix])
        kwargs = {"use_cache": True, _cache_kwarg(lm): cache}
    logits = lm(input_ids=torch.tensor([ids], device=device), position_ids=pos_t[None],
                attention_mask=mask[None, None], logits_to_keep=torch.tensor(rows, device=device), **kwargs).logits
    logp = torch.log_softmax(logits[0].float(), dim=-1)
    picked = logp.gather(-1, torch.tensor(labels, device=device)[:, None])[:, 0].cpu()

    out: list[list[torch.Tensor]] = []
    at = 0
    for _ in chunk:
        per_cont = []
        for cont in conts:
            per_cont.append(picked[at:at + len(cont)])
            at += len(cont)
        out.append(per_cont)
    return out
