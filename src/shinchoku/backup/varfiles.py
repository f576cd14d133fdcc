"""The files under ``var/`` that a backup carries, and putting them back.

Carried: the uploads kept between their preview and their import (``IMPORT_DIR``), and
the development secret key and the demonstration password where they exist as files
(production keeps ``SECRET_KEY`` in its own secret store: a backup carries the key file
only when there is one). Not carried (``LEFT_OUT``): what is made again from the
database and the code.

A restore writes each place beside itself first (a folder under a temporary name, a
file as a temporary file) and renames it into place only once the database is
restored, so that a failure leaves the old files as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from shinchoku.backup.tables import BackupError


@dataclass(frozen=True)
class Place:
    key: str
    path: Path
    folder: bool
    secret: bool = False

    def member(self, relative: str = "") -> str:
        return f"files/{self.key}/{relative}" if self.folder else f"files/{self.key}"


def places() -> list[Place]:
    var = Path(settings.VAR_DIR)
    return [
        Place("imports", Path(settings.IMPORT_DIR), folder=True),
        Place("development-secret-key", var / "development-secret-key", folder=False, secret=True),
        Place("demo-password", var / "demo-password", folder=False, secret=True),
    ]


def left_out() -> dict[str, str]:
    """What under ``var/`` a backup does not carry, and why (the manifest repeats it)."""
    return {
        str(settings.REPORT_CACHE_DIR): "the report cache: rendered again on the next download",
        str(settings.OPENDATA_DIR): "the open data's ZIPs: built again from the restored data",
        str(settings.STATIC_ROOT): "the static files: collected again (`shinchoku collectstatic`)",
        "the database file": "the database is in the backup as a dump that restores on either engine",
    }


def files_of(place: Place) -> Iterator[tuple[str, Path]]:
    """The member name and path of each regular file of ``place`` (symbolic links are
    not followed), in a stable order."""
    if not place.folder:
        if place.path.is_file() and not place.path.is_symlink():
            yield place.member(), place.path
        return
    if not place.path.is_dir():
        return
    for path in sorted(place.path.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield place.member(path.relative_to(place.path).as_posix()), path


def present(place: Place) -> bool:
    return place.path.is_dir() if place.folder else place.path.is_file()


@dataclass
class Staged:
    """A place written beside itself, waiting to be renamed into place."""

    place: Place
    temporary: Path

    def commit(self) -> None:
        target = self.place.path
        if not self.place.folder:
            os.replace(self.temporary, target)
            return
        aside = None
        if target.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            aside.rmdir()
            os.rename(target, aside)
        os.rename(self.temporary, target)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)

    def discard(self) -> None:
        if self.temporary.is_dir():
            shutil.rmtree(self.temporary, ignore_errors=True)
        else:
            self.temporary.unlink(missing_ok=True)


def _write(path: Path, chunks: Iterable[bytes], *, secret: bool) -> None:
    with open(path, "wb") as stream:
        for chunk in chunks:
            stream.write(chunk)
    os.chmod(path, 0o600 if secret else 0o644)


def stage(place: Place, members: list[str], read: Callable[[str], Iterable[bytes]]) -> Staged:
    """Write the place's ``members``, each read with ``read``, beside the place."""
    parent = place.path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if not place.folder:
            handle, name = tempfile.mkstemp(prefix=f".{place.path.name}.", dir=parent)
            os.close(handle)
            staged = Staged(place, Path(name))
            try:
                _write(staged.temporary, read(place.member()), secret=place.secret)
            except BaseException:
                staged.discard()
                raise
            return staged
        folder = Path(tempfile.mkdtemp(prefix=f".{place.path.name}.restore-", dir=parent))
        os.chmod(folder, place.path.stat().st_mode & 0o777 if place.path.is_dir() else 0o755)
    except OSError as error:
        raise BackupError(f"{parent}: cannot write the restored files here ({error.strerror})") from error
    staged = Staged(place, folder)
    prefix = place.member()
    try:
        for member in members:
            relative = PurePosixPath(member[len(prefix) :])
            path = folder.joinpath(*relative.parts)
            if not path.resolve().is_relative_to(folder.resolve()):
                raise BackupError(f"{member}: would be written outside {place.path}")
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, read(member), secret=place.secret)
    except OSError as error:
        staged.discard()
        raise BackupError(f"{place.path}: cannot write the restored files ({error.strerror})") from error
    except BaseException:
        staged.discard()
        raise
    return staged
