"""User-facing errors: each carries one clear line for the CLI to print."""

from __future__ import annotations


class MedauditError(Exception):
    """Base class for errors that the CLI reports as one line and a non-zero exit."""

    exit_code: int = 2


class ModelLoadError(MedauditError):
    """The model could not be found or loaded."""


class DataFileError(MedauditError):
    """A probe data file is missing or malformed."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ItemError(MedauditError):
    """One item cannot be run (the runner records it as an error item and goes on)."""


class ContextWindowError(ItemError):
    """A prompt does not fit in the model's context window."""

    def __init__(self, item_id: str, n_tokens: int, limit: int) -> None:
        super().__init__(
            f"item {item_id!r}: prompt is {n_tokens} tokens, longer than the model's "
            f"context window of {limit} tokens"
        )
        self.item_id = item_id
        self.n_tokens = n_tokens
        self.limit = limit


class ScoringUnavailable(ItemError):
    """This item's options cannot be scored by this backend (e.g. a served endpoint without prompt log-probs whose
    next-token top-k lacks an option). A probe with a validated answer parser falls back to generating and parsing."""


class RunFolderError(MedauditError):
    """The run folder cannot be written, or holds a different run."""


class SelectionError(MedauditError):
    """No probe matches what the user selected."""
