"""A small in-process OpenAI-compatible server for tests, with injectable faults.

It serves a toy language model (deterministic logits from a hash of the context) through
/v1/chat/completions, /v1/completions (``echo``, ``logprobs``, vLLM-style ``prompt_logprobs``) and
/v1/models on 127.0.0.1 at a random port, and can misbehave on demand: drop log-probs with HTTP 200,
ignore ``echo``, shift echoed log-probs by one position, answer 429/500, stall, truncate bodies, redirect,
or decode non-deterministically. Every request it receives is recorded.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VOCAB = ("Yes", "No", "Maybe", " yes", " no", " the", " blood", " heart", " fever", " cough", " is", " a",
         " virus", ".", "\n", "<eos>")
EOS = "<eos>"
_TOKEN = re.compile(r"\n|<\|[a-z]+\|>|[ ]?[A-Z][a-z]*|[ ]?[a-z]+|[ ]?[0-9]+|[ ]?[^\sA-Za-z0-9]|\s")


def tokenize(text: str) -> list[str]:
    """Newlines and role tags are tokens; a space belongs to the word after it."""
    tokens = _TOKEN.findall(text)
    assert "".join(tokens) == text, (tokens, text)
    return tokens


def logit(context: str, token: str) -> float:
    digest = hashlib.sha256(f"{context[-60:]}\x00{token}".encode()).digest()
    return int.from_bytes(digest[:4], "little") / 2**32 * 10 - 5


def distribution(context: str, extra: str | None = None) -> dict[str, float]:
    """Log-probs over the vocabulary (plus ``extra``, a prompt token outside it)."""
    candidates = list(VOCAB) + ([extra] if extra is not None and extra not in VOCAB else [])
    logits = {t: logit(context, t) for t in candidates}
    peak = max(logits.values())
    norm = peak + math.log(sum(math.exp(v - peak) for v in logits.values()))
    return {t: v - norm for t, v in logits.items()}


def token_logprob(context: str, token: str) -> float:
    return distribution(context, token)[token]


def render(messages: list[dict[str, str]]) -> str:
    return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + "<|assistant|>\n"


class StubTokenizer:
    """A local 'tokenizer' with the fake server's chat template (for the completions/scoring path)."""

    chat_template = "fake"

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=True):  # noqa: ARG002
        return render(list(messages))


@dataclass
class Faults:
    drop_logprobs: bool = False  # answer 200 without log-probs
    drop_top_logprobs: bool = False
    ignore_echo: bool = False
    shift_echo: bool = False  # echoed log-probs one position early (llama.cpp's observed behaviour)
    prompt_logprobs_style: str = "echo"  # "echo" | "vllm" | "none"
    nondeterministic: bool = False
    fail_status: int | None = None
    fail_count: int = 0  # answer fail_status to this many requests
    stall_s: float = 0.0
    stall_count: int = 0
    truncate_count: int = 0  # cut the body short and close the connection
    bad_json_count: int = 0  # complete HTTP message whose body is not JSON
    redirect_to: str | None = None
    context_limit: int | None = None
    max_top_logprobs: int | None = None  # reject (HTTP 400) requests for more alternatives than this


@dataclass
class Recorded:
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class FakeOpenAI:
    model: str = "toy-model"
    faults: Faults = field(default_factory=Faults)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0  # requests stalling at once (concurrency checks without timings)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._handle(self, "GET", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                server._handle(self, "POST", body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def posts(self, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.body is not None and (path is None or r.path.endswith(path))]

    # -- dispatch --------------------------------------------------------------------------
    def _take(self, name: str) -> bool:
        with self._lock:
            left = getattr(self.faults, name)
            if left > 0:
                setattr(self.faults, name, left - 1)
                return True
            return False

    def _handle(self, handler: BaseHTTPRequestHandler, method: str, body: Any) -> None:
        with self._lock:
            self.requests.append(Recorded(handler.path, body, dict(handler.headers)))
        f = self.faults
        if f.redirect_to:
            return self._send(handler, 307, {"error": "moved"}, {"Location": f.redirect_to})
        if f.fail_status and self._take("fail_count"):
            return self._send(handler, f.fail_status, {"error": {"message": "busy"}}, {"Retry-After": "0"})
        if f.stall_count and self._take("stall_count"):
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                time.sleep(f.stall_s)
            finally:
                with self._lock:
                    self.in_flight -= 1
        if method == "GET" and handler.path.rstrip("/") == "/v1/models":
            entry = {"id": self.model, "object": "model", "owned_by": "test"}
            if f.context_limit:
                entry["max_model_len"] = f.context_limit
            return self._send(handler, 200, {"object": "list", "data": [entry]})
        if method != "POST" or not isinstance(body, dict):
            return self._send(handler, 404, {"error": "not found"})
        if body.get("model") != self.model:
            return self._send(handler, 404, {"error": {"message": f"model {body.get('model')!r} not found"}})
        if handler.path == "/v1/chat/completions":
            prompt = render(body["messages"])
            answer = self._complete(prompt, body, chat=True)
        elif handler.path == "/v1/completions":
            answer = self._complete(body["prompt"], body, chat=False)
        else:
            return self._send(handler, 404, {"error": "not found"})
        if isinstance(answer, tuple):
            return self._send(handler, *answer)
        if self._take("truncate_count"):
            data = json.dumps(answer).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        if self._take("bad_json_count"):
            data = json.dumps(answer).encode()[:40]
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        self._send(handler, 200, answer)

    def _send(self, handler: BaseHTTPRequestHandler, status: int, payload: Any,
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    # -- the toy model ---------------------------------------------------------------------
    def _complete(self, prompt: str, body: dict[str, Any], chat: bool) -> Any:
        f = self.faults
        n_prompt = len(tokenize(prompt))
        if f.context_limit and n_prompt > f.context_limit:
            return (400, {"error": {"message": f"This model's maximum context length is {f.context_limit} tokens"}})
        requested = int(body.get("top_logprobs") or 0) if chat else int(body.get("logprobs") or 0)
        if f.max_top_logprobs is not None and requested > f.max_top_logprobs:
            return (400, {"error": {"message": f"top_logprobs must be at most {f.max_top_logprobs}"}})
        max_tokens = int(body.get("max_tokens") or 16)
        temperature = float(body.get("temperature", 1.0))
        rng = random.Random(body.get("seed", 0) if temperature > 0 else 0)
        noise = random.Random() if f.nondeterministic else None
        top_n = int(body.get("top_logprobs") or 0) if chat else int(body.get("logprobs") or 0)
        want_logprobs = bool(body.get("logprobs")) or (chat and body.get("logprobs") is True)
        context, generated, finish = prompt, [], "length"
        for _ in range(max_tokens):
            dist = distribution(context)
            if temperature <= 0:
                scored = {t: lp + (noise.uniform(0, 3) if noise else 0) for t, lp in dist.items()}
                token = max(scored, key=scored.get)
            else:
                weights = [math.exp(lp / temperature) for lp in dist.values()]
                token = rng.choices(list(dist), weights)[0]
            if token == EOS:
                finish = "stop"
                break
            top = sorted(dist.items(), key=lambda kv: -kv[1])[:top_n]
            generated.append((token, dist[token], top))
            context += token
        text = "".join(t for t, _, _ in generated)
        usage = {"prompt_tokens": n_prompt, "completion_tokens": len(generated),
                 "total_tokens": n_prompt + len(generated)}
        if chat:
            choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text},
                                      "finish_reason": finish}
            if want_logprobs and not f.drop_logprobs:
                choice["logprobs"] = {"content": [
                    {"token": t, "logprob": lp,
                     "top_logprobs": [] if f.drop_top_logprobs else [{"token": a, "logprob": b} for a, b in top]}
                    for t, lp, top in generated]}
            return {"id": "chatcmpl-1", "object": "chat.completion", "model": self.model, "choices": [choice],
                    "usage": usage}
        echo = bool(body.get("echo")) and not f.ignore_echo and f.prompt_logprobs_style == "echo"
        choice = {"index": 0, "text": (prompt + text) if echo else text, "finish_reason": finish}
        if want_logprobs and not f.drop_logprobs:
            tokens, values, tops, offsets = [], [], [], []
            position = 0
            if echo:
                prompt_tokens = tokenize(prompt)
                lps: list[float | None] = [None] + [token_logprob("".join(prompt_tokens[:i]), t)
                                                    for i, t in enumerate(prompt_tokens) if i > 0]
                if f.shift_echo:
                    lps = lps[1:] + [None]
                for i, (t, lp) in enumerate(zip(prompt_tokens, lps)):
                    ctx = "".join(prompt_tokens[:i])
                    tokens.append(t)
                    values.append(lp)
                    tops.append(None if i == 0 else dict(sorted(distribution(ctx).items(), key=lambda kv: -kv[1])[:top_n]))
                    offsets.append(position)
                    position += len(t)
            for t, lp, top in generated:
                tokens.append(t)
                values.append(lp)
                tops.append(dict(top))
                offsets.append(position)
                position += len(t)
            choice["logprobs"] = {"tokens": tokens, "token_logprobs": values, "top_logprobs": tops,
                                  "text_offset": offsets}
        if body.get("prompt_logprobs") is not None and f.prompt_logprobs_style == "vllm" and not f.drop_logprobs:
            prompt_tokens = tokenize(prompt)
            entries: list[Any] = [None]
            for i, t in enumerate(prompt_tokens[1:], start=1):
                lp = token_logprob("".join(prompt_tokens[:i]), t)
                entries.append({str(1000 + i): {"logprob": lp, "rank": 1, "decoded_token": t}})
            if f.shift_echo:
                entries = [None] + [{k: {**v, "logprob": nxt[list(nxt)[0]]["logprob"]} for k, v in cur.items()}
                                    for cur, nxt in zip(entries[1:-1], entries[2:])] + [entries[-1]]
            choice["prompt_logprobs"] = entries
        return {"id": "cmpl-1", "object": "text_completion", "model": self.model, "choices": [choice], "usage": usage}
