"""What changed in a text between two versions, as the history and the review page show
it side by side: the comparison of ``shinchoku.textdiff`` (by sentence, then by character
inside a rewritten sentence), each side cut into the texts' lines (each ・ item on its
own line), each line made of fragments marked changed or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from shinchoku.textdiff import Kind, compare


@dataclass(frozen=True)
class Fragment:
    text: str
    changed: bool


@dataclass(frozen=True)
class DiffLine:
    """One line of one side of a diff."""

    fragments: tuple[Fragment, ...]

    @property
    def text(self) -> str:
        return "".join(fragment.text for fragment in self.fragments)

    @property
    def changed(self) -> bool:
        """Some of the line is not on the other side."""
        return any(fragment.changed for fragment in self.fragments)

    @property
    def whole(self) -> bool:
        """All of the line is not on the other side (an added or removed line)."""
        return bool(self.fragments) and all(fragment.changed for fragment in self.fragments)


Side = tuple[DiffLine, ...]


def text_diff(before: str, after: str) -> tuple[Side, Side]:
    """``before`` and ``after`` line by line, each line's fragments marked where the other
    side differs: by sentence, and by character inside a rewritten sentence
    (``shinchoku.textdiff``, the texts compared as they are)."""
    parts = compare(before, after, normalise=False).parts
    old = [Fragment(part.text, part.kind is Kind.DELETED) for part in parts if part.kind is not Kind.INSERTED]
    new = [Fragment(part.text, part.kind is Kind.INSERTED) for part in parts if part.kind is not Kind.DELETED]
    return _lines(old, before), _lines(new, after)


def _lines(fragments: list[Fragment], text: str) -> Side:
    """The fragments cut at line breaks into lines, neighbours alike merged; as many
    lines as ``text.splitlines()``."""
    lines: list[list[Fragment]] = [[]]
    for fragment in fragments:
        for number, part in enumerate(fragment.text.split("\n")):
            if number:
                lines.append([])
            if part:
                line = lines[-1]
                if line and line[-1].changed == fragment.changed:
                    line[-1] = Fragment(line[-1].text + part, fragment.changed)
                else:
                    line.append(Fragment(part, fragment.changed))
    if text.endswith("\n") or not text:
        lines.pop()
    return tuple(DiffLine(tuple(line)) for line in lines)
