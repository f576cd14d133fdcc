"""Publishing through the review's own services, as the planning division does."""

from __future__ import annotations

from shinchoku.review import services
from shinchoku.review.models import Entry
from tests.review.conftest import Cycle


def approved(cycle: Cycle, entry: Entry, *, text: str = "・説明会を開催しました。") -> Entry:
    """The section responsible writes ``entry`` with a rating and submits it; the reviewer approves."""
    editor = cycle.editor if entry.node_id == cycle.sample.measure.pk else cycle.other_editor
    entry = services.entry_save(
        entry, {"text": text, "ratings": cycle.rating("3")}, actor=editor, expected_version=entry.version
    )
    entry = services.entry_transition(entry, "submit", actor=editor, expected_version=entry.version)
    return services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)


def published(cycle: Cycle, *entries: Entry) -> None:
    """``entries`` approved, and the round published."""
    for entry in entries:
        approved(cycle, entry)
    services.round_publish(cycle.round, actor=cycle.admin)
