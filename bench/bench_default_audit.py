"""Wall time of the whole default audit (`medaudit run`, embedded model) as one process.

Usage: .venv/bin/python bench/bench_default_audit.py [--repeats N] [--keep DIR]
Target: under 600 s on 2 CPU cores once every suite has landed. Prints each run, the median,
and the per-probe item counts so the figure can be tied to the profile it measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 600.0


def one_run(out: Path) -> float:
    """Run the default audit into ``out``; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audit.cli", "run", "--out", str(out), "--no-progress"], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--keep", default=None, help="keep the run folders under this directory (default: deleted)")
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        for i in range(args.repeats):
            out = Path(tmp) / f"run{i}"
            times.append(one_run(out))
            print(f"run {i + 1}: {times[-1]:.1f} s")
        evidence = json.loads((Path(tmp) / "run0" / "evidence.json").read_text())
    for probe in evidence["probe_results"]:
        seconds = sum(item["elapsed_s"] for item in probe["items"])
        print(f"  {probe['probe_id']}: {len(probe['items'])} items, {seconds:.1f} s summed item time "
              f"({probe['data']['selection'] if probe['data'] else '-'})")
    explained = evidence.get("explanations", [])
    seconds = sum(a["elapsed_s"] for e in explained for a in e["attributions"])
    print(f"  explanations: {len(explained)} items of {len({e['finding_id'] for e in explained})} findings; "
          f"attribution time {seconds:.1f} s (faithfulness, logit lens and patching not included here: see the "
          f"'explaining' line above)")
    median = statistics.median(times)
    print(f"default audit wall time, median of {len(times)}: {median:.1f} s (target < {TARGET_S:.0f} s): "
          f"{'PASS' if median < TARGET_S else 'FAIL'}")


if __name__ == "__main__":
    main()
