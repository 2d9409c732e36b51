"""Load and validate probe data files (JSONL, JSON list, YAML list) with pydantic.

A malformed record raises :class:`DataFileError` naming the file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from audit.errors import DataFileError
from audit.models.loading import sha256_file

RecordT = TypeVar("RecordT", bound=BaseModel)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def load_records(path: Path, model: type[RecordT]) -> list[RecordT]:
    """Read every record of ``path`` as ``model``; errors name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), None, "file not found")
    if path.suffix == ".jsonl":
        return _load_jsonl(path, model)
    if path.suffix in (".yaml", ".yml", ".json"):
        return _load_document(path, model)
    raise DataFileError(str(path), None, "unsupported format (use .jsonl, .json or .yaml)")


def _load_jsonl(path: Path, model: type[RecordT]) -> list[RecordT]:
    records = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(str(path), line_no, f"invalid JSON ({exc.msg})") from None
            try:
                records.append(model.model_validate(raw))
            except ValidationError as exc:
                raise DataFileError(str(path), line_no, _describe(exc)) from None
    if not records:
        raise DataFileError(str(path), None, "no records")
    return records


def _load_document(path: Path, model: type[RecordT]) -> list[RecordT]:
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        line = getattr(exc, "lineno", None) or getattr(getattr(exc, "problem_mark", None), "line", None)
        raise DataFileError(str(path), line, f"cannot parse: {exc}") from None
    if not isinstance(raw, list) or not raw:
        raise DataFileError(str(path), None, "expected a non-empty list of records")
    records = []
    for index, entry in enumerate(raw):
        try:
            records.append(model.model_validate(entry))
        except ValidationError as exc:
            raise DataFileError(str(path), None, f"record {index + 1}: {_describe(exc)}") from None
    return records


def file_sha256(path: Path) -> str:
    """sha256 of a data file, for provenance."""
    return sha256_file(Path(path))
