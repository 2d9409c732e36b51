"""Attribution: which prompt tokens drive a model's answer.

One :class:`Explainer` protocol, shared target functions (``TARGETS``), a registry of
explainers (``EXPLAINERS``, lazy so captum is imported only when used), and
:func:`explain`, the one-call entry point::

    from audit.attribution import explain
    result = explain(model, messages, "Yes", method="occlusion", target="contrastive", foil_text="No")
    result.to_pandas(); result.to_html()
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Mapping

from audit.attribution.base import Attribution, Explainer
from audit.attribution.errors import UnknownNameError
from audit.attribution.targets import TARGETS, TargetFunction, make_target
from audit.errors import SelectionError
from audit.registry import Registry

if TYPE_CHECKING:
    from audit.models.base import Messages
    from audit.models.hf import HFModel

__all__ = ["Attribution", "EXPLAINERS", "Explainer", "TARGETS", "TargetFunction", "UnknownNameError", "activation_patching",
           "direct_logit_attribution", "evaluate_faithfulness", "explain", "explain_segments", "logit_lens",
           "get_explainer", "make_target"]

EXPLAINERS: Registry[type] = Registry("explainer", entry_point_group="medaudit.explainers")
"""Name → explainer class (a frozen dataclass whose fields are its options); see :func:`get_explainer`."""
EXPLAINERS.register("occlusion", "audit.attribution.occlusion:Occlusion", aliases=("ablation",))
EXPLAINERS.register("captum.feature_ablation", "audit.attribution.captum_backend:CaptumFeatureAblation")
EXPLAINERS.register("captum.shapley", "audit.attribution.captum_backend:CaptumShapley")
EXPLAINERS.register("captum.lime", "audit.attribution.captum_backend:CaptumLime")
EXPLAINERS.register("captum.integrated_gradients", "audit.attribution.captum_backend:CaptumIntegratedGradients",
                    aliases=("captum.ig",))
EXPLAINERS.register("shap", "audit.attribution.shap_backend:ShapTeacherForcing", aliases=("shap.teacher_forcing",))


def get_explainer(method: str, options: Mapping[str, Any] | None = None) -> Explainer:
    """Instantiate the registered explainer ``method`` with ``options`` (its dataclass fields)."""
    try:
        cls = EXPLAINERS.get(method)
    except SelectionError as exc:
        raise UnknownNameError(str(exc)) from None
    options = dict(options or {})
    if dataclasses.is_dataclass(cls):
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"explainer {method!r} has no option(s) {', '.join(unknown)} "
                             f"(options: {', '.join(sorted(known)) or 'none'})")
    return cls(**options)


def explain(
    model: "HFModel",
    messages: "Messages",
    target_text: str,
    method: str = "occlusion",
    target: str = "logprob",
    foil_text: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Attribution:
    """Attribute ``target`` of the reply ``target_text`` (vs ``foil_text``) to the chat prompt's tokens."""
    if not isinstance(target_text, str) or not target_text:
        raise ValueError("target_text must be a non-empty string")
    if foil_text is not None and (not isinstance(foil_text, str) or not foil_text):
        raise ValueError("foil_text must be a non-empty string when given")
    explainer = get_explainer(method, options)
    foil_ids = model.encode_continuation(foil_text) if foil_text is not None else None
    target_fn = make_target(target, foil_ids)
    prompt_ids = model.encode_prompt(messages)
    target_ids = model.encode_continuation(target_text)
    if not target_ids:
        raise ValueError(f"target_text {target_text!r} encodes to no tokens")
    return explainer.explain(model, prompt_ids, target_ids, target_fn)


_LAZY = {
    "explain_segments": "audit.attribution.segments",  # segment-level (e.g. a demographic phrase), via captum
    "logit_lens": "audit.attribution.lens",
    "direct_logit_attribution": "audit.attribution.lens",
    "activation_patching": "audit.attribution.lens",
    "evaluate_faithfulness": "audit.attribution.faithfulness",
}


def __getattr__(name: str) -> Any:
    """Analyses that import captum, TransformerLens or shap load only when first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'audit.attribution' has no attribute {name!r}")
