"""Explanations attached to findings: planning, evidence, resume, budget, report, CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from audit.attribution import findings as findings_module
from audit.attribution.findings import EXPLANATIONS_FILE, ExplainSettings
from audit.cli import app
from audit.errors import SelectionError
from audit.report.render import render_html, render_markdown
from audit.runner import RunConfig, add_explanations, run_audit

PROBES = ("none_of_the_above", "pubmedqa")


@pytest.fixture(scope="module")
def config(tiny_model_dir):
    return RunConfig(model=str(tiny_model_dir), probes=PROBES, limit=6, explain=3)


@pytest.fixture(scope="module")
def explained_run(tiny_model, config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("explained")
    return folder, run_audit(tiny_model, config, folder, progress=False).evidence


def test_the_most_severe_findings_get_faithfulness_scored_explanations(explained_run, tiny_model):
    _, evidence = explained_run
    assert evidence.findings and evidence.explanations
    ranked = sorted(evidence.findings, key=lambda f: ["high", "medium", "low", "info"].index(f.severity))
    assert evidence.explanations[0].finding_id == ranked[0].id  # severity order
    for explanation in evidence.explanations:
        finding = next(f for f in evidence.findings if f.id == explanation.finding_id)
        assert explanation.item_id in finding.item_ids  # an item behind the finding
        (occlusion,) = explanation.attributions
        item = next(i for r in evidence.probe_results for i in r.items if i.item_id == explanation.item_id)
        n_prompt = len(tiny_model.encode_prompt([m.model_dump() for m in item.prompt]))
        assert occlusion.method == "occlusion" and len(occlusion.tokens) == len(occlusion.scores) == n_prompt
        assert set(occlusion.faithfulness) >= {"comprehensiveness", "sufficiency", "random_comprehensiveness"}
        lens = next(p for p in explanation.layer_profiles if p.name == "logit lens")
        assert len(lens.values) == tiny_model.n_layers + 1
    (summary,) = evidence.explanation_summaries
    comprehensiveness = next(m for m in summary.metrics if m.name == "comprehensiveness")
    assert comprehensiveness.n == len(evidence.explanations)
    assert comprehensiveness.ci_low <= comprehensiveness.estimate <= comprehensiveness.ci_high
    assert "shortest" in evidence.explanation_plan  # the selection is stated, not hidden


def test_report_shows_heat_maps_beside_their_faithfulness(explained_run):
    _, evidence = explained_run
    html = render_html(evidence)
    assert 'id="explainability"' in html and "medaudit-token" in html
    assert "Faithfulness of this occlusion map" in html and "<svg" in html
    markdown = render_markdown(evidence)
    assert "## 4. Explainability" in markdown and "comprehensiveness" in markdown


def test_token_text_is_escaped_in_the_heat_map(explained_run):
    _, evidence = explained_run
    explanation = evidence.explanations[0]
    attribution = explanation.attributions[0].model_copy(update={"tokens": ["<script>alert(1)</script>"] +
                                                                 explanation.attributions[0].tokens[1:]})
    hostile = evidence.model_copy(update={"explanations": [explanation.model_copy(
        update={"attributions": [attribution]})]})
    html = render_html(hostile)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_rerun_reuses_finished_explanations(explained_run, tiny_model, config, monkeypatch):
    folder, evidence = explained_run
    assert len((folder / EXPLANATIONS_FILE).read_text().splitlines()) == len(evidence.explanations)
    (folder / "evidence.json").unlink()  # as if interrupted after the explanations were logged
    monkeypatch.setattr(findings_module, "explain_item", lambda *a, **k: pytest.fail("recomputed an explanation"))
    again = run_audit(tiny_model, config, folder, progress=False).evidence
    assert again.explanations == evidence.explanations


def test_budget_stops_new_explanations_and_says_so(tiny_model, tmp_path, monkeypatch):
    clock = iter(range(0, 10_000, 100))  # every reading of the clock is 100 s later: an item "takes" 100 s
    monkeypatch.setattr(findings_module.time, "perf_counter", lambda: next(clock))
    config = RunConfig(probes=PROBES, limit=6, explain=3, explain_budget_s=150)
    evidence = run_audit(tiny_model, config, tmp_path, progress=False).evidence
    assert len(evidence.explanations) == 1
    assert "time budget of 150 s ran out" in evidence.explanation_plan


def test_explain_zero_and_backends_without_hooks_explain_nothing(tmp_path):
    from audit.models.scripted import ScriptedModel

    model = ScriptedModel(answers=lambda item_id, prompt: "no")
    evidence = run_audit(model, RunConfig(probes=("pubmedqa",), limit=4), tmp_path, progress=False).evidence
    assert evidence.findings and not evidence.explanations
    assert "capability 'hooks'" in evidence.explanation_plan


def test_add_explanations_with_another_method_merges_by_method(explained_run, tiny_model_dir):
    folder, evidence = explained_run
    finding = evidence.explanations[0].finding_id
    updated = add_explanations(folder, ExplainSettings(methods=("captum.feature_ablation",), items_per_finding=1,
                                                       finding_ids=(finding,), budget_s=None))
    merged = next(e for e in updated.explanations if e.id == evidence.explanations[0].id)
    assert {a.method for a in merged.attributions} == {"occlusion", "captum.feature_ablation"}
    occlusion, captum = (next(a for a in merged.attributions if a.method == m)
                         for m in ("occlusion", "captum.feature_ablation"))
    assert captum.scores == pytest.approx(occlusion.scores, abs=1e-4)  # same exact quantity, two implementations
    assert {s.method for s in updated.explanation_summaries} == {"occlusion", "captum.feature_ablation"}
    with pytest.raises(SelectionError, match="no finding 'nope'"):
        add_explanations(folder, ExplainSettings(finding_ids=("nope",)))


def test_explain_command(explained_run):
    folder, evidence = explained_run
    finding = evidence.explanations[-1].finding_id
    result = CliRunner().invoke(app, ["explain", str(folder), finding, "--items", "1"])
    assert result.exit_code == 0, result.output
    assert f"{finding}/" in result.output and "report.html" in result.output
    assert json.loads((folder / "evidence.json").read_text())["explanations"]
    missing = CliRunner().invoke(app, ["explain", str(folder / "nope"), finding])
    assert missing.exit_code != 0 and "not a run folder" in missing.output


def test_budget_predicts_each_item_from_its_own_size(monkeypatch):
    """An item predicted to end past the budget is skipped, and a smaller one after it still runs: the check
    scales the time per unit of work so far by the next item's predicted work, not by the mean item."""
    from types import SimpleNamespace

    from audit.evidence import Evidence, Finding, ItemResult

    def item(item_id: str) -> ItemResult:
        return ItemResult(probe_id="p", item_id=item_id, index=0, prompt=[], outcome="incorrect")

    finding = Finding(id="p:fail", probe_id="p", severity="high", summary="s")
    sizes = {"small": 40, "huge": 400, "medium": 60}
    planned = [findings_module.PlannedItem(finding, item(k), None, n, None) for k, n in sizes.items()]
    settings = ExplainSettings(budget_s=100.0, logit_lens=False, patching=False)
    now = [0.0]
    monkeypatch.setattr(findings_module.time, "perf_counter", lambda: now[0])
    monkeypatch.setattr(findings_module, "plan", lambda *a: (planned, "plan."))

    def fake_explain(model, entry, settings, partner_request=None):
        now[0] += 0.001 * findings_module.predicted_work(entry, settings, 0)  # time proportional to work
        return SimpleNamespace(item_id=entry.item.item_id, attributions=[])

    monkeypatch.setattr(findings_module, "explain_item", fake_explain)
    monkeypatch.setattr(findings_module, "summarise", lambda explanations, seed: [])
    evidence = Evidence.model_construct(findings=[finding], probe_results=[])
    out = findings_module.explain_findings(SimpleNamespace(n_layers=0), evidence, {}, settings)
    explained = [e.item_id for e in out.explanations]
    assert explained == ["small", "medium"], explained  # "huge" would have taken ~55x the small item's time
    assert "1 planned item(s) were not explained" in out.explanation_plan
