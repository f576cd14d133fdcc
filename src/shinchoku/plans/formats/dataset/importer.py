"""Importing the JSON dataset (``shinchoku export --format json``): how an instance's
published data is backed up and moved (docs/open-data.md, "Importing a dataset").

Exporting, importing into an empty database and exporting again gives the same bytes:
every stored field of the export is read back as it is (text is not normalised again,
orders and positions are kept), and what the export derives (year labels, 和暦, a
target's ``fiscal_year`` and ``period_label``, a node's level kind, a rating's labels,
the primary ``rating``, achievement rates) is recomputed, never read.

Reading goes in steps, each naming its problems by the JSON path (``$.nodes[3].code``):

1. the bytes: UTF-8, JSON (with line and column), no duplicate keys, no NaN, no NUL or
   lone surrogate, nesting within ``MAX_DEPTH``; the framework refuses large files
   (``document.py``);
2. the schema (``dataset-1.schema.json``), every violation with its path;
3. what the schema cannot say: unique codes, references between the sections (a
   node's plan, level, parent, markers and units; a rating's dimension and code on its
   scale; a unit's parent), no cycles, numbers within the models' limits, while each plan
   is turned into the plan's content (``shinchoku.plans.content``: ``convert.py``), each
   item's source being its JSON path;
4. the comparison with the database, object by object (``shinchoku.plans.writing.plan_diff``);
5. the write itself, tried and taken back (``plan_check``): what the models and the
   database refuse, and what the review round keeps (a target with a revision pending in
   an open round), each told at its JSON path.

Applying writes each plan with ``plan_apply``, the one writer of every format, which
records one audit row per plan written. For a plan in the file, the file is the truth:
its levels, dimensions, markers, nodes, targets, results and indicators that the file does
not hold are removed (listed as ``removed`` in the preview); a target the file still holds
(its row and years) is updated in place and keeps its proposed revisions. Plans that the
file does not hold are left alone (a dataset may be an export of some plans only), and so
are scales and units it does not hold (they may be shared). Plans whose content is
unchanged are not written at all, so importing the same file twice writes nothing the
second time.

Only the planning administrator may import a dataset, or the console without
``--user`` (actor None): whoever can run ``shinchoku`` owns the database anyway.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange.preview import (
    ApplyResult,
    ImportRefused,
    Preview,
    Problem,
    RowPreview,
    RowStatus,
    Where,
)
from shinchoku.plans.formats.dataset.convert import Builder, PlanPart
from shinchoku.plans.formats.dataset.document import (
    UNSTORABLE,
    Duplicated,
    JsonPath,
    Unreadable,
    json_path,
    read_json,
    short,
    sort_key,
    validator,
)
from shinchoku.plans.formats.dataset.export import SCHEMA_VERSION
from shinchoku.plans.formats.planfile.yamlsource import MAX_DEPTH
from shinchoku.plans.writing import (
    ObjectDiff,
    Origin,
    PlanWriteRefused,
    WriteProblem,
    plan_apply,
    plan_check,
    plan_diff,
)

NAME = "dataset"
#: At most this many problems of one step are listed (the rest are counted).
MAX_PROBLEMS = 200
#: What a dataset's bytes begin with (after a byte-order mark and blanks).
_SNIFF_BYTES = 4096
#: The top-level keys of the dataset that the import reads.
_SECTIONS = frozenset(
    {"schema_version", "plans", "scales", "units", "nodes", "targets", "results", "indicators", "costs"}
)


@dataclass
class _Checked:
    """The payload of a clean preview: what ``apply`` writes."""

    data: dict[str, Any]
    parts: list[PlanPart]
    #: The codes of the plans whose content changes (the others are not written).
    to_write: list[str]


class DatasetImporter:
    name = NAME

    # -- recognising

    def sniff(self, data: bytes, filename: str) -> bool:
        """A JSON object declaring ``schema_version`` (what the export writes first). A
        file that begins like one but does not parse is taken too, so that its
        problems are told with their line and column."""
        head = data[:_SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip()
        if not head.startswith(b"{"):
            return False
        try:
            document = read_json(data)
        except Unreadable:
            return re.search(rb'^\{\s*"schema_version"\s*:', head) is not None
        return isinstance(document, dict) and "schema_version" in document

    # -- previewing

    def preview(self, data: bytes, filename: str, *, actor: Any) -> Preview:
        preview = Preview(importer=NAME, title=_("dataset (JSON)"), file=filename)
        if actor is not None and not is_administrator(actor):
            preview.problems.append(
                Problem(
                    Where(file=filename),
                    _("Only the planning administrator may import a dataset: it replaces whole plans."),
                )
            )
            return preview
        reader = _Reader(filename)
        checked = reader.read(data)
        preview.problems.extend(reader.problems)
        if checked is None:
            return preview
        preview.title = _("dataset (JSON, schema %(version)s): %(plans)s") % {
            "version": SCHEMA_VERSION,
            "plans": ", ".join(part.code for part in checked.parts) or _("no plans"),
        }
        preview.rows.extend(reader.compare(checked))
        preview.payload = checked
        if checked.to_write:
            # The write itself, taken back: what only the models and the database decide.
            contents = [part.content for part in checked.parts if part.code in checked.to_write]
            preview.problems.extend(reader.problem(problem) for problem in plan_check(contents))
        return preview

    # -- applying

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        checked = preview.payload
        if not isinstance(checked, _Checked) or not preview.ok:
            raise ImportRefused(preview)
        if actor is not None and not is_administrator(actor):
            raise ImportRefused(preview)
        reader = _Reader(preview.file)
        written: list[str] = []
        problems: list[Problem] = []
        for part in checked.parts:
            try:
                summary = plan_apply(part.content, actor=actor, origin=Origin(preview.file, NAME))
            except PlanWriteRefused as refusal:
                problems.extend(reader.problem(problem) for problem in refusal.problems)
                continue
            if summary.written:
                written.append(part.code)
        if problems:  # the caller's transaction takes back what was written before
            preview.problems.extend(problems)
            raise ImportRefused(preview)
        counts = {status.value: preview.count(status) for status in RowStatus if status != RowStatus.ERROR}
        summary_text = _(
            "Dataset imported: %(written)s of %(plans)s plans written; %(new)s new, %(changed)s changed, "
            "%(removed)s removed, %(unchanged)s unchanged."
        ) % {
            "written": len(written),
            "plans": len(checked.parts),
            **counts,
        }
        # Each plan written has its audit row already, with its changes (``plan_apply``).
        return ApplyResult(summary=summary_text, counts={**counts, "plans_written": len(written)})


class _Reader:
    """Reads and checks a dataset, collecting problems instead of stopping at the first."""

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []
        self.data: dict[str, Any] = {}

    def fail(self, path: JsonPath, message: str) -> None:
        if len(self.problems) > MAX_PROBLEMS:
            return
        if len(self.problems) == MAX_PROBLEMS:
            message = _("and further problems, not listed")
            path = ()
        self.problems.append(Problem(Where(file=self.file, name=json_path(path)), message))

    # -- steps 1 to 3

    def read(self, data: bytes) -> _Checked | None:
        try:
            document = read_json(data)
        except Unreadable as error:
            self.problems.append(Problem(Where(file=self.file), str(error)))
            return None
        self.walk(document, ())
        if self.problems:
            return None
        if not isinstance(document, dict):
            self.fail((), _("expected a JSON object with the dataset's sections"))
            return None
        version = document.get("schema_version")
        if version != SCHEMA_VERSION:
            self.fail(
                ("schema_version",),
                _(
                    "this is not a dataset of schema version %(expected)s (found %(found)s); "
                    "this version of Shinchoku reads %(expected)s"
                )
                % {"expected": SCHEMA_VERSION, "found": short(json.dumps(version, ensure_ascii=False), 40)},
            )
            return None
        if "fiscal_year" in document:
            self.fail(
                ("fiscal_year",),
                _(
                    "this file holds the data of one fiscal year only (%(year)s): importing it would "
                    "remove the other years of its plans. Export without --year to back up or move data."
                )
                % {"year": short(json.dumps(document["fiscal_year"]), 20)},
            )
            return None
        errors = sorted(validator().iter_errors(document), key=lambda e: sort_key(e.absolute_path))
        for found in errors:
            violation = found
            if found.validator in {"oneOf", "anyOf"} and found.context:
                violation = jsonschema.exceptions.best_match(found.context)
            self.fail(tuple(violation.absolute_path), short(violation.message))
        for key in sorted(set(document) - _SECTIONS):
            # A key the schema allows but this import does not read (a later schema's
            # marker of a filtered dataset, say) must not be dropped silently.
            self.fail((key,), _("this import does not read the key %(key)r") % {"key": key})
        if self.problems:
            return None
        self.data = document
        parts = Builder(document, self).build()
        if self.problems:
            return None
        return _Checked(data=document, parts=parts, to_write=[])

    def walk(self, value: Any, path: JsonPath, depth: int = 0) -> None:
        """Refuse what JSON reads but nothing should store: duplicate keys, NUL and lone
        surrogates, nesting deeper than MAX_DEPTH."""
        if len(self.problems) > MAX_PROBLEMS:
            return
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                self.fail(
                    path, _("the document is nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH}
                )
                return
            if isinstance(value, Duplicated):
                for key in value.duplicates:
                    self.fail((*path, key), _("the key %(key)r appears twice in this object") % {"key": key})
            if isinstance(value, list):
                for index, item in enumerate(value):
                    self.walk(item, (*path, index), depth + 1)
                return
            for key, item in value.items():
                if UNSTORABLE.search(key):
                    self.fail(path, _("a key holds a NUL character or a lone surrogate"))
                self.walk(item, (*path, key), depth + 1)
        elif isinstance(value, str) and UNSTORABLE.search(value):
            self.fail(
                path,
                _(
                    "the text holds a NUL character or a lone surrogate (an escape such as \\u0000 or "
                    "\\ud800), which cannot be stored"
                ),
            )

    # -- comparing with the database

    def compare(self, checked: _Checked) -> list[RowPreview]:
        """Each plan's objects new, changed, unchanged or removed; a scale or unit that
        several plans name is listed once."""
        rows: list[RowPreview] = []
        listed: set[tuple[Any, ...]] = set()
        for part in checked.parts:
            diff = plan_diff(part.content)
            if diff.changed:
                checked.to_write.append(part.code)
            for item in diff.objects:
                if item.kind in {"scale", "unit"}:
                    if item.key in listed:
                        continue
                    listed.add(item.key)
                rows.append(RowPreview(self.where(item), item.subject, item.status, item.changes))
        return rows

    def where(self, item: ObjectDiff) -> Where:
        if item.source is None:
            return Where(file=self.file)
        return Where(file=self.file, name=json_path(item.source))

    def problem(self, problem: WriteProblem) -> Problem:
        """A problem of the writer, at the JSON path of what it concerns."""
        path: JsonPath = tuple(problem.source or ())
        message = problem.message
        if problem.field:
            key = _KEYS.get((problem.kind, problem.field), problem.field)
            path = (*path, key) if key else path
        return Problem(Where(file=self.file, name=json_path(path)), message)


#: The content's fields that the dataset writes under another key ("": on the item itself).
_KEYS: dict[tuple[str, str], str] = {
    ("node", "level"): "level_key",
    ("node", "parent"): "parent_id",
    ("node", "targets"): "",
    ("rating", "level"): "code",
}
