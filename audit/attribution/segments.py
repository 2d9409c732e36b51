"""Segment-level attribution: how much does a phrase of the prompt (a demographic term,
an age, a symptom) move the model's answer?

:func:`explain_segments` fills ``{name}`` placeholders in chat messages, runs the model's
chat template around the filled-in text, and attributes the same target functions as the
token explainers (log P(target), or log P(target) − log P(foil)) to each *segment* with
captum's ``LLMAttribution`` + ``FeatureAblation`` over a ``TextTemplateInput``::

    messages = [{"role": "user", "content": "A {age}-year-old {race} woman presents with chest pain. "
                                            "Should she get a troponin test? Answer yes or no."}]
    result = explain_segments(model, messages, {"race": "Black", "age": "54"}, "yes", foil_text="no",
                              baselines={"race": "White", "age": "34"})
    result.to_pandas(); result.to_html()

``scores[s] = f(all segments) − f(segment s replaced by its baseline, the others kept)``:
exact single-segment ablation, one forward per segment plus one, per continuation.
"""

from __future__ import annotations

import html
import math
import re
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import torch

from audit.attribution.base import _frozen_array, vocab_size
from audit.attribution.captum_backend import _count_calls
from audit.attribution.targets import check_token_ids, make_target, target_value

if TYPE_CHECKING:
    import pandas as pd

    from audit.models.hf import HFModel

SEGMENT_METHOD = "captum.feature_ablation.segments"
"""``SegmentAttribution.method``: captum ``FeatureAblation`` over a ``TextTemplateInput``."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


# -- the template --------------------------------------------------------------------------------
def placeholders(messages: Sequence[Mapping[str, str]]) -> set[str]:
    """The ``{name}`` placeholders used in the messages' contents."""
    found: set[str] = set()
    for message in messages:
        found.update(m.group(1) for m in _TOKEN.finditer(message["content"]) if m.group(1))
    return found


def fill_messages(messages: Sequence[Mapping[str, str]], values: Mapping[str, str]) -> list[dict[str, str]]:
    """Copies of ``messages`` with every ``{name}`` in each content replaced by ``values[name]``.

    One pass, so a value that itself contains ``{x}`` is inserted literally. As in
    ``str.format``, ``{{`` and ``}}`` stand for literal braces; any other brace (e.g. in
    ``{"answer": "yes"}``) is left as it is. A placeholder without a value raises ValueError.
    """

    def substitute(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if name is None:
            return token[0]  # "{{" -> "{", "}}" -> "}"
        if name not in values:
            raise ValueError(f"placeholder {{{name}}} has no segment value (segments: {', '.join(values) or 'none'})")
        return values[name]

    return [{**message, "content": _TOKEN.sub(substitute, message["content"])} for message in messages]


def _check_request(
    messages: Any, segments: Any, baselines: Any, target_text: Any, foil_text: Any,
) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise ValueError("messages must be a non-empty list of {'role': ..., 'content': ...} dicts")
    for message in messages:
        if not isinstance(message, Mapping) or not isinstance(message.get("content"), str):
            raise ValueError(f"every message must be a dict with a string 'content', got {message!r}")
    if not isinstance(segments, Mapping) or not segments:
        raise ValueError("segments must be a non-empty dict of placeholder name -> value")
    for name, value in segments.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"segment names must be identifiers (as in {{name}}), got {name!r}")
        if not isinstance(value, str):
            raise ValueError(f"segment {name!r}: value must be a string, got {value!r}")
    if baselines is None:
        raise ValueError("explicit baselines are required, one per segment, e.g. baselines={'race': 'White'}: "
                         "the score is f(value) - f(baseline), so the baseline is the question being asked "
                         f"(segments: {', '.join(segments)})")
    if not isinstance(baselines, Mapping):
        raise ValueError(f"baselines must be a dict of segment name -> replacement text, got {baselines!r}")
    missing = [name for name in segments if name not in baselines]
    extra = [name for name in baselines if name not in segments]
    if missing or extra:
        raise ValueError(f"baselines must name exactly the segments: missing {missing}, unknown {extra}")
    for name in segments:
        if not isinstance(baselines[name], str):
            raise ValueError(f"segment {name!r}: baseline must be a string, got {baselines[name]!r}")
    used = placeholders(messages)
    unused = [name for name in segments if name not in used]
    if unused:
        raise ValueError(f"segment(s) {', '.join(unused)} have no {{placeholder}} in the messages")
    if not isinstance(target_text, str) or not target_text:
        raise ValueError("target_text must be a non-empty string")
    if foil_text is not None and (not isinstance(foil_text, str) or not foil_text):
        raise ValueError("foil_text must be a non-empty string when given")
    fill_messages(messages, segments)  # raises on placeholders that have no segment
    return [dict(m) for m in messages], dict(segments), {name: baselines[name] for name in segments}


# -- the result ----------------------------------------------------------------------------------
def _check_strings(values: Any, what: str) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{what} must be a sequence of strings")
    return tuple(values)


@dataclass(frozen=True)
class SegmentAttribution:
    """Attribution of a target function to named prompt segments.

    ``scores[i]`` is ``f(prompt) − f(prompt with segment i's value replaced by baselines[i])``,
    where f is ``target`` ("logprob": log P(target_text); "contrastive": log P(target_text) −
    log P(foil_text)) and ``target_value`` is f(prompt). ``scores`` is a read-only copy.
    """

    segments: tuple[str, ...]
    values: tuple[str, ...]
    baselines: tuple[str, ...]
    scores: np.ndarray
    target: str
    target_value: float
    method: str
    model_calls: int
    seconds: float
    target_text: str = ""
    foil_text: str | None = None

    def __post_init__(self) -> None:
        segments = _check_strings(self.segments, "segments")
        if not segments or len(set(segments)) != len(segments):
            raise ValueError("segments must be non-empty and unique")
        values = _check_strings(self.values, "values")
        baselines = _check_strings(self.baselines, "baselines")
        scores = _frozen_array(self.scores, "scores", 1)
        if not len(values) == len(baselines) == scores.shape[0] == len(segments):
            raise ValueError(f"segments ({len(segments)}), values ({len(values)}), baselines ({len(baselines)}) "
                             f"and scores ({scores.shape[0]}) must have one entry per segment")
        for name in ("target", "method"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string")
        if not isinstance(self.target_text, str):
            raise ValueError("target_text must be a string")
        if self.foil_text is not None and not isinstance(self.foil_text, str):
            raise ValueError("foil_text must be a string or None")
        if isinstance(self.target_value, bool) or not isinstance(self.target_value, (int, float)) \
                or not math.isfinite(self.target_value):
            raise ValueError(f"target_value must be a finite number, got {self.target_value!r}")
        if isinstance(self.model_calls, bool) or not isinstance(self.model_calls, int) or self.model_calls < 0:
            raise ValueError(f"model_calls must be a non-negative integer, got {self.model_calls!r}")
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, (int, float)) \
                or not math.isfinite(self.seconds) or self.seconds < 0:
            raise ValueError(f"seconds must be a finite non-negative number, got {self.seconds!r}")
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "baselines", baselines)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "target_value", float(self.target_value))

    def score(self, segment: str) -> float:
        """The score of the segment named ``segment``."""
        try:
            return float(self.scores[self.segments.index(segment)])
        except ValueError:
            raise KeyError(segment) from None

    def ranking(self) -> list[str]:
        """Segment names, most positive score first."""
        return [self.segments[int(i)] for i in np.argsort(-self.scores, kind="stable")]

    def to_pandas(self) -> "pd.DataFrame":
        """One row per segment: segment, value, baseline, score; the run's facts in ``attrs``."""
        import pandas as pd

        frame = pd.DataFrame({"segment": list(self.segments), "value": list(self.values),
                              "baseline": list(self.baselines), "score": self.scores.copy()})
        frame.attrs.update(method=self.method, target=self.target, target_value=self.target_value,
                           target_text=self.target_text, foil_text=self.foil_text,
                           model_calls=self.model_calls, seconds=self.seconds)
        return frame

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the same escaped HTML as :meth:`to_html`."""
        return self.to_html()

    def to_html(self) -> str:
        """A self-contained HTML table; every string from the input is escaped."""

        def esc(text: Any) -> str:
            return html.escape(str(text), quote=True)

        scale = float(np.max(np.abs(self.scores))) or 1.0
        rows = []
        for name, value, baseline, score in zip(self.segments, self.values, self.baselines, self.scores):
            alpha = 0.85 * abs(float(score)) / scale
            rgb = "0,140,60" if score >= 0 else "210,40,40"
            rows.append(f'<tr class="medaudit-segment" data-segment="{esc(name)}" data-score="{float(score):.6g}">'
                        f"<td>{esc(name)}</td><td>{esc(value)}</td><td>{esc(baseline)}</td>"
                        f'<td style="background:rgba({rgb},{alpha:.3f})">{float(score):+.6g}</td></tr>')
        what = f"log P({self.target_text!r})"
        if self.foil_text is not None:
            what += f" − log P({self.foil_text!r})"
        caption = esc(f"{self.method} · target {self.target}: {what} = {self.target_value:.6g} · "
                      f"{self.model_calls} model calls · {self.seconds:.2f} s")
        return (f'<figure class="medaudit-segment-attribution" data-method="{esc(self.method)}">'
                f"<figcaption>{caption}</figcaption>"
                "<table><thead><tr><th>segment</th><th>value</th><th>baseline</th><th>score</th></tr></thead>"
                f'<tbody>{"".join(rows)}</tbody></table></figure>')


# -- the explainer -------------------------------------------------------------------------------
def explain_segments(
    model: "HFModel",
    messages: list[dict],
    segments: dict[str, str],
    target_text: str,
    foil_text: str | None = None,
    baselines: dict[str, str] | None = None,
) -> SegmentAttribution:
    """Attribute log P(``target_text``) (or, with ``foil_text``, log P(target) − log P(foil)) to segments.

    ``messages`` are chat messages whose contents hold a ``{name}`` placeholder (any
    message, usually the user's) for every key of ``segments``; ``segments[name]`` is the
    text filled in, ``baselines[name]`` the text that replaces it when the segment is
    ablated. See :func:`fill_messages` for the placeholder rules.

    **Baselines are required** (``None`` raises ValueError). A segment score is the
    contrast ``f(value) − f(baseline)``, so the baseline *is* the question: "Black" →
    "White" asks something else than "Black" → "" or → "a", and the empty string (captum's
    default) also breaks the grammar ("A 54-year-old  woman") and shortens the prompt,
    which moves log-probabilities by itself. An audit should state this choice, not
    inherit it. A baseline equal to its value is allowed and scores exactly 0.

    How it runs: captum ``LLMAttribution(FeatureAblation(model), tokenizer)`` over a
    ``TextTemplateInput`` whose template is a *function* that fills the messages, renders
    them with the model's chat template and returns the token ids of
    ``model.encode_prompt`` (captum passes a tensor through unchanged; a string template
    would be re-encoded with ``add_special_tokens=True``, which adds a second BOS on
    tokenizers that prepend one). The target is teacher-forced on captum's exact
    sequence-level path (``forward_in_tokens=False``), as the token explainers do.

    captum attributes only log P or P of one continuation, so a contrastive target runs
    captum twice, for the target and for the foil, and subtracts: FeatureAblation is
    deterministic and linear in the attributed function, so the difference is exactly the
    ablation of log P(target) − log P(foil). Cost: (len(segments) + 1) forwards per
    continuation, counted in ``model_calls``.
    """
    from captum.attr import FeatureAblation, LLMAttribution, TextTemplateInput

    messages, values, bases = _check_request(messages, segments, baselines, target_text, foil_text)
    names = list(values)
    goal = model.encode_continuation(target_text)
    if not goal:
        raise ValueError(f"target_text {target_text!r} encodes to no tokens")
    foil_ids = model.encode_continuation(foil_text) if foil_text is not None else None
    if foil_ids is not None and not foil_ids:
        raise ValueError(f"foil_text {foil_text!r} encodes to no tokens")
    target_fn = make_target("contrastive" if foil_ids is not None else "logprob", foil_ids)
    continuations = target_fn.continuations(goal)  # raises if the foil equals the target

    def encode(filled: Mapping[str, str]) -> list[int]:
        return model.encode_prompt(fill_messages(messages, filled))

    prompt_ids = encode(values)
    size = vocab_size(model)
    window = int(getattr(model.model.config, "max_position_embeddings", 0) or 0)
    longest = max(len(c) for c in continuations)
    for variant in [prompt_ids] + [encode({**values, name: bases[name]}) for name in names]:
        check_token_ids(variant, "prompt", size)
        if window and len(variant) + longest > window:
            raise ValueError(f"prompt ({len(variant)}) + target ({longest}) tokens exceed the "
                             f"context window of {window}")

    def template(**filled: str) -> torch.Tensor:
        return torch.tensor([encode(filled)], device=model.device)

    inp = TextTemplateInput(template, values=values, baselines=bases)
    llm = LLMAttribution(FeatureAblation(model.model), model.tokenizer, attr_target="log_prob")
    began = time.perf_counter()
    runs = []
    with _count_calls(model.model.get_input_embeddings()) as calls, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # captum's pretty-token warnings about odd tokenisations
        for cont in continuations:
            result = llm.attribute(inp, target=torch.tensor(cont), forward_in_tokens=False)
            runs.append(np.asarray(result.seq_attr.detach().double().cpu()))
    seconds = time.perf_counter() - began
    scores = runs[0] - runs[1] if len(runs) == 2 else runs[0]
    value = target_value(model, prompt_ids, goal, target_fn)  # not part of captum's work: not timed or counted
    return SegmentAttribution(
        segments=tuple(names),
        values=tuple(values[n] for n in names),
        baselines=tuple(bases[n] for n in names),
        scores=scores,
        target=target_fn.name,
        target_value=float(value[0]),
        method=SEGMENT_METHOD,
        model_calls=calls[0],
        seconds=seconds,
        target_text=target_text,
        foil_text=foil_text,
    )
