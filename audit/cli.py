"""The ``medaudit`` command line: run, list, report."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, List, Optional

import typer

from audit.errors import MedauditError, SelectionError

app = typer.Typer(add_completion=False, no_args_is_help=False, help="Audit medical LLMs for hallucination, bias and privacy leakage.")


def _quiet_libraries() -> None:
    """Offline, and no library progress bars or advice on stderr."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass


def _guard(action: Callable[[], None]) -> None:
    """Turn known errors into one line and a non-zero exit."""
    try:
        action()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        typer.echo("\ninterrupted", err=True)
        raise typer.Exit(130) from None
    except MedauditError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except Exception as exc:  # a bug, not user input: still one line unless debugging
        if os.environ.get("MEDAUDIT_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set MEDAUDIT_DEBUG=1 for the traceback)", err=True)
        raise typer.Exit(1) from None


def _auto_folder(runs_dir: Path, fingerprint: str, weights_sha: str) -> tuple[Path, bool]:
    """The newest unfinished run of the same settings and model, or a fresh folder."""
    import json

    from audit.runner import EVIDENCE_FILE, RUN_FILE

    if runs_dir.is_dir():
        for folder in sorted(runs_dir.glob(f"*-{fingerprint}"), reverse=True):
            run_file = folder / RUN_FILE
            if (folder / EVIDENCE_FILE).exists() or not run_file.exists():
                continue
            try:
                recorded = json.loads(run_file.read_text())
            except (OSError, ValueError):
                continue
            if recorded.get("model_weights_sha256") == weights_sha:
                return folder, True
    return runs_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{fingerprint}", False


@app.command()
def run(
    model: Optional[str] = typer.Option(None, help="Local HF folder or .gguf file, or a served endpoint "
                                        "openai+http://HOST:PORT/v1 (API key from $MEDAUDIT_API_KEY); default: the "
                                        "embedded SmolLM2-135M-Instruct."),
    model_name: Optional[str] = typer.Option(None, help="Served endpoints: the model name to request (default: the "
                                             "endpoint's only model)."),
    api: str = typer.Option("chat", help="Served endpoints: generate through 'chat' completions (server-side chat "
                            "template) or legacy 'completions' (prompt rendered with --tokenizer)."),
    tokenizer: Optional[Path] = typer.Option(None, help="Served endpoints: a local tokenizer folder with the model's "
                                             "chat template; enables full-fidelity option scoring from verified "
                                             "prompt log-probs on /v1/completions."),
    concurrency: int = typer.Option(4, min=1, help="Served endpoints: requests in flight at once."),
    request_timeout: float = typer.Option(120.0, min=1.0, help="Served endpoints: seconds per request before it "
                                          "is retried."),
    response_cache: Optional[Path] = typer.Option(None, help="Served endpoints: the on-disk response cache "
                                                  "(default: in the medaudit cache directory)."),
    out: Optional[Path] = typer.Option(None, help="Run folder. Rerunning with the same folder resumes. Default: a new folder under --runs-dir (an unfinished run with the same settings is resumed)."),
    runs_dir: Path = typer.Option(Path("runs"), help="Where default run folders are created."),
    suite: List[str] = typer.Option([], help="Run every probe of this suite (repeatable)."),
    probe: List[str] = typer.Option([], help="Run this probe id (repeatable)."),
    tag: List[str] = typer.Option([], help="Run every probe with this tag (repeatable)."),
    data: Optional[Path] = typer.Option(None, help="Your own data file for the single probe given with --probe (format: README)."),
    limit: Optional[int] = typer.Option(None, min=1, help="At most N items per probe, for a quick look."),
    seed: int = typer.Option(0, help="Seed for sampling and resampling."),
    full: bool = typer.Option(False, "--full", help="Run every item instead of the default profile's fixed samples."),
    samples: Optional[int] = typer.Option(None, min=1, help="Sampled answers per item for the sampling-based "
                                          "detectors (self-consistency, semantic entropy); default: the profile's."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    dtype: str = typer.Option("auto", help="auto, float32, bfloat16 or float16."),
    batch_size: int = typer.Option(8, min=1, help="Items per generation batch."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
    show_pii: bool = typer.Option(False, "--show-pii", help="Store identifiers found in model output unredacted "
                                  "(default: replaced by keyed tokens everywhere)."),
    explain: int = typer.Option(3, min=0, help="Explain the N most severe findings (token attribution with "
                                "faithfulness, logit lens, patching for paired items); 0: none."),
    explain_method: List[str] = typer.Option([], help="Token-attribution method for --explain (repeatable; see "
                                             "`medaudit list --explainers`). Default: occlusion; under --full also "
                                             "shap and captum.integrated_gradients."),
    explain_budget: float = typer.Option(90.0, min=1.0, help="Seconds after which no new explanation is started."),
    policy: Optional[str] = typer.Option(None, help="Gate policy YAML ('default': the shipped one). Given: exit 3 "
                                         "when a gate fails. Not given: the default policy is shown in the report "
                                         "but does not change the exit code."),
    junit: Optional[Path] = typer.Option(None, help="Also write the gate results as JUnit XML to this file."),
    intended_use: Optional[Path] = typer.Option(None, help="The provider's intended-use declaration (YAML: purpose, "
                                                "users, population, setting, human_oversight, out_of_scope, "
                                                "declared_by), stored in the evidence and shown in the report."),
) -> None:
    """Audit a model and write evidence.json, report.html and report.md into a run folder."""
    _quiet_libraries()

    def action() -> None:
        from audit.models import load_model
        from audit.report.policy import evaluate_policy, exit_code, load_policy, summary_lines, write_junit
        from audit.report.render import write_reports
        from audit.runner import EVIDENCE_FILE, RESULTS_FILE, RunConfig, run_audit, write_evidence

        from audit.models.served import is_served_spec, served_options

        if data is not None and len(probe) != 1:
            raise SelectionError("--data needs exactly one --probe to apply to")
        spec, backend_options = model, {}
        if is_served_spec(model):
            spec, backend_options = served_options(model, model_name, api, tokenizer, concurrency, request_timeout,
                                                   response_cache)
        elif model_name is not None or tokenizer is not None or api != "chat":
            raise SelectionError("--model-name, --api and --tokenizer apply to a served --model openai+http://...")
        config = RunConfig(model=spec, probes=tuple(probe), suites=tuple(suite), tags=tuple(tag), limit=limit,
                           seed=seed, full=full, samples=samples, device=device, dtype=dtype, batch_size=batch_size, show_pii=show_pii,
                           explain=explain, explain_methods=tuple(explain_method), explain_budget_s=explain_budget,
                           data=((probe[0], str(data.resolve())),) if data is not None else ())
        gate_policy = load_policy(policy)  # a bad policy file fails before the model is loaded
        from audit.report.front import load_intended_use

        declared = load_intended_use(intended_use) if intended_use is not None else None
        if show_pii:
            typer.echo("warning: --show-pii stores identifiers found in model output unredacted in the run folder "
                       "and every report", err=True)
        started = time.perf_counter()
        loaded = load_model(spec, device=device, dtype=dtype, **backend_options)
        typer.echo(f"model: {loaded.identity.name} ({loaded.identity.device}, {loaded.identity.dtype}) "
                   f"loaded in {time.perf_counter() - started:.1f} s", err=True)
        if backend_options:
            typer.echo(f"endpoint capabilities: {loaded.backend_provenance()['capability_checks']}", err=True)
        if out is not None:
            folder, resuming = out, (out / RESULTS_FILE).exists()
        else:
            folder, resuming = _auto_folder(runs_dir, config.fingerprint(), loaded.identity.weights_sha256)
        folder = folder.resolve()
        if resuming:
            typer.echo(f"resuming the unfinished run in {folder}", err=True)
        try:
            outcome = run_audit(loaded, config, folder, progress=progress, command_line=["medaudit", *sys.argv[1:]])
        except KeyboardInterrupt:
            typer.echo(f"\ninterrupted: finished items are saved in {folder / RESULTS_FILE}; "
                       f"rerun with --out {folder} to resume", err=True)
            raise typer.Exit(130) from None
        gates = evaluate_policy(gate_policy, outcome.evidence)
        evidence = outcome.evidence.model_copy(update={"gates": gates, "intended_use": declared})
        write_evidence(evidence, folder / EVIDENCE_FILE)
        reports = write_reports(evidence, folder)
        for warning in outcome.warnings:
            typer.echo(f"warning: {warning}", err=True)
        if outcome.resumed_items:
            typer.echo(f"resumed {outcome.resumed_items} finished items, computed {outcome.computed_items}", err=True)
        for result in outcome.evidence.probe_results:
            status = result.verdict.status if result.verdict else result.status
            typer.echo(f"{result.probe_id}: {status}" + (f" — {result.verdict.explanation}" if result.verdict else
                                                         f" — {result.skip_reason}"))
        typer.echo(f"evidence: {folder / 'evidence.json'}")
        typer.echo(f"report:   {reports['html']}")
        typer.echo(f"markdown: {reports['markdown']}")
        for line in summary_lines(gates):
            typer.echo(line, err=True)
        if junit is not None:
            typer.echo(f"junit:    {write_junit(junit, gates, evidence)}")
        if policy is not None and exit_code(gates):
            raise typer.Exit(exit_code(gates))

    _guard(action)


@app.command("explain")
def explain_command(
    run_dir: Path = typer.Argument(..., help="A run folder written by `medaudit run`."),
    finding: List[str] = typer.Argument(..., help="Finding id(s), as listed in the report (e.g. 'nota:fail')."),
    method: List[str] = typer.Option([], help="Token-attribution method (repeatable). Default: occlusion."),
    items: int = typer.Option(3, min=1, help="Items to explain per finding (the shortest failing ones)."),
    budget: Optional[float] = typer.Option(None, min=1.0, help="Seconds after which no new explanation is started "
                                           "(default: none)."),
    device: Optional[str] = typer.Option(None, help="Override the run's device (auto, cpu, cuda)."),
) -> None:
    """Explain findings of a finished run and add the explanations to its evidence and reports."""
    _quiet_libraries()

    def action() -> None:
        from audit.attribution.findings import ExplainSettings
        from audit.report.render import write_reports
        from audit.runner import add_explanations

        settings = ExplainSettings(items_per_finding=items, methods=tuple(method) or ("occlusion",),
                                   budget_s=budget, finding_ids=tuple(finding))
        evidence = add_explanations(run_dir, settings, device=device)
        for explanation in evidence.explanations:
            if explanation.finding_id in finding:
                typer.echo(f"{explanation.id}: {explanation.question}")
        for kind, path in write_reports(evidence, run_dir).items():
            typer.echo(f"{kind}: {path}")

    _guard(action)


@app.command("list")
def list_probes(
    explainers: bool = typer.Option(False, "--explainers", help="List the attribution methods instead."),
) -> None:
    """List the registered probes with suite, required capabilities, cost and description."""

    def action() -> None:
        from rich.console import Console
        from rich.table import Table

        if explainers:
            from audit.attribution import EXPLAINERS

            table = Table("method", "description", show_lines=True)
            for name in EXPLAINERS.names():
                doc = (EXPLAINERS.get(name).__doc__ or "").strip().splitlines()
                table.add_row(name, doc[0] if doc else "")
            Console(width=160).print(table)
            return

        from audit.probes import PROBES, register_builtin_probes

        register_builtin_probes()
        table = Table("id", "suite", "requires", "tags", "cost", "description", show_lines=True)
        for name in PROBES.names():
            cls = PROBES.get(name)
            table.add_row(name, cls.suite, ", ".join(sorted(c.value for c in cls.requires)), ", ".join(cls.tags),
                          cls.cost, cls.description)
        Console(width=160).print(table)

    _guard(action)


@app.command()
def report(
    evidence: Path = typer.Argument(..., help="An evidence.json written by `medaudit run`."),
    out: Optional[Path] = typer.Option(None, help="Folder for report.html and report.md (default: beside the evidence)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the HTML report to report.pdf with headless Chromium "
                             "(Debian's chromium or $MEDAUDIT_CHROMIUM; needs the 'browser' extra)."),
    baseline: Optional[Path] = typer.Option(None, help="An earlier audit (evidence.json or its run folder): fills the "
                                            "report's 'Change since the last audit' section."),
) -> None:
    """Re-render the HTML and Markdown reports (and items.csv) from evidence.json, without the model."""

    def action() -> None:
        from audit.report.render import load_evidence, write_reports

        from audit.report.diff import evidence_path

        loaded = load_evidence(evidence)
        earlier = load_evidence(evidence_path(baseline)) if baseline is not None else None
        folder = out or evidence.parent
        folder.mkdir(parents=True, exist_ok=True)
        written = write_reports(loaded, folder, baseline=earlier)
        if pdf:
            from audit.report.browser import html_to_pdf

            written["pdf"] = html_to_pdf(written["html"], folder / "report.pdf")
        for kind, path in written.items():
            typer.echo(f"{kind}: {path}")

    _guard(action)


@app.command("export")
def export_command(
    run: Path = typer.Argument(..., help="A run folder or its evidence.json."),
    format: List[str] = typer.Option(..., "--format", "-f", help="csv, parquet, chai, cyclonedx or avid "
                                     "(repeatable)."),
    out: Optional[Path] = typer.Option(None, help="Output file (a folder for avid); only with one --format. "
                                       "Default: the format's file name in the run folder."),
) -> None:
    """Write standard exports of an audit: per-item CSV/Parquet, CHAI model card, CycloneDX ML-BOM, AVID reports."""

    def action() -> None:
        from audit.report.diff import evidence_path
        from audit.report.exports import EXPORTS
        from audit.report.render import load_evidence

        if out is not None and len(format) != 1:
            raise SelectionError("--out applies to a single --format")
        exporters = [EXPORTS.get(name) for name in format]  # an unknown name fails before anything is written
        path = evidence_path(run)
        loaded = load_evidence(path)
        for exporter in exporters:
            written = exporter(loaded, out or path.parent / exporter.default_name)
            if not written:
                typer.echo(f"{exporter.name}: nothing to write (the audit has no findings)")
            for file in written:
                typer.echo(f"{exporter.name}: {file}")

    _guard(action)


@app.command()
def gate(
    evidence: Path = typer.Argument(..., help="An evidence.json written by `medaudit run`."),
    policy: Optional[str] = typer.Option(None, help="Gate policy YAML (default: the shipped default policy)."),
    junit: Optional[Path] = typer.Option(None, help="Write the gate results as JUnit XML to this file."),
    strict: bool = typer.Option(False, "--strict", help="Also exit non-zero (4) when a gate is inconclusive or not "
                                "evaluated; JUnit then reports those gates as failures, not skipped."),
) -> None:
    """Apply a gate policy to an evidence file: exit 0 if no gate fails, 3 if one does (4: --strict, undecided)."""

    def action() -> None:
        from audit.report.policy import evaluate_policy, exit_code, load_policy, summary_lines, write_junit
        from audit.report.render import load_evidence

        gate_policy = load_policy(policy)
        loaded = load_evidence(evidence)
        report_ = evaluate_policy(gate_policy, loaded)
        for line in summary_lines(report_):
            typer.echo(line)
        if junit is not None:
            typer.echo(f"junit: {write_junit(junit, report_, loaded, strict)}")
        code = exit_code(report_, strict)
        if code:
            raise typer.Exit(code)

    _guard(action)


@app.command()
def keygen(
    out: Path = typer.Option(..., help="Private key file to write (PEM, mode 0600); the public key goes to OUT.pub. "
                             "Set $MEDAUDIT_KEY_PASSPHRASE to encrypt it."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing key files."),
) -> None:
    """Create an Ed25519 key pair for signing run folders."""

    def action() -> None:
        from audit.report.signing import generate_keypair, key_fingerprint, load_public_key

        private, public = generate_keypair(out, force=force)
        typer.echo(f"private key: {private}")
        typer.echo(f"public key:  {public} (fingerprint sha256 {key_fingerprint(load_public_key(public))})")

    _guard(action)


@app.command()
def sign(
    run_dir: Path = typer.Argument(..., help="A finished run folder (with evidence.json and the rendered reports)."),
    key: Path = typer.Option(..., help="Ed25519 private key (from `medaudit keygen`)."),
    signer: Optional[str] = typer.Option(None, help="Name of the responsible person recorded in the signature "
                                         "(default: $USER)."),
) -> None:
    """Sign every file of a run folder (Ed25519); writes RUN_DIR/signature.json."""

    def action() -> None:
        import json

        from audit.report.signing import sign_run

        path = sign_run(run_dir, key, signer=signer)
        document = json.loads(path.read_text())
        typer.echo(f"signed {len(document['files'])} file(s) as {document['signer']} at {document['signed_at']} "
                   f"(key sha256 {document['public_key_sha256'][:16]}…)")
        typer.echo(f"signature: {path}")

    _guard(action)


@app.command()
def verify(
    run_dir: Path = typer.Argument(..., help="A signed run folder."),
    pub: Path = typer.Option(..., help="The signer's Ed25519 public key (PEM)."),
) -> None:
    """Check a run folder against its signature; name every changed or missing file (exit 5 if any)."""

    def action() -> None:
        from audit.report.signing import EXIT_VERIFY_FAILED, verify_run

        result = verify_run(run_dir, pub)
        for line in result.lines():
            typer.echo(line)
        if not result.ok:
            raise typer.Exit(EXIT_VERIFY_FAILED)

    _guard(action)


@app.command("diff")
def diff_command(
    old: Path = typer.Argument(..., help="The earlier audit: evidence.json or its run folder."),
    new: Path = typer.Argument(..., help="The later audit: evidence.json or its run folder."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the comparison as JSON to this file."),
) -> None:
    """Compare two audits metric by metric (difference, CI, test, Holm) and flag model, data and package changes."""

    def action() -> None:
        import json

        from audit.report.diff import diff_evidence, evidence_path
        from audit.report.render import load_evidence

        result = diff_evidence(load_evidence(evidence_path(old)), load_evidence(evidence_path(new)))
        for line in result.lines():
            typer.echo(line)
        if json_out is not None:
            json_out.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
            typer.echo(f"json: {json_out}")

    _guard(action)


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
