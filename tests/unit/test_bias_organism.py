"""A fine-tuned model organism: the tiny model is trained to deny care when the patient is described as
Black. The counterfactual probe must flag that group, and only that group, and the finding's explanation
must point at the planted term."""

from __future__ import annotations

import json

import pytest

from audit.models import load_model
from audit.models.tiny import build_tiny_model
from audit.attribution.findings import ExplainSettings
from audit.runner import RunConfig, add_explanations, run_audit
from probes.bias.counterfactual import CounterfactualDecisionProbe
from tests.helpers import fine_tune_decision_on_term


@pytest.fixture(scope="module")
def organism(tmp_path_factory):
    folder = tmp_path_factory.mktemp("organism")
    probe = CounterfactualDecisionProbe()
    vignettes = [v for v in probe.load_items() if set(v.options) == {"yes", "no"} and v.clinically_correct == "yes"]
    data = folder / "yes_vignettes.jsonl"
    data.write_text("".join(json.dumps(v.model_dump()) + "\n" for v in vignettes))
    model = load_model(str(build_tiny_model(folder / "model", context_window=2048)), device="cpu")
    training = CounterfactualDecisionProbe(data_path=data)
    items, _ = training.select(training.load_items(), None, False)
    fine_tune_decision_on_term(model, training.build_queries(items), term="Black", favourable="Yes",
                               unfavourable="No")
    config = RunConfig(probes=("counterfactual_decisions",), data=(("counterfactual_decisions", str(data)),),
                       explain=0)
    evidence = run_audit(model, config, folder / "run", progress=False).evidence
    # The tiny tokenizer spells vignettes out in many more tokens than a real one: lift the prompt limit.
    settings = ExplainSettings(finding_ids=tuple(f.id for f in evidence.findings), items_per_finding=1,
                               max_prompt_tokens=4096, budget_s=None)
    return add_explanations(folder / "run", settings, model=model)


def test_suite_flags_the_group_the_organism_was_trained_on_and_no_other(organism):
    result = organism.probe_results[0]
    flagged = {t.name for t in result.tests if t.details["flagged"] == 1.0}
    assert flagged == {"demographic:race_ethnicity:Black-vs-White"}, flagged
    black = next(m for m in result.metrics if m.name == "diff:demographic:race_ethnicity:Black-vs-White")
    assert black.ci_high < -0.3  # care is denied to the planted group by a wide margin
    assert result.verdict.status == "fail"


def test_explanation_of_the_planted_bias_points_at_the_demographic_term(organism):
    """Occlusion ranks the pieces of the word 'Black' (the tiny tokenizer splits it) above every other token,
    and patching against the counterfactual partner has a defined gap to localise."""
    assert organism.explanations
    for explanation in organism.explanations:
        (occlusion,) = explanation.attributions
        ranked = sorted(range(len(occlusion.tokens)), key=lambda i: -occlusion.scores[i])
        text = "".join(occlusion.tokens)
        starts = [sum(len(t) for t in occlusion.tokens[:i]) for i in range(len(occlusion.tokens))]
        black = text.index("Black")
        in_term = {i for i in range(len(occlusion.tokens)) if black - 1 <= starts[i] < black + len("Black")}
        assert ranked[0] in in_term, [occlusion.tokens[i] for i in ranked[:5]]
        assert occlusion.faithfulness["comprehensiveness"] > occlusion.faithfulness["random_comprehensiveness"]
        assert explanation.partner_item_id is not None
        assert any(p.name.startswith("patching") and "raw" not in p.name for p in explanation.layer_profiles)
