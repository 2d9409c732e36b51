"""The committed JSON Schema of evidence.json, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from audit.evidence import Evidence

SCHEMA_PATH = Path(__file__).with_name("evidence.schema.json")


def evidence_schema() -> dict:
    """The JSON Schema of :class:`audit.evidence.Evidence`."""
    schema = Evidence.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "medaudit/evidence.schema.json"
    return schema


def schema_text() -> str:
    return json.dumps(evidence_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate the committed schema (run after changing ``audit/evidence.py``)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_schema()}")
