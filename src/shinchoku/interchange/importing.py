"""Importing files: always a preview first, then, if the preview is clean, the same
changes applied in one transaction.

Every kind of file Shinchoku takes in (a section's filled entry workbook, a plan's
structure as CSV or xlsx, a whole dataset as JSON) has an *importer*, listed in
``IMPORTERS``: it recognises its files (``sniff``), reads one into a ``Preview``
(``shinchoku.interchange.preview``) without writing anything (``preview``), and writes
a clean preview (``apply``). ``shinchoku import FILE [--apply]`` and the
staff pages call ``import_preview`` / ``import_apply`` and never an importer directly.

A city's own workbook is read with an import profile (docs/import-profiles.md): given
a ``profile``, ``import_preview`` and ``import_apply`` use the profile's importer
(``plans.formats.profile``) for the file, which no importer of the list recognises by
its content.

A preview lists, per row (or object) of the file, whether it is unchanged, new or
changed — each changed field with its value before and after — or what is wrong with
it, named by where it stands (file, sheet, row, column, or path inside the file).
Problems that concern the file as a whole (not an xlsx file, too large, another
template version) are the preview's own. A preview with any problem cannot be applied:
nothing is written. Applying reads the file again inside the transaction, so that what
is written is what the database holds at that moment, and fails, writing nothing, if
the preview no longer matches it.

Lookups repeated row after row (who the person is, a level's scales) are remembered for
the length of one preview or import (``shinchoku.memo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shinchoku.interchange.preview import ApplyResult, Importer, ImportRefused, Preview, Problem, Where
from shinchoku.interchange.sheets.xlsxfile import ReadingStore, kept_readings
from shinchoku.memo import memoized
from shinchoku.plans.formats.dataset.importer import DatasetImporter
from shinchoku.plans.formats.profile.importer import ProfileImporter
from shinchoku.plans.formats.profile.spec import Profile
from shinchoku.plans.formats.structure.importer import PlanStructureImporter
from shinchoku.review.workbook.importer import EntryWorkbookImporter

#: Files larger than this are refused before they are read.
MAX_FILE_BYTES = 10 * 1024 * 1024

#: The importers, in the order they are tried: the first whose ``sniff`` takes a file reads it.
IMPORTERS: tuple[Importer, ...] = (DatasetImporter(), EntryWorkbookImporter(), PlanStructureImporter())


def size_refusal(size: int) -> str:
    """Why a file of ``size`` bytes is refused before it is read; empty when it is not too large."""
    if size <= MAX_FILE_BYTES:
        return ""
    return _("The file is %(size)s MB; at most %(max)s MB can be imported.") % {
        "size": f"{size / 1024 / 1024:.1f}",
        "max": MAX_FILE_BYTES // 1024 // 1024,
    }


def _refused(filename: str, title: str, message: str) -> Preview:
    """The preview of a file refused as a whole, before any importer reads it."""
    return Preview(importer="", title=title, file=filename, problems=[Problem(Where(file=filename), message)])


def import_preview(
    data: bytes,
    filename: str,
    *,
    actor: Any,
    only: Sequence[str] = (),
    kept: ReadingStore | None = None,
    profile: Profile | None = None,
) -> Preview:
    """The preview of importing ``data`` (a file's bytes, named ``filename`` for the
    messages). Never writes, never raises for bad input: the problems are in the preview.
    With ``kept``, what reading a workbook finds is taken from there when it was kept for
    these bytes, and kept there otherwise (``xlsxfile.kept_readings``). With ``profile``,
    the file is a city's workbook read with it."""
    too_large = size_refusal(len(data))
    if too_large:
        return _refused(filename, _("file too large"), too_large)
    if profile is not None:
        with memoized(), kept_readings(kept):
            return ProfileImporter(profile).preview(data, filename, actor=actor)
    for importer in IMPORTERS:
        if (not only or importer.name in only) and importer.sniff(data, filename):
            with memoized(), kept_readings(kept):
                return importer.preview(data, filename, actor=actor)
    return _refused(
        filename,
        _("unrecognised file"),
        _(
            "This is not a file Shinchoku can import: an entry workbook (xlsx), a plan "
            "structure (CSV or xlsx) or a dataset (JSON) is expected."
        ),
    )


def import_apply(
    data: bytes,
    filename: str,
    *,
    actor: Any,
    only: Sequence[str] = (),
    kept: ReadingStore | None = None,
    profile: Profile | None = None,
) -> ApplyResult:
    """Preview ``data`` again and, if it is clean, apply it, all in one transaction.
    ImportRefused (with the preview) when it has problems; nothing is written then."""
    with transaction.atomic(), memoized():
        if profile is not None:
            too_large = size_refusal(len(data))
            if too_large:
                raise ImportRefused(_refused(filename, _("file too large"), too_large))
            # Its preview does not try the write first: applying it refuses the same.
            reader = ProfileImporter(profile, check=False)
            with kept_readings(kept):
                preview = reader.preview(data, filename, actor=actor)
            if not preview.ok:
                raise ImportRefused(preview)
            return reader.apply(preview, actor=actor)
        preview = import_preview(data, filename, actor=actor, only=only, kept=kept)
        if not preview.ok:
            raise ImportRefused(preview)
        importer = next(importer for importer in IMPORTERS if importer.name == preview.importer)
        return importer.apply(preview, actor=actor)
