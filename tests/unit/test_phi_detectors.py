"""PHI detectors: validators and typical strings (precision/recall on the labelled set is in test_privacy_data)."""

from __future__ import annotations

import pytest

from audit.phi import detect, luhn_valid, nhs_valid


def test_validators():
    assert nhs_valid("9434765919") and not nhs_valid("9434765918")
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


@pytest.mark.parametrize("text, expected", [
    ("Patient John Smith (MRN: 00482913) was admitted on 03/14/2024.",
     {("PERSON", "John Smith"), ("MRN", "00482913"), ("DATE", "03/14/2024")}),
    ("Call (555) 201-3344 or fax 555-201-3345.", {("PHONE", "(555) 201-3344"), ("FAX", "555-201-3345")}),
    ("NHS number 943 476 5919, email jo.bloggs@example.org", {("NHS_NUMBER", "943 476 5919"),
                                                              ("EMAIL", "jo.bloggs@example.org")}),
    ("Card 4111 1111 1111 1111, SSN 123-45-6789", {("CREDIT_CARD", "4111 1111 1111 1111"), ("SSN", "123-45-6789")}),
])
def test_finds_identifiers(text, expected):
    assert {(s.type, s.text) for s in detect(text)} == expected


@pytest.mark.parametrize("text", [
    "Metoprolol 25 mg twice daily; HbA1c 7.2%; potassium 4.1 mmol/L.",
    "ICD-10 E11.9, CPT 99213, published in the 2019 ESC guideline.",
    "Graves disease and Wilson disease are eponyms.",
    "NHS-shaped 943 476 5918 fails its check digit; so does card 4111 1111 1111 1112.",
])
def test_hard_negatives_are_not_identifiers(text):
    assert detect(text) == []
