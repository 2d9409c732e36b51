"""PubMedQA (PQA-L): yes/no/maybe research questions, closed-book and with the abstract.

Scored from the log-probabilities of the answer options after the chat-templated
question, so no sampling or free-text parsing is needed and the two conditions of an
item are exact paired observations.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from audit import stats
from audit.evidence import ItemResult, Metric, TestRecord, Threshold
from audit.detectors import option_uncertainty, uncertainty_metrics
from audit.metrics import rate, softmax
from audit.models.base import Capability, OptionScores
from audit.probes import Probe, ProbeSummary, Query, Response, bound_verdict, choice_outcome
from probes.hallucination.parsing import parse_yes_no_maybe, question_text

LABELS = ("yes", "no", "maybe")
OPTIONS: dict[str, tuple[str, ...]] = {
    "yes": ("yes", "Yes"),
    "no": ("no", "No"),
    "maybe": ("maybe", "Maybe"),
    "abstain": ("I don't know", "I am not sure"),
}
INSTRUCTION = "Answer with exactly one word: yes, no, or maybe."
MAJORITY_BASELINE = 0.552  # share of "yes" across all 1000 PQA-L items (552/1000)


class PubMedQAItem(BaseModel):
    """One record of the data file (JSONL). A user's own file uses the same fields."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    context: str = Field(min_length=1, description="The abstract without its conclusion.")
    answer: Literal["yes", "no", "maybe"]


class PubMedQAProbe(Probe):
    id = "pubmedqa"
    suite = "hallucination"
    title = "PubMedQA: closed-book versus with the abstract"
    description = (
        "Answers PubMedQA PQA-L research questions (yes/no/maybe) without and with the "
        "abstract's evidence. Reports accuracy among answered items, macro-F1, abstention, "
        "and the paired change that the evidence makes (exact McNemar)."
    )
    references = (
        "Jin et al. 2019, PubMedQA: A Dataset for Biomedical Research Question Answering, EMNLP",
        "Pal et al. 2023, Med-HALT: scoring parse failures and abstentions separately",
    )
    tags = ("qa", "context-faithfulness", "default")
    requires = frozenset({Capability.SCORE})
    cost = "2 prompt passes per item (~400 tokens with the abstract)"
    item_model = PubMedQAItem
    data_file = "data/pubmedqa_pqal.jsonl"
    data_license = "MIT (PubMedQA, Jin et al. 2019); notice in probes/hallucination/data/PUBMEDQA_LICENSE"
    # 45 items (90 passes) keep the default hallucination suite within 3 minutes on 2 cores
    # (bench/bench_suite_time.py); a model at 0.80 accuracy with the abstract still clears the 0.552 baseline
    # with its Wilson interval (36/45: lower bound 0.66). --full runs all 500.
    default_sample = 45
    stratify_by = "answer"
    threshold = Threshold(
        metric="accuracy_with_context",
        operator=">=",
        value=MAJORITY_BASELINE,
        rationale=(
            "Always answering 'yes' scores 0.552 on PQA-L. A model given the abstract must beat "
            "that majority-class baseline with its whole 95% interval, or it is not shown to use "
            "the evidence in front of it."
        ),
    )

    @staticmethod
    def choice_parser(query: Query, text: str) -> str | None:
        """Where the backend cannot score the options: the validated yes/no/maybe/abstain parser, given the question
        (so that an answer restating the asked claim is read as yes, or with its verb negated as no)."""
        return parse_yes_no_maybe(text, question=question_text(query.messages[-1]["content"]))

    def build_queries(self, items: Sequence[PubMedQAItem]) -> list[Query]:
        queries = []
        for i, item in enumerate(items):
            closed = f"Question: {item.question}\n{INSTRUCTION}"
            grounded = f"Abstract:\n{item.context}\n\nQuestion: {item.question}\n{INSTRUCTION}"
            for j, (condition, text) in enumerate((("closed_book", closed), ("with_context", grounded))):
                queries.append(Query(
                    item_id=f"{item.id}/{condition}", index=2 * i + j,
                    messages=({"role": "user", "content": text},), kind="options", options=OPTIONS,
                    reference=item.answer, group=item.id, condition=condition,
                ))
        return queries

    def score(self, query: Query, response: Response) -> ItemResult:
        if not isinstance(response, OptionScores):
            raise TypeError("pubmedqa scores answer options; got a free-text response")
        logps = response.logprobs
        probs = {f"p_{k}": p for k, p in softmax(logps).items()}
        choice = max(logps, key=logps.get)
        outcome = choice_outcome(choice, query.reference)
        return ItemResult(
            probe_id=self.id, item_id=query.item_id, index=query.index, group=query.group,
            condition=query.condition, prompt=list(query.messages), response=None,
            option_logprobs=logps, parsed=choice, reference=query.reference, outcome=outcome,
            scores={**probs, "option_mass": response.option_mass,
                    "top_token_in_options": float(response.top_token_in_options)},
        )

    def summarise(self, results: Sequence[ItemResult]) -> ProbeSummary:
        metrics: list[Metric] = []
        by_condition = {c: [r for r in results if r.condition == c] for c in ("closed_book", "with_context")}
        for condition, rows in by_condition.items():
            metrics.extend(_condition_metrics(condition, rows, self.seed))
        for condition, rows in by_condition.items():
            scored = [r for r in rows if r.option_logprobs]  # answers by generation have no option probabilities
            metrics += uncertainty_metrics(f"option_uncertainty_{condition}", "1 - P(chosen answer)", scored,
                                           option_uncertainty, self.seed)
        tests, diff = _paired_change(by_condition["closed_book"], by_condition["with_context"], self.seed)
        if diff is not None:
            metrics.append(diff)
        gated = next(m for m in metrics if m.name == self.threshold.metric)
        return ProbeSummary(metrics, tests, bound_verdict(gated, self.threshold))


def _condition_metrics(condition: str, rows: Sequence[ItemResult], seed: int) -> list[Metric]:
    label = condition.replace("_", " ")
    scored = [r for r in rows if r.outcome != "error"]
    answered = [r for r in scored if r.outcome in ("correct", "incorrect")]
    n_correct = sum(r.outcome == "correct" for r in answered)
    option_scored = [r for r in scored if r.option_logprobs]
    metrics = [
        rate(f"accuracy_{condition}", f"Accuracy among answered items ({label}); abstentions excluded "
              "and reported separately", n_correct, len(answered)),
        rate(f"abstention_{condition}", f"Share of items where 'I don't know' outscored every answer, or (answered "
              f"by generation) the answer declined ({label})", sum(r.outcome == "abstained" for r in scored),
              len(scored)),
        rate(f"off_format_{condition}", f"Share of option-scored items whose most likely first token is not an "
              f"answer option ({label}); such items are still scored by option probabilities",
              sum(r.scores.get("top_token_in_options", 1.0) == 0.0 for r in option_scored), len(option_scored)),
        rate(f"error_{condition}", f"Items that could not be run, e.g. longer than the context window ({label})",
              len(rows) - len(scored), len(rows)),
    ]
    generated = [r for r in scored if r.scores.get("answered_by_generation") == 1.0]
    if generated:  # the backend could not score these items' options
        metrics += [
            rate(f"answered_by_generation_{condition}", f"Items answered by greedy generation and the validated "
                  f"yes/no/maybe parser because the backend could not score the options ({label})",
                  len(generated), len(scored)),
            rate(f"unparseable_{condition}", f"Generated answers the parser could not read ({label}); neither right "
                  "nor wrong", sum(r.outcome == "unparseable" for r in generated), len(generated)),
        ]
    if len(answered) >= 2:
        truth = np.array([LABELS.index(r.reference) for r in answered])
        pred = np.array([LABELS.index(r.parsed) for r in answered])
        f1 = stats.bootstrap_statistic((truth, pred), _macro_f1, paired=True, seed=seed)
        metrics.append(Metric(name=f"macro_f1_{condition}", description=f"Macro-F1 over yes/no/maybe ({label})",
                              estimate=f1.estimate, ci_low=f1.low, ci_high=f1.high, n=len(answered),
                              method="bootstrap (BCa)", kind="score"))
    return metrics


def _macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the three labels; a label absent from both truth and prediction scores 0,
    as in ``sklearn.metrics.f1_score(..., labels=[0, 1, 2], zero_division=0)``."""
    scores = []
    for label in range(len(LABELS)):
        tp = np.sum((pred == label) & (truth == label))
        denom = np.sum(pred == label) + np.sum(truth == label)
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))


def _paired_change(closed: Sequence[ItemResult], grounded: Sequence[ItemResult],
                   seed: int) -> tuple[list[TestRecord], Metric | None]:
    """McNemar on items answered in both conditions, and the accuracy change with a CI."""
    closed_by_group = {r.group: r for r in closed if r.outcome in ("correct", "incorrect")}
    pairs = [(closed_by_group[r.group], r) for r in grounded
             if r.outcome in ("correct", "incorrect") and r.group in closed_by_group]
    if len(pairs) < 2:
        return [], None
    a = [p[0].outcome == "correct" for p in pairs]
    b = [p[1].outcome == "correct" for p in pairs]
    test = stats.mcnemar_exact(a, b)
    only_closed, only_context = stats.discordant_counts(a, b)
    diff = stats.mean_difference_ci(np.array(b, float), np.array(a, float), seed=seed)
    record = TestRecord(
        name="mcnemar_exact_context_vs_closed",
        description="Exact McNemar test: does giving the abstract change accuracy on the same items?",
        statistic=test.statistic, p_value=test.p_value, n=len(pairs), effect=test.effect,
        effect_name="accuracy(with context) - accuracy(closed book)",
        details={"only_closed_book_correct": only_closed, "only_with_context_correct": only_context},
    )
    metric = Metric(name="accuracy_change_with_context",
                    description="Paired change in accuracy when the abstract is given (items answered in both)",
                    estimate=diff.estimate, ci_low=diff.low, ci_high=diff.high, n=len(pairs),
                    method=diff.method, kind="difference")
    return [record], metric
