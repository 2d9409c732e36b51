"""Context faithfulness under counterfactual evidence: does the answer follow the abstract it is given?

Each PubMedQA abstract is given twice, ending once with (a paraphrase of) its real conclusion
and once with a counterfactual conclusion stating the opposite. A faithful model answers
from the evidence in front of it, so its answer should flip with the conclusion; a model
that keeps its prior answer is ignoring the context. Scored from yes/no log-probabilities.
"""

from __future__ import annotations

import json
from typing import Literal, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from audit import stats
from audit.evidence import ItemResult, TestRecord, Threshold
from audit.metrics import from_interval, rate
from audit.models.base import Capability
from audit.probes import Probe, ProbeSummary, Query, Response, bound_verdict, score_choice

OPTIONS = {"yes": ("yes", "Yes"), "no": ("no", "No")}
INSTRUCTION = "Based only on the abstract above, answer the question with one word: yes or no."


class CounterfactualItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    original_answer: Literal["yes", "no"]
    counterfactual_answer: Literal["yes", "no"]
    original_conclusion_paraphrase: str = Field(min_length=1)
    counterfactual_conclusion: str = Field(min_length=1)


class ContextCounterfactualProbe(Probe):
    id = "context_counterfactual"
    suite = "hallucination"
    title = "Context faithfulness: following a counterfactual conclusion"
    description = (
        "PubMedQA abstracts given with their real conclusion and, separately, with a conclusion stating the opposite. "
        "Measures how often the answer follows the evidence given (faithfulness) rather than the model's prior, with "
        "the paired shift in P(yes) between the two versions."
    )
    references = (
        "Jin et al. 2019, PubMedQA",
        "Longpre et al. 2021, Entity-Based Knowledge Conflicts in Question Answering",
    )
    tags = ("qa", "context-faithfulness", "default")
    requires = frozenset({Capability.SCORE})
    cost = "2 prompt passes per item (~450 tokens)"
    item_model = CounterfactualItem
    data_file = "data/pubmedqa_counterfactual.jsonl"
    auxiliary_files = ("data/pubmedqa_pqal.jsonl",)
    data_license = ("conclusions CC BY 4.0, medaudit authors; abstracts from PubMedQA (MIT), see "
                    "pubmedqa_counterfactual.datasheet.md")
    # 15 pairs keep the default hallucination suite within 3 minutes on 2 cores (bench/bench_suite_time.py);
    # --full runs all of them.
    default_sample = 15
    stratify_by = "original_answer"
    threshold = Threshold(
        metric="follows_counterfactual_rate", operator=">=", value=0.70,
        rationale=(
            "When told to answer from the abstract, a model that keeps its prior answer against the stated conclusion "
            "is not grounded in the evidence a clinician gives it. It must follow the counterfactual conclusion in at "
            "least 7 of 10 items, with the whole 95% interval above 0.70."
        ),
    )

    def _abstracts(self) -> dict[str, dict]:
        path = self.auxiliary_paths()[0]
        return {row["id"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}

    def build_queries(self, items: Sequence[CounterfactualItem]) -> list[Query]:
        abstracts = self._abstracts()
        queries = []
        for i, item in enumerate(items):
            source = abstracts[item.id]
            for j, (condition, conclusion, expected) in enumerate((
                    ("original", item.original_conclusion_paraphrase, item.original_answer),
                    ("counterfactual", item.counterfactual_conclusion, item.counterfactual_answer))):
                text = (f"Abstract:\n{source['context']}\nConclusion: {conclusion}\n\n"
                        f"Question: {source['question']}\n{INSTRUCTION}")
                queries.append(Query(item_id=f"{item.id}/{condition}", index=2 * i + j, kind="options",
                                     messages=({"role": "user", "content": text},), options=OPTIONS,
                                     reference=expected, group=item.id, condition=condition))
        return queries

    def score(self, query: Query, response: Response) -> ItemResult:
        return score_choice(self, query, response,
                            lambda probs: {"p_yes": probs["yes"], "p_expected": probs[query.reference]})

    def summarise(self, results: Sequence[ItemResult]) -> ProbeSummary:
        scored = [r for r in results if r.outcome != "error"]
        by_group: dict[str, dict[str, ItemResult]] = {}
        for r in scored:
            by_group.setdefault(r.group, {})[r.condition] = r
        pairs = [(g["original"], g["counterfactual"]) for g in by_group.values() if {"original", "counterfactual"} <= set(g)]
        counterfactual = [c for _, c in pairs]
        metrics = [
            rate("follows_counterfactual_rate", "Answer followed the counterfactual conclusion it was given",
                 sum(c.outcome == "correct" for c in counterfactual), len(counterfactual)),
            rate("follows_original_rate", "Answer followed the real conclusion it was given",
                 sum(o.outcome == "correct" for o, _ in pairs), len(pairs)),
            rate("flips_with_evidence_rate", "Answer changed between the two versions, in the direction of the evidence",
                 sum(o.outcome == "correct" and c.outcome == "correct" for o, c in pairs), len(pairs)),
            rate("error", "Items that could not be run", len(results) - len(scored), len(results)),
        ]
        tests = []
        if len(pairs) >= 2:
            # Signed so that positive means "moved toward the stated conclusion".
            toward = np.array([(c.scores["p_expected"] - (1 - o.scores["p_expected"])) for o, c in pairs])
            shift = stats.bootstrap_mean(toward, seed=self.seed)
            metrics.append(from_interval("p_shift_toward_evidence", "Mean paired change in P(answer stated by the "
                                         "conclusion) when the conclusion is flipped (0 = ignores the conclusion)",
                                         shift, kind="difference"))
            wilcoxon = stats.wilcoxon_signed_rank(toward, np.zeros(len(toward)))
            tests.append(TestRecord(name="wilcoxon_shift_toward_evidence", description="Wilcoxon signed-rank: does "
                                    "flipping the conclusion move the answer probability toward it?",
                                    statistic=wilcoxon.statistic, p_value=wilcoxon.p_value, n=len(pairs),
                                    effect=wilcoxon.effect, effect_name="matched-pairs rank-biserial correlation"))
        return ProbeSummary(metrics, tests, bound_verdict(metrics[0], self.threshold))
