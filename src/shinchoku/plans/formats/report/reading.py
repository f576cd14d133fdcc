"""Reading a report's file: a PDF (``pdf.read_pdf``) or text extracted from one
(``source.read_text``), told apart by their first bytes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .source import MAX_SOURCE_BYTES, PDF_MAGIC, ReportRefused, Source, read_text


def read_source(data: bytes, name: str) -> Source:
    """The report in ``data``: a PDF when it starts as one, else text. ReportRefused when it
    is empty, too large or unreadable."""
    if len(data) > MAX_SOURCE_BYTES:
        raise ReportRefused(
            _("%(file)s: the file is larger than %(max)s MB.")
            % {"file": name, "max": MAX_SOURCE_BYTES // 2**20}
        )
    if not data.strip():
        raise ReportRefused(_("%(file)s: the file is empty.") % {"file": name})
    if data.lstrip()[:5] == PDF_MAGIC:
        # The PDF libraries are loaded for a PDF only, not by every process of the site.
        from .pdf import read_pdf

        return read_pdf(data, name)
    return read_text(data, name)
