"""The staff-role, round, entry and audit pages of the admin: roles editable, the rest read-only."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from shinchoku.accounts.models import StaffRole
from shinchoku.audit.models import AuditEvent
from shinchoku.review.models import Entry, Round
from shinchoku.review.services import round_open
from tests.factories import make_node, make_staff, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(admin_user) -> Round:
    world = make_world()
    area = make_node(world.area_level)
    programme = make_node(world.programme_level, area)
    make_node(world.measure_level, programme)
    administrator = make_staff(StaffRole.Role.ADMINISTRATOR)
    return round_open(
        world.plan,
        2012,
        Round.Kind.RESULTS,
        timezone.localdate() + datetime.timedelta(days=30),
        actor=administrator,
    )


def test_the_pages_render(admin_client, opened: Round) -> None:
    for model in (StaffRole, Round, Entry, AuditEvent):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    entry = Entry.objects.get(round=opened)
    assert admin_client.get(reverse("admin:review_entry_change", args=[entry.pk])).status_code == 200


def test_entries_and_the_audit_log_cannot_be_changed_here(admin_client, opened: Round) -> None:
    entry = Entry.objects.get(round=opened)
    response = admin_client.post(reverse("admin:review_entry_change", args=[entry.pk]), {"text": "書き換え"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.text != "書き換え"
    event = AuditEvent.objects.first()
    assert (
        admin_client.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_role_can_be_given(admin_client) -> None:
    user = get_user_model().objects.create_user("reviewer1")
    response = admin_client.post(
        reverse("admin:accounts_staffrole_add"),
        {"user": user.pk, "role": StaffRole.Role.REVIEWER, "unit": ""},
    )
    assert response.status_code == 302
    assert StaffRole.objects.filter(user=user, role=StaffRole.Role.REVIEWER).exists()
