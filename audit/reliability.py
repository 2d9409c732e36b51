"""The measured reliability of the parsers and detectors that turn model output into scores.

A score is only as good as the parser or detector that produced it, so the evidence carries, for each one a
run used, its precision and recall per class on a hand-labelled set (Wilson 95% intervals), computed when
the run is made by the suite's own checking script from the data the repository ships: nothing is typed in
by hand. The PHI detectors that redact every stored response have their own field (``Evidence.pii_detectors``).

Each source is registered with the probes whose scores depend on it; a third-party probe registers its own
source the same way (``RELIABILITY.register(name, ReliabilitySource(...))``, or a lazy ``"module:attr"``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from audit.evidence import ComponentReliability, Metric
from audit.registry import Registry

ROOT = Path(__file__).resolve().parent.parent

Figures = dict[str, dict[str, object]]
"""{class: {"n": gold count, "predicted": predicted count, "tp": agreements}} for one task."""


@dataclass(frozen=True)
class ReliabilitySource:
    """One parser or detector task, the probes that use it, and how its figures are computed."""

    title: str
    kind: str  # "parser" or "detector"
    used_by: tuple[str, ...]
    dataset: Callable[[], Path]
    figures: Callable[[], Figures]
    computed_by: str
    status: str
    task: str


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def datasheet_status(dataset: Path) -> str | None:
    """The '**Status** ...' note at the top of a data file's datasheet, if it has one (first sentence)."""
    sheet = dataset.with_name(dataset.name.split(".")[0] + ".datasheet.md")
    if not sheet.is_file():
        return None
    quoted = []
    for line in sheet.read_text(encoding="utf-8").splitlines():
        if line.startswith(">"):
            quoted.append(line.lstrip("> ").strip())
        elif quoted:
            break
    text = " ".join(quoted)
    if "status" not in text.lower():
        return None
    text = re.sub(r"[*`_]", "", text)
    first = re.match(r"(.+?[.!])(\s|$)", text)
    return (first.group(1) if first else text).strip()


# --------------------------------------------------------------------------------------------- the sources


@functools.lru_cache(maxsize=1)
def _answer_parser_all_tasks(held_out: Path, sha256: str) -> dict[str, Figures]:
    """Every task's figures in one pass (the hybrid parsers embed each text once); keyed by the set's hash."""
    from probes.hallucination.data.check_parsers import load, per_class

    return per_class(load(held_out))


def _answer_parser_figures(task: str) -> Callable[[], Figures]:
    def compute() -> Figures:
        held_out = _answer_parser_set()
        return _answer_parser_all_tasks(held_out, _sha256(held_out)).get(task, {})
    return compute


def _answer_parser_set() -> Path:
    from probes.hallucination.data.check_parsers import HELD_OUT

    return HELD_OUT


def _demographics_figures(field: str) -> Callable[[], Figures]:
    def compute() -> Figures:
        from probes.bias.data.check_representation_parser import figures

        return {cls: {"n": f["n"], "predicted": f["predicted"], "tp": f["correct"]}
                for cls, f in figures("heldout")[field].items()}
    return compute


def _demographics_set() -> Path:
    from probes.bias.data.check_representation_parser import LABELLED

    return LABELLED


_PARSERS = "probes.hallucination.data.check_parsers:per_class"
_PARSER_STATUS = "the set check_parsers.py uses as its held-out set (HELD_OUT)"
_DEMO = "probes.bias.data.check_representation_parser:figures"
_DEMO_STATUS = ("held-out split (rows with split = heldout; the datasheet records that the sex rule was narrowed "
                "after its first run, so the sex figure is no longer a clean held-out figure)")

RELIABILITY: Registry[ReliabilitySource] = Registry("reliability source")
RELIABILITY.register("answer_parser.yes_no_maybe", ReliabilitySource(
    "Yes/no/maybe answer parser (parse_yes_no_maybe)", "parser", ("answer_uncertainty",), _answer_parser_set,
    _answer_parser_figures("yes_no_maybe"), _PARSERS, _PARSER_STATUS, "yes_no_maybe"))
RELIABILITY.register("answer_parser.abstention", ReliabilitySource(
    "Abstention / refusal reader (is_abstention, is_refusal)", "parser", ("fabricated_entities", "citation_fabrication"),
    _answer_parser_set, _answer_parser_figures("abstention"), _PARSERS, _PARSER_STATUS, "abstention"))
RELIABILITY.register("answer_parser.option_letter", ReliabilitySource(
    "Option-letter answer parser (parse_option_letter)", "parser", (), _answer_parser_set,
    _answer_parser_figures("option_letter"), _PARSERS, _PARSER_STATUS, "option_letter"))
for _field, _what in (("sex", "sex"), ("race", "race/ethnicity"), ("age_band", "age band")):
    RELIABILITY.register(f"demographics_parser.{_field}", ReliabilitySource(
        f"Demographics parser: {_what} (parse_demographics)", "parser", ("representation",), _demographics_set,
        _demographics_figures(_field), _DEMO, _DEMO_STATUS, _field))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def component_reliability(name: str, source: ReliabilitySource, used_by: Iterable[str]) -> ComponentReliability:
    """Compute one source's per-class precision and recall (Wilson) from its labelled set."""
    from audit import stats

    dataset = source.dataset()
    metrics = []
    for cls, figure in sorted(source.figures().items()):
        tp = int(figure["tp"])  # type: ignore[arg-type]
        for what, total in (("precision", int(figure["predicted"])), ("recall", int(figure["n"]))):  # type: ignore[arg-type]
            interval = stats.wilson(tp, total)
            counted = "answers it labelled" if what == "precision" else "hand-labelled answers"
            metrics.append(Metric(
                name=f"{what}:{source.task}/{cls}", kind="rate", n=total, method="Wilson",
                estimate=interval.estimate if total else None, ci_low=interval.low if total else None,
                ci_high=interval.high if total else None,
                description=f"{what} for class {cls!r}: {tp} of {total} {counted} {cls!r} agree"))
    sheet = datasheet_status(dataset)
    return ComponentReliability(
        id=name, title=source.title, kind=source.kind, used_by=sorted(used_by), dataset=_relative(dataset),
        dataset_sha256=_sha256(dataset),
        dataset_status=f"{source.status}; its datasheet: \"{sheet}\"" if sheet else source.status,
        computed_by=source.computed_by, metrics=metrics)


def measured_reliability(probe_ids: Iterable[str]) -> tuple[list[ComponentReliability], list[str]]:
    """Reliability records of the sources the given probes use, and a warning per source that failed."""
    ran = set(probe_ids)
    records, warnings = [], []
    for name in RELIABILITY.names():
        try:
            source = RELIABILITY.get(name)
            used = ran & set(source.used_by)
            if used:
                records.append(component_reliability(name, source, used))
        except Exception as exc:  # a broken checking script must not lose a finished run
            warnings.append(f"reliability of {name} could not be measured: {type(exc).__name__}: {exc}")
    return records, warnings


__all__ = ["RELIABILITY", "ReliabilitySource", "component_reliability", "datasheet_status",
           "measured_reliability"]
