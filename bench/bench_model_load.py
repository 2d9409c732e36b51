"""Benchmark: loading the embedded SmolLM2 model in a fresh Python process.

Each run starts a new interpreter that imports ``audit.models``, then times
``load_model(None)`` (locate the embedded GGUF, hash it, find the converted safetensors
cache, build tokenizer and model, and the lazy imports of torch and transformers this
triggers), and times a second ``load_model(None)`` in the same process for information (lazy imports already done). The parent also records each
child's whole wall time (interpreter start, imports, load, exit). As information, the
same call is timed again in fresh children that import torch, transformers and the Llama
classes first, to show how much of the load is library import time.

Unless ``--no-convert`` is given, one extra run points ``MEDAUDIT_CACHE_DIR`` at a fresh
temporary directory, so ``load_model`` must dequantise the GGUF and write the cache first.

Run: ``.venv/bin/python bench/bench_model_load.py [--runs 5] [--no-convert]``. Always exits 0.

In the same run, fresh children load the same cached safetensors folder with bare
transformers (``AutoTokenizer`` + ``AutoModelForCausalLM.from_pretrained``, imports
included): the floor any transformers-based tool pays, printed with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from _timing import load_average, verdict  # noqa: E402  (scripts run from bench/)

TARGET_CACHED_S = 3.0
TARGET_CONVERT_S = 20.0

CHILD = """
import json, sys, time
t0 = time.perf_counter()
if sys.argv[1] == "preimport":  # pull in the libraries load_model imports lazily
    import torch, transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM
from audit.models import load_model

t1 = time.perf_counter()
model = load_model(None, device="cpu")
t2 = time.perf_counter()
load_model(None, device="cpu")
t3 = time.perf_counter()
print("RESULT " + json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "reload_s": t3 - t2}))
"""


BARE_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from transformers import AutoModelForCausalLM, AutoTokenizer
AutoTokenizer.from_pretrained(sys.argv[1])
AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype="float32")
print("RESULT " + json.dumps({"load_s": time.perf_counter() - t0}))
"""


def run_child(env: dict[str, str], mode: str = "plain", code: str = CHILD) -> dict[str, float]:
    """Run the timing snippet in a fresh interpreter; its figures plus the child's wall time.

    ``mode="preimport"`` imports torch, transformers and the Llama classes before timing."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, mode], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child failed (rc {proc.returncode}):\n{proc.stderr[-2000:]}")
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return {**json.loads(line.removeprefix("RESULT ")), "wall_s": wall}


def ensure_cache(env: dict[str, str]) -> str:
    """Make sure the converted-model cache exists before timing cached loads; return its folder."""
    code = "from audit.models.loading import resolve_model; print(resolve_model(None).folder)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return proc.stdout.strip().splitlines()[-1]


def fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)




def bench_cached(runs: int) -> tuple[float, float]:
    """Time ``runs`` cached loads in fresh processes; print them; return the median load with and without imports."""
    env = dict(os.environ)
    folder = ensure_cache(env)
    results = [run_child(env) for _ in range(runs)]
    med = {k: statistics.median(r[k] for r in results) for k in ("import_s", "load_s", "reload_s", "wall_s")}
    print(f"cached load_model(None), fresh process x{runs}: median {med['load_s']:.2f} s "
          f"(runs {fmt([r['load_s'] for r in results])})")
    print(f"  import audit.models: median {med['import_s']:.2f} s; second load in same process: "
          f"median {med['reload_s']:.2f} s; whole child process: median {med['wall_s']:.2f} s")
    pre = statistics.median(run_child(env, "preimport")["load_s"] for _ in range(runs))
    print(f"  info: same call with torch/transformers/Llama classes imported beforehand: median {pre:.2f} s "
          f"(so ~{med['load_s'] - pre:.2f} s of the load is first-time library imports)")
    bare = statistics.median(run_child(env, folder, BARE_CHILD)["load_s"] for _ in range(runs))
    print(f"  baseline: bare transformers AutoTokenizer + AutoModelForCausalLM.from_pretrained of the same "
          f"cached folder, imports included, fresh process x{runs}: median {bare:.2f} s; "
          f"ratio medaudit / bare transformers {med['load_s'] / bare:.2f}x")
    return med["load_s"], pre


def bench_convert() -> float:
    """One first-time load into an empty cache directory (GGUF dequantised and cached)."""
    with tempfile.TemporaryDirectory(prefix="medaudit-bench-cache-") as tmp:
        result = run_child({**os.environ, "MEDAUDIT_CACHE_DIR": tmp})
    print(f"first-time load_model(None) into an empty cache (conversion + load): {result['load_s']:.2f} s "
          f"(whole child process {result['wall_s']:.2f} s)")
    return result["load_s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh-process cached loads to time")
    parser.add_argument("--no-convert", action="store_true", help="skip the first-time conversion run")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, cpus {os.cpu_count()}; load average at start {load_average()}")

    cached, preimported = bench_cached(args.runs)
    converted = None if args.no_convert else bench_convert()

    print(f"load average at end {load_average()} (includes this run itself)")
    print(f"target cached load < {TARGET_CACHED_S:.0f} s, libraries already imported: "
          f"{verdict(preimported < TARGET_CACHED_S)} ({preimported:.2f} s)")
    print(f"target cached load < {TARGET_CACHED_S:.0f} s, first-time torch/transformers imports included: "
          f"{verdict(cached < TARGET_CACHED_S)} ({cached:.2f} s)")
    if converted is not None:
        print(f"target first-time conversion ~{TARGET_CONVERT_S:.0f} s (<= {TARGET_CONVERT_S:.0f} s): "
              f"{verdict(converted <= TARGET_CONVERT_S)} ({converted:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
