"""The readers of the data versions (``shinchoku.published.versions``) answer what the
rows hold, in one query each, for the plan its code names and for the site."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.published import versions
from shinchoku.published.models import DataVersion
from tests.factories import make_world

pytestmark = pytest.mark.django_db


def test_each_reader_answers_its_own_row_in_one_query() -> None:
    one, other = make_world(code="plan-a"), make_world(code="plan-b")
    # Each row a version of its own, so that a reader of the wrong row is seen.
    for number, plan_id in enumerate([one.plan.pk, other.plan.pk, None], start=1):
        DataVersion.objects.filter(plan_id=plan_id).update(version=number * 1000 + 7)
    rows = {row.plan_id: row.version for row in DataVersion.objects.all()}
    assert len(rows) == 3

    with CaptureQueriesContext(connection) as queries:
        found = (versions.plan_version("plan-a"), versions.plan_version("plan-b"), versions.site_version())

    assert found == (rows[one.plan.pk], rows[other.plan.pk], rows[None])
    assert len(queries) == 3


def test_nothing_to_key_on_is_none() -> None:
    make_world(code="plan-a")
    assert versions.plan_version("no-such-plan") is None
    DataVersion.objects.filter(plan__isnull=True).delete()
    assert versions.site_version() is None
    assert versions.plan_version("plan-a") is not None
