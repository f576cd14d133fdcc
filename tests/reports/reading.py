"""Reading a measure sheet back out of the PDF as a reader copying from it would: each
piece of the sheet — the measure's name, its purpose, the baseline (現状), each target,
each year's heading, rating and texts — must come out whole and in reading order.

pdftotext writes a table's cells in whatever order its block grouping finds them; a
cell whose lines sit beside several other cells, or a cell cut by a page break, comes
out in pieces with other text between. Comparison ignores white space and width forms
(NFKC), since pdftotext breaks lines where the layout wraps them; the page numbers
(``-12-`` lines, artifacts of the page, not content) are dropped first.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from shinchoku.plans.selectors import MeasureSheet, Text
from shinchoku.reports.selectors import ReportDocument

PAGE_NUMBER = re.compile(r"^\s*-\d+-\s*$", re.M)


def pdftotext(path: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def joined(text: Text) -> str:
    return "".join(line.text for line in text)


@dataclass(frozen=True)
class Piece:
    what: str
    text: str


@dataclass(frozen=True)
class SheetPieces:
    """A sheet's pieces in reading order: ``lead`` (name, purpose, baseline), ``targets``
    (row by row, left to right; a revised target as planned, as revised, the reason) and
    ``results`` (per printed year its heading, ratings and texts)."""

    lead: list[Piece]
    targets: list[Piece]
    #: Whether the targets must come out in the order above: where a sheet has several
    #: lines of targets (overlapping spans), a year column's cells stand one above the
    #: other and pdftotext reads down a column before going right (as it reads any page
    #: in columns), so there each target need only come out whole, among the targets.
    targets_in_order: bool
    results: list[Piece]


def _kept(pieces: list[Piece]) -> list[Piece]:
    return [piece for piece in pieces if squash(piece.text)]


def sheet_pieces(sheet: MeasureSheet) -> SheetPieces:
    lead = [Piece("name", sheet.node.title), Piece("purpose", joined(sheet.summary))]
    lead.append(Piece("baseline", joined(sheet.baseline)))
    targets = []
    for row in sheet.targets.rows:
        for line in row.lines:
            for cell in line:
                for item in cell.items:
                    targets.append(Piece(f"target {cell.period_label}", joined(item.text)))
                    targets.append(Piece(f"revised target {cell.period_label}", joined(item.revised_text)))
                    targets.append(
                        Piece(f"revision reason {cell.period_label}", joined(item.revision_reason))
                    )
    results = []
    for result in sheet.results:
        results.append(Piece(f"{result.western} heading", f"{result.western}（{result.wareki}）"))
        for rating in result.ratings:
            if rating.code:
                results.append(
                    Piece(f"{result.western} rating", f"{rating.dimension_name} {rating.code} {rating.label}")
                )
        results.append(Piece(f"{result.western} result", joined(result.text)))
        results.append(Piece(f"{result.western} context", joined(result.context_change)))
        results.append(Piece(f"{result.western} response", joined(result.response)))
    lines = sum(len(row.lines) for row in sheet.targets.rows)
    return SheetPieces(_kept(lead), _kept(targets), lines <= 1, _kept(results))


def sheets(document: ReportDocument) -> list[MeasureSheet]:
    return [entry.sheet for area in document.areas for p in area.programmes for entry in p.sheets]


def out_of_order(text: str, document: ReportDocument, *, layout: bool = False) -> list[str]:
    """What does not come out whole and in order, one line per measure at fault (empty
    when every sheet reads right). Each sheet is found by its heading (the measure's name
    and markers) read on into the table's first column heading; every piece must follow,
    whole and in order, before the next sheet starts. ``layout``: the text is
    ``pdftotext -layout``'s, which prints cells that stand side by side line by line
    across them, so only the results, which stand alone on their lines, are checked."""
    flat = squash(PAGE_NUMBER.sub("", text))
    all_sheets = sheets(document)
    starts: list[int] = []
    cursor = 0
    for sheet in all_sheets:
        anchor = squash(sheet.node.title + "".join(m.symbol for m in sheet.markers) + sheet.node.level_name)
        start = flat.find(anchor, cursor)
        starts.append(start)
        # The next sheet starts after this one's heading, never inside it: one measure's name
        # may end with another's whole name.
        if start != -1:
            cursor = start + len(anchor)
    faults = []
    for index, sheet in enumerate(all_sheets):
        start = starts[index]
        if start == -1:
            faults.append(f"{sheet.node.title}: its heading is not followed by its table")
            continue
        end = next((s for s in starts[index + 1 :] if s > start), len(flat))
        pieces = sheet_pieces(sheet)
        position = start + len(squash(sheet.node.title))
        groups = [] if layout else [(pieces.lead, True), (pieces.targets, pieces.targets_in_order)]
        for group, in_order in [*groups, (pieces.results, True)]:
            if not in_order:
                # Anywhere among the targets: before the first result's heading.
                limit = flat.find(squash(pieces.results[0].text), position, end) if pieces.results else end
                fault, reached = _whole(flat, group, position, limit if limit != -1 else end)
                position = max(position, reached)
            else:
                fault, position = _in_order(flat, group, position, start, end)
            if fault:
                faults.append(f"{sheet.node.title}: {fault}")
                break
    return faults


def _in_order(flat: str, pieces: list[Piece], position: int, start: int, end: int) -> tuple[str, int]:
    """Each piece whole, after the one before it; the fault and where reading got to."""
    for piece in pieces:
        found = flat.find(squash(piece.text), position, end)
        if found == -1:
            whole = flat.find(squash(piece.text), start, end) != -1
            why = "out of order" if whole else "not as one run"
            return f"{piece.what} {piece.text[:30]!r} comes out {why}", position
        position = found + len(squash(piece.text))
    return "", position


def _whole(flat: str, pieces: list[Piece], start: int, end: int) -> tuple[str, int]:
    """Each piece whole between ``start`` and ``end``, in any order."""
    reached = start
    for piece in pieces:
        found = flat.find(squash(piece.text), start, end)
        if found == -1:
            return f"{piece.what} {piece.text[:30]!r} does not come out as one run among the targets", reached
        reached = max(reached, found + len(squash(piece.text)))
    return "", reached
