"""A content's and a stored row's values as the diff compares and shows them: as text,
field by field, so that a value read from a file and the same value stored are equal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

#: An object's fields by name, each as text.
Fields = dict[str, str]


def text(value: Any) -> str:
    """A value as the diff compares and shows it: booleans as true/false, a decimal as
    its shortest text, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"  # no database keeps -0
    return str(value)


def fields_of(item: Any, names: Iterable[str]) -> Fields:
    """The fields ``names`` of ``item`` (a mapping of a content or an object) as text."""
    get = item.get if isinstance(item, dict) else lambda name: getattr(item, name)
    return {name: text(get(name)) for name in names}


def texts_of(texts: dict[str, str]) -> str:
    """A node's or result's texts of its own sections as one value: each "key: text", by key."""
    return "\n".join(f"{key}: {texts[key]}" for key in sorted(texts))
