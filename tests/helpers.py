"""Helpers shared by tests: planted answer tables and evidence comparison."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from audit.evidence import TIMING_FIELDS


def strip_timing(value: Any) -> Any:
    """Evidence with timestamps and timings removed, for byte-level comparison."""
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


def evidence_without_timing(path: Path) -> str:
    data = json.loads(Path(path).read_text())
    data["provenance"].pop("command_line", None)
    return json.dumps(strip_timing(data), sort_keys=True)


def planted_pubmedqa_answers(items, accuracy_closed: float, accuracy_context: float, abstain: float = 0.0,
                             seed: int = 0) -> dict[str, str]:
    """A table that abstains on exactly round(abstain * n) items of each condition and, of the rest,
    answers exactly round(accuracy * answered) right; positions are shuffled with ``seed``."""
    rng = random.Random(seed)
    table = {}
    n = len(items)
    for condition, accuracy in (("closed_book", accuracy_closed), ("with_context", accuracy_context)):
        n_abstain = round(abstain * n)
        n_right = round(accuracy * (n - n_abstain))
        plan = ["abstain"] * n_abstain + ["right"] * n_right + ["wrong"] * (n - n_abstain - n_right)
        rng.shuffle(plan)
        for item, what in zip(items, plan):
            if what == "right":
                answer = item.answer
            elif what == "wrong":
                answer = rng.choice([x for x in ("yes", "no", "maybe") if x != item.answer])
            else:
                answer = "abstain"
            table[f"{item.id}/{condition}"] = answer
    return table
