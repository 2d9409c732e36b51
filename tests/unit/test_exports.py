"""Exports: CHAI Applied Model Card (validated against CHAI's published v0.2 XSD), CycloneDX 1.6 ML-BOM (validated
against the official JSON schema shipped by cyclonedx-python-lib), AVID reports (validated against avidtools'
report datamodel), per-item CSV; `medaudit export`."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.evidence import Finding, Verdict
from audit.report.exports import EXPORTS, export
from audit.report.exports.chai import model_card, to_xml
from audit.report.policy import apply_policy, load_policy
from audit.runner import write_evidence
from tests.hostile_evidence import HOSTILE
from tests.report_factory import SUITES, metric, probe, run_of

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "schemas"
XMLDSIG = "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"
# CHAI's XSD imports W3C's XML-Signature schema for its optional <ds:Signature>; offline, a stand-in declaring only
# that element is resolved instead (the cards written here carry no signature element).
XMLDSIG_STUB = b"""<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
 targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">
 <xs:element name="Signature"><xs:complexType><xs:sequence><xs:any processContents="skip" minOccurs="0"
 maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element></xs:schema>"""


def _evidence():
    """Every suite, one failed bias probe and one failed hallucination probe with findings, a skipped privacy probe."""
    results = [probe(p) for p in SUITES if p not in ("counterfactual_decisions", "fabricated_entities", "canary_exposure")]
    bias = probe("counterfactual_decisions")
    bias = bias.model_copy(update={"verdict": Verdict(status="fail", threshold=bias.verdict.threshold,
                                                      explanation="worst |diff| 0.12 exceeds 0.05")})
    fab = probe("fabricated_entities", [metric("fabrication_rate", 0.45, 0.31, 0.60, n=40)])
    fab = fab.model_copy(update={"verdict": Verdict(status="fail", threshold=fab.verdict.threshold,
                                                    explanation="fabrication 0.45 [0.31, 0.60] > 0.20"),
                                 "references": ["Pal et al. 2023, Med-HALT https://arxiv.org/abs/2307.15343"]})
    results += [bias, fab, probe("canary_exposure", status="skipped")]
    findings = [Finding(id="counterfactual_decisions:fail", probe_id="counterfactual_decisions", severity="high",
                        summary="answers change with race alone", item_ids=["counterfactual_decisions-1"]),
                Finding(id="fabricated_entities:fail", probe_id="fabricated_entities", severity="medium",
                        summary=f"fabricates drugs {HOSTILE}", item_ids=["fabricated_entities-0"])]
    return apply_policy(run_of([]).model_copy(update={"probe_results": results, "findings": findings}), load_policy())


def test_registry_lists_every_format():
    assert {"csv", "parquet", "chai", "cyclonedx", "avid"} <= set(EXPORTS.names())
    assert all(EXPORTS.get(n).validated_against for n in EXPORTS.names())


def test_chai_card_validates_against_chais_published_xsd(tmp_path):
    from lxml import etree

    class Offline(etree.Resolver):
        def resolve(self, url, pubid, context):
            if url == XMLDSIG:
                return self.resolve_string(XMLDSIG_STUB, context)
            assert not url.startswith(("http:", "https:", "ftp:")), f"schema tried to load {url}"
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Offline())
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "chai-applied-model-card-v0.2.xsd"), parser))
    ev = _evidence()
    json_path, xml_path = export(ev, "chai", tmp_path / "chai_model_card.json")
    document = etree.parse(str(xml_path))
    assert schema.validate(document), schema.error_log
    card = json.loads(json_path.read_text())["AppliedModelCard"]
    assert list(card) == ["BasicInfo", "ReleaseInfo", "ModelSummary", "UsesAndDirections", "Warnings",
                          "TrustIngredients", "KeyMetrics", "Resources", "Bibliography"]
    values = {r["Label"]: json.loads(r["ValueJson"]) for group in card["KeyMetrics"].values()
              for r in group["Results"]["MetricResult"]}
    assert values["fabricated_entities: fabrication_rate"] == {"kind": "estimate_ci", "estimate": 0.45, "lower": 0.31,
                                                               "upper": 0.6, "level": 95, "n": 40, "method": "Wilson"}
    assert "counterfactual_decisions: accuracy" in {r["Label"] for r in
                                                    card["KeyMetrics"]["FairnessEquity"]["Results"]["MetricResult"]}
    assert "canary_exposure" in card["Warnings"]["KnownRisksAndLimitations"]  # not measured is said, not hidden
    assert "fail" in card["Warnings"]["KnownBiasesOrEthicalConsiderations"]
    broken = etree.fromstring(xml_path.read_bytes())
    broken.remove(broken[-1])  # without <Bibliography> the card must fail: the schema check is real
    assert not schema.validate(broken)


def test_chai_card_of_a_run_without_bias_still_validates():
    from lxml import etree

    card = model_card(run_of(["pubmedqa"]))
    assert card["AppliedModelCard"]["KeyMetrics"]["FairnessEquity"]["Results"]["MetricResult"][0]["Label"] == \
        "not measured in this audit"
    etree.fromstring(to_xml(card).encode())  # well-formed


def test_cyclonedx_bom_validates_against_the_official_1_6_schema(tmp_path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    (path,) = export(_evidence(), "cyclonedx", tmp_path / "bom.cdx.json")
    text = path.read_text()
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    error = validator.validate_str(text)
    assert error is None, error
    assert validator.validate_str(text.replace('"machine-learning-model"', '"ml-model"', 1)) is not None
    bom = json.loads(text)
    model = bom["components"][0]
    assert model["type"] == "machine-learning-model" and model["hashes"][0]["content"] == "cd" * 32
    metrics = {(m["slice"], m["type"]): m for m in model["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]}
    fab = metrics[("probe=fabricated_entities", "fabrication_rate")]
    assert fab["value"] == "0.45" and fab["confidenceInterval"] == {"lowerBound": "0.31", "upperBound": "0.6"}
    considerations = model["modelCard"]["considerations"]
    assert considerations["fairnessAssessments"][0]["harms"] == "worst |diff| 0.12 exceeds 0.05"
    assert any("canary_exposure: not measured" in t for t in considerations["technicalLimitations"])
    assert {c["type"] for c in bom["components"][1:]} == {"data"}


def test_avid_reports_one_per_finding_validate_against_the_avid_datamodel(tmp_path):
    avid = pytest.importorskip("avidtools.datamodels.report", reason="avidtools not installed (test extra)")
    paths = export(_evidence(), "avid", tmp_path / "avid")
    assert len(paths) == 2
    for path in paths:
        document = json.loads(path.read_text())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # avidtools' pydantic-v1 style Config
            parsed = avid.Report.model_validate(document)
        assert parsed.data_type == "AVID" and parsed.problemtype.classof.value == "LLM Evaluation"
        assert parsed.impact.avid.lifecycle_view[0].value == "L05: Evaluation"
    fab = json.loads(next(p for p in paths if "fabricated" in p.name).read_text())
    assert fab["impact"]["avid"]["sep_view"] == ["P0204: Accuracy", "E0402: Generative Misinformation"]
    assert fab["metrics"][0]["results"]["ci_low"] == 0.31 and fab["references"][0]["url"].startswith("https://arxiv")
    assert export(run_of(["pubmedqa"]), "avid", tmp_path / "none") == []  # no finding, no report


def test_medaudit_export_command(tmp_path):
    ev = _evidence()
    write_evidence(ev, tmp_path / "evidence.json")
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(tmp_path), "--format", "csv", "--format", "cyclonedx",
                                 "--format", "avid", "--format", "chai"])
    assert result.exit_code == 0, result.output
    for name in ("items.csv", "bom.cdx.json", "chai_model_card.json", "chai_model_card.xml"):
        assert (tmp_path / name).exists() and str(tmp_path / name) in result.output
    assert len(list((tmp_path / "avid").glob("*.json"))) == 2
    with (tmp_path / "items.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == sum(len(r.items) for r in ev.probe_results)
    out = tmp_path / "elsewhere.json"
    result = runner.invoke(app, ["export", str(tmp_path / "evidence.json"), "--format", "cyclonedx", "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(app, ["export", str(tmp_path), "--format", "nope"])
    assert result.exit_code == 2 and "unknown export format 'nope'" in result.output
