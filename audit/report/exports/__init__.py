"""Machine-readable exports of an evidence file: one module per format, one registry.

Each entry is an :class:`Exporter` whose ``write`` is a lazy ``"module:function"`` taking the evidence and an
output path and returning the files written, so an optional dependency (pyarrow for Parquet) is imported only
when its format is used. A third-party package adds a format through the entry-point group
``medaudit.exports``. ``medaudit export RUN --format NAME`` writes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from audit.errors import RunFolderError
from audit.evidence import Evidence
from audit.registry import Registry, import_object


@dataclass(frozen=True)
class Exporter:
    name: str
    description: str
    default_name: str = ""  # file (or folder, for one-file-per-finding formats) written by default
    write: str | Callable[[Evidence, Path], list[Path]] = ""
    validated_against: str = ""  # the published schema the output is checked against in the tests, if any

    def __call__(self, evidence: Evidence, out: Path) -> list[Path]:
        writer = import_object(self.write) if isinstance(self.write, str) else self.write
        try:
            return writer(evidence, Path(out))  # type: ignore[operator]
        except OSError as exc:
            raise RunFolderError(f"cannot write the {self.name} export to {out}: {exc.strerror or exc}") from exc


EXPORTS: Registry[Exporter] = Registry("export format", entry_point_group="medaudit.exports")

EXPORTS.register("csv", Exporter(
    "csv", "every item of every probe, one row each (prompt, response, parsed answer, outcome, scores)",
    "items.csv", "audit.report.exports.items_table:write_csv",
    "RFC 4180 CSV, read back with the csv module; cells that a spreadsheet would run as a formula are quoted"))
EXPORTS.register("parquet", Exporter(
    "parquet", "the same per-item table as Parquet (needs pyarrow)", "items.parquet",
    "audit.report.exports.items_table:write_parquet", "read back with pyarrow"))
EXPORTS.register("chai", Exporter(
    "chai", "CHAI Applied Model Card (schema v0.2) as JSON, plus the same card as the schema's XML",
    "chai_model_card.json", "audit.report.exports.chai:write", "CHAI mc-schema v0.2 XSD (the XML form)"))
EXPORTS.register("cyclonedx", Exporter(
    "cyclonedx", "CycloneDX 1.6 ML-BOM: the model with a modelCard of every metric and its CI, data components",
    "bom.cdx.json", "audit.report.exports.cyclonedx:write", "CycloneDX 1.6 JSON schema (strict)"))
EXPORTS.register("avid", Exporter(
    "avid", "AVID reports, one JSON per finding, in a folder", "avid",
    "audit.report.exports.avid:write", "AVID report datamodel (avidtools)"))


def export(evidence: Evidence, fmt: str, out: Path) -> list[Path]:
    """Write ``evidence`` in format ``fmt`` to ``out``; return the files written."""
    return EXPORTS.get(fmt)(evidence, out)
