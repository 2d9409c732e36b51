"""Shared scoring for the memorisation probes: plain-text token log-probabilities and what is built on them.

Memorisation is a property of the text the model was trained on, so everything here reads text as plain
text (no chat template): a document-start token, then the text's own tokens. The functions work on any
object with ``.model`` (a causal LM) and ``.tokenizer`` (an :class:`audit.models.hf.HFModel`).

- :func:`token_scores`: per-token log p(x_t | x_<t), and the mean and standard deviation of log p under the
  model's own next-token distribution at each position (for Min-K%++).
- Membership scores, each oriented so that *higher means more likely a training member*:
  ``loss`` (−mean NLL; Yeom et al. 2018), ``zlib`` (−NLL / zlib-compressed bytes; Carlini et al. 2021),
  ``min_k`` (mean of the lowest k% token log-probs; Shi et al. 2024), ``min_k_pp`` (mean of the lowest k%
  of (log p − μ)/σ; Zhang et al. 2024) and ``reference`` (−NLL / NLL under a reference model; Carlini et
  al. 2021), the last only when a reference model is given.
- :func:`candidate_logprobs`: the log-probability of many candidate continuations of one prefix. Candidates
  are tokenised in context, arranged in a token trie, and each chunk of the trie is packed with the prefix
  into one forward pass (tree attention mask, explicit positions), so a shared token is computed once:
  the 10^4 four-digit secrets cost about 1,111 fed tokens, not 50,000.
- Exposure (Carlini et al. 2019, The Secret Sharer): ``log2|R| − log2 rank`` of the true secret among all
  candidates R, exact by enumeration for small R, and by sampling plus a skew-normal fit to the sampled
  log-perplexities (with a bootstrap interval) for large R.
"""

from __future__ import annotations

import itertools
import math
import zlib
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from audit.evidence import ItemResult, Metric, Verdict
from audit.models.base import Capability
from audit.probes import Probe, Query

__all__ = [
    "ATTACKS",
    "CHANCE_EXPOSURE",
    "COMPUTE",
    "PlainTextProbe",
    "describe_document",
    "ExposureEstimate",
    "SecretSpace",
    "TokenScores",
    "candidate_logprobs",
    "edit_similarity",
    "encode_text",
    "exposure_exact",
    "exposure_sampled",
    "greedy_continuation",
    "mean_metric",
    "membership_scores",
    "min_k_percent",
    "min_k_plus_plus",
    "start_token_id",
    "token_scores",
    "token_scores_ids",
    "zlib_bytes",
]

ATTACKS = ("loss", "zlib", "min_k", "min_k_pp", "reference")
"""Membership scores, in report order; ``reference`` needs a reference model."""

CHANCE_EXPOSURE = 1.0 / math.log(2.0)
"""Expected exposure of a secret the model never saw: its rank is uniform on R, so exposure = −log2 U with
U uniform, whose mean is 1/ln 2 ≈ 1.44 bits whatever the model's own distribution."""

DEFAULT_K = 0.2
"""The k of Min-K% and Min-K%++: the 20% of tokens with the lowest scores, the papers' recommended value."""


# -- tokenisation -------------------------------------------------------------------------------------

def _parts(model: Any) -> tuple[Any, Any, Any]:
    lm, tokenizer = getattr(model, "model", None), getattr(model, "tokenizer", None)
    if lm is None or tokenizer is None:
        raise TypeError(f"{type(model).__name__} gives no access to its weights and tokenizer "
                        "(memorisation scoring needs plain-text log-probabilities over the whole vocabulary)")
    return lm, tokenizer, next(lm.parameters()).device


def start_token_id(tokenizer: Any) -> int | None:
    """The token that opens a plain-text document: ``<|endoftext|>`` where the vocabulary has it (the GPT-2 and
    SmolLM pre-training separator), else BOS, else EOS."""
    vocab = tokenizer.get_vocab()
    if "<|endoftext|>" in vocab:
        return int(vocab["<|endoftext|>"])
    for candidate in (tokenizer.bos_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return None


def encode_text(tokenizer: Any, text: str) -> list[int]:
    """Plain-text token ids: the document-start token, then the text (no chat template, no other specials)."""
    start = start_token_id(tokenizer)
    return ([start] if start is not None else []) + list(tokenizer.encode(text, add_special_tokens=False))


def _encode_many(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    start = start_token_id(tokenizer)
    head = [start] if start is not None else []
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:  # the Rust tokenizer directly: the Python wrapper costs ~50 µs per text
        return [head + encoding.ids for encoding in backend.encode_batch(list(texts), add_special_tokens=False)]
    return [head + list(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


def _context_window(lm: Any) -> int:
    return int(getattr(lm.config, "max_position_embeddings", 2048))


# -- per-token scores -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TokenScores:
    """Per-token scores of one token sequence; entry t is about token ``token_ids[t]`` given those before it.

    ``means[t]`` and ``stds[t]`` are the mean and standard deviation of log p(v) for v drawn from the model's
    own next-token distribution at that position (the μ and σ of Min-K%++)."""

    token_ids: list[int]
    logprobs: list[float]
    means: list[float]
    stds: list[float]
    truncated: bool = False

    @property
    def n(self) -> int:
        return len(self.logprobs)

    @property
    def loss(self) -> float:
        """Mean negative log-likelihood per token (nats): the log-perplexity."""
        return -math.fsum(self.logprobs) / self.n if self.n else math.nan

    def sliced(self, start: int, stop: int | None = None) -> "TokenScores":
        part = slice(start, stop)
        return TokenScores(self.token_ids[part], self.logprobs[part], self.means[part], self.stds[part],
                           self.truncated)


def token_scores_ids(model: Any, ids: Sequence[int]) -> TokenScores:
    """Score a token sequence (its first token is context only); longer than the context window: truncated."""
    import torch

    lm, _, device = _parts(model)
    ids = list(ids)
    limit = _context_window(lm)
    truncated = len(ids) > limit
    ids = ids[:limit]
    if len(ids) < 2:
        return TokenScores([], [], [], [], truncated)
    with torch.no_grad():
        logits = lm(input_ids=torch.tensor([ids], device=device), use_cache=False).logits[0, :-1]
        logp = torch.log_softmax(logits.float(), dim=-1)
        target = torch.tensor(ids[1:], device=device)
        picked = logp.gather(1, target[:, None])[:, 0]
        p = logp.exp()
        mean = (p * logp).sum(-1)
        var = ((p * logp * logp).sum(-1) - mean * mean).clamp_min(1e-12)
    return TokenScores(ids[1:], picked.tolist(), mean.tolist(), var.sqrt().tolist(), truncated)


def token_scores(model: Any, texts: Sequence[str]) -> list[TokenScores]:
    """Plain-text per-token scores of each text, one forward pass per text (on CPU batching gains little, and
    one text per pass makes every score independent of its batch)."""
    _, tokenizer, _ = _parts(model)
    return [token_scores_ids(model, ids) for ids in _encode_many(tokenizer, texts)]


# -- membership scores ---------------------------------------------------------------------------------

def zlib_bytes(text: str) -> int:
    """Length of the zlib-compressed UTF-8 text: a model-free estimate of the text's own information."""
    return len(zlib.compress(text.encode("utf-8")))


def min_k_percent(values: Sequence[float], k: float = DEFAULT_K) -> float:
    """Mean of the lowest ``k`` fraction of ``values`` (at least one value)."""
    if not 0.0 < k <= 1.0:
        raise ValueError(f"k must lie in (0, 1], got {k!r}")
    if not len(values):
        return math.nan
    ordered = sorted(values)
    count = max(1, math.ceil(k * len(ordered)))
    return math.fsum(ordered[:count]) / count


def min_k_plus_plus(scores: TokenScores, k: float = DEFAULT_K) -> float:
    """Min-K%++: the lowest-k mean of each token's log-prob standardised by the model's own next-token
    distribution, (log p(x_t) − μ_t) / σ_t. A training text sits near a mode of the distribution."""
    z = [(lp - mu) / max(sd, 1e-6) for lp, mu, sd in zip(scores.logprobs, scores.means, scores.stds)]
    return min_k_percent(z, k)


def membership_scores(scores: TokenScores, text: str, reference: TokenScores | None = None,
                      k: float = DEFAULT_K) -> dict[str, float]:
    """Every membership score of one text, each oriented so that higher means "more likely a member"."""
    out = {
        "loss": -scores.loss,
        "zlib": -scores.loss / max(zlib_bytes(text), 1),
        "min_k": min_k_percent(scores.logprobs, k),
        "min_k_pp": min_k_plus_plus(scores, k),
    }
    if reference is not None:
        if reference.token_ids != scores.token_ids:
            raise ValueError("the reference model must share the audited model's tokenizer")
        out["reference"] = -scores.loss / max(reference.loss, 1e-9)
    return out


# -- candidate scoring over a token trie ---------------------------------------------------------------

def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _trie_chunks(tails: Sequence[tuple[int, ...]], max_nodes: int) -> list[list[int]]:
    """Candidate indices in token order, cut into chunks whose tries feed at most ``max_nodes`` tokens."""
    order = sorted(range(len(tails)), key=lambda i: tails[i])
    chunks: list[list[int]] = []
    current: list[int] = []
    nodes: set[tuple[int, ...]] = set()
    for i in order:
        new = {tails[i][:j] for j in range(1, len(tails[i]))} - nodes
        if current and len(nodes) + len(new) > max_nodes:
            chunks.append(current)
            current, nodes = [], set()
            new = {tails[i][:j] for j in range(1, len(tails[i]))}
        current.append(i)
        nodes |= new
    if current:
        chunks.append(current)
    return chunks


def candidate_logprobs(model: Any, prefix: str, candidates: Sequence[str], max_nodes: int = 1024,
                       item_id: str = "?") -> np.ndarray:
    """log P(candidate | prefix) for every candidate continuation of one plain-text prefix (float64 array).

    Each candidate is tokenised in context (``prefix + candidate``, so a tokenizer that merges across the
    boundary is read as it would be in training); the tokens all candidates share with the prefix are the
    context, and the rest of each candidate is scored. The candidates' remaining tokens form a trie; each
    chunk of it (at most ``max_nodes`` fed tokens) is packed after the context into one sequence whose
    attention mask lets every trie node see the context and its own ancestors only, with positions as if the
    node's path followed the context alone. The result equals scoring each candidate in its own forward pass.
    """
    import torch

    from audit.models.packing import additive_mask

    if not candidates:
        return np.zeros(0)
    lm, tokenizer, device = _parts(model)
    prefix_ids = encode_text(tokenizer, prefix)
    joint = _encode_many(tokenizer, [prefix + c for c in candidates])
    context_len = len(prefix_ids)
    for ids in joint:  # the longest head that every candidate's in-context tokenisation shares with the prefix
        if ids[:context_len] != prefix_ids[:context_len]:
            context_len = _common_prefix(prefix_ids, ids)
        context_len = min(context_len, len(ids) - 1)
    if context_len < 1:
        raise ValueError("a candidate adds no token to the prefix, or the text has no start token")
    context = prefix_ids[:context_len]
    tails = [tuple(ids[context_len:]) for ids in joint]
    longest = max(len(t) for t in tails)
    if context_len + longest > _context_window(lm):
        from audit.errors import ContextWindowError

        raise ContextWindowError(item_id, context_len + longest, _context_window(lm))
    dtype = next(lm.parameters()).dtype
    out = np.zeros(len(candidates), dtype=np.float64)
    for chunk in _trie_chunks(tails, max_nodes):
        nodes: dict[tuple[int, ...], int] = {}
        for i in chunk:
            for j in range(1, len(tails[i])):
                nodes.setdefault(tails[i][:j], len(nodes))
        total = context_len + len(nodes)
        allowed = torch.zeros(total, total, dtype=torch.bool)
        allowed[:, :context_len] = True
        allowed[:context_len, :context_len] = torch.ones(context_len, context_len, dtype=torch.bool).tril()
        positions = list(range(context_len))
        input_ids = list(context)
        for path, k in nodes.items():
            row = context_len + k
            input_ids.append(path[-1])
            positions.append(context_len + len(path) - 1)
            for depth in range(1, len(path) + 1):
                allowed[row, context_len + nodes[path[:depth]]] = True
        mask = additive_mask(allowed.to(device), dtype)
        keep = torch.tensor([context_len - 1] + list(range(context_len, total)), device=device)
        with torch.no_grad():
            logits = lm(input_ids=torch.tensor([input_ids], device=device), attention_mask=mask[None, None],
                        position_ids=torch.tensor([positions], device=device), use_cache=False,
                        logits_to_keep=keep).logits[0]
            logp = torch.log_softmax(logits.float(), dim=-1)
        rows, tokens, owner = [], [], []
        for slot, i in enumerate(chunk):
            tail = tails[i]
            for j, token in enumerate(tail):
                rows.append(0 if j == 0 else 1 + nodes[tail[:j]])
                tokens.append(token)
                owner.append(slot)
        picked = logp[torch.tensor(rows, device=device), torch.tensor(tokens, device=device)].double().cpu().numpy()
        sums = np.zeros(len(chunk), dtype=np.float64)
        np.add.at(sums, np.array(owner), picked)
        out[np.array(chunk)] = sums
    return out


# -- exposure ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SecretSpace:
    """All strings of ``length`` characters over ``alphabet``: the space R a secret is drawn from."""

    alphabet: str
    length: int

    def __post_init__(self) -> None:
        if not self.alphabet or len(set(self.alphabet)) != len(self.alphabet):
            raise ValueError(f"the secret alphabet must be non-empty with distinct characters, got {self.alphabet!r}")
        if self.length < 1:
            raise ValueError("the secret must have at least one character")

    @property
    def size(self) -> int:
        return len(self.alphabet) ** self.length

    @property
    def log2_size(self) -> float:
        return self.length * math.log2(len(self.alphabet))

    def contains(self, secret: str) -> bool:
        return len(secret) == self.length and set(secret) <= set(self.alphabet)

    def enumerate(self) -> list[str]:
        return ["".join(chars) for chars in itertools.product(self.alphabet, repeat=self.length)]

    def sample(self, n: int, seed: int) -> list[str]:
        """``n`` candidates drawn uniformly (with replacement) from R, reproducibly from ``seed``."""
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, len(self.alphabet), size=(n, self.length))
        return ["".join(self.alphabet[i] for i in row) for row in picks]


@dataclass(frozen=True)
class ExposureEstimate:
    """Exposure in bits, with the secret's rank (1 = the model's most likely candidate) and how it was found."""

    exposure: float
    low: float
    high: float
    rank: float
    log2_space: float
    method: str  # "exact" | "skew-normal"
    n_candidates: int
    details: dict[str, float] = field(default_factory=dict)


def exposure_exact(true_logprob: float, all_logprobs: np.ndarray, log2_space: float | None = None) -> ExposureEstimate:
    """Exact exposure from the log-probabilities of every candidate in R (the true secret among them).

    rank = 1 + the number of candidates strictly more likely than the secret."""
    all_logprobs = np.asarray(all_logprobs, dtype=np.float64)
    log2_space = math.log2(all_logprobs.size) if log2_space is None else log2_space
    rank = 1 + int(np.sum(all_logprobs > true_logprob))
    exposure = log2_space - math.log2(rank)
    return ExposureEstimate(exposure, exposure, exposure, float(rank), log2_space, "exact", int(all_logprobs.size))


def _skewnorm_log2_cdf(x: float, sample: np.ndarray) -> tuple[float, tuple[float, float, float]]:
    from scipy import stats

    params = stats.skewnorm.fit(sample)
    return float(stats.skewnorm.logcdf(x, *params)) / math.log(2.0), tuple(float(p) for p in params)


def exposure_sampled(true_logprob: float, sample_logprobs: np.ndarray, space: SecretSpace, n_boot: int = 100,
                     seed: int = 0, confidence: float = 0.95) -> ExposureEstimate:
    """Exposure estimated from uniformly sampled candidates (Carlini et al. 2019, section 4.3).

    A skew-normal is fitted to the sampled log-perplexities x = −log p; the fraction of R at least as likely as
    the secret is its fitted CDF at the secret's x, so exposure = −log2 F(x), clipped to [0, log2|R|] (rank is
    at least 1). The interval is a percentile bootstrap over the sample (refitting each time); ``details`` also
    holds the model-free count of sampled candidates more likely than the secret."""
    x_sample = -np.asarray(sample_logprobs, dtype=np.float64)
    x_true = -float(true_logprob)
    cap = space.log2_size

    def clip(value: float) -> float:
        return float(min(max(value, 0.0), cap))

    log2_cdf, params = _skewnorm_log2_cdf(x_true, x_sample)
    estimate = clip(-log2_cdf)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(n_boot):
        resample = x_sample[rng.integers(0, x_sample.size, x_sample.size)]
        boot.append(clip(-_skewnorm_log2_cdf(x_true, resample)[0]))
    alpha = 1.0 - confidence
    low, high = (float(v) for v in np.quantile(boot, [alpha / 2, 1 - alpha / 2])) if boot else (estimate, estimate)
    more_likely = int(np.sum(x_sample < x_true))
    rank = max(1.0, 2.0 ** (cap - estimate))
    return ExposureEstimate(estimate, min(low, estimate), max(high, estimate), rank, cap, "skew-normal",
                            int(x_sample.size),
                            details={"skewnorm_a": params[0], "skewnorm_loc": params[1], "skewnorm_scale": params[2],
                                     "sampled_more_likely": float(more_likely),
                                     "empirical_exposure": clip(-math.log2((more_likely + 1) / (x_sample.size + 1)))})


# -- extraction ------------------------------------------------------------------------------------

def greedy_continuation(model: Any, prefix_ids: Sequence[int], n_new: int) -> list[int]:
    """Exactly ``n_new`` greedily decoded plain-text tokens after ``prefix_ids`` (end-of-text suppressed, so
    every document is compared over the same length)."""
    import torch

    lm, tokenizer, device = _parts(model)
    ids = torch.tensor([list(prefix_ids)], device=device)
    with torch.no_grad():
        out = lm.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=n_new,
                          min_new_tokens=n_new, do_sample=False, temperature=None, top_p=None, top_k=None,
                          pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None
                          else tokenizer.eos_token_id)
    return out[0, ids.shape[1]:].tolist()


def edit_similarity(a: str, b: str) -> float:
    """1 − Levenshtein distance / length of the longer string (1.0 for two empty strings)."""
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


# -- the shared probe shape ------------------------------------------------------------------------

COMPUTE = "compute"
"""The query kind of these probes: the runner hands the query and the model to ``probe.compute`` (the
probes need plain-text log-probabilities over the whole vocabulary, which no chat-level backend call gives)."""


class PlainTextProbe(Probe):
    """Base of the memorisation probes: data-gated, plain-text, computed by the probe itself.

    - They run on a user's own files (``--data``); the shipped demo files are scored only under ``--full``.
      The shipped files were planted in the demo organism (:mod:`audit.models.organism`) only, so on any other
      model (the embedded one included) the result is a control: a pass there is not reported as a pass.
    - ``reference_model`` (optional, set by the caller) is a model the audited one was fine-tuned from, or
      one never trained on the data, for the reference-ratio scores of Carlini et al. (2021).
    """

    requires = frozenset({Capability.SCORE, Capability.HOOKS})
    reference_model: Any = None

    def uses_shipped_data(self) -> bool:
        shipped = self.default_data_path()
        return shipped is not None and self.data_path is not None and self.data_path.resolve() == shipped.resolve()

    def not_run_reason(self) -> str:
        return (f"not run: {self.id} runs on your own data (--probe {self.id} --data FILE; the format is in the "
                "probe's docstring), or on the shipped demo data under --full")

    def select(self, items: Sequence[Any], limit: int | None, full: bool) -> tuple[list[Any], str]:
        if self.uses_shipped_data() and not full:
            return [], self.not_run_reason()
        return super().select(items, limit, full)

    def explanation_request(self, query: Query, item: ItemResult) -> None:
        return None  # token attribution of a memorised string says nothing about why it was memorised

    @abstractmethod
    def compute(self, model: Any, query: Query) -> Any:
        """The model computation for one query (the runner calls it for queries of kind ``compute``)."""

    def control_verdict(self, verdict: Verdict, what: str) -> Verdict:
        """On the shipped demo data, say that the run is a control and never report it as a pass."""
        if not self.uses_shipped_data():
            return verdict
        note = (f"Control run on the shipped demo data: {what} were planted only in the demo organism "
                "(audit.models.organism), so unless this model is that organism it never saw them and chance-level "
                "results are expected. ")
        if verdict.status == "pass":
            return verdict.model_copy(update={
                "status": "inconclusive",
                "explanation": note + f"Observed: {verdict.explanation}. This says nothing about this model's own "
                "training data; pass your own files with --data to audit it."})
        if verdict.status == "fail":
            return verdict.model_copy(update={
                "explanation": note + f"Observed: {verdict.explanation}. On a model other than the organism this "
                "points to contamination or a fault in the probe."})
        return verdict.model_copy(update={"explanation": note + verdict.explanation})


def mean_metric(name: str, description: str, values: Sequence[float], seed: int) -> "Metric":
    """A mean with its bootstrap interval, or without an interval when there is a single value."""
    from audit import stats
    from audit.metrics import from_interval, no_data

    if not values:
        return no_data(name, description)
    if len(values) == 1:
        return Metric(name=name, description=description, estimate=float(values[0]), ci_low=None, ci_high=None, n=1,
                      method="single value, no interval", kind="score")
    return from_interval(name, description, stats.bootstrap_mean(list(values), seed=seed))


def describe_document(doc_id: str, text: str) -> str:
    """What the evidence stores instead of a training document: an id, a length and a hash, never the text."""
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"[document {doc_id}: {len(text)} characters, sha256 {digest}…; text not stored in the evidence]"
