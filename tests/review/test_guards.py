"""A target with a revision pending in an open round is kept whatever deletes it: the
progress service, its node deleted in the admin, a plan file left without it
(``tests/plans/test_writing.py``). Once the round is closed it goes like any other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from shinchoku.audit.models import AuditEvent
from shinchoku.progress.models import Target
from shinchoku.progress.services import target_delete
from shinchoku.review import services
from shinchoku.review.guards import TargetRevisionPending, refuse_target_with_pending_revision
from shinchoku.review.models import Entry, EntryTarget, Round
from tests.admin.formdata import page_data
from tests.review.conftest import Cycle

pytestmark = pytest.mark.django_db


def propose_revision(cycle: Cycle) -> tuple[Round, Target]:
    """A targets round open on the sample plan, proposing a revision of one target of the measure."""
    round_ = services.round_open(
        cycle.sample.plan,
        2013,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=5),
        actor=cycle.admin,
    )
    entry = Entry.objects.get(round=round_, node=cycle.sample.measure)
    target = cycle.sample.measure.targets.get(start_year=2012, end_year=2013)
    services.entry_save(
        entry,
        {"targets": {target.pk: {"revised_text": "●拡充", "revision_reason": "要望"}}},
        actor=cycle.editor,
        expected_version=entry.version,
    )
    return round_, target


def test_the_service_refuses_to_delete_it_naming_the_round(cycle: Cycle) -> None:
    round_, target = propose_revision(cycle)
    events = AuditEvent.objects.count()
    with pytest.raises(TargetRevisionPending) as refusal:
        target_delete(target, actor=cycle.admin)
    assert round_.label in str(refusal.value) and cycle.sample.plan.title in str(refusal.value)
    assert Target.objects.filter(pk=target.pk).exists() and EntryTarget.objects.filter(target=target).exists()
    assert AuditEvent.objects.count() == events

    services.round_close(round_, actor=cycle.admin)
    target_delete(target, actor=cycle.admin)
    assert not Target.objects.filter(pk=target.pk).exists()


def test_deleting_it_on_its_node_page_in_the_admin_is_refused_with_the_reason_on_the_page(
    cycle: Cycle, admin_client: Client
) -> None:
    round_, target = propose_revision(cycle)
    url = reverse("admin:plans_node_change", args=[cycle.sample.measure.pk])
    data = page_data(admin_client, url)
    index = next(i for i in range(20) if data.get(f"targets-{i}-id") == target.pk)
    data[f"targets-{index}-DELETE"] = "on"
    events = AuditEvent.objects.count()

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(round_.label) in page, page[:3000]
    assert Target.objects.filter(pk=target.pk).exists()
    assert EntryTarget.objects.filter(target=target).exists()
    assert AuditEvent.objects.count() == events


def test_a_delete_of_many_targets_looks_the_pending_revisions_up_once(cycle: Cycle) -> None:
    """A plan replaced takes thousands of targets: the guard asks once per delete, not once
    per target, and still refuses the one with a pending revision among them."""
    measure = cycle.sample.measure
    Target.objects.bulk_create(
        Target(
            node=measure, row=9, start_year=2011, end_year=2011, text=f"架空の目標{number}", position=number
        )
        for number in range(40)
    )
    with CaptureQueriesContext(connection) as queries:
        Target.objects.filter(node=measure, row=9).delete()
    # The guard's lookup joins the rounds (the delete itself reads the revisions of the targets once too).
    assert sum("review_round" in query["sql"] for query in queries.captured_queries) == 1

    round_, target = propose_revision(cycle)
    with pytest.raises(TargetRevisionPending), transaction.atomic():
        Target.objects.filter(node=measure).delete()
    assert Target.objects.filter(pk=target.pk).exists()
    services.round_close(round_, actor=cycle.admin)
    Target.objects.filter(node=measure).delete()
    assert not Target.objects.filter(node=measure).exists()


def test_the_same_object_deleted_again_is_looked_up_again(cycle: Cycle) -> None:
    """A delete that did not go through (refused, or failed in the database) and is tried
    again on the same object asks again: a revision proposed in between is seen."""
    target = cycle.sample.measure.targets.get(start_year=2012, end_year=2013)
    refuse_target_with_pending_revision(Target, instance=target, origin=target)  # nothing pending yet
    propose_revision(cycle)
    with pytest.raises(TargetRevisionPending):
        refuse_target_with_pending_revision(Target, instance=target, origin=target)
