"""The review page of a report draft, as a view-model: the source on one side, one page
of it at a time, the lines a decision stands on marked; the decisions to check (those
below full confidence) listed first, a page of them at a time, each with the values it
may take; the proposed structure on the other side, one part (a programme, or a slice of
a long one) at a time, each item marked where a decision about it is to be checked.

What is shown is bounded whatever the draft's size: ``SOURCE_LINES`` lines of source when
the text has no pages, ``FLAGGED_PER_PAGE`` decisions, ``NODES_PER_PART`` nodes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.fiscal import both_labels, period_label, year_label
from shinchoku.interchange.models import ReportDraft, ReportDraftCorrection
from shinchoku.interchange.reportdrafts.corrections import (
    CELL_KINDS,
    NODE_KINDS,
    RATING_KINDS,
    YEAR_KINDS,
    Corrected,
    choices,
    current_value,
    node_name,
    the_plan,
)
from shinchoku.plans.formats.report.draft import Decision, Draft

#: Lines of a source page when the source has no pages of its own (text without form feeds).
SOURCE_LINES = 120
FLAGGED_PER_PAGE = 20
#: At most this many nodes of the structure on one page.
NODES_PER_PART = 25

KIND_LABELS = {
    "plan_area": gettext_lazy("plan area"),
    "programme": gettext_lazy("programme"),
    "measure": gettext_lazy("measure"),
    "programme_assignment": gettext_lazy("programme a measure belongs to"),
    "baseline": gettext_lazy("baseline or a year's target"),
    "summary": gettext_lazy("summary"),
    "target": gettext_lazy("target"),
    "target_years": gettext_lazy("years of a target, or the baseline"),
    "target_measure": gettext_lazy("measure a target belongs to"),
    "result_text": gettext_lazy("result"),
    "result_year": gettext_lazy("fiscal year a result belongs to"),
    "rating": gettext_lazy("rating"),
    "context_change": gettext_lazy("context change"),
    "response": gettext_lazy("response"),
    "highlight": gettext_lazy("highlight"),
}


@dataclass(frozen=True)
class State:
    """Where the person is on the review page: the decision selected, the part of the
    structure, the page of the source and of the list of decisions (None: follow the
    selected decision)."""

    decision: int | None = None
    part: int | None = None
    page: int | None = None
    flagged: int | None = None

    @classmethod
    def of(cls, query: Any) -> State:
        def number(name: str) -> int | None:
            value = query.get(name, "")
            return int(value) if value.isdigit() and len(value) < 9 else None

        return cls(number("decision"), number("part"), number("page"), number("flagged"))

    def query(self, **changes: int | None) -> str:
        values = {**self.__dict__, **changes}
        return "&".join(f"{key}={value}" for key, value in values.items() if value is not None)


@dataclass(frozen=True)
class OptionView:
    """A value offered in a decision's form: the radio button's value is its JSON."""

    value: str
    label: str
    alternative: bool
    checked: bool


@dataclass(frozen=True)
class EvidenceView:
    line: int
    page: int | None
    text: str
    #: The review page's query that shows the line, with the decision selected.
    query: str


@dataclass(frozen=True)
class DecisionLink:
    index: int
    kind_label: str
    flagged: bool
    query: str


@dataclass
class DecisionView:
    index: int
    decision: Decision
    subject: str
    kind_label: str
    current: str
    choices: list[OptionView]
    #: Whether the form offers a field for a value of one's own (text, a node's code).
    typed: bool
    #: Text the field starts with (a text decision's current text).
    typed_initial: str
    corrections: list[ReportDraftCorrection]
    evidence: list[EvidenceView]
    error: str = ""

    @property
    def percent(self) -> int:
        return round(self.decision.confidence * 100)

    @property
    def multiline(self) -> bool:
        return self.decision.kind not in YEAR_KINDS | CELL_KINDS | NODE_KINDS | RATING_KINDS


@dataclass
class LineView:
    number: int
    text: str
    #: A line the selected decision stands on.
    selected: bool
    #: A line a decision to check stands on (its first such decision), and the query selecting it.
    flagged: int | None
    query: str


@dataclass
class SourcePage:
    number: int
    label: str


@dataclass
class ItemView:
    """A target or a result of a node, with the decisions about it."""

    label: str
    text: str
    fields: list[tuple[str, str]]
    decisions: list[DecisionLink]
    moved: bool = False


@dataclass
class NodeView:
    depth: int
    name: str
    level: str
    fields: list[tuple[str, str]]
    decisions: list[DecisionLink]
    targets: list[ItemView] = field(default_factory=list)
    results: list[ItemView] = field(default_factory=list)


@dataclass
class Review:
    report_draft: ReportDraft
    draft: Draft
    state: State
    plan: dict[str, Any]
    plan_exists: bool
    selected: DecisionView | None
    flagged: list[DecisionView]
    flagged_pages: int
    flagged_page: int
    flagged_total: int
    source_pages: list[SourcePage]
    source_page: int
    lines: list[LineView]
    #: (index, label, query) of each part of the structure.
    parts: list[tuple[int, str, str]]
    part: int
    nodes: list[NodeView]

    @property
    def period(self) -> str:
        """The plan's period, as the page's language writes it."""
        first, last = self.plan.get("first_year"), self.plan.get("last_year")
        if not isinstance(first, int) or not isinstance(last, int):
            return ""
        return period_label(first, last)

    def _step(self, name: str, number: int, last: int) -> str:
        return self.state.query(**{name: number}) if 1 <= number <= last else ""

    @property
    def source_previous(self) -> str:
        return self._step("page", self.source_page - 1, len(self.source_pages))

    @property
    def source_next(self) -> str:
        return self._step("page", self.source_page + 1, len(self.source_pages))

    @property
    def source_label(self) -> str:
        return self.source_pages[self.source_page - 1].label if self.source_pages else ""

    @property
    def flagged_previous(self) -> str:
        return self._step("flagged", self.flagged_page - 1, self.flagged_pages)

    @property
    def flagged_next(self) -> str:
        return self._step("flagged", self.flagged_page + 1, self.flagged_pages)


def review_of(
    report_draft: ReportDraft,
    draft: Draft,
    corrected: Corrected,
    corrections: list[ReportDraftCorrection],
    state: State,
    *,
    plan_exists: bool,
    errors: dict[int, tuple[str, str]] | None = None,
) -> Review:
    """The page for ``state``; ``errors`` maps a decision to (the error, the value typed)."""
    dataset = corrected.dataset
    decisions = draft.decisions
    selected = state.decision if state.decision is not None and state.decision < len(decisions) else None

    flagged_indexes = [index for index, decision in enumerate(decisions) if decision.flagged]
    pages = max(1, -(-len(flagged_indexes) // FLAGGED_PER_PAGE))
    flagged_page = state.flagged
    if flagged_page is None and selected in flagged_indexes:
        flagged_page = flagged_indexes.index(selected) // FLAGGED_PER_PAGE + 1
    flagged_page = min(max(flagged_page or 1, 1), pages)
    shown = flagged_indexes[(flagged_page - 1) * FLAGGED_PER_PAGE : flagged_page * FLAGGED_PER_PAGE]

    source_pages, page_of_line = _source_pages(draft)
    focus = selected if selected is not None else (shown[0] if shown else None)
    source_page = state.page
    if source_page is None and focus is not None and decisions[focus].evidence:
        source_page = page_of_line.get(decisions[focus].evidence[0].line)
    source_page = min(max(source_page or 1, 1), len(source_pages) or 1)

    parts, node_part = _parts(dataset)
    part = state.part
    if part is None and focus is not None:
        part = node_part.get(_node_of(dataset, decisions[focus].pointer) or "")
    part = min(max(part or 0, 0), max(len(parts) - 1, 0))
    state = State(selected, part, source_page, flagged_page)

    by_pointer: dict[str, list[ReportDraftCorrection]] = defaultdict(list)
    for correction in corrections:
        by_pointer[correction.pointer].append(correction)
    errors = errors or {}

    def view(index: int) -> DecisionView:
        decision = decisions[index]
        evidence = [
            EvidenceView(
                item.line,
                item.page,
                item.text,
                state.query(decision=index, page=page_of_line.get(item.line)) + f"#line-{item.line}",
            )
            for item in decision.evidence
        ]
        return _decision_view(index, decision, dataset, by_pointer, errors.get(index), evidence)

    def link(index: int) -> DecisionLink:
        decision = decisions[index]
        query = state.query(decision=index, page=None, flagged=None) + f"#decision-{index}"
        return DecisionLink(
            index, str(KIND_LABELS.get(decision.kind, decision.kind)), decision.flagged, query
        )

    return Review(
        report_draft=report_draft,
        draft=draft,
        state=state,
        plan=the_plan(dataset),
        plan_exists=plan_exists,
        selected=view(selected) if selected is not None and selected not in shown else None,
        flagged=[view(index) for index in shown],
        flagged_pages=pages,
        flagged_page=flagged_page,
        flagged_total=len(flagged_indexes),
        source_pages=source_pages,
        source_page=source_page,
        lines=_lines(draft, page_of_line, source_page, selected, decisions, state),
        parts=[
            (index, label, state.query(part=index, decision=None, page=None))
            for index, (label, _ids) in enumerate(parts)
        ],
        part=part,
        nodes=_structure(dataset, corrected, parts[part][1] if parts else [], decisions, link),
    )


# ------------------------------------------------------------ decisions


def describe(dataset: dict[str, Any], pointer: str) -> str:
    """What a pointer is about, as a person names it: 「9-1-1 協働型事業の推進 · 2012年度の実施結果」."""
    parts = pointer.split("/")
    section = parts[1] if len(parts) > 1 else ""
    index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    items = dataset.get(section)
    if index is None or not isinstance(items, list) or index >= len(items):
        return pointer
    item = items[index]
    nodes = {node.get("id"): node for node in dataset.get("nodes", ())}
    if section == "nodes":
        return node_name(item)
    node = node_name(nodes.get(item.get("node_id"), {})) or str(item.get("node_id", ""))
    if section == "results" and isinstance(item.get("fiscal_year"), int):
        return _("%(node)s · result of %(year)s") % {"node": node, "year": year_label(item["fiscal_year"])}
    if section == "targets":
        return _("%(node)s · target %(period)s") % {"node": node, "period": item.get("period_label", "")}
    return node


def _decision_view(
    index: int,
    decision: Decision,
    dataset: dict[str, Any],
    by_pointer: dict[str, list[ReportDraftCorrection]],
    error: tuple[str, str] | None,
    evidence: list[EvidenceView],
) -> DecisionView:
    value = current_value(dataset, decision)
    offered = choices(dataset, decision)
    typed = decision.kind not in YEAR_KINDS | CELL_KINDS | RATING_KINDS
    shown = next((choice.label for choice in offered if choice.value == value), None)
    if shown is None:
        shown = _("none") if value in (None, "") else str(value)
    return DecisionView(
        index=index,
        decision=decision,
        subject=describe(dataset, decision.pointer),
        kind_label=str(KIND_LABELS.get(decision.kind, decision.kind)),
        current=shown,
        choices=[
            OptionView(
                json.dumps(choice.value, ensure_ascii=False),
                choice.label,
                choice.alternative,
                choice.value == value,
            )
            for choice in offered
        ],
        typed=typed,
        typed_initial=error[1]
        if error
        else (value if isinstance(value, str) and decision.kind not in NODE_KINDS else ""),
        corrections=by_pointer.get(decision.pointer, []),
        evidence=evidence,
        error=error[0] if error else "",
    )


# ------------------------------------------------------------ the source


def _source_pages(draft: Draft) -> tuple[list[SourcePage], dict[int, int]]:
    """The source's pages (its own, or slices of ``SOURCE_LINES`` lines) and the page of
    each line."""
    page_of_line: dict[int, int] = {}
    paged = any(line.page is not None for line in draft.source.lines)
    for position, line in enumerate(draft.source.lines):
        page_of_line[line.number] = (line.page or 1) if paged else position // SOURCE_LINES + 1
    count = max(page_of_line.values(), default=1)
    if paged:
        labels = [_("page %(page)s") % {"page": page} for page in range(1, count + 1)]
    else:
        labels = [
            _("lines %(first)s–%(last)s")
            % {
                "first": (page - 1) * SOURCE_LINES + 1,
                "last": min(page * SOURCE_LINES, len(draft.source.lines)),
            }
            for page in range(1, count + 1)
        ]
    return [SourcePage(number, label) for number, label in enumerate(labels, 1)], page_of_line


def _lines(
    draft: Draft,
    page_of_line: dict[int, int],
    page: int,
    selected: int | None,
    decisions: tuple[Decision, ...],
    state: State,
) -> list[LineView]:
    marked = {item.line for item in decisions[selected].evidence} if selected is not None else set()
    on_page = [line for line in draft.source.lines if page_of_line[line.number] == page]
    numbers = {line.number for line in on_page}
    flagged: dict[int, int] = {}
    for index, decision in enumerate(decisions):
        if decision.flagged:
            for item in decision.evidence:
                if item.line in numbers:
                    flagged.setdefault(item.line, index)
    return [
        LineView(
            line.number,
            line.text,
            line.number in marked,
            flagged.get(line.number),
            state.query(decision=flagged[line.number]) + f"#decision-{flagged[line.number]}"
            if line.number in flagged
            else "",
        )
        for line in on_page
    ]


# ------------------------------------------------------------ the structure


def _children(dataset: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    ids = {node.get("id") for node in dataset.get("nodes", ())}
    for node in dataset.get("nodes", ()):
        parent = node.get("parent_id")
        children[parent if parent in ids else None].append(node)
    for items in children.values():
        items.sort(key=lambda node: (node.get("position", 0), node.get("code", "")))
    return children


def _parts(dataset: dict[str, Any]) -> tuple[list[tuple[str, list[tuple[int, str]]]], dict[str, int]]:
    """The structure in parts: each top node with its first children (a plan area and its
    programmes), then each child's subtree, a slice of ``NODES_PER_PART`` nodes at a time.
    Each part lists (depth, node id); the part of every node."""
    children = _children(dataset)
    parts: list[tuple[str, list[tuple[int, str]]]] = []

    def subtree(node: dict[str, Any], depth: int) -> list[tuple[int, str]]:
        found = [(depth, node["id"])]
        for child in children.get(node["id"], ()):
            found.extend(subtree(child, depth + 1))
        return found

    for top in children.get(None, ()):
        parts.append((node_name(top), [(0, top["id"])]))
        for child in children.get(top["id"], ()):
            nodes = subtree(child, 1)
            slices = range(0, len(nodes), NODES_PER_PART)
            for number, start in enumerate(slices, 1):
                label = node_name(child)
                if len(slices) > 1:
                    label = _("%(name)s (%(part)s of %(parts)s)") % {
                        "name": label,
                        "part": number,
                        "parts": len(slices),
                    }
                parts.append((label, nodes[start : start + NODES_PER_PART]))
    node_part = {node_id: index for index, (_label, nodes) in enumerate(parts) for _depth, node_id in nodes}
    return parts, node_part


def _node_of(dataset: dict[str, Any], pointer: str) -> str | None:
    parts = pointer.split("/")
    if len(parts) < 3 or not parts[2].isdigit():
        return None
    items = dataset.get(parts[1])
    if not isinstance(items, list) or int(parts[2]) >= len(items):
        return None
    item = items[int(parts[2])]
    return item.get("id") if parts[1] == "nodes" else item.get("node_id")


def _structure(
    dataset: dict[str, Any],
    corrected: Corrected,
    nodes: list[tuple[int, str]],
    decisions: tuple[Decision, ...],
    link: Callable[[int], DecisionLink],
) -> list[NodeView]:
    wanted = {node_id for _depth, node_id in nodes}
    about: dict[str, list[int]] = defaultdict(list)
    for index, decision in enumerate(decisions):
        parts = decision.pointer.split("/")
        if len(parts) >= 3:
            about[f"/{parts[1]}/{parts[2]}"].append(index)
    by_id = {node["id"]: (index, node) for index, node in enumerate(dataset.get("nodes", ()))}
    levels = {level["key"]: level.get("name", "") for level in the_plan(dataset).get("levels", ())}
    targets: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for index, target in enumerate(dataset.get("targets", ())):
        if target.get("node_id") in wanted:
            targets[target["node_id"]].append((index, target))
    results: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for index, result in enumerate(dataset.get("results", ())):
        if result.get("node_id") in wanted:
            results[result["node_id"]].append((index, result))

    def links(indexes: list[int]) -> list[DecisionLink]:
        return [link(index) for index in indexes]

    views = []
    for depth, node_id in nodes:
        index, node = by_id[node_id]
        own = about.get(f"/nodes/{index}", [])
        fields = [
            (str(_("summary")), node.get("summary", "")),
            (str(_("baseline")), node.get("baseline", "")),
        ]
        view = NodeView(depth, node_name(node), levels.get(node.get("level_key"), ""), fields, links(own))
        for target_index, target in sorted(
            targets[node_id],
            key=lambda item: (
                item[1].get("row", 0),
                item[1].get("start_year", 0),
                item[1].get("position", 0),
            ),
        ):
            decided = about.get(f"/targets/{target_index}", [])
            view.targets.append(
                ItemView(
                    label=_period(dataset, target),
                    text=target.get("text", ""),
                    fields=[(str(_("revised target")), target.get("revised_text", ""))],
                    decisions=links(decided),
                    moved=target_index in corrected.moved,
                )
            )
        for result_index, result in sorted(results[node_id], key=lambda item: item[1].get("fiscal_year", 0)):
            decided = about.get(f"/results/{result_index}", [])
            rating = result.get("rating") or {}
            view.results.append(
                ItemView(
                    label=year_label(result["fiscal_year"])
                    if isinstance(result.get("fiscal_year"), int)
                    else "",
                    text=result.get("text", ""),
                    fields=[
                        (str(_("rating")), f"{rating.get('code', '')} {rating.get('label', '')}".strip()),
                        (str(_("context change")), result.get("context_change", "")),
                        (str(_("response")), result.get("response", "")),
                        (str(_("highlight")), result.get("highlight", "")),
                    ],
                    decisions=links(decided),
                )
            )
        views.append(view)
    return views


def _period(dataset: dict[str, Any], target: dict[str, Any]) -> str:
    start, end = target.get("start_year"), target.get("end_year")
    if not isinstance(start, int) or not isinstance(end, int):
        return str(target.get("period_label", ""))
    last = the_plan(dataset).get("last_year")
    if isinstance(last, int) and start > last:
        return f"{both_labels(start)}以降"
    text = both_labels(start) if start == end else f"{both_labels(start)}〜{both_labels(end)}"
    return f"{text}以降" if target.get("open_end") else text
