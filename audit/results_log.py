"""Append-only logs of finished work: one JSON line per record, flushed and fsynced.

A crash can leave at most one partial last line; loading drops it (and truncates the
file there) so the log stays valid and the rerun recomputes only that record.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from audit.errors import RunFolderError
from audit.evidence import Explanation, ItemResult

R = TypeVar("R", bound=BaseModel)


class JsonlLog(Generic[R]):
    """Finished records of one run, keyed by :meth:`key`."""

    record_type: type[BaseModel] = BaseModel
    what = "records"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.items: dict[Any, R] = {}

    def key(self, record: R) -> Any:
        raise NotImplementedError

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
                    item = self.record_type.model_validate_json(raw)
                except ValidationError:
                    break
                self.items[self.key(item)] = item  # type: ignore[arg-type]
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

    def append(self, item: R) -> None:
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
                f"cannot write {self.path}: {exc.strerror or exc}. The {len(self.items)} {self.what} already "
                "saved are intact; fix the problem and rerun the same command to resume"
            ) from exc
        self.items[self.key(item)] = item


class ResultsLog(JsonlLog[ItemResult]):
    """Finished items of one run, keyed by (probe id, item id)."""

    record_type = ItemResult
    what = "items"

    def key(self, record: ItemResult) -> tuple[str, str]:
        return (record.probe_id, record.item_id)

    def has(self, probe_id: str, item_id: str) -> bool:
        return (probe_id, item_id) in self.items


class ExplanationLog(JsonlLog[Explanation]):
    """Finished explanations of one run, keyed by explanation id."""

    record_type = Explanation
    what = "explanations"

    def key(self, record: Explanation) -> str:
        return record.id
