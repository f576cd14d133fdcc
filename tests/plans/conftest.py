"""The plan tests' shared rows: every table of a plan, and a person who edits it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.factories import EveryTable, make_every_table


@pytest.fixture
def world() -> EveryTable:
    return make_every_table()


@pytest.fixture
def planner() -> User:
    return User.objects.create_user("planner")
