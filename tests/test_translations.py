"""Japanese is complete for every message the code uses, and the compiled
catalogues match their sources."""

import gettext
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = pytest.mark.one_database

PACKAGE = Path(__file__).parents[1] / "src" / "shinchoku"
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def read_po(path: Path) -> dict[tuple[str | None, str], list[str]]:
    """(msgctxt, msgid) → list of msgstr forms, skipping the header. One msgid may stand
    in several contexts, each translated on its own."""
    entries: dict[tuple[str | None, str], list[str]] = {}
    fields: dict[str, str] = {}
    current = None
    flags = ""

    def flush() -> None:
        if fields.get("msgid"):
            assert "fuzzy" not in flags, f"fuzzy entry in {path}: {fields['msgid']}"
            key = (fields.get("msgctxt"), fields["msgid"])
            entries[key] = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
            fields, current, flags = {}, None, ""
        elif line.startswith("#,"):
            flags = line
        elif match := ENTRY.match(line):
            current = match.group(1)
            fields[current] = match.group(2)
        elif line.startswith('"') and current:
            fields[current] += line[1:-1]
    return entries


def unescape(po_string: str) -> str:
    """A .po string's C escapes (\\n, \\") are JSON's."""
    return json.loads(f'"{po_string}"')


def test_every_japanese_message_is_translated() -> None:
    entries = read_po(PACKAGE / "locale/ja/LC_MESSAGES/django.po")
    untranslated = [msgid for msgid, forms in entries.items() if not all(forms)]
    assert untranslated == []
    assert len(entries) > 150


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    source = read_po(PACKAGE / f"locale/{language}/LC_MESSAGES/django.po")
    with (PACKAGE / f"locale/{language}/LC_MESSAGES/django.mo").open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    for (context, msgid), forms in source.items():
        if forms and forms[0]:
            if context is None:
                assert compiled.gettext(unescape(msgid)) == unescape(forms[0])
            else:
                assert compiled.pgettext(unescape(context), unescape(msgid)) == unescape(forms[0])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is installed by bin/setup")
def test_the_catalogues_hold_every_message_in_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "shinchoku"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "shinchoku.test_settings",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PACKAGE.parent),
        },
    )
    fresh = set(read_po(copy / "locale/ja/LC_MESSAGES/django.po"))
    committed = set(read_po(PACKAGE / "locale/ja/LC_MESSAGES/django.po"))
    assert fresh - committed == set(), "run makemessages and translate the new messages"
    assert committed - fresh == set(), "run makemessages --no-obsolete to drop unused messages"
