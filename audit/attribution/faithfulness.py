"""Faithfulness of token attributions: does removing the top-ranked tokens change the target?

Tokens are "removed" by replacing them with an explicit baseline token (same length, so no
re-tokenisation and no padding); ``f`` is the target function's value (column 0).

* **Eligible positions.** Only eligible positions are ranked, removed or kept; the others
  always keep their token. Default: every prompt position except the last, which in a chat
  prompt is the template's assistant-start token: its hidden state is the one that predicts
  the answer, so replacing it breaks the query itself rather than removing evidence. Pass
  ``eligible`` masks to also exclude other template (special) tokens.
* **ERASER** (DeYoung et al. 2020), over bins k ∈ {1, 5, 10, 20, 50} % of the n eligible
  tokens, each bin holding ``ceil(k·n/100)`` tokens (integer arithmetic; ≥ 1 token since
  n ≥ 1; short prompts repeat counts and every bin still weighs the same):
  comprehensiveness = mean_k f(x) − f(x without the top bin) (higher is better);
  sufficiency = mean_k f(x) − f(only the top bin kept) (lower is better). Raw target units.
* **AOPC curves**, at counts ``c_j = ceil(j·n/J)``, j = 1..J, J = min(n, curve_points) (one
  token at a time for short prompts; c_J = n): deletion = mean_j (f(x) − f(x without top c_j)) / D,
  insertion = mean_j (f(only top c_j kept) − f(all removed)) / D, with D = f(x) − f(all removed).
  Both are fractions of the total change (1 = all of it at the first step; a non-monotone curve
  can overshoot past 1 or below 0); when |D| < ``min_range`` they are NaN and counted as
  undefined, never 0.
* **Chance**: the same metrics for ``n_random`` seeded random orders of the eligible positions,
  averaged per instance, and the paired difference method − random.

Ties in the attribution's scores are broken by position (stable sort).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch

from audit.attribution.base import Attribution, describe_baseline, resolve_baseline, vocab_size
from audit.attribution.targets import TargetFunction, check_token_ids
from audit.stats import Interval, bootstrap_mean, mean_difference_ci

if TYPE_CHECKING:
    import pandas as pd

    from audit.models.hf import HFModel

METRICS: tuple[str, ...] = ("comprehensiveness", "sufficiency", "deletion_aopc", "insertion_aopc")
HIGHER_IS_BETTER: dict[str, bool] = {"comprehensiveness": True, "sufficiency": False,
                                     "deletion_aopc": True, "insertion_aopc": True}
ERASER_BINS: tuple[int, ...] = (1, 5, 10, 20, 50)


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@torch.no_grad()
def masked_target_values(
    model: "HFModel", prompt_ids: Sequence[int], target_ids: Sequence[int], target: TargetFunction,
    masks: Any, baseline_id: int, batch_size: int = 16,
) -> np.ndarray:
    """Target value (column 0) per mask [n_masks, n_prompt] (True → position replaced by ``baseline_id``).

    Every continuation of ``target`` is teacher-forced; logits are computed only at the
    positions that predict continuation tokens. Returns float64 [n_masks].
    """
    if not isinstance(target, TargetFunction):
        raise ValueError(f"target must be a TargetFunction (see audit.attribution.TARGETS), got {target!r}")
    size = vocab_size(model)
    prompt = np.array(check_token_ids(prompt_ids, "prompt_ids", size), dtype=np.int64)
    conts = [check_token_ids(c, "continuation (target or foil)", size) for c in
             target.continuations(check_token_ids(target_ids, "target_ids", size))]
    (baseline,) = check_token_ids([baseline_id], "baseline_id", size)
    batch_size = _positive_int(batch_size, "batch_size")
    masks = np.asarray(masks)
    if masks.dtype != np.bool_ or masks.ndim != 2 or masks.shape[1] != prompt.size:
        raise ValueError(f"masks must be booleans of shape [n_masks, {prompt.size}] (n_prompt), "
                         f"got {masks.dtype} {masks.shape}")
    out = np.empty(masks.shape[0], dtype=np.float64)
    for lo in range(0, masks.shape[0], batch_size):
        ids = np.where(masks[lo:lo + batch_size], baseline, prompt[None, :])
        lps = []
        for cont in conts:
            rows = np.concatenate([ids, np.tile(np.array(cont[:-1], dtype=np.int64), (ids.shape[0], 1))], axis=1)
            logits = model.model(input_ids=torch.as_tensor(rows, device=model.device),
                                 logits_to_keep=len(cont)).logits.float()
            logp = torch.log_softmax(logits, dim=-1)
            labels = torch.tensor(cont, device=logp.device)[None, :, None].expand(ids.shape[0], -1, 1)
            lps.append(logp.gather(-1, labels)[..., 0].cpu())
        out[lo:lo + ids.shape[0]] = target(lps)[:, 0].double().numpy()
    return out


def default_eligible(n_prompt: int) -> np.ndarray:
    """Every position but the last (the assistant-start token of a chat prompt)."""
    eligible = np.ones(n_prompt, dtype=bool)
    eligible[-1] = False
    return eligible


def bin_counts(n: int, bins: Sequence[int] = ERASER_BINS) -> tuple[int, ...]:
    """Tokens per ERASER bin: ceil(k·n/100) for each percentage k (≥ 1 when n ≥ 1)."""
    return tuple(-(-k * n // 100) for k in bins)


def curve_counts(n: int, curve_points: int) -> tuple[int, ...]:
    """Cumulative tokens removed/inserted per AOPC step: ceil(j·n/J), j = 1..J, J = min(n, curve_points)."""
    steps = min(n, curve_points)
    return tuple(-(-j * n // steps) for j in range(1, steps + 1))


@dataclass(frozen=True)
class InstanceFaithfulness:
    """Faithfulness of one attribution; ``random`` holds the mean over random orders ({} if none)."""

    full_value: float
    removed_value: float
    n_eligible: int
    bin_counts: tuple[int, ...]
    curve_counts: tuple[int, ...]
    method: dict[str, float]
    random: dict[str, float]
    deletion_curve: np.ndarray
    insertion_curve: np.ndarray
    n_masks: int
    """Distinct masked prompts evaluated (the cost in forward rows, per continuation)."""

    def to_pandas(self) -> "pd.DataFrame":
        """One row per faithfulness metric: this attribution's value and the mean over random rankings."""
        import pandas as pd

        names = list(self.method) + [k for k in self.random if k not in self.method]
        return pd.DataFrame({"metric": names, "method": [self.method.get(k) for k in names],
                             "random": [self.random.get(k) for k in names]})

    def _repr_html_(self) -> str:
        from audit.notebook import _table

        return _table(["metric", "this attribution", "random rankings (mean)"],
                      ((k, self.method.get(k), self.random.get(k)) for k in self.method))


def _check_eligible(eligible: Any, n: int) -> np.ndarray:
    if eligible is None:
        eligible = default_eligible(n)
    mask = np.asarray(eligible)
    if mask.dtype != np.bool_ or mask.shape != (n,):
        raise ValueError(f"eligible must be a boolean mask of shape ({n},), got {mask.dtype} {mask.shape}")
    if not mask.any():
        raise ValueError("no eligible positions: need at least one prompt token that may be removed")
    return mask.copy()


def _ranking_masks(order: np.ndarray, eligible: np.ndarray, counts: Sequence[int]) -> tuple[list, list]:
    """For each count c: (remove the top c, keep only the top c) masks."""
    removes, keeps = [], []
    for c in counts:
        remove = np.zeros_like(eligible)
        remove[order[:c]] = True
        removes.append(remove)
        keeps.append(eligible & ~remove)
    return removes, keeps


def instance_faithfulness(
    model: "HFModel", prompt_ids: Sequence[int], target_ids: Sequence[int], attribution: Attribution,
    target: TargetFunction, *, baseline_id: int | None = None, eligible: Any = None, n_random: int = 10,
    rng: int | np.random.Generator = 0, bins: Sequence[int] = ERASER_BINS, curve_points: int = 20,
    batch_size: int = 16, min_range: float = 1e-4,
) -> InstanceFaithfulness:
    """ERASER and AOPC metrics of one attribution, and of ``n_random`` random orders (see the module doc)."""
    if not isinstance(attribution, Attribution):
        raise ValueError(f"attribution must be an Attribution, got {type(attribution).__name__}")
    if attribution.token_ids is None:
        raise ValueError("attribution has no token_ids: faithfulness needs the prompt ids it explains")
    prompt = check_token_ids(prompt_ids, "prompt_ids")
    if tuple(prompt) != attribution.token_ids:
        raise ValueError("prompt_ids differ from the attribution's token_ids: the attribution explains another prompt")
    if not isinstance(target, TargetFunction):
        raise ValueError(f"target must be a TargetFunction (see audit.attribution.TARGETS), got {target!r}")
    if attribution.target != target.name:
        raise ValueError(f"the attribution explains target {attribution.target!r}, not {target.name!r}")
    n_random = _positive_int(n_random, "n_random", minimum=0)
    curve_points = _positive_int(curve_points, "curve_points")
    if not bins or any(isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100 for k in bins):
        raise ValueError(f"bins must be non-empty integer percentages in [1, 100], got {bins!r}")
    if not isinstance(min_range, (int, float)) or not math.isfinite(min_range) or min_range < 0:
        raise ValueError(f"min_range must be a finite number >= 0, got {min_range!r}")
    mask_ok = _check_eligible(eligible, len(prompt))
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    baseline = resolve_baseline(model, baseline_id)

    positions = np.flatnonzero(mask_ok)
    n = positions.size
    by_score = positions[np.argsort(-attribution.scores[positions], kind="stable")]
    orders = [by_score] + [generator.permutation(positions) for _ in range(n_random)]
    bcounts, ccounts = bin_counts(n, bins), curve_counts(n, curve_points)
    per_order = [(_ranking_masks(o, mask_ok, bcounts), _ranking_masks(o, mask_ok, ccounts)) for o in orders]
    everything = [np.zeros_like(mask_ok), mask_ok]  # nothing removed, every eligible token removed
    for (b_remove, b_keep), (c_remove, c_keep) in per_order:
        everything += b_remove + b_keep + c_remove + c_keep
    unique: dict[bytes, int] = {}  # masks repeat (short prompts, the curves' ends): evaluate each once
    rows = []
    for m in everything:
        if m.tobytes() not in unique:
            unique[m.tobytes()] = len(rows)
            rows.append(m)
    values = masked_target_values(model, prompt, target_ids, target, np.stack(rows), baseline, batch_size)

    def f(masks: list[np.ndarray]) -> np.ndarray:
        return np.array([values[unique[m.tobytes()]] for m in masks])

    full, removed = float(f([everything[0]])[0]), float(f([everything[1]])[0])
    denom = full - removed
    defined = abs(denom) >= min_range and abs(denom) > 0
    results, curves = [], []
    for (b_remove, b_keep), (c_remove, c_keep) in per_order:
        deletion = (full - f(c_remove)) / denom if defined else np.full(len(ccounts), np.nan)
        insertion = (f(c_keep) - removed) / denom if defined else np.full(len(ccounts), np.nan)
        results.append({"comprehensiveness": float(np.mean(full - f(b_remove))),
                        "sufficiency": float(np.mean(full - f(b_keep))),
                        "deletion_aopc": float(np.mean(deletion)), "insertion_aopc": float(np.mean(insertion))})
        deletion.setflags(write=False)
        insertion.setflags(write=False)
        curves.append((deletion, insertion))
    chance = {m: float(np.mean([r[m] for r in results[1:]])) for m in METRICS} if n_random else {}
    return InstanceFaithfulness(full, removed, int(n), bcounts, ccounts, results[0], chance,
                                curves[0][0], curves[0][1], len(unique))


@dataclass(frozen=True)
class MetricSummary:
    """One metric over instances: the method, chance (random orders) and their paired difference."""

    metric: str
    higher_is_better: bool
    method: Interval
    random: Interval | None
    difference: Interval | None
    n: int
    n_undefined: int


def _mean_ci(values: np.ndarray, confidence: float, n_resamples: int, seed: int) -> Interval:
    if values.size < 2:
        estimate = float(values[0]) if values.size else math.nan
        return Interval(estimate, math.nan, math.nan, int(values.size), "too few values for a bootstrap", confidence)
    return bootstrap_mean(values, confidence=confidence, n_resamples=n_resamples, seed=seed)


def summarise_values(metric: str, ours: Sequence[float], chance: Sequence[float] | None = None,
                     confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0) -> MetricSummary:
    """One metric over instances (NaN = undefined): its mean, chance's mean, and the paired difference."""
    ours_arr = np.asarray(ours, dtype=np.float64)
    ok = np.isfinite(ours_arr)
    method_ci = _mean_ci(ours_arr[ok], confidence, n_resamples, seed)
    random_ci = diff_ci = None
    if chance is not None:
        chance_arr = np.asarray(chance, dtype=np.float64)
        both = ok & np.isfinite(chance_arr)
        random_ci = _mean_ci(chance_arr[np.isfinite(chance_arr)], confidence, n_resamples, seed)
        if both.sum() >= 2:
            diff_ci = mean_difference_ci(ours_arr[both], chance_arr[both], confidence, n_resamples, seed)
        else:
            diff_ci = _mean_ci(ours_arr[both] - chance_arr[both], confidence, n_resamples, seed)
    return MetricSummary(metric, HIGHER_IS_BETTER[metric], method_ci, random_ci, diff_ci, int(ok.sum()),
                         int((~ok).sum()))


def _summarise(metric: str, results: Sequence[InstanceFaithfulness], confidence: float, n_resamples: int,
               seed: int) -> MetricSummary:
    ours = [r.method[metric] for r in results]
    chance = [r.random.get(metric, math.nan) for r in results] if results[0].random else None
    return summarise_values(metric, ours, chance, confidence, n_resamples, seed)


@dataclass(frozen=True)
class FaithfulnessReport:
    """Faithfulness of one explainer over instances, with bootstrap CIs and a random-order baseline."""

    method: str
    target: str
    baseline: str
    n_random: int
    bins: tuple[int, ...]
    confidence: float
    summaries: tuple[MetricSummary, ...]
    instances: tuple[InstanceFaithfulness, ...] = field(repr=False)

    def summary(self, metric: str) -> MetricSummary:
        """The summary of ``metric`` (one of ``METRICS``)."""
        for s in self.summaries:
            if s.metric == metric:
                return s
        raise ValueError(f"unknown faithfulness metric {metric!r} (known: {', '.join(METRICS)})")

    def to_pandas(self) -> "pd.DataFrame":
        """One row per metric: mean and CI for method, random and method − random; n, n_undefined."""
        import pandas as pd

        rows = []
        for s in self.summaries:
            row: dict[str, Any] = {"metric": s.metric, "better": "higher" if s.higher_is_better else "lower"}
            for name, iv in (("method", s.method), ("random", s.random), ("difference", s.difference)):
                row.update({name: iv.estimate if iv else math.nan, f"{name}_low": iv.low if iv else math.nan,
                            f"{name}_high": iv.high if iv else math.nan})
            row.update(n=s.n, n_undefined=s.n_undefined)
            rows.append(row)
        frame = pd.DataFrame(rows)
        frame.attrs.update(method=self.method, target=self.target, baseline=self.baseline, n_random=self.n_random,
                           bins=self.bins, confidence=self.confidence, n_instances=len(self.instances))
        return frame

    def _cells(self) -> tuple[str, list[str], list[list[str]]]:
        level = f"{100 * self.confidence:g}% CI"
        caption = (f"Faithfulness of {self.method} (target {self.target}, baseline {self.baseline}, "
                   f"{len(self.instances)} instances, {self.n_random} random orders each; "
                   f"ERASER bins {', '.join(f'{k}%' for k in self.bins)})")
        header = ["metric", "better", f"method [{level}]", f"random [{level}]", f"method − random [{level}]",
                  "n", "undefined"]

        def cell(iv: Interval | None) -> str:
            return "—" if iv is None else f"{iv.estimate:.4g} [{iv.low:.4g}, {iv.high:.4g}]"

        body = [[s.metric, "higher" if s.higher_is_better else "lower", cell(s.method), cell(s.random),
                 cell(s.difference), str(s.n), str(s.n_undefined)] for s in self.summaries]
        return caption, header, body

    def to_markdown(self) -> str:
        """A Markdown table; all text is escaped (HTML and Markdown syntax)."""
        from audit.report.render import md_escape

        caption, header, body = self._cells()
        lines = [md_escape(caption), "", "| " + " | ".join(md_escape(h) for h in header) + " |",
                 "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in body]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        """A self-contained HTML table; all text is escaped."""
        caption, header, body = self._cells()
        esc = lambda text: html.escape(text, quote=True)  # noqa: E731
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in body)
        return (f'<table class="medaudit-faithfulness" data-method="{esc(self.method)}">'
                f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def evaluate_faithfulness(
    model: "HFModel", instances: Sequence[tuple[Sequence[int], Sequence[int]]], attributions: Sequence[Attribution],
    target: TargetFunction, *, baseline_id: int | None = None, eligible: Sequence[Any] | None = None,
    n_random: int = 10, seed: int = 0, bins: Sequence[int] = ERASER_BINS, curve_points: int = 20,
    batch_size: int = 16, min_range: float = 1e-4, confidence: float = 0.95, n_resamples: int = 2000,
) -> FaithfulnessReport:
    """Faithfulness of one method's ``attributions``; ``instances[i]`` = (prompt_ids, target_ids) of the i-th.

    ``eligible``: per instance a boolean mask or None (default eligibility). Instance i's random
    orders are drawn from ``numpy.random.default_rng([seed, i])``; bootstrap CIs use ``seed``.
    """
    instances, attributions = list(instances), list(attributions)
    if not instances or len(instances) != len(attributions):
        raise ValueError(f"need one (prompt_ids, target_ids) instance per attribution, got {len(instances)} "
                         f"instances and {len(attributions)} attributions")
    if eligible is not None and len(eligible) != len(instances):
        raise ValueError(f"eligible has {len(eligible)} masks for {len(instances)} instances")
    if not all(isinstance(a, Attribution) for a in attributions):
        raise ValueError("attributions must be Attribution objects")
    methods = sorted({a.method for a in attributions})
    if len(methods) != 1:
        raise ValueError(f"attributions mix methods {methods}: evaluate one method per report")
    if not isinstance(target, TargetFunction):
        raise ValueError(f"target must be a TargetFunction (see audit.attribution.TARGETS), got {target!r}")
    seed = _positive_int(seed, "seed", minimum=0)
    baseline = resolve_baseline(model, baseline_id)
    results = []
    for i, (inst, attribution) in enumerate(zip(instances, attributions)):
        if len(inst) != 2:
            raise ValueError(f"instance {i} must be a (prompt_ids, target_ids) pair")
        results.append(instance_faithfulness(
            model, inst[0], inst[1], attribution, target, baseline_id=baseline,
            eligible=None if eligible is None else eligible[i], n_random=n_random,
            rng=np.random.default_rng([seed, i]), bins=bins, curve_points=curve_points, batch_size=batch_size,
            min_range=min_range))
    summaries = tuple(_summarise(m, results, confidence, n_resamples, seed) for m in METRICS)
    return FaithfulnessReport(methods[0], target.name, describe_baseline(model, baseline), n_random, tuple(bins),
                              float(confidence), summaries, tuple(results))
