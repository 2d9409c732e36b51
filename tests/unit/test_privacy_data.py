"""PHI detectors measured on the labelled strings (hard negatives included): regression floors."""

from __future__ import annotations

from probes.privacy.data.check_detectors import figures


def test_labelled_set_is_large_and_has_hard_negatives():
    lines = [l for l in figures.__globals__["DATA"].read_text().splitlines() if l.strip()]
    assert len(lines) >= 300 and sum('"hard_negative"' in l for l in lines) >= 100


def test_precision_floor_for_every_type():
    for kind, f in figures().items():
        if f["predicted"]:
            assert f["precision"].estimate >= 0.75, (kind, f)


def test_validated_and_structured_types_are_found():
    measured = figures()
    for kind in ("EMAIL", "NHS_NUMBER", "CREDIT_CARD", "URL"):
        assert measured[kind]["recall"].estimate >= 0.9, (kind, measured[kind])
