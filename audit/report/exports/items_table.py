"""Every item of every probe as one table: CSV (always) and Parquet (when pyarrow is installed).

The report page lists at most a bounded number of items per probe so that it stays usable at thousands of
items; this table is the complete per-item record it links to (with evidence.json, the source of truth).
Model output is untrusted: a CSV cell that a spreadsheet would evaluate as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` (OWASP's CSV-injection advice);
numbers are written as numbers. Parquet stores the text as it is.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterator

from audit.evidence import Evidence

COLUMNS = ("probe_id", "suite", "item_id", "index", "group", "condition", "outcome", "parsed", "reference",
           "response", "error", "truncated", "scores", "option_logprobs", "prompt", "n_samples", "redactions",
           "artifact", "elapsed_s")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(evidence: Evidence) -> Iterator[dict[str, Any]]:
    """One dict per item, in report order; structured fields (scores, prompt) as compact JSON text."""
    for result in evidence.probe_results:
        for item in result.items:
            yield {
                "probe_id": result.probe_id, "suite": result.suite, "item_id": item.item_id, "index": item.index,
                "group": item.group, "condition": item.condition, "outcome": item.outcome, "parsed": item.parsed,
                "reference": item.reference, "response": item.response, "error": item.error,
                "truncated": item.truncated,
                "scores": json.dumps(item.scores, ensure_ascii=False, sort_keys=True),
                "option_logprobs": None if item.option_logprobs is None else
                json.dumps(item.option_logprobs, ensure_ascii=False),
                "prompt": json.dumps([m.model_dump() for m in item.prompt], ensure_ascii=False),
                "n_samples": len(getattr(item, "samples", []) or []),
                "redactions": len(item.redactions), "artifact": item.artifact, "elapsed_s": item.elapsed_s,
            }


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells; leave numbers, booleans and empty cells alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_csv(evidence: Evidence, out: Path) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for row in rows(evidence):
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return [out]


def write_parquet(evidence: Evidence, out: Path) -> list[Path]:
    from audit.errors import SelectionError

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SelectionError("the parquet export needs pyarrow (pip install pyarrow); csv needs nothing") from None
    types = {"index": pa.int64(), "truncated": pa.bool_(), "n_samples": pa.int64(), "redactions": pa.int64(),
             "elapsed_s": pa.float64()}
    data = {c: [] for c in COLUMNS}
    for row in rows(evidence):
        for c in COLUMNS:
            data[c].append(row[c])
    table = pa.table({c: pa.array(data[c], type=types.get(c, pa.string())) for c in COLUMNS})
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out)
    return [out]
