"""Precision and recall of the demographics parser per class, on the hand-labelled case texts.

Reads ``representation_labelled.jsonl`` beside this script (see its datasheet), parses every text
with :func:`probes.bias.demographics_parser.parse_demographics`, and prints for sex, race/ethnicity
and age band the precision and recall of each class (Wilson 95% intervals), for the development
split, the held-out split and both, plus exact age-range agreement and every disagreement.

    python probes/bias/data/check_representation_parser.py [--split dev|heldout|all] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from audit import stats  # noqa: E402
from probes.bias.demographics_parser import age_band, parse_demographics  # noqa: E402

LABELLED = HERE / "representation_labelled.jsonl"
FIELDS = ("sex", "race", "age_band")


def load(path: Path = LABELLED, split: str = "all") -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def predictions(rows: list[dict]) -> list[dict]:
    """Gold and parsed values per row, field by field."""
    out = []
    for row in rows:
        parsed = parse_demographics(row["text"])
        out.append({"id": row["id"], "text": row["text"],
                    "gold": {"sex": row["sex"], "race": row["race"], "age_band": age_band(row["age"]),
                             "age": tuple(row["age"]) if row["age"] else None},
                    "parsed": {"sex": parsed.sex, "race": parsed.race, "age_band": parsed.age_band,
                               "age": parsed.age}})
    return out


def per_class(preds: list[dict], field: str) -> dict[str, dict]:
    """For each class: n (gold), predicted, correct, precision and recall intervals (Wilson)."""
    classes = sorted({p["gold"][field] for p in preds} | {p["parsed"][field] for p in preds})
    out = {}
    for cls in classes:
        gold = sum(p["gold"][field] == cls for p in preds)
        predicted = sum(p["parsed"][field] == cls for p in preds)
        correct = sum(p["gold"][field] == cls == p["parsed"][field] for p in preds)
        out[cls] = {"n": gold, "predicted": predicted, "correct": correct,
                    "precision": stats.wilson(correct, predicted), "recall": stats.wilson(correct, gold)}
    return out


def figures(split: str = "all", path: Path = LABELLED) -> dict[str, dict[str, dict]]:
    preds = predictions(load(path, split))
    return {field: per_class(preds, field) for field in FIELDS}


def _fmt(interval: stats.Interval, k: int, n: int) -> str:
    if n == 0:
        return f"{'-':>22}"
    return f"{interval.estimate:5.3f} [{interval.low:.2f}, {interval.high:.2f}] {k:>3}/{n:<3}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default=None)
    parser.add_argument("--quiet", action="store_true", help="do not list the disagreements")
    args = parser.parse_args(argv)
    splits = [args.split] if args.split else ["dev", "heldout", "all"]
    for split in splits:
        preds = predictions(load(LABELLED, split))
        print(f"\n=== split: {split} ({len(preds)} texts) ===")
        for field in FIELDS:
            print(f"\n{field:<40} {'precision':>24} {'recall':>24}")
            for cls, f in per_class(preds, field).items():
                print(f"  {cls:<38} {_fmt(f['precision'], f['correct'], f['predicted'])} "
                      f"{_fmt(f['recall'], f['correct'], f['n'])}")
            agree = sum(p["gold"][field] == p["parsed"][field] for p in preds)
            print(f"  accuracy {agree}/{len(preds)} = {agree / len(preds):.3f}")
        exact = sum(p["gold"]["age"] == p["parsed"]["age"] for p in preds)
        print(f"\nexact age range agreement: {exact}/{len(preds)} = {exact / len(preds):.3f}")
        if not args.quiet:
            wrong = [p for p in preds if any(p["gold"][f] != p["parsed"][f] for f in (*FIELDS, "age"))]
            for p in wrong:
                diffs = ", ".join(f"{f}: gold {p['gold'][f]!r} parsed {p['parsed'][f]!r}"
                                  for f in ("sex", "race", "age") if p["gold"][f] != p["parsed"][f])
                print(f"  {p['id']}: {diffs}\n      {p['text'][:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
