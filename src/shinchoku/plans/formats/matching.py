"""How an imported file's values are matched with what is stored: one rule for every
importer (the structure sheet, the JSON dataset, the plan data file).

Text is normalised on the way in (``shinchoku.text.normalize``: NFKC), but an
*identity* never is: a code, a key, a marker symbol or a unit's name is what a file
uses to say "this one", and two that differ only in the width of their characters
(「（デモ）課」 and 「(デモ)課」, 「９－１」 and 「9-1」) are two different things. They are
read exactly as written (``identity``) and compared exactly as stored (``match_units``);
a file that names something in another width names something new, and says so.

Free text (titles, purposes, targets) is stored normalised, but text entered elsewhere
may be stored as typed; a file repeating it is not a change (``same_text``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shinchoku.plans.models import OrgUnit
from shinchoku.text import normalize


def identity(value: object) -> str:
    """A code, key, symbol or name as a file writes it, for matching: its text with line
    ends unified and the blanks around it removed; never normalised (NFKC), never folded."""
    text = value if isinstance(value, str) else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def same_text(stored: str, read: str) -> bool:
    """Whether free text read from a file (normalised on the way in) is the stored text:
    equal, or equal once the stored text is normalised too."""
    return stored == read or normalize(stored) == read


@dataclass(frozen=True)
class UnitRef:
    """A file's reference to an organisation unit: by ``code``, or by ``name`` alone."""

    code: str = ""
    name: str = ""


@dataclass(frozen=True)
class UnitMatch:
    """What a reference finds among the stored units."""

    ref: UnitRef
    #: The unit meant; None when there is none (or several: see ``ambiguous``).
    unit: OrgUnit | None
    #: By name: the units of exactly that name, when there are several.
    ambiguous: tuple[OrgUnit, ...] = ()
    #: By name, when none has it exactly: the units whose name differs only in the
    #: width of its characters (equal after NFKC). They are not the unit meant.
    similar: tuple[OrgUnit, ...] = ()


def match_units(refs: Sequence[UnitRef]) -> list[UnitMatch]:
    """The stored unit each reference means, in order: by its code when it gives one
    (exactly as stored), else by its name, exactly as stored (a name shared by several
    units is ambiguous). Nothing is normalised; names in another width are reported as
    ``similar``, never taken for the unit."""
    codes = {ref.code for ref in refs if ref.code}
    names = {ref.name for ref in refs if not ref.code and ref.name}
    by_code = (
        {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes).select_related("parent")}
        if codes
        else {}
    )
    by_name: dict[str, list[OrgUnit]] = {}
    if names:
        for unit in OrgUnit.objects.filter(name__in=names).order_by("code"):
            by_name.setdefault(unit.name, []).append(unit)
    unmatched = {normalize(name): name for name in names if name not in by_name}
    similar: dict[str, list[OrgUnit]] = {}
    if unmatched:
        for unit in OrgUnit.objects.order_by("code").only("pk", "code", "name"):
            name = unmatched.get(normalize(unit.name))
            if name is not None:
                similar.setdefault(name, []).append(unit)
    matches = []
    for ref in refs:
        if ref.code:
            matches.append(UnitMatch(ref, by_code.get(ref.code)))
            continue
        named = by_name.get(ref.name, [])
        if len(named) > 1:
            matches.append(UnitMatch(ref, None, ambiguous=tuple(named)))
        elif named:
            matches.append(UnitMatch(ref, named[0]))
        else:
            matches.append(UnitMatch(ref, None, similar=tuple(similar.get(ref.name, []))))
    return matches
