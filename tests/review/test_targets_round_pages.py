"""The planning half of the cycle through the staff pages: a round collecting the coming
year's target revisions with their reasons, reviewed and published like results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shinchoku.review.models import Entry, Round
from tests.review.conftest import make_cycle

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_target_revision_goes_from_the_section_to_the_public_page() -> None:
    cycle = make_cycle()
    admin, editor, reviewer = signed_in(cycle.admin), signed_in(cycle.editor), signed_in(cycle.reviewer)
    opened = admin.post(
        reverse("staff:round_open"),
        {
            "plan": cycle.sample.plan.pk,
            "fiscal_year": 2014,
            "kind": "targets",
            "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    assert opened.status_code == 302
    round_ = Round.objects.get(fiscal_year=2014, kind=Round.Kind.TARGETS)
    entry = Entry.objects.get(round=round_, node=cycle.sample.measure)
    onwards = cycle.sample.measure.targets.get(start_year=2014)
    url = reverse("staff:entry", args=[entry.pk])
    page = editor.get(url).content.decode()
    assert f'name="target_{onwards.pk}_revised"' in page and onwards.text in page

    # A revision without its reason cannot be submitted; nothing is kept.
    form = {"version": 1, f"target_{onwards.pk}_revised": "●制度の見直し", "action": "submit"}
    refused = editor.post(url, form)
    assert refused.status_code == 400
    assert Entry.objects.get(pk=entry.pk).version == 1

    form[f"target_{onwards.pk}_reason"] = "国の制度改正のため"
    assert editor.post(url, form).status_code == 302
    entry.refresh_from_db()
    assert entry.state == Entry.State.SUBMITTED
    approve = {"version": entry.version, "action": "approve"}
    assert reviewer.post(reverse("staff:entry_act", args=[entry.pk]), approve).status_code == 302
    assert admin.post(reverse("staff:round_publish", args=[round_.pk]), {"entries": 1}).status_code == 302

    public = Client().get(reverse("portal:node", args=[cycle.sample.plan.code, cycle.sample.measure.code]))
    text = public.content.decode()
    assert "●制度の見直し" in text and "国の制度改正のため" in text
