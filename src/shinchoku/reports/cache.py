"""Rendered reports (and other downloads made from published data), kept on disk by
what they contain.

A download of the report builds its view-model (a fixed number of queries) and looks
the rendered file up by a digest of that view-model and of the templates that draw it:
the same published data gives the same file, so a file found is the file that would be
rendered, and anything published since gives another digest and a fresh rendering. Only
typesetting, the slow part, is saved. The folder keeps the most recently used files up
to ``REPORT_CACHE_FILES``; a folder that cannot be written only costs the saving.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings

from shinchoku.files import OutputError, write_atomically
from shinchoku.reports.render import TEMPLATE, report_json
from shinchoku.reports.selectors import ReportDocument

logger = logging.getLogger("shinchoku.reports")

PACKAGE = Path(__file__).resolve().parent


@cache
def _drawing_digest() -> str:
    """A digest of every file that decides how a report looks."""
    digest = hashlib.sha256()
    files = [
        TEMPLATE,
        *sorted((PACKAGE / "templates").rglob("*.html")),
        *sorted((PACKAGE.parent / "portal" / "templates" / "portal").glob("_*.html")),
        *sorted((PACKAGE.parent / "portal" / "static" / "portal").glob("*.css")),
    ]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def report_key(document: ReportDocument, fmt: str, variant: str = "") -> str:
    """The digest of the report's data, of how it is drawn and of ``variant`` (what else
    the file prints, such as the HTML report's trail back to the site)."""
    digest = hashlib.sha256()
    digest.update(f"{fmt}\0{_drawing_digest()}\0{variant}\0".encode())
    digest.update(report_json(document).encode())
    return digest.hexdigest()


def _folder() -> Path:
    return Path(settings.REPORT_CACHE_DIR)


def _prune(folder: Path, keep: int) -> None:
    files = sorted(folder.glob("*.*"), key=lambda file: file.stat().st_mtime, reverse=True)
    for file in files[keep:]:
        file.unlink(missing_ok=True)


def rendered(document: ReportDocument, fmt: str, render: Callable[[], bytes], *, variant: str = "") -> bytes:
    """The report ``render`` makes of ``document`` (and ``variant``: see report_key), from
    the cache when it is there."""
    return kept(report_key(document, fmt, variant), fmt, render, what="report")


def kept(key: str, suffix: str, make: Callable[[], bytes], *, what: str = "download") -> bytes:
    """The file ``make`` makes, kept in the folder under ``key`` (a digest of everything
    the file is made of) and served from there while it is: any download the site makes
    from published data (the reports, the open data ZIP) shares the folder and its limit."""
    keep = int(settings.REPORT_CACHE_FILES)
    if keep <= 0:
        return make()
    folder = _folder()
    path = folder / f"{key}.{suffix}"
    try:
        data = path.read_bytes()
    except OSError:
        pass
    else:
        os.utime(path)
        return data
    data = make()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        _prune(folder, keep)
    except (OSError, OutputError) as error:
        logger.warning("%s not cached: %s", what, error)
    return data
