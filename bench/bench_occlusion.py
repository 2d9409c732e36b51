"""Benchmark: exact token occlusion, medaudit vs captum's FeatureAblation.

On the embedded SmolLM2-135M-Instruct (CPU, float32), a short chat-templated clinical
vignette (~50 prompt tokens) and a 4-token target reply are explained by

(a) captum 0.9: ``LLMAttribution(FeatureAblation(model), tokenizer)`` with
    ``TextTokenInput(prompt text, tokenizer, baselines=<pad id>)`` and
    ``attribute(..., forward_in_tokens=False)`` (the exact path with transformers 5:
    one full forward of prompt + target per ablated token, plus one unablated);
(b) medaudit: ``audit.attribution.occlusion.Occlusion`` with the same baseline token
    (one prefix pass, then the ablated variants packed onto the cached prefix).

Both attribute the teacher-forced log-probability of the target (summed, and per target
token) to every prompt token; the script asserts both see the same prompt token ids.
One warm-up each, then ``--repeats`` interleaved timed repeats; it prints the medians,
the ratio captum/medaudit, and the largest |Δ| between the two score matrices
(sequence and per-target-token scores).

Run: ``.venv/bin/python bench/bench_occlusion.py [--repeats 5]``. Always exits 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import warnings
from typing import Any, TypeVar

import torch

from _timing import load_average, timed, verdict  # noqa: E402  (scripts run from bench/)

T = TypeVar("T")

TARGET_RATIO = 3.0
TARGET_DELTA = 1e-4
MESSAGES = [
    {"role": "system", "content": "You are a clinician."},
    {"role": "user", "content": "A 58-year-old woman has fever, flank pain and dysuria. "
                                "Is pyelonephritis likely? Answer yes or no."},
]
TARGET_TEXT = "Yes, it is"





def run_captum(model: Any, text: str, target_ids: list[int], baseline: int) -> tuple[torch.Tensor, torch.Tensor]:
    """captum's exact feature ablation: (seq_attr [n], token_attr [T, n])."""
    from captum.attr import FeatureAblation, LLMAttribution, TextTokenInput

    inp = TextTokenInput(text, model.tokenizer, baselines=baseline)
    llm = LLMAttribution(FeatureAblation(model.model), model.tokenizer)
    result = llm.attribute(inp, target=torch.tensor(target_ids), forward_in_tokens=False)
    return result.seq_attr.double(), result.token_attr.double()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per side (after 1 warm-up)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    from importlib.metadata import version

    from audit.attribution.occlusion import Occlusion
    from audit.attribution.targets import LogProbTarget
    from audit.models import load_model

    model = load_model(None, device="cpu")
    text = model.render(MESSAGES)
    prompt_ids = model.encode_prompt(MESSAGES)
    target_ids = model.encode_continuation(TARGET_TEXT)
    baseline = model.tokenizer.pad_token_id
    captum_ids = model.tokenizer.encode(text, return_tensors="pt")[0].tolist()  # what TextTokenInput encodes
    assert captum_ids == prompt_ids, "captum and medaudit must see the same prompt token ids"
    occlusion = Occlusion(baseline_id=baseline)
    target = LogProbTarget()

    print(f"torch {torch.__version__}, transformers {version('transformers')}, captum {version('captum')}; "
          f"threads {torch.get_num_threads()}, cpus {os.cpu_count()}, dtype {model.model.dtype}")
    print(f"prompt {len(prompt_ids)} tokens (chat template included), target {len(target_ids)} tokens "
          f"{TARGET_TEXT!r}, baseline token {baseline} {model.tokenizer.decode([baseline])!r}; "
          f"repeats {args.repeats} (+1 warm-up each); load average at start {load_average()}")

    theirs = run_captum(model, text, target_ids, baseline)  # warm-up
    ours = occlusion.explain(model, prompt_ids, target_ids, target)
    t_ours: list[float] = []
    t_theirs: list[float] = []
    for _ in range(args.repeats):  # interleaved, so drift hits both sides alike
        seconds, theirs = timed(lambda: run_captum(model, text, target_ids, baseline))
        t_theirs.append(seconds)
        seconds, ours = timed(lambda: occlusion.explain(model, prompt_ids, target_ids, target))
        t_ours.append(seconds)

    seq_delta = (torch.from_numpy(ours.scores) - theirs[0]).abs().max().item()
    tok_delta = (torch.from_numpy(ours.target_scores) - theirs[1].T).abs().max().item()
    delta = max(seq_delta, tok_delta)
    med_ours, med_theirs = statistics.median(t_ours), statistics.median(t_theirs)
    ratio = med_theirs / med_ours
    print(f"captum FeatureAblation : median {med_theirs:.3f} s  (runs {', '.join(f'{t:.3f}' for t in t_theirs)}; "
          f"{len(prompt_ids) + 1} model calls)")
    print(f"medaudit occlusion     : median {med_ours:.3f} s  (runs {', '.join(f'{t:.3f}' for t in t_ours)}; "
          f"{ours.model_calls} model calls)")
    print(f"speed ratio captum/medaudit: {ratio:.2f}x")
    print(f"max |delta| sequence scores {seq_delta:.2e}, per-target-token scores {tok_delta:.2e} "
          f"(largest |score| {abs(ours.scores).max():.3f})")
    top = ours.ranking()[:5]
    print("top tokens: " + ", ".join(f"{ours.tokens[i]!r} {ours.scores[i]:+.3f}" for i in top))
    print(f"load average at end {load_average()}")
    print(f"target ratio >= {TARGET_RATIO:.0f}x: {verdict(ratio >= TARGET_RATIO)} ({ratio:.2f}x)")
    print(f"target delta <= {TARGET_DELTA:.0e}: {verdict(delta <= TARGET_DELTA)} ({delta:.2e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
