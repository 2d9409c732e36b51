"""Run probes against a model: select, execute in fixed batches, log every item, resume.

Items are computed in fixed chunks of the probe's query list, so a resumed run puts
every item through exactly the computation an uninterrupted run would have, and the
evidence comes out identical.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from audit.errors import ItemError, RunFolderError, ScoringUnavailable, SelectionError
from audit.evidence import (
    DataSource,
    Evidence,
    Finding,
    ItemResult,
    Metric,
    ModelIdentity,
    ProbeResult,
    Provenance,
)
from audit.models.base import Capability, ModelUnderAudit, OptionScores
from audit.probes import PROBES, HiddenStates, ParsedChoice, Probe, Query, register_builtin_probes
from audit.redaction import Redactor, redaction_key
from audit.results_log import ResultsLog
from audit import provenance as prov

if TYPE_CHECKING:
    from audit.attribution.findings import ExplainSettings
    from audit.phi import Span

RESULTS_FILE = "results.jsonl"
RUN_FILE = "run.json"
EVIDENCE_FILE = "evidence.json"


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run's results (the output folder does not)."""

    model: str | None = None
    probes: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    limit: int | None = None
    seed: int = 0
    full: bool = False
    samples: int | None = None  # sampled answers per item for sampling-based detectors; None: the profile's
    device: str = "auto"
    dtype: str = "auto"
    batch_size: int = 8
    data: tuple[tuple[str, str], ...] = ()  # (probe id, user data file)
    show_pii: bool = False  # store identifiers found in model output unredacted
    explain: int = 3  # explain the N most severe findings (0: none)
    explain_methods: tuple[str, ...] = ()  # token-attribution methods; () = the profile's default
    explain_budget_s: float | None = 90.0  # stop starting new explanations after this long

    def explain_settings(self) -> "ExplainSettings":
        """The explanation settings this run's profile and options imply."""
        from audit.attribution.findings import ExplainSettings

        methods = self.explain_methods or (("occlusion", "shap", "captum.integrated_gradients") if self.full
                                           else ("occlusion",))
        # The default profile draws fewer random rankings and curve points so that three explanations fit the
        # 90 s budget; --full keeps the finer curves.
        return ExplainSettings(top_k=self.explain, methods=methods, budget_s=self.explain_budget_s, seed=self.seed,
                               items_per_finding=3 if self.full else 1, random_rankings=3 if self.full else 2,
                               curve_points=10 if self.full else 5)

    @property
    def profile(self) -> str:
        return "full" if self.full else "default"

    def fingerprint(self) -> str:
        """A short hash of the settings that change results (not device or batch size)."""
        keys = {k: v for k, v in asdict(self).items() if k not in ("device", "batch_size")}
        if keys["samples"] is None:  # unset: fingerprints of runs made before --samples existed stay valid
            del keys["samples"]
        return hashlib.sha256(json.dumps(keys, sort_keys=True, default=str).encode()).hexdigest()[:12]


def select_probes(config: RunConfig) -> list[Probe]:
    """Probes chosen by id, suite or tag; by default those tagged ``default``."""
    register_builtin_probes()
    data = dict(config.data)
    unknown = set(data) - set(config.probes)
    if unknown:
        raise SelectionError(f"--data given for {', '.join(sorted(unknown))} but that probe was not selected with --probe")
    chosen: list[str] = []
    for name in config.probes:
        PROBES.get(name)  # raises a clear error for an unknown id
        chosen.append(name)
    for name in PROBES.names():
        cls = PROBES.get(name)
        if name in chosen:
            continue
        if cls.suite in config.suites or set(cls.tags) & set(config.tags):
            chosen.append(name)
    if not (config.probes or config.suites or config.tags):
        chosen = [n for n in PROBES.names() if "default" in PROBES.get(n).tags]
    if not chosen:
        raise SelectionError("no probe matches the selection (see `medaudit list`)")
    probes = [PROBES.get(name)(Path(data[name]) if name in data else None, seed=config.seed, full=config.full)
              for name in chosen]
    for probe in probes:
        probe.n_samples = config.samples
    return probes


@dataclass
class PreparedProbe:
    probe: Probe
    queries: list[Query]
    data: DataSource | None
    skip_reason: str | None = None
    auxiliary: dict[str, str] = field(default_factory=dict)  # path -> sha256


@dataclass
class RunOutcome:
    folder: Path
    evidence: Evidence
    resumed_items: int
    computed_items: int
    warnings: list[str] = field(default_factory=list)


def _data_label(path: Path) -> str:
    """A data path as recorded in evidence: relative to the project for shipped files."""
    root = Path(__file__).resolve().parent.parent
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path.resolve())


def prepare(probe: Probe, model: ModelUnderAudit, config: RunConfig) -> PreparedProbe:
    """Load and select the probe's data and build its queries, or say why it is skipped."""
    from audit.data import file_sha256

    missing = sorted((c for c in probe.requires if not model.supports(c)), key=lambda c: c.value)
    if missing == [Capability.SCORE] and answers_by_generation(probe, model):
        missing = []  # options are answered by generation and the probe's validated parser instead
    if missing:
        reasons = [f"{c.value} ({model.capability_note(c)})" if model.capability_note(c) else c.value for c in missing]
        return PreparedProbe(probe, [], None, f"the model backend lacks: {', '.join(reasons)}")
    probe.model_layers = model.n_layers
    items = probe.load_items()
    selected, how = probe.select(items, config.limit, config.full)
    data = None
    if probe.data_path is not None:
        data = DataSource(path=_data_label(probe.data_path), sha256=file_sha256(probe.data_path),
                          n_items_available=len(items), n_items_used=len(selected), selection=how,
                          license=probe.data_license)
    auxiliary = {_data_label(p): file_sha256(p) for p in probe.auxiliary_paths()}
    return PreparedProbe(probe, probe.build_queries(selected), data, auxiliary=auxiliary)


def answers_by_generation(probe: Probe, model: ModelUnderAudit) -> bool:
    """Whether the probe's options queries are answered by generation plus its validated parser: the backend
    cannot score options but can generate, and the probe names a parser."""
    return (probe.choice_parser is not None and not model.supports(Capability.SCORE)
            and model.supports(Capability.GENERATE))


def _generate_choices(probe: Probe, model: ModelUnderAudit, queries: Sequence[Query]) -> dict[str, ParsedChoice | ItemError]:
    """Greedy answers to options queries, read by the probe's parser; an item that cannot run is its error."""
    parser = probe.choice_parser
    assert parser is not None
    name = getattr(parser, "__qualname__", "parser")
    answers: dict[str, ParsedChoice | ItemError] = {}
    try:
        outputs = model.generate([q.messages for q in queries], probe.choice_generation, [q.item_id for q in queries])
        pairs: list[tuple[Query, Any]] = list(zip(queries, outputs))
    except ItemError:
        pairs = []
        for q in queries:
            try:
                pairs.append((q, model.generate([q.messages], probe.choice_generation, [q.item_id])[0]))
            except ItemError as exc:
                pairs.append((q, exc))
    for q, out in pairs:
        answers[q.item_id] = out if isinstance(out, ItemError) else ParsedChoice(out, parser(q, out.text), name)
    return answers


def _execute_chunk(probe: Probe, model: ModelUnderAudit, chunk: Sequence[Query]) -> list[ItemResult]:
    """Run one fixed chunk of queries; an item that cannot run becomes an error item."""
    results: list[ItemResult] = []
    by_generation = answers_by_generation(probe, model)
    options = [q for q in chunk if q.kind == "options"]
    choices = _generate_choices(probe, model, options) if by_generation and options else {}
    if not by_generation:
        model.prefetch_options([(q.messages, q.options) for q in options])
    generate = [q for q in chunk if q.kind == "generate"]
    generated = {}
    if generate:
        started = time.perf_counter()
        try:
            outputs = model.generate([q.messages for q in generate], generate[0].generation,
                                     [q.item_id for q in generate])
            each = (time.perf_counter() - started) / len(generate)
            generated = {q.item_id: (out, each) for q, out in zip(generate, outputs)}
        except ItemError:
            for q in generate:  # find the offending item(s) by running one at a time
                started = time.perf_counter()
                try:
                    out = model.generate([q.messages], q.generation, [q.item_id])[0]
                    generated[q.item_id] = (out, time.perf_counter() - started)
                except ItemError as exc:
                    generated[q.item_id] = (exc, 0.0)
    for query in chunk:
        started = time.perf_counter()
        try:
            if query.kind == "options":
                response, elapsed = _score_or_answer(probe, model, query, choices), None
                if isinstance(response, ParsedChoice):
                    result = probe.score_choice(query, response)
                    results.append(result.model_copy(update={"elapsed_s": time.perf_counter() - started}))
                    continue
            elif query.kind == "hidden_states":
                response, elapsed = _store_hidden_states(probe, model, query), None
            elif query.kind == "compute":
                response, elapsed = probe.compute(model, query), None
            else:
                response, elapsed = generated[query.item_id]
                if isinstance(response, ItemError):
                    raise response
            result = probe.score(query, response)
            result = result.model_copy(update={"elapsed_s": elapsed if elapsed is not None else time.perf_counter() - started})
        except ItemError as exc:
            result = ItemResult(probe_id=probe.id, item_id=query.item_id, index=query.index, group=query.group,
                                condition=query.condition, prompt=list(query.messages), reference=query.reference,
                                outcome="error", error=str(exc))
        results.append(result)
    return results


def _score_or_answer(probe: Probe, model: ModelUnderAudit, query: Query,
                     choices: dict[str, ParsedChoice | ItemError]) -> OptionScores | ParsedChoice:
    """Option scores where the backend can give them; else (the whole probe, or this one item that the backend
    cannot score) the greedy answer read by the probe's validated parser."""
    answer = choices.get(query.item_id)
    if answer is None:
        try:
            return model.score_options(query.messages, query.options, query.item_id)
        except ScoringUnavailable:
            if probe.choice_parser is None or not model.supports(Capability.GENERATE):
                raise
            answer = _generate_choices(probe, model, [query])[query.item_id]
    if isinstance(answer, ItemError):
        raise answer
    return answer


def _store_hidden_states(probe: Probe, model: ModelUnderAudit, query: Query) -> HiddenStates:
    """Compute (or, on resume, reuse) one item's activations and keep them as a float16 .npy artifact."""
    import numpy as np

    from audit.models.loading import sha256_file

    if probe.artifact_root is None:
        raise RunFolderError("hidden-state probes need a run folder for their activations")
    safe = hashlib.sha256(query.item_id.encode()).hexdigest()[:16]
    relative = Path("artifacts") / probe.id / f"{safe}.npy"
    path = probe.artifact_root / relative
    array = np.asarray(model.hidden_states([query.messages], list(query.layers), chat=query.chat)[0], dtype=np.float16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            np.save(handle, array)
        tmp.replace(path)
    except OSError as exc:
        raise RunFolderError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return HiddenStates(array, f"{relative.as_posix()} sha256:{sha256_file(path)}")


def _progress(total: int, enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.console import Console

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def _open_folder(folder: Path, config: RunConfig, identity: ModelIdentity) -> tuple[ResultsLog, str]:
    """Create or reopen a run folder; refuse one that holds a different run."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"cannot create run folder {folder}: {exc.strerror or exc}") from exc
    if not folder.is_dir():
        raise RunFolderError(f"run folder {folder} is not a folder")
    run_file = folder / RUN_FILE
    expected = {"fingerprint": config.fingerprint(), "model_weights_sha256": identity.weights_sha256}
    if run_file.exists():
        recorded = json.loads(run_file.read_text())
        if {k: recorded.get(k) for k in expected} != expected:
            raise RunFolderError(f"{folder} holds a different run (other settings or model); "
                                 "choose another --out to start a new one")
        started_at = recorded["started_at"]
    else:
        started_at = prov.now_iso()
        try:
            run_file.write_text(json.dumps({**expected, "started_at": started_at, "config": asdict(config)},
                                           indent=2, default=str))
        except OSError as exc:
            raise RunFolderError(f"cannot write {run_file}: {exc.strerror or exc}") from exc
    log = ResultsLog(folder / RESULTS_FILE)
    log.load()
    return log, started_at


def run_audit(model: ModelUnderAudit, config: RunConfig, folder: Path, progress: bool = True,
              command_line: Sequence[str] | None = None,
              on_item: Callable[[ItemResult], None] | None = None) -> RunOutcome:
    """Run the selected probes, resuming from ``folder`` if it holds this run, and write evidence."""
    probes = select_probes(config)
    identity = model.identity
    log, started_at = _open_folder(folder, config, identity)
    resumed = len(log.items)
    for probe in probes:
        probe.artifact_root = folder
    prepared = [prepare(p, model, config) for p in probes]
    computed = 0
    redactor = None if config.show_pii else Redactor(redaction_key())
    total = sum(len(p.queries) for p in prepared)
    with _progress(total, progress) as bar:
        task = bar.add_task("auditing", total=total, completed=sum(
            log.has(p.probe.id, q.item_id) for p in prepared for q in p.queries))
        for prep in prepared:
            bar.update(task, description=prep.probe.id)
            for start in range(0, len(prep.queries), config.batch_size):
                chunk = prep.queries[start:start + config.batch_size]
                if all(log.has(prep.probe.id, q.item_id) for q in chunk):
                    continue
                by_id = {q.item_id: q for q in chunk}
                for result in _execute_chunk(prep.probe, model, chunk):
                    if log.has(result.probe_id, result.item_id):
                        continue
                    if redactor is not None:
                        extra = prep.probe.sensitive_spans(by_id[result.item_id], result.response or "")
                        result = _redact(result, redactor, extra)
                    log.append(result)
                    computed += 1
                    if on_item:
                        on_item(result)
                    bar.advance(task)
    evidence = build_evidence(prepared, log, config, identity, started_at, command_line or sys.argv)
    from audit.reliability import measured_reliability

    reliability, reliability_warnings = measured_reliability(
        r.probe_id for r in evidence.probe_results if r.status == "completed")
    evidence = evidence.model_copy(update={"reliability": reliability})
    backend = model.backend_provenance()
    if backend:  # e.g. a served endpoint: verified capabilities, scoring fidelity, requests sent vs cached
        decoding = {**evidence.provenance.decoding, **backend}
        evidence = evidence.model_copy(update={"provenance": evidence.provenance.model_copy(update={"decoding": decoding})})
    if config.explain and evidence.findings:
        evidence = explain_run(model, prepared, evidence, config.explain_settings(), folder, progress)
    write_evidence(evidence, folder / EVIDENCE_FILE)
    warnings = [f"{r.probe_id}: {r.outcome_counts.get('error')} item(s) could not run (see evidence)"
                for r in evidence.probe_results if r.outcome_counts.get("error")] + reliability_warnings
    return RunOutcome(folder, evidence, resumed, computed, warnings)


def explain_run(model: ModelUnderAudit, prepared: Sequence[PreparedProbe], evidence: Evidence,
                settings: "ExplainSettings", folder: Path, progress: bool = True) -> Evidence:
    """Attach explanations of findings (resuming from the run folder's explanation log)."""
    from audit.attribution.findings import EXPLANATIONS_FILE, ProbeQueries, explain_findings
    from audit.models.base import Capability
    from audit.results_log import ExplanationLog

    from audit.models.hf import HFModel

    if not isinstance(model, HFModel) or not model.supports(Capability.HOOKS):
        return evidence.model_copy(update={"explanation_plan": "Findings not explained: the model backend gives no "
                                           "access to its weights and activations (capability 'hooks')."})
    probes = {p.probe.id: ProbeQueries(p.probe, {q.item_id: q for q in p.queries}) for p in prepared}
    log = ExplanationLog(folder / EXPLANATIONS_FILE)
    log.load()
    if progress:
        print(f"explaining up to {settings.top_k} finding(s)...", file=sys.stderr)
    started = time.perf_counter()
    explained = explain_findings(model, evidence, probes, settings, log)  # type: ignore[arg-type]
    print(f"explained {len(explained.explanations)} item(s) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return explained


def _redact(result: ItemResult, redactor: Redactor, extra: Sequence["Span"] = ()) -> ItemResult:
    """Replace identifiers in the model's output (response, sampled responses, parsed answer) by keyed tokens."""
    if not result.response and not result.parsed and not result.samples:
        return result
    response, records = redactor.redact(result.response, extra) if result.response else (result.response, [])
    parsed, _ = redactor.redact(result.parsed) if result.parsed else (result.parsed, [])
    samples = []
    for index, sample in enumerate(result.samples):
        redacted, found = redactor.redact(sample) if sample else (sample, [])
        samples.append(redacted)
        records = [*records, *(r.model_copy(update={"sample": index}) for r in found)]
    if not records and parsed == result.parsed and samples == result.samples:
        return result
    return result.model_copy(update={"response": response, "parsed": parsed, "samples": samples,
                                     "redactions": [*result.redactions, *records]})


def _probe_result(prep: PreparedProbe, log: ResultsLog) -> ProbeResult:
    probe = prep.probe
    meta = dict(probe_id=probe.id, suite=probe.suite, title=probe.title, description=probe.description,
                references=list(probe.references), tags=list(probe.tags),
                requires=sorted(c.value for c in probe.requires))
    if prep.skip_reason:
        return ProbeResult(**meta, status="skipped", skip_reason=prep.skip_reason)
    items = sorted((log.items[(probe.id, q.item_id)] for q in prep.queries), key=lambda r: r.index)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.outcome] = counts.get(item.outcome, 0) + 1
    summary = probe.summarise(items)
    return ProbeResult(**meta, status="completed", data=prep.data, metrics=summary.metrics,
                       tests=summary.tests, verdict=summary.verdict, outcome_counts=dict(sorted(counts.items())),
                       items=items)


def _findings(results: Sequence[ProbeResult]) -> list[Finding]:
    findings = []
    for result in results:
        verdict = result.verdict
        if verdict is None or verdict.status == "pass":
            continue
        severity = "high" if verdict.status == "fail" else "medium"
        failed = [i.item_id for i in result.items if i.outcome in ("incorrect", "error")]
        findings.append(Finding(id=f"{result.probe_id}:{verdict.status}", probe_id=result.probe_id,
                                severity=severity, summary=f"{result.title}: {verdict.explanation}",
                                item_ids=failed))
    return findings


def build_evidence(prepared: Sequence[PreparedProbe], log: ResultsLog, config: RunConfig,
                   identity: ModelIdentity, started_at: str, command_line: Sequence[str]) -> Evidence:
    """Assemble the evidence from the results log (the order is fixed by item index)."""
    results = [_probe_result(p, log) for p in prepared]
    data_files = {p.data.path: p.data.sha256 for p in prepared if p.data}
    for prep in prepared:
        data_files.update(prep.auxiliary)
    provenance = Provenance(
        tool_version=prov.package_versions().get("medaudit", "unknown"), git_commit=prov.git_commit(),
        command_line=list(command_line), python=prov.python_version(), platform=prov.platform_description(),
        packages=prov.package_versions(), model=identity, seed=config.seed, profile=config.profile,
        limit=config.limit, decoding={"scoring": "teacher-forced option log-probabilities",
                                      "generation_default": "greedy", "batch_size": config.batch_size,
                                      "pii_in_output": "shown (--show-pii)" if config.show_pii else "redacted"},
        data_files=data_files, started_at=started_at, finished_at=prov.now_iso(),
    )
    audit_id = "ma-" + hashlib.sha256(f"{config.fingerprint()}:{identity.weights_sha256}".encode()).hexdigest()[:12]
    return Evidence(audit_id=audit_id, provenance=provenance, probe_results=results, findings=_findings(results),
                    pii_detectors=pii_detector_metrics())


def pii_detector_metrics() -> list[Metric]:
    """The redacting PHI detectors' precision and recall per type on the held-out set (Wilson CIs)."""
    from probes.privacy.data.check_detectors import HELD_OUT, OVERALL, figures

    metrics = []
    for kind, figure in figures(HELD_OUT, overall=True).items():
        for what, counted in (("precision", "predicted"), ("recall", "n")):
            interval = figure[what]
            metrics.append(Metric(
                name=f"{what}:{kind}", kind="rate", n=figure[counted], method=interval.method,
                estimate=interval.estimate if figure[counted] else None,
                ci_low=interval.low if figure[counted] else None, ci_high=interval.high if figure[counted] else None,
                description=f"{what} of the {'micro-averaged ' if kind == OVERALL else ''}{kind} detector on "
                            f"{HELD_OUT.name} (span overlap, same type)"))
    return metrics


def write_evidence(evidence: Evidence, path: Path) -> None:
    """Write atomically, so a crash never leaves a half-written evidence file."""
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(evidence.model_dump_json(indent=2), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RunFolderError(f"cannot write {path}: {exc.strerror or exc}") from exc


def load_run_config(folder: Path) -> RunConfig:
    """The settings a run folder was created with (from its run.json)."""
    run_file = folder / RUN_FILE
    try:
        recorded = json.loads(run_file.read_text())["config"]
    except FileNotFoundError:
        raise RunFolderError(f"{folder} is not a run folder (no {RUN_FILE})") from None
    except (OSError, ValueError, KeyError) as exc:
        raise RunFolderError(f"cannot read {run_file}: {exc}") from exc
    fields = {f for f in RunConfig.__dataclass_fields__}
    values = {k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
              for k, v in recorded.items() if k in fields}
    return RunConfig(**values)


def add_explanations(folder: Path, settings: "ExplainSettings", device: str | None = None,
                     model: ModelUnderAudit | None = None) -> Evidence:
    """Explain findings of a finished run; merge them into its evidence.json and return it.

    The run's model is loaded from its recorded path unless ``model`` is given (e.g. in a notebook);
    either way its weights must hash to those the run audited."""
    from audit.models import load_model
    from audit.report.render import load_evidence

    config = load_run_config(folder)
    evidence_path = folder / EVIDENCE_FILE
    if not evidence_path.exists():
        raise RunFolderError(f"{folder} has no {EVIDENCE_FILE}: finish the run first (rerun `medaudit run --out "
                             f"{folder}` to resume it)")
    evidence = load_evidence(evidence_path)
    if model is None:
        model = load_model(config.model, device=device or config.device, dtype=config.dtype)
    if model.identity.weights_sha256 != evidence.provenance.model.weights_sha256:
        raise RunFolderError(f"the model {config.model or 'embedded default'} no longer matches the weights this run "
                             "audited (sha256 differs)")
    probes = select_probes(config)
    for probe in probes:
        probe.artifact_root = folder
    prepared = [prepare(p, model, config) for p in probes]
    explained = explain_run(model, prepared, evidence, settings, folder, progress=False)
    from audit.attribution.findings import merge_explanations, summarise

    merged = merge_explanations(evidence.explanations, explained.explanations)

    plans = [p for p in (evidence.explanation_plan, explained.explanation_plan) if p]
    evidence = evidence.model_copy(update={"explanations": merged,
                                           "explanation_summaries": summarise(merged, config.seed),
                                           "explanation_plan": " ".join(plans) or None})
    write_evidence(evidence, evidence_path)
    return evidence
