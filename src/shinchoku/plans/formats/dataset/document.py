"""Reading a dataset's bytes (UTF-8 JSON, no duplicate keys, no NaN, within the nesting
limit) and the schema it is checked against (``dataset-1.schema.json``); the JSON paths
(``$.nodes[3].code``) every problem is named by."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from shinchoku.plans.formats.planfile.yamlsource import MAX_DEPTH

SCHEMA_FILE = Path(__file__).resolve().parent / "dataset-1.schema.json"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

JsonPath = tuple[str | int, ...]


def json_path(path: Iterable[str | int]) -> str:
    """``("nodes", 3, "code")`` as ``$.nodes[3].code``."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Unreadable(Exception):
    """The bytes are not a JSON document that can be read; the message says where."""


class Duplicated(dict):
    """A JSON object in which a key appeared twice (JSON keeps the last silently)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    duplicates = []
    for key, value in pairs:
        if key in result:
            duplicates.append(key)
        result[key] = value
    if not duplicates:
        return result
    marked = Duplicated(result)
    marked.duplicates = duplicates
    return marked


class _NotANumber(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _NotANumber(_("%(name)s is not a number JSON allows") % {"name": name})


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(_("the number %(number)s is too large") % {"number": short(text, 40)})
    return value


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def read_json(data: bytes) -> Any:
    """The parsed document; Unreadable with the line and column where it is not
    UTF-8 or not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_column(data, error.start)
        raise Unreadable(
            _("not UTF-8 text: the byte at offset %(byte)s (line %(line)s, column %(column)s) is not UTF-8")
            % {"byte": error.start, "line": line, "column": column}
        ) from error
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as error:
        raise Unreadable(
            _("not valid JSON: %(reason)s (line %(line)s, column %(column)s)")
            % {"reason": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise Unreadable(
            _("the document is nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH}
        ) from error
    except _NotANumber as error:
        raise Unreadable(_("not valid JSON: %(reason)s") % {"reason": error}) from error
    except ValueError as error:  # a whole number of thousands of digits
        raise Unreadable(
            _("not valid JSON: a number is too long (%(reason)s)") % {"reason": error}
        ) from error


@cache
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def sort_key(path: Iterable[str | int]) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)
