"""Reading the data versions (``DataVersion``): what the public page cache and the ETags
key on. Each reader is one indexed query, and none reads anything else, so that a reader
whose page has not changed is answered from the version alone.

A version is None when there is nothing to key on: no such plan, or a plan (or a site)
whose data has never been derived (``changes.derive_missing`` derives it at ``migrate``).
"""

from __future__ import annotations

from shinchoku.published.models import DataVersion


def plan_version(plan_code: str) -> int | None:
    """The data version of the plan whose code is ``plan_code``: raised by every write of
    that plan's published data, and by the shared vocabulary its pages show."""
    return DataVersion.objects.filter(plan__code=plan_code).values_list("version", flat=True).first()


def site_version() -> int | None:
    """The site's data version: raised by every write of any plan's published data. The
    pages that read every plan (the home page, the search) key on it."""
    return DataVersion.objects.filter(plan__isnull=True).values_list("version", flat=True).first()
