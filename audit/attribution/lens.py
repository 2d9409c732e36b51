"""Mechanistic attribution through TransformerLens hooks: logit lens, direct logit attribution, activation patching.

Everything runs on ``model.bridge()``, a TransformerLens ``TransformerBridge`` over a deep copy of
the audited model, so no hook ever touches the model under audit. Hooks used (TransformerLens names):
``blocks.{L}.hook_resid_pre`` / ``blocks.{L}.hook_resid_post`` (residual stream entering / leaving
block L), ``blocks.{L}.hook_attn_out``, ``blocks.{L}.hook_mlp_out``, ``blocks.{L}.attn.hook_z``
(per-head outputs, via ``ActivationCache.stack_head_results``) and ``ln_final.hook_scale``.
Residual-stream "layer" k below is the stream entering block k; k = n_layers is the stream after
the last block (the embeddings are layer 0).
"""

from __future__ import annotations

import html
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import torch

from audit.attribution.base import token_strings, vocab_size
from audit.attribution.targets import check_token_ids

if TYPE_CHECKING:
    import pandas as pd

    from audit.models.hf import HFModel


# -- results -------------------------------------------------------------------------------------
def _array(values: Any, ndim: int) -> np.ndarray:
    arr = np.array(values, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"expected a {ndim}-dimensional array, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


def _html_table(caption: str, frame: "pd.DataFrame", shade: str) -> str:
    """A self-contained table; column ``shade`` tints each row (green > 0, red < 0). All text is escaped."""
    values = frame[shade].to_numpy(dtype=np.float64)
    finite = values[np.isfinite(values)]
    scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    cell = "padding:2px 8px;border:1px solid #ddd;font-family:monospace"
    head = "".join(f'<th style="{cell}">{html.escape(str(c), quote=True)}</th>' for c in frame.columns)
    rows = []
    for value, record in zip(values, frame.itertuples(index=False)):
        alpha = 0.6 * abs(value) / scale if scale and math.isfinite(value) else 0.0
        rgb = "0,140,60" if value >= 0 else "210,40,40"
        cells = "".join(f'<td style="{cell}">{html.escape(_fmt(v), quote=True)}</td>' for v in record)
        rows.append(f'<tr style="background:rgba({rgb},{alpha:.3f})">{cells}</tr>')
    return (f'<figure class="medaudit-lens"><figcaption>{html.escape(caption, quote=True)}</figcaption>'
            f'<table style="border-collapse:collapse"><tr>{head}</tr>{"".join(rows)}</table></figure>')


def _fmt(value: Any) -> str:
    import pandas as pd

    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        return "undefined" if math.isnan(value) else f"{value:+.6g}"
    return str(value) if not isinstance(value, str) or value.isprintable() else repr(value)


@dataclass(frozen=True)
class LogitLens:
    """Per residual-stream layer (0 = embeddings, k = after block k−1): the final norm and unembedding
    applied at the last prompt position. ``logprob[k]``: log P(target's first token); ``logprob_diff[k]``
    (with a foil): log P(target) − log P(foil), first tokens; ``top_tokens[k]``: the argmax token."""

    tokens: tuple[str, ...]
    target_token: str
    foil_token: str | None
    logprob: np.ndarray
    logprob_diff: np.ndarray | None
    top_ids: tuple[int, ...]
    top_tokens: tuple[str, ...]
    seconds: float
    method: str = "logit_lens"

    def __post_init__(self) -> None:
        object.__setattr__(self, "logprob", _array(self.logprob, 1))
        if self.logprob_diff is not None:
            object.__setattr__(self, "logprob_diff", _array(self.logprob_diff, 1))

    def to_pandas(self) -> "pd.DataFrame":
        import pandas as pd

        frame = pd.DataFrame({"layer": np.arange(len(self.logprob)), "logprob": self.logprob})
        if self.logprob_diff is not None:
            frame["logprob_diff"] = self.logprob_diff
        frame["top_id"] = list(self.top_ids)
        frame["top_token"] = list(self.top_tokens)
        frame.attrs.update(method=self.method, target=self.target_token, foil=self.foil_token, seconds=self.seconds)
        return frame

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        foil = f" vs {self.foil_token!r}" if self.foil_token is not None else ""
        shade = "logprob_diff" if self.logprob_diff is not None else "logprob"
        return _html_table(f"logit lens · target {self.target_token!r}{foil} · {self.seconds:.2f} s",
                           self.to_pandas(), shade)


@dataclass(frozen=True)
class DirectLogitAttribution:
    """Each component's direct contribution to the target logit (or target − foil logit difference) at the
    last prompt position, through the final RMSNorm with its scale frozen at the real run's value.

    ``heads`` [n_layers, n_heads], ``mlps`` [n_layers]; ``embed`` is the embeddings' term; ``bias`` collects
    everything else (attention output biases, unembedding bias, any unexplained remainder: 0 for Llama).
    ``total`` (the sum of all terms) equals ``actual``, the model's own (difference of) logits.
    """

    tokens: tuple[str, ...]
    target_token: str
    foil_token: str | None
    heads: np.ndarray
    mlps: np.ndarray
    embed: float
    bias: float
    actual: float
    seconds: float
    method: str = "direct_logit_attribution"

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", _array(self.heads, 2))
        object.__setattr__(self, "mlps", _array(self.mlps, 1))

    @property
    def total(self) -> float:
        return float(self.embed + self.heads.sum() + self.mlps.sum() + self.bias)

    def to_pandas(self) -> "pd.DataFrame":
        import pandas as pd

        rows: list[tuple[str, int | None, int | None, float]] = [("embed", None, None, self.embed)]
        for layer in range(self.heads.shape[0]):
            rows += [("attn_head", layer, h, float(v)) for h, v in enumerate(self.heads[layer])]
            rows.append(("mlp", layer, None, float(self.mlps[layer])))
        rows.append(("bias", None, None, self.bias))
        frame = pd.DataFrame(rows, columns=["component", "layer", "head", "score"])
        frame[["layer", "head"]] = frame[["layer", "head"]].astype("Int64")  # None → <NA>, not NaN
        frame.attrs.update(method=self.method, target=self.target_token, foil=self.foil_token,
                           actual=self.actual, total=self.total, seconds=self.seconds)
        return frame

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        foil = f" − {self.foil_token!r}" if self.foil_token is not None else ""
        return _html_table(f"direct logit attribution · logit {self.target_token!r}{foil} = {self.actual:.6g} "
                           f"(sum of terms {self.total:.6g}) · {self.seconds:.2f} s", self.to_pandas(), "score")


@dataclass(frozen=True)
class ActivationPatching:
    """Clean activations patched, one at a time, into the corrupted run; metric: logit(target) − logit(foil)
    at the last position. ``*_raw`` are patched − corrupted metric values: ``attn_raw``/``mlp_raw``
    [n_layers] (block outputs at the final position), ``resid_raw`` [n_layers + 1, len(resid_positions)]
    (residual stream entering each block, plus after the last; clean positions listed in
    ``resid_positions``). The normalised effects (raw / (clean − corrupted)) are None when
    |clean − corrupted| < ``min_gap``: the prompts then hardly differ in the metric and a ratio is noise.
    """

    clean_tokens: tuple[str, ...]
    corrupted_tokens: tuple[str, ...]
    target_token: str
    foil_token: str
    clean_value: float
    corrupted_value: float
    attn_raw: np.ndarray
    mlp_raw: np.ndarray
    resid_raw: np.ndarray
    resid_positions: tuple[int, ...]
    min_gap: float
    model_calls: int
    seconds: float
    method: str = "activation_patching"

    def __post_init__(self) -> None:
        for name, ndim in (("attn_raw", 1), ("mlp_raw", 1), ("resid_raw", 2)):
            object.__setattr__(self, name, _array(getattr(self, name), ndim))

    @property
    def gap(self) -> float:
        return self.clean_value - self.corrupted_value

    @property
    def normalised(self) -> bool:
        """Whether the normalised effects are defined (|clean − corrupted| ≥ ``min_gap``)."""
        return abs(self.gap) >= self.min_gap

    def _effect(self, raw: np.ndarray) -> np.ndarray | None:
        return raw / self.gap if self.normalised else None

    @property
    def attn_effect(self) -> np.ndarray | None:
        return self._effect(self.attn_raw)

    @property
    def mlp_effect(self) -> np.ndarray | None:
        return self._effect(self.mlp_raw)

    @property
    def resid_effect(self) -> np.ndarray | None:
        return self._effect(self.resid_raw)

    @property
    def peak(self) -> tuple[str, int]:
        """(component, layer) of the attention or MLP output whose patch moves the metric most (by |raw|;
        the first such when all tie, e.g. all ~0 in a placebo: check ``normalised`` before reading it)."""
        both = np.stack([self.attn_raw, self.mlp_raw])
        kind, layer = np.unravel_index(int(np.argmax(np.abs(both))), both.shape)
        return ("attn", "mlp")[int(kind)], int(layer)

    @property
    def peak_layer(self) -> int:
        return self.peak[1]

    @property
    def peak_component(self) -> str:
        return self.peak[0]

    def to_pandas(self) -> "pd.DataFrame":
        import pandas as pd

        last = len(self.clean_tokens) - 1
        rows = [(kind, layer, last, float(v)) for kind, raw in (("attn", self.attn_raw), ("mlp", self.mlp_raw))
                for layer, v in enumerate(raw)]
        rows += [("resid", layer, pos, float(self.resid_raw[layer, j]))
                 for layer in range(self.resid_raw.shape[0]) for j, pos in enumerate(self.resid_positions)]
        frame = pd.DataFrame(rows, columns=["component", "layer", "position", "raw"])
        frame["effect"] = frame["raw"] / self.gap if self.normalised else math.nan
        frame["token"] = [self.clean_tokens[p] for p in frame["position"]]
        frame.attrs.update(method=self.method, clean_value=self.clean_value, corrupted_value=self.corrupted_value,
                           normalised=self.normalised, peak=self.peak, seconds=self.seconds)
        return frame

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        kind, layer = self.peak
        note = "" if self.normalised else " · normalised effect undefined (clean ≈ corrupted)"
        return _html_table(f"activation patching · logit {self.target_token!r} − {self.foil_token!r}: clean "
                           f"{self.clean_value:.6g}, corrupted {self.corrupted_value:.6g} · peak {kind} "
                           f"layer {layer}{note} · {self.model_calls} model calls · {self.seconds:.2f} s",
                           self.to_pandas(), "raw")


# -- checks and shared plumbing --------------------------------------------------------------------
def _ids(model: "HFModel", ids: Sequence[int], what: str) -> list[int]:
    out = check_token_ids(ids, what, vocab_size(model))
    if len(out) > model.context_window:
        raise ValueError(f"{what} has {len(out)} tokens, more than the context window of {model.context_window}")
    return out


def _token(model: "HFModel", token_id: int, what: str) -> int:
    if isinstance(token_id, (list, tuple)):
        raise ValueError(f"{what} must be one token id, got a sequence")
    return check_token_ids([token_id], what, vocab_size(model))[0]


def _distinct(target: int, foil: int | None) -> None:
    if foil is not None and foil == target:
        raise ValueError("the target and foil are the same token")


def _resid_names(n_layers: int) -> list[str]:
    """Hook names of residual-stream layers 0..n_layers (entering each block, then after the last)."""
    return [f"blocks.{k}.hook_resid_pre" for k in range(n_layers)] + [f"blocks.{n_layers - 1}.hook_resid_post"]


def _batch(model: "HFModel", ids: list[int]) -> torch.Tensor:
    return torch.tensor([ids], device=model.device)


# -- logit lens ------------------------------------------------------------------------------------
@torch.no_grad()
def logit_lens(
    model: "HFModel", prompt_ids: Sequence[int], target_ids: Sequence[int], foil_ids: Sequence[int] | None = None
) -> LogitLens:
    """Decode the residual stream at the last prompt position after every layer with the final norm and
    unembedding; report log P of the target's (and foil's) first token and the top token per layer."""
    prompt = _ids(model, prompt_ids, "prompt_ids")
    target = check_token_ids(target_ids, "target_ids", vocab_size(model))[0]
    foil = check_token_ids(foil_ids, "foil_ids", vocab_size(model))[0] if foil_ids is not None else None
    _distinct(target, foil)
    bridge = model.bridge()
    began = time.perf_counter()
    names = _resid_names(bridge.cfg.n_layers)
    _, cache = bridge.run_with_cache(_batch(model, prompt), names_filter=lambda name: name in names)
    resid = torch.stack([cache[name][0, -1] for name in names])[None]  # [1, n_layers + 1, d_model]
    logp = torch.log_softmax(bridge.unembed(bridge.ln_final(resid))[0].float(), dim=-1)
    top = logp.argmax(-1).tolist()
    return LogitLens(
        tokens=token_strings(model, prompt), target_token=model.tokenizer.decode([target]),
        foil_token=model.tokenizer.decode([foil]) if foil is not None else None,
        logprob=logp[:, target].cpu().numpy(),
        logprob_diff=(logp[:, target] - logp[:, foil]).cpu().numpy() if foil is not None else None,
        top_ids=tuple(top), top_tokens=token_strings(model, top), seconds=time.perf_counter() - began,
    )


# -- direct logit attribution ----------------------------------------------------------------------
@torch.no_grad()
def direct_logit_attribution(
    model: "HFModel", prompt_ids: Sequence[int], target_id: int, foil_id: int | None = None
) -> DirectLogitAttribution:
    """Split the target logit (or target − foil logit difference) at the last prompt position into
    embedding, per-head attention and per-layer MLP terms.

    The final RMSNorm is linearised by freezing its scale (1/rms of the final residual stream) at the
    value of the actual run; each term is its output projected through norm weight / scale and the
    unembedding direction. The terms then sum exactly to the model's real (difference of) logits.
    """
    prompt = _ids(model, prompt_ids, "prompt_ids")
    target = _token(model, target_id, "target_id")
    foil = _token(model, foil_id, "foil_id") if foil_id is not None else None
    _distinct(target, foil)
    bridge = model.bridge()
    cfg = bridge.cfg
    if cfg.normalization_type != "RMS":
        raise ValueError(f"direct logit attribution needs a final RMSNorm; this model's is {cfg.normalization_type!r}")
    began = time.perf_counter()
    n_layers, n_heads = cfg.n_layers, cfg.n_heads
    wanted = {"blocks.0.hook_resid_pre", f"blocks.{n_layers - 1}.hook_resid_post", "ln_final.hook_scale",
              "ln_final.hook_out"} | {f"blocks.{k}.{h}" for k in range(n_layers)
                                      for h in ("attn.hook_z", "hook_attn_out", "hook_mlp_out")}
    logits, cache = bridge.run_with_cache(_batch(model, prompt), names_filter=lambda name: name in wanted)
    final = cache[f"blocks.{n_layers - 1}.hook_resid_post"][0, -1].float()
    scale = cache["ln_final.hook_scale"][0, -1].float()
    weight = bridge.ln_final.w.float() + (1.0 if getattr(cfg, "rmsnorm_uses_offset", False) else 0.0)
    if not torch.allclose(final / scale * weight, cache["ln_final.hook_out"][0, -1].float(), rtol=1e-3, atol=1e-4):
        raise ValueError("the final norm is not a plain RMSNorm (weight · x / scale); cannot linearise it")
    w_u, b_u = bridge.W_U.float(), bridge.b_U.float()
    direction, bias = w_u[:, target].clone(), float(b_u[target])
    actual = logits[0, -1, target].float()
    if foil is not None:
        direction, bias = direction - w_u[:, foil], bias - float(b_u[foil])
        actual = actual - logits[0, -1, foil].float()
    direction = direction * weight / scale

    heads = cache.stack_head_results(layer=-1, pos_slice=-1)[:, 0].float()  # [n_layers * n_heads, d_model]
    embed = cache["blocks.0.hook_resid_pre"][0, -1].float()
    attn = torch.stack([cache[f"blocks.{k}.hook_attn_out"][0, -1] for k in range(n_layers)]).float()
    mlps = torch.stack([cache[f"blocks.{k}.hook_mlp_out"][0, -1] for k in range(n_layers)]).float()
    # Attention biases and anything the decomposition misses (0 for Llama).
    remainder = (attn.sum(0) - heads.sum(0)) + (final - embed - attn.sum(0) - mlps.sum(0))
    return DirectLogitAttribution(
        tokens=token_strings(model, prompt), target_token=model.tokenizer.decode([target]),
        foil_token=model.tokenizer.decode([foil]) if foil is not None else None,
        heads=(heads @ direction).reshape(n_layers, n_heads).cpu().numpy(),
        mlps=(mlps @ direction).cpu().numpy(), embed=float(embed @ direction),
        bias=float(remainder @ direction) + bias, actual=float(actual), seconds=time.perf_counter() - began,
    )


# -- activation patching ---------------------------------------------------------------------------
def _patch_hook(clean: torch.Tensor, moves: list[tuple[int, int, int]]) -> Callable[..., torch.Tensor]:
    """A hook that writes ``clean[src]`` into batch row ``row`` at position ``dst``, for each (row, src, dst)."""
    rows, src, dst = (torch.tensor(col, device=clean.device) for col in zip(*moves))

    def hook(act: torch.Tensor, hook: Any) -> torch.Tensor:
        act = act.clone()
        act[rows, dst] = clean[src].to(act.dtype)
        return act

    return hook


def _position(position: int, length: int) -> int:
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not 0 <= position < length:
        raise ValueError(f"resid_positions must hold positions in [0, {length}), got {position!r}")
    return int(position)


@torch.no_grad()
def activation_patching(
    model: "HFModel",
    clean_ids: Sequence[int],
    corrupted_ids: Sequence[int],
    target_id: int,
    foil_id: int,
    *,
    max_batch: int = 32,
    min_gap: float = 1e-3,
    resid_positions: Sequence[int] | None = None,
) -> ActivationPatching:
    """Patch clean activations into the corrupted run one component at a time and measure the logit
    difference (target − foil) at the last position: attention and MLP outputs at the final position
    for every layer, and the residual stream at every layer × position (equal-length prompts) or at the
    final position only. Patches run ``max_batch`` at a time as rows of one batched forward.

    ``resid_positions`` restricts the residual-stream patches of equal-length prompts to exactly those
    positions (``()``: none). The full grid costs layers × positions forwards,
    quadratic in the prompt length, so a time-budgeted caller passes e.g. the positions where the
    two prompts differ."""
    clean = _ids(model, clean_ids, "clean_ids")
    corrupted = _ids(model, corrupted_ids, "corrupted_ids")
    target, foil = _token(model, target_id, "target_id"), _token(model, foil_id, "foil_id")
    _distinct(target, foil)
    if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
        raise ValueError(f"max_batch must be a positive integer, got {max_batch!r}")
    if not (isinstance(min_gap, (int, float)) and math.isfinite(min_gap) and min_gap >= 0):
        raise ValueError(f"min_gap must be a finite non-negative number, got {min_gap!r}")
    bridge = model.bridge()
    n_layers = bridge.cfg.n_layers
    began = time.perf_counter()

    def metric(logits: torch.Tensor) -> torch.Tensor:
        last = logits[:, -1].double()
        return last[:, target] - last[:, foil]

    resid_names = _resid_names(n_layers)
    attn_names = [f"blocks.{k}.hook_attn_out" for k in range(n_layers)]
    mlp_names = [f"blocks.{k}.hook_mlp_out" for k in range(n_layers)]
    wanted = set(resid_names + attn_names + mlp_names)
    clean_logits, cache = bridge.run_with_cache(_batch(model, clean), names_filter=lambda name: name in wanted)
    corrupted_batch = _batch(model, corrupted)
    clean_value, corrupted_value = float(metric(clean_logits)), float(metric(bridge(corrupted_batch)))

    last_c, last_x = len(clean) - 1, len(corrupted) - 1
    same_length = len(clean) == len(corrupted)
    if resid_positions is None:
        positions = list(range(len(clean))) if same_length else [last_c]
    else:
        positions = sorted({_position(p, len(clean)) for p in resid_positions})
        if not same_length and positions not in ([], [last_c]):
            raise ValueError("prompts of different lengths can only have resid_positions () or the final position")
    jobs = [(name, last_c, last_x) for name in attn_names + mlp_names]  # (hook, clean position, corrupted position)
    jobs += [(name, p, p if same_length else last_x) for name in resid_names for p in positions]
    raw: list[float] = []
    for start in range(0, len(jobs), max_batch):
        chunk = jobs[start:start + max_batch]
        moves: dict[str, list[tuple[int, int, int]]] = {}
        for row, (name, src, dst) in enumerate(chunk):
            moves.setdefault(name, []).append((row, src, dst))
        hooks = [(name, _patch_hook(cache[name][0], m)) for name, m in moves.items()]
        logits = bridge.run_with_hooks(corrupted_batch.expand(len(chunk), -1), fwd_hooks=hooks)
        raw += (metric(logits) - corrupted_value).tolist()
    return ActivationPatching(
        clean_tokens=token_strings(model, clean), corrupted_tokens=token_strings(model, corrupted),
        target_token=model.tokenizer.decode([target]), foil_token=model.tokenizer.decode([foil]),
        clean_value=clean_value, corrupted_value=corrupted_value,
        attn_raw=raw[:n_layers], mlp_raw=raw[n_layers:2 * n_layers],
        resid_raw=np.reshape(raw[2 * n_layers:], (n_layers + 1, len(positions))),
        resid_positions=tuple(positions), min_gap=float(min_gap),
        model_calls=2 + math.ceil(len(jobs) / max_batch), seconds=time.perf_counter() - began,
    )
