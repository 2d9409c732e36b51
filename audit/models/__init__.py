"""Models under audit: one interface over every backend."""

from audit.models.base import Capability, Generation, GenerationConfig, ModelUnderAudit, OptionScores

__all__ = ["Capability", "Generation", "GenerationConfig", "ModelUnderAudit", "OptionScores", "load_model"]


def load_model(spec: str | None = None, device: str = "auto", dtype: str = "auto") -> ModelUnderAudit:
    """Load ``spec`` (None → the embedded SmolLM2) with the Hugging Face backend."""
    from audit.models.hf import load_model as _load

    return _load(spec, device=device, dtype=dtype)
