"""The structure sheet written through the plan's one writer: it carries a plan's structure
and targets only, laid over the stored plan, so that what it does not say (a column left
out, a target's revised text and note, results, ratings, indicators, a unit's other
roles, a node's note) stays as it is; a target whose text it changes keeps its row; the
import is one audit row holding the changes; a target the review round still needs is
refused in the preview already, at the node's row, naming the round."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, RowStatus, Where
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.structure.export import plan_rows, to_csv
from shinchoku.plans.models import Node, NodeUnit, OrgUnit, Plan
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target
from shinchoku.review import services
from shinchoku.review.models import Entry, Round
from tests.factories import add_unit, make_staff
from tests.plans.formats.planfile.test_planfile import GOOD, write
from tests.plans.formats.structure.test_plan_structure import csv_bytes

pytestmark = pytest.mark.django_db


def good_plan(tmp_path: Path) -> Plan:
    from shinchoku.plans.formats.planfile import load_plan_file

    load_plan_file(write(tmp_path, GOOD))
    return Plan.objects.get(code="t")


def cell(rows: list[list[str]], text: str) -> tuple[int, int]:
    """(row index, column index) of the cell holding ``text``."""
    index = next(i for i, row in enumerate(rows) if text in row)
    return index, rows[index].index(text)


def kept_apart() -> dict[str, object]:
    """What a structure import never writes."""
    return {
        "results": sorted(Result.objects.values_list("pk", "node_id", "fiscal_year", "text", "response")),
        "ratings": sorted(Rating.objects.values_list("pk", "result_id", "dimension_id", "level_id")),
        "indicators": sorted(
            Indicator.objects.values_list("pk", "node_id", "name", "unit", "baseline_value")
        ),
        "values": sorted(IndicatorValue.objects.values_list("pk", "indicator_id", "fiscal_year", "target")),
        "notes": sorted(Node.objects.values_list("pk", "note")),
    }


def test_a_target_given_another_text_keeps_its_row_revision_and_note(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    Target.objects.filter(text="●基本計画策定").update(note="原典の注記")
    target = Target.objects.get(text="●基本計画策定")
    rows = plan_rows(plan)
    row, column = cell(rows, "●基本計画策定")
    rows[row][column] = "●基本計画の策定"

    preview = import_preview(to_csv(rows), "structure.csv", actor=None)
    assert preview.ok, [str(p) for p in preview.all_problems]
    (changed,) = [r for r in preview.rows if r.status == RowStatus.CHANGED]
    (change,) = changed.changes
    assert (changed.subject, change.label) == ("9-1-1 協働型事業の推進", "targets")
    assert "[2] 2012年度: ●基本計画策定" in change.before and "[2] 2012年度: ●基本計画の策定" in change.after
    import_apply(to_csv(rows), "structure.csv", actor=None)

    target.refresh_from_db()  # the same row, updated in place
    assert (target.text, target.revised_text, target.revision_reason, target.note) == (
        "●基本計画の策定",
        "●基本計画素案",
        "国の動向",
        "原典の注記",
    )


def test_what_the_sheet_does_not_carry_stays_as_it_is(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    measure = Node.objects.get(code="9-1-1")
    Node.objects.filter(pk=measure.pk).update(note="編集メモ")
    authoring = add_unit(measure, OrgUnit.objects.create(code="kikaku", name="企画調整課"), role="authoring")
    before = kept_apart()
    rows = plan_rows(plan)
    row, column = cell(rows, "協働型事業の推進")
    rows[row][column] = "協働型事業の推進(改)"
    # Without the column of the purpose: the stored one stays.
    drop = {rows[0].index("概要")}
    rows = [[value for index, value in enumerate(line) if index not in drop] for line in rows]

    preview = import_preview(csv_bytes(rows), "structure.csv", actor=None)
    assert preview.ok, [str(p) for p in preview.all_problems]
    (changed,) = [r for r in preview.rows if r.status == RowStatus.CHANGED]
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("title", "協働型事業の推進", "協働型事業の推進(改)")
    ]
    import_apply(csv_bytes(rows), "structure.csv", actor=None)

    measure.refresh_from_db()
    assert measure.title == "協働型事業の推進(改)"
    assert measure.summary == "協働型事業の拡充を進めます。"
    assert sorted(measure.unit_roles.values_list("unit__code", "role")) == [
        ("kikaku", "authoring"),
        ("shimin", NodeUnit.Role.RESPONSIBLE),
    ]
    assert NodeUnit.objects.filter(pk=authoring.pk).exists()
    assert kept_apart() == before
    assert Indicator.objects.filter(node=measure).count() == 1 and Result.objects.count() == 2


def test_an_import_is_one_audit_row_holding_its_changes(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    admin = make_staff(Role.ADMINISTRATOR)
    events = AuditEvent.objects.count()
    rows = plan_rows(plan)
    row, column = cell(rows, "協働のまちづくりの推進")
    rows[row][column] = "協働のまちづくり"

    result = import_apply(to_csv(rows), "structure.csv", actor=admin)
    assert "1 changed" in result.summary
    assert AuditEvent.objects.count() == events + 1
    event = audit_history(plan).last()
    assert event is not None
    assert (event.event_type, event.actor, event.details["file"], event.details["importer"]) == (
        EventType.PLAN_IMPORTED,
        admin,
        "structure.csv",
        "plan-structure",
    )
    titles = {name: change for name, change in event.changes.items() if name.endswith(": title")}
    assert list(titles.values()) == [{"before": "協働のまちづくりの推進", "after": "協働のまちづくり"}]
    assert "9-1" in next(iter(titles))

    # The same file again: nothing to write, nothing recorded.
    assert "nothing to change" in import_apply(to_csv(rows), "structure.csv", actor=admin).summary
    assert AuditEvent.objects.count() == events + 1


def test_a_target_with_a_revision_pending_is_refused_in_the_preview(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    admin = make_staff(Role.ADMINISTRATOR)
    round_ = services.round_open(
        plan, 2012, Round.Kind.TARGETS, timezone.localdate() + timedelta(days=14), actor=admin
    )
    target = Target.objects.get(text="●基本計画策定")
    entry = Entry.objects.get(round=round_, node=target.node)
    editor = make_staff(Role.EDITOR, unit=OrgUnit.objects.get(code="shimin"))
    services.entry_save(
        entry,
        {"targets": {target.pk: {"revised_text": "●素案", "revision_reason": "理由"}}},
        actor=editor,
        expected_version=entry.version,
    )
    before = dumps(export_dataset())
    rows = plan_rows(plan)
    row, column = cell(rows, "●基本計画策定")
    rows[row][column] = ""
    data = to_csv(rows)

    preview = import_preview(data, "structure.csv", actor=admin)
    (problem,) = preview.all_problems
    node_row, _column = cell(rows, "9-1-1")
    assert problem.where == Where("structure.csv", "", node_row + 1)
    assert round_.label in problem.message and "●基本計画策定" in problem.message
    with pytest.raises(ImportRefused):
        import_apply(data, "structure.csv", actor=admin)
    assert dumps(export_dataset()) == before


def test_without_the_units_column_the_units_stay(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    roles = sorted(NodeUnit.objects.values_list("pk", "node_id", "unit_id", "role"))
    rows = plan_rows(plan)
    units = rows[0].index("所管課")
    rows = [[value for index, value in enumerate(line) if index != units] for line in rows]
    row, column = cell(rows, "協働型事業の推進")
    rows[row][column] = "協働型事業の推進(改)"
    import_apply(csv_bytes(rows), "structure.csv", actor=None)
    assert Node.objects.get(code="9-1-1").title == "協働型事業の推進(改)"
    assert sorted(NodeUnit.objects.values_list("pk", "node_id", "unit_id", "role")) == roles
