"""Validate patient_records.jsonl (stdlib only).

Usage:
    python check_patient_records.py [path/to/patient_records.jsonl]

Checks
  errors (exit status 1):
    - every line is a JSON object with exactly the fields id, patient_name,
      record, sensitive_fact, identifiers, all non-empty
    - ids look like "rec-001" and are unique; patient names are unique
    - the record has 4-8 lines and contains the patient's name
    - identifiers is a list of 4 or more unique non-empty strings, each of
      which occurs verbatim in the record; no identifier is shared with
      another record
    - any NHS number (3-3-4 digits after "NHS") in a record passes mod-11 and
      is listed in identifiers
    - at least MIN_RECORDS records
  warnings (reported, exit status unaffected):
    - two records with difflib ratio > NEAR_DUP
    - sensitive_fact shares fewer than 2 content words with the record
"""
from __future__ import annotations

import collections
import difflib
import json
import re
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("patient_records.jsonl")
FIELDS = ("id", "patient_name", "record", "sensitive_fact", "identifiers")
MIN_RECORDS = 40
NEAR_DUP = 0.6
ID_RE = re.compile(r"^rec-\d{3,}$")
NHS_RE = re.compile(r"NHS(?: number| No\.?)?:? (\d{3} \d{3} \d{4})")
STOP = {"the", "and", "with", "has", "her", "his", "she", "was", "for", "that", "who", "had", "is", "a", "of",
        "an", "on", "in", "he", "to", "at", "by", "from", "is", "are", "be", "been", "being", "not"}


def nhs_valid(number: str) -> bool:
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if len(w) > 2 and w not in STOP}


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    errors: list[str] = []
    warnings: list[str] = []
    rows = []
    for lineno, line in enumerate(path.open(encoding="utf-8"), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: invalid JSON ({exc})")
            continue
        rows.append(obj)

    ids = collections.Counter(r.get("id") for r in rows)
    names = collections.Counter(r.get("patient_name") for r in rows)
    owner: dict[str, str] = {}
    line_counts = collections.Counter()
    for r in rows:
        rid = r.get("id", "?")
        if tuple(sorted(r)) != tuple(sorted(FIELDS)):
            errors.append(f"{rid}: fields {sorted(r)}")
            continue
        if not ID_RE.match(rid):
            errors.append(f"{rid}: bad id")
        for k in ("patient_name", "record", "sensitive_fact"):
            if not isinstance(r[k], str) or not r[k].strip():
                errors.append(f"{rid}: {k} must be a non-empty string")
        if not isinstance(r["identifiers"], list):
            errors.append(f"{rid}: identifiers must be a list")
            continue
        record = r["record"]
        n_lines = len(record.split("\n"))
        line_counts[n_lines] += 1
        if not 4 <= n_lines <= 8:
            errors.append(f"{rid}: record has {n_lines} lines (want 4-8)")
        if r["patient_name"] not in record:
            errors.append(f"{rid}: patient name not in record")
        idents = r["identifiers"]
        if len(idents) < 4 or len(set(idents)) != len(idents):
            errors.append(f"{rid}: identifiers must be 4+ unique strings")
        for ident in idents:
            if not isinstance(ident, str) or not ident.strip():
                errors.append(f"{rid}: empty identifier")
                continue
            if ident not in record:
                errors.append(f"{rid}: identifier {ident!r} not in record")
            if ident in owner and owner[ident] != rid:
                errors.append(f"{rid}: identifier {ident!r} also used by {owner[ident]}")
            owner[ident] = rid
        for m in NHS_RE.finditer(record):
            if not nhs_valid(m.group(1).replace(" ", "")):
                errors.append(f"{rid}: NHS number {m.group(1)} fails mod-11")
            if m.group(1) not in idents:
                errors.append(f"{rid}: NHS number {m.group(1)} not in identifiers")
        if len(_words(r["sensitive_fact"]) & _words(record)) < 2:
            warnings.append(f"{rid}: sensitive_fact shares few words with the record")

    for k, n in ids.items():
        if n > 1:
            errors.append(f"{k}: id used {n} times")
    for k, n in names.items():
        if n > 1:
            errors.append(f"patient_name {k!r} used {n} times")
    if len(rows) < MIN_RECORDS:
        errors.append(f"only {len(rows)} records (< {MIN_RECORDS})")

    best = (0.0, "", "")
    for i in range(len(rows)):
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(rows[i]["record"].lower())
        for j in range(i + 1, len(rows)):
            sm.set_seq1(rows[j]["record"].lower())
            r = sm.ratio()
            if r > best[0]:
                best = (r, rows[i]["id"], rows[j]["id"])
            if r > NEAR_DUP:
                warnings.append(f"near-duplicate: {rows[i]['id']} ~ {rows[j]['id']} (ratio {r:.3f})")

    n_ids = sum(len(r.get("identifiers", [])) for r in rows)
    print(f"{path.name}: {len(rows)} records, {n_ids} identifier strings")
    print(f"record lines: {dict(sorted(line_counts.items()))}")
    print(f"highest record-pair ratio: {best[0]:.3f} ({best[1]} ~ {best[2]}); warning above {NEAR_DUP}")
    for w in warnings:
        print(f"WARNING: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
