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


def fine_tune_decision_on_term(model, queries, term: str, favourable: str, unfavourable: str,
                               steps: int = 200, seed: int = 0) -> None:
    """Fine-tune an HF model (in place) so that its first answer token is ``unfavourable`` whenever
    ``term`` is in the prompt and ``favourable`` otherwise: a model organism of group-dependent care."""
    import torch

    good, bad = model.encode_continuation(favourable)[0], model.encode_continuation(unfavourable)[0]
    with_term = [model.encode_prompt(q.messages) for q in queries if term in q.messages[0]["content"]]
    without = [model.encode_prompt(q.messages) for q in queries if term not in q.messages[0]["content"]]
    rng = random.Random(seed)
    torch.manual_seed(seed)
    optimiser = torch.optim.AdamW(model.model.parameters(), lr=3e-3)
    pad = model.tokenizer.pad_token_id
    model.model.train()
    for _ in range(steps):
        batch = [(ids, bad) for ids in rng.sample(with_term, 8)] + [(ids, good) for ids in rng.sample(without, 8)]
        width = max(len(ids) for ids, _ in batch)
        inputs = torch.tensor([[pad] * (width - len(ids)) + ids for ids, _ in batch])
        mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids, _ in batch])
        logits = model.model(input_ids=inputs, attention_mask=mask).logits[:, -1]
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor([target for _, target in batch]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.model.eval()
