"""The draft's dataset and decisions, written as the recogniser decides.

The dataset is the JSON dataset of docs/open-data.md, schema 1.0, for one new plan: its
levels named as the report names them (プラン, アクションプログラム, 施策計画), the rating
scale and dimension the report's rating label names, and the area, programmes and
measures with their targets and results. Every value placed gets a decision at its JSON
pointer, with the lines it stands on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shinchoku import fiscal

from . import vocabulary as words
from .draft import Decision, Evidence
from .lines import Line, Paragraph
from .source import Source

SCHEMA_VERSION = "1.0"


@dataclass
class Found:
    """A value recognised, with how sure, why, and the lines it stands on."""

    value: Any
    confidence: float
    reason: str
    lines: list[Line] = field(default_factory=list)
    alternatives: tuple[Any, ...] = ()


def lines_of(*paragraphs: Paragraph | None) -> list[Line]:
    return [line for paragraph in paragraphs if paragraph is not None for line in paragraph.lines]


class DraftBuilder:
    def __init__(self, source: Source, plan_code: str) -> None:
        self.source = source
        self.plan = plan_code
        self.decisions: list[Decision] = []
        self.nodes: list[dict[str, Any]] = []
        self.targets: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []
        self.scale: dict[str, Any] | None = None
        self.dimension: dict[str, Any] | None = None
        self.plan_row: dict[str, Any] = {}

    # -- decisions

    def decide(self, pointer: str, kind: str, found: Found) -> None:
        evidence = tuple(
            Evidence(line.number, line.page, line.source.bbox, line.source.text) for line in found.lines
        )
        if not evidence:
            first = self.source.lines[0]
            evidence = (Evidence(first.number, first.page, first.bbox, first.text),)
        self.decisions.append(
            Decision(
                pointer=pointer,
                kind=kind,
                confidence=round(max(0.0, min(1.0, found.confidence)), 2),
                reason=found.reason,
                evidence=evidence,
                alternatives=tuple(found.alternatives),
            )
        )

    # -- the plan

    def set_plan(
        self, *, title: Found, first_year: int, last_year: int, onwards: bool, rating_word: str
    ) -> None:
        scale_code = f"{self.plan}-rating"
        known = words.KNOWN_SCALES.get(rating_word, ())
        self.scale = {
            "code": scale_code,
            "name": rating_word,
            "name_en": "",
            "good_end": "first",
            "description": "",
            "levels": [
                {
                    "code": code,
                    "label": label,
                    "label_en": "",
                    "position": position,
                    "adverse": adverse,
                    "row_label": "",
                    "column_label": "",
                }
                for position, (code, label, adverse) in enumerate(known)
            ],
        }
        self.dimension = {
            "key": "rating",
            "name": rating_word,
            "name_en": "",
            "level": "measure",
            "scale": scale_code,
            "primary": True,
        }
        self.plan_row = {
            "code": self.plan,
            "title": title.value,
            "period_label": fiscal.western_label(first_year) + "〜" + fiscal.western_label(last_year),
            "first_year": first_year,
            "last_year": last_year,
            "onwards": onwards,
            "description": "",
            "note": f"Recognised from the report {self.source.name} (shinchoku import-report).",
            "amount_unit": "yen",
            "levels": [
                _level("plan", words.AREA_WORDS[0], 0, rated=False),
                _level("programme", words.PROGRAMME_WORDS[0], 1, rated=False),
                _level("measure", words.MEASURE_WORDS[0], 2, rated=True),
            ],
            "dimensions": [self.dimension],
            "markers": [],
            "sections": [],
            "staff_rates": [],
        }
        self.decide("/plans/0/title", "plan_area", title)

    def add_scale_level(self, code: str) -> None:
        """A rating code the report prints that no known scale names: a level of its own."""
        assert self.scale is not None
        levels = self.scale["levels"]
        if any(level["code"] == code for level in levels):
            return
        levels.append(
            {
                "code": code,
                "label": code,
                "label_en": "",
                "position": len(levels),
                "adverse": False,
                "row_label": "",
                "column_label": "",
            }
        )

    def rating_label(self, code: str) -> str:
        assert self.scale is not None
        return next(level["label"] for level in self.scale["levels"] if level["code"] == code)

    def add_marker(self, symbol: str) -> None:
        markers = self.plan_row["markers"]
        if not any(marker["symbol"] == symbol for marker in markers):
            markers.append(
                {
                    "symbol": symbol,
                    "name": symbol,
                    "name_en": "",
                    "meaning": None,
                    "note": "Printed beside measures; the report does not say what it means.",
                }
            )

    # -- nodes

    def node_id(self, code: str) -> str:
        return f"{self.plan}:{code}"

    def add_node(
        self,
        *,
        level: str,
        code: str,
        parent: str | None,
        label: str,
        position: int,
        title: str,
        summary: str = "",
        baseline: str = "",
        markers: tuple[str, ...] = (),
    ) -> int:
        self.nodes.append(
            {
                "id": self.node_id(code),
                "plan": self.plan,
                "parent_id": None if parent is None else self.node_id(parent),
                "level": level,
                "level_key": level,
                "code": code,
                "label": label,
                "position": position,
                "title": title,
                "summary": summary,
                "baseline": baseline,
                "markers": list(markers),
                "units": [],
                "note": "",
                "sections": {},
            }
        )
        return len(self.nodes) - 1

    def add_target(
        self,
        *,
        code: str,
        row: int,
        position: int,
        start: int,
        end: int,
        open_end: bool,
        text: str,
        revised_text: str = "",
        revision_reason: str = "",
    ) -> int:
        assert self.plan_row
        last = self.plan_row["last_year"]
        if open_end and start > last:
            label = f"{fiscal.western_label(start)}以降"
        elif start == end:
            label = fiscal.western_label(start)
        else:
            label = f"{fiscal.western_label(start)}〜{fiscal.western_label(min(end, last))}" + (
                "以降" if open_end else ""
            )
        self.targets.append(
            {
                "node_id": self.node_id(code),
                "row": row,
                "position": position,
                "fiscal_year": start if start == end and not open_end else None,
                "start_year": start,
                "end_year": end,
                "open_end": open_end,
                "period_label": label,
                "text": text,
                "revised_text": revised_text,
                "revision_reason": revision_reason,
                "note": "",
            }
        )
        return len(self.targets) - 1

    def add_result(
        self,
        *,
        code: str,
        year: int,
        text: str,
        rating: str | None,
        context_change: str = "",
        response: str = "",
        highlight: str = "",
    ) -> int:
        assert self.dimension is not None and self.scale is not None
        ratings = []
        if rating is not None:
            self.add_scale_level(rating)
            ratings.append(
                {
                    "dimension": self.dimension["key"],
                    "dimension_name": self.dimension["name"],
                    "scale": self.scale["code"],
                    "code": rating,
                    "label": self.rating_label(rating),
                    "reason": "",
                }
            )
        self.results.append(
            {
                "node_id": self.node_id(code),
                "fiscal_year": year,
                "fiscal_year_label": fiscal.western_label(year),
                "wareki": fiscal.wareki_label(year),
                "text": text,
                "rating": ratings[0] if ratings else None,
                "ratings": ratings,
                "context_change": context_change,
                "response": response,
                "highlight": highlight,
                "note": "",
                "sections": {},
            }
        )
        return len(self.results) - 1

    def dataset(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "plans": [self.plan_row],
            "scales": [self.scale] if self.scale is not None else [],
            "units": [],
            "nodes": self.nodes,
            "targets": self.targets,
            "results": self.results,
            "indicators": [],
            "costs": [],
        }


def _level(kind: str, name: str, depth: int, *, rated: bool) -> dict[str, Any]:
    return {"key": kind, "kind": kind, "name": name, "name_en": "", "depth": depth, "rated": rated}
