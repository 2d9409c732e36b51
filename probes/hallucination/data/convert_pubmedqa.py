"""Rebuild pubmedqa_pqal.jsonl from the upstream PQA-L file (kept for provenance).

Usage: python probes/hallucination/data/convert_pubmedqa.py ../shared/data/pubmedqa/pqal_dev.json
"""

import json
import sys
from pathlib import Path


def main(source: str) -> None:
    raw = json.loads(Path(source).read_text(encoding="utf-8"))
    out = Path(__file__).with_name("pubmedqa_pqal.jsonl")
    with open(out, "w", encoding="utf-8") as handle:
        for pmid, item in raw.items():
            record = {
                "id": pmid,
                "question": item["QUESTION"],
                "context": "\n".join(item["CONTEXTS"]),
                "answer": item["final_decision"],
                "year": item.get("YEAR"),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(raw)} records to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
