"""The library objects notebooks use render in Jupyter (``_repr_html_``, escaped) and convert with ``to_pandas()``."""

from __future__ import annotations

import numpy as np
import pytest

from audit.attribution.base import Attribution
from audit.attribution.faithfulness import InstanceFaithfulness
from audit.evidence import Evidence
from audit.probes import ProbeSummary
from tests.report_factory import evidence, item, metric, probe

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'

pd = pytest.importorskip("pandas")


def _hostile_result():
    result = probe("pubmedqa", [metric("accuracy", 0.8, 0.7, 0.9), metric("auroc", 0.6, 0.5, 0.7, kind="score")],
                   n_items=25)
    items = [item("pubmedqa", i, outcome="incorrect" if i % 4 == 0 else "correct") for i in range(25)]
    items[0] = items[0].model_copy(update={"response": PAYLOAD, "parsed": PAYLOAD, "condition": "closed_book",
                                           "scores": {"p_chosen": 0.7}})
    return result.model_copy(update={"items": items})


def test_probe_result_renders_escaped_and_converts():
    result = _hostile_result()
    page = result._repr_html_()
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "20 of 25 items shown" in page and "0.800 [0.700, 0.900]" in page
    frame = result.to_pandas()
    assert len(frame) == 25 and frame.loc[0, "response"] == PAYLOAD and frame.loc[0, "score:p_chosen"] == 0.7
    assert list(result.metrics_frame()["name"]) == ["accuracy", "auroc"]
    assert result.tests_frame().empty


def test_evidence_renders_and_concatenates_every_probes_items():
    ev = evidence([_hostile_result(), probe("counterfactual_decisions"),
                   probe("truth_probe", status="skipped", skip_reason=PAYLOAD)])
    page = ev._repr_html_()
    assert "<script" not in page and "ma-test" in page and "truth_probe" in page
    frame = ev.to_pandas()
    assert len(frame) == 28 and set(frame["probe_id"]) == {"pubmedqa", "counterfactual_decisions"}
    assert Evidence.model_validate_json(ev.model_dump_json()) == ev  # the methods add no fields
    assert list(probe("counterfactual_decisions").tests_frame()["name"]) == ["wilcoxon:race"]


def test_probe_summary_renders_and_converts():
    result = _hostile_result()
    summary = ProbeSummary(result.metrics, [], result.verdict)
    assert "Verdict: pass" in summary._repr_html_()
    assert list(summary.to_pandas()["estimate"]) == [0.8, 0.6]


def test_attribution_and_faithfulness_render_in_jupyter():
    attribution = Attribution(tokens=("a", PAYLOAD), scores=np.array([0.5, -0.2]), method="occlusion",
                              baseline="pad", target="logprob", model_calls=3, seconds=0.1)
    assert attribution._repr_html_() == attribution.to_html() and "<script" not in attribution._repr_html_()
    faith = InstanceFaithfulness(full_value=1.0, removed_value=0.2, n_eligible=2, bin_counts=(1, 2),
                                 curve_counts=(1, 2), method={"comprehensiveness": 0.4},
                                 random={"comprehensiveness": 0.1}, deletion_curve=np.zeros(2),
                                 insertion_curve=np.zeros(2), n_masks=4)
    frame = faith.to_pandas()
    assert frame.to_dict("records") == [{"metric": "comprehensiveness", "method": 0.4, "random": 0.1}]
    assert "comprehensiveness" in faith._repr_html_()
