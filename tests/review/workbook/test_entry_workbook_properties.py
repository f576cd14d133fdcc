"""Property: whatever a person types into an entry workbook's cells, importing it never
crashes and never half-writes — it either imports, or reports problems and writes nothing."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from shinchoku.audit.models import AuditEvent
from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused
from shinchoku.review.models import Entry, EntryRating
from shinchoku.review.workbook import writer as template
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db

text = st.text(max_size=300).map(lambda value: ILLEGAL_CHARACTERS_RE.sub("", value))
cell_values = st.one_of(
    st.none(),
    text,
    st.sampled_from(["1 目標を大きく上回って達成", "3", "３", "6", "3 違うラベル", "=1+1", "=A1", " 2 "]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    # A spreadsheet cell holds a naive date and time.
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)),  # noqa: DTZ001
)
#: (row, column, value): rows and columns reach past the workbook's own.
edits = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 16), cell_values), max_size=8)


def database() -> tuple[Any, ...]:
    return (
        tuple(
            Entry.objects.order_by("pk").values_list(
                "version", "text", "context_change", "response", "highlight"
            )
        ),
        tuple(EntryRating.objects.order_by("pk").values_list("entry_id", "level_id")),
        AuditEvent.objects.count(),
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        cycle = make_cycle()
        cycle.written(text="・もとの記述", code="3")
        content = template.build_workbook(cycle.round, cycle.bureau).content
        yield cycle, content
        transaction.set_rollback(True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=edits)
def test_any_cells_import_cleanly_or_write_nothing(world: Any, changes: list[tuple[int, int, Any]]) -> None:
    cycle, content = world
    book = load_workbook(io.BytesIO(content))
    sheet = book[template.ENTRY_SHEET]
    for row, column, value in changes:
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with transaction.atomic():
        before = database()
        preview = import_preview(data, "typed.xlsx", actor=cycle.editor)
        assert database() == before
        try:
            import_apply(data, "typed.xlsx", actor=cycle.editor)
        except ImportRefused as refusal:
            assert not preview.ok
            assert refusal.preview.all_problems
            assert database() == before
        else:
            assert preview.ok
            assert database() == before or preview.changed
        transaction.set_rollback(True)
