"""Wall time one suite adds to `medaudit run` on the embedded model (default profile, no explanations).

Usage: .venv/bin/python bench/bench_suite_time.py [--suite hallucination] [--repeats N]
The model is loaded once, outside the timing (every run loads it anyway); each repeat then runs
the suite's default probes into a fresh run folder: preparing the data, answering every item,
summarising, building the evidence. Issue #3's target: the hallucination suite adds at most
180 s on 2 CPU cores. Prints each repeat, the per-probe item time of the first, and the median.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGETS_S = {"hallucination": 180.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", default="hallucination")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    from audit.models import load_model
    from audit.runner import RunConfig, run_audit

    model = load_model(None)
    config = RunConfig(suites=(args.suite,), explain=0)
    times, first = [], None
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(args.repeats):
            started = time.perf_counter()
            outcome = run_audit(model, config, Path(scratch) / f"run{i}", progress=False)
            times.append(time.perf_counter() - started)
            first = first or outcome.evidence
            print(f"run {i + 1}: {times[-1]:.1f} s")
    item_total = 0.0
    for result in first.probe_results:
        seconds = sum(item.elapsed_s or 0.0 for item in result.items)
        item_total += seconds
        print(f"  {result.probe_id}: {len(result.items)} items, {seconds:.1f} s summed item time ({result.status})")
    median = statistics.median(times)
    print(f"  summed item time {item_total:.1f} s; the rest of the wall time is data preparation, summaries "
          "(e.g. cross-validated probes) and evidence building")
    target = TARGETS_S.get(args.suite)
    verdict = "" if target is None else f" (target <= {target:.0f} s): {'PASS' if median <= target else 'FAIL'}"
    print(f"{args.suite} suite wall time, median of {len(times)}: {median:.1f} s{verdict}")


if __name__ == "__main__":
    main()
