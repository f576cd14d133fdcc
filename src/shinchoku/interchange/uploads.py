"""Uploaded files kept between their preview and their import.

A file uploaded on the staff pages is kept under ``IMPORT_DIR`` (default ``<var>/imports/``) with the account
that uploaded it, so that the import applies the very file that was previewed. Only that
account can read it back; files older than a day are removed on the next upload.

Beside it is kept what reading it found (``upload_reading``: the cells of the workbook's
sheets read, or why the file was refused), so that reloading the preview, and the import
after it, do not read a large workbook again.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from shinchoku.files import OutputError, write_atomically

MAX_AGE_SECONDS = 24 * 60 * 60
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Upload:
    token: str
    filename: str
    data: bytes
    user_id: int = 0


def _folder() -> Path:
    return Path(settings.IMPORT_DIR)


def _prune(folder: Path) -> None:
    now = time.time()
    for file in folder.glob("*"):
        try:
            if now - file.stat().st_mtime > MAX_AGE_SECONDS:
                file.unlink(missing_ok=True)
        except OSError:
            continue


def upload_keep(data: bytes, filename: str, *, user_id: int) -> str:
    """Keep an uploaded file for ``user_id``; its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder)
    token = secrets.token_urlsafe(24)
    write_atomically(folder / f"{token}.bin", data)
    meta = {"user": user_id, "filename": Path(filename).name[:200], "kept_at": time.time()}
    write_atomically(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def upload_get(token: str, *, user_id: int) -> Upload | None:
    """The file kept under ``token`` for ``user_id``; None if there is none (or it is another's)."""
    if not TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        if meta.get("user") != user_id or time.time() - float(meta.get("kept_at", 0)) > MAX_AGE_SECONDS:
            return None
        return Upload(
            token=token,
            filename=str(meta.get("filename", "")),
            data=(folder / f"{token}.bin").read_bytes(),
            user_id=user_id,
        )
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class KeptReading:
    """What reading a kept upload found, kept beside it for its uploader only (an
    ``xlsxfile.ReadingStore``)."""

    upload: Upload

    @property
    def path(self) -> Path:
        return _folder() / f"{self.upload.token}.reading.json"

    def load(self) -> dict[str, Any] | None:
        try:
            kept = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or kept.get("user") != self.upload.user_id:
            return None
        reading = kept.get("reading")
        return reading if isinstance(reading, dict) else None

    def save(self, reading: dict[str, Any]) -> None:
        kept = {"user": self.upload.user_id, "reading": reading}
        # When it cannot be written, the next request reads the file again.
        with contextlib.suppress(OutputError):
            write_atomically(self.path, json.dumps(kept).encode())


def upload_reading(upload: Upload) -> KeptReading:
    """Where what reading ``upload`` found is kept."""
    return KeptReading(upload)


def upload_discard(token: str) -> None:
    if TOKEN.match(token):
        for suffix in (".bin", ".json", ".reading.json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
