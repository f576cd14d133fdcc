"""Who may do what with a round or an entry. The roles a user holds on an entry are
looked up here; what each role may do in each state is ``workflow.TRANSITIONS``."""

from __future__ import annotations

from typing import Any

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import can_edit_node, is_administrator, is_reviewer
from shinchoku.review.models import Entry


def entry_roles(user: Any, entry: Entry) -> frozenset[Role]:
    """The roles ``user`` acts in on ``entry``: editor only for the measures of their units."""
    roles: set[Role] = set()
    if is_administrator(user):
        roles.add(Role.ADMINISTRATOR)
    if is_reviewer(user):
        roles.add(Role.REVIEWER)
    if can_edit_node(user, entry.node):
        roles.add(Role.EDITOR)
    return frozenset(roles)


def can_view_entry(user: Any, entry: Entry) -> bool:
    return bool(entry_roles(user, entry))


def can_manage_rounds(user: Any) -> bool:
    """Open, publish and close rounds, change deadlines, reopen and restore entries."""
    return is_administrator(user)
