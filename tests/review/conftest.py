"""A FY2013 results round on プラン９ (tests.factories.make_sample), with one person per role.

- ``unit`` (市民協働推進課) is responsible for 9-1-1, under the ``bureau``;
  ``other_unit`` is responsible for 9-1-2; 9-3-1 has no responsible unit.
- ``editor`` writes for ``unit``, ``bureau_editor`` for the bureau (so also for 9-1-1),
  ``other_editor`` for ``other_unit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent
from shinchoku.audit.selectors import audit_history
from shinchoku.plans.models import OrgUnit
from shinchoku.review import services
from shinchoku.review.models import Entry, Round
from tests.factories import Sample, add_unit, make_sample, make_staff, make_unit


@dataclass
class Cycle:
    sample: Sample
    bureau: OrgUnit
    unit: OrgUnit
    other_unit: OrgUnit
    admin: User
    reviewer: User
    editor: User
    bureau_editor: User
    other_editor: User
    round: Round
    entry: Entry
    other_entry: Entry

    def rating(self, code: str) -> dict[int, int]:
        """The ``ratings`` of a save: the primary dimension at ``code``."""
        return {self.sample.dimension.pk: self.sample.ratings[code].pk}

    def fresh(self, entry: Entry | None = None) -> Entry:
        return Entry.objects.get(pk=(entry or self.entry).pk)

    def written(self, text: str = "・説明会を開催しました。", code: str = "3", **more: Any) -> Entry:
        """The editor writes a complete entry for 9-1-1."""
        entry = self.fresh()
        data = {"text": text, "ratings": self.rating(code), **more}
        return services.entry_save(entry, data, actor=self.editor, expected_version=entry.version)

    def submitted(self, **kwargs: Any) -> Entry:
        entry = self.written(**kwargs)
        return services.entry_transition(entry, "submit", actor=self.editor, expected_version=entry.version)

    def approved(self, **kwargs: Any) -> Entry:
        entry = self.submitted(**kwargs)
        return services.entry_transition(
            entry, "approve", actor=self.reviewer, expected_version=entry.version
        )


def last_event(subject: Any) -> AuditEvent:
    return audit_history(subject).last()


def make_cycle(*, year: int = 2013) -> Cycle:
    sample = make_sample()
    bureau = make_unit(code="shimin-kodomo", name="市民・こども局")
    unit = OrgUnit.objects.get(code="shimin")
    unit.parent = bureau
    unit.save()
    other_unit = make_unit(code="katsudo", name="市民活動推進課")
    add_unit(sample.other_measure, other_unit)
    admin = make_staff(Role.ADMINISTRATOR, username="kikaku")
    round_ = services.round_open(
        sample.plan, year, Round.Kind.RESULTS, timezone.localdate() + timedelta(days=14), actor=admin
    )
    return Cycle(
        sample=sample,
        bureau=bureau,
        unit=unit,
        other_unit=other_unit,
        admin=admin,
        reviewer=make_staff(Role.REVIEWER, username="shinsa"),
        editor=make_staff(Role.EDITOR, unit=unit, username="tanto"),
        bureau_editor=make_staff(Role.EDITOR, unit=bureau, username="kyoku"),
        other_editor=make_staff(Role.EDITOR, unit=other_unit, username="betsu"),
        round=round_,
        entry=Entry.objects.get(round=round_, node=sample.measure),
        other_entry=Entry.objects.get(round=round_, node=sample.other_measure),
    )


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()
