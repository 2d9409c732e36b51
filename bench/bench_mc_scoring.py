"""Benchmark: multiple-choice option scoring, medaudit vs lm-evaluation-harness.

Scores the 4 multi-token options of 20 medical multiple-choice items with

(a) medaudit's ``HFModel.score_options`` (one call per item: one forward pass over the
    prompt and all option tails packed into one sequence with a block attention mask), and
(b) lm-evaluation-harness's ``HFLM`` (``batch_size=16``, CPU), which runs every
    context+continuation pair as its own padded row.

Both sides score exactly the same token sequences: the context is ``model.render(messages)``
tokenised, the continuation is the option text tokenised on its own. This is asserted
before timing. lm-eval is fed pre-tokenised requests through ``_loglikelihood_tokens`` (the
method its ``loglikelihood`` delegates to) because its string path, ``_encode_pair``,
moves the trailing "\\n" of the chat-templated context into the continuation and so
would score one extra token; that string path is run once, untimed, for information.

Run: ``.venv/bin/python bench/bench_mc_scoring.py [--repeats 5]``. Always exits 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import warnings
from dataclasses import dataclass
from typing import Any, TypeVar

import torch

from _timing import load_average, timed, verdict  # noqa: E402  (scripts run from bench/)

T = TypeVar("T")

LABELS = ("A", "B", "C", "D")
TARGET_RATIO = 2.0
TARGET_DELTA = 1e-4
LMEVAL_BATCH_SIZE = 16

# (context strings, context token ids, continuation token ids): lm-eval's request tuple.
Request = tuple[tuple[str, str], list[int], list[int]]


@dataclass(frozen=True)
class Item:
    """One multiple-choice question with four options and the correct label."""

    item_id: str
    question: str
    options: tuple[str, str, str, str]
    answer: str


ITEMS: tuple[Item, ...] = (
    Item("scurvy", "Deficiency of which vitamin causes scurvy?",
         ("Vitamin C", "Vitamin D", "Vitamin K", "Vitamin B12"), "A"),
    Item("insulin", "Which organ secretes insulin into the bloodstream?",
         ("The liver", "The pancreas", "The spleen", "The thyroid gland"), "B"),
    Item("t2dm", "What is the usual first-line oral drug for type 2 diabetes?",
         ("Glipizide", "Pioglitazone", "Metformin", "Acarbose"), "C"),
    Item("paracetamol", "What is the antidote for a paracetamol (acetaminophen) overdose?",
         ("Naloxone", "Flumazenil", "Atropine", "Acetylcysteine"), "D"),
    Item("opioid", "Which drug reverses respiratory depression from an opioid overdose?",
         ("Naloxone", "Flumazenil", "Protamine sulfate", "Glucagon"), "A"),
    Item("tb", "Which organism causes tuberculosis?",
         ("Staphylococcus aureus", "Mycobacterium tuberculosis", "Escherichia coli", "Candida albicans"), "B"),
    Item("pacemaker", "Which structure is the heart's normal pacemaker?",
         ("Atrioventricular node", "Bundle of His", "Sinoatrial node", "Purkinje fibres"), "C"),
    Item("twave", "Which electrolyte disturbance classically causes peaked T waves on an ECG?",
         ("Hyponatraemia", "Hypocalcaemia", "Hypokalaemia", "Hyperkalaemia"), "D"),
    Item("addison", "Addison's disease is mainly a deficiency of which hormone?",
         ("Cortisol", "Insulin", "Thyroxine", "Growth hormone"), "A"),
    Item("malaria", "Which insect transmits malaria?",
         ("Aedes mosquito", "Anopheles mosquito", "Tsetse fly", "Sand fly"), "B"),
    Item("bell", "Which cranial nerve is affected in Bell's palsy?",
         ("Trigeminal nerve", "Vagus nerve", "Facial nerve", "Optic nerve"), "C"),
    Item("cf", "How is cystic fibrosis inherited?",
         ("Autosomal dominant", "X-linked dominant", "Mitochondrial", "Autosomal recessive"), "D"),
    Item("donor", "Which red cell blood group is the universal donor?",
         ("O negative", "AB positive", "A negative", "B positive"), "A"),
    Item("vitk", "Which vitamin is needed to make clotting factors II, VII, IX and X?",
         ("Vitamin A", "Vitamin K", "Vitamin E", "Vitamin B1"), "B"),
    Item("heparin", "Which drug reverses the effect of unfractionated heparin?",
         ("Vitamin K", "Naloxone", "Protamine sulfate", "Desmopressin"), "C"),
    Item("hiv", "Which cells does HIV mainly infect and deplete?",
         ("Red blood cells", "Platelets", "B lymphocytes", "CD4 T cells"), "D"),
    Item("dexa", "Which test is the standard for diagnosing osteoporosis?",
         ("DEXA scan", "Chest X-ray", "Abdominal ultrasound", "Blood glucose"), "A"),
    Item("appendix", "In acute appendicitis, to where does the pain classically migrate?",
         ("Left lower quadrant", "Right lower quadrant", "Right upper quadrant", "Left upper quadrant"), "B"),
    Item("koplik", "Koplik spots inside the cheek are a sign of which infection?",
         ("Chickenpox", "Rubella", "Measles", "Mumps"), "C"),
    Item("ovulation", "A surge of which hormone triggers ovulation?",
         ("Prolactin", "Oxytocin", "Progesterone", "Luteinising hormone"), "D"),
)


# -- items ---------------------------------------------------------------------------------
def messages(item: Item) -> list[dict[str, str]]:
    """The chat prompt: the question with its lettered options listed."""
    listed = "\n".join(f"{label}) {text}" for label, text in zip(LABELS, item.options))
    content = f"{item.question}\n{listed}\nAnswer with the text of the correct option only."
    return [{"role": "user", "content": content}]


def option_map(item: Item) -> dict[str, tuple[str, ...]]:
    """``score_options``' options argument: one text variant per label."""
    return {label: (text,) for label, text in zip(LABELS, item.options)}


def key(item: Item, label: str, text: str) -> str:
    """A result key unique over all items and options."""
    return f"{item.item_id}::{label}::{text}"


# -- the two scorers ---------------------------------------------------------------------------
def score_medaudit(model: Any, items: tuple[Item, ...]) -> dict[str, float]:
    """Summed log-prob of every option via ``score_options``, one call per item."""
    out: dict[str, float] = {}
    for item in items:
        scores = model.score_options(messages(item), option_map(item), item.item_id)
        for label, text in zip(LABELS, item.options):
            out[key(item, label, text)] = scores.variant_logprobs[f"{label}::{text}"]
    return out


def lmeval_requests(hflm: Any, model: Any, items: tuple[Item, ...]) -> list[Request]:
    """Pre-tokenised lm-eval requests, tokenised by lm-eval's own ``tok_encode``."""
    requests: list[Request] = []
    for item in items:
        context = model.render(messages(item))
        context_ids = hflm.tok_encode(context)
        for text in item.options:
            requests.append(((context, text), context_ids, hflm.tok_encode(text, add_special_tokens=False)))
    return requests


def score_lmeval(hflm: Any, model: Any, items: tuple[Item, ...]) -> dict[str, float]:
    """Summed log-prob of every option via ``HFLM._loglikelihood_tokens`` (all 80 at once)."""
    results = hflm._loglikelihood_tokens(lmeval_requests(hflm, model, items), disable_tqdm=True)
    keys = [key(item, label, text) for item in items for label, text in zip(LABELS, item.options)]
    return {k: logprob for k, (logprob, _greedy) in zip(keys, results, strict=True)}


def score_lmeval_strings(hflm: Any, model: Any, items: tuple[Item, ...]) -> dict[str, float]:
    """lm-eval's public string path ``loglikelihood`` (re-tokenises via ``_encode_pair``)."""
    from lm_eval.api.instance import Instance

    instances, keys = [], []
    for item in items:
        context = model.render(messages(item))
        for label, text in zip(LABELS, item.options):
            instances.append(Instance("loglikelihood", {}, (context, text), len(instances)))
            keys.append(key(item, label, text))
    results = hflm.loglikelihood(instances, disable_tqdm=True)
    return {k: logprob for k, (logprob, _greedy) in zip(keys, results, strict=True)}


# -- checks ------------------------------------------------------------------------------------
def check_tokenisation(hflm: Any, model: Any, items: tuple[Item, ...]) -> int:
    """Assert both sides use identical context and continuation token ids.

    medaudit's side is read from ``OptionScores.variant_token_ids`` (the ids
    ``score_options`` scored) where that field exists, else from ``encode_continuation``.

    Also asserts that tokenising context+option jointly gives the same ids as the split
    (so the scored sequence is the natural tokenisation of the full text) and that every
    option is 2–6 tokens. Returns how many requests lm-eval's string path would split
    differently (its ``_encode_pair`` moves trailing whitespace into the continuation).
    """
    moved = 0
    for item in items:
        context = model.render(messages(item))
        context_ids = model.encode_prompt(messages(item))
        assert hflm.tok_encode(context) == context_ids, f"{item.item_id}: context ids differ"
        used = getattr(model.score_options(messages(item), option_map(item), item.item_id), "variant_token_ids", None)
        for label, text in zip(LABELS, item.options):
            ids = model.encode_continuation(text)
            if used:  # the ids score_options reports it scored
                assert used[f"{label}::{text}"] == ids, f"{item.item_id}/{text}: score_options used other ids"
            assert hflm.tok_encode(text, add_special_tokens=False) == ids, f"{item.item_id}/{text}: ids differ"
            assert 2 <= len(ids) <= 6, f"{item.item_id}/{text}: {len(ids)} tokens, want 2-6"
            assert hflm.tok_encode(context + text) == context_ids + ids, f"{item.item_id}/{text}: joint split"
            moved += hflm._encode_pair(context, text) != (context_ids, ids)
    return moved


def max_abs_delta(a: dict[str, float], b: dict[str, float]) -> float:
    """Largest |a[k] - b[k]| over the (identical) key sets."""
    assert a.keys() == b.keys()
    return max(abs(a[k] - b[k]) for k in a)


def n_correct(scores: dict[str, float], items: tuple[Item, ...]) -> int:
    """Items whose highest-scoring option is the correct one."""
    hits = 0
    for item in items:
        best = max(zip(LABELS, item.options), key=lambda lt: scores[key(item, *lt)])[0]
        hits += best == item.answer
    return hits


# -- timing ------------------------------------------------------------------------------------



def load_hflm(folder: str) -> Any:
    """lm-eval's HF model on the converted embedded model folder."""
    from lm_eval.models.huggingface import HFLM

    return HFLM(pretrained=folder, batch_size=LMEVAL_BATCH_SIZE, device="cpu")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per side (after 1 warm-up)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    from importlib.metadata import version

    from audit.models import load_model
    from audit.models.loading import resolve_model

    model = load_model(None, device="cpu")
    hflm = load_hflm(str(resolve_model(None).folder))
    assert hflm.model.dtype == model.model.dtype, (hflm.model.dtype, model.model.dtype)
    n_options = sum(len(item.options) for item in ITEMS)
    print(f"torch {torch.__version__}, transformers {version('transformers')}, lm_eval {version('lm_eval')}; "
          f"threads {torch.get_num_threads()}, cpus {os.cpu_count()}, dtype {model.model.dtype}")
    print(f"items {len(ITEMS)}, options {n_options}, lm-eval batch_size {LMEVAL_BATCH_SIZE}, "
          f"repeats {args.repeats} (+1 warm-up); load average at start {load_average()}")

    moved = check_tokenisation(hflm, model, ITEMS)
    print(f"tokenisation: context and continuation ids identical on both sides for all {n_options} options (asserted)")

    ours = score_medaudit(model, ITEMS)  # warm-up
    theirs = score_lmeval(hflm, model, ITEMS)
    t_ours: list[float] = []
    t_theirs: list[float] = []
    for _ in range(args.repeats):  # interleaved, so drift hits both sides alike
        seconds, ours = timed(lambda: score_medaudit(model, ITEMS))
        t_ours.append(seconds)
        seconds, theirs = timed(lambda: score_lmeval(hflm, model, ITEMS))
        t_theirs.append(seconds)

    med_ours, med_theirs = statistics.median(t_ours), statistics.median(t_theirs)
    ratio = med_theirs / med_ours
    delta = max_abs_delta(ours, theirs)
    print(f"medaudit score_options : median {med_ours:.3f} s  (runs {', '.join(f'{t:.3f}' for t in t_ours)})")
    print(f"lm-eval HFLM           : median {med_theirs:.3f} s  (runs {', '.join(f'{t:.3f}' for t in t_theirs)})")
    print(f"speed ratio lm-eval/medaudit: {ratio:.2f}x")
    print(f"max |delta log-prob| over {n_options} options: {delta:.2e}")
    print(f"argmax correct: medaudit {n_correct(ours, ITEMS)}/{len(ITEMS)}, lm-eval {n_correct(theirs, ITEMS)}/{len(ITEMS)}")

    strings = score_lmeval_strings(hflm, model, ITEMS)
    print(f"info: lm-eval string path loglikelihood() splits {moved}/{n_options} requests differently "
          f"(moves the context's trailing newline into the continuation); "
          f"max |delta| vs medaudit {max_abs_delta(ours, strings):.2e} (not a target)")

    print(f"load average at end {load_average()} (includes this run itself)")
    print(f"target ratio >= {TARGET_RATIO:.0f}x: {verdict(ratio >= TARGET_RATIO)} ({ratio:.2f}x)")
    print(f"target delta <= {TARGET_DELTA:.0e}: {verdict(delta <= TARGET_DELTA)} ({delta:.2e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
