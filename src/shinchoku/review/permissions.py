"""Who may do what with a round or an entry. The roles a user holds on an entry are
looked up here; what each role may do in each state is ``workflow.TRANSITIONS``, and
whether a person may take an action now is ``decisions.entry_decision``.
``staff_abilities`` answers, in one place, which staff pages a person may use: the
navigation and the home page show what it says and re-derive nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import can_edit_node, editor_units, is_administrator, is_reviewer
from shinchoku.plans.models import OrgUnit
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


def can_review(user: Any) -> bool:
    """Open the review queue, approve and return submitted entries."""
    return is_reviewer(user)


def can_import_files(user: Any) -> bool:
    """Upload a file to import: an editor their section's entry workbook, the planning
    division also plan structures and datasets. A reviewer writes nothing."""
    return is_administrator(user) or bool(editor_units(user))


def can_download_workbook(user: Any, unit: OrgUnit) -> bool:
    """Download ``unit``'s entry workbook: its editors (and those of the units above it)
    and the planning administrator."""
    return is_administrator(user) or unit.pk in editor_units(user)


def can_open_admin(user: Any) -> bool:
    """Open the Django admin: its own rule, an active account marked as staff."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


@dataclass(frozen=True)
class StaffAbilities:
    """The staff pages a person may use."""

    import_files: bool
    #: Review the drafts recognised in published reports (and import them): the planning administrator.
    report_drafts: bool
    review: bool
    manage_rounds: bool
    admin: bool


def staff_abilities(user: Any) -> StaffAbilities:
    return StaffAbilities(
        import_files=can_import_files(user),
        report_drafts=is_administrator(user),
        review=can_review(user),
        manage_rounds=can_manage_rounds(user),
        admin=can_open_admin(user),
    )
