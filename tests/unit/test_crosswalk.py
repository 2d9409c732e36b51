"""The regulatory crosswalk: statuses follow the evidence by the rules in crosswalk.yaml; bad files are clear errors."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from audit.report.crosswalk import (
    CROSSWALK_PATH,
    CrosswalkError,
    default_crosswalk,
    evaluate_crosswalk,
    load_crosswalk,
)
from tests.report_factory import PRIVACY, SUITES, evidence, probe, run_of

PRIVACY_CLAUSES = ("nist-ai-600-1.data-privacy", "nist-ai-600-1.information-security", "eu-ai-act.art-15.5",
                   "fda-ai-dsf.cybersecurity", "gmlp.4")
NON_PRIVACY = [p for p, s in SUITES.items() if s != "privacy"]


def statuses(ev, crosswalk=None) -> dict[str, str]:
    return {row.clause.id: row.status for row in evaluate_crosswalk(ev, crosswalk)}


def test_shipped_crosswalk_covers_the_clauses_the_issue_lists():
    ids = {c.id for c in default_crosswalk().clauses}
    wanted = {
        "eu-ai-act.annex-iv.1", "eu-ai-act.annex-iv.2", "eu-ai-act.annex-iv.2g", "eu-ai-act.annex-iv.3",
        "eu-ai-act.art-10.2.f", "eu-ai-act.art-10.2.g", "eu-ai-act.art-13.3.b.ii", "eu-ai-act.art-13.3.b.iv",
        "eu-ai-act.art-13.3.b.v", "eu-ai-act.art-15",
        "tripod-llm.5c", "tripod-llm.6a", "tripod-llm.6c", "tripod-llm.7a", "tripod-llm.17", "tripod-llm.19a",
        "tripod-llm.19b", "nist-ai-600-1.confabulation", "nist-ai-600-1.harmful-bias", "nist-ai-600-1.data-privacy",
        "nist-ai-600-1.information-security",
    }
    assert wanted <= ids, wanted - ids
    frameworks = {c.framework for c in default_crosswalk().clauses}
    assert {"eu-ai-act", "fda-ai-dsf", "gmlp", "tripod-llm", "nist-ai-600-1", "chai-amc"} <= frameworks
    chai = {c.clause.split(" /")[0] for c in default_crosswalk().clauses if c.framework == "chai-amc"}
    assert {"BasicInfo", "ReleaseInfo", "UsesAndDirections", "Warnings", "TrustIngredients", "KeyMetrics"} <= chai
    fda = {c.clause for c in default_crosswalk().clauses if c.framework == "fda-ai-dsf"}
    assert {"Device description", "Data management", "Model description and development", "Performance validation",
            "Device performance monitoring", "Cybersecurity", "Risk assessment"} <= fda


def test_shipped_crosswalk_names_only_registered_probes():
    from audit.probes import PROBES, register_builtin_probes

    register_builtin_probes()
    text = CROSSWALK_PATH.read_text()
    named = set()
    for clause in default_crosswalk().clauses:
        for requirement in [*clause.requires, *clause.optional]:
            for selector in ([requirement] if isinstance(requirement, str) else requirement.any):
                kind, _, argument = selector.partition(":")
                if kind in ("probe", "verdict"):
                    named.add(argument)
                elif kind in ("metric", "test"):
                    named.add(argument.split("/")[0])
    named.discard("*")
    assert named and named <= set(PROBES.names()), named - set(PROBES.names())
    assert "status:" not in text  # statuses are computed, never written in the file


def test_run_without_privacy_probes_shows_privacy_clauses_not_measured():
    result = statuses(run_of(NON_PRIVACY))
    for clause in PRIVACY_CLAUSES:
        assert result[clause] == "not_measured", clause
    assert result["eu-ai-act.art-10.2.f"] == "met"  # the bias clauses are measured


def test_run_with_every_probe_is_met_or_partial_by_the_rules():
    ev = run_of(SUITES, explanations=[], explanation_summaries=[])
    result = statuses(ev)
    assert result["nist-ai-600-1.data-privacy"] == "met"
    assert result["eu-ai-act.art-15.5"] == "met"
    assert result["gmlp.4"] == "met"
    # Clauses that also need what only a provider can declare stay partial.
    assert result["nist-ai-600-1.information-security"] == "partial"
    assert result["fda-ai-dsf.cybersecurity"] == "partial"
    assert result["eu-ai-act.annex-iv.1"] == "partial"
    # Explainability needs explained findings; none here.
    assert result["eu-ai-act.art-13.3.b.iv"] == "not_measured"
    assert result["fda-ai-dsf.public-summary"] == "not_applicable"
    assert result["tripod-llm.7c"] == "not_applicable"  # the weights were hashed (hooks available)
    assert result["tripod-llm.6a"] == "met" and result["tripod-llm.17"] == "met"
    assert set(result.values()) <= {"met", "partial", "not_measured", "not_applicable"}


def test_a_skipped_required_probe_makes_the_clause_partial_and_is_named():
    results = [probe(p) for p in SUITES if p != "contextual_disclosure"]
    results.append(probe("contextual_disclosure", status="skipped", skip_reason="the model backend lacks: generate"))
    rows = {row.clause.id: row for row in evaluate_crosswalk(evidence(results))}
    row = rows["nist-ai-600-1.data-privacy"]
    assert row.status == "partial"
    skipped = [s for s in row.required if s.state == "skipped"]
    assert [s.requirement for s in skipped] == ["probe:contextual_disclosure"]
    assert "lacks: generate" in skipped[0].detail


def test_only_memorisation_probe_choice_is_any_of():
    ev = run_of([*NON_PRIVACY, "phi_elicitation", "contextual_disclosure", "canary_exposure"])
    assert statuses(ev)["nist-ai-600-1.data-privacy"] == "met"
    ev = run_of([*NON_PRIVACY, "phi_elicitation", "contextual_disclosure"])
    assert statuses(ev)["nist-ai-600-1.data-privacy"] == "partial"


def test_closed_model_makes_inference_date_applicable():
    from tests.report_factory import provenance

    prov = provenance()
    closed = prov.model_copy(update={"model": prov.model.model_copy(update={"capabilities": ["generate"]})})
    assert statuses(run_of(SUITES, provenance=closed))["tripod-llm.7c"] == "met"


def _write(tmp_path, clauses, frameworks=None):
    path = tmp_path / "crosswalk.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "frameworks": frameworks or {
        "x": {"title": "X", "citation": "X act"}}, "clauses": clauses}))
    return path


GOOD = {"id": "x.1", "framework": "x", "clause": "1", "title": "t", "sections": ["findings"],
        "requires": ["suite:privacy"], "justification": "because the privacy suite measures it"}


def test_custom_rules_drive_the_status(tmp_path):
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "x.2", "requires": ["probe:pubmedqa", "probe:phi_elicitation"]}])
    crosswalk = load_crosswalk(path)
    assert statuses(run_of(["pubmedqa"]), crosswalk) == {"x.1": "not_measured", "x.2": "partial"}
    assert statuses(run_of(["pubmedqa", "phi_elicitation"]), crosswalk) == {"x.1": "met", "x.2": "met"}


@pytest.mark.parametrize("change, message", [
    ({"requires": ["privacy"]}, "must look like 'kind:argument'"),
    ({"requires": ["suit:privacy"]}, "unknown kind 'suit'"),
    ({"sections": ["appendix-z"]}, "unknown report section"),
    ({"requires": []}, "needs `requires`"),
    ({"framework": "nope"}, "framework 'nope' is not declared"),
    ({"statu": "met"}, "statu"),
    ({"requires": ["provenance:model.colour"]}, "no field 'colour'"),
    ({"requires": ["metric:accuracy"]}, "PROBE/NAME"),
    ({"justification": ""}, "justification"),
])
def test_malformed_entry_names_file_and_entry(tmp_path, change, message):
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "x.bad", **change}])
    with pytest.raises(CrosswalkError) as caught:
        load_crosswalk(path)
    text = str(caught.value)
    assert str(path) in text and "clause #2 (x.bad)" in text and message in text, text


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        clauses:
          - id: a
            requires: [suite:privacy
        """))
    with pytest.raises(CrosswalkError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_crosswalk(path)


def test_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(CrosswalkError, match=r"clause #2 \(x\.1\): duplicate id"):
        load_crosswalk(_write(tmp_path, [GOOD, GOOD]))
