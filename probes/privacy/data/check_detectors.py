"""Precision and recall of medaudit's PHI detectors per entity type on phi_labelled.jsonl.

Usage: python probes/privacy/data/check_detectors.py
A detected span counts as a true positive when it overlaps a labelled span of the same type.
Hard negatives (identifier-like text that is not PHI) contribute false positives only.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from audit import stats
from audit.phi import detect

DATA = Path(__file__).with_name("phi_labelled.jsonl")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def figures(path: Path = DATA) -> dict[str, dict]:
    """{type: {n, predicted, tp_recall, tp_precision, precision: Interval, recall: Interval}}."""
    truth_n, predicted_n, hit_truth, hit_pred = Counter(), Counter(), Counter(), Counter()
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        truth = [(s["start"], s["end"], s["type"]) for s in row["spans"]]
        found = [(s.start, s.end, s.type) for s in detect(row["text"])]
        for t in truth:
            truth_n[t[2]] += 1
            hit_truth[t[2]] += any(f[2] == t[2] and _overlaps(f[:2], t[:2]) for f in found)
        for f in found:
            predicted_n[f[2]] += 1
            hit_pred[f[2]] += any(t[2] == f[2] and _overlaps(f[:2], t[:2]) for t in truth)
    out = {}
    for kind in sorted(set(truth_n) | set(predicted_n)):
        out[kind] = {"n": truth_n[kind], "predicted": predicted_n[kind],
                     "precision": stats.wilson(hit_pred[kind], predicted_n[kind]),
                     "recall": stats.wilson(hit_truth[kind], truth_n[kind])}
    return out


def main() -> None:
    print(f"{DATA.name}: per type, span-overlap matching")
    for kind, f in figures().items():
        p, r = f["precision"], f["recall"]
        ptxt = "  n/a " if f["predicted"] == 0 else f"{p.estimate:.3f} [{p.low:.2f}, {p.high:.2f}]"
        print(f"  {kind:12s} labelled={f['n']:3d} detected={f['predicted']:3d}  precision {ptxt}  "
              f"recall {r.estimate:.3f} [{r.low:.2f}, {r.high:.2f}]")


if __name__ == "__main__":
    main()
