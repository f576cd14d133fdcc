"""A draft import: the dataset recognised in a report, and the decisions it was made of.

``dataset`` is exactly the JSON dataset of docs/open-data.md (valid against
``dataset-1.schema.json``), so that accepting a draft is importing a dataset. Each item
recognised has at least one ``Decision``: where in the dataset it went (a JSON pointer,
RFC 6901), how sure the recogniser is, why, the source lines it stands on and the other
values it could have been. A decision below full confidence is flagged for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .source import Box, Source

#: The version of the draft's JSON form.
DRAFT_FORMAT = "shinchoku-report-draft/1"

#: What a decision is about.
DECISION_KINDS = (
    "plan_area",
    "programme",
    "measure",
    "programme_assignment",
    "baseline",
    "summary",
    "target",
    "target_years",
    "target_measure",
    "result_text",
    "result_year",
    "rating",
    "context_change",
    "response",
    "highlight",
)


@dataclass(frozen=True)
class Evidence:
    """A source line a decision stands on."""

    line: int
    page: int | None
    bbox: Box | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox is not None else None,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        bbox = data.get("bbox")
        return cls(
            line=int(data["line"]),
            page=None if data.get("page") is None else int(data["page"]),
            bbox=None if bbox is None else (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3])),
            text=str(data["text"]),
        )


@dataclass(frozen=True)
class Decision:
    """What the recogniser decided for one place of the dataset."""

    #: RFC 6901 pointer into the dataset: "/results/4/fiscal_year", "/nodes/7/parent_id".
    pointer: str
    #: One of ``DECISION_KINDS``.
    kind: str
    #: 0.0–1.0; 1.0 when read from the report's own words without doubt.
    confidence: float
    #: Why, in plain words.
    reason: str
    evidence: tuple[Evidence, ...]
    #: Other values the place could hold, the likeliest first.
    alternatives: tuple[Any, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return self.confidence < 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "kind": self.kind,
            "confidence": self.confidence,
            "reason": self.reason,
            "evidence": [item.to_json() for item in self.evidence],
            "alternatives": list(self.alternatives),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        kind = str(data["kind"])
        if kind not in DECISION_KINDS:
            raise ValueError(f"unknown decision kind {kind!r}")
        confidence = float(data["confidence"])
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"confidence {confidence} is not between 0 and 1")
        return cls(
            pointer=str(data["pointer"]),
            kind=kind,
            confidence=confidence,
            reason=str(data.get("reason", "")),
            evidence=tuple(Evidence.from_json(item) for item in data.get("evidence", ())),
            alternatives=tuple(data.get("alternatives", ())),
        )


@dataclass(frozen=True)
class Draft:
    source: Source
    dataset: dict[str, Any]
    decisions: tuple[Decision, ...]

    @property
    def flagged(self) -> tuple[Decision, ...]:
        return tuple(decision for decision in self.decisions if decision.flagged)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DRAFT_FORMAT,
            "dataset": self.dataset,
            "decisions": [decision.to_json() for decision in self.decisions],
            "source": self.source.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        if data.get("format", DRAFT_FORMAT) != DRAFT_FORMAT:
            raise ValueError(f"unknown draft format {data.get('format')!r}")
        return cls(
            source=Source.from_json(data["source"]),
            dataset=dict(data["dataset"]),
            decisions=tuple(Decision.from_json(item) for item in data["decisions"]),
        )


def resolve(dataset: dict[str, Any], pointer: str) -> Any:
    """The value at an RFC 6901 pointer; KeyError or IndexError when there is none."""
    value: Any = dataset
    for token in _tokens(pointer):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def assign(dataset: dict[str, Any], pointer: str, new: Any) -> None:
    """Set the value at an RFC 6901 pointer (its parent must exist)."""
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("cannot replace the whole dataset")
    parent = resolve(dataset, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1]))
    last = tokens[-1]
    if isinstance(parent, list):
        parent[int(last)] = new
    else:
        parent[last] = new


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]
