"""Redact identifiers from model output before it is stored or rendered.

Each detected identifier becomes ``[TYPE:token]`` where the token is an HMAC of the value under a
local secret key, so equal values get equal tokens (a reviewer can still see that the model
repeated the same phone number) while the value itself is never written. The key lives in the
user's cache directory (or ``$MEDAUDIT_REDACTION_KEY``), never in the evidence, so tokens cannot
be reversed by hashing candidate values without it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from audit.evidence import Redaction
from audit.phi import Span, detect, resolve_overlaps


def redaction_key() -> bytes:
    """The local secret: ``$MEDAUDIT_REDACTION_KEY``, else a random key created once in the user cache."""
    configured = os.environ.get("MEDAUDIT_REDACTION_KEY")
    if configured:
        return configured.encode()
    from audit.models.loading import cache_root

    path = Path(cache_root()) / "redaction.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
    return path.read_bytes()


@dataclass(frozen=True)
class Redactor:
    key: bytes

    def token(self, kind: str, value: str) -> str:
        digest = hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:10]
        return f"[{kind}:{digest}]"

    def redact(self, text: str, extra: Sequence[Span] = ()) -> tuple[str, list[Redaction]]:
        """``text`` with every detected identifier (and every ``extra`` span) replaced, and a record of what was."""
        pieces, records, cursor = [], [], 0
        found = detect(text)
        # The detector's typed spans win; an extra span only covers what the detector did not.
        extra = [e for e in extra if all(e.end <= f.start or e.start >= f.end for f in found)]
        for span in resolve_overlaps([*found, *extra]):
            token = self.token(span.type, span.text)
            pieces += [text[cursor:span.start], token]
            records.append(Redaction(type=span.type, token=token, start=span.start, end=span.end))
            cursor = span.end
        pieces.append(text[cursor:])
        return "".join(pieces), records
