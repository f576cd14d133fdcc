"""Reading a database's rows as the backup writes them, and rewriting a backup file
(a member changed, the manifest changed) with or without its checksums made right."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shinchoku.backup import tables
from shinchoku.backup.archive import MANIFEST, checksum_of


def canonical(data: bytes) -> list[str]:
    """The rows of a table's dump, each as sorted JSON: the same data whatever key order
    the engine kept a JSON field's keys in (PostgreSQL's jsonb sorts them its own way)."""
    return [json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False) for line in data.splitlines()]


def database_rows(using: str = "default") -> dict[str, list[str]]:
    """Every row of every table a backup carries, as it would write them."""
    rows = {}
    for table in tables.tables()[0]:
        stream = io.BytesIO()
        tables.table_write(table, stream, using=using)
        rows[table.label] = canonical(stream.getvalue())
    return rows


def dumped_rows(path: Path) -> dict[str, list[str]]:
    """The rows of each table in the backup file at ``path``."""
    with zipfile.ZipFile(path) as zipped:
        manifest = json.loads(zipped.read(MANIFEST))
        return {
            table["model"]: canonical(zipped.read(table["member"]))
            for table in manifest["database"]["tables"]
        }


def rewrite(
    source: Path,
    target: Path,
    *,
    members: dict[str, bytes | None] | None = None,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    sums: bool = True,
) -> None:
    """Copy the backup ``source`` to ``target`` with ``members`` replaced (None: removed;
    a new name: added) and ``manifest`` applied to its manifest; with ``sums``, the
    members' SHA-256 and sizes and the manifest's checksum made to match."""
    members = members or {}
    with zipfile.ZipFile(source) as zipped:
        data = {name: zipped.read(name) for name in zipped.namelist()}
    listed = json.loads(data.pop(MANIFEST))
    for name, content in members.items():
        if content is None:
            data.pop(name, None)
        else:
            data[name] = content
    if sums:
        listed["members"] = {
            name: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            for name, content in data.items()
        }
    if manifest is not None:
        manifest(listed)
    if sums:
        listed["checksum"] = checksum_of(listed)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in data.items():
            zipped.writestr(name, content)
        zipped.writestr(MANIFEST, json.dumps(listed, ensure_ascii=False))
