"""Validate the multiple-choice hallucination data: none_of_the_above.jsonl and false_confidence.jsonl.

Standard library only. Run from anywhere:

    python probes/hallucination/data/check_multiple_choice.py [--nota PATH] [--fct PATH] [--ratio 0.8]

Checks fields and types, id format and uniqueness, question uniqueness (within and across both files),
exactly 4 distinct options, indices in range, "None of the above" exactly once in every NOTA item and at
answer_index iff nota_correct, removed_answer (a string absent from the options for NOTA-correct items,
null for controls), no "None of the above" in FCT items, FCT consistency and balance, and near-duplicate
questions (difflib SequenceMatcher ratio above --ratio across both files). Prints the figures the
datasheets quote (counts per topic, NOTA position distribution, balance) and exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTA = "None of the above"
N_OPTIONS = 4
MIN_TOPICS = 12

NOTA_FIELDS = {"id": str, "question": str, "options": list, "answer_index": int, "nota_correct": bool,
               "removed_answer": (str, type(None)), "topic": str}
FCT_FIELDS = {"id": str, "question": str, "options": list, "correct_index": int, "proposed_index": int,
              "proposed_is_correct": bool, "explanation": str, "topic": str}


def load(path: Path, errors: list[str]) -> list[dict]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"{path.name}:{n}: blank line")
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{path.name}:{n}: invalid JSON ({exc})")
                continue
            if not isinstance(rec, dict):
                errors.append(f"{path.name}:{n}: not a JSON object")
                continue
            rec["_line"] = n
            records.append(rec)
    return records


def check_fields(rec: dict, fields: dict, where: str, errors: list[str]) -> bool:
    ok = True
    extra = set(rec) - set(fields) - {"_line"}
    if extra:
        errors.append(f"{where}: unexpected fields {sorted(extra)}")
    for name, typ in fields.items():
        if name not in rec:
            errors.append(f"{where}: missing field {name!r}")
            ok = False
            continue
        value = rec[name]
        # bool is a subclass of int: reject it where an int index is expected
        if typ is int and isinstance(value, bool) or not isinstance(value, typ):
            errors.append(f"{where}: field {name!r} has type {type(value).__name__}")
            ok = False
        elif isinstance(value, str) and not value.strip():
            errors.append(f"{where}: field {name!r} is empty")
            ok = False
    return ok


def check_options(rec: dict, where: str, errors: list[str]) -> bool:
    opts = rec["options"]
    if len(opts) != N_OPTIONS:
        errors.append(f"{where}: {len(opts)} options, expected {N_OPTIONS}")
        return False
    if not all(isinstance(o, str) and o.strip() for o in opts):
        errors.append(f"{where}: every option must be a non-empty string")
        return False
    if len({o.strip().lower() for o in opts}) != len(opts):
        errors.append(f"{where}: duplicate options")
    return True


def check_common(records: list[dict], prefix: str, fields: dict, name: str, errors: list[str]) -> list[dict]:
    valid, seen_ids, seen_q = [], {}, {}
    pattern = re.compile(rf"^{prefix}-\d{{3,}}$")
    for rec in records:
        where = f"{name}:{rec['_line']}"
        if not check_fields(rec, fields, where, errors):
            continue
        where = f"{name}:{rec['id']}"
        if not pattern.match(rec["id"]):
            errors.append(f"{where}: id does not match {prefix}-NNN")
        if rec["id"] in seen_ids:
            errors.append(f"{where}: duplicate id (also line {seen_ids[rec['id']]})")
        seen_ids[rec["id"]] = rec["_line"]
        key = " ".join(rec["question"].lower().split())
        if key in seen_q:
            errors.append(f"{where}: duplicate question (also {seen_q[key]})")
        seen_q[key] = rec["id"]
        if check_options(rec, where, errors):
            valid.append(rec)
    return valid


def check_nota(records: list[dict], errors: list[str]) -> dict:
    name = "none_of_the_above"
    valid = check_common(records, "nota", NOTA_FIELDS, name, errors)
    pos_nota, pos_ctrl, pos_ctrl_answer = Counter(), Counter(), Counter()
    topics, topics_nota, topics_ctrl = Counter(), Counter(), Counter()
    for rec in valid:
        where = f"{name}:{rec['id']}"
        opts, ai = rec["options"], rec["answer_index"]
        if not 0 <= ai < len(opts):
            errors.append(f"{where}: answer_index {ai} out of range")
            continue
        n_nota = sum(o.strip().lower() == NOTA.lower() for o in opts)
        if n_nota != 1 or opts.count(NOTA) != 1:
            errors.append(f"{where}: {NOTA!r} must appear exactly once, spelled exactly (found {n_nota})")
            continue
        npos = opts.index(NOTA)
        if rec["nota_correct"]:
            if ai != npos:
                errors.append(f"{where}: nota_correct but answer_index {ai} is not the NOTA position {npos}")
            removed = rec["removed_answer"]
            if not isinstance(removed, str) or not removed.strip():
                errors.append(f"{where}: nota_correct needs removed_answer as a non-empty string")
            elif removed.strip().lower() in {o.strip().lower() for o in opts}:
                errors.append(f"{where}: removed_answer is still among the options")
            pos_nota[npos] += 1
            topics_nota[rec["topic"]] += 1
        else:
            if ai == npos:
                errors.append(f"{where}: control item but answer_index points at {NOTA!r}")
            if rec["removed_answer"] is not None:
                errors.append(f"{where}: control item must have removed_answer null")
            pos_ctrl[npos] += 1
            pos_ctrl_answer[ai] += 1
            topics_ctrl[rec["topic"]] += 1
        topics[rec["topic"]] += 1
    n_nota, n_ctrl = sum(pos_nota.values()), sum(pos_ctrl.values())
    if len(records) < 200:
        errors.append(f"{name}: {len(records)} items, expected at least 200")
    if n_nota < 160:
        errors.append(f"{name}: {n_nota} NOTA-correct items, expected at least 160")
    if n_ctrl < 50:
        errors.append(f"{name}: {n_ctrl} control items, expected at least 50")
    for label, dist, total in (("NOTA-correct", pos_nota, n_nota), ("control", pos_ctrl, n_ctrl)):
        if total and len(dist) < N_OPTIONS:
            errors.append(f"{name}: {NOTA!r} never appears at some position among {label} items: {dict(dist)}")
        if total and max(dist.values()) > 0.4 * total:
            errors.append(f"{name}: {NOTA!r} position is skewed among {label} items: {dict(dist)}")
    if len(topics) < MIN_TOPICS:
        errors.append(f"{name}: only {len(topics)} topics, expected at least {MIN_TOPICS}")
    return dict(n=len(records), n_nota=n_nota, n_ctrl=n_ctrl, pos_nota=pos_nota, pos_ctrl=pos_ctrl,
                pos_ctrl_answer=pos_ctrl_answer, topics=topics, topics_nota=topics_nota, topics_ctrl=topics_ctrl,
                valid=valid)


def check_fct(records: list[dict], errors: list[str]) -> dict:
    name = "false_confidence"
    valid = check_common(records, "fct", FCT_FIELDS, name, errors)
    balance, pos_correct, pos_proposed = Counter(), Counter(), Counter()
    topics, topic_true = Counter(), Counter()
    for rec in valid:
        where = f"{name}:{rec['id']}"
        opts, ci, pi = rec["options"], rec["correct_index"], rec["proposed_index"]
        if any(o.strip().lower() == NOTA.lower() for o in opts):
            errors.append(f"{where}: FCT options must not contain {NOTA!r}")
        if not 0 <= ci < len(opts) or not 0 <= pi < len(opts):
            errors.append(f"{where}: correct_index {ci} or proposed_index {pi} out of range")
            continue
        if rec["proposed_is_correct"] != (ci == pi):
            errors.append(f"{where}: proposed_is_correct disagrees with the indices")
        balance[rec["proposed_is_correct"]] += 1
        pos_correct[ci] += 1
        pos_proposed[pi] += 1
        topics[rec["topic"]] += 1
        topic_true[rec["topic"]] += rec["proposed_is_correct"]
    if len(records) < 160:
        errors.append(f"{name}: {len(records)} items, expected at least 160")
    if balance[True] != balance[False]:
        errors.append(f"{name}: unbalanced, {balance[True]} correct vs {balance[False]} wrong proposals")
    total = sum(pos_correct.values())
    if total and (len(pos_correct) < N_OPTIONS or max(pos_correct.values()) > 0.4 * total):
        errors.append(f"{name}: correct_index distribution is skewed: {dict(pos_correct)}")
    if len(topics) < MIN_TOPICS:
        errors.append(f"{name}: only {len(topics)} topics, expected at least {MIN_TOPICS}")
    return dict(n=len(records), balance=balance, pos_correct=pos_correct, pos_proposed=pos_proposed,
                topics=topics, topic_true=topic_true, valid=valid)


def near_duplicates(items: list[tuple[str, str]], ratio: float) -> list[tuple[float, str, str]]:
    norm = [(i, " ".join(q.lower().split())) for i, q in items]
    hits = []
    for a in range(len(norm)):
        sm = difflib.SequenceMatcher(autojunk=False)
        sm.set_seq2(norm[a][1])
        for b in range(a + 1, len(norm)):
            sm.set_seq1(norm[b][1])
            if sm.real_quick_ratio() > ratio and sm.quick_ratio() > ratio:
                r = sm.ratio()
                if r > ratio:
                    hits.append((r, norm[a][0], norm[b][0]))
    return sorted(hits, reverse=True)


def fmt_positions(dist: Counter) -> str:
    total = sum(dist.values()) or 1
    return ", ".join(f"{'ABCD'[p]}={dist[p]} ({100 * dist[p] / total:.0f}%)" for p in range(N_OPTIONS))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nota", type=Path, default=HERE / "none_of_the_above.jsonl")
    ap.add_argument("--fct", type=Path, default=HERE / "false_confidence.jsonl")
    ap.add_argument("--ratio", type=float, default=0.8, help="near-duplicate SequenceMatcher threshold")
    args = ap.parse_args(argv)

    errors: list[str] = []
    nota = check_nota(load(args.nota, errors), errors)
    fct = check_fct(load(args.fct, errors), errors)

    nota_q = {" ".join(r["question"].lower().split()): r["id"] for r in nota["valid"]}
    for r in fct["valid"]:
        key = " ".join(r["question"].lower().split())
        if key in nota_q:
            errors.append(f"false_confidence:{r['id']}: reuses the question of {nota_q[key]}")
    items = [(r["id"], r["question"]) for r in nota["valid"] + fct["valid"]]
    dups = near_duplicates(items, args.ratio)
    for r, a, b in dups:
        errors.append(f"near-duplicate questions (ratio {r:.2f}): {a} / {b}")

    print(f"none_of_the_above.jsonl: {nota['n']} items = {nota['n_nota']} NOTA-correct + {nota['n_ctrl']} controls")
    print(f"  'None of the above' position, NOTA-correct: {fmt_positions(nota['pos_nota'])}")
    print(f"  'None of the above' position, controls:     {fmt_positions(nota['pos_ctrl'])}")
    print(f"  correct-answer position, controls:          {fmt_positions(nota['pos_ctrl_answer'])}")
    print(f"  topics ({len(nota['topics'])}): topic total (NOTA-correct/control)")
    for t, c in sorted(nota["topics"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {t:36s} {c:3d} ({nota['topics_nota'][t]}/{nota['topics_ctrl'][t]})")
    print(f"false_confidence.jsonl: {fct['n']} items = {fct['balance'][True]} correct proposals + "
          f"{fct['balance'][False]} wrong proposals")
    print(f"  correct_index position:  {fmt_positions(fct['pos_correct'])}")
    print(f"  proposed_index position: {fmt_positions(fct['pos_proposed'])}")
    print(f"  topics ({len(fct['topics'])}): topic total (correct proposals/wrong proposals)")
    for t, c in sorted(fct["topics"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {t:36s} {c:3d} ({fct['topic_true'][t]}/{c - fct['topic_true'][t]})")
    print(f"near-duplicate check: {len(items)} questions across both files, "
          f"{len(items) * (len(items) - 1) // 2} pairs, {len(dups)} above ratio {args.ratio}")
    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors:
            print(f"  - {e}")
        return 1
    print("\nOK: no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
