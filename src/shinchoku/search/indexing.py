"""Writing the search documents (to be filled in)."""

from __future__ import annotations

from shinchoku.published.changes import Change


def refresh(change: Change) -> None:
    """Bring the search documents of ``change`` up to date."""
