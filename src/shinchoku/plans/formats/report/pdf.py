"""Reading a PDF report: not yet written; refuses every PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .source import ReportRefused, Source


def read_pdf(data: bytes, name: str) -> Source:
    raise ReportRefused(_("%(file)s: PDF reports cannot be read yet.") % {"file": name})
