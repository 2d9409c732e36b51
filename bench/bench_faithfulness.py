"""Benchmark: every registered attribution method on the same 30 findings, one faithfulness table.

On the embedded SmolLM2-135M-Instruct (CPU, float32, offline):

1. **Instances.** Items the model gets wrong (its preferred option ≠ the expected one) from
   option-scored probes with short prompts: ``pubmedqa`` (closed-book condition only),
   ``none_of_the_above``, ``false_confidence``, ``sycophancy``, ``counterfactual_decisions``
   (each its default selection, seed 0). Their queries whose chat-templated prompt has at most
   ``--max-tokens`` (160) tokens are put in one fixed order (prompt length, then the probe order
   above, then item index) and scored in that order with ``model.score_options`` and
   ``probe.score`` (what ``run_audit`` does) until ``--instances`` (30) wrong items are found:
   the 30 shortest wrong items across probes. On the embedded model these are all closed-book
   PubMedQA questions (56-66 tokens), the shortest prompts of any probe; ``--per-probe 6`` takes
   at most 6 per probe instead (prompts of 56-~115 tokens, and a run ~2x as long).
   ``stereotype_preference`` is left out (no expected option, one fixed prompt for every pair),
   ``context_counterfactual`` too (prompts of 300+ tokens). Each instance is explained as
   ``audit/attribution/findings.py`` does: ``probe.explanation_request(query, item)`` gives the
   chosen option's text (target) against the expected option's text (foil), and the target
   function is ``contrastive``: log P(chosen) − log P(expected).
2. **Explanations.** Every instance is explained by every registered method (``EXPLAINERS``:
   occlusion, captum.feature_ablation, captum.shapley, captum.lime,
   captum.integrated_gradients, shap), methods interleaved per instance so drift in the
   machine's load hits all alike, after one untimed warm-up call of each method on the first
   instance. Seconds per instance are the wall time of ``explainer.explain(...)``. Budgets
   (printed at the start): occlusion and captum.feature_ablation are exact and have none.
   captum's feature ablation and Shapley sampling run one unbatched full forward per ablated
   token (Shapley: per token and permutation) for each of the two continuations, ~0.15 s each
   on 2 idle cores (as in bench_occlusion.py), i.e. ~17 s per 56-token instance; so Shapley
   gets ``n_samples=1`` (one permutation: the cost of feature ablation) and the other sampling
   methods small budgets (LIME 24 samples, IG 16 steps, shap 64 evaluations). With the
   faithfulness scoring (~30 s per instance, below) that is ~90 s per instance, ~45 minutes
   for 30 on 2 otherwise idle CPU cores; any other CPU-bound process slows it 2-10x.
   ``--quick``: the 5 shortest instances, LIME 16, IG 4, shap 32 (~9 minutes when idle).
3. **Faithfulness.** Per method, ``audit.attribution.faithfulness`` over the instances: ERASER
   comprehensiveness and sufficiency, deletion and insertion AOPC (``--curve-points`` 10), each
   against ``--n-random`` (3) seeded random orders of the same prompt (instance i's orders are drawn from
   ``default_rng([seed, i])``, exactly as ``evaluate_faithfulness`` draws them) with the paired
   difference method − random and bootstrap 95% CIs. ``evaluate_faithfulness`` takes one
   target function for all instances, and here every instance has its own foil, so the script
   calls ``instance_faithfulness`` per instance and ``summarise_values`` per metric, which is
   what ``evaluate_faithfulness`` does inside. The masked prompts of the random orders are the
   same for every method, so the script memoises ``masked_target_values`` per instance (each
   distinct masked prompt is scored once, for all methods); values are unchanged up to float
   rounding of a different batch composition (~1e-6).

It prints ONE table: method, median seconds per instance, each metric's mean [95% CI] and the
paired method − random difference [95% CI], n (instances) and n_undefined (instances whose
AOPC is undefined because removing every eligible token changes the target by < 1e-4), plus a
row for the random orders themselves (the same masks for every method). The table is
**descriptive**: no method is assumed to win, nothing is PASS/FAIL, and the methods run with
different compute budgets. As a sanity check it prints the largest |Δ| between occlusion and
captum.feature_ablation scores (both compute the exact single-token ablation effect).

Run from the repository root: ``.venv/bin/python bench/bench_faithfulness.py [--quick]
[--out table.md]``. Always exits 0.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402

from _timing import load_average, timed  # noqa: E402  (scripts run from bench/)

PROBE_ORDER = ("pubmedqa", "none_of_the_above", "false_confidence", "sycophancy", "counterfactual_decisions")
ONLY_CONDITION = {"pubmedqa": "closed_book"}
METHOD_ORDER = ("occlusion", "captum.feature_ablation", "captum.shapley", "captum.lime",
                "captum.integrated_gradients", "shap")
FULL_OPTIONS: dict[str, dict[str, Any]] = {
    "occlusion": {},
    "captum.feature_ablation": {},
    "captum.shapley": {"n_samples": 1},
    "captum.lime": {"n_samples": 24},
    "captum.integrated_gradients": {"n_steps": 16},
    "shap": {"max_evals": 64},
}
QUICK_OPTIONS: dict[str, dict[str, Any]] = {
    "occlusion": {},
    "captum.feature_ablation": {},
    "captum.shapley": {"n_samples": 1},
    "captum.lime": {"n_samples": 16},
    "captum.integrated_gradients": {"n_steps": 4},
    "shap": {"max_evals": 32},
}
METRIC_LABELS = (("comprehensiveness", "comprehensiveness ↑"), ("sufficiency", "sufficiency ↓"),
                 ("deletion_aopc", "deletion AOPC ↑"), ("insertion_aopc", "insertion AOPC ↑"))


@dataclass(frozen=True)
class Instance:
    probe: str
    item_id: str
    index: int
    condition: str | None
    prompt_ids: list[int]
    target_ids: list[int]
    target: Any  # ContrastiveTarget(foil_ids)
    target_text: str
    foil_text: str


def select_instances(model: Any, n: int, per_probe: int | None,
                     max_tokens: int) -> tuple[list[Instance], dict[str, tuple[int, int, int]]]:
    """The n shortest wrong items across probes (at most ``per_probe`` from one probe when given).

    Returns them and, per probe, (queries considered, queries scored, wrong items taken).
    """
    from audit.attribution import make_target
    from audit.runner import RunConfig, prepare, select_probes

    pool = []  # (prompt tokens, probe rank, item index, probe, query)
    for rank, probe_id in enumerate(PROBE_ORDER):
        config = RunConfig(probes=(probe_id,), explain=0, device="cpu")
        (probe,) = select_probes(config)
        for query in prepare(probe, model, config).queries:
            if query.kind != "options" or query.reference not in query.options:
                continue
            if ONLY_CONDITION.get(probe_id, query.condition) != query.condition:
                continue
            n_tokens = len(model.encode_prompt(list(query.messages)))
            if n_tokens <= max_tokens:
                pool.append((n_tokens, rank, query.index, probe, query))
    pool.sort(key=lambda row: row[:3])
    counts = {p: [0, 0, 0] for p in PROBE_ORDER}
    for row in pool:
        counts[row[3].id][0] += 1
    chosen: list[Instance] = []
    for _, _, _, probe, query in pool:
        if len(chosen) >= n:
            break
        if per_probe is not None and counts[probe.id][2] >= per_probe:
            continue
        item = probe.score(query, model.score_options(query.messages, query.options, query.item_id))
        counts[probe.id][1] += 1
        if not item.option_logprobs or item.parsed not in query.options or item.parsed == item.reference:
            continue
        request = probe.explanation_request(query, item)
        if request is None or request.foil_text != query.options[item.reference][0]:
            continue  # not the chosen-vs-expected contrast the audit would explain
        foil_ids = model.encode_continuation(request.foil_text)
        chosen.append(Instance(probe.id, query.item_id, query.index, query.condition,
                               model.encode_prompt(list(request.messages)),
                               model.encode_continuation(request.target_text),
                               make_target("contrastive", foil_ids), request.target_text, request.foil_text))
        counts[probe.id][2] += 1
    return chosen, {p: (c[0], c[1], c[2]) for p, c in counts.items()}


def memoise_masked_values() -> dict:
    """Make ``faithfulness.masked_target_values`` score each distinct masked prompt once per instance."""
    from audit.attribution import faithfulness

    original = faithfulness.masked_target_values
    cache: dict[tuple, dict[bytes, float]] = {}

    def cached(model: Any, prompt_ids: Any, target_ids: Any, target: Any, masks: Any, baseline_id: int,
               batch_size: int = 16) -> np.ndarray:
        key = (tuple(int(t) for t in prompt_ids), tuple(int(t) for t in target_ids), target, int(baseline_id))
        store = cache.setdefault(key, {})
        masks = np.asarray(masks)
        todo = [i for i, m in enumerate(masks) if m.tobytes() not in store]
        if todo:
            values = original(model, prompt_ids, target_ids, target, masks[todo], baseline_id, batch_size)
            store.update({masks[i].tobytes(): float(v) for i, v in zip(todo, values)})
        return np.array([store[m.tobytes()] for m in masks], dtype=np.float64)

    faithfulness.masked_target_values = cached
    return cache


def describe_lengths(lengths: list[int]) -> str:
    q = np.percentile(lengths, [0, 25, 50, 75, 100])
    return f"n={len(lengths)}, min {q[0]:.0f}, q1 {q[1]:.0f}, median {q[2]:.0f}, q3 {q[3]:.0f}, max {q[4]:.0f}"


def cell(iv: Any, signed: bool = False) -> str:
    if iv is None or not math.isfinite(iv.estimate):
        return "—"
    fmt = "{:+.3f}" if signed else "{:.3f}"
    if not (math.isfinite(iv.low) and math.isfinite(iv.high)):
        return fmt.format(iv.estimate)
    return f"{fmt.format(iv.estimate)} [{fmt.format(iv.low)}, {fmt.format(iv.high)}]"


def build_table(reports: dict[str, Any], seconds: dict[str, list[float]], errors: dict[str, int]) -> list[list[str]]:
    header = ["method", "s / instance (median)"]
    for _, label in METRIC_LABELS:
        header += [f"{label} [95% CI]", "− random [95% CI]"]
    header += ["n", "n_undefined"]
    rows = [header]
    random_row: list[str] | None = None
    for method, report in reports.items():
        row = [method + (f" ({errors[method]} failed)" if errors.get(method) else ""),
               f"{statistics.median(seconds[method]):.2f}"]
        undefined = 0
        for metric, _ in METRIC_LABELS:
            s = report.summary(metric)
            row += [cell(s.method), cell(s.difference, signed=True)]
            undefined = max(undefined, s.n_undefined)
        row += [str(len(report.instances)), str(undefined)]
        rows.append(row)
        if random_row is None:  # the random orders are the same masks for every method (same seeds)
            random_row = [f"random order (mean of {report.n_random})", "—"]
            for metric, _ in METRIC_LABELS:
                random_row += [cell(report.summary(metric).random), "—"]
            random_row += [str(len(report.instances)), "—"]
    if random_row is not None:
        rows.append(random_row)
    return rows


def markdown(rows: list[list[str]], caption: str) -> str:
    from audit.report.render import md_escape

    lines = [md_escape(caption), "", "| " + " | ".join(md_escape(c) for c in rows[0]) + " |",
             "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines) + "\n"


def plain(rows: list[list[str]]) -> str:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 instances, smaller budgets (a smoke test)")
    parser.add_argument("--instances", type=int, default=None, help="instances (default 30; --quick: 5)")
    parser.add_argument("--per-probe", type=int, default=None,
                        help="most instances from one probe (default: no cap, i.e. the shortest across probes)")
    parser.add_argument("--max-tokens", type=int, default=160, help="longest prompt considered, in tokens")
    parser.add_argument("--methods", default=",".join(METHOD_ORDER), help="comma-separated registered methods")
    parser.add_argument("--n-random", type=int, default=None, help="random orders per instance (default 3)")
    parser.add_argument("--curve-points", type=int, default=None, help="AOPC curve points (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the table as Markdown to this file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    started = time.perf_counter()

    try:
        import torch
        from importlib.metadata import version

        from audit.attribution import EXPLAINERS, get_explainer
        from audit.attribution.faithfulness import (
            ERASER_BINS,
            METRICS,
            FaithfulnessReport,
            instance_faithfulness,
            summarise_values,
        )
        from audit.attribution.base import describe_baseline, resolve_baseline
        from audit.models import load_model
    except Exception as exc:  # noqa: BLE001  (a benchmark reports and exits 0)
        print(f"cannot import the project: {exc}")
        return 0

    n_instances = args.instances or (5 if args.quick else 30)
    per_probe = args.per_probe
    n_random = args.n_random if args.n_random is not None else 3
    curve_points = args.curve_points or 10
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in EXPLAINERS]
    if unknown:
        print(f"unknown method(s) {', '.join(unknown)}; registered: {', '.join(EXPLAINERS.names())}")
        return 0
    options = {m: (QUICK_OPTIONS if args.quick else FULL_OPTIONS).get(m, {}) for m in methods}

    model = load_model(None, device="cpu")
    baseline = resolve_baseline(model, None)
    print(f"torch {torch.__version__}, transformers {version('transformers')}, captum {version('captum')}, "
          f"shap {version('shap')}; threads {torch.get_num_threads()}, cpus {os.cpu_count()}, "
          f"dtype {model.model.dtype}; load average at start {load_average()}")
    print(f"mode {'quick' if args.quick else 'full'}: {n_instances} instances, target contrastive "
          f"(log P(chosen) − log P(expected option)), baseline {describe_baseline(model, baseline)}")
    print("options per method: " + "; ".join(
        f"{m} {options[m] or '(exact, no options)'}" for m in methods))
    print(f"faithfulness: ERASER bins {', '.join(f'{k}%' for k in ERASER_BINS)}; AOPC curve points {curve_points}; "
          f"{n_random} random orders per instance (seed {args.seed}); eligible: every prompt token but the last "
          f"(the assistant-start token); bootstrap 95% CIs (2000 resamples)")

    seconds, instances = timed(lambda: select_instances(model, n_instances, per_probe, args.max_tokens))
    instances, counts = instances
    print(f"\ninstance selection ({seconds:.0f} s; option queries with a prompt <= {args.max_tokens} tokens, scored "
          f"shortest first across probes until {n_instances} wrong items were found"
          + (f", at most {per_probe} per probe" if per_probe else "") + "):")
    for probe_id in PROBE_ORDER:
        used = [len(i.prompt_ids) for i in instances if i.probe == probe_id]
        considered, scored, _ = counts[probe_id]
        condition = f" ({ONLY_CONDITION[probe_id]} only)" if probe_id in ONLY_CONDITION else ""
        print(f"  {probe_id:26s} {considered:3d} queries{condition:19s} {scored:3d} scored, {len(used):2d} used"
              + (f"; prompt tokens {describe_lengths(used)}" if used else ""))
    if not instances:
        print("no wrong items found: nothing to explain")
        return 0
    print(f"  all: prompt tokens {describe_lengths([len(i.prompt_ids) for i in instances])}")
    for k, inst in enumerate(instances):
        print(f"  [{k:2d}] {inst.probe}:{inst.item_id} ({len(inst.prompt_ids)} tokens) "
              f"{inst.target_text!r} rather than expected {inst.foil_text!r}")

    memoise_masked_values()
    explainers = {m: get_explainer(m, options[m]) for m in methods}
    attributions: dict[str, dict[int, Any]] = {m: {} for m in methods}
    results: dict[str, dict[int, Any]] = {m: {} for m in methods}
    seconds_by: dict[str, list[float]] = {m: [] for m in methods}
    calls_by: dict[str, list[int]] = {m: [] for m in methods}
    errors: dict[str, int] = {}
    t_faith = 0.0
    first = instances[0]
    warm = []
    for method in methods:  # untimed warm-up: first calls pay one-off costs (imports, kernel selection, JIT)
        try:
            secs, _ = timed(lambda: explainers[method].explain(model, first.prompt_ids, first.target_ids, first.target))
            warm.append(f"{method} {secs:.1f}s")
        except Exception as exc:  # noqa: BLE001
            warm.append(f"{method} FAILED ({type(exc).__name__}: {exc})")
    print(f"\nwarm-up on instance 0 (not counted): {', '.join(warm)}")
    print(f"explaining (load average {load_average()}):")
    for k, inst in enumerate(instances):
        line = []
        for method in methods:
            try:
                secs, attribution = timed(lambda: explainers[method].explain(
                    model, inst.prompt_ids, inst.target_ids, inst.target))
            except Exception as exc:  # noqa: BLE001
                errors[method] = errors.get(method, 0) + 1
                line.append(f"{method} FAILED ({type(exc).__name__}: {exc})")
                traceback.print_exc(limit=2)
                continue
            attributions[method][k] = attribution
            seconds_by[method].append(secs)
            calls_by[method].append(attribution.model_calls)
            line.append(f"{method} {secs:.1f}s")
        began = time.perf_counter()
        for method in methods:
            if k in attributions[method]:
                results[method][k] = instance_faithfulness(
                    model, inst.prompt_ids, inst.target_ids, attributions[method][k], inst.target,
                    baseline_id=baseline, n_random=n_random, rng=np.random.default_rng([args.seed, k]),
                    curve_points=curve_points)
        faith = time.perf_counter() - began
        t_faith += faith
        print(f"  [{k + 1:2d}/{len(instances)}] {len(inst.prompt_ids)} tok: " + ", ".join(line)
              + f"; faithfulness {faith:.1f}s; elapsed {time.perf_counter() - started:.0f}s", flush=True)

    reports = {}
    for method in methods:
        done = [results[method][k] for k in sorted(results[method])]
        if not done:
            continue
        summaries = tuple(summarise_values(m, [r.method[m] for r in done],
                                           [r.random.get(m, math.nan) for r in done] if n_random else None,
                                           seed=args.seed) for m in METRICS)
        reports[method] = FaithfulnessReport(method, "contrastive", describe_baseline(model, baseline), n_random,
                                             tuple(ERASER_BINS), 0.95, summaries, tuple(done))

    print("\nmedian model calls per instance: " + ", ".join(
        f"{m} {statistics.median(calls_by[m]):.0f}" for m in methods if calls_by[m]))
    if "occlusion" in methods and "captum.feature_ablation" in methods:
        both = sorted(set(attributions["occlusion"]) & set(attributions["captum.feature_ablation"]))
        if both:
            deltas = [np.abs(attributions["occlusion"][k].scores - attributions["captum.feature_ablation"][k].scores)
                      .max() for k in both]
            scale = max(np.abs(attributions["occlusion"][k].scores).max() for k in both)
            print(f"sanity: max |occlusion − captum.feature_ablation| over {len(both)} instances "
                  f"{max(deltas):.2e} (median per instance {statistics.median(deltas):.2e}; "
                  f"largest |score| {scale:.3f}); both are the exact single-token ablation effect")

    caption = (f"Faithfulness of every attribution method on {len(instances)} wrong answers of the embedded model "
               f"(target: log P(chosen) − log P(expected); baseline {describe_baseline(model, baseline)}; "
               f"{n_random} random orders per instance; mean [95% bootstrap CI]; '− random' is the paired "
               f"difference method − random order; n_undefined: instances whose AOPC is undefined). "
               "Descriptive: methods ran with different budgets ("
               + "; ".join(f"{m} {options[m]}" for m in methods if options[m]) + ").")
    rows = build_table(reports, seconds_by, errors)
    print(f"\n{caption}\n")
    print(plain(rows))
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(markdown(rows, caption))
            print(f"\nwrote {args.out}")
        except OSError as exc:
            print(f"\ncannot write {args.out}: {exc}")
    total = time.perf_counter() - started
    explain_total = sum(sum(v) for v in seconds_by.values())
    print(f"\ntotal {total:.0f} s (explaining {explain_total:.0f} s, faithfulness {t_faith:.0f} s); "
          f"load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001  (a benchmark reports and exits 0)
        traceback.print_exc()
        print("benchmark aborted (see the traceback above)")
    raise SystemExit(0)
