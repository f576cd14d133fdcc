"""The counts and totals kept for the public pages (to be filled in)."""

from __future__ import annotations

from shinchoku.published.changes import Change


def refresh(change: Change) -> None:
    """Bring the kept aggregates of ``change`` up to date."""
