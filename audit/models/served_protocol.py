"""Reading OpenAI-compatible answers: generated text, per-token log-probs with top-k, echoed prompt log-probs.

Three shapes are read:

- chat completions: ``choices[0].logprobs.content = [{token, logprob, top_logprobs: [{token, logprob}]}]``;
- legacy completions: ``choices[0].logprobs = {tokens, token_logprobs, top_logprobs: [{token: lp}], text_offset}``
  (with ``echo`` the prompt's tokens come first, the first one without a log-prob);
- vLLM's ``prompt_logprobs``: ``[None, {token_id: {logprob, rank, decoded_token}}, ...]`` per prompt token.

Parsers return None where the field is absent, so a caller can tell "dropped" from "empty".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenLogprob:
    """One token of a prompt or a generation with its log-prob and the top-k alternatives (best first)."""

    token: str
    logprob: float | None
    top: tuple[tuple[str, float], ...] = ()
    offset: int | None = None  # character offset in the text it belongs to

    def top_dict(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for token, lp in self.top:
            out.setdefault(token, lp)
        return out


class ProtocolError(ValueError):
    """An answer that does not have the shape the API promises."""


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProtocolError(f"log-prob is not a number: {value!r}")
    value = float(value)
    if math.isnan(value) or value > 1e-4:
        raise ProtocolError(f"log-prob out of range: {value!r}")
    return value


def _sorted_top(pairs: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(pairs, key=lambda p: -p[1]))


def first_choice(response: dict[str, Any]) -> dict[str, Any]:
    choices = response.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ProtocolError("answer has no choices")
    return choices[0]


def chat_text(response: dict[str, Any]) -> str:
    message = first_choice(response).get("message") or {}
    content = message.get("content")
    if content is None:
        return ""
    if not isinstance(content, str):
        raise ProtocolError("message content is not text")
    return content


def completion_text(response: dict[str, Any]) -> str:
    text = first_choice(response).get("text")
    if not isinstance(text, str):
        raise ProtocolError("completion has no text")
    return text


def finish_reason(response: dict[str, Any]) -> str:
    reason = first_choice(response).get("finish_reason") or "stop"
    return {"eos": "stop", "eos_token": "stop", "max_tokens": "length"}.get(reason, reason)


def chat_logprobs(response: dict[str, Any]) -> list[TokenLogprob] | None:
    """Generated tokens from a chat answer, or None when the answer carries no log-probs."""
    logprobs = first_choice(response).get("logprobs")
    if not isinstance(logprobs, dict) or not isinstance(logprobs.get("content"), list):
        return None
    out = []
    for entry in logprobs["content"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
            raise ProtocolError("log-prob entry without a token")
        top = [(t["token"], _number(t.get("logprob"))) for t in entry.get("top_logprobs") or []
               if isinstance(t, dict) and isinstance(t.get("token"), str) and t.get("logprob") is not None]
        out.append(TokenLogprob(entry["token"], _number(entry.get("logprob")), _sorted_top(top)))  # type: ignore[arg-type]
    return out


def completion_logprobs(response: dict[str, Any]) -> list[TokenLogprob] | None:
    """Tokens of a legacy completion (with ``echo``, the prompt's first), or None without log-probs."""
    logprobs = first_choice(response).get("logprobs")
    if not isinstance(logprobs, dict) or not isinstance(logprobs.get("tokens"), list):
        return None
    tokens = logprobs["tokens"]
    values = logprobs.get("token_logprobs") or [None] * len(tokens)
    tops = logprobs.get("top_logprobs") or [None] * len(tokens)
    offsets = logprobs.get("text_offset")
    if len(values) != len(tokens) or len(tops) != len(tokens):
        raise ProtocolError("tokens, token_logprobs and top_logprobs differ in length")
    if not isinstance(offsets, list) or len(offsets) != len(tokens):
        offsets, position = [], 0
        for token in tokens:
            offsets.append(position)
            position += len(token)
    out = []
    for token, value, top, offset in zip(tokens, values, tops, offsets):
        if not isinstance(token, str):
            raise ProtocolError("token is not text")
        pairs = [(t, _number(v)) for t, v in (top or {}).items() if v is not None] if isinstance(top, dict) else []
        out.append(TokenLogprob(token, _number(value), _sorted_top(pairs), int(offset)))  # type: ignore[arg-type]
    return out


def vllm_prompt_logprobs(response: dict[str, Any], prompt: str) -> list[TokenLogprob] | None:
    """vLLM's ``prompt_logprobs`` (asked with ``prompt_logprobs: 0``: one entry, the prompt's own token, per
    position), aligned to character offsets in ``prompt``; None when absent."""
    entries = first_choice(response).get("prompt_logprobs", response.get("prompt_logprobs"))
    if not isinstance(entries, list) or not entries:
        return None
    out, position = [], 0
    for index, entry in enumerate(entries):
        if entry is None:
            if index:
                raise ProtocolError("a prompt position after the first has no log-prob")
            # The first token has no log-prob and vLLM does not say which it was: infer it from the text
            # of the next ones (filled in below).
            out.append(TokenLogprob("", None, (), 0))
            continue
        if not isinstance(entry, dict) or not entry:
            raise ProtocolError("prompt log-prob entry is not a mapping")
        candidates = [v for v in entry.values() if isinstance(v, dict)]
        own = [c for c in candidates if c.get("decoded_token") is not None]
        if not own:
            raise ProtocolError("prompt log-prob entry has no decoded token")
        # With prompt_logprobs=0 there is one entry; with more, vLLM lists the prompt's own token first.
        chosen = own[0]
        out.append(TokenLogprob(str(chosen["decoded_token"]), _number(chosen.get("logprob"))))
    # Offsets: the tokens after the first spell the prompt's tail; the first is whatever precedes it.
    tail = "".join(t.token for t in out[1:])
    if not prompt.endswith(tail):
        raise ProtocolError("prompt log-prob tokens do not spell the prompt")
    first_len = len(prompt) - len(tail)
    fixed = [TokenLogprob(prompt[:first_len], None, (), 0)]
    position = first_len
    for token in out[1:]:
        fixed.append(TokenLogprob(token.token, token.logprob, token.top, position))
        position += len(token.token)
    return fixed


def logsumexp(values: list[float]) -> float:
    if not values:
        return -math.inf
    peak = max(values)
    if peak == -math.inf:
        return peak
    return peak + math.log(math.fsum(math.exp(v - peak) for v in values))
