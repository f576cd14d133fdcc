"""Who may do what: predicates on a user's staff roles.

- An administrator is an active user with the administrator role, or a superuser.
- A reviewer is an active user with the reviewer role.
- An editor writes the measures of the units they hold the editor role for, and of
  every unit under those (a bureau's editor may write its sections' measures): a
  measure is theirs when one of those units is ``responsible`` on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.memo import memo, memo_fill
from shinchoku.plans.models import Node, NodeUnit, OrgUnit, unit_and_ancestors


def _is_active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _has_role(user: Any, role: Role) -> bool:
    return _is_active(user) and memo(
        ("has_role", user.pk, role), lambda: StaffRole.objects.filter(user=user, role=role).exists()
    )


def is_administrator(user: Any) -> bool:
    return _is_active(user) and (bool(user.is_superuser) or _has_role(user, Role.ADMINISTRATOR))


def is_reviewer(user: Any) -> bool:
    return _has_role(user, Role.REVIEWER)


def is_staff_member(user: Any) -> bool:
    """Holds any staff role (or is a superuser): may see the staff pages at all."""
    return _is_active(user) and (bool(user.is_superuser) or StaffRole.objects.filter(user=user).exists())


def editor_units(user: Any) -> frozenset[int]:
    """Ids of the units whose measures ``user`` may write: the units of their editor
    roles and every unit below those. Two queries, whatever the depth."""
    if not _is_active(user):
        return frozenset()
    return memo(("editor_units", user.pk), lambda: _editor_units(user))


def _editor_units(user: Any) -> frozenset[int]:
    assigned = set(StaffRole.objects.filter(user=user, role=Role.EDITOR).values_list("unit_id", flat=True))
    if not assigned:
        return frozenset()
    parents = _unit_parents()
    return frozenset(
        unit_id
        for unit_id in parents
        if any(unit in assigned for unit in unit_and_ancestors(unit_id, parents))
    )


def _unit_parents() -> dict[int, int | None]:
    """The parent of every unit, by id. One query."""
    return dict(OrgUnit.objects.values_list("id", "parent_id"))


def editable_nodes(user: Any) -> QuerySet[Node]:
    """The nodes ``user`` may write as an editor (any plan)."""
    units = editor_units(user)
    if not units:
        return Node.objects.none()
    return Node.objects.filter(
        Q(unit_roles__role=NodeUnit.Role.RESPONSIBLE) & Q(unit_roles__unit_id__in=units)
    ).distinct()


def can_edit_node(user: Any, node: Node) -> bool:
    units = editor_units(user)
    return bool(units) and bool(units & responsible_units(node.pk))


def responsible_units(node_id: int) -> frozenset[int]:
    """Ids of the units responsible for a node."""
    return memo(
        ("responsible_units", node_id),
        lambda: frozenset(
            NodeUnit.objects.filter(node_id=node_id, role=NodeUnit.Role.RESPONSIBLE).values_list(
                "unit_id", flat=True
            )
        ),
    )


def responsible_units_prefetch(node_ids: Iterable[int]) -> None:
    """Look the responsible units of many nodes up at once, inside a ``memoized`` block."""
    found: dict[int, set[int]] = {node_id: set() for node_id in node_ids}
    for node_id, unit_id in NodeUnit.objects.filter(
        node_id__in=list(found), role=NodeUnit.Role.RESPONSIBLE
    ).values_list("node_id", "unit_id"):
        found[node_id].add(unit_id)
    memo_fill({("responsible_units", node_id): frozenset(units) for node_id, units in found.items()})


def node_editor_ids(node_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each node, the ids of the active users who may write it as editors. Three
    queries for any number of nodes (the inverse of ``can_edit_node``)."""
    parents = _unit_parents()
    editors_of_unit: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in StaffRole.objects.filter(role=Role.EDITOR, user__is_active=True).values_list(
        "user_id", "unit_id"
    ):
        editors_of_unit[unit_id].add(user_id)
    found: dict[int, set[int]] = defaultdict(set)
    for node_id, unit_id in NodeUnit.objects.filter(
        node_id__in=list(node_ids), role=NodeUnit.Role.RESPONSIBLE
    ).values_list("node_id", "unit_id"):
        for unit in unit_and_ancestors(unit_id, parents):
            found[node_id] |= editors_of_unit.get(unit, set())
    return dict(found)
