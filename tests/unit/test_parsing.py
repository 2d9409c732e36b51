"""Answer parsers: behaviour on typical answers, and precision/recall on hand-labelled sets."""

from __future__ import annotations

import pytest

from probes.hallucination.data.check_parsers import DEVELOPMENT, HELD_OUT, load, per_class
from probes.hallucination.parsing import is_abstention, mentions_any, parse_option_letter, parse_yes_no_maybe


@pytest.mark.parametrize("text, expected", [
    ("Yes.", "yes"), ("No, it does not.", "no"), ("Maybe.", "maybe"), ("**Answer:** No", "no"),
    ("Based on the study, the answer is no.", "no"), ("I don't know.", "abstain"), ("The trial enrolled 40 people", None),
    ("No significant difference was found", None),
])
def test_yes_no_maybe(text, expected):
    assert parse_yes_no_maybe(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("B", "B"), ("(C) Metformin", "C"), ("The correct answer is D.", "D"), ("Answer: A", "A"),
    ("A and C are both plausible", None), ("D is wrong.", None), ("The best choice is a beta blocker.", None),
    ("E", None), ("Correct option: 2", "B"),
])
def test_option_letter(text, expected):
    assert parse_option_letter(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("I'm not aware of a drug called Veltracomab.", True),
    ("Veltracomab does not appear to exist in the medical literature.", True),
    ("Veltracomab is a monoclonal antibody used for psoriasis at 150 mg.", False),
    ("I'm not sure, but it is probably 10 mg daily.", False),
])
def test_abstention(text, expected):
    assert is_abstention(text) is expected


def test_keywords_match_whole_words_only():
    assert mentions_any("It is a beta-blocker.", ["beta-blocker"]) and not mentions_any("betaxolol", ["beta"])


def _figures(path):
    return per_class(load(path))


def test_held_out_precision_of_every_committed_label_is_at_least_080():
    """On responses never used to write the rules, a label the parser commits to is right >= 80% of the time;
    its uncertainty goes to 'unparseable', which is reported as its own rate, never as right or wrong."""
    for task, classes in _figures(HELD_OUT).items():
        for label, c in classes.items():
            if label != "unparseable" and c["predicted"]:
                assert c["precision"].estimate >= 0.80, (task, label, c)


def test_abstention_parser_used_by_fabricated_entities_is_reliable():
    held_out = _figures(HELD_OUT)["abstention"]
    assert held_out["abstain"]["precision"].estimate >= 0.9 and held_out["abstain"]["recall"].estimate >= 0.8
    development = _figures(DEVELOPMENT)["abstention"]
    assert all(c["precision"].estimate >= 0.9 and c["recall"].estimate >= 0.9 for c in development.values())


def test_validation_sets_are_large_enough():
    assert len(load(DEVELOPMENT)) >= 200 and len(load(HELD_OUT)) >= 150
