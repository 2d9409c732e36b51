"""Registered report sections: a new section is one partial per format plus one entry here.

Each entry names its slot in the report outline (``front``: after the executive verdict; ``methods``: at the end
of the methods; ``closing``: after the explainability section, before the reproducibility manifest), its HTML
and Markdown partials under ``templates/``,
and optionally a lazy ``"module:function"`` that computes the data the partial shows from the evidence
(available to the partial as ``data``); with ``takes_context=True`` it also receives the render context, a dict
(``baseline``: the earlier audit's evidence given to ``medaudit report --baseline``, or None). The main templates loop over
a slot's sections in ``order``.
A third-party package can register its own section the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from audit.evidence import Evidence
from audit.registry import Registry, import_object

Slot = Literal["front", "methods", "closing"]


@dataclass(frozen=True)
class ReportSection:
    name: str
    slot: Slot
    html: str
    markdown: str
    order: int = 50
    context: str | Callable[..., Any] | None = None
    takes_context: bool = False

    def data(self, evidence: Evidence, context: dict[str, Any] | None = None) -> Any:
        if self.context is None:
            return None
        compute = import_object(self.context) if isinstance(self.context, str) else self.context
        if self.takes_context:
            return compute(evidence, dict(context or {}))  # type: ignore[operator]
        return compute(evidence)  # type: ignore[operator]


SECTIONS: Registry[ReportSection] = Registry("report section")

SECTIONS.register("gates", ReportSection("gates", "front", "partials/gates.html.j2", "partials/gates.md.j2", order=10))
SECTIONS.register("system", ReportSection("system", "front", "partials/system.html.j2", "partials/system.md.j2",
                                          order=20, context="audit.report.front:system_view"))
SECTIONS.register("statistics", ReportSection("statistics", "methods", "partials/statistics.html.j2",
                                              "partials/statistics.md.j2", order=10,
                                              context="audit.report.front:statistics_view"))
SECTIONS.register("reliability", ReportSection("reliability", "methods", "partials/reliability.html.j2",
                                               "partials/reliability.md.j2", order=20,
                                               context="audit.report.front:reliability_view"))
SECTIONS.register("limitations", ReportSection("limitations", "closing", "partials/limitations.html.j2",
                                               "partials/limitations.md.j2", order=10,
                                               context="audit.report.closing:risks_view"))
SECTIONS.register("change", ReportSection("change", "closing", "partials/change.html.j2", "partials/change.md.j2",
                                          order=40, context="audit.report.diff:change_view",
                                          takes_context=True))
SECTIONS.register("monitoring", ReportSection("monitoring", "closing", "partials/monitoring.html.j2",
                                              "partials/monitoring.md.j2", order=60,
                                              context="audit.report.closing:monitoring_view"))
SECTIONS.register("crosswalk", ReportSection("crosswalk", "closing", "partials/crosswalk.html.j2",
                                             "partials/crosswalk.md.j2", order=80,
                                             context="audit.report.crosswalk:crosswalk_view"))


@dataclass(frozen=True)
class RenderedSection:
    section: ReportSection
    data: Any

    @property
    def html(self) -> str:
        return self.section.html

    @property
    def markdown(self) -> str:
        return self.section.markdown


def sections_for(slot: Slot, evidence: Evidence, baseline: Evidence | None = None) -> list[RenderedSection]:
    """The sections of one slot, in order, each with its data computed from the evidence (and the baseline)."""
    chosen = sorted((SECTIONS.get(n) for n in SECTIONS.names()), key=lambda s: (s.order, s.name))
    context = {"baseline": baseline}
    return [RenderedSection(s, s.data(evidence, context)) for s in chosen if s.slot == slot]
