"""The data the backup tests back up: a results round with entries written, submitted,
approved and published (their audit rows with them), a comment, a synthetic plan with
costs and indicators, and an upload kept for its import. Built in the test's database,
or in another instance's through ``shinchoku shell -c`` (``build_in_shell``)."""

from __future__ import annotations

from shinchoku.devtools.synth import plan_synthesize
from shinchoku.interchange.uploads import upload_keep
from shinchoku.review import services
from tests.review.conftest import make_cycle

BUILD_IN_SHELL = "from tests.backup.world import build; build()"


def build() -> str:
    """Build the data; the token of the upload kept."""
    cycle = make_cycle()
    cycle.approved(text="・説明会を3回開催しました。\n・参加者は延べ120人でした。")
    services.round_publish(cycle.round, actor=cycle.admin)
    other = cycle.fresh(cycle.other_entry)
    services.entry_save(
        other,
        {"text": "・検討を進めました。", "ratings": cycle.rating("2")},
        actor=cycle.other_editor,
        expected_version=other.version,
    )
    plan_synthesize(measures=8, years=3, seed=7, code=None, replace=False)
    return upload_keep(b"PK\x03\x04 an uploaded workbook", "実績.xlsx", user_id=cycle.editor.pk)
