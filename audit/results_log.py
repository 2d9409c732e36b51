"""The append-only results log: one JSON line per finished item, flushed and fsynced.

A crash can leave at most one partial last line; loading drops it (and truncates the
file there) so the log stays valid and the rerun recomputes only that item.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from audit.errors import RunFolderError
from audit.evidence import ItemResult


class ResultsLog:
    """Finished items of one run, keyed by (probe id, item id)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.items: dict[tuple[str, str], ItemResult] = {}

    def load(self) -> int:
        """Read the finished items already on disk; return how many there are."""
        if not self.path.exists():
            return 0
        valid_bytes = 0
        with open(self.path, "rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # a line cut off by a crash
                try:
                    item = ItemResult.model_validate_json(raw)
                except ValidationError:
                    break
                self.items[(item.probe_id, item.item_id)] = item
                valid_bytes += len(raw)
        if valid_bytes != self.path.stat().st_size:
            self._truncate(valid_bytes)
        return len(self.items)

    def _truncate(self, size: int) -> None:
        try:
            with open(self.path, "r+b") as handle:
                handle.truncate(size)
        except OSError as exc:
            raise RunFolderError(f"cannot repair {self.path}: {exc.strerror}") from exc

    def has(self, probe_id: str, item_id: str) -> bool:
        return (probe_id, item_id) in self.items

    def append(self, item: ItemResult) -> None:
        """Write one item durably, or raise a clear error leaving the log valid."""
        data = (item.model_dump_json() + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                start = os.lseek(fd, 0, os.SEEK_END)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, start)  # never leave half a line behind
                    raise
            finally:
                os.close(fd)
        except OSError as exc:
            raise RunFolderError(
                f"cannot write {self.path}: {exc.strerror or exc}. The {len(self.items)} items already "
                "saved are intact; fix the problem and rerun the same command to resume"
            ) from exc
        self.items[(item.probe_id, item.item_id)] = item
