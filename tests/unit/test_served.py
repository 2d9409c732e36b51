"""The served-model backend against an in-process fake OpenAI server that misbehaves on demand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from audit.errors import ItemError, ModelLoadError
from audit.models import Capability, GenerationConfig, load_model
from audit.models.served import ScoringUnavailable, load_served, served_options
from audit.models.served_client import (
    ClientSettings,
    EndpointError,
    RequestRejected,
    ResponseCache,
    ServedClient,
    request_key,
)
from tests.fake_openai import FakeOpenAI, StubTokenizer, distribution, logit, render, token_logprob

FAST = ClientSettings(concurrency=4, timeout_s=2.0, max_retries=3, backoff_base_s=0.01, backoff_max_s=0.05)
MESSAGES = ({"role": "user", "content": "Does influenza cause fever?"},)


@pytest.fixture()
def server():
    with FakeOpenAI() as srv:
        yield srv


def _load(srv: FakeOpenAI, tmp_path: Path | None = None, **kwargs):
    cache = str(tmp_path / "cache.sqlite") if tmp_path is not None else ""
    kwargs.setdefault("settings", FAST)
    return load_served("openai+" + srv.base_url, cache_path=cache, **kwargs)


# -- capability checks ---------------------------------------------------------------------------
def test_an_honest_endpoint_passes_every_check_and_scores_from_prompt_logprobs(server):
    model = _load(server, tokenizer=StubTokenizer())
    report = model.report
    assert report.chat_generation.passed and report.completion_generation.passed
    assert report.chat_logprobs.passed and report.completion_logprobs.passed
    assert report.prompt_logprobs.passed and report.prompt_logprobs_method == "echo"
    assert report.determinism.passed and report.chat_template.passed
    assert model.capabilities == {Capability.GENERATE, Capability.SCORE}
    assert model.scoring == "prompt_logprobs:echo"
    caps = model.identity.capabilities
    assert "prompt-logprobs(echo)" in caps and "deterministic-at-temperature-0" in caps
    assert model.identity.weights_sha256.startswith("served-")


def test_dropped_logprobs_are_caught_although_the_server_answers_200(server):
    server.faults.drop_logprobs = True
    model = _load(server, tokenizer=StubTokenizer())
    assert not model.report.chat_logprobs.passed
    assert "dropped" in model.report.chat_logprobs.detail
    assert not model.report.prompt_logprobs.passed
    assert model.capabilities == {Capability.GENERATE}
    note = model.capability_note(Capability.SCORE)
    assert "prompt log-probs failed" in note and "top-k" in note


def test_dropped_top_k_is_caught(server):
    server.faults.drop_top_logprobs = True
    model = _load(server)
    assert not model.report.chat_logprobs.passed and "top-k" in model.report.chat_logprobs.detail


def test_the_largest_accepted_top_k_is_used(server):
    server.faults.max_top_logprobs = 5
    model = _load(server, tokenizer=StubTokenizer())
    assert model.report.chat_logprobs.passed and model.report.chat_logprobs.data["requested"] == 5
    assert model.report.prompt_logprobs.passed
    model.score_options(MESSAGES, {"yes": ("Yes",), "no": ("No",)})  # no request beyond the limit
    assert all((r.body.get("top_logprobs") or 0) <= 5 and (r.body.get("logprobs") in (None, True, False)
               or r.body["logprobs"] <= 5) for r in server.posts()[-3:])


def test_ignored_echo_falls_back_to_degraded_topk_scoring(server):
    server.faults.ignore_echo = True
    model = _load(server, tokenizer=StubTokenizer())
    assert not model.report.prompt_logprobs.passed
    assert "echo ignored" in model.report.prompt_logprobs.detail
    assert model.scoring == "next_token_topk"
    assert "degraded" in model.backend_provenance()["scoring"]


def test_echo_logprobs_shifted_by_one_position_are_named_as_such(server):
    server.faults.shift_echo = True
    model = _load(server, tokenizer=StubTokenizer())
    assert not model.report.prompt_logprobs.passed
    assert "shifted by one position" in model.report.prompt_logprobs.detail
    assert model.scoring == "next_token_topk"


def test_vllm_prompt_logprobs_are_verified_and_their_shift_caught():
    with FakeOpenAI() as srv:
        srv.faults.prompt_logprobs_style = "vllm"
        model = _load(srv, tokenizer=StubTokenizer())
        assert model.report.prompt_logprobs.passed
        assert model.scoring == "prompt_logprobs:vllm_prompt_logprobs"
        scores = model.score_options(MESSAGES, {"yes": ("Yes",), "no": ("No fever",)})
        rendered = render(list(MESSAGES))
        assert scores.logprobs["yes"] == pytest.approx(token_logprob(rendered, "Yes"), abs=1e-9)
    with FakeOpenAI() as srv:
        srv.faults.prompt_logprobs_style = "vllm"
        srv.faults.shift_echo = True
        model = _load(srv, tokenizer=StubTokenizer())
        assert not model.report.prompt_logprobs.passed
        assert "shifted" in model.report.prompt_logprobs.detail


def test_nondeterministic_greedy_decoding_is_reported(server):
    server.faults.nondeterministic = True
    model = _load(server)
    assert not model.report.determinism.passed
    assert "NOT verified deterministic" in model.backend_provenance()["generation_default"]


def test_prompt_logprobs_without_a_chat_template_do_not_give_full_scoring(server):
    model = _load(server)  # no --tokenizer
    assert model.report.prompt_logprobs.passed
    assert model.scoring == "next_token_topk"


def test_hidden_state_probes_are_skipped_with_the_reason(server, tmp_path):
    from audit.probes import PROBES, register_builtin_probes
    from audit.runner import RunConfig, prepare

    register_builtin_probes()
    model = _load(server)
    prepared = prepare(PROBES.get("truth_probe")(), model, RunConfig())
    assert "hidden_states (a served endpoint exposes no activations" in prepared.skip_reason


# -- scoring ------------------------------------------------------------------------------------
def test_full_fidelity_scores_equal_teacher_forced_logprobs(server):
    model = _load(server, tokenizer=StubTokenizer())
    options = {"yes": ("Yes", " yes"), "no": ("No fever",), "maybe": ("Maybe",)}
    scores = model.score_options(MESSAGES, options)
    rendered = render(list(MESSAGES))
    expected_no = token_logprob(rendered, "No") + token_logprob(rendered + "No", " fever")
    assert scores.variant_logprobs["no::No fever"] == pytest.approx(expected_no, abs=1e-9)
    assert scores.variant_token_logprobs["no::No fever"] == pytest.approx(
        [token_logprob(rendered, "No"), token_logprob(rendered + "No", " fever")])
    yes = [token_logprob(rendered, "Yes"), token_logprob(rendered, " yes")]
    assert scores.logprobs["yes"] == pytest.approx(math.log(sum(math.exp(v) for v in yes)), abs=1e-9)
    dist = distribution(rendered)
    assert scores.top_token == max(dist, key=dist.get)


def test_degraded_scoring_reads_single_tokens_from_the_topk_and_refuses_the_rest(server):
    model = _load(server)
    assert model.scoring == "next_token_topk"
    rendered = render(list(MESSAGES))
    scores = model.score_options(MESSAGES, {"yes": ("Yes", "yes"), "no": ("No",)})
    assert scores.logprobs["yes"] == pytest.approx(distribution(rendered)["Yes"], abs=1e-9)
    assert scores.variant_logprobs == {"yes::Yes": pytest.approx(distribution(rendered)["Yes"]),
                                       "no::No": pytest.approx(distribution(rendered)["No"])}
    with pytest.raises(ScoringUnavailable, match="not single tokens"):
        model.score_options(MESSAGES, {"yes": ("Yes",), "no": ("No fever",)}, item_id="q1")
    assert model.backend_provenance()["served"]["scoring_items"] == {"next_token_topk": 1, "unscorable": 1}


# -- generation ---------------------------------------------------------------------------------
def _expected_greedy(prompt: str, n: int) -> str:
    out = ""
    for _ in range(n):
        dist = distribution(prompt + out)
        token = max(dist, key=dist.get)
        if token == "<eos>":
            break
        out += token
    return out


def test_generation_through_chat_and_completions_agree_with_the_model(server):
    chat = _load(server)
    comp = _load(server, api="completions", tokenizer=StubTokenizer())
    config = GenerationConfig(max_new_tokens=6)
    prompts = [MESSAGES, ({"role": "user", "content": "Is a cough viral?"},)]
    a = chat.generate(prompts, config, ["a", "b"])
    b = comp.generate(prompts, config, ["a", "b"])
    for prompt, x, y in zip(prompts, a, b):
        assert x.text == y.text == _expected_greedy(render(list(prompt)), 6)
        assert len(x.tokens) == len(x.token_logprobs) and x.n_prompt_tokens > 0


def test_context_overflow_is_an_item_error_not_a_crash(server):
    server.faults.context_limit = 25
    model = _load(server)
    long_prompt = ({"role": "user", "content": " ".join(["word"] * 40)},)
    with pytest.raises(ItemError, match="context window"):
        model.generate([long_prompt], GenerationConfig(max_new_tokens=4), ["long"])


# -- retries, timeouts, faults --------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["429", "500", "stall", "truncate", "bad_json"])
def test_transient_faults_are_retried(server, fault):
    client = ServedClient(server.base_url, server.model, ClientSettings(timeout_s=0.5, max_retries=3,
                                                                        backoff_base_s=0.01, backoff_max_s=0.02))
    if fault in ("429", "500"):
        server.faults.fail_status, server.faults.fail_count = int(fault), 2
    elif fault == "stall":
        server.faults.stall_s, server.faults.stall_count = 1.5, 1
    elif fault == "truncate":
        server.faults.truncate_count = 2
    else:
        server.faults.bad_json_count = 2
    answer = client.post("chat/completions", {"messages": list(MESSAGES), "max_tokens": 2, "temperature": 0})
    assert answer["choices"][0]["message"]["content"]
    counts = client.accounting.snapshot()["audit"]
    assert counts["sent"] == 1 and counts["retries"] == (1 if fault == "stall" else 2)


def test_giving_up_after_the_retries_is_one_clear_error(server):
    server.faults.fail_status, server.faults.fail_count = 503, 100
    client = ServedClient(server.base_url, server.model, ClientSettings(max_retries=2, backoff_base_s=0.01))
    with pytest.raises(EndpointError, match="failed after 3 attempts.*HTTP 503"):
        client.post("completions", {"prompt": "x", "max_tokens": 1})
    assert len(server.posts()) == 3


def test_client_errors_are_not_retried(server):
    client = ServedClient(server.base_url, "no-such-model", ClientSettings(max_retries=5, backoff_base_s=0.01))
    with pytest.raises(RequestRejected, match="404"):
        client.post("completions", {"prompt": "x", "max_tokens": 1})
    assert len(server.posts()) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    client = ServedClient("http://127.0.0.1:9/v1", "m", ClientSettings(backoff_base_s=1.0, backoff_max_s=8.0))
    for attempt, ceiling in enumerate([1, 2, 4, 8, 8]):
        delays = [client.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > 0  # jittered
    assert client.backoff(0, retry_after=5.0) == pytest.approx(5.0)


def test_concurrency_keeps_order_and_uses_parallel_requests(server):
    server.faults.stall_s, server.faults.stall_count = 0.3, 4
    server.max_in_flight = 0
    client = ServedClient(server.base_url, server.model, ClientSettings(concurrency=4, timeout_s=5))
    answers = client.map(lambda n: client.post("completions", {"prompt": f"n{n}", "max_tokens": 1,
                                                                "temperature": 0}), range(4))
    assert server.max_in_flight >= 2  # the stalled requests overlapped at the server (sequential: 1)
    assert len(answers) == 4


# -- the cache ----------------------------------------------------------------------------------
def test_cache_prevents_repeated_requests_across_processes(server, tmp_path):
    prompts = [MESSAGES, ({"role": "user", "content": "Is a cough viral?"},)]
    config = GenerationConfig(max_new_tokens=5)
    first = _load(server, tmp_path)
    out1 = first.generate(prompts, config, ["a", "b"])
    n_after_first = len(server.posts("chat/completions"))
    second = _load(server, tmp_path)  # a new process would open the same cache file
    checks = len(server.posts("chat/completions")) - n_after_first
    out2 = second.generate(prompts, config, ["a", "b"])
    assert [g.text for g in out1] == [g.text for g in out2]
    assert len(server.posts("chat/completions")) == n_after_first + checks  # no audit request sent again
    acct = second.client.accounting.snapshot()["audit"]
    assert acct["cached"] == 2 and "sent" not in acct
    assert "from cache 2" in second.backend_provenance()["requests"]


def test_cache_key_is_endpoint_model_and_canonical_request():
    a = request_key("http://h:1/v1", "m", "completions", {"prompt": "x", "max_tokens": 1})
    assert a == request_key("http://h:1/v1", "m", "completions", {"max_tokens": 1, "prompt": "x"})
    assert a != request_key("http://h:2/v1", "m", "completions", {"prompt": "x", "max_tokens": 1})
    assert a != request_key("http://h:1/v1", "m2", "completions", {"prompt": "x", "max_tokens": 1})


def test_sampled_generations_are_seeded_per_item_and_cached(server, tmp_path):
    model = _load(server, tmp_path)
    config = GenerationConfig(max_new_tokens=4, temperature=1.0, seed=3)
    model.generate([MESSAGES, MESSAGES], config, ["x", "y"])
    seeds = [r.body.get("seed") for r in server.posts("chat/completions") if r.body.get("temperature") == 1.0]
    assert len(set(seeds)) == 2  # distinct per item, fixed by (seed, item id)


def test_cache_survives_being_reopened(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("k", "e", "m", "p", {"a": 1}, {"choices": [1]})
    cache.close()
    assert ResponseCache(tmp_path / "c.sqlite").get("k") == {"choices": [1]}


# -- nothing goes anywhere else; the key stays out of the evidence --------------------------------------
def test_requests_go_only_to_the_given_endpoint(server, monkeypatch):
    with FakeOpenAI() as elsewhere:
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(var, f"http://127.0.0.1:{elsewhere.port}")
        model = _load(server)
        model.generate([MESSAGES], GenerationConfig(max_new_tokens=3), ["a"])
        server.faults.redirect_to = elsewhere.base_url + "/chat/completions"
        with pytest.raises(EndpointError, match="redirect"):
            model.client.post("chat/completions", {"messages": list(MESSAGES), "max_tokens": 2}, use_cache=False)
        assert elsewhere.requests == []
        assert all(r.path.startswith("/v1/") for r in server.requests)


def test_api_key_comes_from_the_environment_and_never_reaches_the_evidence(server, monkeypatch):
    monkeypatch.setenv("MEDAUDIT_API_KEY", "sk-secret-123")
    model = _load(server)
    assert server.requests[-1].headers.get("Authorization") == "Bearer sk-secret-123"
    dumped = json.dumps(model.backend_provenance()) + model.identity.model_dump_json()
    assert "sk-secret-123" not in dumped and "$MEDAUDIT_API_KEY (set)" in dumped


def test_spec_syntax_and_model_name(server):
    spec, options = served_options("openai+" + server.base_url, "toy-model", "chat", None, 2, 30.0, None)
    assert spec == f"openai+{server.base_url}#toy-model"
    model = load_model(spec, cache_path="", **{k: v for k, v in options.items() if k != "settings"})
    assert model.identity.name == "toy-model"
    assert _load(server).identity.name == "toy-model"  # the only listed model, when none is named
    with pytest.raises(ModelLoadError, match="does not generate"):
        load_served(f"openai+{server.base_url}#other", cache_path="", settings=FAST)
    with pytest.raises(ModelLoadError, match="http"):
        load_served("openai+http://", cache_path="")
    with pytest.raises(ModelLoadError, match="completions renders chat prompts locally"):
        _load(server, api="completions")


def test_an_unreachable_endpoint_is_one_line(tmp_path):
    with pytest.raises(ModelLoadError):
        load_served("openai+http://127.0.0.1:9/v1#m", cache_path="",
                    settings=ClientSettings(max_retries=1, backoff_base_s=0.01, timeout_s=1))


# -- through the runner ---------------------------------------------------------------------------
def test_audit_through_the_runner_records_capabilities_and_resumes_from_the_cache(server, tmp_path):
    from audit.runner import RunConfig, run_audit

    config = RunConfig(model=f"openai+{server.base_url}#toy-model", probes=("pubmedqa", "citation_fabrication",
                                                                           "truth_probe"),
                       limit=3, explain=0, batch_size=4)
    model = _load(server, tmp_path, tokenizer=StubTokenizer())
    outcome = run_audit(model, config, tmp_path / "run1", progress=False)
    results = {r.probe_id: r for r in outcome.evidence.probe_results}
    assert results["pubmedqa"].status == "completed" and results["citation_fabrication"].status == "completed"
    assert results["truth_probe"].status == "skipped" and "exposes no activations" in results["truth_probe"].skip_reason
    decoding = outcome.evidence.provenance.decoding
    assert decoding["scoring"].startswith("full") and "prompt log-probs: yes" in decoding["capability_checks"]
    assert decoding["served"]["accounting"]["audit"]["sent"] > 0
    sent_first = len(server.posts())
    # A fresh run folder and a fresh process: every audit request is answered from the cache.
    again = _load(server, tmp_path, tokenizer=StubTokenizer())
    checks = len(server.posts()) - sent_first
    outcome2 = run_audit(again, config, tmp_path / "run2", progress=False)
    assert len(server.posts()) == sent_first + checks
    served = outcome2.evidence.provenance.decoding["served"]["accounting"]["audit"]
    assert "sent" not in served and served["cached"] > 0
    strip = lambda ev: [[i.model_dump(exclude={"elapsed_s"}) for i in r.items] for r in ev.probe_results]
    assert strip(outcome.evidence) == strip(outcome2.evidence)


def test_degraded_scoring_marks_unscorable_items_as_errors_with_the_reason(server, tmp_path):
    from audit.runner import RunConfig, run_audit

    server.faults.ignore_echo = True
    model = _load(server, tmp_path)
    config = RunConfig(model=f"openai+{server.base_url}#toy-model", probes=("none_of_the_above",), limit=2,
                       explain=0)
    outcome = run_audit(model, config, tmp_path / "run", progress=False)
    result = outcome.evidence.probe_results[0]
    assert result.status == "completed"
    errors = [i for i in result.items if i.outcome == "error"]
    assert all("not single tokens" in i.error for i in errors)
    assert outcome.evidence.provenance.decoding["scoring"].startswith("degraded")


def test_degraded_endpoint_answers_unscorable_items_by_generation_and_the_parser(server, tmp_path):
    from audit.runner import RunConfig, run_audit

    server.faults.ignore_echo = True  # no prompt log-probs: option scoring from the next-token top-k only
    model = _load(server, tmp_path)
    config = RunConfig(model=f"openai+{server.base_url}#toy-model", probes=("pubmedqa",), limit=2, explain=0)
    result = run_audit(model, config, tmp_path / "run", progress=False).evidence.probe_results[0]
    assert result.status == "completed"
    # "I don't know" is never one token of the top-k, so every item falls back to a parsed greedy answer.
    assert result.items and all(i.scores.get("answered_by_generation") == 1.0 and i.response for i in result.items)
    assert all(i.outcome in ("correct", "incorrect", "abstained", "unparseable") for i in result.items)
    assert any(p.path.endswith("chat/completions") and "logprobs" not in p.body for p in server.posts())
