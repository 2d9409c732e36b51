"""The served backend against a real `transformers serve` on 127.0.0.1, serving the embedded model's cached
safetensors: capability checks, greedy parity with the local backend, and kill/restart/rerun with the cache."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

pytest.importorskip("fastapi", reason="transformers serve needs transformers[serving] (fastapi, uvicorn)")
pytest.importorskip("uvicorn")

PROMPTS = [
    ({"role": "user", "content": "Name one common symptom of influenza."},),
    ({"role": "user", "content": "What organ pumps blood through the body?"},),
    ({"role": "system", "content": "You are a careful clinician."},
     {"role": "user", "content": "Should a patient with chest pain call an ambulance? Answer yes or no."}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `transformers serve` process (started and stopped by the test, by its own pid)."""

    def __init__(self, folder: Path, port: int, log: Path) -> None:
        self.folder, self.port, self.log = folder, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> "Server":
        exe = Path(sys.executable).with_name("transformers")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        env.pop("HTTP_PROXY", None)
        handle = open(self.log, "ab")
        self.proc = subprocess.Popen([str(exe), "serve", str(self.folder), "--host", "127.0.0.1", "--port",
                                      str(self.port), "--device", "cpu"], stdout=handle, stderr=handle, env=env)
        import httpx

        deadline = time.time() + timeout
        body = {"model": str(self.folder), "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1,
                "temperature": 0}
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited: {self.log.read_text()[-2000:]}")
            try:  # ready once the model answers (it is loaded on the first request)
                reply = httpx.post(f"http://127.0.0.1:{self.port}/v1/chat/completions", json=body, timeout=60,
                                   trust_env=False)
                if reply.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("transformers serve did not become ready")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def requests_received(self) -> int:
        return self.log.read_text(errors="replace").count("[Request received]")

    @property
    def spec(self) -> str:
        return f"openai+http://127.0.0.1:{self.port}/v1#{self.folder}"


@pytest.fixture(scope="module")
def model_folder() -> Path:
    from audit.models.loading import resolve_model

    folder = resolve_model(None).folder
    assert json.loads((folder / "config.json").read_text()).get("architectures"), "serve needs config.architectures"
    return folder


@pytest.fixture(scope="module")
def server(model_folder, tmp_path_factory):
    srv = Server(model_folder, _free_port(), tmp_path_factory.mktemp("serve") / "serve.log").start()
    yield srv
    srv.kill()


def test_transformers_serve_checks_report_no_logprobs(server, tmp_path):
    from audit.models import Capability, load_model

    model = load_model(server.spec, cache_path=tmp_path / "cache.sqlite")
    report = model.report
    assert report.chat_generation.passed
    assert not report.chat_logprobs.passed and "dropped" in report.chat_logprobs.detail
    assert not report.prompt_logprobs.passed
    assert model.capabilities == {Capability.GENERATE}
    assert "prompt log-probs failed" in model.capability_note(Capability.SCORE)
    assert model.backend_provenance()["scoring"] == "not available"


def test_greedy_generations_identical_to_the_local_backend(server, embedded_model, tmp_path):
    from audit.models import GenerationConfig, load_model

    served = load_model(server.spec, cache_path=tmp_path / "cache.sqlite")
    config = GenerationConfig(max_new_tokens=32)
    remote = served.generate(PROMPTS, config, ["a", "b", "c"])
    local = embedded_model.generate(PROMPTS, config, ["a", "b", "c"])
    for r, l in zip(remote, local):
        assert r.text == l.text
        assert r.finish_reason == l.finish_reason
        assert r.n_prompt_tokens == l.n_prompt_tokens


def _cached_keys(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    except sqlite3.OperationalError:  # created, table not yet
        return 0
    finally:
        db.close()


def test_kill_and_restart_server_then_rerun_loses_nothing_and_repeats_nothing(model_folder, tmp_path):
    port = _free_port()
    first = Server(model_folder, port, tmp_path / "serve1.log").start()
    cache, out = tmp_path / "responses.sqlite", tmp_path / "run"
    n_articles = 4
    n_items = 2 * n_articles  # citation_fabrication asks PMID -> title and title -> PMID per article
    args = [sys.executable, "-m", "audit.cli", "run", "--model", f"openai+http://127.0.0.1:{port}/v1",
            "--model-name", str(model_folder), "--probe", "citation_fabrication", "--limit", str(n_articles),
            "--out", str(out), "--response-cache", str(cache), "--no-progress", "--explain", "0",
            "--concurrency", "2", "--batch-size", "4", "--request-timeout", "60"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and _cached_keys(cache) < 2 and run.poll() is None:
            time.sleep(0.1)
        assert run.poll() is None, f"the run ended before the server was killed: {run.communicate()}"
        first.kill()  # mid-run: requests in flight are dropped
        time.sleep(1.0)
        run.send_signal(signal.SIGKILL)  # and the audit process dies too (a crash)
        run.wait(timeout=30)
    finally:
        first.kill()
        if run.poll() is None:
            run.kill()
    cached_before = _cached_keys(cache)
    done_before = (out / "results.jsonl").read_text().count("\n") if (out / "results.jsonl").exists() else 0
    assert 2 <= cached_before < n_items and done_before < n_items

    second = Server(model_folder, port, tmp_path / "serve2.log").start()
    try:
        received_at_start = second.requests_received()  # the readiness request
        rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        evidence = json.loads((out / "evidence.json").read_text())
        result = evidence["probe_results"][0]
        assert result["status"] == "completed" and len(result["items"]) == n_items
        assert all(item["outcome"] != "error" for item in result["items"])
        accounting = evidence["provenance"]["decoding"]["served"]["accounting"]
        sent, cached = accounting["audit"].get("sent", 0), accounting["audit"].get("cached", 0)
        # Only the requests that never completed were sent again; every completed one came from the cache
        # (items already in results.jsonl were not requested at all).
        assert sent == n_items - cached_before
        assert cached <= cached_before
        assert _cached_keys(cache) == n_items
        # The restarted server saw exactly the capability checks and those requests, plus any attempt that got
        # no answer (timed out under load) and was retried; nothing more. (GET /v1/models is accounted apart,
        # as "listing", and the server does not log it.)
        attempts = sum(accounting[p].get("sent", 0) + accounting[p].get("failed_attempts", 0) for p in ("check", "audit"))
        assert second.requests_received() - received_at_start == attempts
    finally:
        second.kill()


def test_faults_injected_in_front_of_the_real_server_are_retried_and_change_nothing(server, tmp_path):
    """429, 500, a stall past the timeout, a truncated body and a dropped connection, one each, between the
    backend and the real server: every request succeeds on its retry with the same greedy text as a direct
    request, and each fault costs exactly one retry."""
    from audit.models import GenerationConfig, load_model
    from audit.models.served_client import ClientSettings
    from tests.fault_proxy import FaultProxy

    prompts = PROMPTS + [({"role": "user", "content": "What does a stethoscope listen to?"},),
                         ({"role": "user", "content": "Is insulin made in the pancreas? Answer yes or no."},)]
    ids = [f"p{i}" for i in range(len(prompts))]
    config = GenerationConfig(max_new_tokens=12)
    expected = [g.text for g in load_model(server.spec, cache_path="").generate(prompts, config, ids)]

    faults = ("429", "500", "stall", "truncate", "drop")
    settings = ClientSettings(concurrency=1, timeout_s=40.0, max_retries=2, backoff_base_s=0.05, backoff_max_s=0.2)
    with FaultProxy(f"http://127.0.0.1:{server.port}", stall_s=45.0) as proxy:
        model = load_model(f"openai+{proxy.base_url}/v1#{server.folder}", settings=settings, cache_path="")
        before = model.client.accounting.snapshot().get("audit", {})
        assert not before.get("sent") and not before.get("retries")
        first = proxy.posts + 1  # one request at a time: each fault hits a request, its retry goes through
        proxy.schedule = {first + 2 * i: fault for i, fault in enumerate(faults)}
        forwarded_before = proxy.forwarded
        got = [g.text for g in model.generate(prompts, config, ids)]
        audit = model.client.accounting.snapshot()["audit"]
    assert got == expected
    assert proxy.injected == {fault: 1 for fault in faults}
    assert audit["sent"] == len(prompts) and audit["retries"] == len(faults)
    # The server answered each prompt once, plus the one whose answer the proxy truncated.
    assert proxy.forwarded - forwarded_before == len(prompts) + 1
