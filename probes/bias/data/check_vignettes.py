"""Validate ``vignettes.jsonl`` and ``demographics.yaml`` for the counterfactual-decisions probe.

Checks the vignettes (fields and types, unique ids, at least three phrasings each with ``{patient}``
exactly once and no unknown placeholders, where the placeholders sit in the sentence, hard-coded
pronouns or demographic words, the question and its options, the correct option, specialty and
decision-type counts), the demographic design (axes, references, groups, intersections, placebo
axes), then fills every phrasing with every group the probe would use and checks that the text
looks grammatical with no leftover braces. Near-duplicate phrasings across different vignettes
(difflib ratio above 0.85) are problems; phrasings of the same vignette that are too alike (above
0.80) are reported as warnings. If the project's own loader (``probes.bias.design``) can be
imported, both files are also run through it.

Prints a summary and every problem; exits 1 if there is any problem, 0 otherwise (warnings do not
fail).

    python check_vignettes.py [--vignettes PATH] [--demographics PATH]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

FIELDS = {"id": str, "specialty": str, "phrasings": list, "question": str, "options": dict,
          "clinically_correct": str, "age_neutral": bool, "rationale": str}
PLACEHOLDERS = ("{patient}", "{subject}", "{possessive}")
ID_RE = re.compile(r"^vig-\d{3}$")
MIN_VIGNETTES = 50
MIN_SPECIALTIES = 10
MIN_PHRASINGS = 3
MIN_YES_NO = 35
REQUIRED_SPECIALTIES = ("pain management", "cardiology", "emergency triage", "psychiatry",
                        "sepsis and infectious disease", "transplant referral", "obstetrics", "oncology")
NEAR_DUPLICATE_RATIO = 0.85      # across vignettes: a problem
SAME_VIGNETTE_RATIO = 0.80       # between phrasings of one vignette: a warning

DECISION_TYPES = {
    frozenset({"yes", "no"}): "yes/no",
    frozenset({"1", "2", "3", "4", "5"}): "triage level (ESI 1-5)",
    frozenset({"low", "standard", "high"}): "dose band",
    frozenset({"emergency", "urgent", "routine"}): "referral urgency",
}

# Words that would leak or fix a demographic attribute if written into a phrasing or question.
PRONOUNS = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs", "himself",
            "herself", "themselves", "themself"}
DEMOGRAPHIC_WORDS = {
    "woman", "women", "man", "men", "male", "female", "boy", "girl", "gentleman", "lady", "mother",
    "father", "husband", "wife", "boyfriend", "girlfriend", "son", "daughter",
    "white", "black", "hispanic", "latino", "latina", "latinx", "asian", "african", "caucasian",
    "native", "indian", "arab", "chinese", "mexican", "immigrant", "homeless", "homelessness",
    "medicaid", "medicare", "uninsured", "insurance", "interpreter", "spanish", "mandarin", "english",
    "arabic", "non-binary", "transgender", "year-old", "elderly", "young",
}
# After {subject} the verb must agree with they/she/he alike: these forms do not.
BAD_AFTER_SUBJECT = {"is", "was", "has", "does", "isn't", "wasn't", "hasn't", "doesn't", "are", "were",
                     "have", "do", "aren't", "weren't", "haven't", "don't"}
SUBJECT_ADVERBS = {"also", "never", "then", "still", "only", "later", "first", "already", "previously",
                   "immediately", "clearly", "repeatedly"}
NOT_AFTER_PATIENT = {",", "with", "who", "whose", "and"}  # would collide with relative clauses in descriptors
SENTENCE_START = re.compile(r"(^|[.!?:]\s*|\n\s*)$")     # same rule as probes.bias.design.fill
LOWER_SENTENCE_STARTS = {"eGFR", "pH"}                   # lower-case tokens allowed to start a sentence


def load_vignettes(path: Path) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not valid JSON ({exc})")
    return records, problems


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'-]*", text)


def decision_type(options: dict) -> str:
    return DECISION_TYPES.get(frozenset(options), "other")


def fill(text: str, group: dict) -> str:
    """Mirror of probes.bias.design.fill: capitalise a placeholder that starts a sentence."""
    out = []
    for piece in re.split(r"(\{patient\}|\{subject\}|\{possessive\})", text):
        if piece in PLACEHOLDERS:
            word = group[piece.strip("{}")]
            if SENTENCE_START.search("".join(out)):
                word = word[:1].upper() + word[1:]
            out.append(word)
        else:
            out.append(piece)
    return "".join(out)


def check_vignette(v: dict, where: str) -> tuple[list[str], list[str]]:
    problems, warnings = [], []
    for field, kind in FIELDS.items():
        if field not in v:
            problems.append(f"{where}: missing field {field!r}")
        elif not isinstance(v[field], kind):
            problems.append(f"{where}: {field} must be {kind.__name__}")
    extra = set(v) - set(FIELDS)
    if extra:
        warnings.append(f"{where}: extra fields {sorted(extra)} (ignored by the probe)")
    if problems:
        return problems, warnings
    if not ID_RE.match(v["id"]):
        problems.append(f"{where}: id {v['id']!r} does not look like vig-001")
    if not v["rationale"].strip() or not v["rationale"].rstrip().endswith("."):
        problems.append(f"{where}: rationale must be a sentence ending with '.'")

    phrasings = v["phrasings"]
    if len(phrasings) < MIN_PHRASINGS:
        problems.append(f"{where}: {len(phrasings)} phrasings, need at least {MIN_PHRASINGS}")
    for k, text in enumerate(phrasings, 1):
        p = f"{where} phrasing {k}"
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{p}: empty or not a string")
            continue
        if text.count("{patient}") != 1:
            problems.append(f"{p}: {{patient}} appears {text.count('{patient}')} times, need exactly 1")
        unknown = set(re.findall(r"\{[^{}]*\}", text)) - set(PLACEHOLDERS)
        if unknown:
            problems.append(f"{p}: unknown placeholders {sorted(unknown)}")
        if re.sub(r"\{(patient|subject|possessive)\}", "", text).count("{") or \
                re.sub(r"\{(patient|subject|possessive)\}", "", text).count("}"):
            problems.append(f"{p}: stray brace")
        for m in re.finditer(r"\{(patient|subject|possessive)\}", text):
            at_start = bool(SENTENCE_START.search(text[:m.start()]))
            name = m.group(1)
            if name == "patient" and not at_start:
                problems.append(f"{p}: {{patient}} must start a sentence (descriptors begin 'A 45-year-old ...')")
            if name != "patient" and at_start:
                warnings.append(f"{p}: {{{name}}} starts a sentence (relies on capitalisation in fill)")
            after = text[m.end():]
            if name == "patient":
                nxt = re.match(r"\s*([,]|[A-Za-z']+)", after)
                if not after.startswith(" ") or (nxt and nxt.group(1).lower() in NOT_AFTER_PATIENT):
                    problems.append(f"{p}: {{patient}} should be followed directly by a verb, "
                                    f"not {after[:12]!r}")
            if name == "subject":
                toks = words(after)
                while toks and toks[0].lower() in SUBJECT_ADVERBS:
                    toks = toks[1:]
                verb = toks[0].lower() if toks else ""
                if verb in BAD_AFTER_SUBJECT or (verb.endswith("s") and not verb.endswith("ss")):
                    problems.append(f"{p}: '{{subject}} {verb}' does not agree with they/she/he; "
                                    "use a past-tense verb or a modal")
            if name == "possessive":
                nxt = words(after)
                if not nxt:
                    problems.append(f"{p}: {{possessive}} must be followed by a noun")
        bare = re.sub(r"\{(patient|subject|possessive)\}", " ", text)
        lowered = [w.lower() for w in words(bare)]
        hits = sorted({w for w in lowered if w in PRONOUNS or w in DEMOGRAPHIC_WORDS})
        hits += re.findall(r"\b(?:Mr|Mrs|Ms|Mx)\.?(?= [A-Z])", bare)
        if hits:
            problems.append(f"{p}: hard-coded pronoun, honorific or demographic word(s) {hits}")

    q = v["question"]
    if "{" in q or "}" in q:
        problems.append(f"{where}: question contains braces; it must not depend on the demographics")
    if not re.search(r"Answer\b[^.?!]*[.?!]\s*$", q):
        problems.append(f"{where}: question must end with an answer instruction ('Answer ...')")
    lowered_q = [w.lower() for w in words(q)]
    hits = sorted({w for w in lowered_q if w in PRONOUNS or w in DEMOGRAPHIC_WORDS})
    if hits:
        problems.append(f"{where}: question has pronoun or demographic word(s) {hits}")

    options = v["options"]
    if len(options) < 2:
        problems.append(f"{where}: need at least two options")
    seen: dict[str, str] = {}
    for label, texts in options.items():
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            problems.append(f"{where}: option {label!r} needs a non-empty list of non-empty strings")
            continue
        for t in texts:
            if t in seen and seen[t] != label:
                problems.append(f"{where}: surface string {t!r} belongs to both {seen[t]!r} and {label!r}")
            seen[t] = label
        numeric = label.isdigit()
        if numeric:
            nums = sorted(int(x) for x in options if x.isdigit())
            if f"{nums[0]} to {nums[-1]}" not in q and label not in q:
                problems.append(f"{where}: option {label!r} is not offered in the question")
        elif not re.search(rf"\b{re.escape(label)}\b", q, re.IGNORECASE):
            problems.append(f"{where}: option {label!r} is not named in the question")
    for a, b in combinations(seen, 2):
        if seen[a] != seen[b] and (a.lower().startswith(b.lower()) or b.lower().startswith(a.lower())):
            warnings.append(f"{where}: surface strings {a!r} ({seen[a]}) and {b!r} ({seen[b]}) share a prefix")
    if v["clinically_correct"] not in options:
        problems.append(f"{where}: clinically_correct {v['clinically_correct']!r} is not an option")
    if decision_type(options) == "other":
        warnings.append(f"{where}: options {sorted(options)} are not a known decision type")
    return problems, warnings


def check_group(g: dict, where: str) -> list[str]:
    problems = []
    for key in ("label", "patient", "subject", "possessive"):
        if not isinstance(g.get(key), str) or not g[key].strip():
            problems.append(f"{where}: group missing {key!r}")
    if problems:
        return problems
    pairs = {("she", "her"), ("he", "his"), ("they", "their")}
    if (g["subject"], g["possessive"]) not in pairs:
        problems.append(f"{where}: {g['label']}: pronouns {g['subject']}/{g['possessive']} are not a known pair")
    if not re.match(r"^An? \d+-year-old ", g["patient"]):
        problems.append(f"{where}: {g['label']}: patient text should start 'A <age>-year-old', got {g['patient']!r}")
    if re.match(r"^A [8aeiouAEIOU]|^A 1[18]-", g["patient"]):
        problems.append(f"{where}: {g['label']}: article should be 'An' in {g['patient']!r}")
    if any(c in g["patient"] for c in "{}.,;:"):
        problems.append(f"{where}: {g['label']}: patient text must be a bare noun phrase: {g['patient']!r}")
    return problems


def check_axis(name: str, axis: dict, where: str) -> list[str]:
    problems = []
    if not isinstance(axis, dict):
        return [f"{where}.{name}: not a mapping"]
    groups = axis.get("groups") or []
    if len(groups) < 2:
        problems.append(f"{where}.{name}: needs at least two groups")
    for g in groups:
        problems += check_group(g, f"{where}.{name}")
    labels = [g.get("label") for g in groups]
    dup = [l for l, c in Counter(labels).items() if c > 1]
    if dup:
        problems.append(f"{where}.{name}: duplicate labels {dup}")
    if axis.get("reference") not in labels:
        problems.append(f"{where}.{name}: reference {axis.get('reference')!r} is not a group label")
    if not axis.get("template"):
        problems.append(f"{where}.{name}: missing template")
    patients = [g.get("patient") for g in groups]
    if len(set(patients)) != len(patients):
        problems.append(f"{where}.{name}: two groups share the same patient text")
    return problems


def check_design(d: dict) -> tuple[list[str], dict]:
    problems: list[str] = []
    info: dict = {}
    base = d.get("base") or {}
    problems += check_group(base, "base") if base else ["base: missing"]
    axes = d.get("axes") or {}
    needed = {"race_ethnicity": 5, "gender": 3, "age_band": 3, "insurance": 3, "language": 3, "housing_ses": 2}
    for axis, n in needed.items():
        groups = (axes.get(axis) or {}).get("groups") or []
        if len(groups) < n:
            problems.append(f"axes.{axis}: {len(groups)} groups, need at least {n}")
    for name, axis in axes.items():
        problems += check_axis(name, axis, "axes")
    gender = {g["label"]: (g["subject"], g["possessive"]) for g in (axes.get("gender") or {}).get("groups", [])}
    if gender and set(gender.values()) != {("she", "her"), ("he", "his"), ("they", "their")}:
        problems.append("axes.gender: expected she/her, he/his and they/their groups")
    inter = d.get("intersections") or {}
    cells = [g for axis in inter.values() for g in axis.get("groups", [])]
    for name, axis in inter.items():
        problems += check_axis(name, axis, "intersections")
    races = {g.get("race_ethnicity") for g in cells}
    genders = {g.get("gender") for g in cells}
    if len(races) < 4 or len(genders) < 3 or len(cells) < len(races) * len(genders):
        problems.append(f"intersections: {len(races)} races x {len(genders)} genders in {len(cells)} cells; "
                        "need at least 4 x 3, fully crossed")
    placebo = d.get("placebo_axes") or {}
    for name, axis in placebo.items():
        problems += check_axis(name, axis, "placebo_axes")
    names = [k for k in placebo if k.startswith("first_name")]
    if len(names) < 6:
        problems.append(f"placebo_axes: {len(names)} first-name pairs, need at least 6")
    for k in names:
        prons = {(g["subject"], g["possessive"]) for g in placebo[k]["groups"]}
        if len(prons) != 1:
            problems.append(f"placebo_axes.{k}: names in a pair must share pronouns")
    for kind, minimum in (("hair", 4), ("city", 4)):
        found = [k for k in placebo if kind in k]
        if not found or len(placebo[found[0]]["groups"]) < minimum:
            problems.append(f"placebo_axes: need a {kind} axis with at least {minimum} groups")
    if not any(k in placebo for k in ("hobby", "birth_month")):
        problems.append("placebo_axes: need a hobby or birth_month axis")
    info.update(axes=axes, intersections=inter, placebo=placebo, base=base)
    return problems, info


def check_fills(vignettes: list[dict], info: dict) -> tuple[list[str], int, int]:
    """Fill every phrasing with every group the probe would use; check the text."""
    problems, count, bad = [], 0, 0
    groups = [("base", "base", info["base"])]
    for family, axes in (("axes", info["axes"]), ("intersections", info["intersections"]),
                         ("placebo_axes", info["placebo"])):
        for axis, spec in axes.items():
            groups += [(family, axis, g) for g in spec.get("groups", [])]
    agreement = re.compile(r"\b(?:[Tt]hey (?:is|was|has|does|[a-z]+[^s]s)\b|"
                           r"\b[SsHh]he (?:are|were|have|do)\b)")
    for v in vignettes:
        for k, text in enumerate(v.get("phrasings", []), 1):
            for family, axis, g in groups:
                if axis.startswith("age") and not v.get("age_neutral"):
                    continue
                if not all(isinstance(g.get(x), str) for x in ("patient", "subject", "possessive")):
                    continue
                out = fill(text, g)
                count += 1
                issues = []
                if "{" in out or "}" in out:
                    issues.append("leftover brace")
                if not out[:1].isupper():
                    issues.append("does not start with a capital")
                if not out.rstrip().endswith((".", "?", "!")):
                    issues.append("does not end with a full stop")
                if re.search(r" {2,}| [,.;:]|\.\.|,,|\b(\w+) \1\b", out):
                    issues.append("spacing, punctuation or doubled word")
                if agreement.search(out):
                    issues.append(f"agreement: {agreement.search(out).group(0)!r}")
                for sentence in re.split(r"(?<![ (][A-Z]\.)(?<=[.!?])\s+", out):  # not after "E."
                    first = words(sentence)[:1]
                    if sentence and not (sentence[0].isupper() or sentence[0].isdigit() or
                                         (first and first[0] in LOWER_SENTENCE_STARTS)):
                        issues.append(f"sentence starts in lower case: {sentence[:30]!r}")
                if issues:
                    bad += 1
                    if bad <= 30:
                        problems.append(f"{v['id']} phrasing {k} x {family}.{axis}={g['label']}: "
                                        f"{'; '.join(issues)}")
    if bad > 30:
        problems.append(f"... and {bad - 30} more filled texts with problems")
    return problems, count, bad


def near_duplicates(vignettes: list[dict]) -> tuple[list[str], list[str], float, float]:
    items = [(v["id"], k, p) for v in vignettes for k, p in enumerate(v.get("phrasings", []), 1)
             if isinstance(p, str)]
    problems, warnings = [], []
    worst_across, worst_within = 0.0, 0.0
    for (ia, ka, a), (ib, kb, b) in combinations(items, 2):
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        if ia != ib and sm.real_quick_ratio() <= worst_across and sm.real_quick_ratio() <= NEAR_DUPLICATE_RATIO:
            continue
        if ia != ib and sm.quick_ratio() <= min(worst_across, NEAR_DUPLICATE_RATIO):
            continue
        r = sm.ratio()
        if ia != ib:
            worst_across = max(worst_across, r)
            if r > NEAR_DUPLICATE_RATIO:
                problems.append(f"near-duplicate phrasings across vignettes: {ia} p{ka} ~ {ib} p{kb} ({r:.3f})")
        else:
            worst_within = max(worst_within, r)
            if r > SAME_VIGNETTE_RATIO:
                warnings.append(f"{ia}: phrasings {ka} and {kb} are very alike ({r:.3f})")
    return problems, warnings, worst_across, worst_within


def project_loader_check(vpath: Path, dpath: Path) -> str:
    root = HERE.parents[2]
    sys.path.insert(0, str(root))
    try:
        from probes.bias.design import Vignette, load_design  # type: ignore
    except Exception as exc:  # the probe package is optional for this check
        return f"skipped (cannot import probes.bias.design: {type(exc).__name__})"
    design = load_design(dpath)
    n = 0
    for line in vpath.read_text(encoding="utf-8").splitlines():
        if line.strip():
            Vignette.model_validate_json(line)
            n += 1
    fams = {k: len(v) for k, v in design.families().items()}
    return f"ok ({n} vignettes; axes per family {fams})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vignettes", type=Path, default=HERE / "vignettes.jsonl")
    ap.add_argument("--demographics", type=Path, default=HERE / "demographics.yaml")
    args = ap.parse_args(argv)

    vignettes, problems = load_vignettes(args.vignettes)
    warnings: list[str] = []
    for n, v in enumerate(vignettes, 1):
        p, w = check_vignette(v, v.get("id", f"line {n}") if isinstance(v, dict) else f"line {n}")
        problems += p
        warnings += w
    ids = [v.get("id") for v in vignettes]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    if dup:
        problems.append(f"duplicate ids: {dup}")
    expected = [f"vig-{i:03d}" for i in range(1, len(ids) + 1)]
    if ids != expected:
        warnings.append("ids are not consecutive from vig-001 in file order")
    if len(vignettes) < MIN_VIGNETTES:
        problems.append(f"{len(vignettes)} vignettes, need at least {MIN_VIGNETTES}")
    specialties = Counter(v.get("specialty") for v in vignettes)
    if len(specialties) < MIN_SPECIALTIES:
        problems.append(f"{len(specialties)} specialties, need at least {MIN_SPECIALTIES}")
    for s in REQUIRED_SPECIALTIES:
        if not specialties.get(s):
            problems.append(f"no vignette in required specialty {s!r}")
    types = Counter(decision_type(v.get("options", {})) for v in vignettes)
    if types["yes/no"] < MIN_YES_NO:
        problems.append(f"{types['yes/no']} yes/no vignettes, need at least {MIN_YES_NO}")

    design = yaml.safe_load(args.demographics.read_text(encoding="utf-8"))
    dproblems, info = check_design(design)
    problems += dproblems
    fproblems, fills, bad = check_fills(vignettes, info) if not dproblems else ([], 0, 0)
    problems += fproblems
    dproblems2, dwarn, worst_across, worst_within = near_duplicates(vignettes)
    problems += dproblems2
    warnings += dwarn
    try:
        loader = project_loader_check(args.vignettes, args.demographics)
    except Exception as exc:
        loader = "FAILED"
        problems.append(f"project loader rejected the data: {exc}")

    # ---- summary ----
    print(f"vignettes: {len(vignettes)}  phrasings: {sum(len(v.get('phrasings', [])) for v in vignettes)}  "
          f"specialties: {len(specialties)}")
    print("per specialty (yes/no | other):")
    by_spec: dict[str, Counter] = defaultdict(Counter)
    for v in vignettes:
        by_spec[v.get("specialty")][decision_type(v.get("options", {}))] += 1
    for s, n in sorted(specialties.items(), key=lambda x: (-x[1], x[0])):
        c = by_spec[s]
        other = ", ".join(f"{t} {k}" for t, k in sorted(c.items()) if t != "yes/no")
        print(f"  {s:32s} {n:3d}   yes/no {c['yes/no']:2d}" + (f" | {other}" if other else ""))
    print("decision types: " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    correct = Counter((decision_type(v.get("options", {})), v.get("clinically_correct")) for v in vignettes)
    print("correct answers: " + ", ".join(f"{t}={c}: {n}" for (t, c), n in sorted(correct.items())))
    print(f"age_neutral: {sum(bool(v.get('age_neutral')) for v in vignettes)} true, "
          f"{sum(not v.get('age_neutral') for v in vignettes)} false")
    print(f"placeholders: {{subject}} in {sum('{subject}' in p for v in vignettes for p in v['phrasings'])} "
          f"phrasings, {{possessive}} in {sum('{possessive}' in p for v in vignettes for p in v['phrasings'])}")
    axes, inter, placebo = info.get("axes", {}), info.get("intersections", {}), info.get("placebo", {})
    print("demographic axes: " + ", ".join(f"{k} {len(a.get('groups', []))} (ref {a.get('reference')})"
                                            for k, a in axes.items()))
    print("intersections: " + ", ".join(f"{k} {len(a.get('groups', []))} cells (ref {a.get('reference')})"
                                         for k, a in inter.items()))
    print(f"placebo axes: {len(placebo)} (" + ", ".join(f"{k} {len(a.get('groups', []))}"
                                                         for k, a in placebo.items()) + ")")
    print(f"filled texts checked: {fills} (with problems: {bad})")
    print(f"highest difflib ratio between phrasings of different vignettes: {worst_across:.3f} "
          f"(limit {NEAR_DUPLICATE_RATIO}); within one vignette: {worst_within:.3f} (warn above {SAME_VIGNETTE_RATIO})")
    print(f"project loader (probes.bias.design): {loader}")
    for w in warnings:
        print(f"WARNING: {w}")
    for p in problems:
        print(f"PROBLEM: {p}")
    print(f"{len(problems)} problem(s), {len(warnings)} warning(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
