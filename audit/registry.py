"""One typed registry pattern for probes (and later explainers, metrics, renderers).

Entries may be objects or lazy ``"module:attr"`` strings, imported on first use, so an
optional dependency is only imported when its entry is used. Third-party packages add
entries through a Python entry-point group.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Callable, Generic, Iterator, TypeVar

from audit.errors import SelectionError

T = TypeVar("T")


def import_object(spec: str) -> object:
    """Import ``"package.module:attribute"``."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"lazy entry {spec!r} must look like 'module:attribute'")
    return getattr(importlib.import_module(module_name), attr)


class Registry(Generic[T]):
    """A name → object registry with aliases, lazy entries and an entry-point group."""

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self._entry_point_group = entry_point_group
        self._entries: dict[str, T | str] = {}
        self._aliases: dict[str, str] = {}
        self._entry_points_loaded = entry_point_group is None

    def register(self, name: str, obj: T | str, aliases: tuple[str, ...] = ()) -> None:
        """Add ``obj`` (or a lazy ``"module:attr"`` string) under ``name``."""
        if name in self._entries and self._entries[name] is not obj:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = obj
        for alias in aliases:
            self._aliases[alias] = name

    def decorator(self, name: str, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        """Class decorator form of :meth:`register`."""

        def wrap(obj: T) -> T:
            self.register(name, obj, aliases)
            return obj

        return wrap

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=self._entry_point_group):
            if ep.name not in self._entries:
                self._entries[ep.name] = ep.value

    def get(self, name: str) -> T:
        """Return the entry called ``name`` (or an alias), importing it if lazy."""
        self._load_entry_points()
        key = self._aliases.get(name, name)
        if key not in self._entries:
            known = ", ".join(sorted(self._entries)) or "none"
            raise SelectionError(f"unknown {self.kind} {name!r} (known: {known})")
        entry = self._entries[key]
        if isinstance(entry, str):
            entry = import_object(entry)  # type: ignore[assignment]
            self._entries[key] = entry
        return entry  # type: ignore[return-value]

    def names(self) -> list[str]:
        """All registered names, sorted."""
        self._load_entry_points()
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        self._load_entry_points()
        return self._aliases.get(name, name) in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
