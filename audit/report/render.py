"""Render evidence as HTML and Markdown with Jinja2.

Model output is untrusted: templates receive it as data, HTML autoescapes it, and the
Markdown filter escapes both HTML and Markdown syntax. Reports load nothing from the
network (inline CSS and JS only).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import jinja2

from audit.errors import RunFolderError
from audit.evidence import Evidence, ExplanationSummary, ItemResult, Metric, ProbeResult, TokenAttribution
from audit.report.front import SignatureStatus, signature_status

INLINE_ITEMS = 100
"""At most this many items listed on the page per probe (failed ones first); every item is in items.csv."""
INLINE_ITEMS_TOTAL = 400
"""Items listed on the whole page: a run with many probes lists fewer per probe (never fewer than 20)."""
INLINE_CHARS = 1500
"""Characters of one prompt message or response shown on the page; the rest is in items.csv."""
ITEMS_CSV = "items.csv"
PASSING = frozenset({"correct", "not_applicable"})

TEMPLATE_DIRS = (
    Path(__file__).resolve().parent.parent.parent / "templates",  # source checkout / editable install
    Path(__file__).resolve().parent / "templates",  # optional packaged copy
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~])")


def md_escape(value: object) -> str:
    """Escape text for Markdown: ``&``, ``<`` and ``>`` as HTML entities (so no raw HTML survives), then
    Markdown punctuation; newlines become spaces. Quotes stay as they are: outside a tag they cannot start
    markup, and entity-escaping them showed apostrophes as ``&\\#x27;`` (the ``#`` is Markdown-escaped)."""
    text = html.escape(str(value), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def num(value: float | int | None) -> str:
    """A detail value: whole numbers as integers, others to three significant digits."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


def fmt_ci(metric: Metric) -> str:
    """``0.412 [0.318, 0.512]`` (no n or method: for tables that show them in their own columns)."""
    if metric.estimate is None:
        return "—"
    return f"{metric.estimate:.3f} [{fmt(metric.ci_low)}, {fmt(metric.ci_high)}]"


def fmt_metric(metric: Metric) -> str:
    """``0.412 [0.318, 0.512] (n=100, Wilson)``."""
    if metric.estimate is None:
        return f"no data (n={metric.n})"
    return f"{metric.estimate:.3f} [{fmt(metric.ci_low)}, {fmt(metric.ci_high)}] (n={metric.n}, {metric.method})"


def heatmap_html(attribution: TokenAttribution) -> str:
    """The token heat map of a stored attribution (every token HTML-escaped)."""
    from audit.attribution.base import Attribution

    return Attribution(tokens=tuple(attribution.tokens), scores=attribution.scores, method=attribution.method,
                       baseline=attribution.baseline, target=attribution.target, model_calls=attribution.model_calls,
                       seconds=attribution.elapsed_s, target_value=attribution.target_value).to_html()


def top_tokens(attribution: TokenAttribution, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` tokens with the largest positive scores, most positive first."""
    ranked = sorted(zip(attribution.tokens, attribution.scores), key=lambda pair: -pair[1])
    return ranked[:k]


def faithfulness_rows(summary: ExplanationSummary) -> list[dict[str, object]]:
    """One row per faithfulness metric: the method's value, random rankings' value and their paired difference."""
    by_name = {m.name: m for m in summary.metrics}
    return [{"name": m.name, "meaning": m.description, "method": m, "random": by_name.get(f"random_{m.name}"),
             "difference": by_name.get(f"diff_{m.name}")}
            for m in summary.metrics if not m.name.startswith(("random_", "diff_"))]


class ItemListing:
    """The items a probe's section lists: all of them up to ``limit``; beyond that every failed item (not
    correct, not 'not applicable') up to ``limit``, topped up with the first passing ones, in index order."""

    def __init__(self, result: ProbeResult, limit: int = INLINE_ITEMS) -> None:
        items = result.items
        self.total = len(items)
        self.failed_total = sum(it.outcome not in PASSING for it in items)
        if self.total <= limit:
            chosen = list(items)
        else:
            failed = [i for i, it in enumerate(items) if it.outcome not in PASSING][:limit]
            passing = [i for i, it in enumerate(items) if it.outcome in PASSING][:limit - len(failed)]
            chosen = [items[i] for i in sorted(failed + passing)]
        self.rows: list[ItemResult] = chosen
        self.shown = len(chosen)
        self.failed_shown = sum(it.outcome not in PASSING for it in chosen)
        self.complete = self.shown == self.total

    def summary(self) -> str:
        if self.complete:
            return f"All {self.total} items, passed and failed"
        failed = (f"all {self.failed_total} failed" if self.failed_shown == self.failed_total
                  else f"the first {self.failed_shown} of {self.failed_total} failed")
        return (f"{self.shown} of {self.total} items listed here ({failed} and the first "
                f"{self.shown - self.failed_shown} passed); every item is in {ITEMS_CSV}")


def item_limit(evidence: Evidence) -> int:
    """Items listed per probe for this evidence: INLINE_ITEMS, less when many probes share the page budget."""
    listed = sum(1 for r in evidence.probe_results if r.items) or 1
    return min(INLINE_ITEMS, max(20, INLINE_ITEMS_TOTAL // listed))


def clip(text: object, limit: int = INLINE_CHARS) -> str:
    """``text`` cut to ``limit`` characters on the page, saying how much more items.csv holds."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … [{len(text) - limit:,} more characters in {ITEMS_CSV}]"


def _environment(autoescape: bool) -> jinja2.Environment:
    folders = [str(d) for d in TEMPLATE_DIRS if d.is_dir()]
    if not folders:
        raise RunFolderError("report templates not found (is medaudit installed from its source tree?)")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from audit.report.front import scorers_for
    from audit.report.groups import group_table
    from audit.report.plots import layer_profile_svg, probe_figures, probe_plots

    env.filters.update(md=md_escape, fmt=fmt, metric=fmt_metric, ci=fmt_ci, num=num)
    env.globals.update(figures=probe_figures, plots=probe_plots, group_table=group_table, scorers_for=scorers_for,
                       heatmap=heatmap_html, top_tokens=top_tokens, layer_plot=layer_profile_svg,
                       faithfulness_rows=faithfulness_rows, item_listing=ItemListing, items_csv=ITEMS_CSV,
                       zip=zip)
    env.filters.update(clip=clip)
    from audit.report.sections import sections_for

    env.globals.update(report_sections=sections_for)
    script = _inline_script(folders)
    env.globals.update(inline_script=script,
                       script_hash=base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode())
    return env


def _inline_script(folders: list[str]) -> str:
    """The report's only script (the item filter), allowed by its hash in the page's CSP: no other inline
    script or event handler can run, even if escaping ever failed."""
    for folder in folders:
        path = Path(folder) / "partials" / "filter.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise RunFolderError("report template partials/filter.js not found")


def render_html(evidence: Evidence, baseline: Evidence | None = None, signature: SignatureStatus | None = None) -> str:
    """The HTML report; ``baseline``, an earlier audit, fills the "Change since the last audit" section;
    ``signature`` is what the cover says about signing (see :func:`audit.report.front.signature_status`)."""
    return _environment(autoescape=True).get_template("report.html.j2").render(
        ev=evidence, item_limit=item_limit(evidence), baseline=baseline, signature=signature or signature_status(None))


def render_markdown(evidence: Evidence, baseline: Evidence | None = None,
                    signature: SignatureStatus | None = None) -> str:
    return _environment(autoescape=False).get_template("report.md.j2").render(
        ev=evidence, item_limit=item_limit(evidence), baseline=baseline, signature=signature or signature_status(None))


def write_reports(evidence: Evidence, folder: Path, baseline: Evidence | None = None) -> dict[str, Path]:
    """Write report.html, report.md and the per-item table items.csv (which the reports link to) into
    ``folder``; return their paths."""
    from audit.report.exports.items_table import write_csv

    outputs = {"html": folder / "report.html", "markdown": folder / "report.md", "items": folder / ITEMS_CSV}
    try:
        signed = signature_status(folder)
        outputs["html"].write_text(render_html(evidence, baseline, signed), encoding="utf-8")
        outputs["markdown"].write_text(render_markdown(evidence, baseline, signed), encoding="utf-8")
        write_csv(evidence, outputs["items"])
    except OSError as exc:
        raise RunFolderError(f"cannot write the report in {folder}: {exc.strerror or exc}") from exc
    return outputs


def load_evidence(path: Path) -> Evidence:
    """Read and validate an evidence.json."""
    from pydantic import ValidationError

    try:
        return Evidence.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"evidence file not found: {path}") from None
    except ValidationError as exc:
        raise RunFolderError(f"{path} is not valid medaudit evidence: {exc.error_count()} error(s), "
                             f"first: {exc.errors()[0]['msg']}") from None
