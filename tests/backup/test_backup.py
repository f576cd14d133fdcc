"""``shinchoku backup`` and ``shinchoku restore`` in one instance: what a backup holds and
leaves out, a restore with ``--replace`` giving back the same export, rows and files,
and every refusal (cut short, a byte changed, a foreign ZIP, a manifest of a future
format or schema, rows that do not fit) changing nothing."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.audit.models import AuditEvent
from shinchoku.backup.archive import FORMAT_VERSION, MANIFEST
from shinchoku.backup.tables import LEFT_OUT
from shinchoku.plans.models import Plan
from shinchoku.progress.models import Cost
from shinchoku.review.models import Entry, Round
from tests.backup.archives import database_rows, dumped_rows, rewrite
from tests.backup.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def var(settings: object, tmp_path: Path) -> Path:
    """The instance's var/ in a folder of the test's own."""
    folder = tmp_path / "var"
    folder.mkdir()
    settings.VAR_DIR = folder  # type: ignore[attr-defined]
    settings.IMPORT_DIR = folder / "imports"  # type: ignore[attr-defined]
    settings.REPORT_CACHE_DIR = folder / "report-cache"  # type: ignore[attr-defined]
    settings.STATIC_ROOT = folder / "static"  # type: ignore[attr-defined]
    return folder


@pytest.fixture
def backed_up(var: Path, tmp_path: Path) -> Path:
    """A backup of the world, with a development key file, a session and a cached report."""
    build()
    (var / "development-secret-key").write_text("a-development-key")
    (var / "report-cache").mkdir()
    (var / "report-cache" / "report.pdf").write_bytes(b"%PDF cached")
    SessionStore().create()
    path = tmp_path / "backup.zip"
    call_command("backup", "--output", str(path), stdout=StringIO())
    return path


def export(tmp_path: Path) -> bytes:
    output = tmp_path / "export.json"
    call_command("export", "--format", "json", "--output", str(output))
    return output.read_bytes()


def files(var: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(var)): path.read_bytes() for path in sorted(var.rglob("*")) if path.is_file()
    }


def test_a_backup_holds_the_database_and_the_files_that_matter(backed_up: Path, var: Path) -> None:
    with zipfile.ZipFile(backed_up) as zipped:
        names = set(zipped.namelist())
        manifest = json.loads(zipped.read(MANIFEST))
    assert manifest["format"] == "shinchoku-backup"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    assert "0001_initial" in manifest["database"]["migrations"]["review"]
    carried = {table["model"]: table["rows"] for table in manifest["database"]["tables"]}
    assert carried["audit.auditevent"] == AuditEvent.objects.count() > 0
    assert carried["review.entry"] == Entry.objects.count() > 0
    assert carried["progress.cost"] == Cost.objects.count() > 0
    assert "sessions.session" in manifest["database"]["left_out"]
    assert not any("session" in name for name in names)
    uploads = [name for name in names if name.startswith("files/imports/")]
    assert len(uploads) == 2  # the file and what is kept beside it
    assert "files/development-secret-key" in names
    assert not any(name.startswith("files/") and "report" in name for name in names)
    assert any("report cache" in why for why in manifest["files"]["left_out"].values())
    assert names == set(manifest["members"]) | {MANIFEST}
    assert dumped_rows(backed_up) == database_rows()


def test_restore_replace_gives_back_the_same_export_rows_and_files(
    backed_up: Path, var: Path, tmp_path: Path
) -> None:
    before_export, before_rows, before_files = export(tmp_path), database_rows(), files(var)
    # Everything changes after the backup: a plan removed, a key and an upload replaced.
    Plan.objects.filter(code="synth-7").delete()
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("pk").first().pk).update(reason="changed")
    (var / "development-secret-key").write_text("another key")
    for upload in (var / "imports").iterdir():
        upload.unlink()
    (var / "imports" / "later.bin").write_bytes(b"later")
    assert export(tmp_path) != before_export

    call_command("restore", str(backed_up), "--replace", stdout=StringIO())

    assert export(tmp_path) == before_export
    assert database_rows() == before_rows
    restored = files(var)
    assert {name: data for name, data in restored.items() if not name.startswith("report-cache")} == {
        name: data for name, data in before_files.items() if not name.startswith("report-cache")
    }
    assert not Session.objects.exists()
    # New rows take ids after the restored ones.
    last = AuditEvent.objects.order_by("pk").last()
    round_ = Round.objects.get()
    Round.objects.filter(pk=round_.pk).update(deadline=round_.deadline)
    new = AuditEvent.objects.create(subject_type=last.subject_type, subject_id=1, event_type=last.event_type)
    assert new.pk > last.pk


def test_restore_check_reads_a_whole_backup_and_changes_nothing(backed_up: Path, tmp_path: Path) -> None:
    rows = database_rows()
    out = StringIO()
    call_command("restore", str(backed_up), "--check", stdout=out)
    assert "every checksum right" in out.getvalue()
    assert database_rows() == rows


def test_restore_into_an_instance_with_data_is_refused_without_replace(backed_up: Path) -> None:
    rows = database_rows()
    with pytest.raises(CommandError, match=r"this instance is not empty .*give --replace"):
        call_command("restore", str(backed_up))
    assert database_rows() == rows


def _flip_a_byte(path: Path, target: Path, member: str) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zipped:
        info = zipped.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x01
    target.write_bytes(bytes(data))


def _foreign_zip(path: Path, target: Path) -> None:
    call_command("export", "--format", "zip", "--output", str(target))


def _manifest(change: str) -> Callable[[dict[str, Any]], None]:
    def apply(manifest: dict[str, Any]) -> None:
        if change == "future format":
            manifest["format_version"] = FORMAT_VERSION + 1
        elif change == "newer schema":
            manifest["database"]["migrations"]["review"].append("9999_from_the_future")
        elif change == "another format":
            manifest["format"] = "something-else"
        elif change == "rows":
            manifest["database"]["tables"][0]["rows"] += 1

    return apply


def _entry_lines(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zipped:
        return zipped.read("database/review.entry.jsonl").splitlines()


def _edited_entry(path: Path, **values: object) -> bytes:
    lines = _entry_lines(path)
    first = json.loads(lines[0])
    first.update(values)
    return (
        b"\n".join([json.dumps(first, ensure_ascii=False, separators=(",", ":")).encode(), *lines[1:]])
        + b"\n"
    )


def _same_length_change(path: Path) -> bytes:
    """The entries' dump with one digit of the first entry's version changed."""
    version = json.loads(_entry_lines(path)[0])["version"]
    changed = _edited_entry(path, version=version + 1 if version % 10 != 9 else version - 1)
    original = b"\n".join(_entry_lines(path)) + b"\n"
    assert len(changed) == len(original) and changed != original
    return changed


CORRUPTIONS = {
    "cut short": (
        lambda path, target: target.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3]),
        r"not a ZIP file, or cut short",
    ),
    "a byte changed in the dump": (
        lambda path, target: _flip_a_byte(path, target, "database/audit.auditevent.jsonl"),
        r"the member database/audit.auditevent.jsonl (is damaged|is not the one that was backed up)",
    ),
    "a byte changed in the manifest": (
        lambda path, target: _flip_a_byte(path, target, MANIFEST),
        r"(manifest.json is damaged|not JSON|checksum does not match|damaged)",
    ),
    "a ZIP of something else": (_foreign_zip, r"not a Shinchoku backup \(a ZIP file without manifest.json\)"),
    "not a ZIP at all": (lambda path, target: target.write_text("hello"), r"not a ZIP file"),
    "a manifest of a future format version": (
        lambda path, target: rewrite(path, target, manifest=_manifest("future format")),
        rf"format version {FORMAT_VERSION + 1}; this version of Shinchoku reads version {FORMAT_VERSION} "
        r"\(restore it with the newer version",
    ),
    "a manifest of another format": (
        lambda path, target: rewrite(path, target, manifest=_manifest("another format")),
        r"not a Shinchoku backup \(manifest.json does not name the format",
    ),
    "a database of a newer schema": (
        lambda path, target: rewrite(path, target, manifest=_manifest("newer schema")),
        r"made by a newer version of Shinchoku .* the migration review.9999_from_the_future",
    ),
    "a manifest changed without its checksum": (
        lambda path, target: rewrite(path, target, manifest=_manifest("rows"), sums=False),
        r"manifest.json was changed or damaged: its checksum does not match",
    ),
    "a member replaced, its checksum left": (
        lambda path, target: rewrite(
            path, target, members={"database/review.entry.jsonl": _same_length_change(path)}, sums=False
        ),
        r"the member database/review.entry.jsonl is not the one that was backed up",
    ),
    "a member removed": (
        lambda path, target: rewrite(path, target, members={"database/review.round.jsonl": None}, sums=False),
        r"the member database/review.round.jsonl listed in manifest.json is missing",
    ),
    "a member added": (
        lambda path, target: rewrite(path, target, members={"database/extra.jsonl": b"{}"}, sums=False),
        r"the member database/extra.jsonl is not listed in manifest.json",
    ),
    "a file name climbing out of its place": (
        lambda path, target: rewrite(path, target, members={"files/imports/../../../escaped": b"x"}),
        r"the member name 'files/imports/../../../escaped' would write outside its place",
    ),
    "a row with other columns": (
        lambda path, target: rewrite(
            path, target, members={"database/review.entry.jsonl": _edited_entry(path, colour="red")}
        ),
        r"database/review.entry.jsonl, line 1: its columns are not those of the table",
    ),
    "a row with a value its field refuses": (
        lambda path, target: rewrite(
            path, target, members={"database/review.entry.jsonl": _edited_entry(path, version="many")}
        ),
        r"database/review.entry.jsonl, line 1: version: ",
    ),
    "a row pointing at nothing": (
        lambda path, target: rewrite(
            path, target, members={"database/review.entry.jsonl": _edited_entry(path, round_id=999999)}
        ),
        r"the database refused the backup's rows",
    ),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(
    corruption: str, backed_up: Path, var: Path, tmp_path: Path
) -> None:
    make, message = CORRUPTIONS[corruption]
    bad = tmp_path / "bad.zip"
    make(backed_up, bad)
    # Something changed since the backup, which a restore would undo.
    Plan.objects.filter(code="synth-7").update(title="変更後の計画")
    before_export, before_rows, before_files = export(tmp_path), database_rows(), files(var)

    with pytest.raises(CommandError, match=rf"^nothing was restored: .*{message}") as refused:
        call_command("restore", str(bad), "--replace")

    assert "\n" not in str(refused.value)
    assert export(tmp_path) == before_export
    assert database_rows() == before_rows
    assert files(var) == before_files
    assert sorted(path.name for path in var.iterdir()) == sorted(
        {name.split("/")[0] for name in before_files} | {"imports"}
    )


def test_a_missing_backup_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nothing was restored: .*missing.zip: no such file"):
        call_command("restore", str(tmp_path / "missing.zip"))


def test_a_backup_to_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no backup was written: .*the folder .* does not exist"):
        call_command("backup", "--output", str(tmp_path / "no" / "backup.zip"))


def test_the_tables_left_out_are_named_with_why() -> None:
    assert set(LEFT_OUT) >= {"sessions.session", "django_tasks_database.dbtaskresult"}
    assert all(why for why in LEFT_OUT.values())
