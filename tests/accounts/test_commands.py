"""The account a management command acts as (``--user NAME``), the same for every command
that takes one: an active account, or the console when no name is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.accounts.commands import command_actor

pytestmark = pytest.mark.django_db


def test_no_name_is_the_console():
    assert command_actor(None) is None
    assert command_actor("") is None


def test_the_active_account_of_that_name():
    person = User.objects.create_user("kikaku")

    assert command_actor("kikaku") == person


@pytest.mark.parametrize("command", ["import", "loadplan"])
def test_an_unknown_or_inactive_account_is_refused_by_every_command(command: str, tmp_path: Path):
    User.objects.create_user("left", is_active=False)
    path = tmp_path / "plan.yaml"
    path.write_text("format: shinchoku-plan/1\n", encoding="utf-8")

    for name in ("nobody", "left"):
        with pytest.raises(CommandError, match=f"no active account named '{name}'"):
            call_command(command, str(path), "--apply", "--user", name)
