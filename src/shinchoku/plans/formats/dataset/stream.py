"""The JSON dataset written as it is read: part by part (``export.dataset_parts``), so that
the memory it takes does not grow with the plans. The bytes are those of ``export.dumps``
of the whole dataset: the same data, the same file, however it was written.

The dataset holds all its nodes, then all their targets, results …; the parts hold each
a few hundred nodes with all their rows. So the rows of each list but the first are kept
in a temporary file as they come, and copied after the list before them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from typing import IO, Any

from shinchoku.plans.formats.dataset.export import ANCESTORS, NODE_LISTS

#: The indent of ``export.dumps``, in spaces per level.
INDENT = "  "
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=len(INDENT))


def _encoded(value: Any, depth: int) -> str:
    """``value`` as ``dumps`` writes it ``depth`` levels deep (JSON strings hold no line
    break, so each line of the value is simply indented further)."""
    return _ENCODER.encode(value).replace("\n", "\n" + INDENT * depth)


def write_json(out: IO[str], parts: Iterable[dict[str, Any]]) -> None:
    """Write the dataset whose parts are ``parts`` (at least one) to ``out`` as ``dumps``
    writes it whole: UTF-8 Japanese as is, two-space indent, a final newline."""
    with ExitStack() as stack:
        kept = {
            key: stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", newline=""))
            for key in NODE_LISTS
        }
        counts = dict.fromkeys(NODE_LISTS, 0)
        first: dict[str, Any] | None = None
        for part in parts:
            first = first if first is not None else part
            for key in NODE_LISTS:
                spool = kept[key]
                for row in part[key]:
                    spool.write((",\n" if counts[key] else "") + INDENT * 2 + _encoded(row, 2))
                    counts[key] += 1
        if first is None:
            raise ValueError("a dataset has at least one part")
        out.write("{\n")
        keys = [key for key in first if key != ANCESTORS]
        for number, key in enumerate(keys):
            out.write(f"{INDENT}{json.dumps(key)}: ")
            if key not in kept:
                out.write(_encoded(first[key], 1))
            elif not counts[key]:
                out.write("[]")
            else:
                out.write("[\n")
                kept[key].seek(0)
                shutil.copyfileobj(kept[key], out)
                out.write(f"\n{INDENT}]")
            out.write(",\n" if number < len(keys) - 1 else "\n")
        out.write("}\n")
