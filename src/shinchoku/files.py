"""Writing output files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from shinchoku.errors import ErrorCode, Refusal


class OutputError(Refusal):
    """The output file cannot be written; the message names it and says why, in one line."""

    code = ErrorCode.UNAVAILABLE


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place, so that a
    reader never sees a partial file and a failure leaves nothing behind."""
    with written_atomically(path) as stream:
        stream.write(data)


@contextmanager
def written_atomically(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, bit by bit: a temporary file beside it, renamed
    into place when the block ends, removed if the block fails (``write_atomically``)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: the folder {directory} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise OutputError(f"{path}: cannot write here ({error.strerror})") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({error.strerror})") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def kept_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path``, made by ``make`` the first time. The file is created
    readable by its owner only from the start (never world-readable, even for a moment),
    and of two processes making it at once, one writes it and both read the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w") as stream:
            stream.write(make())
    return path.read_text().strip()
