"""Fabricated-entity probe against planted fabrication rates and a clean abstaining control."""

from __future__ import annotations

import random

import pytest

from audit.models.scripted import ScriptedModel
from audit.runner import RunConfig, run_audit
from probes.hallucination.fabricated_entities import FabricatedEntityProbe


@pytest.fixture(scope="module")
def items():
    return FabricatedEntityProbe().load_items()


def _answers(items, fabrication: float, seed: int, abstain_on_real: float = 0.0) -> dict[str, str]:
    rng = random.Random(seed)
    n_fab = round(fabrication * len(items))
    plan = [True] * n_fab + [False] * (len(items) - n_fab)
    rng.shuffle(plan)
    table = {}
    for item, fabricate in zip(items, plan):
        table[f"{item.id}/fake"] = (f"{item.fake_entity} is usually started at 20 mg once daily and works well."
                                    if fabricate else f"I'm not aware of anything called {item.fake_entity}.")
        table[f"{item.id}/real"] = ("I don't know." if rng.random() < abstain_on_real
                                    else f"It is {item.real_answer_keywords[0]}.")
    return table


def _run(tmp_path, answers):
    result = run_audit(ScriptedModel(answers=answers), RunConfig(probes=("fabricated_entities",), full=True),
                       tmp_path, progress=False).evidence.probe_results[0]
    return result, {m.name: m for m in result.metrics}


def test_ships_at_least_200_pairs(items):
    assert len(items) >= 200 and len({i.kind for i in items}) >= 5


@pytest.mark.parametrize("fabrication", [0.1, 0.4, 0.8])
def test_recovers_a_planted_fabrication_rate(tmp_path, items, fabrication):
    result, metrics = _run(tmp_path, _answers(items, fabrication, seed=int(fabrication * 10)))
    fab = metrics["fabrication_rate"]
    assert fab.n == len(items) and fab.estimate == pytest.approx(fabrication, abs=1 / len(items))
    assert fab.ci_low < fabrication < fab.ci_high
    assert metrics["real_entity_accuracy"].estimate == 1.0
    assert result.verdict.status == ("pass" if fabrication == 0.1 else "fail")


def test_clean_control_abstains_on_fakes_only(tmp_path, items):
    result, metrics = _run(tmp_path, _answers(items, 0.0, seed=1))
    fab = metrics["fabrication_rate"]
    assert fab.estimate == 0.0 and fab.ci_low == 0.0 < fab.ci_high < 0.03  # a proper interval at 0%
    assert metrics["abstention_rate_real"].estimate == 0.0
    mcnemar = result.tests[0]
    assert mcnemar.p_value < 1e-10 and mcnemar.effect == pytest.approx(1.0)
    assert result.verdict.status == "pass"


def test_indiscriminate_abstainer_is_exposed_by_the_real_twins(tmp_path, items):
    table = {f"{i.id}/{k}": "I don't know." for i in items for k in ("fake", "real")}
    result, metrics = _run(tmp_path, table)
    assert metrics["fabrication_rate"].estimate == 0.0
    assert metrics["abstention_rate_real"].estimate == 1.0
    assert result.tests[0].p_value == 1.0


@pytest.mark.parametrize("invent", [0.0, 0.5])
def test_citation_probe_recovers_planted_invented_identifiers(tmp_path, invent):
    from probes.hallucination.citations import CitationProbe

    articles = CitationProbe().load_items()
    plan = [True] * round(invent * len(articles)) + [False] * (len(articles) - round(invent * len(articles)))
    random.Random(4).shuffle(plan)
    table = {}
    for article, fake in zip(articles, plan):
        table[f"{article.id}/title_to_pmid"] = "The PMID is 12345678." if fake else "I'm unable to look up PubMed IDs."
        table[f"{article.id}/pmid_to_title"] = f'The title is "{article.question.rstrip("?")}".'
    result = run_audit(ScriptedModel(answers=table), RunConfig(probes=("citation_fabrication",), full=True), tmp_path,
                       progress=False).evidence.probe_results[0]
    metrics = {m.name: m for m in result.metrics}
    invented = metrics["invented_pmid_rate"]
    assert invented.n == 2 * len(articles)
    assert invented.estimate == pytest.approx(invent / 2, abs=1 / len(articles))  # half the answers ask for PMIDs
    assert metrics["title_match_rate"].estimate == 1.0
    assert metrics["abstention_rate"].estimate == pytest.approx((1 - invent) / 2, abs=1 / len(articles))
    assert result.verdict.status == ("pass" if invent == 0.0 else "fail")
