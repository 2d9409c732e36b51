"""What an endpoint really provides, found with small test requests at start.

A server may accept ``logprobs``/``echo`` with HTTP 200 and drop them, or return prompt log-probs shifted
by one position. So a capability counts only when a consistency check passes:

- **generation**: a greedy chat (or completion) request returns text;
- **generated log-probs (top-k)**: every generated token has a finite log-prob and a top-k list, the
  tokens spell the text, and under greedy decoding each chosen token is the top-1 of its own list;
- **prompt log-probs** (``echo`` + ``logprobs`` on /v1/completions, or vLLM's ``prompt_logprobs``): the text
  is generated greedily with top-k, then sent back as a prompt; the echoed log-probs at the generated
  tokens' positions must equal those the generation reported (and their top-k lists must agree), and the
  echoed tokens must spell the prompt. A shift by one position is named as such;
- **determinism at temperature 0**: three identical greedy requests (one alone, two at once) agree;
- **chat template** (only when a local tokenizer is given, for scoring through /v1/completions): the
  locally rendered prompt sent to /v1/completions answers as the chat endpoint does.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from audit.errors import MedauditError
from audit.models.served_client import RequestRejected, ServedClient
from audit.models.served_protocol import (
    ProtocolError,
    TokenLogprob,
    chat_logprobs,
    chat_text,
    completion_logprobs,
    completion_text,
    vllm_prompt_logprobs,
)

TOP_K = 5  # alternatives asked for in the cross-checks
TOP_K_SIZES = (20, 5)  # top-k sizes tried for generated log-probs, largest first (the OpenAI API allows 20)
CHECK_MESSAGES = ({"role": "user", "content": "Name one symptom of influenza. Answer in a few words."},)
CHECK_PROMPTS = ("The heart pumps blood through the", "Influenza is a viral infection of the",
                 "A normal adult body temperature is about")


def logprob_tolerance(value: float) -> float:
    """How far two readings of one log-prob may differ (prefill vs decode numerics, low precision)."""
    return 0.05 + 0.02 * abs(value)


@dataclass
class Check:
    """One capability check: passed or not, and why, in words a reviewer can follow."""

    passed: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def line(self, name: str) -> str:
        return f"{name}: {'yes' if self.passed else 'no'} ({self.detail})"


@dataclass
class CapabilityReport:
    """Every check's outcome; ``scoring`` says how option scoring will be done, if at all."""

    chat_generation: Check
    completion_generation: Check
    chat_logprobs: Check
    completion_logprobs: Check
    prompt_logprobs: Check
    prompt_logprobs_method: str | None
    determinism: Check
    chat_template: Check | None
    top_k: int

    def summary(self) -> str:
        parts = [self.chat_generation.line("chat generation"),
                 self.completion_generation.line("completion generation"),
                 self.chat_logprobs.line("chat generated-token log-probs with top-k"),
                 self.completion_logprobs.line("completion generated-token log-probs with top-k"),
                 self.prompt_logprobs.line("prompt log-probs"),
                 self.determinism.line("deterministic at temperature 0")]
        if self.chat_template is not None:
            parts.append(self.chat_template.line("local chat template matches the endpoint"))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _guard(fn: Callable[[], Check]) -> Check:
    """A check that raised (rejected request, malformed answer) fails with the reason."""
    try:
        return fn()
    except RequestRejected as exc:
        return Check(False, f"request rejected: {exc}")
    except ProtocolError as exc:
        return Check(False, f"malformed answer: {exc}")
    except MedauditError as exc:
        return Check(False, str(exc))


def _validate_generated(tokens: list[TokenLogprob] | None, text: str, greedy: bool = True) -> Check:
    """Generated-token log-probs: present, finite, with top-k, spelling the text, greedy = top-1."""
    if tokens is None:
        return Check(False, "dropped: HTTP 200 without log-probs although they were asked for")
    if not tokens:
        return Check(False, "empty log-prob list")
    if any(t.logprob is None for t in tokens):
        return Check(False, "a generated token has no log-prob")
    if "".join(t.token for t in tokens).strip() != text.strip():
        return Check(False, "the log-prob tokens do not spell the generated text")
    k = min(len(t.top) for t in tokens)
    if k < 1:
        return Check(False, "no top-k alternatives (top_logprobs dropped)")
    for position, token in enumerate(tokens):
        best_token, best = token.top[0]
        assert token.logprob is not None
        if token.logprob > best + logprob_tolerance(best):
            return Check(False, f"token {position}'s log-prob {token.logprob:.4f} exceeds its top-1 {best:.4f}")
        if greedy and token.logprob < best - logprob_tolerance(best):
            return Check(False, f"greedy token {position} ({token.token!r}, {token.logprob:.4f}) is not the top-1 "
                         f"of its own list ({best_token!r}, {best:.4f})")
        if math.fsum(math.exp(lp) for _, lp in token.top) > 1.0 + 1e-3:
            return Check(False, f"top-k probabilities at token {position} sum above 1")
    return Check(True, f"{len(tokens)} tokens, top-{k} each", {"top_k": k})


def check_chat_generation(client: ServedClient) -> Check:
    def run() -> Check:
        response = client.post("chat/completions", {"messages": list(CHECK_MESSAGES), "max_tokens": 8,
                                                     "temperature": 0}, purpose="check", use_cache=False)
        text = chat_text(response)
        if not text.strip():
            return Check(False, "empty answer")
        return Check(True, f"answered {len(text)} characters", {"usage": response.get("usage")})
    return _guard(run)


def check_completion_generation(client: ServedClient) -> Check:
    def run() -> Check:
        response = client.post("completions", {"prompt": CHECK_PROMPTS[0], "max_tokens": 4, "temperature": 0},
                               purpose="check", use_cache=False)
        text = completion_text(response)
        if not text.strip():
            return Check(False, "empty completion")
        return Check(True, f"completed {len(text)} characters")
    return _guard(run)


def _largest_k(run: Callable[[int], Check], sizes: tuple[int, ...]) -> Check:
    """The check with the largest top-k the endpoint accepts (some cap it at 5 and reject more)."""
    check = Check(False, "not run")
    for k in sizes:
        check = _guard(lambda: run(k))
        check.data["requested"] = k
        if not check.detail.startswith("request rejected"):
            return check
    return check


def check_chat_logprobs(client: ServedClient, sizes: tuple[int, ...] = TOP_K_SIZES) -> Check:
    def run(k: int) -> Check:
        response = client.post("chat/completions", {"messages": list(CHECK_MESSAGES), "max_tokens": 4,
                                                     "temperature": 0, "logprobs": True, "top_logprobs": k},
                               purpose="check", use_cache=False)
        return _validate_generated(chat_logprobs(response), chat_text(response))
    return _largest_k(run, sizes)


def _greedy_completion(client: ServedClient, prompt: str, n: int, top_k: int) -> tuple[str, list[TokenLogprob] | None]:
    response = client.post("completions", {"prompt": prompt, "max_tokens": n, "temperature": 0, "logprobs": top_k},
                           purpose="check", use_cache=False)
    return completion_text(response), completion_logprobs(response)


def check_completion_logprobs(client: ServedClient, sizes: tuple[int, ...] = TOP_K_SIZES) -> Check:
    def run(k: int) -> Check:
        text, tokens = _greedy_completion(client, CHECK_PROMPTS[0], 4, k)
        return _validate_generated(tokens, text)
    return _largest_k(run, sizes)


def _compare_positions(generated: list[TokenLogprob], echoed: list[TokenLogprob], start: int) -> Check:
    """Echoed tokens at ``start``.. must match the generated ones in token, log-prob and top-k."""
    by_offset = {t.offset: i for i, t in enumerate(echoed)}
    if start not in by_offset:
        return Check(False, "inconclusive: the echoed prompt re-tokenises differently at the generated tokens",
                     {"inconclusive": True})
    first = by_offset[start]
    rows = []
    for k, gen in enumerate(generated):
        i = first + k
        if i >= len(echoed) or echoed[i].token != gen.token:
            return Check(False, "inconclusive: the echoed prompt re-tokenises differently at the generated tokens",
                         {"inconclusive": True})
        rows.append((gen, i))

    def error(shift: int) -> float | None:
        worst = 0.0
        for gen, i in rows:
            j = i + shift
            if not 0 <= j < len(echoed) or echoed[j].logprob is None or gen.logprob is None:
                return None
            worst = max(worst, abs(echoed[j].logprob - gen.logprob) / logprob_tolerance(gen.logprob))  # type: ignore[operator]
        return worst

    aligned = error(0)
    shifted = {s: error(s) for s in (-1, 1)}
    data = {"positions": [{"token": gen.token, "generated": gen.logprob, "echoed": echoed[i].logprob}
                          for gen, i in rows]}
    for s, err in shifted.items():
        if err is not None and err <= 1.0 and (aligned is None or err < aligned):
            where = "later" if s > 0 else "earlier"
            return Check(False, f"shifted by one position: each token's log-prob is reported one position {where}",
                         {**data, "shift": s})
    if aligned is None:
        return Check(False, "the echoed generated tokens carry no log-prob", data)
    if aligned > 1.0:
        return Check(False, "echoed log-probs differ from the generated tokens' own log-probs", data)
    for gen, i in rows:  # top-k lists, where the echo gives them, must agree as well
        echoed_top, gen_top = echoed[i].top_dict(), gen.top_dict()
        shared = set(echoed_top) & set(gen_top)
        if echoed_top and gen_top and (not shared or any(
                abs(echoed_top[t] - gen_top[t]) > logprob_tolerance(gen_top[t]) for t in shared)):
            return Check(False, "echoed top-k alternatives differ from the generation's", data)
    return Check(True, f"{len(rows)} echoed positions match the generation", data)


def check_prompt_logprobs(client: ServedClient, top_k: int = TOP_K) -> tuple[Check, str | None]:
    """Prompt log-probs through ``echo`` (OpenAI legacy), else vLLM's ``prompt_logprobs``."""
    reasons = []
    for method in ("echo", "vllm_prompt_logprobs"):
        check = _guard(lambda: _prompt_logprobs_once(client, method, top_k))
        if check.passed:
            return check, method
        reasons.append(f"{method}: {check.detail}")
    return Check(False, "; ".join(reasons)), None


def _prompt_logprobs_once(client: ServedClient, method: str, top_k: int) -> Check:
    last = Check(False, "no check prompt could be used")
    for base in CHECK_PROMPTS:
        text, generated = _greedy_completion(client, base, 2, top_k)
        if generated is None or len(generated) < 2 or any(t.logprob is None for t in generated):
            return Check(False, "cannot cross-check: completions give no generated-token log-probs")
        generated = generated[:2]
        prompt = base + "".join(t.token for t in generated)
        if method == "echo":
            response = client.post("completions", {"prompt": prompt, "max_tokens": 1, "temperature": 0,
                                                   "echo": True, "logprobs": top_k},
                                   purpose="check", use_cache=False)
            tokens = completion_logprobs(response)
            if tokens is None:
                return Check(False, "dropped: HTTP 200 without log-probs although echo and logprobs were asked for")
            echoed = [t for t in tokens if t.offset is not None and t.offset < len(prompt)]
            if "".join(t.token for t in echoed) != prompt:
                return Check(False, "the answer's tokens do not spell the prompt (echo ignored or truncated)")
        else:
            response = client.post("completions", {"prompt": prompt, "max_tokens": 1, "temperature": 0,
                                                   "prompt_logprobs": 0}, purpose="check", use_cache=False)
            echoed_or_none = vllm_prompt_logprobs(response, prompt)
            if echoed_or_none is None:
                return Check(False, "dropped: no prompt_logprobs in the answer")
            echoed = echoed_or_none
        last = _compare_positions(generated, echoed, len(base))
        if not last.data.get("inconclusive"):
            return last
    return last


def check_determinism(client: ServedClient, use_chat: bool, with_logprobs: bool) -> Check:
    """Three identical greedy requests, one alone and then two at once, must agree."""
    if use_chat:
        path, body = "chat/completions", {"messages": list(CHECK_MESSAGES), "max_tokens": 16, "temperature": 0}
        if with_logprobs:
            body.update(logprobs=True, top_logprobs=1)
    else:
        path, body = "completions", {"prompt": CHECK_PROMPTS[1], "max_tokens": 16, "temperature": 0}
        if with_logprobs:
            body.update(logprobs=1)

    def one(_: int) -> tuple[str, list[float]]:
        response = client.post(path, body, purpose="check", use_cache=False)
        if use_chat:
            text, tokens = chat_text(response), chat_logprobs(response) if with_logprobs else None
        else:
            text, tokens = completion_text(response), completion_logprobs(response) if with_logprobs else None
        return text, [t.logprob for t in tokens or [] if t.logprob is not None]

    def run() -> Check:
        answers = [one(0), *client.map(one, [1, 2])]
        texts = {text for text, _ in answers}
        spread = 0.0
        lengths = {len(lps) for _, lps in answers}
        if len(lengths) == 1 and answers[0][1]:
            spread = max(max(abs(a - b) for a, b in zip(answers[0][1], lps)) for _, lps in answers[1:])
        data = {"max_logprob_difference": spread}
        if len(texts) != 1:
            return Check(False, f"{len(texts)} different answers to 3 identical greedy requests", data)
        detail = "3 identical greedy requests gave the same text"
        if with_logprobs and answers[0][1]:
            detail += f" (log-probs within {spread:.2g})"
        return Check(True, detail, data)
    return _guard(run)


def check_chat_template(client: ServedClient, render: Callable[[Any], str], completion_logprobs_ok: bool,
                        chat_logprobs_ok: bool) -> Check:
    """The local chat template, rendered and sent to /v1/completions, answers as /v1/chat/completions does."""
    def run() -> Check:
        prompt = render(list(CHECK_MESSAGES))
        chat = client.post("chat/completions", {"messages": list(CHECK_MESSAGES), "max_tokens": 8, "temperature": 0,
                                                **({"logprobs": True, "top_logprobs": 1} if chat_logprobs_ok else {})},
                           purpose="check", use_cache=False)
        comp = client.post("completions", {"prompt": prompt, "max_tokens": 8, "temperature": 0,
                                           **({"logprobs": 1} if completion_logprobs_ok else {})},
                           purpose="check", use_cache=False)
        chat_answer, comp_answer = chat_text(chat), completion_text(comp)
        if chat_answer != comp_answer:
            return Check(False, "the locally rendered prompt gets a different greedy answer from /v1/completions "
                         f"({comp_answer[:40]!r}) than the chat endpoint ({chat_answer[:40]!r})")
        if completion_logprobs_ok and chat_logprobs_ok:
            a, b = chat_logprobs(chat) or [], completion_logprobs(comp) or []
            if a and b and a[0].logprob is not None and b[0].logprob is not None and \
                    abs(a[0].logprob - b[0].logprob) > logprob_tolerance(a[0].logprob):
                return Check(False, "same greedy answer but different first-token log-probs: the local template "
                             "or the BOS handling differs from the endpoint's")
        return Check(True, "the rendered prompt gets the chat endpoint's greedy answer")
    return _guard(run)


def verify(client: ServedClient, render: Callable[[Any], str] | None = None, top_k: int = TOP_K) -> CapabilityReport:
    """Run every check against the endpoint (uncached) and return what it really provides."""
    chat_gen = check_chat_generation(client)
    comp_gen = check_completion_generation(client)
    chat_lp = check_chat_logprobs(client) if chat_gen.passed else Check(False, "no chat generation")
    comp_lp = check_completion_logprobs(client) if comp_gen.passed else Check(False, "no completions")
    if comp_lp.passed:
        prompt_lp, method = check_prompt_logprobs(client, top_k)
    else:
        prompt_lp, method = Check(False, "cannot cross-check without generated-token log-probs on /v1/completions"), None
    if chat_gen.passed:
        determinism = check_determinism(client, True, chat_lp.passed)
    elif comp_gen.passed:
        determinism = check_determinism(client, False, comp_lp.passed)
    else:
        determinism = Check(False, "no generation to compare")
    template = None
    if render is not None:
        if chat_gen.passed and comp_gen.passed:
            template = check_chat_template(client, render, comp_lp.passed, chat_lp.passed)
        else:
            template = Check(False, "needs both chat and completion generation to compare")
    k = max([c.data.get("top_k", 0) for c in (chat_lp, comp_lp) if c.passed] or [0])
    return CapabilityReport(chat_gen, comp_gen, chat_lp, comp_lp, prompt_lp, method, determinism, template, k)
