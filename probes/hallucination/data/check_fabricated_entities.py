"""Validate fabricated_entities.jsonl (stdlib only).

Usage:
    python check_fabricated_entities.py [path/to/fabricated_entities.jsonl]

Checks
  errors (exit status 1):
    - every line is a JSON object with exactly the expected fields and types
    - ids look like "fe-001" and are unique
    - kind is one of the allowed kinds; topic is a non-empty string
    - fake_entity, fake_question (and real_question) are unique across the file
    - fake_entity appears in fake_question, real_entity in real_question,
      and neither question names the other entity
    - no fake_entity equals (case-insensitively) any real_entity
    - real_answer_keywords: 1-4 unique, non-empty, lowercase, stripped strings,
      none of which already appears in real_question (that would make the
      lexical check trivially pass)
    - at least MIN_ITEMS items, at least MIN_PER_KIND items for each required
      kind, at least MIN_TOPICS topics
    - no two fake_questions with difflib ratio > NEAR_DUP
  warnings (reported, exit status unaffected):
    - two real_questions with ratio > NEAR_DUP
    - a fake/real pair whose questions, with the entity masked, look less
      alike than FORM_MIN (they should be the same form of question)
"""
from __future__ import annotations

import collections
import difflib
import json
import re
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("fabricated_entities.jsonl")

FIELDS = {
    "id": str,
    "kind": str,
    "fake_entity": str,
    "fake_question": str,
    "real_entity": str,
    "real_question": str,
    "real_answer_keywords": list,
    "topic": str,
}
KINDS = ("drug", "syndrome", "trial", "gene", "guideline", "device", "test")
REQUIRED_KINDS = ("drug", "syndrome", "trial", "gene", "guideline")
MIN_ITEMS = 210
MIN_PER_KIND = 30
MIN_TOPICS = 10
NEAR_DUP = 0.85
FORM_MIN = 0.60
ID_RE = re.compile(r"^fe-\d{3}$")


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _mask(question: str, entity: str) -> str:
    return re.sub(re.escape(entity), "<E>", question, flags=re.IGNORECASE)


def _near_duplicates(texts: list[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """Pairs (id_a, id_b, ratio) whose texts have ratio > NEAR_DUP."""
    out = []
    for i in range(len(texts)):
        id_a, a = texts[i]
        for j in range(i + 1, len(texts)):
            id_b, b = texts[j]
            sm = difflib.SequenceMatcher(None, a.lower(), b.lower())
            # cheap upper bounds first
            if sm.real_quick_ratio() <= NEAR_DUP or sm.quick_ratio() <= NEAR_DUP:
                continue
            r = sm.ratio()
            if r > NEAR_DUP:
                out.append((id_a, id_b, r))
    return out


def check(path: Path) -> int:
    errors: list[str] = []
    warnings: list[str] = []
    records: list[dict] = []

    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"line {lineno}: blank line")
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(rec, dict):
                errors.append(f"line {lineno}: not a JSON object")
                continue
            keys = set(rec)
            if keys != set(FIELDS):
                missing = sorted(set(FIELDS) - keys)
                extra = sorted(keys - set(FIELDS))
                errors.append(f"line {lineno}: fields wrong (missing={missing}, extra={extra})")
                continue
            bad_type = [k for k, t in FIELDS.items() if not isinstance(rec[k], t)]
            if bad_type:
                errors.append(f"line {lineno}: wrong type for {bad_type}")
                continue
            empty = [k for k, t in FIELDS.items() if t is str and not rec[k].strip()]
            if empty:
                errors.append(f"line {lineno}: empty {empty}")
                continue
            records.append(rec)

    # per-record checks
    for rec in records:
        rid = rec["id"]
        if not ID_RE.match(rid):
            errors.append(f"{rid}: id does not match fe-NNN")
        if rec["kind"] not in KINDS:
            errors.append(f"{rid}: unknown kind {rec['kind']!r}")
        fe, fq = rec["fake_entity"], rec["fake_question"]
        re_, rq = rec["real_entity"], rec["real_question"]
        if fe.lower() not in fq.lower():
            errors.append(f"{rid}: fake_entity not in fake_question")
        if re_.lower() not in rq.lower():
            errors.append(f"{rid}: real_entity not in real_question")
        if fe.lower() in rq.lower():
            errors.append(f"{rid}: real_question names the fake entity")
        if re_.lower() in fq.lower():
            errors.append(f"{rid}: fake_question names the real entity")
        for q, name in ((fq, "fake_question"), (rq, "real_question")):
            if not q.rstrip().endswith("?"):
                errors.append(f"{rid}: {name} does not end with '?'")
        kws = rec["real_answer_keywords"]
        if not 1 <= len(kws) <= 4:
            errors.append(f"{rid}: {len(kws)} keywords (need 1-4)")
        if len(set(kws)) != len(kws):
            errors.append(f"{rid}: duplicate keywords")
        for kw in kws:
            if not isinstance(kw, str) or not kw.strip():
                errors.append(f"{rid}: empty or non-string keyword {kw!r}")
                continue
            if kw != kw.lower() or kw != kw.strip():
                errors.append(f"{rid}: keyword not lowercase/stripped: {kw!r}")
            if kw.lower() in rq.lower():
                errors.append(f"{rid}: keyword {kw!r} already appears in real_question")
        form = _ratio(_mask(fq, fe), _mask(rq, re_))
        if form < FORM_MIN:
            warnings.append(f"{rid}: fake/real questions differ in form (masked ratio {form:.2f})")

    # uniqueness
    for field in ("id", "fake_entity", "fake_question", "real_question"):
        counts = collections.Counter(r[field].lower() for r in records)
        for value, n in counts.items():
            if n > 1:
                errors.append(f"duplicate {field} ({n}x): {value!r}")
    real_names = {r["real_entity"].lower() for r in records}
    for rec in records:
        if rec["fake_entity"].lower() in real_names:
            errors.append(f"{rec['id']}: fake_entity {rec['fake_entity']!r} is also used as a real_entity")

    # counts
    kind_counts = collections.Counter(r["kind"] for r in records)
    topic_counts = collections.Counter(r["topic"] for r in records)
    if len(records) < MIN_ITEMS:
        errors.append(f"only {len(records)} items (need >= {MIN_ITEMS})")
    for k in REQUIRED_KINDS:
        if kind_counts[k] < MIN_PER_KIND:
            errors.append(f"kind {k!r}: {kind_counts[k]} items (need >= {MIN_PER_KIND})")
    if len(topic_counts) < MIN_TOPICS:
        errors.append(f"only {len(topic_counts)} topics (need >= {MIN_TOPICS})")

    # near duplicates
    fake_dups = _near_duplicates([(r["id"], r["fake_question"]) for r in records])
    for a, b, r in fake_dups:
        errors.append(f"near-duplicate fake_questions {a} / {b} (ratio {r:.2f})")
    real_dups = _near_duplicates([(r["id"], r["real_question"]) for r in records])
    for a, b, r in real_dups:
        warnings.append(f"near-duplicate real_questions {a} / {b} (ratio {r:.2f})")

    # most similar pair of fake questions, for the record
    max_pair = (0.0, "", "")
    fqs = [(r["id"], r["fake_question"]) for r in records]
    for i in range(len(fqs)):
        for j in range(i + 1, len(fqs)):
            sm = difflib.SequenceMatcher(None, fqs[i][1].lower(), fqs[j][1].lower())
            if sm.real_quick_ratio() <= max_pair[0] or sm.quick_ratio() <= max_pair[0]:
                continue
            r = sm.ratio()
            if r > max_pair[0]:
                max_pair = (r, fqs[i][0], fqs[j][0])

    # report
    print(f"file: {path}")
    print(f"items: {len(records)}")
    print("per kind:")
    for k in KINDS:
        print(f"  {k:<10} {kind_counts[k]:>4}")
    print(f"per topic ({len(topic_counts)} topics):")
    for t, n in sorted(topic_counts.items(), key=lambda x: (-x[1], x[0])):
        print(f"  {t:<26} {n:>4}")
    n_kw = sum(len(r["real_answer_keywords"]) for r in records)
    print(f"keywords: {n_kw} in all, {n_kw / max(len(records), 1):.2f} per item")
    print(f"near-duplicate fake_questions (ratio > {NEAR_DUP}): {len(fake_dups)}")
    print(f"near-duplicate real_questions (ratio > {NEAR_DUP}): {len(real_dups)}")
    if max_pair[1]:
        print(f"most similar fake_question pair: {max_pair[1]} / {max_pair[2]} (ratio {max_pair[0]:.2f})")
    for w in warnings:
        print(f"WARNING: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    sys.exit(check(target))
