"""Parsers for free-text answers: abstention/refusal, yes/no/maybe, option letters.

Each returns a label or ``None`` (unparseable), never a guess. Their precision and recall
are measured on hand-labelled responses: ``data/parser_validation.jsonl`` (the development
set the rules were written against) and ``data/parser_heldout.jsonl`` (a held-out set,
never used to write them). ``data/check_parsers.py`` prints both; tests assert the floor.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

# Statements that the entity is unknown or does not exist: decisive wherever they appear,
# unless the answer opens by asserting what the entity is.
_UNKNOWN_ENTITY = re.compile("|".join([
    r"\bI (?:do not|don't|dont) know\b",
    r"\bI (?:do not|don't) have (?:any |reliable |specific |enough )?(?:information|data|knowledge|details|record)\b",
    r"\bI (?:could not|couldn't|cannot|can't|can not|was unable to|am unable to|'m unable to) "
    r"(?:find|locate|verify|confirm|identify|look up|access)\b(?!.{0,40}\bspecifically\b)",
    r"\b(?:isn't|is not|'s not) (?:a |an )?(?:\w+ )?(?:drug|medication|medicine|condition|syndrome|disease|gene|trial|"
    r"study|guideline|device|test|term|score|something|name|policy) (?:that )?I (?:can find|recogni[sz]e|know|am aware of|'m aware of|have heard of)\b",
    r"\bnot (?:aware of|familiar with)\b",
    r"\bdoesn't ring a bell\b|\bdoes not ring a bell\b",
    r"\bno (?:reliable |specific |available |known |credible )?(?:information|data|record|records|mention) "
    r"(?:about|on|of|regarding|for)\b",
    r"\b(?:does not|doesn't|do not|don't) (?:appear to |seem to )?exist\b",
    r"\bnot (?:a |an )?(?:recogni[sz]ed|known|real|approved|established|registered|existing)\b(?: or \w+)? "
    r"(?:drug|medication|medicine|condition|syndrome|disease|gene|trial|study|guideline|device|test|term|entity|"
    r"\w+ drug)\b",
    r"\b(?:fictional|fictitious|made[- ]up|invented|non-existent|nonexistent)\b",
    r"\b(?:there is|there's) no (?:such|known|recogni[sz]ed|record of)\b",
    r"\bunable to (?:find|locate|verify|confirm|browse|access|look up)\b",
    r"\bnot able to (?:answer|determine|find|verify)\b",
    r"\bI (?:have no|lack) (?:information|knowledge|data)\b",
    r"\bbeyond my (?:knowledge|training)\b",
]), _FLAGS)

# A bare hedge ("I'm not sure") abstains only when no claim follows it ("..., but it is X").
_HEDGE = re.compile(r"\bI(?:'m| am) not (?:sure|certain)\b(?![^.]{0,15}\bbut\b)", _FLAGS)

_REFUSAL = re.compile(
    r"\bI (?:can't|cannot|can not|won't|will not|am not able to|'m not able to) "
    r"(?:help|assist|advise|recommend|give|provide|offer|diagnose)\b|"
    r"\b(?:please |you should )?(?:call|consult|see|contact|talk to|speak (?:to|with)|discuss (?:this )?with) "
    r"(?:a |your )?(?:doctor|physician|dentist|pharmacist|healthcare|emergency services|clinician)\b",
    _FLAGS,
)
_CONTINUES = re.compile(r"\b(?:that said|however|but|nevertheless|in general,? though)\b[^.]{0,20}\b(?:is|are|was|has|causes?|"
                        r"used|treats?|works?)\b", _FLAGS)
_ASSERTS_FIRST = re.compile(r"^\W*[A-Z][\w-]*(?: [\w-]+){0,3} (?:is|are) (?:a|an|the|used)\b")


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def is_abstention(text: str) -> bool:
    """The answer declines for lack of knowledge, or says the entity is unknown or does not exist."""
    first = _first_sentence(text)
    if _ASSERTS_FIRST.search(first) and not _UNKNOWN_ENTITY.search(first):
        return False  # "Vorogepant is a gepant ... it may not exist": the claim came first
    return bool(_UNKNOWN_ENTITY.search(text) or _HEDGE.search(text))


def is_refusal(text: str) -> bool:
    """The answer refuses or only redirects to a clinician, without going on to answer."""
    return bool(_REFUSAL.search(text)) and not _CONTINUES.search(text)


def _plain(text: str) -> str:
    """Markdown emphasis and headings removed, whitespace collapsed."""
    return " ".join(re.sub(r"[*_#`>]+", " ", text).split())


# -- yes / no / maybe ----------------------------------------------------------------------
_EXPLICIT_YNM = re.compile(r"\b(?:answer|verdict|conclusion|decision)\b[^.:]{0,20}?(?:\bis\b|:)\s*\(?\s*(yes|no|maybe)\b"
                           r"|yes/no/maybe\s*:\s*(yes|no|maybe)\b", _FLAGS)
_LEADING = [
    (re.compile(r"^(?:yes and no|yes or no)\b", _FLAGS), "maybe"),
    (re.compile(r"^(?:absolutely|definitely|certainly) not\b", _FLAGS), "no"),
    (re.compile(r"^(?:yes|yep|yeah|absolutely|definitely|certainly|indeed|correct)\b", _FLAGS), "yes"),
    (re.compile(r"^(?:no|nope)\b(?=\s*(?:[,.;:!\-–—]|$|it\b|they\b|this\b|that\b|there is not\b))", _FLAGS), "no"),
    (re.compile(r"^(?:maybe|possibly|perhaps|unclear|uncertain|not necessarily|it depends|inconclusive)\b", _FLAGS),
     "maybe"),
]
_NO_PHRASES = re.compile(r"\b(?:does|do|did|is|was) not (?:appear|seem) (?:so|to)\b|\bthere(?:'s| is) no evidence that\b"
                         r"|\bit is not the case\b", _FLAGS)
_MAYBE_PHRASES = re.compile(r"\b(?:it depends|mixed|conflicting|inconclusive|remains (?:open|unclear)|more research is needed)\b",
                            _FLAGS)
_YES_PHRASES = re.compile(r"\bno doubt\b[^.]{0,15}\byes\b", _FLAGS)


def parse_yes_no_maybe(text: str) -> str | None:
    """'yes' / 'no' / 'maybe' / 'abstain' from a free-text answer, or None when it commits to none."""
    plain = _plain(text)
    explicit = _EXPLICIT_YNM.findall(plain)
    if explicit:
        last = explicit[-1]
        return (last[0] or last[1]).lower()
    if _YES_PHRASES.search(plain):
        return "yes"
    for pattern, label in _LEADING:
        if pattern.search(plain):
            return label
    if is_abstention(plain) or is_refusal(plain):
        return "abstain"
    if _MAYBE_PHRASES.search(plain):
        return "maybe"
    if _NO_PHRASES.search(plain):
        return "no"
    return None


# -- option letters ------------------------------------------------------------------------
_LETTER = r"\(?([A-H])\)?"
_EXPLICIT_LETTER = re.compile(
    r"\b(?:answer|choice|option|go with|pick|choose|guess|say)\b[^.:;]{0,25}?(?:\bis\b|:|\bwith\b|\bguess\b|\bsay\b)?\s*"
    r"(?:option\s*)?" + _LETTER + r"(?![\w'])", _FLAGS)
_OPTION_NUMBER = re.compile(r"\b(?:option|answer|choice)\s*(?:is|:)?\s*#?([1-8])\b", _FLAGS)
_LEADING_LETTER = re.compile(r"^\(?([A-H])(?:\)|\.|:|\s*$|\s+[-–—]\s|\))", re.MULTILINE)
_NEGATED = re.compile(r"(?:\bnot\s+" + _LETTER + r"|" + _LETTER + r"\s+is\s+(?:wrong|incorrect|not))", _FLAGS)
_TWO_LETTERS = re.compile(r"^\W*" + _LETTER + r"\s*(?:or|and|/|,)\s*" + _LETTER + r"\b|\bboth\s+" + _LETTER, _FLAGS)


def _is_article(text: str, match: re.Match) -> bool:
    """A lower-case "a" (or other letter) followed by a word is prose ("is a beta blocker"), not an option."""
    letter = match.group(1)
    return letter.islower() and not match.group(0).rstrip().endswith(")") and bool(
        re.match(r"\s+[a-z]", text[match.end():]))


def parse_option_letter(text: str, n_options: int = 4) -> str | None:
    """The option letter an answer commits to ("B", "(B)", "The answer is B", "option 2"), else None."""
    valid = "ABCDEFGH"[:n_options]
    plain = _plain(text)
    if _TWO_LETTERS.search(plain) or re.search(r"\banswer is [A-H] or [A-H]\b", plain, _FLAGS):
        return None
    negated = {m.upper() for group in _NEGATED.findall(plain) for m in group if m}
    explicit = [m.group(1).upper() for m in _EXPLICIT_LETTER.finditer(plain)
                if m.group(1).upper() in valid and m.group(1).upper() not in negated and not _is_article(plain, m)]
    if explicit:
        return explicit[-1]
    number = _OPTION_NUMBER.findall(plain)
    if number and int(number[-1]) <= n_options:
        return valid[int(number[-1]) - 1]
    leading = _LEADING_LETTER.match(plain)
    if leading and leading.group(1) in valid and leading.group(1) not in negated:
        return leading.group(1)
    if is_abstention(plain) or is_refusal(plain) or re.search(r"\bcannot answer\b|\bcan't answer\b", plain, _FLAGS):
        return "abstain"
    return None


def mentions_any(text: str, keywords: list[str]) -> bool:
    """Case-insensitive whole-word match of any keyword (keywords may contain spaces)."""
    lowered = text.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(k.lower())}(?![a-z0-9])", lowered) for k in keywords)
