"""A model behind an OpenAI-compatible endpoint (vLLM, TGI, SGLang, llama.cpp, ``transformers serve``).

Selected with ``--model openai+http://HOST:PORT/v1 --model-name NAME`` (or ``...v1#NAME``). At load time
the endpoint's capabilities are verified with small requests (see :mod:`audit.models.served_capabilities`)
and only what passed is offered:

- ``generate``: chat completions (the server applies its chat template), or /v1/completions on a prompt
  rendered with a local tokenizer's template (``api="completions"``);
- ``score`` at full fidelity: teacher-forced option log-probs from verified prompt log-probs (``echo`` or
  vLLM's ``prompt_logprobs``) on the prompt rendered with the local template, which must reproduce the
  chat endpoint's answers;
- ``score`` degraded: single-token options read off the verified next-token top-k of a chat request; an
  item whose options are not all single tokens in the top-k cannot be scored and is recorded as an error
  with that reason (never as a wrong answer);
- hidden states and hooks: never (an endpoint exposes no activations).

Every request is cached on disk (endpoint, model name, canonical request), so a rerun after a crash, a
Ctrl-C or a server restart sends only the requests that never completed.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from audit import errors
from audit.errors import ItemError, ModelLoadError
from audit.evidence import ModelIdentity
from audit.models.base import Capability, Generation, GenerationConfig, Messages, ModelUnderAudit, OptionScores
from audit.models.served_capabilities import CapabilityReport, verify
from audit.models.served_client import (
    API_KEY_ENV,
    ClientSettings,
    EndpointError,
    RequestRejected,
    ResponseCache,
    ServedClient,
    normalise_base_url,
)
from audit.models.served_protocol import (
    ProtocolError,
    TokenLogprob,
    chat_logprobs,
    chat_text,
    completion_logprobs,
    completion_text,
    finish_reason,
    logsumexp,
    vllm_prompt_logprobs,
)

SCHEME = "openai+"
_CONTEXT_WORDS = ("context length", "context window", "maximum context", "too long", "max_model_len",
                  "exceeds", "n_ctx")


def is_served_spec(spec: str | None) -> bool:
    return bool(spec) and spec.startswith((SCHEME + "http://", SCHEME + "https://"))  # type: ignore[union-attr]


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``openai+http://HOST:PORT/v1[#MODEL]`` → (base URL, model name or None)."""
    url = spec[len(SCHEME):]
    url, _, name = url.partition("#")
    return url, (name or None)


class ScoringUnavailable(errors.ScoringUnavailable):
    """This item's options cannot be scored through this endpoint (e.g. not single tokens in the top-k)."""

    def __init__(self, item_id: str, reason: str) -> None:
        super().__init__(f"item {item_id!r}: {reason}")


@dataclass
class ServedModel(ModelUnderAudit):
    """An endpoint as the audit sees it; build it with :func:`load_served`."""

    client: ServedClient
    report: CapabilityReport
    api: str = "chat"  # how generations are requested: "chat" or "completions"
    tokenizer: Any = None  # a local tokenizer whose chat template renders prompts for /v1/completions
    tokenizer_sha256: str = "none"
    context_limit: int | None = None
    scoring: str | None = None  # "prompt_logprobs:echo" | "prompt_logprobs:vllm_prompt_logprobs" | "next_token_topk"
    notes: dict[str, str] = field(default_factory=dict)  # capability -> why it is not offered
    scoring_counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        caps = set()
        if self.api == "chat" and self.report.chat_generation.passed:
            caps.add(Capability.GENERATE)
        elif self.api == "completions" and self.report.completion_generation.passed and self._template_ok:
            caps.add(Capability.GENERATE)
        else:
            self.notes[Capability.GENERATE.value] = f"the endpoint's {self.api} generation check failed"
        self.scoring, reason = self._pick_scoring()
        if self.scoring:
            caps.add(Capability.SCORE)
        else:
            self.notes[Capability.SCORE.value] = reason
        for cap in (Capability.HIDDEN_STATES, Capability.HOOKS):
            self.notes[cap.value] = "a served endpoint exposes no activations or hooks"
        self.capabilities = frozenset(caps)

    @property
    def _template_ok(self) -> bool:
        return self.tokenizer is not None and self.report.chat_template is not None and self.report.chat_template.passed

    def _pick_scoring(self) -> tuple[str | None, str]:
        report = self.report
        if report.prompt_logprobs.passed and self._template_ok:
            return f"prompt_logprobs:{report.prompt_logprobs_method}", ""
        why = []
        if not report.prompt_logprobs.passed:
            why.append(f"prompt log-probs failed their check ({report.prompt_logprobs.detail})")
        elif self.tokenizer is None:
            why.append("prompt log-probs passed, but scoring a chat prompt through /v1/completions needs the model's "
                       "chat template: pass --tokenizer DIR")
        else:
            why.append(f"the local chat template does not match the endpoint ({report.chat_template.detail})")  # type: ignore[union-attr]
        if report.chat_logprobs.passed:
            return "next_token_topk", ""
        why.append(f"no verified next-token top-k either ({report.chat_logprobs.detail})")
        return None, "; ".join(why)

    # -- identity ------------------------------------------------------------------------
    @property
    def identity(self) -> ModelIdentity:
        descriptor = {"endpoint": self.client.base_url, "model": self.client.model, "api": self.api,
                      "tokenizer_sha256": self.tokenizer_sha256}
        digest = hashlib.sha256(json.dumps(descriptor, sort_keys=True).encode()).hexdigest()
        verified = sorted(c.value for c in self.capabilities)
        if self.report.chat_logprobs.passed or self.report.completion_logprobs.passed:
            verified.append(f"generated-logprobs(top-{self.report.top_k})")
        if self.report.prompt_logprobs.passed:
            verified.append(f"prompt-logprobs({self.report.prompt_logprobs_method})")
        if self.report.determinism.passed:
            verified.append("deterministic-at-temperature-0")
        return ModelIdentity(
            name=self.client.model, source=f"openai-compatible endpoint {self.client.base_url}",
            weights_sha256=f"served-{digest}", tokenizer_sha256=self.tokenizer_sha256,
            architecture=None, context_window=self.context_limit, dtype="unknown", device="served",
            capabilities=verified)

    @property
    def context_window(self) -> int:
        return self.context_limit or 1_000_000  # unknown: the server's own limit is enforced per request

    def capability_note(self, capability: Capability) -> str | None:
        return self.notes.get(capability.value)

    def backend_provenance(self) -> dict[str, Any]:
        fidelity = {"prompt_logprobs:echo": "full (teacher-forced prompt log-probs via echo)",
                    "prompt_logprobs:vllm_prompt_logprobs": "full (teacher-forced prompt log-probs via vLLM "
                                                            "prompt_logprobs)",
                    "next_token_topk": f"degraded (single-token options from the next-token top-{self._k('chat')}; an "
                                       "item whose options are not all single tokens in it is answered by generation "
                                       "and the probe's validated parser where the probe has one, else it is an "
                                       "error)",
                    None: "not available"}[self.scoring]
        accounting = self.client.accounting.snapshot()
        audit = accounting.get("audit", {})
        return {
            "backend": f"openai-compatible {self.client.base_url} model {self.client.model!r} via {self.api}",
            "scoring": fidelity,
            "generation_default": "greedy (temperature 0)"
                                  + ("" if self.report.determinism.passed else "; NOT verified deterministic"),
            "capability_checks": self.report.summary(),
            "requests": (f"sent {int(audit.get('sent', 0))}, from cache {int(audit.get('cached', 0))}, retries "
                         f"{int(audit.get('retries', 0))}, prompt tokens {int(audit.get('prompt_tokens', 0))}, "
                         f"completion tokens {int(audit.get('completion_tokens', 0))}, request time "
                         f"{audit.get('seconds', 0.0):.1f} s (this process; items resumed from results.jsonl "
                         "are not counted)"),
            "served": {"endpoint": self.client.base_url, "model": self.client.model, "api": self.api,
                       "api_key": f"${self.client.settings.api_key_env}" + (" (set)" if self.client.has_api_key
                                                                            else " (not set)"),
                       "concurrency": self.client.settings.concurrency,
                       "timeout_s": self.client.settings.timeout_s, "max_retries": self.client.settings.max_retries,
                       "cache": str(self.client.cache.path) if self.client.cache else None,
                       "accounting": accounting, "scoring_items": dict(sorted(self.scoring_counts.items())),
                       "checks": self.report.as_dict()},
        }

    # -- rendering -----------------------------------------------------------------------
    def render(self, messages: Messages) -> str:
        if self.tokenizer is None:
            raise ModelLoadError("rendering a chat prompt needs a local tokenizer (--tokenizer DIR)")
        return self.tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)

    def _count(self, what: str) -> None:
        with self._lock:
            self.scoring_counts[what] = self.scoring_counts.get(what, 0) + 1

    def _post(self, path: str, body: dict[str, Any], item_id: str) -> dict[str, Any]:
        try:
            return self.client.post(path, body)
        except RequestRejected as exc:
            if exc.status in (400, 413, 422) and any(w in exc.message.lower() for w in _CONTEXT_WORDS):
                raise ItemError(f"item {item_id!r}: prompt longer than the endpoint's context window ({exc})") from None
            if exc.status in (400, 422):
                raise ItemError(f"item {item_id!r}: the endpoint rejected the request ({exc})") from None
            raise EndpointError(f"{self.client.base_url}: {exc}") from None

    # -- generation ----------------------------------------------------------------------
    def generate(self, prompts: Sequence[Messages], config: GenerationConfig,
                 item_ids: Sequence[str] | None = None) -> list[Generation]:
        if Capability.GENERATE not in self.capabilities:
            raise NotImplementedError(self.notes.get(Capability.GENERATE.value, "cannot generate"))
        ids = list(item_ids) if item_ids is not None else [str(i) for i in range(len(prompts))]
        return self.client.map(lambda pair: self._generate_one(pair[0], config, pair[1]), list(zip(prompts, ids)))

    def _sampling(self, config: GenerationConfig, item_id: str) -> dict[str, Any]:
        if config.greedy:
            return {"temperature": 0}
        from audit.models.hf import _item_seed  # the same per-item seed as the local backend

        return {"temperature": config.temperature, "top_p": config.top_p, "seed": _item_seed(config.seed, item_id)}

    def _generate_one(self, messages: Messages, config: GenerationConfig, item_id: str) -> Generation:
        try:
            if self.api == "chat":
                body: dict[str, Any] = {"messages": [dict(m) for m in messages], "max_tokens": config.max_new_tokens,
                                        **self._sampling(config, item_id)}
                if self.report.chat_logprobs.passed:
                    body.update(logprobs=True, top_logprobs=1)
                response = self._post("chat/completions", body, item_id)
                text, tokens = chat_text(response), chat_logprobs(response) if self.report.chat_logprobs.passed else None
            else:
                body = {"prompt": self.render(messages), "max_tokens": config.max_new_tokens,
                        **self._sampling(config, item_id)}
                if self.report.completion_logprobs.passed:
                    body["logprobs"] = 1
                response = self._post("completions", body, item_id)
                text = completion_text(response)
                tokens = completion_logprobs(response) if self.report.completion_logprobs.passed else None
        except ProtocolError as exc:
            raise ItemError(f"item {item_id!r}: malformed answer from the endpoint ({exc})") from None
        usage = response.get("usage") or {}
        return Generation(
            text=text,
            tokens=[t.token for t in tokens] if tokens else [],
            token_logprobs=[float(t.logprob) for t in tokens if t.logprob is not None] if tokens else [],
            n_prompt_tokens=int(usage.get("prompt_tokens") or 0),
            finish_reason=finish_reason(response),
        )

    # -- scoring -------------------------------------------------------------------------
    def prefetch_options(self, requests: Sequence[tuple[Messages, dict[str, Sequence[str]]]]) -> None:
        """Send a chunk's scoring requests concurrently, so the sequential ``score_options`` calls that follow
        are answered from the cache."""
        if self.scoring is None or self.client.cache is None or len(requests) < 2:
            return
        bodies = []
        for messages, options in requests:
            try:
                bodies.extend(self._scoring_requests(messages, options))
            except Exception:  # rendering problems surface in score_options, item by item
                continue
        try:
            self.client.map(lambda pb: self.client.post(*pb), bodies)
        except (RequestRejected, EndpointError):
            pass  # the failing request is retried and reported by score_options

    def _scoring_requests(self, messages: Messages, options: dict[str, Sequence[str]]) -> list[tuple[str, dict]]:
        if self.scoring == "next_token_topk":
            return [("chat/completions", self._topk_body(messages))]
        prompt = self.render(messages)
        out = [("completions", {"prompt": prompt, "max_tokens": 1, "temperature": 0, "logprobs": self._k("completions")})]
        for texts in options.values():
            for text in texts:
                out.append(("completions", self._echo_body(prompt + text)))
        return out

    def _topk_body(self, messages: Messages) -> dict[str, Any]:
        return {"messages": [dict(m) for m in messages], "max_tokens": 1, "temperature": 0, "logprobs": True,
                "top_logprobs": self._k("chat")}

    def _k(self, api: str) -> int:
        """The largest top-k the endpoint accepted (and honoured) at the check."""
        check = self.report.chat_logprobs if api == "chat" else self.report.completion_logprobs
        return int(check.data.get("requested", 5)) if check.passed else 5

    def _echo_body(self, text: str) -> dict[str, Any]:
        if self.scoring == "prompt_logprobs:echo":
            return {"prompt": text, "max_tokens": 1, "temperature": 0, "echo": True, "logprobs": 1}
        return {"prompt": text, "max_tokens": 1, "temperature": 0, "prompt_logprobs": 0}

    def score_options(self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str = "?") -> OptionScores:
        if self.scoring is None:
            raise NotImplementedError(self.notes.get(Capability.SCORE.value, "cannot score"))
        try:
            if self.scoring == "next_token_topk":
                return self._score_topk(prompt, options, item_id)
            return self._score_echo(prompt, options, item_id)
        except ProtocolError as exc:
            raise ItemError(f"item {item_id!r}: malformed answer from the endpoint ({exc})") from None

    def _score_topk(self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str) -> OptionScores:
        response = self._post("chat/completions", self._topk_body(prompt), item_id)
        tokens = chat_logprobs(response)
        if not tokens or not tokens[0].top:
            raise ScoringUnavailable(item_id, "the endpoint returned no next-token top-k for this item")
        top = tokens[0].top_dict()
        variant_logprobs, per_token, by_label = {}, {}, {}
        missing = []
        for label, texts in options.items():
            found = [(text, top[text]) for text in texts if text in top]
            if not found:
                missing.append(label)
                continue
            for text, lp in found:
                variant_logprobs[f"{label}::{text}"] = lp
                per_token[f"{label}::{text}"] = [lp]
            by_label[label] = logsumexp([lp for _, lp in found])
        if missing:
            self._count("unscorable")
            raise ScoringUnavailable(item_id, f"option(s) {', '.join(map(repr, missing))} are not single tokens among "
                                     f"the endpoint's next-token top-{len(top)} (degraded scoring without prompt "
                                     "log-probs)")
        self._count("next_token_topk")
        best = tokens[0].top[0][0]
        first_tokens = {text for texts in options.values() for text in texts if text in top}
        mass = math.fsum(math.exp(top[t]) for t in first_tokens)
        usage = response.get("usage") or {}
        return OptionScores(by_label, variant_logprobs, best, best in first_tokens, min(mass, 1.0),
                            int(usage.get("prompt_tokens") or 0), variant_token_logprobs=per_token)

    def _score_echo(self, prompt: Messages, options: dict[str, Sequence[str]], item_id: str) -> OptionScores:
        rendered = self.render(prompt)
        head = self._post("completions", {"prompt": rendered, "max_tokens": 1, "temperature": 0,
                                          "logprobs": self._k("completions")}, item_id)
        head_tokens = completion_logprobs(head)
        best = head_tokens[0].top[0][0] if head_tokens and head_tokens[0].top else completion_text(head)
        variants = [(label, text) for label, texts in options.items() for text in texts]
        variant_logprobs, per_token, first_tokens = {}, {}, {}
        for label, text in variants:
            lps, first = self._variant_logprobs(rendered, text, item_id)
            variant_logprobs[f"{label}::{text}"] = math.fsum(lps)
            per_token[f"{label}::{text}"] = lps
            first_tokens[first[0]] = first[1]
        by_label: dict[str, list[float]] = {}
        for (label, text) in variants:
            by_label.setdefault(label, []).append(variant_logprobs[f"{label}::{text}"])
        self._count("prompt_logprobs")
        mass = math.fsum(math.exp(lp) for lp in first_tokens.values())
        usage = head.get("usage") or {}
        return OptionScores({label: logsumexp(v) for label, v in by_label.items()}, variant_logprobs, best,
                            best in first_tokens, min(mass, 1.0), int(usage.get("prompt_tokens") or 0),
                            variant_token_logprobs=per_token)

    def _variant_logprobs(self, rendered: str, text: str, item_id: str) -> tuple[list[float], tuple[str, float]]:
        full = rendered + text
        response = self._post("completions", self._echo_body(full), item_id)
        if self.scoring == "prompt_logprobs:echo":
            tokens = completion_logprobs(response)
            if tokens is None:
                raise ScoringUnavailable(item_id, "the endpoint dropped the prompt log-probs it gave at the check")
            tokens = [t for t in tokens if t.offset is not None and t.offset < len(full)]
        else:
            tokens = vllm_prompt_logprobs(response, full)
            if tokens is None:
                raise ScoringUnavailable(item_id, "the endpoint dropped the prompt log-probs it gave at the check")
        tail = [t for t in tokens if t.offset is not None and t.offset >= len(rendered)]
        if not tail or tail[0].offset != len(rendered) or "".join(t.token for t in tail) != text:
            raise ScoringUnavailable(item_id, f"option {text!r} does not start on a token boundary after the prompt")
        if any(t.logprob is None for t in tail):
            raise ScoringUnavailable(item_id, f"option {text!r} has tokens without a prompt log-prob")
        lps = [float(t.logprob) for t in tail]  # type: ignore[arg-type]
        return lps, (tail[0].token, lps[0])


def load_served(spec: str, model_name: str | None = None, api: str = "chat", tokenizer: str | Path | Any = None,
                settings: ClientSettings | None = None, cache_path: str | Path | None = None,
                context_window: int | None = None, transport: Any = None) -> ServedModel:
    """Connect to ``spec``, verify what the endpoint provides, and return the model under audit."""
    url, name_in_spec = parse_spec(spec)
    try:
        base_url = normalise_base_url(url)
    except EndpointError as exc:
        raise ModelLoadError(str(exc)) from None
    if model_name and name_in_spec and model_name != name_in_spec:
        raise ModelLoadError(f"two model names given: {name_in_spec!r} in the URL and {model_name!r}")
    if api not in ("chat", "completions"):
        raise ModelLoadError(f"unknown API {api!r} (use chat or completions)")
    settings = settings or ClientSettings()
    if cache_path is None:
        from audit.models.loading import cache_root

        cache_path = cache_root() / "served" / "responses.sqlite"
    cache = ResponseCache(Path(cache_path)) if cache_path != "" else None
    name = model_name or name_in_spec
    client = ServedClient(base_url, name or "", settings, cache, transport=transport)
    try:
        listed = client.get("models")
    except (EndpointError, RequestRejected) as exc:
        listed = None
        if name is None:
            raise ModelLoadError(f"cannot list the endpoint's models to pick one ({exc}); pass --model-name") from None
    ids = [m.get("id") for m in (listed or {}).get("data", []) if isinstance(m, dict)]
    if name is None:
        if len(ids) != 1:
            raise ModelLoadError(f"the endpoint serves {len(ids)} models ({', '.join(map(str, ids[:5]))}); "
                                 "choose one with --model-name")
        name = str(ids[0])
        client.model = name
    if context_window is None:
        entry = next((m for m in (listed or {}).get("data", []) if isinstance(m, dict) and m.get("id") == name), {})
        limit = entry.get("max_model_len") or (entry.get("meta") or {}).get("n_ctx_train")
        context_window = int(limit) if isinstance(limit, (int, float)) else None
    local_tokenizer, tokenizer_sha = None, "none"
    if isinstance(tokenizer, (str, Path)):
        local_tokenizer, tokenizer_sha = _load_tokenizer(Path(tokenizer))
    elif tokenizer is not None:  # an already loaded tokenizer (notebooks, tests)
        local_tokenizer, tokenizer_sha = tokenizer, f"in-memory:{type(tokenizer).__name__}"
    if api == "completions" and local_tokenizer is None:
        raise ModelLoadError("--api completions renders chat prompts locally: pass --tokenizer DIR")
    try:
        report = verify(client, render=(lambda m: local_tokenizer.apply_chat_template(
            m, tokenize=False, add_generation_prompt=True)) if local_tokenizer is not None else None)
    except EndpointError as exc:
        raise ModelLoadError(f"the endpoint did not answer the capability checks: {exc}") from None
    if not (report.chat_generation.passed or report.completion_generation.passed):
        raise ModelLoadError(f"{base_url} does not generate for model {name!r}: {report.chat_generation.detail}")
    return ServedModel(client=client, report=report, api=api, tokenizer=local_tokenizer,
                       tokenizer_sha256=tokenizer_sha, context_limit=context_window)


def _load_tokenizer(folder: Path) -> tuple[Any, str]:
    from audit.models.loading import _tokenizer_files, sha256_files

    if not folder.is_dir():
        raise ModelLoadError(f"--tokenizer {folder} is not a folder")
    try:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(folder)
    except Exception as exc:
        raise ModelLoadError(f"cannot load the tokenizer in {folder}: {exc}") from exc
    if tokenizer.chat_template is None:
        raise ModelLoadError(f"the tokenizer in {folder} has no chat template")
    return tokenizer, sha256_files(_tokenizer_files(folder))


def served_options(spec: str, model_name: str | None, api: str, tokenizer: Path | None, concurrency: int,
                   timeout_s: float, cache_path: Path | None) -> tuple[str, dict[str, Any]]:
    """The CLI's served-model options as (spec with the model name folded in, ``load_served`` keyword arguments).

    The model name becomes part of the spec (``...v1#NAME``), so it is part of the run's settings and a
    later ``medaudit explain`` reconnects to the same model; how requests are sent (concurrency, timeout,
    cache) is not, since it does not change results."""
    url, in_spec = parse_spec(spec)
    if model_name and in_spec and model_name != in_spec:
        raise ModelLoadError(f"two model names given: {in_spec!r} in the URL and {model_name!r}")
    name = model_name or in_spec
    folded = f"{SCHEME}{url}#{name}" if name else f"{SCHEME}{url}"
    options: dict[str, Any] = {"api": api, "settings": ClientSettings(concurrency=concurrency, timeout_s=timeout_s)}
    if tokenizer is not None:
        options["tokenizer"] = tokenizer.resolve()
    if cache_path is not None:
        options["cache_path"] = cache_path.resolve()
    return folded, options
