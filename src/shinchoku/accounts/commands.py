"""What the management commands share about accounts: the account a command acts as."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def command_actor(username: str | None) -> User | None:
    """The account a command's ``--user NAME`` names, whose role decides what the command
    may change and whom the audit history names; None when no name is given (the
    console). CommandError when no active account has that name."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist as error:
        raise CommandError(f"no active account named {username!r}") from error
