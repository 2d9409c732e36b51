"""medaudit's exact token occlusion (feature ablation), made fast by doing less work.

Occlusion replaces one prompt token at a time with a baseline token and records how
the target function changes: ``score[i] = f(prompt) − f(prompt with token i → baseline)``.
That is exactly what captum's ``FeatureAblation`` computes through ``LLMAttribution``
(``forward_in_tokens=False``), and the scores agree to float32 rounding.

How the work shrinks (a naive run does n + 1 full forwards of prompt + target):

* the KV cache of the unchanged prompt is computed once; the variant that ablates
  position i reuses its first i positions and recomputes only positions i onwards;
* variants are *packed* into batch rows, each with its own position ids and a block
  attention mask (prefix-cache columns < i, plus its own tokens causally); the longest
  remaining variant shares a row with the shortest ones that fit, so rows come out
  nearly equal in length (under 1% padding), attention stays within a row, and a
  forward of ~``max_tokens_per_forward`` tokens covers many variants;
* several continuations (a contrastive target and its foil) branch off the same
  ablated prompt inside a variant instead of re-running it;
* logits are computed only at the rows that predict target tokens (``logits_to_keep``);
* a position whose token already is the baseline scores exactly 0 without a forward.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import torch

from audit.attribution.base import (
    Attribution,
    check_baseline_arg,
    describe_baseline,
    resolve_baseline,
    token_strings,
    validate_request,
)
from audit.attribution.targets import TargetFunction
from audit.models.packing import additive_mask, cache_kwarg

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
    ``max_tokens_per_forward``: tokens (rows × row length) one forward may hold; at least one row
    always runs. Bounds memory; around 512 is fastest on a CPU.
    """

    baseline_id: int | None = None
    max_tokens_per_forward: int = 512
    name: ClassVar[str] = "occlusion"
    supported_targets: ClassVar[tuple[str, ...]] = ("*",)  # any TargetFunction

    def __post_init__(self) -> None:
        check_baseline_arg(self.baseline_id)
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
    max_tokens_per_forward: int = 512,
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
    results: dict[_Variant, list[torch.Tensor]] = {}
    for rows in _layout(variants, n, conts, max_tokens_per_forward):
        results.update(_run_forward(lm, prompt, conts, rows, prefix))
        calls += 1
    base = results[variants[0]]
    ablated = [b[None].repeat(n, 1) for b in base]  # a baseline-token position keeps the base value
    for variant in variants[1:]:
        for k, lp in enumerate(results[variant]):
            ablated[k][variant.start] = lp
    return base, ablated, calls


def _prefix_kv(lm: Any, ids: list[int]) -> tuple[KV, int]:
    """Keys and values of ``ids`` for every layer (one forward), or [] when there is no prefix."""
    if not ids:
        return [], 0
    out = lm(input_ids=torch.tensor([ids], device=lm.device), use_cache=True, logits_to_keep=1)
    cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
    return [(layer.keys, layer.values) for layer in cache.layers], 1


def _segment_len(start: int, n: int, conts: list[list[int]]) -> int:
    return (n - start) + sum(len(c) - 1 for c in conts)


def _layout(variants: list[_Variant], n: int, conts: list[list[int]], budget: int) -> list[list[list[_Variant]]]:
    """Forwards → rows → variants.

    Segment lengths fall by one per ablated position, so pairing the longest remaining
    segment with the shortest ones that still fit (two pointers) fills rows to about the
    longest segment's length with almost no padding, while each row's attention stays
    small (a row attends only within itself and to the prefix). Each forward then takes
    as many rows as ``budget`` tokens allow.
    """
    order = sorted(variants, key=lambda v: _segment_len(v.start, n, conts), reverse=True)
    width = _segment_len(order[0].start, n, conts)
    rows: list[list[_Variant]] = []
    lo, hi = 0, len(order) - 1
    while lo <= hi:
        row, size = [order[lo]], _segment_len(order[lo].start, n, conts)
        lo += 1
        while lo <= hi and size + _segment_len(order[hi].start, n, conts) <= width:
            row.append(order[hi])
            size += _segment_len(order[hi].start, n, conts)
            hi -= 1
        rows.append(row)
    per_forward = max(1, budget // width)
    return [rows[j:j + per_forward] for j in range(0, len(rows), per_forward)]


@dataclass
class _Row:
    """One batch row under construction: packed tokens and their bookkeeping."""

    ids: list[int]
    pos: list[int]
    owner: list[int]  # which variant of the row a token belongs to (padding: a unique negative id)
    branch: list[int]  # -1: the prompt part; k: continuation k
    start: list[int]  # the owner's ablated position: the prefix columns it may see
    keep: list[int]  # columns whose logits predict target tokens, in label order
    labels: list[int]


def _build_row(prompt: list[int], conts: list[list[int]], variants: list[_Variant]) -> _Row:
    n = len(prompt)
    row = _Row([], [], [], [], [], [], [])
    for v, variant in enumerate(variants):
        part = [variant.first_token] + prompt[variant.start + 1:]
        row.ids += part
        row.pos += range(variant.start, n)
        row.branch += [-1] * len(part)
        last_prompt = len(row.ids) - 1
        for k, cont in enumerate(conts):
            first = len(row.ids)
            row.ids += cont[:-1]
            row.pos += range(n, n + len(cont) - 1)
            row.branch += [k] * (len(cont) - 1)
            row.keep += [last_prompt, *range(first, len(row.ids))]
            row.labels += cont
        row.owner += [v] * (len(row.ids) - len(row.owner))
        row.start += [variant.start] * (len(row.ids) - len(row.start))
    return row


def _pad_row(row: _Row, width: int, n_keep: int, pad_id: int) -> None:
    extra = width - len(row.ids)
    row.owner += [-1 - j for j in range(extra)]  # each padding token attends only to itself
    row.ids += [pad_id] * extra
    row.pos += [0] * extra
    row.branch += [-1] * extra
    row.start += [0] * extra
    row.keep += [row.keep[-1]] * (n_keep - len(row.keep))  # duplicates; their logits are not read


def _row_mask(row: _Row, n_cached: int) -> torch.Tensor:
    """[width, n_cached + width] booleans: prefix columns before the owner's start, own tokens causally."""
    pos, owner, branch = torch.tensor(row.pos), torch.tensor(row.owner), torch.tensor(row.branch)
    sees_prefix = torch.arange(n_cached)[None, :] < torch.tensor(row.start)[:, None]
    sees_row = ((owner[:, None] == owner[None, :]) & (pos[None, :] <= pos[:, None])
                & ((branch[None, :] == -1) | (branch[None, :] == branch[:, None])))
    return torch.cat([sees_prefix, sees_row], dim=1)


def _run_forward(
    lm: Any, prompt: list[int], conts: list[list[int]], rows_of_variants: list[list[_Variant]], prefix: KV
) -> dict[_Variant, list[torch.Tensor]]:
    """One batched forward over packed rows; per variant, per continuation: log-probs [T_k]."""
    device = lm.device
    rows = [_build_row(prompt, conts, variants) for variants in rows_of_variants]
    width = max(len(r.ids) for r in rows)
    n_keep = max(len(r.keep) for r in rows)
    pad_id = prompt[0]
    for row in rows:
        _pad_row(row, width, n_keep, pad_id)
    n_cached = max(v.start for variants in rows_of_variants for v in variants)
    allowed = torch.stack([_row_mask(r, n_cached) for r in rows]).to(device)
    mask = additive_mask(allowed, lm.get_input_embeddings().weight.dtype)

    kwargs: dict[str, Any] = {"use_cache": False}
    if n_cached:
        from transformers import DynamicCache

        batch = len(rows)
        kv = [(k[:, :, :n_cached].expand(batch, -1, -1, -1), v[:, :, :n_cached].expand(batch, -1, -1, -1))
              for k, v in prefix]
        kwargs = {"use_cache": True, cache_kwarg(lm): DynamicCache(ddp_cache_data=kv)}
    logits = lm(input_ids=torch.tensor([r.ids for r in rows], device=device),
                position_ids=torch.tensor([r.pos for r in rows], device=device),
                attention_mask=mask[:, None], logits_to_keep=torch.tensor([r.keep for r in rows], device=device),
                **kwargs).logits  # [rows, n_keep, vocab]
    results: dict[_Variant, list[torch.Tensor]] = {}
    for b, (row, variants) in enumerate(zip(rows, rows_of_variants)):
        n_labels = len(row.labels)
        logp = torch.log_softmax(logits[b, :n_labels].float(), dim=-1)
        picked = logp.gather(-1, torch.tensor(row.labels, device=device)[:, None])[:, 0].cpu()
        at = 0
        for variant in variants:
            per_cont = []
            for cont in conts:
                per_cont.append(picked[at:at + len(cont)])
                at += len(cont)
            results[variant] = per_cont
    return results
