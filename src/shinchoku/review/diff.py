"""What changed in a text between two versions, as the history and the review page show
it side by side.

Japanese has no spaces between words, so a diff by words would mark whole sentences. The
texts are compared in two steps instead: first sentence by sentence (a sentence ends
with 。．！？ or a line break), so that an added, removed or moved sentence is one change;
then, inside the sentences that were rewritten, character by character, so that a
changed number or phrase is marked and the rest of its sentence is not. The result keeps
the texts' lines (each ・ item on its own line), each line made of fragments marked
changed or not.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: A sentence: up to and with its closing punctuation (and brackets closing after it),
#: or a run of text without any; a line break on its own.
_SENTENCE = re.compile(r"[^\n。．！？!?]*[。．！？!?]+[」』）)］\]]*|[^\n。．！？!?]+|\n")

#: Longer rewritten passages (characters before × after) are marked whole rather than
#: compared character by character, which would take too long.
CHARACTER_DIFF_LIMIT = 2_000_000

#: An unchanged run this short between two changes is marked with them: a diff that
#: keeps one character in common between two rewritten phrases reads worse than one
#: that marks the phrase.
_SHORT_RUN = 1


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


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences and line breaks; joined again they are ``text``."""
    return _SENTENCE.findall(text)


def text_diff(before: str, after: str) -> tuple[Side, Side]:
    """``before`` and ``after`` line by line, each line's fragments marked where the other
    side differs: by sentence, and by character inside a rewritten sentence."""
    old: list[Fragment] = []
    new: list[Fragment] = []
    a, b = sentences(before), sentences(after)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            old.append(Fragment(removed, False))
            new.append(Fragment(added, False))
        elif tag == "replace" and len(removed) * len(added) <= CHARACTER_DIFF_LIMIT:
            old_parts, new_parts = _characters(removed, added)
            old.extend(old_parts)
            new.extend(new_parts)
        else:
            old.append(Fragment(removed, True))
            new.append(Fragment(added, True))
    return _lines(old, before), _lines(new, after)


def _characters(before: str, after: str) -> tuple[list[Fragment], list[Fragment]]:
    """Two rewritten passages compared character by character."""
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    old: list[Fragment] = []
    new: list[Fragment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1
        short = tag == "equal" and between_changes and i2 - i1 <= _SHORT_RUN
        changed = tag != "equal" or short
        old.append(Fragment(before[i1:i2], changed))
        new.append(Fragment(after[j1:j2], changed))
    return old, new


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
