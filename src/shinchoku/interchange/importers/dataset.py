"""Importing the JSON dataset (``shinchoku export --format json``): how an instance's
published data is backed up and moved (docs/open-data.md, "Importing a dataset").

Exporting, importing into an empty database and exporting again gives the same bytes:
every stored field of the export is read back as it is (text is not normalised again,
orders and positions are kept), and what the export derives (year labels, 和暦, a
target's ``fiscal_year`` and ``period_label``, a node's level kind, a rating's labels,
the primary ``rating``, achievement rates) is recomputed, never read.

Reading goes in steps, each naming its problems by the JSON path (``$.nodes[3].code``):

1. the bytes: UTF-8, JSON (with line and column), no duplicate keys, no NaN, no NUL or
   lone surrogate, nesting within ``MAX_DEPTH``; the framework refuses large files;
2. the schema (``schemas/dataset-1.schema.json``), every violation with its path;
3. what the schema cannot say: unique codes, references between the sections (a
   node's plan, level, parent, markers and units; a rating's dimension and code on its
   scale; a unit's parent), no cycles, numbers within the models' limits;
4. the write itself, tried and rolled back: each plan is turned into the plan-file
   spec (``planfile.PlanSpec``) and written by the plan-file writer, which validates
   every row with its model's rules and removes what the file no longer holds.

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
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import jsonschema  # type: ignore[import-untyped]
from django.db import DataError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator
from shinchoku.interchange.exporters import SCHEMA_VERSION, export_dataset, scale_object
from shinchoku.interchange.importing import (
    ApplyResult,
    FieldChange,
    ImportRefused,
    Preview,
    Problem,
    RowPreview,
    RowStatus,
    Where,
    register,
)
from shinchoku.interchange.matching import UnitRef, match_units
from shinchoku.interchange.planfile.spec import (
    DimensionData,
    IndicatorSpec,
    LevelData,
    MarkerData,
    NodeSpec,
    PlanData,
    PlanSpec,
    ResultSpec,
    ScaleData,
    ScaleLevelData,
    TargetSpec,
    UnitData,
    UnitRoleSpec,
    ValueSpec,
)
from shinchoku.interchange.planfile.spec import Problem as SpecProblem
from shinchoku.interchange.planfile.validate import _Refused
from shinchoku.interchange.planfile.values import ValueChecker, _decimal_limits, _int_range
from shinchoku.interchange.planfile.write import _named, _scale_changes, _Writer
from shinchoku.interchange.yamlsource import MAX_DEPTH, Located
from shinchoku.plans.models import Level, Node, Plan, Scale, ScaleLevel
from shinchoku.progress.models import Indicator, IndicatorValue, Result, Target

NAME = "dataset"
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "dataset-1.schema.json"
#: At most this many problems of one step are listed (the rest are counted).
MAX_PROBLEMS = 200
#: What a dataset's bytes begin with (after a byte-order mark and blanks).
_SNIFF_BYTES = 4096
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: The top-level keys of the dataset that the import reads.
_SECTIONS = frozenset(
    {"schema_version", "plans", "scales", "units", "nodes", "targets", "results", "indicators"}
)
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


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- reading the bytes


class _Unreadable(Exception):
    """The bytes are not a JSON document that can be read; the message says where."""


class _Duplicated(dict):
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
    marked = _Duplicated(result)
    marked.duplicates = duplicates
    return marked


class _NotANumber(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _NotANumber(_("%(name)s is not a number JSON allows") % {"name": name})


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(_("the number %(number)s is too large") % {"number": _short(text, 40)})
    return value


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def read_json(data: bytes) -> Any:
    """The parsed document; _Unreadable with the line and column where it is not
    UTF-8 or not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_column(data, error.start)
        raise _Unreadable(
            _("not UTF-8 text: the byte at offset %(byte)s (line %(line)s, column %(column)s) is not UTF-8")
            % {"byte": error.start, "line": line, "column": column}
        ) from error
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as error:
        raise _Unreadable(
            _("not valid JSON: %(reason)s (line %(line)s, column %(column)s)")
            % {"reason": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise _Unreadable(
            _("the document is nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH}
        ) from error
    except _NotANumber as error:
        raise _Unreadable(_("not valid JSON: %(reason)s") % {"reason": error}) from error
    except ValueError as error:  # a whole number of thousands of digits
        raise _Unreadable(
            _("not valid JSON: a number is too long (%(reason)s)") % {"reason": error}
        ) from error


# ---------------------------------------------------------------- the checked file


@dataclass
class _PlanPart:
    """One plan of the file as a plan-file spec, with what the spec does not carry:
    the positions of nodes, targets and indicators as the file gives them."""

    index: int
    code: str
    spec: PlanSpec
    node_positions: dict[str, int] = field(default_factory=dict)
    target_positions: dict[str, list[int]] = field(default_factory=dict)
    indicator_positions: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class _Checked:
    """The payload of a clean preview: what ``apply`` writes."""

    data: dict[str, Any]
    parts: list[_PlanPart]
    #: The codes of the plans whose content changes (the others are not written).
    to_write: list[str]
    counts: dict[str, int]


@dataclass
class _Row:
    where: JsonPath | None
    subject: str
    fields: dict[str, str]


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
        except _Unreadable:
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


@cache
def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _sort_key(path: Iterable[str | int]) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


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
        except _Unreadable as error:
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
                % {"expected": SCHEMA_VERSION, "found": _short(json.dumps(version, ensure_ascii=False), 40)},
            )
            return None
        if "fiscal_year" in document:
            self.fail(
                ("fiscal_year",),
                _(
                    "this file holds the data of one fiscal year only (%(year)s): importing it would "
                    "remove the other years of its plans. Export without --year to back up or move data."
                )
                % {"year": _short(json.dumps(document["fiscal_year"]), 20)},
            )
            return None
        errors = sorted(_validator().iter_errors(document), key=lambda e: _sort_key(e.absolute_path))
        for found in errors:
            violation = found
            if found.validator in {"oneOf", "anyOf"} and found.context:
                violation = jsonschema.exceptions.best_match(found.context)
            self.fail(tuple(violation.absolute_path), _short(violation.message))
        for key in sorted(set(document) - _SECTIONS):
            # A key the schema allows but this import does not read (a later schema's
            # marker of a filtered dataset, say) must not be dropped silently.
            self.fail((key,), _("this import does not read the key %(key)r") % {"key": key})
        if self.problems:
            return None
        self.data = document
        parts = _Builder(self).build()
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
            if isinstance(value, _Duplicated):
                for key in value.duplicates:
                    self.fail((*path, key), _("the key %(key)r appears twice in this object") % {"key": key})
            if isinstance(value, list):
                for index, item in enumerate(value):
                    self.walk(item, (*path, index), depth + 1)
                return
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    self.fail(path, _("a key holds a NUL character or a lone surrogate"))
                self.walk(item, (*path, key), depth + 1)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
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
        theirs = _rows(self.data, with_paths=True)
        ours = _rows(stored, with_paths=False)
        ours.update(_stored_shared(self.data))
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
        rows.extend(_review_losses(checked.to_write, self.file))
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
            except _Refused as refusal:
                problems.extend(self.translated(problem, part) for problem in refusal.problems)
            except (DataError, IntegrityError) as error:
                problems.append(self.translated(writer.database_problem(error), part))
        return problems

    def translated(self, problem: SpecProblem, part: _PlanPart) -> Problem:
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


class _DatasetWriter(_Writer):
    """The plan-file writer; a scale that other plans of the same file use may change,
    since the file rewrites them with it."""

    def __init__(self, spec: PlanSpec, plans_in_file: set[str]) -> None:
        super().__init__(spec)
        self.plans_in_file = plans_in_file

    def check_shared_scales(self) -> None:
        for scale_data, scale, others in self.scales_used_elsewhere(self.plans_in_file):
            changes = _scale_changes(scale, scale_data)
            if changes:
                self.problem(
                    scale_data["path"],
                    f"the scale {scale.code!r} is also used by {_named('plan', others)}, which this file "
                    f"does not hold; it would change it for them too ({'; '.join(changes)})",
                )


def _keep_positions(part: _PlanPart) -> None:
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


def _review_losses(plan_codes: list[str], file: str) -> list[RowPreview]:
    """What writing these plans takes from the review rounds: the writer writes a plan's
    targets anew, and proposed revisions of them go with the old rows."""
    from shinchoku.review.models import EntryTarget

    rows = []
    for code in plan_codes:
        count = EntryTarget.objects.filter(target__node__plan__code=code).count()
        if count:
            rows.append(
                RowPreview(
                    Where(file=file),
                    _(
                        "plan %(plan)s: %(count)s proposed target revisions of review rounds (the plan's "
                        "targets are written anew)"
                    )
                    % {"plan": code, "count": count},
                    RowStatus.REMOVED,
                )
            )
    return rows


# ---------------------------------------------------------------- step 3: the dataset as specs


class _Builder:
    """Checks what the schema cannot say and turns each plan into a PlanSpec."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.data = reader.data
        self.values = ValueChecker(Located(self.data, {}))

    def fail(self, path: JsonPath, message: str) -> None:
        self.reader.fail(path, message)

    def whole(
        self, value: Any, path: JsonPath, model: type[models.Model], name: str, year: bool = False
    ) -> int:
        """An integer within the range the model's field holds on every database."""
        if value is None:
            return 0
        low, high = _int_range(model, name, year=year)
        if not isinstance(value, int):
            self.fail(path, _("expected a whole number, found %(value)s") % {"value": value})
            return 0
        if not low <= value <= high:
            self.fail(
                path,
                _("%(value)s is out of range: must be from %(low)s to %(high)s")
                % {"value": _short(str(value), 40), "low": low, "high": high},
            )
            return 0
        return value

    def decimal(
        self, holder: dict, key: str, path: JsonPath, model: type[models.Model], name: str
    ) -> Decimal | None:
        self.values.problems = []
        number = self.values.decimal(holder, key, path, _decimal_limits(model, name))
        for problem in self.values.problems:
            self.fail(problem.path, problem.message)
        return number

    def once(self, seen: dict[Any, JsonPath], key: Any, path: JsonPath, message: str) -> bool:
        """Refuse a second ``key``; True the first time."""
        if key in seen:
            self.fail(path, message % {"other": json_path(seen[key])})
            return False
        seen[key] = path
        return True

    # -- the sections

    def build(self) -> list[_PlanPart]:
        scales = self.scales()
        units = self.units()
        plans: dict[str, _PlanPart] = {}
        seen: dict[Any, JsonPath] = {}
        for index, plan in enumerate(self.data["plans"]):
            path: JsonPath = ("plans", index)
            if self.once(
                seen, plan["code"], (*path, "code"), _("the plan code appears twice (also at %(other)s)")
            ):
                plans[plan["code"]] = self.plan(index, plan, scales, units)
        nodes = self.nodes(plans)
        self.targets(nodes)
        self.results(nodes, plans, scales)
        self.indicators(nodes)
        return list(plans.values())

    def scales(self) -> dict[str, ScaleData]:
        scales: dict[str, ScaleData] = {}
        seen: dict[Any, JsonPath] = {}
        for index, scale in enumerate(self.data["scales"]):
            path: JsonPath = ("scales", index)
            if not self.once(
                seen, scale["code"], (*path, "code"), _("the scale code appears twice (also at %(other)s)")
            ):
                continue
            levels: list[ScaleLevelData] = []
            codes: dict[Any, JsonPath] = {}
            positions: dict[Any, JsonPath] = {}
            for level_index, level in enumerate(scale["levels"]):
                level_path: JsonPath = (*path, "levels", level_index)
                self.once(
                    codes,
                    level["code"],
                    (*level_path, "code"),
                    _("the code appears twice on this scale (also at %(other)s)"),
                )
                position = self.whole(level["position"], (*level_path, "position"), ScaleLevel, "position")
                self.once(
                    positions,
                    position,
                    (*level_path, "position"),
                    _("the position appears twice on this scale (also at %(other)s)"),
                )
                levels.append(
                    {
                        "code": level["code"],
                        "label": level["label"],
                        "label_en": level.get("label_en", ""),
                        "adverse": level["adverse"],
                        "position": position,
                        "path": level_path,
                    }
                )
            scales[scale["code"]] = {
                "code": scale["code"],
                "name": scale["name"],
                "name_en": scale.get("name_en", ""),
                "good_end": scale["good_end"],
                "description": scale["description"],
                "levels": levels,
                "path": path,
            }
        return scales

    def units(self) -> list[UnitData]:
        """Every unit, each after its parent (the writer sets a parent written before)."""
        by_code: dict[str, tuple[int, dict]] = {}
        seen: dict[Any, JsonPath] = {}
        for index, unit in enumerate(self.data["units"]):
            if self.once(
                seen,
                unit["code"],
                ("units", index, "code"),
                _("the unit code appears twice (also at %(other)s)"),
            ):
                by_code[unit["code"]] = (index, unit)
        ordered: list[UnitData] = []
        placed: set[str] = set()
        for index, unit in by_code.values():
            chain: list[tuple[int, dict]] = []
            current: tuple[int, dict] | None = (index, unit)
            while current is not None and current[1]["code"] not in placed:
                if any(current[1]["code"] == other["code"] for _i, other in chain):
                    self.fail(("units", index, "parent"), _("the unit is its own ancestor"))
                    return []
                chain.append(current)
                parent = current[1]["parent"]
                if parent is None:
                    current = None
                elif parent in by_code:
                    current = by_code[parent]
                else:
                    self.fail(
                        ("units", current[0], "parent"),
                        _("no unit %(code)r is in the file's units") % {"code": parent},
                    )
                    return []
            for unit_index, item in reversed(chain):
                placed.add(item["code"])
                ordered.append(
                    {
                        "code": item["code"],
                        "name": item["name"],
                        "kind": item["kind"],
                        "parent": item["parent"] or "",
                        "path": ("units", unit_index),
                    }
                )
        return ordered

    def plan(self, index: int, plan: dict, scales: dict[str, ScaleData], units: list[UnitData]) -> _PlanPart:
        path: JsonPath = ("plans", index)
        data: PlanData = {
            "code": plan["code"],
            "title": plan["title"],
            "period_label": plan["period_label"],
            "first_year": self.whole(
                plan["first_year"], (*path, "first_year"), Plan, "first_year", year=True
            ),
            "last_year": self.whole(plan["last_year"], (*path, "last_year"), Plan, "last_year", year=True),
            "onwards": plan["onwards"],
            "description": plan["description"],
            "note": plan["note"],
            "path": path,
        }
        levels: list[LevelData] = []
        keys: dict[Any, JsonPath] = {}
        depths: dict[Any, JsonPath] = {}
        for level_index, level in enumerate(plan["levels"]):
            level_path: JsonPath = (*path, "levels", level_index)
            self.once(
                keys, level["key"], (*level_path, "key"), _("the level key appears twice (also at %(other)s)")
            )
            depth = self.whole(level["depth"], (*level_path, "depth"), Level, "depth")
            self.once(depths, depth, (*level_path, "depth"), _("the depth appears twice (also at %(other)s)"))
            levels.append(
                {
                    "depth": depth,
                    "key": level["key"],
                    "kind": level["kind"],
                    "name": level["name"],
                    "name_en": level.get("name_en", ""),
                    "rated": level["rated"],
                    "path": level_path,
                }
            )
        dimensions: list[DimensionData] = []
        dimension_keys: dict[Any, JsonPath] = {}
        primaries: dict[Any, JsonPath] = {}
        for position, dimension in enumerate(plan["dimensions"]):
            dimension_path: JsonPath = (*path, "dimensions", position)
            if dimension["level"] not in keys:
                self.fail(
                    (*dimension_path, "level"),
                    _("no level %(key)r is in this plan's levels") % {"key": dimension["level"]},
                )
            if dimension["scale"] not in scales:
                self.fail(
                    (*dimension_path, "scale"),
                    _("no scale %(code)r is in the file's scales") % {"code": dimension["scale"]},
                )
            self.once(
                dimension_keys,
                (dimension["level"], dimension["key"]),
                (*dimension_path, "key"),
                _("the dimension appears twice for its level (also at %(other)s)"),
            )
            if dimension["primary"]:
                self.once(
                    primaries,
                    dimension["level"],
                    (*dimension_path, "primary"),
                    _("a level has at most one primary dimension (another at %(other)s)"),
                )
            dimensions.append(
                {
                    "key": dimension["key"],
                    "name": dimension["name"],
                    "name_en": dimension.get("name_en", ""),
                    "level": dimension["level"],
                    "scale": dimension["scale"],
                    "primary": dimension["primary"],
                    "position": position,
                    "path": dimension_path,
                }
            )
        markers: list[MarkerData] = []
        symbols: dict[Any, JsonPath] = {}
        for position, marker in enumerate(plan["markers"]):
            marker_path: JsonPath = (*path, "markers", position)
            self.once(
                symbols,
                marker["symbol"],
                (*marker_path, "symbol"),
                _("the marker appears twice (also at %(other)s)"),
            )
            markers.append(
                {
                    "symbol": marker["symbol"],
                    "name": marker["name"],
                    "name_en": marker.get("name_en", ""),
                    "meaning": marker["meaning"] or "",
                    "note": marker["note"],
                    "position": position,
                    "path": marker_path,
                }
            )
        spec = PlanSpec(
            plan=data,
            levels=levels,
            # Every scale and unit of the file, with each plan: a scale or unit that no
            # plan uses is written too, and rewriting one with the same data changes nothing.
            scales=list(scales.values()),
            dimensions=dimensions,
            markers=markers,
            units=units,
            nodes=[],
        )
        return _PlanPart(index=index, code=plan["code"], spec=spec)

    def nodes(self, plans: dict[str, _PlanPart]) -> dict[str, tuple[_PlanPart, NodeSpec]]:
        """The nodes by id, each hung under its parent in its plan's spec."""
        found: dict[str, tuple[int, _PlanPart, NodeSpec, str | None]] = {}
        seen: dict[Any, JsonPath] = {}
        unit_codes = {unit["code"] for unit in self.data["units"]}
        for index, node in enumerate(self.data["nodes"]):
            path: JsonPath = ("nodes", index)
            if not self.once(
                seen, node["id"], (*path, "id"), _("the node id appears twice (also at %(other)s)")
            ):
                continue
            part = plans.get(node["plan"])
            if part is None:
                self.fail(
                    (*path, "plan"), _("no plan %(code)r is in the file's plans") % {"code": node["plan"]}
                )
                continue
            if node["id"] != f"{node['plan']}:{node['code']}":
                self.fail(
                    (*path, "id"),
                    _("the id must be the plan's code and the node's code: %(id)r")
                    % {"id": f"{node['plan']}:{node['code']}"},
                )
                continue
            spec = part.spec
            if not any(level["key"] == node["level_key"] for level in spec.levels):
                self.fail(
                    (*path, "level_key"),
                    _("no level %(key)r is in the plan's levels") % {"key": node["level_key"]},
                )
            symbols = {marker["symbol"] for marker in spec.markers}
            for marker_index, symbol in enumerate(node["markers"]):
                if symbol not in symbols:
                    self.fail(
                        (*path, "markers", marker_index),
                        _("no marker %(symbol)r is in the plan's markers") % {"symbol": symbol},
                    )
                elif symbol in node["markers"][:marker_index]:
                    self.fail((*path, "markers", marker_index), _("the marker appears twice"))
            roles = []
            for role_index, role in enumerate(node["units"]):
                role_path: JsonPath = (*path, "units", role_index)
                if role["unit"] not in unit_codes:
                    self.fail(
                        (*role_path, "unit"),
                        _("no unit %(code)r is in the file's units") % {"code": role["unit"]},
                    )
                elif role in node["units"][:role_index]:
                    self.fail(role_path, _("the unit appears twice in this role"))
                roles.append(UnitRoleSpec(role["unit"], role["role"], role_path))
            position = self.whole(node["position"], (*path, "position"), Node, "position")
            part.node_positions[node["code"]] = position
            found[node["id"]] = (
                index,
                part,
                NodeSpec(
                    level=node["level_key"],
                    code=node["code"],
                    title=node["title"],
                    label=node["label"],
                    summary=node["summary"],
                    baseline=node["baseline"],
                    note=node["note"],
                    markers=list(node["markers"]),
                    units=roles,
                    targets=[],
                    results=[],
                    indicators=[],
                    path=path,
                ),
                node["parent_id"],
            )
        children: dict[str, list[str]] = defaultdict(list)
        for node_id, (index, part, node_spec, parent_id) in found.items():
            if parent_id is None:
                part.spec.nodes.append(node_spec)
                continue
            parent = found.get(parent_id)
            if parent is None or parent[1] is not part:
                self.fail(
                    ("nodes", index, "parent_id"),
                    _("no node %(id)r of the same plan is in the file's nodes") % {"id": parent_id},
                )
                continue
            children[parent_id].append(node_id)
        # A node that no top node reaches stands in (or under) a loop of parents.
        reached = [node_id for node_id, item in found.items() if item[3] is None]
        for node_id in reached:  # grows while it is walked
            reached.extend(children.get(node_id, ()))
        seen_ids = set(reached)
        for node_id, (index, _part, _spec, parent_id) in found.items():
            if node_id not in seen_ids and parent_id in found and found[parent_id][1] is found[node_id][1]:
                self.fail(
                    ("nodes", index, "parent_id"),
                    _("the node's parents form a loop: no top node is above it"),
                )
        if self.reader.problems:
            return {}
        for parent_id, child_ids in children.items():
            found[parent_id][2].children.extend(found[child_id][2] for child_id in child_ids)
        return {node_id: (part, spec) for node_id, (_index, part, spec, _parent) in found.items()}

    def node_of(
        self, nodes: dict[str, tuple[_PlanPart, NodeSpec]], item: dict, path: JsonPath
    ) -> tuple[_PlanPart, NodeSpec] | None:
        found = nodes.get(item["node_id"])
        if found is None:
            self.fail(
                (*path, "node_id"), _("no node %(id)r is in the file's nodes") % {"id": item["node_id"]}
            )
        return found

    def targets(self, nodes: dict[str, tuple[_PlanPart, NodeSpec]]) -> None:
        for index, target in enumerate(self.data["targets"]):
            path: JsonPath = ("targets", index)
            found = self.node_of(nodes, target, path)
            row = self.whole(target["row"], (*path, "row"), Target, "row")
            position = self.whole(target["position"], (*path, "position"), Target, "position")
            if found is None:
                continue
            part, node = found
            node.targets.append(
                TargetSpec(
                    row=row,
                    start_year=self.whole(
                        target["start_year"], (*path, "start_year"), Target, "start_year", True
                    ),
                    end_year=self.whole(target["end_year"], (*path, "end_year"), Target, "end_year", True),
                    open_end=target["open_end"],
                    text=target["text"],
                    revised_text=target["revised_text"],
                    revision_reason=target["revision_reason"],
                    note=target["note"],
                    path=path,
                )
            )
            part.target_positions.setdefault(node.code, []).append(position)

    def results(
        self,
        nodes: dict[str, tuple[_PlanPart, NodeSpec]],
        plans: dict[str, _PlanPart],
        scales: dict[str, ScaleData],
    ) -> None:
        seen: dict[Any, JsonPath] = {}
        for index, result in enumerate(self.data["results"]):
            path: JsonPath = ("results", index)
            found = self.node_of(nodes, result, path)
            if found is None:
                continue
            part, node = found
            self.once(
                seen,
                (result["node_id"], result["fiscal_year"]),
                (*path, "fiscal_year"),
                _("a second result of the node for this year (the first at %(other)s)"),
            )
            dimensions = {
                dimension["key"]: dimension
                for dimension in part.spec.dimensions
                if dimension["level"] == node.level
            }
            ratings: dict[str, str] = {}
            for rating_index, rating in enumerate(result["ratings"]):
                rating_path: JsonPath = (*path, "ratings", rating_index)
                dimension = dimensions.get(rating["dimension"])
                if dimension is None:
                    self.fail(
                        (*rating_path, "dimension"),
                        _("no dimension %(key)r is in the plan's dimensions for the level %(level)r")
                        % {"key": rating["dimension"], "level": node.level},
                    )
                    continue
                if rating["dimension"] in ratings:
                    self.fail((*rating_path, "dimension"), _("a second rating on this dimension"))
                    continue
                scale = scales.get(dimension["scale"])
                codes = [level["code"] for level in scale["levels"]] if scale else []
                if rating["code"] not in codes:
                    self.fail(
                        (*rating_path, "code"),
                        _("%(code)r is not on the scale %(scale)r (%(codes)s)")
                        % {"code": rating["code"], "scale": dimension["scale"], "codes": ", ".join(codes)},
                    )
                    continue
                ratings[rating["dimension"]] = rating["code"]
            node.results.append(
                ResultSpec(
                    fiscal_year=self.whole(
                        result["fiscal_year"], (*path, "fiscal_year"), Result, "fiscal_year", True
                    ),
                    text=result["text"],
                    ratings=ratings,
                    context_change=result["context_change"],
                    response=result["response"],
                    highlight=result["highlight"],
                    note=result["note"],
                    path=path,
                )
            )

    def indicators(self, nodes: dict[str, tuple[_PlanPart, NodeSpec]]) -> None:
        for index, indicator in enumerate(self.data["indicators"]):
            path: JsonPath = ("indicators", index)
            found = self.node_of(nodes, indicator, path)
            position = self.whole(indicator["position"], (*path, "position"), Indicator, "position")
            baseline_value = self.decimal(indicator, "baseline_value", path, Indicator, "baseline_value")
            baseline_year = self.whole(
                indicator["baseline_year"], (*path, "baseline_year"), Indicator, "baseline_year", year=True
            )
            values: list[ValueSpec] = []
            years: dict[Any, JsonPath] = {}
            for value_index, value in enumerate(indicator["values"]):
                value_path: JsonPath = (*path, "values", value_index)
                self.once(
                    years,
                    value["fiscal_year"],
                    (*value_path, "fiscal_year"),
                    _("a second value for this year (the first at %(other)s)"),
                )
                values.append(
                    ValueSpec(
                        fiscal_year=self.whole(
                            value["fiscal_year"],
                            (*value_path, "fiscal_year"),
                            IndicatorValue,
                            "fiscal_year",
                            True,
                        ),
                        target=self.decimal(value, "target", value_path, IndicatorValue, "target"),
                        actual=self.decimal(value, "actual", value_path, IndicatorValue, "actual"),
                        path=value_path,
                    )
                )
            if found is None:
                continue
            part, node = found
            node.indicators.append(
                IndicatorSpec(
                    name=indicator["name"],
                    kind=indicator["kind"],
                    unit=indicator["unit"],
                    direction=indicator["direction"],
                    baseline_value=baseline_value,
                    baseline_year=baseline_year if indicator["baseline_year"] is not None else None,
                    values=values,
                    path=path,
                )
            )
            part.indicator_positions.setdefault(node.code, []).append(position)


# ---------------------------------------------------------------- comparing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: str | None) -> str:
    """A decimal as the export writes it, so that "1.50" and "1.5" compare equal."""
    if value is None:
        return ""
    number = Decimal(value)
    return format(number.normalize(), "f") if number else "0"  # no database keeps -0


def _fields(item: dict, names: Iterable[str]) -> dict[str, str]:
    return {name: _text(item.get(name)) for name in names}


def _rows(data: dict[str, Any], *, with_paths: bool) -> dict[tuple, _Row]:
    """The rows of a dataset (the file, or the database's export) by natural key, with
    the fields an import carries (what the export derives is left out)."""
    rows: dict[tuple, _Row] = {}

    def add(key: tuple, path: JsonPath, subject: str, fields: dict[str, str]) -> None:
        rows[key] = _Row(path if with_paths else None, subject, fields)

    for index, plan in enumerate(data["plans"]):
        code = plan["code"]
        path: JsonPath = ("plans", index)
        add(
            ("plan", code),
            path,
            _("plan %(code)s %(title)s") % {"code": code, "title": plan["title"]},
            _fields(
                plan, ("title", "period_label", "first_year", "last_year", "onwards", "description", "note")
            ),
        )
        for number, level in enumerate(plan["levels"]):
            add(
                ("level", code, level["key"]),
                (*path, "levels", number),
                _("level %(key)s of the plan %(plan)s") % {"key": level["key"], "plan": code},
                _fields(level, ("kind", "name", "name_en", "depth", "rated")),
            )
        ranks: dict[str, int] = defaultdict(int)  # the order among the dimensions of a level
        for number, dimension in enumerate(plan["dimensions"]):
            rank = ranks[dimension["level"]]
            ranks[dimension["level"]] += 1
            add(
                ("dimension", code, dimension["level"], dimension["key"]),
                (*path, "dimensions", number),
                _("dimension %(key)s of the plan %(plan)s") % {"key": dimension["key"], "plan": code},
                {**_fields(dimension, ("name", "name_en", "scale", "primary")), "order": str(rank)},
            )
        for number, marker in enumerate(plan["markers"]):
            add(
                ("marker", code, marker["symbol"]),
                (*path, "markers", number),
                _("marker %(symbol)s of the plan %(plan)s") % {"symbol": marker["symbol"], "plan": code},
                {**_fields(marker, ("name", "name_en", "meaning", "note")), "order": str(number)},
            )
    for index, scale in enumerate(data["scales"]):
        add(
            ("scale", scale["code"]),
            ("scales", index),
            _("scale %(code)s") % {"code": scale["code"]},
            _scale_fields(scale),
        )
    for index, unit in enumerate(data["units"]):
        add(
            ("unit", unit["code"]),
            ("units", index),
            _("unit %(code)s %(name)s") % {"code": unit["code"], "name": unit["name"]},
            _fields(unit, ("name", "kind", "parent")),
        )
    for index, node in enumerate(data["nodes"]):
        add(
            ("node", node["plan"], node["id"]),
            ("nodes", index),
            _("node %(id)s %(title)s") % {"id": node["id"], "title": node["title"]},
            {
                **_fields(
                    node,
                    ("parent_id", "level_key", "label", "position", "title", "summary", "baseline", "note"),
                ),
                # The export orders these lists itself (markers as the plan orders them,
                # units by role and code): the file's order is not carried, so not compared.
                "markers": " ".join(sorted(node["markers"])),
                "units": ", ".join(sorted(f"{role['unit']} ({role['role']})" for role in node["units"])),
            },
        )
    target_rows = [
        (
            index,
            (target["node_id"], target["row"], target["position"]),
            _("target of %(id)s, row %(row)s, position %(position)s")
            % {"id": target["node_id"], "row": target["row"], "position": target["position"]},
            _fields(
                target,
                ("start_year", "end_year", "open_end", "text", "revised_text", "revision_reason", "note"),
            ),
        )
        for index, target in enumerate(data["targets"])
    ]
    for kind, place, path, subject, fields in _numbered("target", target_rows):
        add((kind, _plan_of(place[0]), *place), path, subject, fields)
    for index, result in enumerate(data["results"]):
        add(
            ("result", _plan_of(result["node_id"]), result["node_id"], result["fiscal_year"]),
            ("results", index),
            _("result of %(id)s for %(year)s") % {"id": result["node_id"], "year": result["fiscal_year"]},
            {
                **_fields(result, ("text", "context_change", "response", "highlight", "note")),
                "ratings": ", ".join(
                    sorted(f"{rating['dimension']}: {rating['code']}" for rating in result["ratings"])
                ),
            },
        )
    indicator_rows = [
        (
            index,
            (indicator["node_id"], indicator["position"]),
            _("indicator %(name)s of %(id)s") % {"name": indicator["name"], "id": indicator["node_id"]},
            {
                **_fields(indicator, ("name", "kind", "unit", "direction", "baseline_year")),
                "baseline_value": _number(indicator["baseline_value"]),
                "values": "; ".join(
                    f"{value['fiscal_year']}: {_number(value['target'])} / {_number(value['actual'])}"
                    for value in sorted(indicator["values"], key=lambda value: value["fiscal_year"])
                ),
            },
        )
        for index, indicator in enumerate(data["indicators"])
    ]
    for kind, place, path, subject, fields in _numbered("indicator", indicator_rows):
        add((kind, _plan_of(place[0]), *place), path, subject, fields)
    return rows


def _numbered(
    kind: str, rows: list[tuple[int, tuple, str, dict[str, str]]]
) -> Iterable[tuple[str, tuple, JsonPath, str, dict[str, str]]]:
    """Targets and indicators have no key of their own: (node, row, position) may be
    shared. Rows sharing one are numbered in the order of their content, as the export
    orders them, so that a file and the database pair them alike."""
    seen: dict[tuple, int] = defaultdict(int)
    for index, place, subject, fields in sorted(rows, key=lambda row: (row[1], tuple(row[3].values()))):
        number = seen[place]
        seen[place] += 1
        yield kind, (*place, number), (f"{kind}s", index), subject, fields


def _plan_of(node_id: str) -> str:
    return node_id.split(":", 1)[0]


def _scale_fields(scale: dict) -> dict[str, str]:
    return {
        **_fields(scale, ("name", "name_en", "good_end", "description")),
        "levels": "; ".join(
            f"{level['position']} {level['code']} {level['label']}"
            + (f" / {level['label_en']}" if level.get("label_en") else "")
            + (" (adverse)" if level["adverse"] else "")
            for level in sorted(scale["levels"], key=lambda level: level["position"])
        ),
    }


def _stored_shared(data: dict[str, Any]) -> dict[tuple, _Row]:
    """The stored scales and units of the codes the file names, whether or not the
    plans in the database use them."""
    rows: dict[tuple, _Row] = {}
    scale_codes = [scale["code"] for scale in data["scales"]]
    for scale in Scale.objects.filter(code__in=scale_codes).prefetch_related("levels"):
        item = scale_object(scale, sorted(scale.levels.all(), key=lambda level: level.position))
        rows[("scale", scale.code)] = _Row(None, "", _scale_fields(item))
    for match in match_units([UnitRef(code=unit["code"]) for unit in data["units"]]):
        unit = match.unit
        if unit is None:
            continue
        rows[("unit", unit.code)] = _Row(
            None,
            "",
            {"name": unit.name, "kind": unit.kind, "parent": unit.parent.code if unit.parent else ""},
        )
    return rows


register(DatasetImporter())
