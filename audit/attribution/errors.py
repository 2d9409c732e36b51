"""Errors raised by the attribution package."""

from __future__ import annotations

from audit.errors import SelectionError


class UnknownNameError(SelectionError, ValueError):
    """An unknown explainer or target name: a ValueError that the CLI also reports in one line."""
