"""What a process keeps under the site's data version (``published.kept``)."""

from __future__ import annotations

import pytest
from django.db import transaction

from shinchoku.published.kept import KeptUnderVersion


def test_values_are_kept_under_their_version_and_bounded() -> None:
    kept: KeptUnderVersion[str, int] = KeptUnderVersion(most=3)
    kept.keep("default", 7, [("a", 1), ("b", 2)])
    assert dict(kept.under("default", 7)) == {"a": 1, "b": 2}
    # Another version, another database, no version: nothing.
    assert (
        kept.under("default", 8) == {} and kept.under("other", 7) == {} and kept.under("default", None) == {}
    )
    kept.keep("default", None, [("c", 3)])
    assert "c" not in kept.under("default", 7)
    # More than ``most``: what was kept is dropped for what comes.
    kept.keep("default", 7, [("c", 3), ("d", 4)])
    assert dict(kept.under("default", 7)) == {"c": 3, "d": 4}
    # A new version: what was kept under the old one is gone.
    kept.keep("default", 8, [("e", 5)])
    assert dict(kept.under("default", 8)) == {"e": 5} and kept.under("default", 7) == {}


@pytest.mark.django_db
def test_nothing_read_within_a_transaction_is_kept() -> None:
    kept: KeptUnderVersion[str, int] = KeptUnderVersion(most=3)
    with transaction.atomic():
        kept.keep("default", 1, [("a", 1)])
    assert kept.under("default", 1) == {}
