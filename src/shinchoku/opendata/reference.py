"""The column reference of docs/open-data.md, made from the table definitions (a test
checks that the documentation holds it)."""

from __future__ import annotations

from collections.abc import Iterable

from shinchoku.opendata.tables import TABLES


def _names(columns: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in columns)


def columns_markdown() -> str:
    """The column reference of docs/open-data.md, made from the table definitions."""
    lines: list[str] = []
    for table in TABLES:
        lines += [
            f"### `{table.filename}` ({table.title})",
            "",
            table.description,
            "",
            f"- primary key: {_names(table.primary_key)}",
            f"- rows sorted by {_names(dict.fromkeys((*table.order, *table.primary_key)))}",
        ]
        for key in table.foreign_keys:
            lines.append(
                f"- {_names(key.fields)} refers to {_names(key.reference)} of `{key.table or table.name}.csv`"
            )
        lines += ["", "| column | type | title | meaning |", "|---|---|---|---|"]
        for column in table.columns:
            kind = column.type + (", required" if column.required else "")
            meaning = column.description
            if column.enum:
                meaning += f" (one of {_names(column.enum)})"
            lines.append(f"| `{column.name}` | {kind} | {column.title} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
