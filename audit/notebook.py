"""Notebook views of the library objects: ``_repr_html_`` (Jupyter renders it) and ``to_pandas()``.

HTML is built with every value escaped (model output is untrusted), without pandas; ``to_pandas`` needs pandas
(the ``notebook`` extra) and imports it only when called.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from audit.evidence import Evidence, ItemResult, Metric, ProbeResult, TestRecord, Verdict

ROWS_SHOWN = 20
"""Items a notebook view lists before pointing to ``to_pandas()``."""


def _pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas() needs pandas: pip install 'medaudit[notebook]'") from None
    return pd


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="medaudit"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _interval(m: Metric) -> str:
    if m.estimate is None:
        return f"no data (n={m.n})"
    low = "—" if m.ci_low is None else f"{m.ci_low:.3f}"
    high = "—" if m.ci_high is None else f"{m.ci_high:.3f}"
    return f"{m.estimate:.3f} [{low}, {high}]"


def metrics_frame(metrics: Sequence[Metric]) -> pd.DataFrame:
    pd = _pandas()
    return pd.DataFrame([m.model_dump() for m in metrics],
                        columns=["name", "estimate", "ci_low", "ci_high", "n", "method", "kind", "confidence",
                                 "description"])


def tests_frame(tests: Sequence[TestRecord]) -> pd.DataFrame:
    pd = _pandas()
    return pd.DataFrame([{"name": t.name, "statistic": t.statistic, "p_value": t.p_value, "n": t.n,
                          "effect": t.effect, "effect_name": t.effect_name,
                          **{f"p_{k}": v for k, v in t.p_adjusted.items()}, **t.details, "description": t.description}
                         for t in tests])


def items_frame(items: Sequence[ItemResult]) -> pd.DataFrame:
    """One row per item: ids, condition, outcome, answer, reference, the prompt's last message, the response,
    and one column per score (``score:NAME``)."""
    pd = _pandas()
    rows = []
    for it in items:
        rows.append({"probe_id": it.probe_id, "item_id": it.item_id, "index": it.index, "group": it.group,
                     "condition": it.condition, "outcome": it.outcome, "parsed": it.parsed, "reference": it.reference,
                     "prompt": it.prompt[-1].content if it.prompt else None, "response": it.response,
                     "error": it.error, "truncated": it.truncated,
                     **{f"score:{k}": v for k, v in it.scores.items()}})
    columns = ["probe_id", "item_id", "index", "group", "condition", "outcome", "parsed", "reference", "prompt",
               "response", "error", "truncated"]
    return pd.DataFrame(rows, columns=None if rows else columns)


def _metrics_html(metrics: Sequence[Metric]) -> str:
    return _table(["metric", "estimate [95% CI]", "n", "interval"], ((m.name, _interval(m), m.n, m.method)
                                                                     for m in metrics))


def _verdict_html(verdict: Verdict | None) -> str:
    if verdict is None:
        return "<p>No verdict.</p>"
    t = verdict.threshold
    return (f"<p><b>Verdict: {_cell(verdict.status)}</b> — {_cell(verdict.explanation)} "
            f"(rule: {_cell(t.metric)} {_cell(t.operator)} {_cell(t.value)})</p>")


def summary_html(metrics: Sequence[Metric], verdict: Verdict | None, title: str = "Probe summary") -> str:
    return f"<div><h4>{_cell(title)}</h4>{_verdict_html(verdict)}{_metrics_html(metrics)}</div>"


def probe_result_html(result: ProbeResult) -> str:
    shown = result.items[:ROWS_SHOWN]
    items = _table(["#", "item", "condition", "outcome", "answer", "expected", "response"],
                   ((it.index, it.item_id, it.condition, it.outcome, it.parsed, it.reference,
                     (it.response or it.error or "")[:200]) for it in shown))
    more = (f"<p>{len(shown)} of {len(result.items)} items shown; <code>to_pandas()</code> has all of them.</p>"
            if len(result.items) > len(shown) else "")
    outcomes = ", ".join(f"{_cell(k)} {v}" for k, v in result.outcome_counts.items())
    skipped = f"<p>Skipped: {_cell(result.skip_reason)}</p>" if result.status != "completed" else ""
    return (f"<div><h4>{_cell(result.title)} <code>{_cell(result.probe_id)}</code> ({_cell(result.suite)})</h4>"
            f"{skipped}{_verdict_html(result.verdict)}<p>Outcomes: {outcomes or 'none'}.</p>"
            f"{_metrics_html(result.metrics)}{items}{more}</div>")


def evidence_html(evidence: Evidence) -> str:
    p = evidence.provenance
    rows = []
    for r in evidence.probe_results:
        gate = next((m for m in r.metrics if r.verdict and m.name == r.verdict.threshold.metric), None)
        rows.append((r.probe_id, r.suite, r.verdict.status if r.verdict else r.status,
                     _interval(gate) if gate else (r.skip_reason or "—"), len(r.items)))
    return (f"<div><h4>medaudit audit <code>{_cell(evidence.audit_id)}</code>: {_cell(p.model.name)}</h4>"
            f"<p>weights sha256 <code>{_cell(p.model.weights_sha256)}</code>; run {_cell(p.started_at)}; profile "
            f"{_cell(p.profile)}; seed {p.seed}</p>"
            + _table(["probe", "suite", "verdict", "gate metric [95% CI]", "items"], rows)
            + f"<p>{len(evidence.findings)} finding(s). <code>to_pandas()</code>: every item of every probe.</p></div>")
