"""Validate the bias-probe data files beside this script (standard library only).

Checks ``stereotype_pairs.jsonl`` (fields, ids, minimal-pair form, axis counts,
near-duplicates across pairs) and ``prevalence.csv`` (columns, shares, measures,
per-condition sums, sources). Prints a summary and every problem found; exits 1
if there is any problem, 0 otherwise.

    python check_stereotypes.py [--pairs PATH] [--prevalence PATH]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent

PAIR_FIELDS = ("id", "stereotyped", "anti_stereotyped", "axis", "stereotyped_group", "other_group", "setting")
AXIS_MINIMUMS = {
    "race_ethnicity": 12,
    "gender": 12,
    "age": 12,
    "socioeconomic": 12,
    "disability": 12,
    "religion": 6,
    "sexual_orientation": 6,
    "nationality": 6,
    "body_weight": 6,
}
SETTINGS = {"patient", "clinician"}
MIN_PAIRS = 160
MAX_SPAN_TOKENS = 4
NEAR_DUPLICATE_RATIO = 0.85
ID_RE = re.compile(r"^sp-\d{3,}$")
TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")

CSV_COLUMNS = ["condition", "axis", "group", "share", "measure", "population", "year", "source"]
MEASURES = {"share_of_patients", "prevalence_in_group"}
SHARE_SUM_LIMIT = 1.02


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


def differing_span(a: list[str], b: list[str]) -> tuple[int, int]:
    """Tokens left over on each side once the common prefix and suffix are removed."""
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(a), len(b)) - prefix
           and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]):
        suffix += 1
    return len(a) - prefix - suffix, len(b) - prefix - suffix


def check_pairs(path: Path) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    summary: list[str] = []
    records: list[dict] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"{path.name}: cannot read ({exc})"], summary
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            problems.append(f"{path.name}:{lineno}: blank line")
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{lineno}: invalid JSON ({exc})")
            continue
        if not isinstance(rec, dict):
            problems.append(f"{path.name}:{lineno}: not a JSON object")
            continue
        rec["_line"] = lineno
        records.append(rec)

    ids = Counter()
    axes = Counter()
    settings = Counter()
    spans = Counter()
    for rec in records:
        where = f"{path.name}:{rec['_line']}"
        missing = [f for f in PAIR_FIELDS if not isinstance(rec.get(f), str) or not rec.get(f).strip()]
        extra = sorted(set(rec) - set(PAIR_FIELDS) - {"_line"})
        if missing:
            problems.append(f"{where}: missing or empty field(s) {missing}")
        if extra:
            problems.append(f"{where}: unexpected field(s) {extra}")
        if missing:
            continue
        where = f"{where} ({rec['id']})"
        ids[rec["id"]] += 1
        if not ID_RE.match(rec["id"]):
            problems.append(f"{where}: id does not match sp-NNN")
        if rec["axis"] not in AXIS_MINIMUMS:
            problems.append(f"{where}: unknown axis {rec['axis']!r}")
        axes[rec["axis"]] += 1
        if rec["setting"] not in SETTINGS:
            problems.append(f"{where}: setting must be one of {sorted(SETTINGS)}")
        settings[rec["setting"]] += 1
        if rec["stereotyped_group"].strip().lower() == rec["other_group"].strip().lower():
            problems.append(f"{where}: stereotyped_group equals other_group")
        a, b = tokens(rec["stereotyped"]), tokens(rec["anti_stereotyped"])
        if a == b:
            problems.append(f"{where}: the two sentences are identical")
            continue
        left, right = differing_span(a, b)
        spans[max(left, right)] += 1
        if left == 0 or right == 0:
            problems.append(f"{where}: one sentence only adds/removes words; the group words must be swapped")
        if left > MAX_SPAN_TOKENS or right > MAX_SPAN_TOKENS:
            problems.append(
                f"{where}: sentences differ in more than a short contiguous span "
                f"({left} vs {right} tokens; limit {MAX_SPAN_TOKENS})")

    for pid, n in sorted(ids.items()):
        if n > 1:
            problems.append(f"{path.name}: id {pid} appears {n} times")
    expected = [f"sp-{i:03d}" for i in range(1, len(records) + 1)]
    if [r.get("id") for r in records] != expected:
        problems.append(f"{path.name}: ids are not consecutive sp-001..sp-{len(records):03d} in file order")
    if len(records) < MIN_PAIRS:
        problems.append(f"{path.name}: {len(records)} pairs, need at least {MIN_PAIRS}")
    for axis, minimum in AXIS_MINIMUMS.items():
        if axes[axis] < minimum:
            problems.append(f"{path.name}: axis {axis} has {axes[axis]} pairs, need at least {minimum}")

    # near-duplicates across pairs (stereotyped sentences compared pairwise)
    texts = [(r.get("id"), r.get("stereotyped", "").lower()) for r in records if isinstance(r.get("stereotyped"), str)]
    near = []
    top = 0.0
    for i in range(len(texts)):
        matcher = difflib.SequenceMatcher(None, "", texts[i][1], autojunk=False)
        for j in range(i + 1, len(texts)):
            matcher.set_seq1(texts[j][1])
            ratio = matcher.ratio()
            top = max(top, ratio)
            if ratio > NEAR_DUPLICATE_RATIO:
                near.append((texts[i][0], texts[j][0], ratio))
    for a_id, b_id, ratio in near:
        problems.append(f"{path.name}: near-duplicate pairs {a_id} and {b_id} (difflib ratio {ratio:.3f} > {NEAR_DUPLICATE_RATIO})")

    summary.append(f"{path.name}: {len(records)} pairs")
    summary.append("  per axis: " + ", ".join(f"{k}={axes[k]}" for k in AXIS_MINIMUMS))
    summary.append("  per setting: " + ", ".join(f"{k}={settings[k]}" for k in sorted(settings)))
    summary.append("  differing span (max tokens per side): "
                   + ", ".join(f"{k}: {spans[k]}" for k in sorted(spans)))
    summary.append(f"  near-duplicates (ratio > {NEAR_DUPLICATE_RATIO}): {len(near)}; highest pairwise ratio {top:.3f}")
    return problems, summary


def check_prevalence(path: Path) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    summary: list[str] = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except OSError as exc:
        return [f"{path.name}: cannot read ({exc})"], summary
    if header != CSV_COLUMNS:
        problems.append(f"{path.name}: columns are {header}, expected {CSV_COLUMNS}")
        return problems, summary

    measures = defaultdict(set)
    sums = defaultdict(float)
    seen = Counter()
    per_condition = defaultdict(Counter)
    for lineno, row in enumerate(rows, 2):
        where = f"{path.name}:{lineno}"
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{where}: wrong number of fields")
            continue
        empty = [c for c in CSV_COLUMNS if not row[c].strip()]
        if empty:
            problems.append(f"{where}: empty column(s) {empty}")
        try:
            share = float(row["share"])
        except ValueError:
            problems.append(f"{where}: share {row['share']!r} is not a number")
            continue
        if not 0.0 <= share <= 1.0:
            problems.append(f"{where}: share {share} outside [0, 1]")
        if row["measure"] not in MEASURES:
            problems.append(f"{where}: measure {row['measure']!r} not in {sorted(MEASURES)}")
        if len(row["source"].strip()) < 15:
            problems.append(f"{where}: source is missing or too short to be a citation")
        key = (row["condition"], row["axis"], row["group"])
        seen[key] += 1
        measures[row["condition"]].add(row["measure"])
        per_condition[row["condition"]][row["axis"]] += 1
        if row["measure"] == "share_of_patients":
            sums[(row["condition"], row["axis"])] += share
    for key, n in seen.items():
        if n > 1:
            problems.append(f"{path.name}: {key} appears {n} times")
    for condition, ms in measures.items():
        if len(ms) > 1:
            problems.append(f"{path.name}: condition {condition!r} mixes measures {sorted(ms)}")
    for (condition, axis), total in sorted(sums.items()):
        if total > SHARE_SUM_LIMIT:
            problems.append(f"{path.name}: shares of patients for {condition!r}/{axis} sum to {total:.3f} > {SHARE_SUM_LIMIT}")

    summary.append(f"{path.name}: {len(rows)} rows, {len(per_condition)} conditions")
    for condition in per_condition:
        axes = ", ".join(f"{a}={n}" for a, n in sorted(per_condition[condition].items()))
        measure = "/".join(sorted(measures[condition]))
        extra = ""
        if measure == "share_of_patients":
            extra = "; sums " + ", ".join(
                f"{a}={sums[(condition, a)]:.3f}" for a in sorted(per_condition[condition]))
        summary.append(f"  {condition}: {measure}; {axes}{extra}")
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=HERE / "stereotype_pairs.jsonl")
    parser.add_argument("--prevalence", type=Path, default=HERE / "prevalence.csv")
    args = parser.parse_args(argv)

    problems: list[str] = []
    for check, path in ((check_pairs, args.pairs), (check_prevalence, args.prevalence)):
        found, summary = check(path)
        print("\n".join(summary))
        problems.extend(found)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("\nOK: no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
