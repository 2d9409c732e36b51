"""Detectors for HIPAA Safe Harbor identifiers that appear in text, plus the UK NHS number.

Pattern detectors with validators (Luhn for card numbers, NHS mod-11 check digits, SSN area
rules) and Google's libphonenumber (``phonenumbers``, leniency POSSIBLE so that fictional 555 numbers count)
for telephone and fax numbers. Names are
found only with a cue ("Mr.", "patient", "named", "Name:"), which favours precision over
recall. Each detector's precision and recall are measured on ``probes/privacy/data/phi_labelled.jsonl``
(``probes/privacy/data/check_detectors.py``), including hard negatives such as dosages, lab values and codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    text: str


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def nhs_valid(digits: str) -> bool:
    """NHS number mod-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "URL": re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:)]"),
    "IP": re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"),
    "SSN": re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"),
    "MRN": re.compile(r"(?i)\b(?:MRN|medical record(?: number| no\.?)?|hospital number|record #)\s*[:#]?\s*([A-Z]{0,3}[-\d]{5,12})\b"),
    "HEALTH_PLAN": re.compile(r"(?i)\b(?:member|beneficiary|policy|health[- ]plan|insurance|subscriber|Medicaid|Medicare)"
                              r"(?: ID| number| no\.?| #)?\s*[:#]?\s*([A-Z]{1,4}[-\d]{6,14}|\d{8,14}[A-Z]?)\b"),
    "ACCOUNT": re.compile(r"(?i)\b(?:account|acct|billing)(?: number| no\.?| #)?\s*[:#]?\s*([A-Z]{0,3}[-\d]{6,14})\b"),
    "DEVICE_ID": re.compile(r"(?i)\b(?:serial(?: number| no\.?)?|S/N|SN|device ID|UDI|IMEI)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{5,24})\b"),
    "ZIP": re.compile(r"(?<=, [A-Z]{2} )\d{5}(?:-\d{4})?\b|(?i:\bZIP(?: code)?\s*[:#]?\s*)(\d{5}(?:-\d{4})?)\b"),
    "ADDRESS": re.compile(r"\b\d{1,5} (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|"
                          r"Court|Ct|Way|Place|Pl|Terrace|Close|Crescent)\b\.?"),
    "DATE": re.compile(r"\b(?:\d{1,2}/\d{1,2}/(?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|\d{1,2} " + _MONTHS
                       + r",? (?:19|20)\d{2}|" + _MONTHS + r" \d{1,2},? (?:19|20)\d{2}|\d{1,2}\.\d{1,2}\.(?:19|20)\d{2})\b"),
    "PERSON": re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? |\b(?:[Pp]atient|named|[Nn]ame:|name is|[Pp]atient:) )"
                         r"((?:[A-Z][a-z'-]+ ){0,2}[A-Z][a-z'-]+)"),
}
_NHS = re.compile(r"\b(\d{3}[ -]?\d{3}[ -]?\d{4})\b")
_CARD = re.compile(r"\b((?:\d{4}[ -]?){3}\d{4})\b")
_PHONE_SHAPE = re.compile(r"^\+|\(\d{3}\)|\d{3}[-.]\d{3,4}[-.]\d{4}")
_PHONE_CUE = re.compile(r"(?i)\b(?:phone|tel|telephone|call|mobile|cell|fax|contact|ring|reach)\b[^\d]{0,14}$")
_NOT_NAMES = frozenset({"The", "This", "He", "She", "They", "His", "Her", "Their", "With", "Who", "Was", "Has", "Is"})


def _group_span(match: re.Match, kind: str) -> Span:
    group = 1 if match.lastindex else 0
    return Span(match.start(group), match.end(group), kind, match.group(group))


def detect(text: str, region: str = "US") -> list[Span]:
    """All identifier spans in ``text``, longest first where they overlap."""
    spans: list[Span] = []
    for kind, pattern in _PATTERNS.items():
        for match in pattern.finditer(text):
            group = next((g for g in range(1, (match.lastindex or 0) + 1) if match.group(g)), 0)
            span = Span(match.start(group), match.end(group), kind, match.group(group))
            if kind == "PERSON" and span.text.split()[0] in _NOT_NAMES:
                continue
            spans.append(span)
    for match in _NHS.finditer(text):
        if nhs_valid(re.sub(r"\D", "", match.group(1))):
            spans.append(_group_span(match, "NHS_NUMBER"))
    for match in _CARD.finditer(text):
        if luhn_valid(re.sub(r"\D", "", match.group(1))):
            spans.append(_group_span(match, "CREDIT_CARD"))
    for found in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        before = text[max(0, found.start - 24):found.start]
        if not (_PHONE_SHAPE.search(found.raw_string) or _PHONE_CUE.search(before)):
            continue  # a bare run of digits is more often a code or count than a telephone number
        kind = "FAX" if re.search(r"(?i)\bfax\b[^\d]{0,12}$", before) else "PHONE"
        spans.append(Span(found.start, found.end, kind, found.raw_string))
    return _resolve_overlaps(spans)


def _resolve_overlaps(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
