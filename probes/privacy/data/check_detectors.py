"""Precision and recall of medaudit's PHI detectors per entity type, on the development and held-out sets.

Usage: python probes/privacy/data/check_detectors.py

- ``phi_labelled.jsonl`` is the development set: the detectors in ``audit/phi.py`` were tuned on it.
- ``phi_heldout.jsonl`` was written before the detectors were changed and is never used to tune them, so
  its figures are the honest ones.

A detected span counts as a true positive when it overlaps a labelled span of the same type.
Hard negatives (identifier-like text that is not PHI) contribute false positives only.
Each figure carries a 95% Wilson interval; "overall" is the micro average over all types.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from audit import stats
from audit.phi import detect

DATA = Path(__file__).with_name("phi_labelled.jsonl")
HELD_OUT = Path(__file__).with_name("phi_heldout.jsonl")
OVERALL = "overall"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _counts(path: Path) -> tuple[Counter, Counter, Counter, Counter]:
    """Labelled, detected, labelled-and-found, detected-and-right counts per type."""
    truth_n, predicted_n, hit_truth, hit_pred = Counter(), Counter(), Counter(), Counter()
    for row in _rows(path):
        truth = [(s["start"], s["end"], s["type"]) for s in row["spans"]]
        found = [(s.start, s.end, s.type) for s in detect(row["text"])]
        for t in truth:
            truth_n[t[2]] += 1
            hit_truth[t[2]] += any(f[2] == t[2] and _overlaps(f[:2], t[:2]) for f in found)
        for f in found:
            predicted_n[f[2]] += 1
            hit_pred[f[2]] += any(t[2] == f[2] and _overlaps(f[:2], t[:2]) for t in truth)
    return truth_n, predicted_n, hit_truth, hit_pred


def _figure(n: int, predicted: int, hit_truth: int, hit_pred: int) -> dict:
    return {"n": n, "predicted": predicted, "tp_recall": hit_truth, "tp_precision": hit_pred,
            "precision": stats.wilson(hit_pred, predicted), "recall": stats.wilson(hit_truth, n)}


def figures(path: Path = DATA, overall: bool = False) -> dict[str, dict]:
    """{type: {n, predicted, tp_recall, tp_precision, precision: Interval, recall: Interval}}.

    With ``overall=True`` the dict also holds an ``"overall"`` entry: micro-averaged over every type.
    """
    truth_n, predicted_n, hit_truth, hit_pred = _counts(path)
    out = {kind: _figure(truth_n[kind], predicted_n[kind], hit_truth[kind], hit_pred[kind])
           for kind in sorted(set(truth_n) | set(predicted_n))}
    if overall:
        out[OVERALL] = _figure(sum(truth_n.values()), sum(predicted_n.values()),
                               sum(hit_truth.values()), sum(hit_pred.values()))
    return out


def _line(kind: str, f: dict) -> str:
    p, r = f["precision"], f["recall"]
    ptxt = "  n/a           " if f["predicted"] == 0 else f"{p.estimate:.3f} [{p.low:.2f}, {p.high:.2f}]"
    rtxt = "  n/a           " if f["n"] == 0 else f"{r.estimate:.3f} [{r.low:.2f}, {r.high:.2f}]"
    return (f"  {kind:12s} labelled={f['n']:3d} detected={f['predicted']:3d}  "
            f"precision {ptxt}  recall {rtxt}")


def report(path: Path, title: str) -> None:
    print(f"{title}: {path.name} — per type, span-overlap matching, 95% Wilson intervals")
    for kind, f in figures(path, overall=True).items():
        if kind == OVERALL:
            print("  " + "-" * 96)
        print(_line(kind, f))


def main() -> None:
    report(DATA, "development set (detectors tuned on it)")
    print()
    report(HELD_OUT, "held-out set (never used for tuning)")


if __name__ == "__main__":
    main()
