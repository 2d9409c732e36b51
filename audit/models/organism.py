"""Model organisms of memorisation: fine-tune a causal LM on plain texts, on CPU, reproducibly.

:func:`fine_tune` trains a copy of a model (the caller's model is never changed) with the causal-LM loss on
whole texts, read as plain text exactly as the memorisation probes read them (document-start token, text,
end-of-text). Batches, order and initialisation all come from ``seed``, so the same call on the same
machine gives the same weights.

:func:`build_demo_organism` writes the shipped demo organism: the tiny test model fine-tuned on the member
notes of ``probes/privacy/data/discharge_notes.jsonl`` and the canaries of ``canaries.jsonl``, each repeated
as many times as its ``insertions`` field says. Audit it with ``medaudit run --model FOLDER --suite privacy
--full`` to see the privacy probes find what was planted.
"""

from __future__ import annotations

import copy
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from audit.models.hf import HFModel


@dataclass(frozen=True)
class FineTuneResult:
    """The fine-tuned model and the mean training loss of each epoch."""

    model: "HFModel"
    epoch_losses: list[float]
    steps: int


def _weights_digest(lm) -> str:
    digest = hashlib.sha256()
    for name, tensor in sorted(lm.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def fine_tune(model: "HFModel", texts: Sequence[str], epochs: int = 40, lr: float = 3e-3, batch_size: int = 8,
              seed: int = 0, weight_decay: float = 0.0, name: str | None = None) -> FineTuneResult:
    """Fine-tune a copy of ``model`` on ``texts`` (each text one training sequence) for ``epochs`` passes.

    Every epoch visits every text once, in an order drawn from ``seed``; a text that appears k times in
    ``texts`` is seen k times per epoch (this is how a canary is "inserted k times"). AdamW, constant
    learning rate, no dropout. Texts longer than the context window are cut to it."""
    import torch

    from audit.models.hf import HFModel
    from probes.privacy.memorisation import encode_text

    if not texts:
        raise ValueError("fine_tune needs at least one text")
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch_size must be at least 1")
    tokenizer = model.tokenizer
    eos = tokenizer.eos_token_id
    limit = int(getattr(model.model.config, "max_position_embeddings", 2048))
    encoded = [(encode_text(tokenizer, t) + ([eos] if eos is not None else []))[:limit] for t in texts]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    lm = copy.deepcopy(model.model)
    rng = random.Random(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        optimiser = torch.optim.AdamW(lm.parameters(), lr=lr, weight_decay=weight_decay)
        lm.train()
        losses, steps = [], 0
        for _ in range(epochs):
            total, count = 0.0, 0
            for batch_ids in _batches(encoded, batch_size, rng):
                batch = [encoded[i] for i in batch_ids]
                width = max(len(ids) for ids in batch)
                inputs = torch.tensor([ids + [pad] * (width - len(ids)) for ids in batch])
                mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in batch])
                labels = inputs.masked_fill(mask == 0, -100)
                loss = lm(input_ids=inputs, attention_mask=mask, labels=labels).loss
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(batch)
                count += len(batch)
                steps += 1
            losses.append(total / count)
        lm.eval()
    tuned = HFModel(lm, tokenizer, name=name or f"{model.name}+fine-tuned(seed={seed})", source=model.source,
                    weights_sha256=_weights_digest(lm), tokenizer_sha256=model.tokenizer_sha256)
    return FineTuneResult(tuned, losses, steps)


def _batches(encoded: Sequence[list[int]], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch's batches: a random order, cut into pools of 8 batches, each pool sorted by length before
    batching (so short and long texts rarely share a padded batch), then the batches shuffled."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    pool = 8 * batch_size
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: len(encoded[i]))
        batches.extend(chunk[k:k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def demo_training_texts(notes: Sequence, canaries: Sequence) -> list[str]:
    """The demo organism's training set: every note marked ``member`` and every canary ``insertions`` times."""
    texts = [note.text for note in notes if note.member]
    for canary in canaries:
        texts.extend([canary.text] * int(canary.insertions or 0))
    return texts


def build_demo_organism(folder: Path, seed: int = 0, epochs: int = 16) -> Path:
    """Write the demo organism (tiny model fine-tuned on the shipped member notes and canaries) to ``folder``;
    the un-fine-tuned base, a natural reference model, is written to ``folder/reference``."""
    from audit.data import load_records
    from audit.models.hf import load_model
    from audit.models.tiny import build_tiny_model
    from probes.privacy.canaries import Canary, CanaryExposureProbe
    from probes.privacy.membership import Document, MembershipInferenceProbe

    folder = Path(folder)
    base_dir = build_tiny_model(folder / "reference", seed=seed)
    base = load_model(str(base_dir), device="cpu")
    notes = load_records(MembershipInferenceProbe.default_data_path(), Document)
    canaries = load_records(CanaryExposureProbe.default_data_path(), Canary)
    tuned = fine_tune(base, demo_training_texts(notes, canaries), epochs=epochs, seed=seed).model
    tuned.model.save_pretrained(folder)
    tuned.tokenizer.save_pretrained(folder)
    return folder
