"""Shared pieces of the lettered multiple-choice probes (None of the above, False confidence)."""

from __future__ import annotations

from typing import Sequence

LETTERS = "ABCDEFGH"


def letter_options(n: int) -> dict[str, tuple[str, ...]]:
    """Answer options "A".."D" with the surface forms a model starts an answer with."""
    return {letter: (letter, f"({letter})", f"{letter})") for letter in LETTERS[:n]}


def format_question(question: str, options: Sequence[str]) -> str:
    lines = [question, ""]
    lines += [f"{LETTERS[i]}) {text}" for i, text in enumerate(options)]
    return "\n".join(lines)
