"""A small local reverse proxy that injects faults in front of a real OpenAI-compatible server.

Only for fault injection in tests and benchmarks: the main path of every served-model test talks to the real
server directly. Each POST is numbered in arrival order; a schedule maps a request number to a fault:

- ``"429"`` / ``"500"`` / ``"503"``: answer that status without forwarding (429 carries ``Retry-After: 0``);
- ``"stall"``: hold the request ``stall_s`` seconds, then close without a reply (the client's timeout fires);
- ``"truncate"``: forward, then send the real body's headers and only half of its bytes, then close;
- ``"drop"``: close the connection without any reply.

Every other request is forwarded unchanged. ``forwarded`` counts the requests the upstream answered through
the proxy, ``injected`` the faults served, so a test can check that each fault cost exactly one retry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

FAULTS = ("429", "500", "503", "stall", "truncate", "drop")


@dataclass
class FaultProxy:
    upstream: str  # e.g. "http://127.0.0.1:8000" (no path: the client's path is kept)
    schedule: dict[int, str] = field(default_factory=dict)  # POST number (1-based) -> fault
    stall_s: float = 5.0
    posts: int = 0
    forwarded: int = 0
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.schedule.values()) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {FAULTS}")
        self._lock = threading.Lock()
        self._client = httpx.Client(base_url=self.upstream, timeout=600, trust_env=False)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy._forward(self, "GET", b"")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    proxy.posts += 1
                    fault = proxy.schedule.get(proxy.posts)
                if fault is None:
                    proxy._forward(self, "POST", body)
                else:
                    proxy._inject(self, fault, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def _count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] = self.injected.get(fault, 0) + 1

    def _upstream(self, method: str, handler: BaseHTTPRequestHandler, body: bytes) -> httpx.Response:
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "authorization")}
        reply = self._client.request(method, handler.path, content=body, headers=headers)
        if method == "POST":
            with self._lock:
                self.forwarded += 1
        return reply

    def _forward(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        try:
            reply = self._upstream(method, handler, body)
        except httpx.HTTPError:
            handler.close_connection = True
            return
        handler.send_response(reply.status_code)
        handler.send_header("Content-Type", reply.headers.get("content-type", "application/json"))
        handler.send_header("Content-Length", str(len(reply.content)))
        handler.end_headers()
        handler.wfile.write(reply.content)

    def _inject(self, handler: BaseHTTPRequestHandler, fault: str, body: bytes) -> None:
        self._count(fault)
        if fault in ("429", "500", "503"):
            data = b'{"error": {"message": "injected fault"}}'
            handler.send_response(int(fault))
            if fault == "429":
                handler.send_header("Retry-After", "0")
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        elif fault == "stall":
            threading.Event().wait(self.stall_s)
            handler.close_connection = True
        elif fault == "truncate":
            reply = self._upstream("POST", handler, body)
            handler.send_response(reply.status_code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(reply.content)))
            handler.end_headers()
            handler.wfile.write(reply.content[: len(reply.content) // 2])
            handler.wfile.flush()
            handler.close_connection = True
        else:  # drop
            handler.close_connection = True
