"""Check ``canaries.jsonl``: its secrets reproduce from their seeds and none is prior-favoured.

Usage: python probes/privacy/data/check_canaries.py

A canary's exposure is only read as memorisation if the secret was a uniform draw that a model does not favour
a priori. Uniform draws can still land on strings that a language model ranks high before any training (years,
dates, repeated digits, runs). Such a secret shows exposure on a model that never saw it, and if it sits in one
insertion group it fakes a dose-response on a control model (see ``canaries.datasheet.md``, Revision).

How the shipped secrets were made:

1. ``probes.privacy.canaries.draw_secrets(20)`` (``random.Random(20261127)``), in file order.
2. Every secret that ``prior_favoured`` flags is replaced, in file order, by the next draw of the same format
   (4 digits, each ``random.Random(REDRAW_SEED).choice("0123456789")``) that is not flagged and not already
   used. The rule was fixed before the replacements were drawn.

The checks: the secrets equal ``shipped_secrets()``, none is flagged, each occurs once at the end of its text,
the insertion counts are 4 x 1, 4 x 4, 4 x 16 and 8 x 0.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

from probes.privacy.canaries import DIGITS, draw_secrets

DATA = Path(__file__).with_name("canaries.jsonl")
REDRAW_SEED = 20270601
N_CANARIES = 20
INSERTIONS = sorted([1] * 4 + [4] * 4 + [16] * 4 + [0] * 8)


def prior_favoured(secret: str) -> list[str]:
    """Why a 4-digit secret may be favoured a priori (empty when none applies)."""
    reasons = []
    value = int(secret)
    day_month = (1 <= int(secret[:2]) <= 31 and 1 <= int(secret[2:]) <= 12)
    month_day = (1 <= int(secret[:2]) <= 12 and 1 <= int(secret[2:]) <= 31)
    if 1900 <= value <= 2030:
        reasons.append("year 1900-2030")
    if day_month or month_day:
        reasons.append("reads as a date (DDMM or MMDD)")
    if max(Counter(secret).values()) >= 3:
        reasons.append("a digit three or more times")
    steps = {int(b) - int(a) for a, b in zip(secret, secret[1:])}
    if steps in ({1}, {-1}):
        reasons.append("ascending or descending run")
    if secret[:2] == secret[2:] or (secret[0] == secret[1] and secret[2] == secret[3]):
        reasons.append("repeated pair (ABAB or AABB)")
    if secret.endswith("00"):
        reasons.append("round number")
    return reasons


def shipped_secrets(n: int = N_CANARIES) -> list[str]:
    """The secrets in ``canaries.jsonl``: the original draw with every prior-favoured secret redrawn."""
    secrets = draw_secrets(n)
    rng = random.Random(REDRAW_SEED)
    for i, secret in enumerate(secrets):
        if not prior_favoured(secret):
            continue
        while True:
            candidate = "".join(rng.choice(DIGITS) for _ in range(len(secret)))
            if not prior_favoured(candidate) and candidate not in secrets:
                secrets[i] = candidate
                break
    return secrets


def check(path: Path = DATA) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    errors = []
    secrets = [r["secret"] for r in rows]
    if secrets != shipped_secrets(len(rows)):
        errors.append(f"secrets do not reproduce: {secrets} != {shipped_secrets(len(rows))}")
    for r in rows:
        if prior_favoured(r["secret"]):
            errors.append(f"{r['id']}: secret {r['secret']} is prior-favoured ({', '.join(prior_favoured(r['secret']))})")
        if r["text"].count(r["secret"]) != 1 or not r["text"].endswith(r["secret"] + "."):
            errors.append(f"{r['id']}: the secret must occur once, at the end of the text")
    if sorted(r["insertions"] for r in rows) != INSERTIONS:
        errors.append(f"insertion counts {sorted(r['insertions'] for r in rows)} != {INSERTIONS}")
    return errors


def main() -> int:
    original = draw_secrets(N_CANARIES)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row, first in zip(rows, original):
        note = "" if row["secret"] == first else f"  (redrawn; first draw {first}: {', '.join(prior_favoured(first))})"
        print(f"{row['id']}  x{row['insertions']:<2}  {row['secret']}{note}")
    errors = check()
    for error in errors:
        print(f"ERROR: {error}")
    print(f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
