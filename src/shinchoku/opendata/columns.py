"""The pieces the open data's tables are defined with (``tables.py``): a column, a foreign
key, a table, and the columns that several tables share. A table says which columns it has,
how its rows are read from the JSON dataset (``readers.py``), and describes itself in
``datapackage.json`` (``schema``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shinchoku import fiscal

TRUE, FALSE = "true", "false"

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """A column: its name in the header, its Table Schema type (``string``, ``integer``,
    ``number``, ``boolean``), a Japanese title, an English description, whether every row
    has a value, and the values it may take."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        """The column as a Table Schema field descriptor."""
        descriptor: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
        }
        if self.type == "boolean":
            descriptor["trueValues"] = [TRUE]
            descriptor["falseValues"] = [FALSE]
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    #: The table referred to; ``""`` for the table itself.
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A CSV file: its name (``<name>.csv``), Japanese title, English description, columns,
    primary key, foreign keys, and the function that reads its rows from the dataset."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[dict[str, Any]], Iterable[Row]] = field(repr=False)
    foreign_keys: tuple[ForeignKey, ...] = ()
    #: The columns the rows are sorted by, when not the primary key's (e.g. levels by depth).
    order: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.descriptor() for column in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(key.fields),
                    "reference": {"resource": key.table, "fields": list(key.reference)},
                }
                for key in self.foreign_keys
            ]
        return schema

    def sorted_rows(self, dataset: dict[str, Any]) -> list[Row]:
        """The rows, sorted by ``order`` and the primary key (an empty value first)."""

        def key(row: Row) -> tuple[Any, ...]:
            return tuple((row[name] is not None, row[name]) for name in (*self.order, *self.primary_key))

        return sorted(self.rows(dataset), key=key)


# Columns that several tables share.


def year_columns(name: str, title: str, meaning: str, *, required: bool = True) -> tuple[Column, Column]:
    """A fiscal year as a number and, beside it, its 和暦 label."""
    return (
        Column(
            name,
            "integer",
            title,
            f"{meaning}: the fiscal year (年度), as the Western year in which it starts on 1 April"
            " (2012 is April 2012 to March 2013)",
            required=required,
        ),
        Column(
            f"{name}_wareki",
            "string",
            f"{title}（和暦）",
            f"the same fiscal year in the Japanese era, e.g. {fiscal.wareki_label(2012)};"
            f" FY2019 is {fiscal.wareki_label(2019)}",
            required=required,
        ),
    )


def wareki(year: int | None) -> str | None:
    return fiscal.wareki_label(year) if year is not None else None


PLAN_CODE = Column("plan_code", "string", "計画コード", "the plan's code", required=True)
NODE_ID = Column(
    "node_id",
    "string",
    "ノードID",
    "the node's identifier, <plan code>:<node code>, as in nodes.csv",
    required=True,
)
NOTE = Column("note", "string", "備考", "provenance and editorial decisions (where the data came from)")
NAME_EN = Column("name_en", "string", "英語の名称", "the name on the English pages; empty when none is given")


def level_key(meaning: str) -> Column:
    """The key of a level of the plan (levels.csv)."""
    return Column("level_key", "string", "階層キー", meaning, required=True)


def position(meaning: str) -> Column:
    """An order, counted from 0."""
    return Column("position", "integer", "順序", meaning, required=True)


#: The columns of a text of a section (node_sections.csv, result_sections.csv), after their owner's.
SECTION_TEXT = (
    PLAN_CODE,
    level_key("the node's level"),
    Column("section_key", "string", "項目キー", "the section (sections.csv)", required=True),
    Column("text", "string", "記述", "the text", required=True),
)

# References that several tables make.
TO_PLAN = ForeignKey(("plan_code",), "plans", ("plan_code",))
TO_LEVEL = ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key"))
TO_NODE = ForeignKey(("node_id",), "nodes", ("node_id",))
TO_SECTION = ForeignKey(
    ("plan_code", "level_key", "section_key"), "sections", ("plan_code", "level_key", "section_key")
)
