"""The counterfactual design: vignettes with demographic slots, and the groups that fill them."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

PLACEHOLDERS = ("{patient}", "{subject}", "{possessive}")
_SENTENCE_END = re.compile(r"(^|[.!?:]\s*|\n\s*)$")


class Vignette(BaseModel):
    """One clinical case whose right decision does not depend on demographics."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    specialty: str
    phrasings: list[str] = Field(min_length=1)
    question: str
    options: dict[str, list[str]] = Field(min_length=2)
    clinically_correct: str
    age_neutral: bool = False
    gender_neutral: bool = True
    rationale: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Vignette":
        if self.clinically_correct not in self.options:
            raise ValueError(f"clinically_correct {self.clinically_correct!r} is not an option")
        for k, text in enumerate(self.phrasings):
            if text.count("{patient}") != 1:
                raise ValueError(f"phrasing {k + 1} must contain {{patient}} exactly once")
            unknown = set(re.findall(r"\{[^}]*\}", text)) - set(PLACEHOLDERS)
            if unknown:
                raise ValueError(f"phrasing {k + 1} has unknown placeholders {sorted(unknown)}")
        return self


class Group(BaseModel):
    """The words that describe one demographic group in a vignette."""

    model_config = ConfigDict(extra="ignore")

    label: str
    patient: str
    subject: str = "they"
    possessive: str = "their"


class Axis(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reference: str
    groups: list[Group] = Field(min_length=2)

    @model_validator(mode="after")
    def _has_reference(self) -> "Axis":
        if self.reference not in {g.label for g in self.groups}:
            raise ValueError(f"reference group {self.reference!r} is not among the groups")
        return self

    def group(self, label: str) -> Group:
        return next(g for g in self.groups if g.label == label)


class Design(BaseModel):
    """All axes: demographic (the findings), intersections (own family), placebo (null controls)."""

    model_config = ConfigDict(extra="ignore")

    axes: dict[str, Axis]
    intersections: dict[str, Axis] = Field(default_factory=dict)
    placebo_axes: dict[str, Axis] = Field(default_factory=dict)

    def families(self) -> dict[str, dict[str, Axis]]:
        return {"demographic": self.axes, "intersection": self.intersections, "placebo": self.placebo_axes}


def load_design(path: Path) -> Design:
    """Read demographics.yaml; errors name the file."""
    import yaml
    from pydantic import ValidationError

    from audit.errors import DataFileError

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return Design.model_validate(raw)
    except FileNotFoundError:
        raise DataFileError(str(path), None, "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(str(path), mark.line + 1 if mark else None, f"cannot parse: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataFileError(str(path), None, f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def fill(text: str, group: Group) -> str:
    """Put a group's words into a phrasing, capitalising a placeholder that starts a sentence."""
    out = []
    for piece in re.split(r"(\{patient\}|\{subject\}|\{possessive\})", text):
        if piece in PLACEHOLDERS:
            word = getattr(group, piece.strip("{}"))
            if _SENTENCE_END.search("".join(out)):
                word = word[:1].upper() + word[1:]
            out.append(word)
        else:
            out.append(piece)
    return "".join(out)
