"""Front matter and methods views computed from the evidence: the signature status on the cover, the intended
use and the system under test with its supply chain, and the measured reliability of parsers and detectors.

Everything here is read from ``evidence.json`` (and, for the signature, the ``signature.json`` beside it):
the supply chain is derived from the model's recorded source, hashes and the package versions of the run.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.errors import MedauditError
from audit.evidence import ComponentReliability, Evidence, IntendedUse, Metric

# ----------------------------------------------------------------------------------------------- intended use


class IntendedUseError(MedauditError):
    """An --intended-use file cannot be read or is malformed."""


def load_intended_use(path: Path) -> IntendedUse:
    """Read the provider's intended-use declaration (YAML: purpose, users, population, setting,
    human_oversight, out_of_scope, declared_by)."""
    import yaml
    from pydantic import ValidationError

    try:
        raw = Path(path).read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IntendedUseError(f"cannot read the intended-use file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise IntendedUseError(f"{path}: expected a mapping with at least 'purpose'")
    for key in ("users", "out_of_scope"):
        if isinstance(data.get(key), str):
            data[key] = [data[key]]
    try:
        return IntendedUse(**data, source=f"{Path(path).name} sha256:{hashlib.sha256(raw).hexdigest()}")
    except (ValidationError, TypeError) as exc:
        raise IntendedUseError(f"{path} is not a valid intended-use declaration: {exc}") from None


# ----------------------------------------------------------------------------------------------- supply chain


@dataclass(frozen=True)
class Link:
    """One link of the supply chain: what it is, the identifying detail, and where that detail comes from."""

    stage: str
    detail: str
    basis: str


_QUANT = re.compile(r"\.((?:I?Q\d[\w]*)|F16|F32|BF16)\.gguf$", re.IGNORECASE)


def _pkg(evidence: Evidence, name: str) -> str:
    return evidence.provenance.packages.get(name, "not recorded")


def supply_chain(evidence: Evidence) -> list[Link]:
    """The chain from the distributed weights to the numbers in this report, as far as the evidence records it."""
    model = evidence.provenance.model
    source = model.source
    kind, _, where = source.partition(":")
    links: list[Link] = []
    runtime = (f"torch {_pkg(evidence, 'torch')}, transformers {_pkg(evidence, 'transformers')}, tokenizers "
               f"{_pkg(evidence, 'tokenizers')}")
    if kind in ("embedded", "gguf"):
        package, _, filename = where.rpartition("/") if kind == "embedded" else ("", "", Path(where).name)
        quant = _QUANT.search(filename)
        if kind == "embedded":
            dist = package.replace("_", "-")
            links.append(Link("Distributed as", f"Python package {dist} {_pkg(evidence, dist)}, file {filename}",
                              "model source and package versions"))
        else:
            links.append(Link("Distributed as", f"local GGUF file {where}", "model source"))
        links.append(Link("Weights file", f"GGUF{f', quantisation {quant.group(1)}' if quant else ''}; sha256 "
                          f"{model.weights_sha256}", "sha256 of the file's bytes"))
        links.append(Link("Conversion", f"dequantised once to {model.dtype or 'float'} safetensors by transformers "
                          f"{_pkg(evidence, 'transformers')} with gguf {_pkg(evidence, 'gguf')}; cached under the GGUF's "
                          "sha256, so the weights run are those of the hashed file", "medaudit's GGUF loader"))
        links.append(Link("Tokenizer and chat template", f"read from the GGUF file; tokenizer files sha256 "
                          f"{model.tokenizer_sha256}", "sha256 over the converted tokenizer files"))
    elif kind == "folder":
        links.append(Link("Distributed as", f"local Hugging Face folder {where}", "model source"))
        links.append(Link("Weights", f"safetensors/bin files, sha256 over names and bytes {model.weights_sha256}",
                          "sha256 of the weight files"))
        links.append(Link("Conversion", "none: loaded as stored", "medaudit's folder loader"))
        links.append(Link("Tokenizer and chat template", f"from the folder; sha256 {model.tokenizer_sha256}",
                          "sha256 over the tokenizer files"))
    elif source.startswith("openai-compatible endpoint"):
        links.append(Link("Served by", f"{source}, model {model.name}", "model source"))
        links.append(Link("Weights", "not visible through the API: identity is the endpoint, model name, API and "
                          f"tokenizer ({model.weights_sha256}); the run dates stand in for the access date",
                          "served identity descriptor"))
        links.append(Link("Tokenizer and chat template", f"{model.tokenizer_sha256}", "as recorded for the endpoint"))
        runtime = "the server's own (not visible); client side: " + runtime
    else:
        links.append(Link("Source", source, "model source"))
        links.append(Link("Weights", model.weights_sha256, "as recorded"))
    links.append(Link("Architecture", f"{model.architecture or 'not recorded'}, "
                      f"{'{:,}'.format(model.n_parameters) if model.n_parameters else 'unknown number of'} parameters, "
                      f"context window {model.context_window or 'unknown'} tokens", "the loaded model's config"))
    links.append(Link("Runtime", f"{runtime}; on {model.device or 'unknown device'} in {model.dtype or 'unknown dtype'}; "
                      f"Python {evidence.provenance.python} on {evidence.provenance.platform}", "package versions"))
    links.append(Link("Decoding", "; ".join(f"{k}: {v}" for k, v in evidence.provenance.decoding.items()
                                            if not isinstance(v, (dict, list))) or "not recorded",
                      "run settings"))
    links.append(Link("Audit tool", f"medaudit {evidence.provenance.tool_version}"
                      f"{f', commit {evidence.provenance.git_commit}' if evidence.provenance.git_commit else ''}",
                      "tool version"))
    return links


def system_view(evidence: Evidence) -> dict[str, Any]:
    """Data of the 'Intended use and system under test' section."""
    return {"intended_use": evidence.intended_use, "supply_chain": supply_chain(evidence),
            "capabilities": evidence.provenance.model.capabilities}


# ----------------------------------------------------------------------------------------------- signature


@dataclass(frozen=True)
class SignatureStatus:
    state: str  # "unsigned", "signed", "unreadable", "unknown"
    text: str


def signature_status(folder: Path | None) -> SignatureStatus:
    """What the cover can truthfully say about signing when the page is rendered into ``folder``.

    A page cannot carry its own signature (signing covers the rendered files), so this reports whether the
    folder held a signature.json at rendering time and what it says; it does not check the key
    (``medaudit verify`` does)."""
    from audit.report.signing import EVIDENCE_FILE, SIGNATURE_FILE, canonical_evidence

    if folder is None:
        return SignatureStatus("unknown", "not known: rendered outside a run folder")
    path = Path(folder) / SIGNATURE_FILE
    if not path.is_file():
        return SignatureStatus("unsigned", "not signed when this page was rendered; sign the run folder with "
                               "medaudit sign RUN_DIR --key KEY, which covers this page too")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        signed = document["files"][EVIDENCE_FILE]["canonical_sha256"]
        signer, when, key = document.get("signer", "?"), document.get("signed_at", "?"), document.get(
            "public_key_sha256", "?")
    except (OSError, ValueError, KeyError, TypeError):
        return SignatureStatus("unreadable", f"{SIGNATURE_FILE} is present but unreadable; run medaudit verify")
    try:
        current = hashlib.sha256(canonical_evidence((Path(folder) / EVIDENCE_FILE).read_bytes())).hexdigest()
        same = "matches" if current == signed else "does NOT match"
    except (OSError, ValueError):
        same = "could not be compared with"
    return SignatureStatus("signed", f"signed by {signer} at {when} (key sha256 {str(key)[:16]}…); the signed "
                           f"evidence {same} the evidence.json beside this page. This page was rendered after that "
                           "signature, so sign again to cover it; check with medaudit verify RUN_DIR --pub KEY.pub")


# ----------------------------------------------------------------------------------------------- reliability


@dataclass(frozen=True)
class ReliabilityRow:
    task: str
    cls: str
    precision: Metric | None
    recall: Metric | None


@dataclass(frozen=True)
class ReliabilityBlock:
    title: str
    kind: str
    used_by: str
    dataset: str
    dataset_sha256: str
    status: str
    computed_by: str
    rows: list[ReliabilityRow]
    weakest: Metric | None


def _rows(metrics: list[Metric]) -> list[ReliabilityRow]:
    table: dict[tuple[str, str], dict[str, Metric]] = {}
    for m in metrics:
        what, _, rest = m.name.partition(":")
        task, slash, cls = rest.partition("/")
        key = (task, cls) if slash else ("", task)
        table.setdefault(key, {})[what] = m
    return [ReliabilityRow(task, cls, v.get("precision"), v.get("recall")) for (task, cls), v in table.items()]


def _weakest(metrics: list[Metric]) -> Metric | None:
    bounded = [m for m in metrics if m.ci_low is not None and m.n > 0]
    return min(bounded, key=lambda m: m.ci_low) if bounded else None


def reliability_view(evidence: Evidence) -> dict[str, Any]:
    """Data of the 'Measured reliability of detectors and parsers' section."""
    blocks: list[ReliabilityBlock] = []
    if evidence.pii_detectors:
        named = re.search(r"\bon (\S+\.jsonl)", evidence.pii_detectors[0].description)
        privacy = sorted(r.probe_id for r in evidence.probe_results if r.suite == "privacy" and r.status == "completed")
        blocks.append(ReliabilityBlock(
            "PHI detectors (redaction of every stored response)", "detector",
            "every stored model response (redaction)" + (f"; scores of {', '.join(privacy)}" if privacy else ""),
            f"probes/privacy/data/{named.group(1)}" if named else "the held-out labelled PHI set", "",
            "held out from detector tuning (span overlap, same type)",
            "probes.privacy.data.check_detectors:figures", _rows(list(evidence.pii_detectors)),
            _weakest(list(evidence.pii_detectors))))
    for record in evidence.reliability:
        blocks.append(_block(record))
    return {"blocks": blocks, "recorded": bool(evidence.reliability) or bool(evidence.pii_detectors)}


def _block(record: ComponentReliability) -> ReliabilityBlock:
    return ReliabilityBlock(record.title, record.kind, ", ".join(record.used_by), record.dataset,
                            record.dataset_sha256, record.dataset_status, record.computed_by, _rows(record.metrics),
                            _weakest(record.metrics))


def scorers_for(evidence: Evidence, probe_id: str) -> list[ComponentReliability]:
    """The parsers and detectors that produced a probe's scores."""
    return [r for r in evidence.reliability if probe_id in r.used_by]


# ----------------------------------------------------------------------------------------------- statistics

_INTERVALS = (  # (method prefix, what it is); the first matching prefix wins
    ("stratified-bootstrap-percentile", "AUROC: percentile bootstrap resampling positives and negatives separately "
     "(class counts kept); at AUROC 0 or 1 widened to the exact Clopper-Pearson bound over disjoint case pairs"),
    ("wilson", "Wilson score interval for a proportion; stays proper at 0% and 100%"),
    ("clopper-pearson", "exact Clopper-Pearson (beta) interval; at the edges a one-sided exact bound"),
    ("exact bound", "exact bound for a paired 0/1 difference when every pair's difference is the same"),
    ("bootstrap-bca", "bias-corrected and accelerated (BCa) bootstrap over items, fixed seed"),
    ("bootstrap (bca)", "bias-corrected and accelerated (BCa) bootstrap over items, fixed seed"),
    ("bootstrap-percentile", "percentile bootstrap over items (BCa undefined), fixed seed"),
    ("bootstrap-degenerate", "every bootstrap resample gave the same value: a constant score, not a rate"),
    ("paired bootstrap", "bootstrap resampling paired items together"),
    ("bootstrap, bonferroni", "bootstrap interval with a Bonferroni-adjusted level across the comparisons"),
    ("newcombe", "Newcombe hybrid-score interval for a difference of proportions"),
    ("exact enumeration", "exact: computed over every candidate, no sampling"),
    ("skew-normal", "skew-normal fit to sampled candidates (Carlini et al. 2019), with its interval"),
)
_ADJUSTMENTS = {"holm": "Holm step-down (controls the family-wise error rate)",
                "bh": "Benjamini-Hochberg (controls the false discovery rate)",
                "bonferroni": "Bonferroni (family-wise error rate)"}


@dataclass(frozen=True)
class MethodUse:
    method: str
    meaning: str
    count: int
    probes: str


_TESTS = (  # (phrase in a test's description, the test named in the report); the first match wins
    ("mcnemar", "Exact McNemar test (paired 0/1 outcomes)"),
    ("wilcoxon", "Wilcoxon signed-rank test (paired differences)"),
    ("mann-whitney", "Mann-Whitney U test (two independent samples)"),
    ("exact multinomial", "Exact multinomial goodness-of-fit test"),
    ("chi-square", "Chi-square test"),
    ("goodness of fit", "Goodness-of-fit test"),
    ("permutation", "Permutation test"),
    ("fisher", "Fisher's exact test"),
    ("binomial", "Binomial test"),
)


def _test_family(name: str, description: str) -> str:
    text = description.lower()
    for phrase, family in _TESTS:
        if phrase in text:
            return family
    return f"other ({re.split(r'[:_]', name, maxsplit=1)[0]})"


def _interval_meaning(method: str) -> str:
    low = method.lower()
    for prefix, meaning in _INTERVALS:
        if low.startswith(prefix):
            return meaning
    if low.startswith(("not ", "no ")):
        return "no interval: the figure could not be computed (its row says why)"
    return "as named (see the metric's description)"


def _uses(found: dict[str, list[str]], meaning) -> list[MethodUse]:
    return [MethodUse(k, meaning(k), len(v), ", ".join(sorted(set(v)))) for k, v in sorted(found.items())]


def statistics_view(evidence: Evidence) -> dict[str, Any]:
    """The statistics this run actually used: every interval method and test, with where it was used."""
    intervals: dict[str, list[str]] = {}
    tests: dict[str, list[str]] = {}
    adjustments: dict[str, list[str]] = {}
    for r in evidence.probe_results:
        for m in r.metrics:
            intervals.setdefault(m.method, []).append(r.probe_id)
        for t in r.tests:
            family = _test_family(t.name, t.description)
            tests.setdefault(family, []).append(r.probe_id)
            for key in t.p_adjusted:
                adjustments.setdefault(key, []).append(r.probe_id)
    edge = [f"{r.probe_id}/{m.name}" for r in evidence.probe_results for m in r.metrics
            if m.kind == "rate" and m.estimate in (0.0, 1.0) and m.ci_low is not None and m.ci_low == m.ci_high]
    return {"intervals": _uses(intervals, _interval_meaning), "tests": _uses(tests, lambda k: ""),
            "adjustments": _uses(adjustments, lambda k: _ADJUSTMENTS.get(k, k)), "zero_width_edges": edge,
            "gated": evidence.gates is not None}
