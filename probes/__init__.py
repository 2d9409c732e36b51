"""Built-in probe suites. Each entry is lazy: a probe's module is imported on first use."""

from audit.probes import PROBES

BUILTIN_PROBES: dict[str, str] = {
    "pubmedqa": "probes.hallucination.pubmedqa:PubMedQAProbe",
    "none_of_the_above": "probes.hallucination.none_of_the_above:NoneOfTheAboveProbe",
    "false_confidence": "probes.hallucination.false_confidence:FalseConfidenceProbe",
    "context_counterfactual": "probes.hallucination.context_counterfactual:ContextCounterfactualProbe",
    "citation_fabrication": "probes.hallucination.citations:CitationProbe",
    "truth_probe": "probes.hallucination.truth_probe:TruthProbe",
    "sycophancy": "probes.hallucination.sycophancy:SycophancyProbe",
    "fabricated_entities": "probes.hallucination.fabricated_entities:FabricatedEntityProbe",
    "answer_uncertainty": "probes.hallucination.answer_uncertainty:AnswerUncertaintyProbe",
    "counterfactual_decisions": "probes.bias.counterfactual:CounterfactualDecisionProbe",
    "stereotype_preference": "probes.bias.stereotype_preference:StereotypePreferenceProbe",
    "representation": "probes.bias.representation:RepresentationProbe",
    "phi_elicitation": "probes.privacy.elicitation:PHIElicitationProbe",
    "contextual_disclosure": "probes.privacy.disclosure:ContextualDisclosureProbe",
    "canary_exposure": "probes.privacy.canaries:CanaryExposureProbe",
    "membership_inference": "probes.privacy.membership:MembershipInferenceProbe",
    "memorisation_extraction": "probes.privacy.extraction:ExtractionProbe",
}

for _probe_id, _target in BUILTIN_PROBES.items():
    if _probe_id not in PROBES:
        PROBES.register(_probe_id, _target)
