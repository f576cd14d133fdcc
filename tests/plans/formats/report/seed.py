"""The seed report's text, and variants of it: pages in another order, lines wrapped
otherwise, digits in the other width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from shinchoku.plans.formats.report.lines import line_kind
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.formats.report.source import read_text

ROOT = Path(__file__).parents[4]
SEED_TEXT = ROOT / "data" / "seeds" / "kawasaki-plan9.source.txt"
PLAN = "kawasaki-frontier-3"
_PAGE_START = re.compile(r"^\s*(【主な実施結果】|事業内容・目標)\s*$")
_HALF = str.maketrans("0123456789", "０１２３４５６７８９")
_FULL = str.maketrans("０１２３４５６７８９", "0123456789")


def seed_lines() -> list[str]:
    return SEED_TEXT.read_text(encoding="utf-8").splitlines()


def pages(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The lines before the first page, and the pages: each begins at a summary page's
    heading or the measure table's heading."""
    head: list[str] = []
    found: list[list[str]] = []
    for line in lines:
        if _PAGE_START.match(line):
            found.append([])
        (found[-1] if found else head).append(line)
    return head, found


def draft_dataset(text: str, name: str = "seed.txt") -> dict[str, Any]:
    return recognise(read_text(text.encode("utf-8"), name), plan_code=PLAN).dataset


def wrappable(lines: list[str], index: int) -> bool:
    """A line a bullet starts (a result's sentence or a target item), which can be cut."""
    line = lines[index].strip()
    return len(line) >= 6 and line[0] in "・･●" and line_kind(line)[0] == "text"


def cut(line: str, at: int) -> tuple[str, str] | None:
    """``line`` cut in two at ``at``, if both halves stay plain text and the second does
    not begin a new item."""
    first, second = line[:at], line[at:]
    if len(first.strip()) < 2 or len(second.strip()) < 2 or second.lstrip()[0] in "・･●①②③【 　":
        return None
    if line_kind(first.strip())[0] != "text" or line_kind(second.strip())[0] != "text":
        return None
    if first[-1:].isdigit() and second[:1].isdigit():
        return None
    return first, second


def other_width(text: str) -> str:
    """Half-width digits made full-width and full-width ones half-width."""
    return "".join(ch.translate(_HALF) if ch.isascii() else ch.translate(_FULL) for ch in text)
