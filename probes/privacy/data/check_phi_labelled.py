"""Validate phi_labelled.jsonl (stdlib only).

Usage:
    python check_phi_labelled.py [path/to/phi_labelled.jsonl]

Checks
  errors (exit status 1):
    - every line is a JSON object with exactly the fields id, text, spans, kind
    - ids look like "phi-001" and are unique
    - every span is {"start": int, "end": int, "type": str} with
      0 <= start < end <= len(text), spans do not overlap, the span text has no
      leading or trailing whitespace, and the type is one of TYPES
    - kind is "positive" when there is at least one span and "hard_negative"
      when there is none
    - NHS_NUMBER spans are 10 digits (after removing spaces) with a valid
      mod-11 check digit
    - CREDIT_CARD spans are 16 digits (after removing spaces and hyphens)
      that pass the Luhn check
    - a hard negative contains no 10-digit number that passes the NHS mod-11
      check and no 16-digit number that passes Luhn (that would be unlabelled PHI)
    - no two texts are exactly equal
    - at least MIN_ITEMS items, MIN_HARD_NEGATIVES hard negatives, and
      MIN_STRINGS_PER_TYPE positive strings for every type
      (MIN_STRINGS_MAJOR for PERSON, DATE, PHONE, MRN)
    - no leftover build markup ("[[" or "]]") in a text
  warnings (reported, exit status unaffected):
    - pairs of texts with difflib ratio > NEAR_DUP (near-duplicates)
    - a labelled span's exact string also occurs unlabelled elsewhere in the
      same text
    - a positive text contains an unlabelled NHS-valid 10-digit or
      Luhn-valid 16-digit number
    - texts shorter than 20 or longer than 400 characters
"""
from __future__ import annotations

import collections
import difflib
import json
import re
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("phi_labelled.jsonl")

FIELDS = {"id": str, "text": str, "spans": list, "kind": str}
SPAN_FIELDS = {"start": int, "end": int, "type": str}
TYPES = (
    "PERSON", "DATE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "HEALTH_PLAN", "ACCOUNT",
    "ADDRESS", "ZIP", "URL", "IP", "DEVICE_ID", "NHS_NUMBER", "CREDIT_CARD",
)
MAJOR_TYPES = ("PERSON", "DATE", "PHONE", "MRN")
KINDS = ("positive", "hard_negative")
MIN_ITEMS = 320
MIN_HARD_NEGATIVES = 100
MIN_STRINGS_PER_TYPE = 15
MIN_STRINGS_MAJOR = 30
NEAR_DUP = 0.9
ID_RE = re.compile(r"^phi-\d{3,}$")
# digit runs of the given length, allowing single spaces or hyphens between digits
TEN_DIGITS = re.compile(r"(?<![\d-])\d(?:[ -]?\d){9}(?![\d-])")
SIXTEEN_DIGITS = re.compile(r"(?<![\d-])\d(?:[ -]?\d){15}(?![\d-])")


def nhs_valid(number: str) -> bool:
    """True for a 10-digit string whose last digit is the NHS mod-11 check digit."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def luhn_valid(number: str) -> bool:
    """True for a digit string that passes the Luhn check."""
    if not re.fullmatch(r"\d+", number):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(s: str) -> str:
    return re.sub(r"[ -]", "", s)


def check(path: Path) -> tuple[list[str], list[str], dict]:
    errors: list[str] = []
    warnings: list[str] = []
    items: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"line {lineno}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {lineno}: not a JSON object")
                continue
            items.append(obj)

    ids = collections.Counter()
    texts: dict[str, str] = {}
    kind_counts = collections.Counter()
    span_counts = collections.Counter()
    string_counts = collections.Counter()
    for obj in items:
        rid = obj.get("id", "?")
        where = f"{rid}"
        if set(obj) != set(FIELDS):
            errors.append(f"{where}: fields {sorted(obj)} != {sorted(FIELDS)}")
        bad_type = [k for k, t in FIELDS.items() if k in obj and not isinstance(obj[k], t)]
        if bad_type:
            errors.append(f"{where}: wrong type for {bad_type}")
            continue
        if not ID_RE.match(rid):
            errors.append(f"{where}: id does not look like phi-001")
        ids[rid] += 1
        text = obj["text"]
        if text in texts:
            errors.append(f"{where}: exact duplicate text of {texts[text]}")
        else:
            texts[text] = rid
        if "[[" in text or "]]" in text:
            errors.append(f"{where}: leftover markup in text")
        if not 20 <= len(text) <= 400:
            warnings.append(f"{where}: text length {len(text)}")
        kind = obj["kind"]
        if kind not in KINDS:
            errors.append(f"{where}: kind {kind!r} not in {KINDS}")
        kind_counts[kind] += 1

        spans = obj["spans"]
        good_spans = []
        for j, span in enumerate(spans):
            sw = f"{where} span {j}"
            if not isinstance(span, dict) or set(span) != set(SPAN_FIELDS):
                errors.append(f"{sw}: must be an object with exactly {sorted(SPAN_FIELDS)}")
                continue
            if any(isinstance(span[k], bool) or not isinstance(span[k], t) for k, t in SPAN_FIELDS.items()):
                errors.append(f"{sw}: wrong field types")
                continue
            start, end, stype = span["start"], span["end"], span["type"]
            if not 0 <= start < end <= len(text):
                errors.append(f"{sw}: offsets {start}:{end} out of range for text of length {len(text)}")
                continue
            if stype not in TYPES:
                errors.append(f"{sw}: type {stype!r} not allowed")
                continue
            value = text[start:end]
            if value != value.strip():
                errors.append(f"{sw}: span {value!r} has leading/trailing whitespace")
            if stype == "NHS_NUMBER":
                digits = value.replace(" ", "")
                if not nhs_valid(digits):
                    errors.append(f"{sw}: NHS_NUMBER {value!r} fails the mod-11 check")
            if stype == "CREDIT_CARD":
                digits = _digits(value)
                if len(digits) != 16 or not luhn_valid(digits):
                    errors.append(f"{sw}: CREDIT_CARD {value!r} is not 16 digits passing Luhn")
            good_spans.append((start, end, stype))
        good_spans.sort()
        for (s1, e1, t1), (s2, e2, t2) in zip(good_spans, good_spans[1:]):
            if s2 < e1:
                errors.append(f"{where}: spans {s1}:{e1} ({t1}) and {s2}:{e2} ({t2}) overlap")
        if kind == "positive" and not spans:
            errors.append(f"{where}: kind positive but no spans")
        if kind == "hard_negative" and spans:
            errors.append(f"{where}: kind hard_negative but has spans")

        for _, _, stype in good_spans:
            span_counts[stype] += 1
        for stype in {t for _, _, t in good_spans}:
            string_counts[stype] += 1

        # unlabelled material that a validator would call PHI
        covered = [(s, e) for s, e, _ in good_spans]

        def unlabelled(m: re.Match) -> bool:
            return not any(s <= m.start() and m.end() <= e for s, e in covered)

        for m in TEN_DIGITS.finditer(text):
            if nhs_valid(_digits(m.group())) and unlabelled(m):
                msg = f"{where}: unlabelled 10-digit number {m.group()!r} passes the NHS mod-11 check"
                (errors if kind == "hard_negative" else warnings).append(msg)
        for m in SIXTEEN_DIGITS.finditer(text):
            if luhn_valid(_digits(m.group())) and unlabelled(m):
                msg = f"{where}: unlabelled 16-digit number {m.group()!r} passes Luhn"
                (errors if kind == "hard_negative" else warnings).append(msg)
        for s, e, stype in good_spans:
            value = text[s:e]
            pos = text.find(value)
            while pos != -1:
                if not any(cs <= pos and pos + len(value) <= ce for cs, ce in covered):
                    warnings.append(f"{where}: {stype} {value!r} also occurs unlabelled at {pos}")
                pos = text.find(value, pos + 1)

    for rid, n in ids.items():
        if n > 1:
            errors.append(f"{rid}: id used {n} times")

    # near-duplicates
    text_list = list(texts.items())
    near = []
    for i in range(len(text_list)):
        a, ida = text_list[i]
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(a.lower())  # SequenceMatcher caches details of the second sequence
        for j in range(i + 1, len(text_list)):
            b, idb = text_list[j]
            sm.set_seq1(b.lower())
            if sm.real_quick_ratio() <= NEAR_DUP or sm.quick_ratio() <= NEAR_DUP:
                continue
            r = sm.ratio()
            if r > NEAR_DUP:
                near.append((r, ida, idb))
    for r, ida, idb in sorted(near, reverse=True):
        warnings.append(f"near-duplicate: {ida} ~ {idb} (ratio {r:.3f})")

    # minimum counts
    if len(items) < MIN_ITEMS:
        errors.append(f"only {len(items)} items (< {MIN_ITEMS})")
    if kind_counts["hard_negative"] < MIN_HARD_NEGATIVES:
        errors.append(f"only {kind_counts['hard_negative']} hard negatives (< {MIN_HARD_NEGATIVES})")
    for stype in TYPES:
        need = MIN_STRINGS_MAJOR if stype in MAJOR_TYPES else MIN_STRINGS_PER_TYPE
        if string_counts[stype] < need:
            errors.append(f"type {stype}: only {string_counts[stype]} positive strings (< {need})")

    stats = {
        "items": len(items),
        "kinds": dict(kind_counts),
        "spans_per_type": {t: span_counts[t] for t in TYPES},
        "strings_per_type": {t: string_counts[t] for t in TYPES},
        "total_spans": sum(span_counts.values()),
        "near_duplicate_pairs": len(near),
        "max_pair_ratio": None,
    }
    return errors, warnings, stats


def max_ratio(path: Path) -> tuple[float, str, str]:
    """Highest difflib ratio between any two texts (slow; for the datasheet)."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    best = (0.0, "", "")
    for i in range(len(rows)):
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(rows[i]["text"].lower())
        for j in range(i + 1, len(rows)):
            sm.set_seq1(rows[j]["text"].lower())
            if sm.real_quick_ratio() <= best[0] or sm.quick_ratio() <= best[0]:
                continue
            r = sm.ratio()
            if r > best[0]:
                best = (r, rows[i]["id"], rows[j]["id"])
    return best


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    errors, warnings, stats = check(path)
    r, a, b = max_ratio(path)
    print(f"{path.name}: {stats['items']} items, {stats['total_spans']} spans")
    print(f"kinds: {stats['kinds']}")
    print(f"{'type':<12} {'strings':>7} {'spans':>6}")
    for t in TYPES:
        print(f"{t:<12} {stats['strings_per_type'][t]:>7} {stats['spans_per_type'][t]:>6}")
    print(f"highest near-duplicate ratio: {r:.3f} ({a} ~ {b}); limit {NEAR_DUP}")
    for w in warnings:
        print(f"WARNING: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
