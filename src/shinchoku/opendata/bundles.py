"""The open data's ZIPs as the portal offers them (the whole plan, and each fiscal year of
its period), built once per data version of the plan (``published.DataVersion``) and kept
as files under ``OPENDATA_DIR``.

A write of a plan's published data raises its version; once that write is committed, a
background job (``KIND``) builds the plan's ZIPs of the new version (``schedule``, called
by ``shinchoku.published.changes``), so that the first reader after a publish gets them at
once. A ZIP asked for before its job has built it is built by the request that asks,
once: whoever comes second waits for the first (a lock on the file) and then reads it.
Each ZIP is built inside one read transaction that sees one version of the data (a
snapshot), and named by that version: a ZIP never mixes two. Once a version's ZIP is
built, the plan's ZIPs of older versions are removed.

A ZIP's file name holds the version and a digest of what else decides its bytes: the code
that writes it and the licence. The download's ETag is made of the same: answering a
reader who has the ZIP (If-None-Match) takes one query, of the version.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connections, router, transaction
from django.dispatch import Signal
from django.utils.http import quote_etag

from shinchoku.files import written_atomically
from shinchoku.interchange.sheets import spreadsheet_text
from shinchoku.opendata import files
from shinchoku.opendata.package import license_descriptor
from shinchoku.plans.formats.dataset import export
from shinchoku.plans.models import Plan
from shinchoku.plans.period import Period

logger = logging.getLogger("shinchoku.opendata")

#: The job kind that builds a plan's ZIPs (``shinchoku.jobs.kinds``).
KIND = "opendata.bundles"


@cache
def code_digest() -> str:
    """A digest of what decides a ZIP's bytes besides the data: the modules that write the
    dataset and its tables, the spreadsheet text rules, and the licence."""
    digest = hashlib.sha256()
    modules = [
        *sorted(Path(files.__file__).parent.glob("*.py")),
        *sorted(Path(export.__file__).parent.glob("*.py")),
        Path(spreadsheet_text.__file__),
    ]
    for module in modules:
        digest.update(module.read_bytes())
    digest.update(json.dumps(license_descriptor(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Bundle:
    """A ZIP of a plan's open data at one data version: of every year (``year`` None) or
    of one fiscal year."""

    plan_id: int
    plan_code: str
    version: int
    year: int | None

    @property
    def folder(self) -> Path:
        """The folder of the plan's ZIPs of this version."""
        return Path(settings.OPENDATA_DIR) / str(self.plan_id) / f"{self.version}-{code_digest()}"

    @property
    def path(self) -> Path:
        return self.folder / f"{self.year if self.year is not None else 'all'}.zip"

    @property
    def etag(self) -> str:
        return quote_etag(f"{self.version}-{code_digest()}-{self.year if self.year is not None else 'all'}")

    @property
    def filename(self) -> str:
        """The name the download is saved as."""
        return (
            "-".join([self.plan_code, "opendata", *([str(self.year)] if self.year is not None else [])])
            + ".zip"
        )


class NoBundle(LookupError):
    """No such plan, or the year is outside its period."""


def bundle_for(plan_code: str, year: int | None = None) -> Bundle:
    """The ZIP of the plan's open data at its current version, whether built or not, in
    one query; NoBundle when there is no such plan or ``year`` is outside its period."""
    row = (
        Plan.objects.filter(code=plan_code)
        .values_list("pk", "first_year", "last_year", "onwards", "data_version__version")
        .first()
    )
    if row is None:
        raise NoBundle(plan_code)
    plan_id, first_year, last_year, onwards, version = row
    if year is not None and year not in Period(first_year, last_year, onwards).result_years:
        raise NoBundle(f"{plan_code} {year}")
    # A plan whose data was never derived has no version yet (see ``derive_missing``).
    return Bundle(plan_id, plan_code, version or 0, year)


def built(bundle: Bundle) -> Bundle:
    """``bundle``, its file built now if it is not yet (by one process at a time). The data
    read is the newest: if it is newer than ``bundle``'s version, the bundle returned is of
    that newer version."""
    if bundle.path.is_file():
        return bundle
    Path(settings.OPENDATA_DIR).mkdir(parents=True, exist_ok=True)
    with _locked(Path(settings.OPENDATA_DIR) / f".{bundle.plan_id}.lock"):
        if bundle.path.is_file():
            return bundle
        with _snapshot():
            current = bundle_for(bundle.plan_code, bundle.year)
            if current.path.is_file():
                return current
            current.folder.mkdir(parents=True, exist_ok=True)
            parts = export.dataset_parts(Plan.objects.filter(pk=current.plan_id))
            if current.year is not None:
                parts = (files.for_year(part, current.year) for part in parts)
            with written_atomically(current.path) as stream:
                files.write_zip(parts, stream, year=current.year)
        _prune(current)
        logger.info("open data built: %s", current.path)
        return current


def previous(bundle: Bundle) -> Bundle | None:
    """The newest ZIP of the same plan and year built before ``bundle``'s version by this
    code, while the job builds ``bundle`` (its folder stays until then); None when there is
    none."""
    folder = Path(settings.OPENDATA_DIR) / str(bundle.plan_id)
    suffix = f"-{code_digest()}"
    if not folder.is_dir():
        return None
    versions = sorted(
        (
            _version(entry.name)
            for entry in folder.iterdir()
            if entry.is_dir() and entry.name.endswith(suffix) and 0 <= _version(entry.name) < bundle.version
        ),
        reverse=True,
    )
    for version in versions:
        earlier = Bundle(bundle.plan_id, bundle.plan_code, version, bundle.year)
        if earlier.path.is_file():
            return earlier
    return None


def built_all(plan_code: str) -> tuple[Bundle, int]:
    """Build every ZIP of the plan at its newest version that is not built yet, the whole
    plan's and each fiscal year's, reading the data once for all of them; the bundle of
    the whole plan and the number of files built. NoBundle when the plan is gone."""
    Path(settings.OPENDATA_DIR).mkdir(parents=True, exist_ok=True)
    plan_id = bundle_for(plan_code).plan_id
    with _locked(Path(settings.OPENDATA_DIR) / f".{plan_id}.lock"), _snapshot():
        whole = bundle_for(plan_code)
        years = list(Plan.objects.get(pk=whole.plan_id).fiscal_years)
        missing = [
            bundle
            for bundle in [whole, *(bundle_for(plan_code, year) for year in years)]
            if not bundle.path.is_file()
        ]
        if missing:
            whole.folder.mkdir(parents=True, exist_ok=True)
            with ExitStack() as stack:
                outs = {
                    bundle.year: stack.enter_context(written_atomically(bundle.path)) for bundle in missing
                }
                files.write_zips(export.dataset_parts(Plan.objects.filter(pk=whole.plan_id)), outs)
            logger.info("open data built: %s (%s files)", whole.folder, len(missing))
    _prune(whole)
    return whole, len(missing)


#: Sent by ``schedule`` with ``plan_ids``, the plans whose ZIPs are to be built again: the
#: jobs app queues the job that builds them (``shinchoku.jobs.work.opendata``).
build_wanted = Signal()


def schedule(plan_ids: Iterable[int]) -> None:
    """Ask for the ZIPs of each plan of ``plan_ids`` to be built by a background job.
    Called once the write that changed the plans is committed; nothing when
    ``OPENDATA_BUILD_AFTER_WRITE`` is off."""
    if settings.OPENDATA_BUILD_AFTER_WRITE:
        build_wanted.send(sender=Bundle, plan_ids=sorted(set(plan_ids)))


def remove(plan_id: int) -> None:
    """Remove every ZIP of a plan (one that is gone)."""
    shutil.rmtree(Path(settings.OPENDATA_DIR) / str(plan_id), ignore_errors=True)


def _prune(current: Bundle) -> None:
    """Remove the plan's folders of other versions than ``current``'s, older ones or
    written by other code."""
    for folder in current.folder.parent.iterdir():
        if folder.is_dir() and folder != current.folder and _version(folder.name) <= current.version:
            shutil.rmtree(folder, ignore_errors=True)


def _version(name: str) -> int:
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else -1


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing) for the block: the processes of
    one server build one ZIP at a time."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _snapshot() -> Iterator[None]:
    """A read transaction that sees the data as it was when it began, whatever is
    committed meanwhile (REPEATABLE READ on PostgreSQL; a read transaction is one on
    SQLite). Inside a caller's transaction, that transaction is the one read in."""
    connection = connections[router.db_for_read(Plan)]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield
