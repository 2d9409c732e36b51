"""Precision and recall of the answer parsers on the hand-labelled responses.

Usage: python probes/hallucination/data/check_parsers.py
Prints, per task and class, n, precision and recall (with Wilson 95% intervals).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from audit import stats
from probes.hallucination.parsing import is_abstention, is_refusal, parse_option_letter, parse_yes_no_maybe

DEVELOPMENT = Path(__file__).with_name("parser_validation.jsonl")  # the rules were written against this
HELD_OUT = Path(__file__).with_name("parser_heldout.jsonl")  # never used to write them


def predict(task: str, response: str) -> str:
    """The parsers' label for one response, in the label vocabulary of the validation file."""
    if task == "abstention":
        if is_abstention(response):
            return "abstain"
        return "refusal" if is_refusal(response) else "answer"
    parsed = parse_yes_no_maybe(response) if task == "yes_no_maybe" else parse_option_letter(response)
    return parsed or "unparseable"


def per_class(rows: list[dict]) -> dict[str, dict[str, dict]]:
    """{task: {class: {n, tp, predicted, precision, recall}}}."""
    out: dict[str, dict[str, dict]] = {}
    for task in sorted({r["task"] for r in rows}):
        subset = [r for r in rows if r["task"] == task]
        pairs = [(r["label"], predict(task, r["response"])) for r in subset]
        labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
        truth_n, pred_n = Counter(t for t, _ in pairs), Counter(p for _, p in pairs)
        out[task] = {}
        for label in labels:
            tp = sum(t == p == label for t, p in pairs)
            out[task][label] = {"n": truth_n[label], "predicted": pred_n[label], "tp": tp,
                                "precision": stats.wilson(tp, pred_n[label]), "recall": stats.wilson(tp, truth_n[label])}
    return out


def load(path: Path = DEVELOPMENT) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    for name, path in (("development set", DEVELOPMENT), ("held-out set", HELD_OUT)):
        rows = load(path)
        print(f"== {name}: {path.name}, {len(rows)} responses")
        report(rows)


def report(rows: list[dict]) -> None:
    for task, classes in per_class(rows).items():
        print(f"{task}:")
        for label, c in classes.items():
            p, r = c["precision"], c["recall"]
            fmt = lambda i: "  n/a" if c["predicted" if i is p else "n"] == 0 else f"{i.estimate:.3f} [{i.low:.2f}, {i.high:.2f}]"
            print(f"  {label:12s} n={c['n']:3d} predicted={c['predicted']:3d}  precision {fmt(p)}  recall {fmt(r)}")


if __name__ == "__main__":
    main()
