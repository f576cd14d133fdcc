"""The backup file: a ZIP holding ``manifest.json`` and its members, each listed in the
manifest with its size and SHA-256, the manifest itself with a checksum of the rest.

A ZIP rather than a tar: its members are compressed one by one and listed at its end,
so the manifest is read without reading the whole file, a file cut short is known at
once (its list is missing), each member is read alone, and every operating system a
city's IT team uses opens it. Members are written as they are made, never whole in
memory.

Reading checks, before anything is changed: that the file is a ZIP, that it holds our
manifest in a format version this code reads, that the manifest's checksum holds, that
the members are exactly those listed, each with a safe name, and that every member's
size and SHA-256 are those listed.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

import jsonschema  # type: ignore[import-untyped]

from shinchoku.backup.tables import BackupError

FORMAT = "shinchoku-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: The largest manifest read (a manifest lists members, it is never large).
MANIFEST_LIMIT = 16 * 1024 * 1024
BLOCK = 1024 * 1024

_MEMBER = {
    "type": "object",
    "required": ["sha256", "size"],
    "properties": {
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0},
    },
}
#: The shape of a manifest of FORMAT_VERSION (its ``format`` and version are checked first).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "format",
        "format_version",
        "created_at",
        "shinchoku_version",
        "database",
        "files",
        "members",
    ],
    "properties": {
        "database": {
            "type": "object",
            "required": ["vendor", "migrations", "tables", "left_out"],
            "properties": {
                "vendor": {"type": "string"},
                "migrations": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "tables": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["model", "member", "rows", "columns"],
                        "properties": {
                            "model": {"type": "string"},
                            "member": {"type": "string"},
                            "rows": {"type": "integer", "minimum": 0},
                            "columns": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
                "left_out": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "files": {
            "type": "object",
            "required": ["places", "left_out"],
            "properties": {
                "places": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["present", "members"],
                        "properties": {
                            "present": {"type": "boolean"},
                            "members": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
                "left_out": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "members": {"type": "object", "additionalProperties": _MEMBER},
        "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}


def checksum_of(manifest: dict[str, Any]) -> str:
    """The SHA-256 of the manifest without its checksum, written canonically: it covers
    every member's own SHA-256, so it vouches for the whole backup."""
    rest = {key: value for key, value in manifest.items() if key != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def safe_member(name: str) -> bool:
    """A member name that stays inside wherever it is unpacked: relative, forward
    slashes, no empty, ``.`` or ``..`` part, no control character."""
    if not name or name.startswith("/") or "\\" in name or any(ord(c) < 32 for c in name):
        return False
    return all(part not in {"", ".", ".."} for part in name.split("/")) and PurePosixPath(name).parts[0] in {
        "database",
        "files",
    }


class _Counted:
    """A member being written: what has been written, hashed and counted."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)


class ArchiveWriter:
    """Members written one after another into an open ZIP; the manifest last."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members: dict[str, dict[str, Any]] = {}

    @contextmanager
    def member(self, name: str) -> Iterator[_Counted]:
        if not safe_member(name) or name in self.members:
            raise BackupError(f"{name}: not a member name a backup can hold")
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with self.archive.open(info, "w", force_zip64=True) as stream:
            counted = _Counted(stream)
            yield counted
        self.members[name] = {"sha256": counted.digest.hexdigest(), "size": counted.size}

    def finish(self, manifest: dict[str, Any]) -> dict[str, Any]:
        manifest = {**manifest, "members": self.members}
        manifest["checksum"] = checksum_of(manifest)
        self.archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        return manifest


def _damaged(path: Path, name: str, error: Exception) -> BackupError:
    return BackupError(f"{path}: the member {name} is damaged ({error}); restore from another backup")


def manifest_read(path: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of ``archive``, checked: ours, a version this code reads, its
    checksum right, its members exactly those of the file, each with a safe name."""
    names = archive.namelist()
    if MANIFEST not in names:
        raise BackupError(f"{path}: not a Shinchoku backup (a ZIP file without {MANIFEST})")
    info = archive.getinfo(MANIFEST)
    if info.file_size > MANIFEST_LIMIT:
        raise BackupError(f"{path}: not a Shinchoku backup ({MANIFEST} is too large to be one)")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _damaged(path, MANIFEST, error) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path}: not a Shinchoku backup ({MANIFEST} is not JSON: {error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a Shinchoku backup ({MANIFEST} does not name the format {FORMAT})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise BackupError(
            f"{path}: a backup of format version {version}; this version of Shinchoku reads version "
            f"{FORMAT_VERSION}" + (" (restore it with the newer version that made it)" if newer else "")
        )
    if manifest.get("checksum") != checksum_of(manifest):
        raise BackupError(
            f"{path}: {MANIFEST} was changed or damaged: its checksum does not match its content"
        )
    try:
        jsonschema.validate(manifest, SCHEMA)
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "its top"
        raise BackupError(
            f"{path}: {MANIFEST} is not in the form of a backup, at {where}: {error.message}"
        ) from error
    listed = set(manifest["members"])
    present = set(names) - {MANIFEST}
    if len(names) != len(set(names)):
        raise BackupError(f"{path}: a member appears twice in the file; restore from another backup")
    for name in sorted(listed | present):
        if not safe_member(name):
            raise BackupError(f"{path}: the member name {name!r} would write outside its place")
    if missing := sorted(listed - present):
        raise BackupError(f"{path}: the member {missing[0]} listed in {MANIFEST} is missing")
    if extra := sorted(present - listed):
        raise BackupError(f"{path}: the member {extra[0]} is not listed in {MANIFEST}")
    return manifest


def member_chunks(
    path: Path, archive: zipfile.ZipFile, name: str, expected: dict[str, Any]
) -> Iterator[bytes]:
    """The bytes of a member, block by block; raises when it is damaged, longer or
    shorter than listed, or its SHA-256 is not the one listed, after its last block."""
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as stream:
            while block := stream.read(BLOCK):
                size += len(block)
                if size > expected["size"]:
                    raise BackupError(f"{path}: the member {name} is longer than {MANIFEST} says")
                digest.update(block)
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise _damaged(path, name, error) from error
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(
            f"{path}: the member {name} is not the one that was backed up (its size or SHA-256 "
            "differs from the manifest's); restore from another backup"
        )


def member_lines(
    path: Path, archive: zipfile.ZipFile, name: str, expected: dict[str, Any]
) -> Iterator[bytes]:
    """The lines of a member, checked as ``member_chunks`` checks it."""
    pending = b""
    for block in member_chunks(path, archive, name, expected):
        pending += block
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        yield pending


def archive_verify(path: Path, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Read every member whole and check its size and SHA-256."""
    for name, expected in sorted(manifest["members"].items()):
        for _block in member_chunks(path, archive, name, expected):
            pass


def archive_open(path: Path) -> zipfile.ZipFile:
    """The ZIP at ``path``, or a refusal that says why it is none."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise BackupError(
            f"{path}: not a ZIP file, or cut short (its end, where a ZIP lists its members, is missing)"
        ) from error
    except OSError as error:
        raise BackupError(f"{path}: cannot be read ({error.strerror})") from error
