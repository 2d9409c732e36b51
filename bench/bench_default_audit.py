"""Wall time of the whole default audit (`medaudit run`, embedded model) as one process.

Usage: .venv/bin/python bench/bench_default_audit.py [--repeats N] [--keep DIR]
Targets on 2 CPU cores: the whole run under 600 s; explaining the top 3 findings (fast occlusion,
its faithfulness scores, logit lens, patching where a pair exists) adds at most 90 s (issue #6;
the run's own "explained N item(s) in X s" line). Prints each run, the medians, and the per-probe
item counts so the figures can be tied to the profile they measured.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 600.0
EXPLAIN_TARGET_S = 90.0
EXPLAINED = re.compile(r"explained (\d+) item\(s\) in ([\d.]+) s")


def one_run(out: Path) -> tuple[float, int, float]:
    """Run the default audit into ``out``; return its wall time, and the items explained and their seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "audit.cli", "run", "--out", str(out), "--no-progress"],
                          check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    sys.stderr.write(done.stderr)
    explained = EXPLAINED.search(done.stderr)
    return wall, int(explained.group(1)) if explained else 0, float(explained.group(2)) if explained else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--keep", default=None, help="keep the run folders under this directory (default: deleted)")
    args = parser.parse_args()
    times, explain_times, explained_items = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        for i in range(args.repeats):
            out = Path(tmp) / f"run{i}"
            wall, n_explained, explain_s = one_run(out)
            times.append(wall)
            explained_items.append(n_explained)
            explain_times.append(explain_s)
            print(f"run {i + 1}: {wall:.1f} s; {n_explained} item(s) explained in {explain_s:.1f} s")
        evidence = json.loads((Path(tmp) / "run0" / "evidence.json").read_text())
    for probe in evidence["probe_results"]:
        seconds = sum(item["elapsed_s"] for item in probe["items"])
        print(f"  {probe['probe_id']}: {len(probe['items'])} items, {seconds:.1f} s summed item time "
              f"({probe['data']['selection'] if probe['data'] else '-'})")
    explained = evidence.get("explanations", [])
    seconds = sum(a["elapsed_s"] for e in explained for a in e["attributions"])
    print(f"  explanations: {len(explained)} items of {len({e['finding_id'] for e in explained})} findings; "
          f"attribution time {seconds:.1f} s (the whole stage, with faithfulness, logit lens and patching, is in "
          f"the 'run' line above)")
    median = statistics.median(times)
    print(f"default audit wall time, median of {len(times)}: {median:.1f} s (target < {TARGET_S:.0f} s): "
          f"{'PASS' if median < TARGET_S else 'FAIL'}")
    explain_median = statistics.median(explain_times)
    complete = min(explained_items) >= 3
    print(f"top-3 explanations, median of {len(times)}: {explain_median:.1f} s for {min(explained_items)}-"
          f"{max(explained_items)} item(s) (target: 3 items in <= {EXPLAIN_TARGET_S:.0f} s): "
          f"{'PASS' if complete and explain_median <= EXPLAIN_TARGET_S else 'FAIL'}")


if __name__ == "__main__":
    main()
