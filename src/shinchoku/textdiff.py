"""What changed in a text between two versions: the one comparison of texts that the
public comparison of two fiscal years and the staff's history and review pages show.

Japanese has no spaces between words, so a diff by words would mark whole sentences. The
texts are compared in two steps instead: first sentence by sentence (a sentence ends
with 。．！？ or a line break, its punctuation and any closing bracket kept with it), so
that an added, removed or moved sentence is one change; then, where sentences were
replaced, each new sentence is paired with the old one most like it (60 % or more of
their characters in common, ``SIMILAR``), and a pair is compared character by character,
so that a changed number or phrase is marked and the rest of its sentence is not. A
sentence without such a partner is shown removed, or added, whole: two unrelated
sentences are not shown as a jumble of characters edited.

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from shinchoku.text import normalize

#: A sentence: up to and with its closing punctuation (and brackets closing after it),
#: or a run of text without any; a line break on its own.
_SENTENCE = re.compile(r"[^\n。．！？!?]*[。．！？!?]+[」』）)］\]]*|[^\n。．！？!?]+|\n")

#: Longer rewritten passages (characters before × after) are marked whole rather than
#: compared character by character, which would take too long.
CHARACTER_DIFF_LIMIT = 2_000_000

#: The share of their characters two sentences have in common (``SequenceMatcher.ratio``)
#: from which one is shown as the other rewritten.
SIMILAR = 0.6

#: A replaced passage of more old × new sentences than this is not searched for pairs
#: (which would take too long): it is shown removed and added whole.
MAX_PAIRS = 2_500

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
    """How many sentences the new text adds, removes and rewrites: a rewritten sentence is
    one paired with an old one (``SIMILAR``); line breaks are not sentences."""

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
        if tag == "equal":
            parts.append(Part(Kind.KEPT, "".join(a[i1:i2])))
            continue
        for before, after, rewritten in _aligned(a[i1:i2], b[j1:j2]):
            old_count, new_count = _counted(before), _counted(after)
            # m sentences rewritten as n: min(m, n) rewritten, the rest added or removed.
            both = min(old_count, new_count) if rewritten else 0
            changed += both
            removed += old_count - both
            added += new_count - both
            passages = "".join(before), "".join(after)
            parts.extend(_characters(*passages) if rewritten else _changed(*passages))
    return TextDiff(tuple(_merged(parts)), Summary(added=added, removed=removed, changed=changed))


def _aligned(old: Sequence[str], new: Sequence[str]) -> list[tuple[Sequence[str], Sequence[str], bool]]:
    """A replaced passage as runs in order, each its old sentences, its new ones and
    whether they are shown rewritten (compared character by character) rather than
    removed and added whole. Sentences rewritten in place, each with its own, are paired
    in order; else the pair of one old and one new sentence most alike is found first,
    then those before it and those after it (as ``difflib.Differ`` pairs lines). A
    sentence and the few that replace it (a sentence cut in two, a line joined to the
    next) are one rewritten run when more alike as a whole than any pair of them."""
    if not old or not new or len(old) * len(new) > MAX_PAIRS:
        return [(old, new, False)] if old or new else []
    if len(old) == len(new) > 1 and all(
        _alike(a, b, SIMILAR) >= SIMILAR for a, b in zip(old, new, strict=True)
    ):
        return [([a], [b], True) for a, b in zip(old, new, strict=True)]
    best: tuple[int, int] | None = None
    best_ratio = SIMILAR
    for i, before in enumerate(old):
        for j, after in enumerate(new):
            ratio = _alike(before, after, best_ratio)
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = (i, j), ratio
    if min(_counted(old), _counted(new)) == 1 and len(old) + len(new) > 2:
        joined = _alike("".join(old), "".join(new), best_ratio)
        if joined >= best_ratio and (best is None or joined > best_ratio):
            return [(old, new, True)]
    if best is None:
        return [(old, new, False)]
    i, j = best
    return [
        *_aligned(old[:i], new[:j]),
        (old[i : i + 1], new[j : j + 1], True),
        *_aligned(old[i + 1 :], new[j + 1 :]),
    ]


def _alike(before: str, after: str, least: float) -> float:
    """The share of their characters two passages have in common; 0 when it is surely
    under ``least`` (the quick upper bounds tell), for a line break, or for passages too
    long to compare (``CHARACTER_DIFF_LIMIT``)."""
    if not before.strip() or not after.strip() or len(before) * len(after) > CHARACTER_DIFF_LIMIT:
        return 0.0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
        return 0.0
    return matcher.ratio()


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
