"""The default hallucination and bias probes against llama-cpp-python's OpenAI-compatible server.

Usage: .venv/bin/python bench/bench_served.py [--limit N] [--server-threads T]

Starts `python -m llama_cpp.server` on 127.0.0.1 serving the embedded GGUF (`--logits_all true`), then, in
the same run against the same server:
1. the probes with 1 request in flight (fresh response cache);
2. the same probes with 4 requests in flight (another fresh cache);
3. run 2 again on its now-filled cache (every request a cache hit).
Prints each wall time, the throughput ratio 4-in-flight / sequential (items per second), the cache-hit rerun
time, and per probe whether it ran at full fidelity, degraded (option scoring from the next-token top-k; items
whose options are not single tokens there are answered by generation + the probe's validated parser where it
has one, else error items) or was skipped (hidden states or hooks).
Needs `llama-cpp-python[server]` (see .ci/run). No target: the figures describe the served path.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import load_average

SUITES = ("hallucination", "bias")


def default_probe_ids() -> list[str]:
    """The default profile's probes of the hallucination and bias suites, as the registry lists them."""
    from audit.runner import RunConfig, select_probes

    return [probe.id for probe in select_probes(RunConfig()) if probe.suite in SUITES]


def start_server(gguf: Path, threads: int, log: Path) -> tuple[subprocess.Popen, int]:
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias",
                             "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads),
                             "--logits_all", "true"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=5, trust_env=False).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("llama_cpp.server did not become ready in 180 s")


def run_audit(port: int, probes: list[str], out: Path, cache: Path, concurrency: int, limit: int | None,
              tokenizer: Path) -> float:
    args = [sys.executable, "-m", "audit.cli", "run", "--model", f"openai+http://127.0.0.1:{port}/v1#smollm2",
            "--tokenizer", str(tokenizer), "--out", str(out), "--response-cache", str(cache), "--concurrency",
            str(concurrency), "--no-progress", "--explain", "0", "--request-timeout", "600"]
    for pid in probes:
        args += ["--probe", pid]
    if limit:
        args += ["--limit", str(limit)]
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: a gate failed, which is a finding, not a benchmark error
        raise SystemExit(f"medaudit run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def fidelity(evidence: dict) -> dict[str, str]:
    """Per probe: 'full', 'degraded (...)' or 'skipped (reason)'."""
    degraded_scoring = str(evidence["provenance"]["decoding"].get("scoring", "")).startswith("degraded")
    rows = {}
    for probe in evidence["probe_results"]:
        if probe["status"] != "completed":
            rows[probe["probe_id"]] = f"skipped ({probe.get('skip_reason') or probe['status']})"
            continue
        items = probe["items"]
        scored = sum(1 for i in items if i.get("option_logprobs"))
        generated = sum(1 for i in items if (i.get("scores") or {}).get("answered_by_generation") == 1.0)
        unscorable = sum(1 for i in items if i["outcome"] == "error" and "degraded scoring" in (i.get("error") or ""))
        if degraded_scoring and (scored or generated or unscorable):
            rows[probe["probe_id"]] = (f"degraded ({scored} items scored from the top-k, {generated} answered by "
                                       f"generation + parser, {unscorable} unscorable errors, of {len(items)})")
        else:
            rows[probe["probe_id"]] = f"full ({len(items)} items)"
    return rows


def items_run(evidence: dict) -> int:
    return sum(len(p["items"]) for p in evidence["probe_results"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="at most N items per probe (default: the profile)")
    parser.add_argument("--server-threads", type=int, default=1)
    args = parser.parse_args()
    from audit.models.loading import embedded_gguf_path, resolve_model

    probes = default_probe_ids()
    print(f"probes: {', '.join(probes)}; limit {args.limit or 'default profile'}; load average {load_average()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server, port = start_server(embedded_gguf_path(), args.server_threads, tmp / "server.log")
        try:
            tokenizer = resolve_model(None).folder
            times, evidence = {}, {}
            for label, concurrency, cache in (("sequential", 1, "seq.sqlite"), ("4 in flight", 4, "par.sqlite"),
                                              ("cache-hit rerun", 4, "par.sqlite")):
                out = tmp / label.replace(" ", "_")
                times[label] = run_audit(port, probes, out, tmp / cache, concurrency, args.limit, tokenizer)
                evidence[label] = json.loads((out / "evidence.json").read_text())
                served = evidence[label]["provenance"]["decoding"].get("requests", "")
                print(f"{label}: {times[label]:.1f} s wall, {items_run(evidence[label])} items; {served}; "
                      f"load average {load_average()}", flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    n = items_run(evidence["sequential"])
    seq, par, rerun = times["sequential"], times["4 in flight"], times["cache-hit rerun"]
    print(f"throughput: sequential {n / seq:.3f} items/s, 4 in flight {n / par:.3f} items/s: ratio "
          f"{seq / par:.2f}x (server threads {args.server_threads}, {os.cpu_count()} CPUs)")
    print(f"cache-hit rerun: {rerun:.1f} s ({seq / rerun:.1f}x faster than sequential)")
    print(f"scoring: {evidence['sequential']['provenance']['decoding'].get('scoring')}")
    rows = fidelity(evidence["sequential"])
    kinds = [row.split(" ")[0] for row in rows.values()]
    print(f"probes at full fidelity {kinds.count('full')}/{len(rows)}, degraded {kinds.count('degraded')}/{len(rows)}, "
          f"skipped {kinds.count('skipped')}/{len(rows)}")
    for pid, row in rows.items():
        print(f"  {pid}: {row}")


if __name__ == "__main__":
    main()
