"""Draw a ReportDocument: as PDF through Typst, or as HTML through Django's templates.

Both renderers take the same view-model and only draw it (see selectors.py)."""

from __future__ import annotations

import ctypes
import dataclasses
import datetime
import functools
import json
import resource
import signal
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext

from shinchoku.errors import ErrorCode
from shinchoku.reports.links import SiteLinks
from shinchoku.reports.selectors import ReportDocument, ReportError
from shinchoku.reports.typeset import REFUSED

TEMPLATE = Path(__file__).parent / "typst" / "report.typ"

#: Japanese fonts the PDF can embed, in order of preference: (family, file names).
FONTS = (
    ("IPAexGothic", ("ipaexg.ttf",)),
    ("Noto Sans CJK JP", ("NotoSansCJK-Regular.ttc", "NotoSansCJKjp-Regular.otf")),
)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


def japanese_font() -> tuple[str, Path]:
    """The family and folder of an installed Japanese font. Raises ReportError naming the
    package to install when there is none, rather than printing boxes."""
    found = _find_font(FONT_DIRS)
    if found is not None:
        return found
    raise ReportError(
        gettext(
            "No Japanese font is installed: install the Debian package fonts-ipaexfont "
            "(or fonts-noto-cjk) and try again."
        ),
        code=ErrorCode.UNAVAILABLE,
    )


def _fields(value: object) -> dict[str, object] | str:
    """A view-model dataclass as its fields (tuples become JSON arrays by themselves), a
    moment as its ISO 8601 text, a decimal figure (a staff count) as its digits."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.__dict__
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of the report's view-model")


@functools.cache
def _find_font(folders: tuple[Path, ...]) -> tuple[str, Path] | None:
    """Searched once per process: walking the font folders costs more than a small report."""
    for family, names in FONTS:
        for folder in folders:
            if not folder.is_dir():
                continue
            for name in names:
                found = next(folder.rglob(name), None)
                if found is not None:
                    return family, found.parent
    return None


def report_json(document: ReportDocument) -> str:
    # json's own walk with a field hook: dataclasses.asdict deep-copies every value first,
    # which costs as much again as the encoding on a large report.
    return json.dumps(document, default=_fields, ensure_ascii=False, separators=(",", ":"))


def render_pdf(document: ReportDocument) -> bytes:
    """A4 landscape, tagged, PDF/A-2a and PDF/UA-1, the Japanese font embedded.

    Typeset in a process of its own (reports/typeset.py): Typst's memory, over a GB for a
    plan of 400 measures, is the system's again once the file is written, rather than kept
    by the web or job worker that asked. The process is held to ``TypesetLimits``."""
    family, folder = japanese_font()
    limits = TypesetLimits.from_settings()
    with tempfile.TemporaryDirectory(prefix="shinchoku-report-") as scratch:
        output = Path(scratch) / "report.pdf"
        try:
            done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "shinchoku.reports.typeset",
                    str(TEMPLATE),
                    str(folder),
                    family,
                    # Dated by its data, not by the clock: the same data gives the same bytes.
                    _fixed_offset(document.as_of).isoformat(),
                    str(output),
                ],
                input=report_json(document).encode("utf-8"),
                capture_output=True,
                check=False,
                timeout=limits.seconds,
                preexec_fn=limits.apply,  # only setrlimit and prctl run between fork and exec
            )
        except subprocess.TimeoutExpired as error:
            raise ReportError(
                gettext("Typst did not finish the report within %(seconds)s seconds.")
                % {"seconds": limits.seconds},
                code=ErrorCode.UNAVAILABLE,
            ) from error
        if done.returncode == REFUSED:
            why = done.stdout.decode("utf-8", "replace").strip()
            raise ReportError(f"Typst could not typeset the report: {why}", code=ErrorCode.UNAVAILABLE)
        if done.returncode != 0 or not output.exists():
            # Killed (out of memory) or failed to start: the last line it wrote says why.
            last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise ReportError(
                gettext("Typst stopped before the report was written (exit status %(status)s). %(why)s")
                % {"status": done.returncode, "why": " ".join(last)},
                code=ErrorCode.UNAVAILABLE,
            )
        return output.read_bytes()


#: prctl's option: the signal a process gets when the thread that started it ends.
_PR_SET_PDEATHSIG = 1


@dataclasses.dataclass(frozen=True)
class TypesetLimits:
    """What the typesetting process may take (``REPORT_TYPESET_SECONDS``,
    ``REPORT_TYPESET_MEMORY_MB``): past its time it is killed and the report refused; past
    its memory Typst fails to allocate and the report is refused, rather than the machine
    swapping for everyone. On Linux it also dies with the worker that started it: a web
    worker killed for its own timeout leaves no typesetting behind."""

    seconds: int
    memory_bytes: int

    @classmethod
    def from_settings(cls) -> TypesetLimits:
        return cls(
            seconds=int(settings.REPORT_TYPESET_SECONDS),
            memory_bytes=int(settings.REPORT_TYPESET_MEMORY_MB) * 1024 * 1024,
        )

    def apply(self) -> None:
        """Run in the child between fork and exec."""
        if self.memory_bytes > 0:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        if sys.platform == "linux":
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _fixed_offset(moment: datetime.datetime) -> datetime.datetime:
    """The moment as Typst takes it: to the second (a PDF's dates are), with its offset as
    a fixed one (the PDF states it in UTC)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("the report's date has no time zone")
    return moment.astimezone(datetime.timezone(offset)).replace(microsecond=0)


def render_html(document: ReportDocument, links: SiteLinks | None = None) -> str:
    """One HTML document that stands alone (its stylesheet inline); with ``links``, it
    opens with the trail back to the site (reports/links.py)."""
    return render_to_string("reports/report.html", {"report": document, "site": links})
