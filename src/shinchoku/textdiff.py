"""What changed in a text between two versions: the one comparison of texts that the
public comparison of two fiscal years and the staff's history and review pages show.

Japanese has no spaces between words, so a diff by words would mark whole sentences. The
texts are compared in two steps instead: first sentence by sentence (a sentence ends
with 。．！？ or a line break, its punctuation and any closing bracket kept with it), so
that an added, removed or moved sentence is one change; then, inside the sentences that
were rewritten, character by character, so that a changed number or phrase is marked and
the rest of its sentence is not.

The result is the new text's way through the old one: a sequence of parts, each kept
(in both texts), deleted (in the old one only) or inserted (in the new one only). The
kept and deleted parts, in order, are the old text; the kept and inserted parts the new
one. ``compare`` first normalises both texts as the project stores text
(``shinchoku.text.normalize``: NFKC, line ends, trailing blanks), so that a difference
of width alone (２０２３ and 2023, ｶﾅ and カナ) is not shown as a change: the parts are
those of the normalised texts. ``normalise=False`` compares the texts as they are.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shinchoku.text import normalize

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


class Kind(enum.Enum):
    KEPT = "kept"
    DELETED = "deleted"
    INSERTED = "inserted"


@dataclass(frozen=True)
class Part:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Summary:
    """How many sentences the new text adds, removes and rewrites. A rewritten passage of
    ``m`` old and ``n`` new sentences counts min(m, n) rewritten, the rest added or
    removed; line breaks are not sentences."""

    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class TextDiff:
    parts: tuple[Part, ...]
    summary: Summary

    @property
    def old(self) -> str:
        return "".join(part.text for part in self.parts if part.kind is not Kind.INSERTED)

    @property
    def new(self) -> str:
        return "".join(part.text for part in self.parts if part.kind is not Kind.DELETED)

    @property
    def same(self) -> bool:
        """The two texts are the same (after normalising, when they were)."""
        return all(part.kind is Kind.KEPT for part in self.parts)


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences and line breaks; joined again they are ``text``."""
    return _SENTENCE.findall(text)


def _counted(items: Iterable[str]) -> int:
    """The sentences among ``items``: not the line breaks."""
    return sum(1 for item in items if item.strip())


def compare(old: str, new: str, *, normalise: bool = True) -> TextDiff:
    """``old`` and ``new`` compared by sentence, and by character inside the sentences that
    were rewritten; normalised first (``shinchoku.text.normalize``) unless told not to."""
    if normalise:
        old, new = normalize(old), normalize(new)
    parts: list[Part] = []
    added = removed = changed = 0
    a, b = sentences(old), sentences(new)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            parts.append(Part(Kind.KEPT, before))
            continue
        old_count, new_count = _counted(a[i1:i2]), _counted(b[j1:j2])
        rewritten = min(old_count, new_count)
        changed += rewritten
        removed += old_count - rewritten
        added += new_count - rewritten
        if tag == "replace" and len(before) * len(after) <= CHARACTER_DIFF_LIMIT:
            parts.extend(_characters(before, after))
        else:
            parts.extend(_changed(before, after))
    return TextDiff(tuple(_merged(parts)), Summary(added=added, removed=removed, changed=changed))


def _changed(before: str, after: str) -> Iterator[Part]:
    if before:
        yield Part(Kind.DELETED, before)
    if after:
        yield Part(Kind.INSERTED, after)


def _characters(before: str, after: str) -> Iterator[Part]:
    """Two rewritten passages compared character by character."""
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (between_changes and i2 - i1 <= _SHORT_RUN):
            yield Part(Kind.KEPT, before[i1:i2])
        else:
            yield from _changed(before[i1:i2], after[j1:j2])


def _merged(parts: Iterable[Part]) -> Iterator[Part]:
    """Neighbouring kept parts as one; each run of changes between them as what it
    deletes, then what it inserts; no empty part."""
    kept: list[str] = []
    changes: dict[Kind, list[str]] = {Kind.DELETED: [], Kind.INSERTED: []}
    for part in parts:
        if part.kind is Kind.KEPT:
            yield from _changed("".join(changes[Kind.DELETED]), "".join(changes[Kind.INSERTED]))
            changes = {Kind.DELETED: [], Kind.INSERTED: []}
            kept.append(part.text)
        else:
            if "".join(kept):
                yield Part(Kind.KEPT, "".join(kept))
            kept = []
            changes[part.kind].append(part.text)
    if "".join(kept):
        yield Part(Kind.KEPT, "".join(kept))
    yield from _changed("".join(changes[Kind.DELETED]), "".join(changes[Kind.INSERTED]))


# ------------------------------------------------------------------- lines of a diff


@dataclass(frozen=True)
class DiffLine:
    """A line of the diff as one reads it: its parts, and ``marked_break`` when the line
    break that ends it is in one text only and joins or splits lines that go on
    (deleted: the old text broke the line here; inserted: the new one does). A break
    that belongs to a whole line added or removed is not marked: the line is."""

    parts: tuple[Part, ...]
    marked_break: Kind | None = None

    @property
    def status(self) -> str:
        """ "kept", "deleted" (a line of the old text only), "inserted" (of the new one
        only) or "changed" (some of it kept, some not)."""
        kinds = {part.kind for part in self.parts} | ({self.marked_break} if self.marked_break else set())
        if len(kinds) == 1:
            return kinds.pop().value
        return "changed" if kinds else Kind.KEPT.value


def _wholly(parts: tuple[Part, ...], kind: Kind) -> bool:
    return bool(parts) and all(part.kind is kind for part in parts)


def lines(diff: TextDiff) -> tuple[DiffLine, ...]:
    """The diff cut at the line breaks of either text; the empty lines of both left out."""
    cut: list[tuple[tuple[Part, ...], Kind | None]] = []
    current: list[Part] = []
    for part in diff.parts:
        pieces = part.text.split("\n")
        for number, piece in enumerate(pieces):
            if piece:
                current.append(Part(part.kind, piece))
            if number < len(pieces) - 1:
                cut.append((tuple(current), part.kind))
                current = []
    cut.append((tuple(current), None))
    found = []
    for index, (parts, end) in enumerate(cut):
        following = cut[index + 1][0] if index + 1 < len(cut) else ()
        marked = (
            end
            if end in (Kind.DELETED, Kind.INSERTED)
            and not _wholly(parts, end)
            and not _wholly(following, end)
            else None
        )
        if parts or marked:
            found.append(DiffLine(parts, marked))
    return tuple(found)
