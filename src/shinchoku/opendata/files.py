"""The open data's files: the dataset limited to a year, each table as CSV, the folder of
``shinchoku export --format csv`` and the ZIP that the portal offers.

The tables are made from the JSON dataset (``shinchoku.plans.formats.dataset.export``)
and from nothing else, so that the JSON and the CSV never disagree. They are written
from the dataset's parts (``dataset_parts``), row by row, so that the memory they take
does not grow with the plans. The same data gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from shinchoku.files import written_atomically
from shinchoku.interchange.sheets.spreadsheet_text import BOM, spreadsheet_csv
from shinchoku.opendata.columns import FALSE, TRUE, Row, Table
from shinchoku.opendata.package import (
    BOM_FOLDER,
    CSV_FOLDER,
    DESCRIPTOR,
    ZIP_DATE,
    Written,
    datapackage,
    descriptor_bytes,
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


def _csv(table: Table, rows: Iterable[Row], *, bom: bool, header: bool) -> bytes:
    """Rows of the table as CSV, after the header row if ``header`` (``table_csv``)."""
    records: Iterable[list[str]] = ([_cell(row[column.name]) for column in table.columns] for row in rows)
    if header:
        records = chain([[column.name for column in table.columns]], records)
    if bom:
        texts = {index for index, column in enumerate(table.columns) if column.type == "string"}
        data = spreadsheet_csv(records, texts=texts)
        # The byte order mark opens the file, not each piece of it.
        return data if header else data.removeprefix(BOM)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


def table_csv(table: Table, rows: Sequence[Row], *, bom: bool = False) -> bytes:
    """The table as CSV (RFC 4180): a header row of the column names, then one row per
    record; CRLF between records, a line break inside a cell kept as it is (the cell quoted).

    With ``bom``, the copy for spreadsheet programs: a byte order mark in front, and the
    cells of the text columns (``string`` in the schema) that a spreadsheet would run as a
    formula escaped with an apostrophe and quoted (``spreadsheet_text``). Numbers, years
    and booleans are never escaped: a negative number stays a number."""
    return _csv(table, rows, bom=bom, header=True)


def csv_tables(dataset: dict[str, Any], *, bom: bool = False) -> dict[str, bytes]:
    """Every table as CSV, by file name, in the order of ``TABLES``; with ``bom``, the
    copies for spreadsheet programs (``table_csv``)."""
    return {table.filename: table_csv(table, table.sorted_rows(dataset), bom=bom) for table in TABLES}


def per_node(table: Table) -> bool:
    """Whether the table's rows belong to nodes and are sorted by node first: then the
    rows of each part of the dataset (``dataset_parts``, whose parts take the nodes in
    order), sorted, follow those of the part before in the order of the whole table."""
    return table.primary_key[0] == "node_id" and not table.order


class _TableFile:
    """A table's CSV file being written, piece by piece, with its size and digest."""

    def __init__(self, table: Table, stream: BinaryIO, *, bom: bool) -> None:
        self.table = table
        self.stream = stream
        self.bom = bom
        self.size = 0
        self.digest = hashlib.sha256()
        self._write(_csv(table, (), bom=bom, header=True))

    def _write(self, data: bytes) -> None:
        self.stream.write(data)
        self.size += len(data)
        self.digest.update(data)

    def rows(self, dataset: dict[str, Any]) -> None:
        self._write(_csv(self.table, self.table.sorted_rows(dataset), bom=self.bom, header=False))

    def written(self) -> Written:
        return Written(self.size, self.digest.hexdigest())


#: Opens the file of a table (``bom``: its copy for spreadsheet programs) for writing.
Opener = Callable[[Table, bool], BinaryIO]


class TableFiles:
    """Every table of a dataset being written, part by part (``add``), each into the file
    ``opener`` gives, once plain and once as the copy for spreadsheet programs as ``boms``
    asks. A context manager: the files are closed when it ends."""

    def __init__(self, opener: Opener, *, boms: Sequence[bool] = (False,)) -> None:
        self._stack = ExitStack()
        self.files = [
            _TableFile(table, self._stack.enter_context(opener(table, bom)), bom=bom)
            for bom in boms
            for table in TABLES
        ]
        #: The first part added: what datapackage.json is made of.
        self.first: dict[str, Any] | None = None

    def __enter__(self) -> TableFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def add(self, part: dict[str, Any]) -> None:
        """Write the rows of ``part``: of every table for the first part, then of the
        tables of rows of nodes only (the others are the same in every part)."""
        for file in self.files:
            if self.first is None or per_node(file.table):
                file.rows(part)
        if self.first is None:
            self.first = part

    def written(self) -> dict[bool, dict[str, Written]]:
        """What was written, by ``bom`` and file name."""
        written: dict[bool, dict[str, Written]] = {}
        for file in self.files:
            written.setdefault(file.bom, {})[file.table.filename] = file.written()
        return written


def write_tables(
    parts: Iterable[dict[str, Any]], opener: Opener, *, boms: Sequence[bool] = (False,)
) -> tuple[dict[str, Any], dict[bool, dict[str, Written]]]:
    """Write every table of the dataset whose parts are ``parts`` (at least one) with
    ``TableFiles``, one part in memory at a time. Returns the first part and what was
    written, by ``bom`` and file name."""
    with TableFiles(opener, boms=boms) as tables:
        for part in parts:
            tables.add(part)
    if tables.first is None:
        raise ValueError("a dataset has at least one part")
    return tables.first, tables.written()


def write_folder(
    parts: Iterable[dict[str, Any]], folder: Path, *, bom: bool = False, year: int | None = None
) -> int:
    """The files of ``shinchoku export --format csv`` in ``folder``: every table and
    datapackage.json, each written beside itself and renamed into place once all are
    written. Returns the number of tables."""
    with ExitStack() as stack:

        def opener(table: Table, _bom: bool) -> BinaryIO:
            return stack.enter_context(written_atomically(folder / table.filename))

        first, written = write_tables(parts, opener, boms=(bom,))
        descriptor = descriptor_bytes(datapackage(first, written[bom], year=year, bom=bom))
        with written_atomically(folder / DESCRIPTOR) as stream:
            stream.write(descriptor)
    return len(TABLES)


def write_zip(parts: Iterable[dict[str, Any]], out: BinaryIO, *, year: int | None = None) -> None:
    """The ZIP of the open data, written to ``out`` (a file that can seek): datapackage.json,
    the tables in csv/ (UTF-8, exact) and their copies for spreadsheet programs in csv-bom/
    (``table_csv``). ``parts`` are those of the dataset of ``year`` when one is given
    (``for_year``). The tables are written to a scratch folder first, since the descriptor
    that comes first in the ZIP holds their sizes and digests. The same data gives the
    same bytes: the files are in a fixed order with a fixed date."""
    _write_zips(parts, {year: out}, limit=False)


def write_zips(parts: Iterable[dict[str, Any]], outs: dict[int | None, BinaryIO]) -> None:
    """The ZIPs of the dataset whose parts are ``parts``, each as ``write_zip`` writes it to
    its file of ``outs``: of the whole dataset (key None) and of each fiscal year given
    (its ``for_year``), reading the parts once for all of them."""
    _write_zips(parts, outs, limit=True)


def _write_zips(parts: Iterable[dict[str, Any]], outs: dict[int | None, BinaryIO], *, limit: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="shinchoku-opendata-") as scratch, ExitStack() as stack:
        folders: dict[int | None, dict[bool, Path]] = {}
        tables: dict[int | None, TableFiles] = {}
        for number, year in enumerate(outs):
            folders[year] = {
                False: Path(scratch, str(number), CSV_FOLDER),
                True: Path(scratch, str(number), BOM_FOLDER),
            }
            for path in folders[year].values():
                path.mkdir(parents=True)

            def opener(table: Table, bom: bool, year: int | None = year) -> BinaryIO:
                return (folders[year][bom] / table.filename).open("wb")

            tables[year] = stack.enter_context(TableFiles(opener, boms=(False, True)))
        for part in parts:
            for year, files in tables.items():
                files.add(for_year(part, year) if limit and year is not None else part)
        stack.close()
        for year, out in outs.items():
            first, written = tables[year].first, tables[year].written()
            if first is None:
                raise ValueError("a dataset has at least one part")
            descriptor = descriptor_bytes(
                datapackage(first, written[False], folder=CSV_FOLDER, year=year, copies=written[True])
            )
            with zipfile.ZipFile(out, "w") as bundle:
                _member(bundle, DESCRIPTOR, io.BytesIO(descriptor), len(descriptor))
                for bom in (False, True):
                    for table in TABLES:
                        path = folders[year][bom] / table.filename
                        with path.open("rb") as source:
                            name = f"{path.parent.name}/{path.name}"
                            _member(bundle, name, source, written[bom][path.name].size)


def _member(bundle: zipfile.ZipFile, name: str, source: BinaryIO, size: int) -> None:
    """Copy ``source`` (``size`` bytes) into the ZIP as the file ``name``, compressed."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system made it
    info.external_attr = 0o644 << 16
    # Said before writing, as for a file written whole: the same bytes in the ZIP.
    info.file_size = size
    with bundle.open(info, "w") as member:
        shutil.copyfileobj(source, member, COPY_BUFFER)


#: Bytes copied at a time into the ZIP.
COPY_BUFFER = 1 << 20


def zip_bundle(dataset: dict[str, Any], *, year: int | None = None) -> bytes:
    """The ZIP of the open data of ``dataset`` (whole, in memory), as ``write_zip`` writes it."""
    buffer = io.BytesIO()
    write_zip([dataset], buffer, year=year)
    return buffer.getvalue()
