"""Segment-level attribution (captum FeatureAblation over a TextTemplateInput): exactness,
the chat-templated prompt, planted ground truth, validation and the result object."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from audit.attribution.segments import SEGMENT_METHOD, SegmentAttribution, explain_segments, fill_messages
from audit.attribution.targets import make_target, target_value
from tests.unit.test_attribution import _planted_model

MESSAGES = [
    {"role": "system", "content": "You are a careful clinician."},
    {"role": "user", "content": "A {age}-year-old {race} {sex} presents with chest pain after the trial. "
                                "Is it a heart attack? Answer yes or no."},
]
SEGMENTS = {"race": "Black", "age": "54", "sex": "woman"}
BASELINES = {"race": "White", "age": "45", "sex": "man"}
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def sharp_model(tiny_model):
    """The tiny architecture with large random weights, so segment swaps move log-probs by O(1)."""
    from transformers import LlamaForCausalLM

    from audit.models.hf import HFModel

    config = tiny_model.model.config.__class__.from_dict(tiny_model.model.config.to_dict())
    config.initializer_range = 0.4
    torch.manual_seed(1)
    return HFModel(LlamaForCausalLM(config), tiny_model.tokenizer, name="tiny-sharp")


def _direct_scores(model, target_text, foil_text=None):
    """score[s] = f(all segments) − f(segment s → its baseline), by plain teacher-forced forwards."""
    goal = model.encode_continuation(target_text)
    target = make_target("contrastive" if foil_text else "logprob",
                         model.encode_continuation(foil_text) if foil_text else None)

    def f(values):
        return float(target_value(model, model.encode_prompt(fill_messages(MESSAGES, values)), goal, target)[0])

    full = f(SEGMENTS)
    return full, np.array([full - f({**SEGMENTS, name: BASELINES[name]}) for name in SEGMENTS])


# -- exact: captum's segment ablation equals the direct computation -------------------------------------
@pytest.mark.parametrize("model_name", ["tiny_model", "sharp_model"])
@pytest.mark.parametrize("foil_text", [None, "no"])
def test_scores_equal_direct_ablation(request, model_name, foil_text):
    model = request.getfixturevalue(model_name)
    result = explain_segments(model, MESSAGES, SEGMENTS, "yes", foil_text=foil_text, baselines=BASELINES)
    full, direct = _direct_scores(model, "yes", foil_text)
    assert result.segments == tuple(SEGMENTS) and result.values == tuple(SEGMENTS.values())
    assert result.baselines == tuple(BASELINES.values())
    assert np.max(np.abs(result.scores - direct)) <= TOLERANCE
    assert result.target_value == pytest.approx(full, abs=TOLERANCE)
    assert result.target == ("contrastive" if foil_text else "logprob") and result.method == SEGMENT_METHOD
    n_continuations = 2 if foil_text else 1
    assert result.model_calls == (len(SEGMENTS) + 1) * n_continuations
    if model_name == "sharp_model":
        assert np.max(np.abs(direct)) > 0.05  # the comparison is not between near-zero vectors


def test_captum_sees_the_chat_templated_prompt(sharp_model):
    """Every forward is exactly encode_prompt(filled messages) + the target: no re-tokenisation, no extra BOS."""
    seen: list[list[int]] = []
    handle = sharp_model.model.get_input_embeddings().register_forward_hook(
        lambda _m, args, _out: seen.append(args[0][0].tolist()))
    try:
        explain_segments(sharp_model, MESSAGES, SEGMENTS, "yes no", baselines=BASELINES)
    finally:
        handle.remove()
    goal = sharp_model.encode_continuation("yes no")
    variants = [SEGMENTS] + [{**SEGMENTS, name: BASELINES[name]} for name in SEGMENTS]
    expected = [sharp_model.encode_prompt(fill_messages(MESSAGES, v)) + goal for v in variants]
    assert sorted(seen[:len(expected)]) == sorted(expected)
    assert sharp_model.render(fill_messages(MESSAGES, SEGMENTS)).startswith("<|im_start|>system\n")
    assert seen[0][0] == sharp_model.tokenizer.convert_tokens_to_ids("<|im_start|>") and seen[0][1] != seen[0][0]


def test_contrastive_is_target_minus_foil(sharp_model):
    both = explain_segments(sharp_model, MESSAGES, SEGMENTS, "yes", foil_text="no", baselines=BASELINES)
    yes = explain_segments(sharp_model, MESSAGES, SEGMENTS, "yes", baselines=BASELINES)
    no = explain_segments(sharp_model, MESSAGES, SEGMENTS, "no", baselines=BASELINES)
    assert np.max(np.abs(both.scores - (yes.scores - no.scores))) <= TOLERANCE
    assert both.target_value == pytest.approx(yes.target_value - no.target_value, abs=TOLERANCE)


def test_baseline_equal_to_value_scores_zero(sharp_model):
    result = explain_segments(sharp_model, MESSAGES, SEGMENTS, "yes", baselines={**BASELINES, "age": "54"})
    assert result.score("age") == 0.0
    assert result.score("race") != 0.0


# -- planted ground truth -------------------------------------------------------------------------------
def test_planted_token_segment_ranks_first(tiny_model):
    """A model whose answer reads exactly one token: the segment holding it scores highest, placebos ~0.

    The planted token is one that the race value ("Black") brings into the prompt and its
    baseline ("White") does not. "age" (54 → 45: the same tokens, reordered) and "sex"
    (woman → man: a different token count) never touch it, so they are placebos.
    """
    model = tiny_model
    full = model.encode_prompt(fill_messages(MESSAGES, SEGMENTS))
    no_race = model.encode_prompt(fill_messages(MESSAGES, {**SEGMENTS, "race": BASELINES["race"]}))
    candidates = [tok for tok in full if full.count(tok) == 1 and tok not in no_race]
    assert candidates, "the race value must contribute a token of its own"
    planted_token, answer = candidates[0], model.encode_continuation("yes")
    assert len(answer) == 1
    planted = _planted_model(model.tokenizer, planted_token, answer[0])
    for name in ("age", "sex"):  # the placebos' ablations keep the planted token
        assert planted_token in planted.encode_prompt(fill_messages(MESSAGES, {**SEGMENTS, name: BASELINES[name]}))
    result = explain_segments(planted, MESSAGES, SEGMENTS, "yes", baselines=BASELINES)
    assert result.ranking()[0] == "race"
    top = result.score("race")
    assert top > 1.0  # removing the planted token costs several nats
    assert abs(result.score("age")) < 1e-4  # same length, planted token kept: nothing changes
    assert abs(result.score("sex")) < 1e-3 * top


# -- validation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(baselines=None), "explicit baselines are required"),
    (dict(baselines={"race": "White", "age": "45"}), r"missing \['sex'\]"),
    (dict(baselines={**BASELINES, "eye": "blue"}), r"unknown \['eye'\]"),
    (dict(baselines={**BASELINES, "age": 45}), "baseline must be a string"),
    (dict(segments={**SEGMENTS, "age": 54}), "value must be a string"),
    (dict(segments={}), "non-empty dict"),
    (dict(segments={**SEGMENTS, "eye": "blue"}, baselines={**BASELINES, "eye": "brown"}), "no {placeholder}"),
    (dict(segments={"race": "Black", "age": "54"}, baselines={"race": "White", "age": "45"}),
     r"placeholder \{sex\} has no segment value"),
    (dict(segments={**SEGMENTS, "not a name": "x"}), "identifiers"),
    (dict(messages="A {race} woman"), "non-empty list"),
    (dict(messages=[{"role": "user"}]), "string 'content'"),
    (dict(target_text=""), "target_text"),
    (dict(foil_text=""), "foil_text"),
    (dict(foil_text="yes"), "same token sequence"),
])
def test_rejects_bad_input(tiny_model, kwargs, message):
    call = dict(model=tiny_model, messages=MESSAGES, segments=SEGMENTS, target_text="yes", baselines=BASELINES)
    call.update(kwargs)
    with pytest.raises(ValueError, match=message):
        explain_segments(**call)


def test_rejects_prompts_beyond_the_context_window(tiny_model):
    with pytest.raises(ValueError, match="context window"):
        explain_segments(tiny_model, MESSAGES, SEGMENTS, "yes", baselines={**BASELINES, "sex": "woman " * 600})


def test_fill_messages_rules():
    messages = [{"role": "user", "content": 'Reply as {{"answer": "{a}"}} or {"x": 1}; {b}{a}', "name": "u"}]
    filled = fill_messages(messages, {"a": "{b}", "b": "B"})
    assert filled == [{"role": "user", "content": 'Reply as {"answer": "{b}"} or {"x": 1}; B{b}', "name": "u"}]
    assert messages[0]["content"].startswith("Reply as {{")  # the input is not modified


# -- the result object ----------------------------------------------------------------------------------
def _result(**overrides) -> SegmentAttribution:
    fields = dict(segments=("race", "age"), values=("Black", "54"), baselines=("White", "45"), scores=[0.5, -1.0],
                  target="logprob", target_value=-2.0, method=SEGMENT_METHOD, model_calls=3, seconds=0.1,
                  target_text="yes")
    fields.update(overrides)
    return SegmentAttribution(**fields)


@pytest.mark.parametrize("overrides, message", [
    (dict(scores=[0.5]), "one entry per segment"),
    (dict(values=("Black",)), "one entry per segment"),
    (dict(scores=[0.5, float("nan")]), "non-finite"),
    (dict(segments=("race", "race")), "unique"),
    (dict(segments="ra"), "sequence of strings"),
    (dict(method=" "), "method"),
    (dict(target_value=float("inf")), "target_value"),
    (dict(model_calls=-1), "model_calls"),
    (dict(seconds=-0.1), "seconds"),
])
def test_result_validation(overrides, message):
    with pytest.raises(ValueError, match=message):
        _result(**overrides)


def test_result_is_immutable_and_tabulates():
    scores = np.array([0.5, -1.0])
    result = _result(scores=scores)
    scores[0] = 9.0
    assert result.scores[0] == 0.5
    with pytest.raises(ValueError):
        result.scores[0] = 1.0
    with pytest.raises(AttributeError):
        result.method = "other"  # type: ignore[misc]
    assert result.ranking() == ["race", "age"] and result.score("age") == -1.0
    with pytest.raises(KeyError):
        result.score("sex")
    frame = result.to_pandas()
    assert list(frame.columns) == ["segment", "value", "baseline", "score"]
    assert frame["score"].tolist() == [0.5, -1.0] and frame.attrs["target_value"] == -2.0


def test_to_html_escapes_every_string():
    result = _result(segments=("<script>", "b"), values=("</td>", '" onclick="x()'), baselines=("<b>", "&"),
                     method="m<i>", target_text="<yes>", foil_text="'no'", target="contrastive")
    page = result.to_html()
    for raw in ("<script>", "</td></td>", '" onclick="', "<b>", "m<i>", "<yes>", "'no'"):
        assert raw not in page
    assert "&lt;script&gt;" in page and "&quot; onclick=&quot;x()" in page and "&amp;" in page
    assert page.count('class="medaudit-segment"') == 2 and page.endswith("</figure>")
