"""HTTP to one OpenAI-compatible endpoint: retries with backoff, timeouts, an on-disk cache, accounting.

Every request goes to ``base_url`` and nowhere else: redirects are refused, proxy settings and
``.netrc`` from the environment are ignored, and only fixed API paths are appended. The API key is
read from an environment variable and sent as a bearer token; it is never logged, cached or stored.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import urlsplit

from audit.errors import MedauditError

API_KEY_ENV = "MEDAUDIT_API_KEY"
RETRY_STATUSES = frozenset({408, 409, 425, 429}) | frozenset(range(500, 600))

T = TypeVar("T")
R = TypeVar("R")


class EndpointError(MedauditError):
    """The endpoint could not be reached or refused a request after every retry."""


class RequestRejected(MedauditError):
    """The endpoint answered one request with a client error (4xx other than 429): not worth retrying."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class _Retryable(Exception):
    """A failure another attempt may cure (429, 5xx, dropped connection, stall, truncated body)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class ClientSettings:
    """How requests are sent. None of these change results, only how fast and how robustly they arrive."""

    concurrency: int = 4
    timeout_s: float = 120.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    api_key_env: str = API_KEY_ENV


def normalise_base_url(url: str) -> str:
    """``http(s)://host[:port]/path`` without a trailing slash; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"not an http(s) endpoint URL: {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise EndpointError("the endpoint URL must not carry a query, fragment or credentials "
                            f"(put the API key in ${API_KEY_ENV}): {parts.scheme}://{parts.hostname}...")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def request_key(base_url: str, model: str, path: str, body: dict[str, Any]) -> str:
    """Cache key: sha256 of the endpoint, the model name and the canonical (sorted) request."""
    return hashlib.sha256(canonical_json({"endpoint": base_url, "model": model, "path": path,
                                          "body": body}).encode()).hexdigest()


class ResponseCache:
    """Completed responses in one SQLite file (WAL, synchronous commits): a response that came back is
    never requested again, even after a crash, a Ctrl-C or ``kill -9`` right after it arrived."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, endpoint TEXT, "
                             "model TEXT, path TEXT, request TEXT, response TEXT, created REAL)")
        except (OSError, sqlite3.Error) as exc:
            raise EndpointError(f"cannot open the response cache {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, endpoint: str, model: str, path: str, body: dict[str, Any],
            response: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (key, endpoint, model, path, canonical_json(body), json.dumps(response), time.time()))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT key FROM responses")}

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class Accounting:
    """Requests, tokens and time, per purpose ("check" at start-up, "audit" for probe items)."""

    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, purpose: str, **amounts: float) -> None:
        with self._lock:
            row = self.counts.setdefault(purpose, {})
            for name, amount in amounts.items():
                row[name] = row.get(name, 0) + amount

    def snapshot(self) -> dict[str, dict[str, float]]:
        with self._lock:
            return {purpose: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in sorted(row.items())}
                    for purpose, row in sorted(self.counts.items())}


def _usage(response: dict[str, Any]) -> tuple[int, int]:
    usage = response.get("usage") or {}
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (int(prompt) if isinstance(prompt, (int, float)) else 0,
            int(completion) if isinstance(completion, (int, float)) else 0)


def _completion_shape_ok(response: Any) -> bool:
    """A completion response with at least one choice (a truncated or empty body is not one)."""
    return isinstance(response, dict) and isinstance(response.get("choices"), list) and bool(response["choices"])


class ServedClient:
    """Sends JSON requests to one endpoint for one model name, with retries and an optional cache."""

    def __init__(self, base_url: str, model: str, settings: ClientSettings = ClientSettings(),
                 cache: ResponseCache | None = None, transport: Any = None) -> None:
        import httpx

        self.base_url = normalise_base_url(base_url)
        self.model = model
        self.settings = settings
        self.cache = cache
        self.accounting = Accounting()
        headers = {"Content-Type": "application/json", "User-Agent": "medaudit"}
        api_key = os.environ.get(settings.api_key_env)
        self.has_api_key = bool(api_key)
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._httpx = httpx
        self._http = httpx.Client(
            headers=headers, follow_redirects=False, trust_env=False, transport=transport,
            timeout=httpx.Timeout(settings.timeout_s),
            limits=httpx.Limits(max_connections=max(1, settings.concurrency),
                                max_keepalive_connections=max(1, settings.concurrency)),
        )
        self._host = urlsplit(self.base_url).netloc

    # -- one request ---------------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def post(self, path: str, body: dict[str, Any], *, purpose: str = "audit", use_cache: bool = True,
             validate: Callable[[Any], bool] = _completion_shape_ok) -> dict[str, Any]:
        """POST ``body`` (``model`` is filled in) and return the decoded JSON answer.

        Cached answers are returned without a request. 429, 5xx, dropped connections, stalls past the
        timeout and bodies that do not decode (or fail ``validate``) are retried with exponential backoff
        and jitter; other 4xx raise :class:`RequestRejected` at once; giving up raises :class:`EndpointError`."""
        body = {**body, "model": self.model}
        key = request_key(self.base_url, self.model, path, body)
        if use_cache and self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                prompt, completion = _usage(cached)
                self.accounting.add(purpose, cached=1, cached_prompt_tokens=prompt,
                                    cached_completion_tokens=completion)
                return cached
        response = self._send_with_retries("POST", path, body, purpose, validate)
        if use_cache and self.cache is not None:
            self.cache.put(key, self.base_url, self.model, path, body, response)
        return response

    def get(self, path: str, *, purpose: str = "listing") -> dict[str, Any]:
        return self._send_with_retries("GET", path, None, purpose, lambda r: isinstance(r, dict))

    def _send_with_retries(self, method: str, path: str, body: dict[str, Any] | None, purpose: str,
                           validate: Callable[[Any], bool]) -> dict[str, Any]:
        last = "no attempt"
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                self.accounting.add(purpose, retries=1)
            started = time.perf_counter()
            try:
                response = self._send_once(method, path, body, validate)
            except _Retryable as exc:
                elapsed = time.perf_counter() - started
                self.accounting.add(purpose, failed_attempts=1, seconds=elapsed)
                last = exc.reason
                if attempt < self.settings.max_retries:
                    time.sleep(self.backoff(attempt, exc.retry_after))
                continue
            elapsed = time.perf_counter() - started
            prompt, completion = _usage(response)
            self.accounting.add(purpose, sent=1, seconds=elapsed, prompt_tokens=prompt, completion_tokens=completion)
            return response
        raise EndpointError(f"{self._host}: {method} /{path.lstrip('/')} failed after "
                            f"{self.settings.max_retries + 1} attempts (last: {last})")

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential backoff with equal jitter, capped; a server's Retry-After is honoured up to the cap."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * (2 ** attempt))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        if retry_after is not None and math.isfinite(retry_after):
            delay = max(delay, min(retry_after, self.settings.backoff_max_s))
        return delay

    def _send_once(self, method: str, path: str, body: dict[str, Any] | None,
                   validate: Callable[[Any], bool]) -> dict[str, Any]:
        httpx = self._httpx
        url = self.url(path)
        try:
            if method == "POST":
                reply = self._http.post(url, content=canonical_json(body).encode())
            else:
                reply = self._http.get(url)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"no answer within {self.settings.timeout_s:g} s ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__}: {exc})") from None
        status = reply.status_code
        if 300 <= status < 400:
            raise EndpointError(f"{self._host} answered {status} redirecting to {reply.headers.get('location')!r}; "
                                "medaudit sends requests only to the endpoint it was given")
        if status in RETRY_STATUSES:
            raise _Retryable(f"HTTP {status}", _retry_after(reply.headers.get("retry-after")))
        if status >= 400:
            raise RequestRejected(status, _error_message(reply.text))
        try:
            decoded = json.loads(reply.content)
        except ValueError:
            raise _Retryable(f"HTTP {status} with a body that is not complete JSON ({len(reply.content)} bytes)") from None
        if not validate(decoded):
            raise _Retryable(f"HTTP {status} with an incomplete answer (no choices)")
        return decoded

    # -- many requests -------------------------------------------------------------------
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(x) for x in items]`` with up to ``concurrency`` in flight; the first error propagates
        (requests already answered stay in the cache)."""
        items = list(items)
        if len(items) <= 1 or self.settings.concurrency <= 1:
            return [fn(x) for x in items]
        pool = ThreadPoolExecutor(max_workers=min(self.settings.concurrency, len(items)),
                                  thread_name_prefix="medaudit-served")
        try:
            futures = [pool.submit(fn, x) for x in items]
            return [f.result() for f in futures]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._http.close()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _error_message(text: str, limit: int = 300) -> str:
    """The server's error message, one line, bounded."""
    try:
        decoded = json.loads(text)
        if isinstance(decoded, dict):
            err = decoded.get("error", decoded.get("detail", decoded))
            if isinstance(err, dict):
                err = err.get("message", err)
            text = str(err)
    except ValueError:
        pass
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")

