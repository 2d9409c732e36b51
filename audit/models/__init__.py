"""Models under audit: one interface over every backend."""

from audit.models.base import Capability, Generation, GenerationConfig, ModelUnderAudit, OptionScores

__all__ = ["Capability", "Generation", "GenerationConfig", "ModelUnderAudit", "OptionScores", "load_model"]


def load_model(spec: str | None = None, device: str = "auto", dtype: str = "auto", **served: object) -> ModelUnderAudit:
    """Load ``spec`` (None → the embedded SmolLM2) with the Hugging Face backend; an
    ``openai+http(s)://HOST:PORT/v1[#MODEL]`` spec connects to a served endpoint instead (``served`` holds
    :func:`audit.models.served.load_served`'s options: model_name, api, tokenizer, settings, cache_path)."""
    from audit.models.served import is_served_spec

    if is_served_spec(spec):
        from audit.models.served import load_served

        return load_served(spec, **served)  # type: ignore[arg-type]
    from audit.models.hf import load_model as _load

    return _load(spec, device=device, dtype=dtype)
