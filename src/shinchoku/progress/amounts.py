"""Figures of a cost as a person types them, on the web or in a spreadsheet cell: the one
place that reads them, so that the entry form and the entry workbook accept and refuse
the same things.

- Full-width digits (１２３), thousands separators (1,234 and １，２３４) and blanks around
  the figure are accepted and normalised; nothing else is guessed.
- An amount is entered in the plan's unit (yen, or 千円 when the plan prints 千円) and
  kept in yen, a whole number never below zero: in 千円 at most three decimals (a yen).
- A staff count or staff hours has at most two decimals: more is an error, never
  rounded silently.
- A negative figure, or one that is no number, is an error naming the field.

A snapshot of an entry (``review.content``) keeps each figure as canonical text
(``figure_text``): an amount in yen as its digits, a staff figure without trailing zeros.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shinchoku.plans.models import AmountUnit
from shinchoku.progress.models import FUNDING_FIELDS, STAFF_FIELDS, Cost

#: The figures of a cost a person enters, in the order of a cost sheet: the funding
#: sources, 事業費 (A), the staff, their hours and 人件費 (B). The total is never entered.
ENTERED_FIELDS: tuple[str, ...] = (*FUNDING_FIELDS, "project_cost", *STAFF_FIELDS, "staff_cost")
#: Decimals a staff figure may have (as ``Cost`` stores them).
STAFF_PLACES = 2
_STAFF_STEP = Decimal(1).scaleb(-STAFF_PLACES)

_BLANKS = re.compile(r"\s+")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SIGNED = re.compile(r"^[+-]\s*(?:\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)$")


class FigureError(ValueError):
    """A figure that cannot be taken; the message says which field and why."""


def unit_factor(amount_unit: str) -> int:
    """Yen per unit of the plan's amounts: 1000 for 千円."""
    return 1000 if amount_unit == AmountUnit.THOUSAND else 1


def unit_label(amount_unit: str) -> str:
    """The unit a plan's amounts are entered in, as a form says it beside the field."""
    return _("thousand yen") if amount_unit == AmountUnit.THOUSAND else _("yen")


def field_label(name: str) -> str:
    """A figure's name as the messages and the forms give it (the cost's field name)."""
    return str(getattr(Cost._meta.get_field(name), "verbose_name", name))


def parse_number(raw: str) -> tuple[Decimal | None, bool]:
    """``raw`` as a non-negative number, and whether reading it changed what was written
    (full-width characters, separators, blanks); None for an empty text. A text that is
    no number, or is negative, raises ``FigureError`` (without a field name: the caller's
    message names it)."""
    text = unicodedata.normalize("NFKC", raw)
    plain = _BLANKS.sub("", text)
    if not plain:
        return None, False
    if _SIGNED.match(plain):
        if plain.startswith("-") and Decimal(plain[1:].replace(",", "")) != 0:
            raise FigureError(_("is negative: a cost is never below zero"))
        plain = plain[1:]
    if _GROUPED.match(plain):
        plain = plain.replace(",", "")
    if not _PLAIN.match(plain):
        raise FigureError(_("is not a number"))
    try:
        return Decimal(plain), plain != raw
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise FigureError(_("is not a number")) from error


def _refused(name: str, raw: str, why: str) -> FigureError:
    return FigureError(
        _("%(field)s: %(value)s %(why)s.")
        % {"field": field_label(name), "value": f"「{raw.strip()}」", "why": why}
    )


def read_figure(
    name: str, raw: str | int | float | Decimal | None, *, amount_unit: str
) -> int | Decimal | None:
    """The figure ``name`` of a cost as typed (``raw``, in the plan's unit for an amount):
    an amount in yen (int), a staff figure (Decimal), None when empty. ``FigureError``
    names the field and says why it is refused."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _refused(name, str(raw), _("is not a number"))
    if isinstance(raw, float):
        raw = format(raw, ".15g") if raw.is_integer() or abs(raw) >= 1e15 else repr(raw)
    text = str(raw)
    try:
        number, _changed = parse_number(text)
    except FigureError as error:
        raise _refused(name, text, str(error)) from error
    if number is None:
        return None
    if name in STAFF_FIELDS:
        if number != number.quantize(_STAFF_STEP):
            raise _refused(name, text, _("has more than two decimals"))
        return number.quantize(_STAFF_STEP)
    yen = number * unit_factor(amount_unit)
    if yen != yen.to_integral_value():
        raise _refused(
            name,
            text,
            _("is not a whole number of yen")
            if amount_unit != AmountUnit.THOUSAND
            else _("has more than three decimals (a thousandth of 千円 is one yen)"),
        )
    return int(yen)


def figure_text(value: int | Decimal) -> str:
    """A figure as a snapshot keeps it: an amount's digits, a staff figure without
    trailing zeros (1.50 → 1.5, 2.00 → 2)."""
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(), "f")


def shown_figure(name: str, text: str, *, amount_unit: str) -> str:
    """A snapshot's figure as a form or a workbook shows it for entering again: an amount
    in the plan's unit with thousands separators, a staff figure as kept."""
    if not text:
        return ""
    if name in STAFF_FIELDS:
        return text
    amount = Decimal(text) / unit_factor(amount_unit)
    whole = amount == amount.to_integral_value()
    return f"{int(amount):,}" if whole else f"{amount.normalize():,f}"
