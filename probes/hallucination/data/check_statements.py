"""Validate the hallucination-probe data files (standard library only).

Checks ``medical_statements.jsonl`` (truthfulness-probe statements) and
``pubmedqa_counterfactual.jsonl`` (counterfactual conclusions for the
context-faithfulness probe).

Usage (from the repository root)::

    python probes/hallucination/data/check_statements.py
    python probes/hallucination/data/check_statements.py --pqal-dev PATH/TO/pqal_dev.json

``--pqal-dev`` points at the upstream PubMedQA PQA-L file, which holds each item's
LONG_ANSWER (the real conclusion). By default the script looks for
``../shared/data/pubmedqa/pqal_dev.json`` next to the repository; if that file is
absent, the copy check against LONG_ANSWER is skipped with a warning and the
copy check against the abstract (from ``pubmedqa_pqal.jsonl``) still runs.

Exit status 0 when every check passes, 1 otherwise. Near-duplicate statements
(difflib ratio above 0.9 between statements of different pairs) count as failures.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
STATEMENTS = HERE / "medical_statements.jsonl"
COUNTERFACTUALS = HERE / "pubmedqa_counterfactual.jsonl"
PQAL = HERE / "pubmedqa_pqal.jsonl"
DEFAULT_PQAL_DEV = REPO_ROOT.parent / "shared" / "data" / "pubmedqa" / "pqal_dev.json"

KINDS = {
    "pharmacology",
    "physiology",
    "pathology",
    "anatomy",
    "epidemiology",
    "diagnosis",
    "treatment",
    "microbiology",
    "genetics",
}
STATEMENT_FIELDS = {"id": str, "statement": str, "label": bool, "pair_id": str, "topic": str, "kind": str}
CF_FIELDS = {
    "id": str,
    "original_answer": str,
    "counterfactual_answer": str,
    "original_conclusion_paraphrase": str,
    "counterfactual_conclusion": str,
}
MIN_STATEMENTS = 320
MIN_TOPICS = 12
MAX_WORDS = 25
NEAR_DUP_RATIO = 0.9
MIN_COUNTERFACTUALS = 120
COPY_NGRAM = 8

ID_RE = re.compile(r"^st-\d{3,}$")
PAIR_RE = re.compile(r"^p-\d{3,}$")
WORD_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")


def load_jsonl(path: Path, problems: list[str]) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                problems.append(f"{path.name}:{lineno}: blank line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(row, dict):
                problems.append(f"{path.name}:{lineno}: not a JSON object")
                continue
            row["_line"] = lineno
            rows.append(row)
    return rows


def check_fields(row: dict, spec: dict, where: str, problems: list[str]) -> bool:
    ok = True
    keys = set(row) - {"_line"}
    missing = set(spec) - keys
    extra = keys - set(spec)
    if missing:
        problems.append(f"{where}: missing fields {sorted(missing)}")
        ok = False
    if extra:
        problems.append(f"{where}: unexpected fields {sorted(extra)}")
    for name, typ in spec.items():
        if name in row and type(row[name]) is not typ:
            problems.append(f"{where}: field {name!r} should be {typ.__name__}, got {type(row[name]).__name__}")
            ok = False
        elif name in row and typ is str and not row[name].strip():
            problems.append(f"{where}: field {name!r} is empty")
            ok = False
    return ok


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def check_statements(problems: list[str]) -> None:
    rows = load_jsonl(STATEMENTS, problems)
    valid = []
    for row in rows:
        where = f"{STATEMENTS.name}:{row['_line']}"
        if check_fields(row, STATEMENT_FIELDS, where, problems):
            valid.append(row)

    ids = collections.Counter(r["id"] for r in valid)
    for sid, n in ids.items():
        if n > 1:
            problems.append(f"statements: id {sid} used {n} times")
    for r in valid:
        where = f"statements {r['id']}"
        if not ID_RE.match(r["id"]):
            problems.append(f"{where}: id does not match st-NNN")
        if not PAIR_RE.match(r["pair_id"]):
            problems.append(f"{where}: pair_id {r['pair_id']!r} does not match p-NNN")
        if r["kind"] not in KINDS:
            problems.append(f"{where}: kind {r['kind']!r} not in {sorted(KINDS)}")
        text = r["statement"].strip()
        n_words = len(text.split())
        if n_words > MAX_WORDS:
            problems.append(f"{where}: {n_words} words (> {MAX_WORDS})")
        if not text.endswith("."):
            problems.append(f"{where}: statement should be one declarative sentence ending with '.'")
        if re.search(r"[.!?]\s+[A-Z]", text[:-1]) or "?" in text or "\n" in text:
            problems.append(f"{where}: statement looks like more than one sentence or a question")

    # balance
    n_true = sum(1 for r in valid if r["label"])
    n_false = len(valid) - n_true
    if len(rows) < MIN_STATEMENTS:
        problems.append(f"statements: {len(rows)} lines (< {MIN_STATEMENTS})")
    if n_true != n_false:
        problems.append(f"statements: not balanced ({n_true} true / {n_false} false)")

    # pairs: exactly one true and one false, same topic and kind
    by_pair = collections.defaultdict(list)
    for r in valid:
        by_pair[r["pair_id"]].append(r)
    for pid, members in sorted(by_pair.items()):
        labels = sorted(m["label"] for m in members)
        if labels != [False, True]:
            problems.append(f"statements: pair {pid} has labels {labels} (want exactly one true and one false)")
            continue
        if len({m["topic"] for m in members}) != 1 or len({m["kind"] for m in members}) != 1:
            problems.append(f"statements: pair {pid} mixes topics or kinds")
        if members[0]["statement"].strip().lower() == members[1]["statement"].strip().lower():
            problems.append(f"statements: pair {pid} has identical true and false text")

    # exact duplicate texts
    texts = collections.Counter(r["statement"].strip().lower() for r in valid)
    for text, n in texts.items():
        if n > 1:
            problems.append(f"statements: text repeated {n} times: {text!r}")

    # near-duplicates across different pairs
    near = []
    norm = [(r["id"], r["pair_id"], " ".join(words(r["statement"]))) for r in valid]
    for i in range(len(norm)):
        id_a, pair_a, a = norm[i]
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(a)  # seq2 is the cached side; seq1 changes per comparison
        for j in range(i + 1, len(norm)):
            id_b, pair_b, b = norm[j]
            if pair_a == pair_b:
                continue
            matcher.set_seq1(b)
            if matcher.real_quick_ratio() <= NEAR_DUP_RATIO or matcher.quick_ratio() <= NEAR_DUP_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio > NEAR_DUP_RATIO:
                near.append((ratio, id_a, id_b))
    for ratio, id_a, id_b in sorted(near, reverse=True):
        problems.append(f"statements: near-duplicate across pairs {id_a} ~ {id_b} (ratio {ratio:.3f})")

    topics = collections.Counter(r["topic"] for r in valid)
    kinds = collections.Counter(r["kind"] for r in valid)
    if len(topics) < MIN_TOPICS:
        problems.append(f"statements: only {len(topics)} topics (< {MIN_TOPICS})")
    for kind in sorted(KINDS - set(kinds)):
        problems.append(f"statements: no statement of kind {kind!r}")
    lengths = [len(r["statement"].split()) for r in valid]

    print(f"[statements] {STATEMENTS.name}")
    print(f"  lines: {len(rows)}  valid: {len(valid)}  true: {n_true}  false: {n_false}  pairs: {len(by_pair)}")
    if lengths:
        print(f"  words per statement: min {min(lengths)}, mean {sum(lengths) / len(lengths):.1f}, max {max(lengths)}")
    print(f"  near-duplicate comparisons across pairs above {NEAR_DUP_RATIO}: {len(near)}")
    print(f"  topics ({len(topics)}): " + ", ".join(f"{k} {v}" for k, v in topics.most_common()))
    print(f"  kinds ({len(kinds)}): " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def check_counterfactuals(pqal_dev: Path, problems: list[str], warnings: list[str]) -> None:
    rows = load_jsonl(COUNTERFACTUALS, problems)
    pqal = {}
    with open(PQAL, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                item = json.loads(line)
                pqal[item["id"]] = item
    long_answers = {}
    if pqal_dev.is_file():
        raw = json.loads(pqal_dev.read_text(encoding="utf-8"))
        long_answers = {k: v.get("LONG_ANSWER", "") for k, v in raw.items()}
    else:
        warnings.append(f"{pqal_dev} not found: LONG_ANSWER copy check skipped")

    valid = []
    for row in rows:
        where = f"{COUNTERFACTUALS.name}:{row['_line']}"
        if check_fields(row, CF_FIELDS, where, problems):
            valid.append(row)

    ids = collections.Counter(r["id"] for r in valid)
    for cid, n in ids.items():
        if n > 1:
            problems.append(f"counterfactuals: id {cid} used {n} times")

    copy_hits = 0
    for r in valid:
        where = f"counterfactuals {r['id']}"
        orig, cf = r["original_answer"], r["counterfactual_answer"]
        if orig not in ("yes", "no"):
            problems.append(f"{where}: original_answer {orig!r} must be 'yes' or 'no'")
        if {orig, cf} != {"yes", "no"}:
            problems.append(f"{where}: counterfactual_answer {cf!r} is not the opposite of {orig!r}")
        item = pqal.get(r["id"])
        if item is None:
            problems.append(f"{where}: id not in {PQAL.name}")
            continue
        if item["answer"] != orig:
            problems.append(f"{where}: original_answer {orig!r} but {PQAL.name} says {item['answer']!r}")
        sources = {"abstract": item["context"]}
        if long_answers:
            if r["id"] in long_answers:
                sources["LONG_ANSWER"] = long_answers[r["id"]]
            else:
                problems.append(f"{where}: id not in {pqal_dev.name}")
        for field in ("original_conclusion_paraphrase", "counterfactual_conclusion"):
            text = r[field].strip()
            if re.search(r"[.!?]\s+[A-Z]", text[:-1]) or not text.endswith("."):
                problems.append(f"{where}: {field} should be one sentence ending with '.'")
            grams = ngrams(words(text), COPY_NGRAM)
            for name, source in sources.items():
                shared = grams & ngrams(words(source), COPY_NGRAM)
                if shared:
                    copy_hits += 1
                    example = " ".join(sorted(shared)[0])
                    problems.append(
                        f"{where}: {field} shares {COPY_NGRAM}+ consecutive words with the {name}: {example!r}"
                    )
        if r["original_conclusion_paraphrase"].strip().lower() == r["counterfactual_conclusion"].strip().lower():
            problems.append(f"{where}: paraphrase and counterfactual are identical")

    if len(rows) < MIN_COUNTERFACTUALS:
        problems.append(f"counterfactuals: {len(rows)} lines (< {MIN_COUNTERFACTUALS})")
    answers = collections.Counter(r["original_answer"] for r in valid)
    lengths = [len(r["counterfactual_conclusion"].split()) for r in valid]
    print(f"[counterfactuals] {COUNTERFACTUALS.name}")
    print(f"  lines: {len(rows)}  valid: {len(valid)}  original yes: {answers.get('yes', 0)}  original no: {answers.get('no', 0)}")
    if lengths:
        print(f"  words per counterfactual: min {min(lengths)}, mean {sum(lengths) / len(lengths):.1f}, max {max(lengths)}")
    checked = "abstract + LONG_ANSWER" if long_answers else "abstract only"
    print(f"  {COPY_NGRAM}-word copy check ({checked}): {copy_hits} hits")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pqal-dev", type=Path, default=DEFAULT_PQAL_DEV, help="upstream pqal_dev.json (for LONG_ANSWER)")
    args = parser.parse_args(argv)

    problems: list[str] = []
    warnings: list[str] = []
    check_statements(problems)
    check_counterfactuals(args.pqal_dev, problems, warnings)
    for w in warnings:
        print(f"WARNING: {w}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
