"""Writes to the accounts: the staff roles that say who may do what (administer the
round, write a section's entries, review them).

Each service takes the acting person as the keyword ``actor``, runs in one transaction,
validates with the model's rules (an editor's role names a unit, the others none; a role
is held once) and records one audit row with the role's fields before → after
(``shinchoku.audit.writes``), so that who gave or took a role, and when, is kept. The
Django admin's staff-role page writes through them.
"""

from __future__ import annotations

from shinchoku.accounts.models import StaffRole
from shinchoku.audit.writes import row_services

# Give a person the role a new, unsaved ``StaffRole`` names; change its person, role or
# unit; take it from its person.
staff_role_grant, staff_role_update, staff_role_revoke = row_services(StaffRole)
