"""Writes of the evaluation round: open, write, review, publish, reopen, restore.

Every function takes the acting user as the keyword ``actor``, runs in one
transaction, asks ``review.decisions`` whether the actor may do it now (and raises its
refusal), validates, writes one audit row per changed object (``shinchoku.audit``), and
sends its mail only once the transaction commits. A refusal raises ``ReviewError``, is
logged on the ``shinchoku.review`` logger, and changes nothing.

One module per noun: ``entries`` (save, submit, return, approve, reopen, restore),
``rounds`` (open, publish, change the deadline, close), ``reminders`` (the deadline
notices); ``refusals`` makes and logs the errors they raise.

Entries are made up front: opening a round makes a draft entry for every node of a
rated level, filled in from the year's published result if there is one, so that the
dashboard can count "not started" entries and every entry's history starts at version 1.

No lost updates: each change to an entry is one conditional UPDATE
``… SET version = version + 1 WHERE id = … AND version = <the version the writer
read>``. Of two people who read the same version, the second one's UPDATE matches no
row (PostgreSQL re-checks the condition after the first commits), and they get a
``stale_version`` error naming the fields the other changed.

An entry's content is handled as a flat *snapshot* (``shinchoku.review.content``).
The audit rows keep the snapshot after each change, which is what the history shows
and ``entry_restore`` restores.
"""

from shinchoku.review.services.entries import (
    entries_save,
    entry_restore,
    entry_save,
    entry_save_and_submit,
    entry_transition,
)
from shinchoku.review.services.refusals import INVALID_MESSAGES
from shinchoku.review.services.reminders import DEADLINE_NOTICE_DAYS, deadline_notices_send
from shinchoku.review.services.rounds import round_close, round_open, round_publish, round_set_deadline

__all__ = [
    "DEADLINE_NOTICE_DAYS",
    "INVALID_MESSAGES",
    "deadline_notices_send",
    "entries_save",
    "entry_restore",
    "entry_save",
    "entry_save_and_submit",
    "entry_transition",
    "round_close",
    "round_open",
    "round_publish",
    "round_set_deadline",
]
