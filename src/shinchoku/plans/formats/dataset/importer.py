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
   is turned into the plan-file spec (``planfile.PlanSpec``: ``convert.py``);
4. the comparison with the database, row by row (``compare.py``);
5. the write itself, tried and rolled back: each plan's spec is written by the plan-file
   writer, which validates every row with its model's rules and removes what the file no
   longer holds.

For a plan in the file, the file is the truth: its levels, dimensions, markers, nodes,
targets, results and indicators that the file does not hold are removed (listed as
``removed`` in the preview). Plans that the file does not hold are left alone (a dataset
may be an export of some plans only), and so are scales and units it does not hold
(they may be shared). Plans whose content is unchanged are not written at all, so
importing the same file twice writes nothing the second time.

Only the planning administrator may import a dataset, or the console without
``--user`` (actor None): whoever can run ``shinchoku`` owns the database anyway.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

import jsonschema  # type: ignore[import-untyped]
from django.db import DataError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange.preview import (
    ApplyResult,
    FieldChange,
    ImportRefused,
    Preview,
    Problem,
    RowPreview,
    RowStatus,
    Where,
)
from shinchoku.plans.formats.dataset.compare import review_losses, rows_by_key, stored_shared
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
from shinchoku.plans.formats.dataset.export import SCHEMA_VERSION, export_dataset
from shinchoku.plans.formats.planfile.spec import PlanSpec
from shinchoku.plans.formats.planfile.spec import Problem as SpecProblem
from shinchoku.plans.formats.planfile.validate import WriteRefused
from shinchoku.plans.formats.planfile.write import PlanFileWriter, named, scale_changes
from shinchoku.plans.formats.planfile.yamlsource import MAX_DEPTH
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Indicator, Target

NAME = "dataset"
#: At most this many problems of one step are listed (the rest are counted).
MAX_PROBLEMS = 200
#: What a dataset's bytes begin with (after a byte-order mark and blanks).
_SNIFF_BYTES = 4096
#: The top-level keys of the dataset that the import reads.
_SECTIONS = frozenset(
    {"schema_version", "plans", "scales", "units", "nodes", "targets", "results", "indicators"}
)


@dataclass
class _Checked:
    """The payload of a clean preview: what ``apply`` writes."""

    data: dict[str, Any]
    parts: list[PlanPart]
    #: The codes of the plans whose content changes (the others are not written).
    to_write: list[str]
    counts: dict[str, int]


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
            # The write itself, rolled back: what only the models and the database decide.
            problems = _try_writing(reader, checked)
            preview.problems.extend(problems)
        return preview

    # -- applying

    def apply(self, preview: Preview, *, actor: Any) -> ApplyResult:
        checked = preview.payload
        if not isinstance(checked, _Checked) or not preview.ok:
            raise ImportRefused(preview)
        if actor is not None and not is_administrator(actor):
            raise ImportRefused(preview)
        reader = _Reader(preview.file)
        reader.data = checked.data
        problems: list[Problem] = []
        try:
            with transaction.atomic():  # a refusal takes back what was written before it
                problems = reader.write(checked)
                if problems:
                    raise _DryRun
        except _DryRun:
            preview.problems.extend(problems)
            raise ImportRefused(preview) from None
        counts = {status.value: preview.count(status) for status in RowStatus if status != RowStatus.ERROR}
        summary = _(
            "Dataset imported: %(written)s of %(plans)s plans written; %(new)s new, %(changed)s changed, "
            "%(removed)s removed, %(unchanged)s unchanged."
        ) % {
            "written": len(checked.to_write),
            "plans": len(checked.parts),
            **counts,
        }
        return ApplyResult(
            summary=summary,
            counts={**counts, "plans_written": len(checked.to_write)},
            plans=tuple(checked.to_write),
        )


class _DryRun(Exception):
    pass


def _try_writing(reader: _Reader, checked: _Checked) -> list[Problem]:
    problems: list[Problem] = []
    try:
        with transaction.atomic():
            problems = reader.write(checked)
            raise _DryRun
    except _DryRun:
        pass
    return problems


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
        return _Checked(data=document, parts=parts, to_write=[], counts={})

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
        codes = [part.code for part in checked.parts]
        stored = export_dataset(Plan.objects.filter(code__in=codes).order_by("code"))
        theirs = rows_by_key(self.data, with_paths=True)
        ours = rows_by_key(stored, with_paths=False)
        ours.update(stored_shared(self.data))
        rows: list[RowPreview] = []
        changed_plans: set[str] = set()
        shared_changed = False
        counts: dict[str, int] = defaultdict(int)
        for key, row in theirs.items():
            before = ours.get(key)
            where = Where(file=self.file, name=json_path(row.where or ()))
            changes: tuple[FieldChange, ...] = ()
            if before is None:
                status = RowStatus.NEW
            else:
                changes = tuple(
                    FieldChange(name, name, before.fields.get(name, ""), value)
                    for name, value in row.fields.items()
                    if before.fields.get(name, "") != value
                )
                status = RowStatus.CHANGED if changes else RowStatus.UNCHANGED
            if status != RowStatus.UNCHANGED:
                if key[0] in {"scale", "unit"}:
                    shared_changed = True
                else:
                    changed_plans.add(key[1])
            counts[status.value] += 1
            rows.append(RowPreview(where, row.subject, status, changes))
        for key, row in ours.items():
            if key in theirs or key[0] in {"scale", "unit"}:
                continue  # shared rows the file does not hold are left alone
            changed_plans.add(key[1])
            counts[RowStatus.REMOVED.value] += 1
            rows.append(RowPreview(Where(file=self.file), row.subject, RowStatus.REMOVED))
        checked.to_write = codes if shared_changed else [code for code in codes if code in changed_plans]
        checked.counts = dict(counts)
        rows.extend(review_losses(checked.to_write, self.file))
        return rows

    # -- step 4: writing

    def write(self, checked: _Checked) -> list[Problem]:
        """Write the changed plans; the problems, translated to the file's paths (the
        caller rolls back when there are any)."""
        in_file = {part.code for part in checked.parts}
        problems: list[Problem] = []
        for part in checked.parts:
            if part.code not in checked.to_write:
                continue
            writer = _DatasetWriter(part.spec, in_file)
            try:
                writer.write()
                _keep_positions(part)
            except WriteRefused as refusal:
                problems.extend(self.translated(problem, part) for problem in refusal.problems)
            except (DataError, IntegrityError) as error:
                problems.append(self.translated(writer.database_problem(error), part))
        return problems

    def translated(self, problem: SpecProblem, part: PlanPart) -> Problem:
        """A problem of the plan-file writer, at the path of the dataset it came from."""
        path = list(problem.path)
        if len(path) == 1 and path[0] in {"levels", "dimensions", "markers"}:
            path = ["plans", part.index, path[0]]
        tail = tuple(path[2:]) if len(path) > 2 else ()
        renamed = _RENAMED.get((str(path[0]) if path else "", tail))
        if renamed is not None:
            path = [*path[:2], renamed]
        elif path[:1] == ["results"] and len(path) == 4 and path[2] == "ratings" and isinstance(path[3], str):
            ratings = self.data["results"][path[1]]["ratings"]
            keys = [rating["dimension"] for rating in ratings]
            path[3] = keys.index(path[3]) if path[3] in keys else path[3]
        elif path[:1] == ["indicators"] and len(path) == 5 and path[4] == "year":
            path[4] = "fiscal_year"
        return Problem(Where(file=self.file, name=json_path(path)), problem.message)


#: The plan-file keys the writer reports on, as the dataset names them.
_RENAMED: dict[tuple[str, tuple[str | int, ...]], str] = {
    ("nodes", ("level",)): "level_key",
    ("targets", ("years",)): "start_year",
    ("targets", ("revised", "text")): "revised_text",
    ("targets", ("revised", "reason")): "revision_reason",
    ("results", ("year",)): "fiscal_year",
    ("indicators", ("baseline", "value")): "baseline_value",
    ("indicators", ("baseline", "year")): "baseline_year",
}


class _DatasetWriter(PlanFileWriter):
    """The plan-file writer; a scale that other plans of the same file use may change,
    since the file rewrites them with it."""

    def __init__(self, spec: PlanSpec, plans_in_file: set[str]) -> None:
        super().__init__(spec)
        self.plans_in_file = plans_in_file

    def check_shared_scales(self) -> None:
        for scale_data, scale, others in self.scales_used_elsewhere(self.plans_in_file):
            changes = scale_changes(scale, scale_data)
            if changes:
                self.problem(
                    scale_data["path"],
                    f"the scale {scale.code!r} is also used by {named('plan', others)}, which this file "
                    f"does not hold; it would change it for them too ({'; '.join(changes)})",
                )


def _keep_positions(part: PlanPart) -> None:
    """The writer numbers nodes, targets and indicators from 0 in the order written;
    give them the file's positions (which may have gaps or start at 1)."""
    nodes = list(Node.objects.filter(plan__code=part.code).only("pk", "code", "position"))
    moved = []
    for node in nodes:
        position = part.node_positions.get(node.code, node.position)
        if node.position != position:
            node.position = position
            moved.append(node)
    Node.objects.bulk_update(moved, ["position"], batch_size=500)
    targets = Target.objects.filter(node__plan__code=part.code)
    Target.objects.bulk_update(_positioned(targets, part.target_positions), ["position"], batch_size=500)
    indicators = Indicator.objects.filter(node__plan__code=part.code)
    Indicator.objects.bulk_update(
        _positioned(indicators, part.indicator_positions), ["position"], batch_size=500
    )


_Positioned = TypeVar("_Positioned", Target, Indicator)


def _positioned(rows: models.QuerySet[_Positioned], positions: dict[str, list[int]]) -> list[_Positioned]:
    """The rows (of one plan, in the order written) whose position the file gives otherwise, moved."""
    seen: dict[str, int] = defaultdict(int)
    changed = []
    for row in rows.select_related("node").only("pk", "position", "node__code").order_by("node_id", "pk"):
        code = row.node.code
        wanted = positions.get(code, [])
        index = seen[code]
        seen[code] += 1
        if index < len(wanted) and row.position != wanted[index]:
            row.position = wanted[index]
            changed.append(row)
    return changed
