"""What the import commands (``shinchoku import``, ``shinchoku import-report``) share: the
language of their messages and reading the file they are given."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation


def add_language_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        help="the language of the messages (default: the site's, LANGUAGE_CODE)",
    )


def in_language(options: dict[str, Any]) -> AbstractContextManager[None]:
    """The command's messages in ``--language``, else the site's."""
    return translation.override(
        options.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    )


def read_file(path: Path, limit: int) -> bytes:
    """The file's bytes, read only one past ``limit`` (a larger file is refused as too
    large by its reader); CommandError when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return stream.read(limit + 1)
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror})") from error
