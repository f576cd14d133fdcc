"""Report drafts: what was recognised in a city's published progress report, kept for the
planning administrator to review, correct and accept (docs/report-import.md, "Reviewing a
draft").

- ``corrections.py``: the values a decision may take, a correction checked, the dataset
  with the corrections laid over it;
- ``services.py``: the writes (``store_draft``, ``draft_correct``, ``draft_discard``,
  ``draft_accept``);
- ``review.py``: the review page's view-model;
- ``views.py``: the staff pages (upload, list, review, accept).

``store_draft`` is what ``shinchoku import-report FILE`` calls without ``--output``."""

from shinchoku.interchange.reportdrafts.services import (
    draft_accept,
    draft_correct,
    draft_discard,
    store_draft,
)

__all__ = ["draft_accept", "draft_correct", "draft_discard", "store_draft"]
