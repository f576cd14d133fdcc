"""The one rule for a node's targets when a plan is written again, the same through every
file format (``shinchoku.plans.writing``): a target matched by its row and years is
updated in place and keeps its proposed revisions; removing a target whose revision is
pending in an open round is refused, naming the round, and writes nothing; once the
round is closed (or the entry published) the target is removed.

Each format reads a plan written by the plan data file, changes one target the way a
person would in that format, and imports it again: the plan data file (YAML), the JSON
dataset and the structure sheet (CSV)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent, EventType
from shinchoku.audit.selectors import audit_history
from shinchoku.interchange.importing import import_apply
from shinchoku.interchange.preview import ImportRefused
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.formats.planfile import PlanFileError, load_plan_file
from shinchoku.plans.formats.structure.export import plan_rows, to_csv
from shinchoku.plans.formats.structure.vocabulary import SPAN_TEXT
from shinchoku.plans.models import OrgUnit, Plan
from shinchoku.progress.models import Target
from shinchoku.review import services
from shinchoku.review.models import Entry, EntryTarget, Round
from tests.factories import make_staff
from tests.plans.formats.planfile.test_planfile import GOOD, the_measure

pytestmark = pytest.mark.django_db

#: The target that has a revision proposed (in GOOD: the first target of 9-1-1).
TEXT = "●説明会の開催"
NEW_TEXT = "●説明会の開催(年2回)"


@dataclass(frozen=True)
class Format:
    """How a person changes one target of the stored plan in a file of this format and
    imports the file: ``retext`` gives the target another text, ``drop`` leaves it out."""

    name: str
    retext: Callable[[Path, str], None]
    drop: Callable[[Path], None]
    #: The audit event an import of this format records.
    event: str


def _plan_file(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = copy.deepcopy(GOOD)
    change(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_plan_file(path)


def _target_in_file(targets: list[dict[str, Any]]) -> dict[str, Any]:
    return next(target for target in targets if target["text"] == TEXT)


PLAN_FILE = Format(
    "plan file",
    retext=lambda tmp_path, text: _plan_file(
        tmp_path, lambda d: _target_in_file(the_measure(d)["targets"]).update(text=text)
    ),
    drop=lambda tmp_path: _plan_file(
        tmp_path, lambda d: the_measure(d)["targets"].remove(_target_in_file(the_measure(d)["targets"]))
    ),
    event=EventType.PLAN_LOADED,
)


def _dataset(change: Callable[[dict[str, Any]], None]) -> None:
    data = export_dataset()
    change(data)
    import_apply(dumps(data).encode(), "dataset.json", actor=None)


DATASET = Format(
    "dataset",
    retext=lambda _tmp_path, text: _dataset(lambda d: _target_in_file(d["targets"]).update(text=text)),
    drop=lambda _tmp_path: _dataset(lambda d: d["targets"].remove(_target_in_file(d["targets"]))),
    event=EventType.PLAN_IMPORTED,
)


def _sheet(change: Callable[[list[list[str]]], None]) -> None:
    rows = plan_rows(Plan.objects.get(code="t"))
    change(rows)
    import_apply(to_csv(rows), "structure.csv", actor=None)


def _retext_cell(rows: list[list[str]], text: str) -> None:
    row = next(row for row in rows if TEXT in row)
    row[row.index(TEXT)] = text


def _empty_cell(rows: list[list[str]]) -> None:
    """The target's cell emptied, with the cells that continue it (同左)."""
    row = next(row for row in rows if TEXT in row)
    column = row.index(TEXT)
    row[column] = ""
    while column + 1 < len(row) and row[column + 1] == SPAN_TEXT:
        column += 1
        row[column] = ""


STRUCTURE_SHEET = Format(
    "structure sheet",
    retext=lambda _tmp_path, text: _sheet(lambda rows: _retext_cell(rows, text)),
    drop=lambda _tmp_path: _sheet(_empty_cell),
    event=EventType.PLAN_IMPORTED,
)

#: Every format that writes a plan's targets.
FORMATS = [PLAN_FILE, DATASET, STRUCTURE_SHEET]


@dataclass
class Pending:
    round: Round
    entry: Entry
    target: Target
    revision: EntryTarget


def pending_revision(tmp_path: Path) -> Pending:
    """The plan of GOOD loaded, and a targets round open on it in which a revision of the
    target TEXT is proposed."""
    _plan_file(tmp_path, lambda _d: None)
    admin = make_staff(Role.ADMINISTRATOR)
    plan = Plan.objects.get(code="t")
    round_ = services.round_open(
        plan, 2013, Round.Kind.TARGETS, timezone.localdate() + timedelta(days=14), actor=admin
    )
    target = Target.objects.get(text=TEXT)
    entry = Entry.objects.get(round=round_, node=target.node)
    editor = make_staff(Role.EDITOR, unit=OrgUnit.objects.get(code="shimin"))
    services.entry_save(
        entry,
        {"targets": {target.pk: {"revised_text": "●説明会を随時開催", "revision_reason": "要望が多いため"}}},
        actor=editor,
        expected_version=entry.version,
    )
    return Pending(round_, entry, target, EntryTarget.objects.get(target=target))


def state() -> str:
    return dumps(export_dataset())


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
def test_a_target_given_another_text_is_updated_in_place_and_keeps_its_revision(
    tmp_path: Path, fmt: Format
) -> None:
    pending = pending_revision(tmp_path)
    events = AuditEvent.objects.count()

    fmt.retext(tmp_path, NEW_TEXT)

    target = Target.objects.get(pk=pending.target.pk)
    assert target.text == NEW_TEXT
    revision = EntryTarget.objects.get(pk=pending.revision.pk)
    assert revision.target_id == target.pk and revision.revised_text == "●説明会を随時開催"
    # One audit row for the plan, holding the change before → after.
    assert AuditEvent.objects.count() == events + 1
    event = audit_history(Plan.objects.get(code="t")).last()
    assert event is not None and event.event_type == fmt.event
    changed = [change for name, change in event.changes.items() if name.endswith(": text")]
    assert changed == [{"before": TEXT, "after": NEW_TEXT}]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
def test_dropping_a_target_with_a_revision_pending_in_an_open_round_is_refused_naming_the_round(
    tmp_path: Path, fmt: Format
) -> None:
    pending = pending_revision(tmp_path)
    before = state()
    events = AuditEvent.objects.count()

    with pytest.raises((PlanFileError, ImportRefused)) as refusal:
        fmt.drop(tmp_path)

    message = str(refusal.value)
    assert pending.round.label in message and "テスト計画" in message, message
    assert TEXT in message, message
    assert state() == before
    assert Target.objects.filter(pk=pending.target.pk).exists()
    assert EntryTarget.objects.filter(pk=pending.revision.pk).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
@pytest.mark.parametrize("done", ["round closed", "entry published"])
def test_a_target_whose_round_is_done_is_removed(tmp_path: Path, fmt: Format, done: str) -> None:
    pending = pending_revision(tmp_path)
    if done == "round closed":
        services.round_close(pending.round, actor=make_staff(Role.ADMINISTRATOR))
    else:  # what publishing does to an approved entry
        Entry.objects.filter(pk=pending.entry.pk).update(state=Entry.State.PUBLISHED)

    fmt.drop(tmp_path)

    assert not Target.objects.filter(pk=pending.target.pk).exists()
    assert not EntryTarget.objects.filter(pk=pending.revision.pk).exists()
    assert sorted(Target.objects.values_list("text", flat=True)) == ["●基本計画策定", "事業推進"]


# ------------------------------------------------------------------ a content that carries some parts


def loaded_content(tmp_path: Path, change: Callable[[dict[str, Any]], None] = lambda _d: None) -> Any:
    """GOOD loaded, and the content of GOOD changed by ``change``, read as the plan file reads it."""
    from shinchoku.plans.formats.planfile import read_plan_file

    _plan_file(tmp_path, lambda _d: None)
    data = copy.deepcopy(GOOD)
    change(data)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return read_plan_file(path).content


def test_a_content_without_results_and_indicators_leaves_them_as_stored(tmp_path: Path) -> None:
    from shinchoku.plans.content import STRUCTURE, TARGETS
    from shinchoku.plans.writing import Origin, plan_apply, plan_diff
    from shinchoku.progress.models import Indicator, Result

    def without_data(data: dict[str, Any]) -> None:
        the_measure(data).update(results=[], indicators=[], title="協働型事業の推進(改)")

    content = loaded_content(tmp_path, without_data)
    content.parts = frozenset({STRUCTURE, TARGETS})
    results, indicators = Result.objects.count(), Indicator.objects.count()
    diff = plan_diff(content)
    assert {item.kind for item in diff.objects} >= {"node", "target"}
    assert not {item.kind for item in diff.objects} & {"result", "indicator"}
    assert [(item.kind, item.status.value) for item in diff.objects if item.status.value != "unchanged"] == [
        ("node", "changed")
    ]

    plan_apply(content, actor=None, origin=Origin("sheet.csv", "test"))

    assert Result.objects.count() == results == 2 and Indicator.objects.count() == indicators == 1
    assert the_node("9-1-1").title == "協働型事業の推進(改)"


def test_a_content_without_results_may_not_drop_a_node_that_has_some(tmp_path: Path) -> None:
    from shinchoku.plans.content import STRUCTURE, TARGETS
    from shinchoku.plans.writing import Origin, PlanWriteRefused, plan_apply

    content = loaded_content(tmp_path, lambda d: d["nodes"][0]["children"][0].update(children=[]))
    content.parts = frozenset({STRUCTURE, TARGETS})
    before = state()
    with pytest.raises(PlanWriteRefused) as refusal:
        plan_apply(content, actor=None, origin=Origin("sheet.csv", "test"))
    problems = refusal.value.problems
    assert [problem.source for problem in problems] == [("nodes",), ("nodes",)]
    assert [problem.message for problem in problems] == [
        f"the file drops the node '9-1-1', but it holds {what}, which this file does not carry: "
        "they would be lost"
        for what in ("results", "indicators")
    ]
    assert state() == before


def the_node(code: str) -> Any:
    from shinchoku.plans.models import Node

    return Node.objects.get(code=code)
