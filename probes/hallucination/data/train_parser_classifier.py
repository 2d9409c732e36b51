"""Train the learned half of the hybrid answer parsers and freeze it in parser_classifier.npz.

Usage (from the repository root, offline):
    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 python probes/hallucination/data/train_parser_classifier.py [--out PATH]

Trains ONLY on the development sets (parser_validation.jsonl, parser_heldout.jsonl, parser_heldout2.jsonl,
parser_heldout3.jsonl, since the fifth revision parser_heldout4.jsonl, since the sixth parser_heldout5.jsonl and, since the
seventh, parser_heldout6.jsonl, since the eighth parser_heldout7.jsonl, since the ninth parser_heldout8.jsonl and
parser_heldout9.jsonl, since the tenth parser_heldout10.jsonl and parser_heldout11.jsonl, since the eleventh
parser_heldout12.jsonl and parser_heldout13.jsonl, whose first-run figures are recorded in their datasheets) and the hand-written training bank parser_training_bank.jsonl (and, where it exists, parser_training_bank2.jsonl;
training rows only: in every fold's training part and the final fit, never a test fold, never scored); the fresh held-out
sets of the eleventh revision (none in the repository yet) are never read here. A row's "proposed"
field (heldout6) reaches the parsers as in check_parsers.predict.

How the design was chosen, per task (abstention, yes_no_maybe, option_letter):
- grouped cross-validation with the labelled set as the group (leave one set out). The folds that decide are
  parser_heldout, parser_heldout2, parser_heldout3, parser_heldout4, parser_heldout5, parser_heldout6, parser_heldout7,
  parser_heldout8, parser_heldout9, parser_heldout10, parser_heldout11, parser_heldout12 and parser_heldout13, because for them an honest stand-in for
  "rules that have not seen this set" exists in git: the rules as they were when each set was still held out
  (4f66f4d for parser_heldout, 851bd8e for parser_heldout2, d88c8ed for parser_heldout3, 5f2c1b9 for parser_heldout4, 35153dd for parser_heldout5,
  8462bca for parser_heldout6, 2b791cd for parser_heldout7, f15e350 for parser_heldout8 and parser_heldout9, 2352d5e for parser_heldout10 and parser_heldout11,
  c9dabd1 for parser_heldout12 and parser_heldout13, read with `git show`; for the hybrid versions their rule functions alone). Whether the rules overruled a cue on purpose
  (parsing.rules_overruled_a_cue) is computed with the current cue detectors for every version, the old
  ones having no such function: a small leak of the current rules into those folds. The current rules were revised on all thirteen sets, so
  on them they are right by construction and would teach the combination to trust the rules blindly.
  The classifier of each fold is trained on the other thirteen sets and the bank(s).
- the grid: embedded segments (whole answer / first sentence / whole + first + last sentence), surface
  features on or off, C in {1, 3, 10, 30}, class weights none or balanced, t_fill and t_over thresholds, and
  (seventh revision, yes/no/maybe) whether a rule "maybe" is kept from the classifier's override (KEPT).
- the objective, on the thirteen deciding folds pooled: the number of class figures (precision and recall of classes with
  >= 5 labelled answers) at >= 0.9, then the smallest class figure, then accuracy. The grid is searched on
  these same folds, so the chosen figures are optimistic; they are printed beside the rules-only figures.
  The sixth to tenth revisions' designs (SIXTH_DESIGN, SEVENTH_DESIGN, EIGHTH_DESIGN, NINTH_DESIGN, TENTH_DESIGN) are
  cross-validated the same way and printed beside them. Tenth revision: the abstention hybrid's gate
  (parsing.combine: the classifier turns a rule "answer" into a decline only where the text carries a decline cue,
  parsing.decline_cue) applies in every fold, as it does in the shipped parsers.
The final classifier of each task is then fitted on all fourteen development sets and the bank(s) with the chosen settings.
Deterministic: lbfgs logistic regression, no sampling; embeddings on CPU vary by ~1e-7 between runs, so the
weights are stored rounded to 4 decimals and the file's bytes repeat.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from audit import stats  # noqa: E402
from probes.hallucination import parsing  # noqa: E402
from probes.hallucination.data.check_parsers import (  # noqa: E402
    DEVELOPMENT,
    EIGHTH_HELD_OUT,
    ELEVENTH_HELD_OUT,
    FIFTH_HELD_OUT,
    FIRST_HELD_OUT,
    FOURTH_HELD_OUT,
    NINTH_HELD_OUT,
    SECOND_HELD_OUT,
    SEVENTH_HELD_OUT,
    SIXTH_HELD_OUT,
    TENTH_HELD_OUT,
    THIRD_HELD_OUT,
    THIRTEENTH_HELD_OUT,
    TWELFTH_HELD_OUT,
    _NOTE,
    load,
    proposal_in_question,
    question_options,
)

DEV_SETS = {"validation": DEVELOPMENT, "heldout": FIRST_HELD_OUT, "heldout2": SECOND_HELD_OUT, "heldout3": THIRD_HELD_OUT,
            "heldout4": FOURTH_HELD_OUT, "heldout5": FIFTH_HELD_OUT, "heldout6": SIXTH_HELD_OUT,
            "heldout7": SEVENTH_HELD_OUT, "heldout8": EIGHTH_HELD_OUT, "heldout9": NINTH_HELD_OUT,
            "heldout10": TENTH_HELD_OUT, "heldout11": ELEVENTH_HELD_OUT, "heldout12": TWELFTH_HELD_OUT,
            "heldout13": THIRTEENTH_HELD_OUT}
# Hand-written paraphrases for breadth (parser_training_bank.datasheet.md): training rows only, in every fold's training
# part and in the final fit, never a fold of its own and never scored.
BANK = Path(__file__).with_name("parser_training_bank.jsonl")
# Eighth revision: a second hand-written bank (parser_training_bank2.datasheet.md), used exactly like the first where
# the file exists, unless --without-bank2 (the pooled cross-validation with and without it decided whether to ship it).
BANK2 = Path(__file__).with_name("parser_training_bank2.jsonl")
# The rules as they were while each set was still held out (its datasheet names the frozen parser; for heldout3
# the rules of d88c8ed, parsing.py sha256 fe47dc5b..., under which it was built and first run).
# heldout4: the fourth revision's rules (5f2c1b9, parsing.py sha256 888a6562...), frozen before it was first run.
# heldout5: the fifth revision's rules (35153dd, parsing.py sha256 9b04f986...), frozen before it was first run.
# heldout6: the sixth revision's rules (8462bca, parsing.py sha256 3427d20c...), frozen before it was first run.
# heldout7: the seventh revision's rules (2b791cd, parsing.py sha256 32f43642...), frozen before it was first run.
# heldout8, heldout9: the eighth revision's rules (f15e350, parsing.py sha256 00d16526...), frozen before they were first run.
# heldout10, heldout11: the ninth revision's rules (2352d5e, parsing.py sha256 883cb2e2...), frozen before they were first run.
# heldout12, heldout13: the tenth revision's rules (c9dabd1, parsing.py sha256 ff9d24bb...), frozen before they were first run.
RULES_WHEN_HELD_OUT = {"heldout": "4f66f4d", "heldout2": "851bd8e", "heldout3": "d88c8ed", "heldout4": "5f2c1b9",
                       "heldout5": "35153dd", "heldout6": "8462bca", "heldout7": "2b791cd", "heldout8": "f15e350",
                       "heldout9": "f15e350", "heldout10": "2352d5e", "heldout11": "2352d5e",
                       "heldout12": "c9dabd1", "heldout13": "c9dabd1"}
DECIDING_FOLDS = ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9",
                  "heldout10", "heldout11", "heldout12", "heldout13")
SEGMENTS = (("full",), ("first",), ("full", "first", "last"))
SURFACE = (False, True)
CS = (1.0, 3.0, 10.0, 30.0)
WEIGHTS = (None, "balanced")
T_FILL = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
T_OVER = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.1)  # 1.1: never override a committed rule
# Seventh revision: which rule labels the classifier never overrides is chosen by the cross-validation too (the sixth
# revision kept a rule "maybe" by hand, at the cost of one CV figure); per task, the candidate sets.
# Eighth revision: yes/no/maybe keeps a rule "maybe" again, by hand. With the second bank the grid preferred dropping the
# guard (same 16 of 28 figures, a higher smallest figure), which lowered pooled maybe recall (0.696 -> 0.676) and let the
# classifier override hedges said in words on the development set ("No one can say for certain; the data are
# conflicting." read as abstain; parser_classifier.datasheet.md, "Eighth revision").
# Tenth revision: the abstention hybrid (used by is_abstention / is_refusal again, gated) keeps a rule "abstain", by
# hand, as the other tasks keep a decline the rules read: the fabricated-entity probe scores abstentions, and the
# embedding pulled a decline said in words ("I'd need more information to say what dose ...") towards refusal.
KEPT = {"abstention": (frozenset({"abstain"}),), "yes_no_maybe": (frozenset({"abstain", "maybe"}),),
        "option_letter": (frozenset({"abstain"}),)}
# The sixth revision's design (its chosen grid point and guard, parser_classifier.datasheet.md "Sixth revision"),
# cross-validated on the same folds for comparison (with the seventh revision's cue detectors for overruled/stated).
SIXTH_DESIGN = {"abstention": dict(segments=("full", "first", "last"), surface=False, C=30.0, weight="balanced", t_fill=0.8,
                                   t_over=0.9, kept=frozenset()),
                "yes_no_maybe": dict(segments=("full",), surface=True, C=1.0, weight=None, t_fill=0.4, t_over=0.6,
                                     kept=frozenset({"abstain", "maybe"})),
                "option_letter": dict(segments=("first",), surface=True, C=10.0, weight=None, t_fill=0.4, t_over=0.8,
                                      kept=frozenset({"abstain"}))}
# The seventh revision's design (its chosen grid point and guards, parser_classifier.datasheet.md "Seventh revision" and
# the table at its top), cross-validated on the same folds beside the new choice (eighth revision's cue detectors).
SEVENTH_DESIGN = {"abstention": dict(segments=("full", "first", "last"), surface=True, C=30.0, weight=None, t_fill=0.6,
                                     t_over=1.1, kept=frozenset()),
                  "yes_no_maybe": dict(segments=("full", "first", "last"), surface=False, C=3.0, weight=None, t_fill=0.8,
                                       t_over=0.6, kept=frozenset({"abstain", "maybe"})),
                  "option_letter": dict(segments=("first",), surface=True, C=3.0, weight="balanced", t_fill=0.4,
                                        t_over=0.95, kept=frozenset({"abstain"}))}
# The eighth revision's design (its chosen grid point and guards, parser_classifier.datasheet.md, the table at the top of
# the "Eighth revision" state), cross-validated on the same folds beside the new choice (ninth revision's cue detectors).
EIGHTH_DESIGN = {"abstention": dict(segments=("full", "first", "last"), surface=True, C=30.0, weight="balanced", t_fill=0.7,
                                    t_over=0.9, kept=frozenset()),
                 "yes_no_maybe": dict(segments=("full", "first", "last"), surface=True, C=1.0, weight="balanced", t_fill=0.7,
                                      t_over=0.5, kept=frozenset({"abstain", "maybe"})),
                 "option_letter": dict(segments=("first",), surface=True, C=30.0, weight=None, t_fill=0.5, t_over=0.95,
                                       kept=frozenset({"abstain"}))}
# The ninth revision's design (its chosen grid point and guards, parser_classifier.datasheet.md, the table at the top of
# the "Ninth revision" state), cross-validated on the same folds beside the new choice (tenth revision's cue detectors).
NINTH_DESIGN = {"abstention": dict(segments=("full", "first", "last"), surface=False, C=30.0, weight="balanced", t_fill=0.8,
                                   t_over=0.95, kept=frozenset()),
                "yes_no_maybe": dict(segments=("full", "first", "last"), surface=True, C=1.0, weight="balanced", t_fill=0.8,
                                     t_over=0.5, kept=frozenset({"abstain", "maybe"})),
                "option_letter": dict(segments=("first",), surface=True, C=3.0, weight="balanced", t_fill=0.5, t_over=0.95,
                                      kept=frozenset({"abstain"}))}
# The tenth revision's design (its chosen grid point and guards, parser_classifier.datasheet.md, the table at the top of
# the "Tenth revision" state, abstention head gated by parsing.decline_cue), cross-validated on the same folds beside the
# new choice (eleventh revision's cue detectors).
TENTH_DESIGN = {"abstention": dict(segments=("full",), surface=True, C=10.0, weight=None, t_fill=0.4, t_over=0.8,
                                   kept=frozenset({"abstain"})),
                "yes_no_maybe": dict(segments=("full", "first", "last"), surface=True, C=1.0, weight="balanced", t_fill=0.5,
                                     t_over=0.7, kept=frozenset({"abstain", "maybe"})),
                "option_letter": dict(segments=("full",), surface=True, C=1.0, weight="balanced", t_fill=0.4, t_over=0.95,
                                      kept=frozenset({"abstain"}))}
MIN_N = 5
CLASSES = {"abstention": ("abstain", "answer", "refusal"),
           "yes_no_maybe": ("abstain", "maybe", "no", "unparseable", "yes"),
           "option_letter": ("abstain", "letter", "unparseable")}

CURRENT_RULES = SimpleNamespace(is_abstention=parsing._rule_is_abstention, is_refusal=parsing._rule_is_refusal,
                                parse_yes_no_maybe=parsing._rule_yes_no_maybe,
                                parse_option_letter=parsing._rule_option_letter)


def old_rules(commit: str):
    """parsing.py as committed at ``commit``, imported from a temporary file."""
    source = subprocess.run(["git", "show", f"{commit}:probes/hallucination/parsing.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / f"rules_{commit}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"rules_{commit}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the newer versions define dataclasses, which look their module up
    spec.loader.exec_module(module)
    if hasattr(module, "_rule_option_letter"):  # a hybrid version: its rules alone (its classifier is not in git's file)
        return SimpleNamespace(is_abstention=module._rule_is_abstention, is_refusal=module._rule_is_refusal,
                               parse_yes_no_maybe=module._rule_yes_no_maybe,
                               parse_option_letter=module._rule_option_letter)
    return module


def question_context(task: str, question: str, proposed: str | None = None) -> dict:
    """Keyword arguments the parsers get for a row (as check_parsers.predict passes them; ``proposed``: the row's
    "proposed" field, which heldout6 rows use to name the proposal)."""
    if task == "yes_no_maybe":
        proposed, options = proposal_in_question(question, proposed)
        # ninth revision: the question (without a leading bracketed note), as check_parsers.predict passes it
        return {"proposed": proposed, "options": options or None, "question": _NOTE.sub("", question, count=1) or None}
    if task == "option_letter":
        options = question_options(question)
        return {"n_options": max(len(options), 4), "options": options or None}
    return {}


def rule_label(rules, task: str, response: str, question: str, proposed: str | None = None) -> str:
    """A rule version's label for one row (older versions take fewer arguments)."""
    if task == "abstention":
        return "abstain" if rules.is_abstention(response) else "refusal" if rules.is_refusal(response) else "answer"
    kwargs = question_context(task, question, proposed)
    fn = rules.parse_yes_no_maybe if task == "yes_no_maybe" else rules.parse_option_letter
    try:
        parsed = fn(response, **kwargs)
    except TypeError:  # versions before the ninth take no question; versions before the fifth take no proposal
        try:
            parsed = fn(response, **{k: v for k, v in kwargs.items() if k != "question"})
        except TypeError:
            parsed = fn(response, **{k: v for k, v in kwargs.items() if k == "n_options"})
    return parsed or "unparseable"


def valid_letters(task: str, question: str) -> str:
    return "ABCDEFGH"[:question_context(task, question)["n_options"]] if task == "option_letter" else "ABCD"


def cross_validate(task, subset, X, y, folds, C, weight):
    """Per fold: (test indices, probabilities, classes) of a classifier trained on the other sets and the bank."""
    fold_probs = {}
    for fold in DEV_SETS:
        train = [i for i, f in enumerate(folds) if f != fold]
        test = [i for i, f in enumerate(folds) if f == fold]
        model = fit(X[train], [y[i] for i in train], C, weight)
        fold_probs[fold] = (test, model.predict_proba(X[test]), list(model.classes_))
    return fold_probs


def combined_pairs(task, subset, fold_probs, t_fill, t_over, kept):
    pairs = {}
    for fold, (test, probs, classes) in fold_probs.items():
        pairs[fold] = [(subset[i]["label"], parsing.combine(
            task, subset[i]["rule_then"], p, classes, t_fill, t_over, subset[i]["response"],
            valid_letters(task, subset[i]["question"]), subset[i]["overruled_then"], subset[i]["stated_then"], kept))
            for i, p in zip(test, probs)]
    return pairs


def fit(X: np.ndarray, y: list[str], C: float, weight):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=C, class_weight=weight, max_iter=5000).fit(X, y)


def class_figures(pairs: list[tuple[str, str]]) -> dict[str, dict]:
    labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    out = {}
    for label in labels:
        tp = sum(t == p == label for t, p in pairs)
        n, predicted = sum(t == label for t, _ in pairs), sum(p == label for _, p in pairs)
        out[label] = {"n": n, "predicted": predicted, "precision": stats.wilson(tp, predicted), "recall": stats.wilson(tp, n)}
    return out


def objective(pairs: list[tuple[str, str]]) -> tuple[int, float, float]:
    figures = []
    for c in class_figures(pairs).values():
        if c["n"] >= MIN_N:
            figures += [c["precision"].estimate if c["predicted"] else 0.0, c["recall"].estimate]
    return sum(f >= 0.9 for f in figures), min(figures), float(np.mean([t == p for t, p in pairs]))


def print_figures(title: str, pairs: list[tuple[str, str]]) -> None:
    print(f"  {title}: accuracy {np.mean([t == p for t, p in pairs]):.3f} on {len(pairs)}")
    for label, c in class_figures(pairs).items():
        p, r = c["precision"], c["recall"]
        fp = f"{p.estimate:.3f} [{p.low:.2f}, {p.high:.2f}]" if c["predicted"] else "  n/a"
        fr = f"{r.estimate:.3f} [{r.low:.2f}, {r.high:.2f}]" if c["n"] else "  n/a"
        print(f"    {label:12s} n={c['n']:3d} predicted={c['predicted']:3d}  precision {fp}  recall {fr}")


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz (readable by np.load) with fixed zip timestamps and order, so the same weights give the same bytes."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(arrays[name]), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=parsing.CLASSIFIER_FILE)
    parser.add_argument("--without-bank2", action="store_true", help="leave parser_training_bank2.jsonl out")
    args = parser.parse_args(argv)
    banks = [BANK] + ([BANK2] if BANK2.is_file() and not args.without_bank2 else [])

    rows = []
    for name, path in DEV_SETS.items():
        rows += [dict(r, set=name) for r in load(path)]
    for bank in banks:  # training rows only: every fold's training part and the final fit, never a fold
        rows += [dict(r, set=bank.stem) for r in load(bank)]
    print(f"training banks: {[b.name for b in banks]}", flush=True)
    rules_then = {name: old_rules(commit) for name, commit in RULES_WHEN_HELD_OUT.items()}
    for r in rows:
        r["rule_now"] = rule_label(CURRENT_RULES, r["task"], r["response"], r["question"], r.get("proposed"))
        r["rule_then"] = rule_label(rules_then.get(r["set"], CURRENT_RULES), r["task"], r["response"], r["question"],
                                    r.get("proposed"))
        context = question_context(r["task"], r["question"], r.get("proposed"))
        # whether the rules left their default on purpose (a cue overruled by a convention); computed with the
        # current cue detectors for every rule version, the old versions having no such function
        r["overruled_then"] = parsing.rules_overruled_a_cue(r["task"], r["response"], r["rule_then"],
                                                            **context)
        # sixth revision: whether that version's label is a verdict the answer states explicitly (current detectors;
        # seventh: for option letters also "A) <A's own text>", which needs the options)
        # eighth: for yes/no/maybe also a commitment to the proposed option with its own text, which needs the proposal)
        # ninth: for yes/no/maybe also a restatement of the asked claim, which needs the question
        r["stated_then"] = parsing.rules_stated_a_verdict(r["task"], r["response"], r["rule_then"], context.get("options"),
                                                          context.get("proposed"), context.get("question"))
    parsing.embed_texts([s for r in rows for s in parsing.classifier_segments(r["response"]).values()])  # one batch

    saved: dict[str, np.ndarray] = {}
    report = {}
    for task in parsing.TASKS:
        subset = [r for r in rows if r["task"] == task]
        texts = [r["response"] for r in subset]
        y = [parsing.label_kind(task, r["label"]) for r in subset]
        folds = [r["set"] for r in subset]
        best, best_key = None, None
        for segments, surface in itertools.product(SEGMENTS, SURFACE):
            print(f"  {task}: segments {segments}, surface {surface}", flush=True)
            X = parsing.classifier_features(task, texts, segments, surface)
            for C, weight in itertools.product(CS, WEIGHTS):
                fold_probs = cross_validate(task, subset, X, y, folds, C, weight)
                for t_fill, t_over, kept in itertools.product(T_FILL, T_OVER, KEPT[task]):
                    pairs = combined_pairs(task, subset, fold_probs, t_fill, t_over, kept)
                    deciding = [pair for fold in DECIDING_FOLDS for pair in pairs[fold]]
                    key = objective(deciding)
                    if best_key is None or key > best_key:
                        best_key, best = key, dict(segments=segments, surface=surface, C=C, weight=weight, t_fill=t_fill,
                                                   t_over=t_over, kept=kept, pairs=pairs)
        rules_only = [(r["label"], r["rule_then"]) for r in subset if r["set"] in DECIDING_FOLDS]
        chosen = {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in best.items() if k != "pairs"}
        print(f"== {task}: chosen {chosen}", flush=True)
        print_figures("rules as they were while each set was held out (heldout..heldout13 pooled)", rules_only)
        sixth = SIXTH_DESIGN[task]
        sixth_pairs = combined_pairs(task, subset, cross_validate(
            task, subset, parsing.classifier_features(task, texts, sixth["segments"], sixth["surface"]), y, folds,
            sixth["C"], sixth["weight"]), sixth["t_fill"], sixth["t_over"], sixth["kept"])
        sixth_deciding = [p for f in DECIDING_FOLDS for p in sixth_pairs[f]]
        print_figures("the sixth revision's design (its grid point and guards), cross-validated the same way "
                      f"(objective {objective(sixth_deciding)})", sixth_deciding)
        seventh = SEVENTH_DESIGN[task]
        seventh_pairs = combined_pairs(task, subset, cross_validate(
            task, subset, parsing.classifier_features(task, texts, seventh["segments"], seventh["surface"]), y, folds,
            seventh["C"], seventh["weight"]), seventh["t_fill"], seventh["t_over"], seventh["kept"])
        seventh_deciding = [p for f in DECIDING_FOLDS for p in seventh_pairs[f]]
        print_figures("the seventh revision's design (its grid point and guards), cross-validated the same way "
                      f"(objective {objective(seventh_deciding)})", seventh_deciding)
        eighth = EIGHTH_DESIGN[task]
        eighth_pairs = combined_pairs(task, subset, cross_validate(
            task, subset, parsing.classifier_features(task, texts, eighth["segments"], eighth["surface"]), y, folds,
            eighth["C"], eighth["weight"]), eighth["t_fill"], eighth["t_over"], eighth["kept"])
        eighth_deciding = [p for f in DECIDING_FOLDS for p in eighth_pairs[f]]
        print_figures("the eighth revision's design (its grid point and guards), cross-validated the same way "
                      f"(objective {objective(eighth_deciding)})", eighth_deciding)
        ninth = NINTH_DESIGN[task]
        ninth_pairs = combined_pairs(task, subset, cross_validate(
            task, subset, parsing.classifier_features(task, texts, ninth["segments"], ninth["surface"]), y, folds,
            ninth["C"], ninth["weight"]), ninth["t_fill"], ninth["t_over"], ninth["kept"])
        ninth_deciding = [p for f in DECIDING_FOLDS for p in ninth_pairs[f]]
        print_figures("the ninth revision's design (its grid point and guards), cross-validated the same way "
                      f"(objective {objective(ninth_deciding)})", ninth_deciding)
        tenth = TENTH_DESIGN[task]
        tenth_pairs = combined_pairs(task, subset, cross_validate(
            task, subset, parsing.classifier_features(task, texts, tenth["segments"], tenth["surface"]), y, folds,
            tenth["C"], tenth["weight"]), tenth["t_fill"], tenth["t_over"], tenth["kept"])
        tenth_deciding = [p for f in DECIDING_FOLDS for p in tenth_pairs[f]]
        print_figures("the tenth revision's design (its grid point and guards), cross-validated the same way "
                      f"(objective {objective(tenth_deciding)})", tenth_deciding)
        print_figures("hybrid, cross-validated (heldout..heldout13 pooled; classifier trained on the other thirteen sets + "
                      f"the bank(s); objective {best_key})", [p for f in DECIDING_FOLDS for p in best["pairs"][f]])
        for f in DECIDING_FOLDS:
            print_figures(f"  fold {f}", best["pairs"][f])
        print_figures("hybrid on the validation fold (current rules were written on it; classifier trained on the "
                      "thirteen held-out sets + the bank(s))", best["pairs"]["validation"])
        report[task] = {"chosen": {k: (list(v) if isinstance(v, tuple) else v) for k, v in chosen.items()},
                        "objective": list(best_key), "rules_only_objective": list(objective(rules_only)),
                        "sixth_design_objective": list(objective(sixth_deciding)),
                        "seventh_design_objective": list(objective(seventh_deciding)),
                        "eighth_design_objective": list(objective(eighth_deciding)),
                        "ninth_design_objective": list(objective(ninth_deciding)),
                        "tenth_design_objective": list(objective(tenth_deciding))}

        X = parsing.classifier_features(task, texts, best["segments"], best["surface"])
        model = fit(X, y, best["C"], best["weight"])
        saved[f"{task}/classes"] = np.array(model.classes_, dtype=str)
        # rounded: CPU embeddings and lbfgs differ between runs by ~1e-7, which would change the file's bytes
        saved[f"{task}/coef"] = np.round(model.coef_.astype(np.float64), 4)
        saved[f"{task}/intercept"] = np.round(model.intercept_.astype(np.float64), 4)
        saved[f"{task}/segments"] = np.array(best["segments"], dtype=str)
        saved[f"{task}/surface"] = np.array(best["surface"])
        saved[f"{task}/t_fill"] = np.array(best["t_fill"])
        saved[f"{task}/t_over"] = np.array(best["t_over"])
        saved[f"{task}/rules_kept"] = np.array(sorted(best["kept"]) or [""], dtype=str)  # [""]: none kept
    saved["meta"] = np.array(json.dumps({"trained_on": [p.name for p in DEV_SETS.values()] + [b.name for b in banks],
                                         "counts": dict(Counter(r["task"] for r in rows)), "report": report}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(args.out, saved)
    print(f"wrote {args.out} sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv[1:])
