"""The texts of a measure compared between two fiscal years: each section of the year's
result (実施結果, 環境等の変化 … as the plan defines them) and the targets set for the
year, shown as what the later text deletes and inserts (``shinchoku.textdiff``), with a
summary of the sentences added, removed and rewritten.

The years offered are those of the plan period with a published result of the measure: a
year whose round is not published has none, so its draft is never compared. The page is
asked for by ``from``, ``to`` and ``field`` (a section's key, or ``targets``; none for
every text): an address without a year is completed with the latest two (``redirect``);
a year or a field not offered is not found (``NoComparison``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext, pgettext

from shinchoku import textdiff
from shinchoku.plans.models import Node, Section
from shinchoku.plans.names import shown_name
from shinchoku.plans.sections import plan_sections, section_texts
from shinchoku.progress.models import Result, ResultSectionText, Target

from .common import NodeRef, PageCrumb, PlanHeader, _ancestor_refs, node_ref, plan_header, year_label
from .search import Choice

#: The field of the targets set for a year (a section of the plan keyed so comes first).
TARGETS = "targets"


class NoComparison(Exception):
    """The years or the field asked for are not offered for this measure."""


@dataclass(frozen=True)
class LineView:
    """A line of a diff with what it is, said in words: "Added", "Removed", "Changed"
    (empty for a line of both years)."""

    status: str
    label: str
    parts: tuple[textdiff.Part, ...]
    #: "deleted" or "inserted" when the line break ending the line is in one year only.
    marked_break: str


@dataclass(frozen=True)
class FieldDiff:
    """One text of the two years compared."""

    key: str
    #: The section's name in the page's language, or "Targets".
    name: str
    lines: tuple[LineView, ...]
    #: The later text (the earlier one when the later is empty): what the diff's language is told by.
    text: str
    #: "2 sentences added, 1 removed, 1 changed", or that nothing changed.
    summary: str
    same: bool
    #: Written in neither year.
    empty: bool


@dataclass(frozen=True)
class YearComparison:
    plan: PlanHeader
    node: NodeRef
    #: The breadcrumb's nodes, down to the measure, and the page's own crumb.
    trail: tuple[NodeRef, ...]
    crumb: PageCrumb
    #: The years with a published result, oldest first, for the form: each once as the
    #: earlier year and once as the later, the one shown selected.
    from_years: tuple[Choice, ...]
    to_years: tuple[Choice, ...]
    #: Every text that can be compared, for the form ("" for all of them first).
    fields: tuple[Choice, ...]
    from_year: int | None
    to_year: int | None
    from_label: str
    to_label: str
    #: The field shown, or "" for every one.
    field: str
    diffs: tuple[FieldDiff, ...]
    #: What a screen reader says around a removed or an added part ("[removed: … ]").
    removed_start: str
    added_start: str
    change_end: str
    line_break_label: str
    #: The complete query of this page, when the address left a year out: the view
    #: sends the reader there, so that every comparison has one address.
    redirect: dict[str, str] | None = None

    @property
    def comparable(self) -> bool:
        return len(self.to_years) > 1


def _year(value: str | None, offered: Sequence[int]) -> int | None:
    """The year ``value`` names, None when none is given; raises ``NoComparison`` for one not offered."""
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) not in offered:
        raise NoComparison(value)
    return int(value)


def _target_text(targets: Sequence[Target], year: int) -> str:
    """The targets set for ``year``, each as it stands (revised where it was), one a line,
    in the order of the target table."""
    covering = [t for t in targets if Target.covers(t.start_year, t.end_year, t.open_end, year)]
    covering.sort(key=lambda t: (t.row, t.start_year, t.position, t.pk))
    return "\n".join((t.revised_text or t.text) for t in covering)


def _summary(summary: textdiff.Summary) -> str:
    if summary.same:
        return gettext("No change")
    parts = []
    if summary.added:
        parts.append(
            ngettext("%(count)s sentence added", "%(count)s sentences added", summary.added)
            % {"count": summary.added}
        )
    if summary.removed:
        parts.append(
            ngettext("%(count)s sentence removed", "%(count)s sentences removed", summary.removed)
            % {"count": summary.removed}
        )
    if summary.changed:
        parts.append(
            ngettext("%(count)s sentence changed", "%(count)s sentences changed", summary.changed)
            % {"count": summary.changed}
        )
    return gettext(", ").join(parts)


def _line_view(line: textdiff.DiffLine) -> LineView:
    labels = {
        "inserted": gettext("Added"),
        "deleted": gettext("Removed"),
        "changed": gettext("Changed"),
    }
    return LineView(
        status=line.status,
        label=labels.get(line.status, ""),
        parts=line.parts,
        marked_break=line.marked_break.value if line.marked_break else "",
    )


def _field_diff(key: str, name: str, old: str, new: str) -> FieldDiff:
    diff = textdiff.compare(old, new)
    return FieldDiff(
        key=key,
        name=name,
        lines=tuple(_line_view(line) for line in textdiff.lines(diff)),
        text=diff.new or diff.old,
        summary=_summary(diff.summary),
        same=diff.same,
        empty=not diff.parts,
    )


def year_comparison(
    node: Node, *, from_year: str | None = None, to_year: str | None = None, field: str | None = None
) -> YearComparison:
    """The texts of a rated node from ``node_get`` compared between ``from_year`` and
    ``to_year``: every one, or only ``field``. Four queries (five when the plan defines
    sections of its own), whatever the number of years. Raises ``NoComparison``."""
    plan = node.plan
    results = {
        result.fiscal_year: result
        for result in Result.objects.filter(node=node, fiscal_year__in=plan.fiscal_years).order_by(
            "fiscal_year"
        )
    }
    offered = sorted(results)
    sections = [s for s in plan_sections(plan, [node.level])[node.level_id] if s.scope == Section.Scope.YEAR]
    names = {section.key: shown_name(section) for section in sections}
    names.setdefault(TARGETS, gettext("Targets"))
    field = field or ""
    if field and field not in names:
        raise NoComparison(field)
    start, end = _year(from_year, offered), _year(to_year, offered)
    redirect = None
    if (start is None or end is None) and len(offered) > 1:
        end = end if end is not None else offered[-1]
        start = start if start is not None else max([y for y in offered if y < end] or [offered[0]])
        redirect = {"from": str(start), "to": str(end), **({"field": field} if field else {})}
    diffs: tuple[FieldDiff, ...] = ()
    if start is not None and end is not None and redirect is None:
        diffs = _diffs(node, sections, names, results[start], results[end], field)
    shown = node_ref(node)
    return YearComparison(
        plan=plan_header(plan),
        node=shown,
        trail=(*_ancestor_refs([node])[node.pk], shown),
        crumb=PageCrumb(gettext("Texts of two fiscal years compared")),
        from_years=tuple(Choice(str(year), year_label(year), year == start) for year in offered),
        to_years=tuple(Choice(str(year), year_label(year), year == end) for year in offered),
        fields=(
            Choice("", gettext("Every text"), not field),
            *(Choice(key, name, key == field) for key, name in names.items()),
        ),
        from_year=start,
        to_year=end,
        from_label=year_label(start) if start is not None else "",
        to_label=year_label(end) if end is not None else "",
        field=field,
        diffs=diffs,
        removed_start=pgettext("text diff", "[removed:"),
        added_start=pgettext("text diff", "[added:"),
        change_end=pgettext("text diff", "]"),
        line_break_label=gettext("line break"),
        redirect=redirect,
    )


def _diffs(
    node: Node, sections: Sequence[Section], names: dict[str, str], old: Result, new: Result, field: str
) -> tuple[FieldDiff, ...]:
    """Each text of the two results (the one ``field`` names, or all), in the plan's
    order, the targets last."""
    texts: dict[int, dict[int, str]] = {old.pk: {}, new.pk: {}}
    if any(not section.builtin for section in sections):
        own = ResultSectionText.objects.filter(result_id__in=[old.pk, new.pk]).order_by()
        for result_id, section_id, text in own.values_list("result_id", "section_id", "text"):
            texts[result_id][section_id] = text
    chosen = [s for s in sections if not field or s.key == field]
    before = {s.key: text for s, text in section_texts(old, chosen, texts[old.pk])}
    after = {s.key: text for s, text in section_texts(new, chosen, texts[new.pk])}
    diffs = [_field_diff(s.key, names[s.key], before[s.key], after[s.key]) for s in chosen]
    if field in ("", TARGETS) and TARGETS not in before:
        targets = list(Target.objects.filter(node=node).order_by())
        diffs.append(
            _field_diff(
                TARGETS,
                names[TARGETS],
                _target_text(targets, old.fiscal_year),
                _target_text(targets, new.fiscal_year),
            )
        )
    return tuple(diffs)
