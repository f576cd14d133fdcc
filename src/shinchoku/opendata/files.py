"""The open data's files: the dataset limited to a year, each table as CSV, the folder of
``shinchoku export --format csv`` and the ZIP that the portal offers.

The tables are made from the JSON dataset (``shinchoku.plans.formats.dataset.export``)
and from nothing else, so that the JSON and the CSV never disagree. The same data gives
the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from shinchoku.interchange.sheets import spreadsheet_text
from shinchoku.interchange.sheets.spreadsheet_text import spreadsheet_csv
from shinchoku.opendata.columns import FALSE, TRUE, Row, Table
from shinchoku.opendata.package import (
    BOM_FOLDER,
    CSV_FOLDER,
    DESCRIPTOR,
    ZIP_DATE,
    datapackage,
    descriptor_bytes,
    license_descriptor,
)
from shinchoku.opendata.tables import TABLES
from shinchoku.progress.models import Target


def for_year(dataset: dict[str, Any], year: int) -> dict[str, Any]:
    """The dataset limited to fiscal ``year``: the results (with their ratings and section
    texts), the indicator values and the costs of that year, and the targets covering it.
    Plans, trees, units and scales stay whole."""
    return {
        **dataset,
        # Marks the file as one year's part of the data: importing it is refused, since
        # for its plans it would remove every other year.
        "fiscal_year": year,
        "targets": [
            target
            for target in dataset["targets"]
            if Target.covers(target["start_year"], target["end_year"], target["open_end"], year)
        ],
        "results": [result for result in dataset["results"] if result["fiscal_year"] == year],
        "indicators": [
            {**indicator, "values": [v for v in indicator["values"] if v["fiscal_year"] == year]}
            for indicator in dataset["indicators"]
        ],
        "costs": [cost for cost in dataset["costs"] if cost["fiscal_year"] == year],
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, int | str):
        return str(value)
    raise TypeError(f"no CSV form for {value!r}")


def table_csv(table: Table, rows: Sequence[Row], *, bom: bool = False) -> bytes:
    """The table as CSV (RFC 4180): a header row of the column names, then one row per
    record; CRLF between records, a line break inside a cell kept as it is (the cell quoted).

    With ``bom``, the copy for spreadsheet programs: a byte order mark in front, and the
    cells of the text columns (``string`` in the schema) that a spreadsheet would run as a
    formula escaped with an apostrophe and quoted (``spreadsheet_text``). Numbers, years
    and booleans are never escaped: a negative number stays a number."""
    header = [column.name for column in table.columns]
    records = ([_cell(row[column.name]) for column in table.columns] for row in rows)
    if bom:
        texts = {index for index, column in enumerate(table.columns) if column.type == "string"}
        return spreadsheet_csv([header, *records], texts=texts)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


def csv_tables(dataset: dict[str, Any], *, bom: bool = False) -> dict[str, bytes]:
    """Every table as CSV, by file name, in the order of ``TABLES``; with ``bom``, the
    copies for spreadsheet programs (``table_csv``)."""
    return {table.filename: table_csv(table, table.sorted_rows(dataset), bom=bom) for table in TABLES}


def csv_folder(dataset: dict[str, Any], *, bom: bool = False, year: int | None = None) -> dict[str, bytes]:
    """The files of ``shinchoku export --format csv``: every table and datapackage.json."""
    files = csv_tables(dataset, bom=bom)
    return {**files, DESCRIPTOR: descriptor_bytes(datapackage(dataset, files, year=year, bom=bom))}


def zip_bundle(dataset: dict[str, Any], *, year: int | None = None) -> bytes:
    """The ZIP of the open data: datapackage.json, the tables in csv/ (UTF-8, exact) and
    their copies for spreadsheet programs in csv-bom/ (``table_csv``). The same data gives
    the same bytes: the files are in a fixed order with a fixed date."""
    tables = [(table, table.sorted_rows(dataset)) for table in TABLES]
    plain = {table.filename: table_csv(table, rows) for table, rows in tables}
    with_bom = {table.filename: table_csv(table, rows, bom=True) for table, rows in tables}
    descriptor = datapackage(dataset, plain, folder=CSV_FOLDER, year=year, copies=with_bom)
    members = [
        (DESCRIPTOR, descriptor_bytes(descriptor)),
        *((f"{CSV_FOLDER}/{name}", data) for name, data in plain.items()),
        *((f"{BOM_FOLDER}/{name}", data) for name, data in with_bom.items()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system made it
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


@cache
def _code_digest() -> str:
    """A digest of the modules that decide what a ZIP holds and how it is written: this
    app's and the spreadsheet text rules."""
    digest = hashlib.sha256()
    for module in (*sorted(Path(__file__).parent.glob("*.py")), Path(spreadsheet_text.__file__)):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def bundle_key(dataset: dict[str, Any], *, year: int | None = None) -> str:
    """A digest of everything a ZIP is made of: the dataset, the year, the licence and the
    code that writes it. The same key, the same ZIP."""
    digest = hashlib.sha256()
    digest.update(_code_digest().encode())
    digest.update(f"\0{year}\0".encode())
    digest.update(json.dumps(license_descriptor(), sort_keys=True).encode())
    digest.update(json.dumps(dataset, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()
