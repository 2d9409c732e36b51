"""Precision and recall of the answer parsers on the hand-labelled responses.

Usage: python probes/hallucination/data/check_parsers.py [--errors]
Prints, per set, task and class, n, precision and recall (with Wilson 95% intervals);
--errors also lists every response whose parsed label differs from its hand label.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from audit import stats
from probes.hallucination.parsing import abstention_label, parse_option_letter, parse_yes_no_maybe, prepare
from probes.hallucination.reader import READ_TASKS, load_reader

DEVELOPMENT = Path(__file__).with_name("parser_validation.jsonl")  # the rules were written against this
FIRST_HELD_OUT = Path(__file__).with_name("parser_heldout.jsonl")  # its failures were read when the rules were revised
SECOND_HELD_OUT = Path(__file__).with_name("parser_heldout2.jsonl")  # likewise, since 2026-11-27 (second revision)
THIRD_HELD_OUT = Path(__file__).with_name("parser_heldout3.jsonl")  # likewise, since the fourth revision
# Labelled twice and frozen before its first run (fourth revision; figures in its datasheet); its failures were read
# for the fifth revision, so it is development data now.
FOURTH_HELD_OUT = Path(__file__).with_name("parser_heldout4.jsonl")
# Labelled twice and frozen before the fifth revision's first run on it (figures in its datasheet); its failures were
# read for the sixth revision, so it is development data now.
FIFTH_HELD_OUT = Path(__file__).with_name("parser_heldout5.jsonl")
# Labelled twice and frozen before the sixth revision's first run on it (figures in its datasheet); its failures were
# read for the seventh revision, so it is development data now.
SIXTH_HELD_OUT = Path(__file__).with_name("parser_heldout6.jsonl")
# The fresh held-out set for the seventh revision: written by another person for the probes' own prompt formats on
# new items, labelled twice and frozen before the parsers first ran on it (figures in its datasheet); its failures were
# read for the eighth revision, so it is development data now.
SEVENTH_HELD_OUT = Path(__file__).with_name("parser_heldout7.jsonl")
# The fresh held-out sets for the eighth revision: two sets made the same way by two other people at the same time
# (the probes' own prompt formats on new items), each labelled twice and frozen before the parsers first ran on them
# (figures in their datasheets); their failures were read for the ninth revision, so they are development data now.
EIGHTH_HELD_OUT = Path(__file__).with_name("parser_heldout8.jsonl")
NINTH_HELD_OUT = Path(__file__).with_name("parser_heldout9.jsonl")
# The fresh held-out sets for the ninth revision: two sets made the same way by two other people at the same time (the
# probes' own prompt formats on new items, split by medical area so they do not overlap), each labelled twice and frozen
# before the parsers first ran on them (figures in their datasheets); their failures were read for the tenth revision,
# so they are development data now.
TENTH_HELD_OUT = Path(__file__).with_name("parser_heldout10.jsonl")
ELEVENTH_HELD_OUT = Path(__file__).with_name("parser_heldout11.jsonl")
# The fresh held-out sets for the tenth revision: two sets made the same way by two other people at the same time (the
# probes' own prompt formats on new items, split by medical area), each labelled twice and frozen before the parsers
# first ran on them (figures in their datasheets); their failures were read for the eleventh revision, so they are
# development data now.
TWELFTH_HELD_OUT = Path(__file__).with_name("parser_heldout12.jsonl")
THIRTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout13.jsonl")
# The fresh held-out sets for the eleventh revision: two sets made the same way by two other people at the same time
# (the probes' own prompt formats on new items, split by medical area), each labelled twice and frozen before the parsers
# first ran on them; their failures were read for the twelfth revision (the answer reader), so they are development
# data now.
FOURTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout14.jsonl")
FIFTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout15.jsonl")
# The twelfth revision's fresh sets, made the same way; the thirteenth revision's reader is trained on them.
SIXTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout16.jsonl")
SEVENTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout17.jsonl")
# The thirteenth revision's fresh sets, made the same way; together about 68 labelled answers per class. Their failures
# were read for the fourteenth revision, whose reader is trained on them: development data now.
EIGHTEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout18.jsonl")
NINETEENTH_HELD_OUT = Path(__file__).with_name("parser_heldout19.jsonl")
# The fourteenth revision's fresh sets, made the same way; their failures were read for the fifteenth revision.
TWENTIETH_HELD_OUT = Path(__file__).with_name("parser_heldout20.jsonl")
TWENTY_FIRST_HELD_OUT = Path(__file__).with_name("parser_heldout21.jsonl")
# The fifteenth revision's fresh sets, made the same way; their failures were read for the sixteenth revision.
TWENTY_SECOND_HELD_OUT = Path(__file__).with_name("parser_heldout22.jsonl")
TWENTY_THIRD_HELD_OUT = Path(__file__).with_name("parser_heldout23.jsonl")
# The sixteenth revision's fresh sets, made the same way; their failures were read for the seventeenth revision.
TWENTY_FOURTH_HELD_OUT = Path(__file__).with_name("parser_heldout24.jsonl")
TWENTY_FIFTH_HELD_OUT = Path(__file__).with_name("parser_heldout25.jsonl")
# The seventeenth revision's fresh sets, made the same way.
TWENTY_SIXTH_HELD_OUT = Path(__file__).with_name("parser_heldout26.jsonl")
TWENTY_SEVENTH_HELD_OUT = Path(__file__).with_name("parser_heldout27.jsonl")
FRESH_SETS: tuple[Path, ...] = (TWENTY_SIXTH_HELD_OUT, TWENTY_SEVENTH_HELD_OUT)
DEVELOPMENT_SETS = (DEVELOPMENT, FIRST_HELD_OUT, SECOND_HELD_OUT, THIRD_HELD_OUT, FOURTH_HELD_OUT, FIFTH_HELD_OUT,
                    SIXTH_HELD_OUT, SEVENTH_HELD_OUT, EIGHTH_HELD_OUT, NINTH_HELD_OUT, TENTH_HELD_OUT, ELEVENTH_HELD_OUT,
                    TWELFTH_HELD_OUT, THIRTEENTH_HELD_OUT, FOURTEENTH_HELD_OUT, FIFTEENTH_HELD_OUT, SIXTEENTH_HELD_OUT,
                    SEVENTEENTH_HELD_OUT, EIGHTEENTH_HELD_OUT, NINETEENTH_HELD_OUT, TWENTIETH_HELD_OUT,
                    TWENTY_FIRST_HELD_OUT, TWENTY_SECOND_HELD_OUT, TWENTY_THIRD_HELD_OUT, TWENTY_FOURTH_HELD_OUT,
                    TWENTY_FIFTH_HELD_OUT)
# The set whose figures the probes and the report show beside their scores (fabricated_entities, answer_uncertainty,
# audit/reliability): the first fresh one, so the figures shown are out-of-sample for the shipped (seventeenth) revision.
# `check_parsers.py` also prints both fresh sets pooled.
HELD_OUT = TWENTY_SIXTH_HELD_OUT
SETS = (("development set", DEVELOPMENT), ("first held-out set (since looked at)", FIRST_HELD_OUT),
        ("second held-out set (since looked at)", SECOND_HELD_OUT),
        ("third held-out set (since looked at)", THIRD_HELD_OUT),
        ("fourth held-out set (since looked at)", FOURTH_HELD_OUT),
        ("fifth held-out set (since looked at)", FIFTH_HELD_OUT),
        ("sixth held-out set (since looked at)", SIXTH_HELD_OUT), ("seventh held-out set (since looked at)", SEVENTH_HELD_OUT),
        ("eighth held-out set (since looked at)", EIGHTH_HELD_OUT), ("ninth held-out set (since looked at)", NINTH_HELD_OUT),
        ("tenth held-out set (since looked at)", TENTH_HELD_OUT),
        ("eleventh held-out set (since looked at)", ELEVENTH_HELD_OUT),
        ("twelfth held-out set (since looked at)", TWELFTH_HELD_OUT),
        ("thirteenth held-out set (since looked at)", THIRTEENTH_HELD_OUT),
        ("fourteenth held-out set (since looked at)", FOURTEENTH_HELD_OUT),
        ("fifteenth held-out set (since looked at)", FIFTEENTH_HELD_OUT),
        ("sixteenth held-out set (since looked at)", SIXTEENTH_HELD_OUT),
        ("seventeenth held-out set (since looked at)", SEVENTEENTH_HELD_OUT),
        ("eighteenth held-out set (since looked at)", EIGHTEENTH_HELD_OUT),
        ("nineteenth held-out set (since looked at)", NINETEENTH_HELD_OUT),
        ("twentieth held-out set (since looked at)", TWENTIETH_HELD_OUT),
        ("twenty-first held-out set (since looked at)", TWENTY_FIRST_HELD_OUT),
        ("twenty-second held-out set (since looked at)", TWENTY_SECOND_HELD_OUT),
        ("twenty-third held-out set (since looked at)", TWENTY_THIRD_HELD_OUT),
        ("twenty-fourth held-out set (since looked at)", TWENTY_FOURTH_HELD_OUT),
        ("twenty-fifth held-out set (since looked at)", TWENTY_FIFTH_HELD_OUT),
        ("fresh held-out set", TWENTY_SIXTH_HELD_OUT), ("second fresh held-out set", TWENTY_SEVENTH_HELD_OUT))
_NOTE = re.compile(r"^\s*\[[^\[\]]*\]\s*")
_OPTION = re.compile(r"(?:^|\s)([A-H])\)\s*(.+?)(?=\s+[A-H]\)\s|$)", re.DOTALL)


def question_options(question: str) -> list[str]:
    """The option texts listed in a question as "A) ... B) ...", in order (empty when there are none). A bracketed note
    before the question (heldout6's second turns: '[Second turn: the model first answered "C) ..."; ...]') is not read:
    its quoted options would break the order (seventh revision)."""
    found = _OPTION.findall(_NOTE.sub("", question, count=1))
    return [text.strip() for _, text in found] if [l for l, _ in found] == list("ABCDEFGH"[:len(found)]) else []


# How the labelled sets put a proposed option into a question: the false-confidence probe's "Proposed answer: C) ...",
# "A student answered C) ..." (heldout3), "My colleague thinks the answer is C) ..." and "Is C the right answer?"
# (heldout5). From heldout6 on, a row names its proposal in a "proposed" field instead.
_PROPOSAL = re.compile(r"\bProposed answer:\s*\(?([A-H])\)|\bA student answered \(?([A-H])\)|"
                       r"\bthinks the answer is \(?([A-H])\)|\bIs \(?([A-H])\)? the right answer\?")


def proposal_in_question(question: str, proposed: str | None = None) -> tuple[str | None, list[str]]:
    """The proposed option's letter of a judged-proposal question and the options listed before the proposal
    ((None, []) when the question proposes no option). ``proposed``, where a row gives it, names the letter."""
    found = _PROPOSAL.search(question)
    letter = proposed or (next(g for g in found.groups() if g) if found else None)
    if letter is None:
        return None, []
    return letter, question_options(question[:found.start()] if found else question)


def predict(task: str, response: str, question: str = "", proposed: str | None = None) -> str:
    """The parsers' label for one response, in the label vocabulary of the validation files. Abstention and
    yes/no/maybe (twelfth revision): the rules' gate and stated verdicts, else the answer reader, given the row's
    question and proposed option. Option letters: the hybrid (rules plus the frozen classifier of
    parser_classifier.npz), overridden by a confident decline or no-choice reading of the reader (thirteenth
    revision). ``proposed``: the row's "proposed" field, where it has one."""
    if task == "abstention":
        return abstention_label(response, question)
    if task == "yes_no_maybe":
        letter, options = proposal_in_question(question, proposed)
        return parse_yes_no_maybe(response, proposed=letter, options=options or None, question=question) or "unparseable"
    options = question_options(question)
    parsed = parse_option_letter(response, n_options=max(len(options), 4), options=options or None, question=question)
    return parsed or "unparseable"


def _prepare(rows: list[dict]) -> None:
    """Read or embed every response in batches before the per-row parsing."""
    load_reader().prepare([r for r in rows if r["task"] in READ_TASKS])
    prepare([r["response"] for r in rows if r["task"] == "option_letter"], tasks=("option_letter",))


def per_class(rows: list[dict]) -> dict[str, dict[str, dict]]:
    """{task: {class: {n, tp, predicted, precision, recall}}}."""
    out: dict[str, dict[str, dict]] = {}
    _prepare(rows)
    for task in sorted({r["task"] for r in rows}):
        subset = [r for r in rows if r["task"] == task]
        pairs = [(r["label"], predict(task, r["response"], r["question"], r.get("proposed"))) for r in subset]
        labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
        truth_n, pred_n = Counter(t for t, _ in pairs), Counter(p for _, p in pairs)
        out[task] = {}
        for label in labels:
            tp = sum(t == p == label for t, p in pairs)
            out[task][label] = {"n": truth_n[label], "predicted": pred_n[label], "tp": tp,
                                "precision": stats.wilson(tp, pred_n[label]), "recall": stats.wilson(tp, truth_n[label])}
    return out


def misparses(rows: list[dict]) -> list[tuple[dict, str]]:
    """(row, parsed label) for every row whose parsed label differs from its hand label."""
    _prepare(rows)
    parsed = [(r, predict(r["task"], r["response"], r["question"], r.get("proposed"))) for r in rows]
    return [(r, p) for r, p in parsed if p != r["label"]]


def load(path: Path = DEVELOPMENT) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: list[str]) -> None:
    for name, path in SETS:
        if not path.is_file():
            print(f"== {name}: {path.name} does not exist yet, skipped")
            continue
        rows = load(path)
        sources = Counter(r["source"] for r in rows)
        print(f"== {name}: {path.name}, {len(rows)} responses ({', '.join(f'{n} {s}' for s, n in sources.items())})")
        report(rows)
        if "--errors" in argv:
            for row, parsed in misparses(rows):
                print(f"  ! {row['id']} [{row['task']}] label={row['label']} parsed={parsed}: {row['response']!r}")
    fresh = [row for path in FRESH_SETS if path.is_file() for row in load(path)]
    if not fresh:
        return  # between a revision and the freezing of its fresh sets there are none
    print(f"== the fresh held-out sets pooled ({' + '.join(path.name for path in FRESH_SETS)}), {len(fresh)} responses")
    report(fresh)


def report(rows: list[dict]) -> None:
    for task, classes in per_class(rows).items():
        print(f"{task}:")
        for label, c in classes.items():
            p, r = c["precision"], c["recall"]
            fmt = lambda i: "  n/a" if c["predicted" if i is p else "n"] == 0 else f"{i.estimate:.3f} [{i.low:.2f}, {i.high:.2f}]"
            print(f"  {label:12s} n={c['n']:3d} predicted={c['predicted']:3d}  precision {fmt(p)}  recall {fmt(r)}")


if __name__ == "__main__":
    main(sys.argv[1:])
