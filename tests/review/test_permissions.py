"""Object-level rules: who holds which role on which measure."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.accounts.permissions import (
    can_edit_node,
    editable_nodes,
    editor_units,
    is_administrator,
    is_reviewer,
    node_editor_ids,
)
from shinchoku.review.permissions import can_view_entry, entry_roles
from tests.factories import make_staff, make_unit

from .conftest import Cycle

pytestmark = pytest.mark.django_db


def test_each_persons_roles_on_each_entry(cycle: Cycle) -> None:
    """The matrix of people × entries: 9-1-1 (unit, under the bureau), 9-1-2 (other unit),
    9-3-1 (no responsible unit)."""
    measure3 = cycle.round.entries.get(node=cycle.sample.measure3)
    expected = {
        "kikaku": [{Role.ADMINISTRATOR}] * 3,
        "shinsa": [{Role.REVIEWER}] * 3,
        "tanto": [{Role.EDITOR}, set(), set()],
        "kyoku": [{Role.EDITOR}, set(), set()],
        "betsu": [set(), {Role.EDITOR}, set()],
    }
    people = [cycle.admin, cycle.reviewer, cycle.editor, cycle.bureau_editor, cycle.other_editor]
    entries = [cycle.entry, cycle.other_entry, measure3]
    actual = {person.username: [set(entry_roles(person, entry)) for entry in entries] for person in people}
    assert actual == expected
    assert [can_view_entry(AnonymousUser(), entry) for entry in entries] == [False] * 3


def test_predicates(cycle: Cycle) -> None:
    assert is_administrator(cycle.admin) and not is_administrator(cycle.reviewer)
    assert is_reviewer(cycle.reviewer) and not is_reviewer(cycle.admin)
    assert not is_administrator(AnonymousUser()) and not is_reviewer(AnonymousUser())
    assert editor_units(cycle.editor) == {cycle.unit.pk}
    assert editor_units(cycle.bureau_editor) == {cycle.bureau.pk, cycle.unit.pk}
    assert editor_units(cycle.reviewer) == frozenset()
    assert can_edit_node(cycle.bureau_editor, cycle.sample.measure)
    assert not can_edit_node(cycle.other_editor, cycle.sample.measure)
    assert not can_edit_node(cycle.editor, cycle.sample.programme)
    assert list(editable_nodes(cycle.editor)) == [cycle.sample.measure]
    assert node_editor_ids([cycle.sample.measure.pk, cycle.sample.measure3.pk]) == {
        cycle.sample.measure.pk: {cycle.editor.pk, cycle.bureau_editor.pk}
    }


def test_an_inactive_user_holds_no_role(cycle: Cycle) -> None:
    for person in [cycle.admin, cycle.reviewer, cycle.editor]:
        person.is_active = False
        person.save()
        assert entry_roles(person, cycle.entry) == frozenset()


def test_a_superuser_is_an_administrator(db: None) -> None:
    user = make_staff(Role.REVIEWER)
    assert not is_administrator(user)
    user.is_superuser = True
    user.save()
    assert is_administrator(user)


def test_an_editor_needs_a_unit_and_no_role_is_held_twice(db: None) -> None:
    user = make_staff(Role.REVIEWER)
    unit = make_unit()
    with transaction.atomic(), pytest.raises(IntegrityError):
        StaffRole.objects.create(user=user, role=Role.EDITOR, unit=None)
    with transaction.atomic(), pytest.raises(IntegrityError):
        StaffRole.objects.create(user=user, role=Role.REVIEWER, unit=unit)
    with transaction.atomic(), pytest.raises(IntegrityError):
        StaffRole.objects.create(user=user, role=Role.REVIEWER)
    StaffRole.objects.create(user=user, role=Role.EDITOR, unit=unit)
    with transaction.atomic(), pytest.raises(IntegrityError):
        StaffRole.objects.create(user=user, role=Role.EDITOR, unit=unit)
    assert user.staff_roles.count() == 2
