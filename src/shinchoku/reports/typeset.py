"""Typeset the report's PDF with Typst in a process of its own (render.py starts it).

Typst keeps what it lays out (every element, each layout of it) in a cache that lives as
long as the process: it drops an entry only after ten further documents have not used it.
A worker that typeset reports itself would keep a large report's memory, some 1.5 GB,
after answering, and add the next report's to it (docs/benchmarks.md). Run here, the
memory goes back to the system when the report is written.

Reads the report's JSON from standard input and writes the PDF to the file named; on a
document Typst refuses, prints why on one line to standard output and exits with REFUSED.
Imports nothing of Django, so it starts in a fraction of a second.

    python -m shinchoku.reports.typeset TEMPLATE FONT_FOLDER FONT_FAMILY TIMESTAMP OUTPUT
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

#: The exit status of a document Typst refuses (its reason on standard output): neither
#: Python's for an uncaught exception (1) nor for wrong arguments (2).
REFUSED = 3


def typeset(
    template: Path, *, data: str, font_folder: Path, family: str, timestamp: datetime.datetime, output: Path
) -> None:
    """A4 landscape, tagged, PDF/A-2a and PDF/UA-1, the Japanese font embedded, written to
    ``output``. Raises typst.TypstError for a document Typst refuses."""
    import typst

    # The stubs bind the input, the root and the font paths to one TypeVar; they may differ.
    typst.compile(  # type: ignore[misc]
        template.read_bytes(),
        output=str(output),
        root=str(template.parent),
        font_paths=[str(font_folder)],
        sys_inputs={"data": data, "font": family},
        pdf_standards=["a-2a", "ua-1"],
        timestamp=timestamp,
    )


def main(argv: list[str]) -> int:
    import typst

    template, font_folder, family, timestamp, output = argv
    try:
        typeset(
            Path(template),
            data=sys.stdin.buffer.read().decode("utf-8"),
            font_folder=Path(font_folder),
            family=family,
            timestamp=datetime.datetime.fromisoformat(timestamp),
            output=Path(output),
        )
    except typst.TypstError as error:
        where = error.diagnostic.strip().splitlines()[1:2] if error.diagnostic else []
        print(f"{error} {' '.join(where).strip()}".strip().replace("\n", " "))
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
