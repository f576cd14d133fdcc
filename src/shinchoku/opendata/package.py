"""The Frictionless Data Package (v1, tabular) that describes the open data's CSV files,
``datapackage.json``: every table as a Tabular Data Resource with its columns, keys,
dialect, size and hash, and the licence the city publishes the data under."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shinchoku import fiscal
from shinchoku.interchange.sheets.spreadsheet_text import FORMULA_STARTS, QUOTE
from shinchoku.opendata.columns import Table
from shinchoku.opendata.tables import TABLES, TABLES_VERSION

#: In the ZIP: the tables exactly, for programs, and their copies for spreadsheet programs,
#: with a byte order mark (Excel needs it to read UTF-8) and texts that would run as
#: formulas escaped (``table_csv``). datapackage.json describes both.
CSV_FOLDER = "csv"
BOM_FOLDER = "csv-bom"
#: The name of a table's copy for spreadsheet programs, in datapackage.json.
COPY_SUFFIX = "-bom"
DESCRIPTOR = "datapackage.json"
#: The date of every file in the ZIP (its format starts in 1980): the same data, the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

DIALECT = {
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "skipInitialSpace": False,
    "header": True,
}

# Licences a city may choose, with their titles and addresses.
LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share-Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "ODC-BY-1.0": (
        "Open Data Commons Attribution License v1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License v1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License v1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
LICENSE_NAME = re.compile(r"^[-a-zA-Z0-9._]+$")


def license_descriptor() -> dict[str, str]:
    """The licence of the open data, from the settings ``OPEN_DATA_LICENSE`` (an identifier
    such as CC-BY-4.0) and ``OPEN_DATA_LICENSE_URL`` (its terms; known identifiers have one)."""
    name = str(getattr(settings, "OPEN_DATA_LICENSE", "") or "CC-BY-4.0").strip()
    url = str(getattr(settings, "OPEN_DATA_LICENSE_URL", "") or "").strip()
    if not LICENSE_NAME.match(name):
        raise ImproperlyConfigured(
            f"OPEN_DATA_LICENSE must be an identifier of letters, digits, '-', '.' and '_', not {name!r}"
        )
    title, known_url = LICENSES.get(name, (name, ""))
    descriptor = {"name": name, "title": title}
    if url or known_url:
        descriptor["path"] = url or known_url
    return descriptor


def _package_name(codes: list[str], year: int | None) -> str:
    base = "-".join(codes) if len(codes) == 1 else "shinchoku"
    name = re.sub(r"[^-a-z0-9._]", "-", base.lower())
    return f"{name}-{year}" if year is not None else name


#: How the copies for spreadsheet programs escape their texts, for the programs that read
#: them (a property of each such resource in datapackage.json).
FORMULA_ESCAPE: dict[str, Any] = {
    "prefix": QUOTE,
    "fieldTypes": ["string"],
    "initialCharacters": sorted(FORMULA_STARTS),
    "description": (
        "A cell of a string field whose text, after any apostrophes it begins with, begins with"
        " one of initialCharacters has one more apostrophe (prefix) in front and is quoted, so"
        " that spreadsheet programs show it as text instead of running it as a formula. Remove"
        " that first apostrophe to read the exact text. Other fields are never escaped."
    ),
}
#: What the package's description says of the escape, in Japanese.
_ESCAPE_NOTE = (
    "表計算ソフトで開いたときに数式として実行されないよう、「=」「+」「-」「@」、タブ文字又は"
    "復帰文字（CR）で始まる文字列の先頭には「'」（アポストロフィ）を付けています（数値の列には付けません）。"
)


@dataclass(frozen=True)
class Written:
    """What datapackage.json says of a file: its size in bytes and its SHA-256 digest."""

    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes) -> Written:
        return cls(len(data), hashlib.sha256(data).hexdigest())


def _resource(table: Table, data: Written, path: str, *, copy: bool, suffix: str = "") -> dict[str, Any]:
    """A table's file as a Tabular Data Resource. ``copy``: the file is the copy for
    spreadsheet programs (``table_csv`` with ``bom``), named with ``suffix``, its foreign
    keys referring to the other tables' copies."""
    schema = table.schema()
    for key in schema.get("foreignKeys", []):
        if key["reference"]["resource"]:
            key["reference"]["resource"] += suffix
    resource: dict[str, Any] = {
        "profile": "tabular-data-resource",
        "name": table.name + suffix,
        "path": path,
        "title": table.title + ("（表計算ソフト用）" if copy else ""),
        "description": table.description
        + (
            " The copy for spreadsheet programs: with a byte order mark, and texts that would run"
            " as formulas escaped with an apostrophe (formulaEscape)."
            if copy
            else ""
        ),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": data.size,
        "hash": "sha256:" + data.sha256,
        "dialect": dict(DIALECT),
        "schema": schema,
    }
    if copy:
        resource["formulaEscape"] = json.loads(json.dumps(FORMULA_ESCAPE))
    return resource


def datapackage(
    dataset: dict[str, Any],
    files: dict[str, Written],
    *,
    folder: str = "",
    year: int | None = None,
    bom: bool = False,
    copies: dict[str, Written] | None = None,
) -> dict[str, Any]:
    """The Data Package (Frictionless Data Package v1, tabular) describing ``files``, the
    tables as ``csv_tables`` made them (with ``bom``: the copies for spreadsheet programs),
    kept in ``folder`` beside the descriptor, and ``copies``, when given, the copies for
    spreadsheet programs kept in ``BOM_FOLDER`` (resources named ``<table>-bom``)."""
    plans = dataset["plans"]
    titles = "、".join(plan["title"] for plan in plans) or "計画"
    scope = f"{fiscal.western_label(year)}（{fiscal.wareki_label(year)}）" if year is not None else "全年度"
    description = (
        "総合計画の進行管理のデータ（施策体系、事業内容・目標、実施結果、評価、指標）。"
        f"{scope}。"
        "一つの表を一つのCSVファイル（UTF-8、1行目が項目名）とし、1セルに1データを入れています。"
        "年度は西暦の数値で、和暦は別の列にあります。"
    )
    if year is not None:
        description += (
            f"実施結果・評価・指標の値は{fiscal.western_label(year)}のもの、目標はその年度を含むものです。"
        )
    if bom:
        description += "表計算ソフト向けに、各ファイルをBOM付きとしています。" + _ESCAPE_NOTE
    if copies is not None:
        description += (
            f"{BOM_FOLDER}フォルダには、表計算ソフト向けにBOM付きとした同じ表があります。"
            + _ESCAPE_NOTE
            + f"プログラムで利用する場合は、値をそのまま収めた{CSV_FOLDER}フォルダの表を使ってください。"
        )
    prefix = f"{folder}/" if folder else ""
    resources = [
        _resource(table, files[table.filename], f"{prefix}{table.filename}", copy=bom) for table in TABLES
    ]
    if copies is not None:
        resources += [
            _resource(
                table, copies[table.filename], f"{BOM_FOLDER}/{table.filename}", copy=True, suffix=COPY_SUFFIX
            )
            for table in TABLES
        ]
    return {
        "profile": "tabular-data-package",
        "name": _package_name([plan["code"] for plan in plans], year),
        "title": f"{titles} 進行管理データ"
        + (f"（{fiscal.western_label(year)}）" if year is not None else ""),
        "description": description,
        "version": TABLES_VERSION,
        "keywords": ["総合計画", "進行管理", "行政評価", "施策評価"],
        "licenses": [license_descriptor()],
        "resources": resources,
    }


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
