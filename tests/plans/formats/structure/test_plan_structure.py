"""A plan's structure from a spreadsheet (importer "plan-structure"): the example CSV is the
seed's export and imports into an empty database as the seed's tree, in every encoding
and as xlsx; importing again changes nothing; every refusal, with a real malformed file,
names where it stands and writes nothing; arbitrary grids never crash and never half-write."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from shinchoku.interchange.importing import import_apply, import_preview
from shinchoku.interchange.preview import ImportRefused, RowStatus, Where
from shinchoku.plans.formats.planfile import load_plan_file
from shinchoku.plans.formats.structure.export import plan_rows, template_rows, to_csv, to_xlsx
from shinchoku.plans.formats.structure.importer import PlanStructureImporter
from shinchoku.plans.formats.structure.parse import new_unit_code
from shinchoku.plans.formats.structure.vocabulary import DEFAULT_SCALE_CODE, classify_heading, split_items
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
)
from shinchoku.progress.models import Rating, Result, Target
from tests.factories import add_result, make_staff, make_unit
from tests.plans.formats.widths import make_widths_plan
from tests.plans.formats.widths import state as widths_state

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parents[4]
EXAMPLE = ROOT / "docs/examples/plan-structure.csv"
SEED = ROOT / "data/seeds/kawasaki-plan9.yaml"
MODELS = (Plan, Level, Node, NodeUnit, OrgUnit, Marker, Scale, ScaleLevel, Dimension, Target, Result, Rating)


def example_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(EXAMPLE.read_text("utf-8-sig"), newline="")))


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def tree(plan_code: str = "kawasaki-frontier-3") -> list[tuple]:
    """Everything a structure sheet holds, node by node."""
    out = []
    for node in (
        Node.objects.filter(plan__code=plan_code)
        .select_related("level", "parent")
        .prefetch_related("markers", "unit_roles__unit", "targets")
        .order_by("path")
    ):
        out.append(
            (
                node.code,
                node.parent.code if node.parent else None,
                node.level.depth,
                node.level.name,
                node.level.rated,
                node.title,
                node.label,
                node.summary,
                node.baseline,
                sorted(marker.symbol for marker in node.markers.all()),
                sorted(role.unit.name for role in node.unit_roles.all() if role.role == "responsible"),
                [
                    (t.row, t.start_year, t.end_year, t.open_end, t.text)
                    for t in sorted(node.targets.all(), key=lambda t: (t.row, t.start_year, t.position))
                ],
            )
        )
    return out


def run_import(tmp_path: Path, name: str, data: bytes, *args: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import", str(path), *args, stdout=out)
    return out.getvalue()


def refused(tmp_path: Path, name: str, data: bytes, *args: str) -> str:
    """Import with --apply and expect a refusal: the console's lines; nothing written."""
    before = counts()
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", str(path), "--apply", stdout=out)
    assert counts() == before
    # The preview alone is refused too (exit status 1).
    with pytest.raises(CommandError, match="nothing can be imported"):
        call_command("import", str(path), stdout=io.StringIO())
    return out.getvalue()


# ---------------------------------------------------------------- the example and the seed


def test_the_example_is_the_seed_exported() -> None:
    load_plan_file(SEED)
    assert to_csv(plan_rows(Plan.objects.get())) == EXAMPLE.read_bytes()


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("plan.csv", lambda rows: csv_bytes(rows, "utf-8")),
        ("plan-bom.csv", lambda rows: csv_bytes(rows, "utf-8-sig")),
        ("plan-sjis.csv", lambda rows: csv_bytes(rows, "cp932")),
        ("plan.xlsx", to_xlsx),
    ],
)
def test_the_example_imports_as_the_seed_tree(tmp_path: Path, name: str, encode) -> None:
    data = encode(example_rows())
    preview = import_preview(data, name, actor=None)
    assert preview.importer == "plan-structure" and preview.ok, preview.all_problems
    assert preview.count(RowStatus.NEW) == 13  # the plan and its 12 nodes
    assert not preview.count(RowStatus.CHANGED)
    assert Node.objects.count() == 0  # a preview writes nothing

    output = run_import(tmp_path, name, data, "--apply")
    assert "kawasaki-frontier-3" in output
    imported = tree()
    assert len(imported) == 12 and Target.objects.count() == 50
    measure = Level.objects.get(key="measure")
    assert measure.rated and measure.kind == "measure"
    dimension = Dimension.objects.get(level=measure)
    assert dimension.primary and dimension.scale.code == "kawasaki-achievement"
    assert list(dimension.scale.levels.values_list("code", "adverse")) == [
        ("1", False),
        ("2", False),
        ("3", False),
        ("4", True),
        ("5", True),
    ]
    assert not Dimension.objects.filter(level__key="project").exists()  # （評価:-）

    # Importing again changes nothing.
    again = import_preview(data, name, actor=None)
    assert again.ok and not again.changed and again.count(RowStatus.UNCHANGED) == 13
    # The seed loaded over it is the same tree, and the sheet has nothing to change on it.
    load_plan_file(SEED)
    assert tree() == imported
    assert not import_preview(data, name, actor=None).changed


def test_a_spreadsheet_application_reads_the_xlsx(tmp_path: Path) -> None:
    """LibreOffice opens the exported xlsx; its CSV and its own xlsx import as the same tree."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (bin/setup installs libreoffice-calc as root)")
    source = tmp_path / "structure.xlsx"
    source.write_bytes(to_xlsx(example_rows()))
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    for target, out in (("csv:Text - txt - csv (StarCalc):44,34,76,1", "csv"), ("xlsx", "lo")):
        outdir = tmp_path / out
        subprocess.run(
            [office, profile, "--headless", "--convert-to", target, "--outdir", str(outdir), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    from_csv = (tmp_path / "csv/structure.csv").read_bytes()
    from_lo = (tmp_path / "lo/structure.xlsx").read_bytes()
    assert list(csv.reader(io.StringIO(from_csv.decode("utf-8"), newline=""))) == example_rows()

    run_import(tmp_path, "from-libreoffice.csv", from_csv, "--apply")
    imported = tree()
    assert len(imported) == 12
    preview = import_preview(from_lo, "from-libreoffice.xlsx", actor=None)
    assert preview.ok and not preview.changed, preview.all_problems


def test_the_structure_command_writes_the_example_and_templates(tmp_path: Path) -> None:
    load_plan_file(SEED)
    call_command(
        "structure", "--plan", "kawasaki-frontier-3", "-o", str(tmp_path / "s.csv"), stdout=io.StringIO()
    )
    assert (tmp_path / "s.csv").read_bytes() == EXAMPLE.read_bytes()
    call_command(
        "structure", "--plan", "kawasaki-frontier-3", "-o", str(tmp_path / "s.xlsx"), stdout=io.StringIO()
    )
    assert not import_preview((tmp_path / "s.xlsx").read_bytes(), "s.xlsx", actor=None).changed

    call_command("structure", "--years", "2024-2027", "-o", str(tmp_path / "t.xlsx"), stdout=io.StringIO())
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    heading = [cell.value for cell in sheet[1]]
    assert heading == template_rows(2024, 2027)[0]
    assert "階層3:施策計画（評価）:コード" in heading and "2028年度以降" in heading
    with pytest.raises(CommandError, match="either --plan"):
        call_command("structure", "-o", str(tmp_path / "t.csv"))
    with pytest.raises(CommandError, match="no plan"):
        call_command("structure", "--plan", "nope", "-o", str(tmp_path / "t.csv"))


# ---------------------------------------------------------------- a small plan

HEAD = [
    "計画コード",
    "計画名",
    "開始年度",
    "終了年度",
    "階層1:分野:コード",
    "階層1:分野:名称",
    "階層2:施策（評価）:コード",
    "階層2:施策:名称",
    "概要",
    "所管課",
    "2011年度目標",
    "2012年度目標",
    "2013年度目標",
    "2014年度以降",
]


def line(
    l1: tuple[str, str] = ("", ""),
    l2: tuple[str, str] = ("", ""),
    *,
    plan: tuple[str, str, str, str] = ("", "", "", ""),
    summary: str = "",
    units: str = "",
    years: tuple[str, str, str, str] = ("", "", "", ""),
) -> list[str]:
    return [*plan, *l1, *l2, summary, units, *years]


PLAN = ("t", "テスト計画", "2011", "2013")


def small() -> list[list[str]]:
    return [
        list(HEAD),
        line(("1", "市民自治"), plan=PLAN),
        line(
            ("1", ""),
            ("1-1", "協働型事業の推進"),
            summary="協働型事業を進めます。",
            units="協働推進課",
            years=("●ルールの運用\n●説明会の開催", "同左", "●検証", "事業推進"),
        ),
        line(years=("●モデル事業", "", "", "")),  # a second row of targets
        line(("", ""), ("1-2", "市民活動の支援"), units="協働推進課、企画調整課"),
    ]


def test_a_small_plan_imports_with_new_units_and_the_default_scale(tmp_path: Path) -> None:
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")
    plan = Plan.objects.get(code="t")
    assert (plan.first_year, plan.last_year, plan.onwards) == (2011, 2013, True)
    assert list(plan.levels.values_list("key", "kind", "name", "rated")) == [
        ("plan", "plan", "分野", False),
        ("measure", "measure", "施策", True),
    ]
    dimension = Dimension.objects.get(plan=plan)
    assert dimension.scale.code == DEFAULT_SCALE_CODE and dimension.scale.levels.count() == 5
    measure = Node.objects.get(code="1-1")
    assert measure.parent is not None and measure.parent.code == "1"
    assert [
        (t.row, t.start_year, t.end_year, t.open_end, t.text)
        for t in measure.targets.order_by("row", "start_year", "position")
    ] == [
        (1, 2011, 2012, False, "●ルールの運用"),
        (1, 2011, 2012, False, "●説明会の開催"),
        (1, 2013, 2013, False, "●検証"),
        (1, 2014, 2014, True, "事業推進"),
        (2, 2011, 2011, False, "●モデル事業"),
    ]
    unit = OrgUnit.objects.get(name="協働推進課")
    assert unit.code == new_unit_code("協働推進課") and unit.kind == "section"
    assert sorted(Node.objects.get(code="1-2").units.values_list("name", flat=True)) == [
        "企画調整課",
        "協働推進課",
    ]
    # Again: nothing to change; no unit made twice.
    assert not import_preview(csv_bytes(small()), "small.csv", actor=None).changed
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")
    assert OrgUnit.objects.count() == 2


def test_one_edited_title_is_one_change_and_keeps_the_rest(tmp_path: Path) -> None:
    load_plan_file(SEED)
    notes = dict(Target.objects.values_list("pk", "note"))
    results = list(Result.objects.values_list("pk", "text"))
    rows = example_rows()
    index = next(i for i, row in enumerate(rows) if "9-3-2" in row)
    title_column = rows[0].index("階層3:施策計画:名称")
    rows[index][title_column] = "区民会議の運営"
    data = csv_bytes(rows)

    preview = import_preview(data, "edited.csv", actor=None)
    assert preview.ok
    changed = [row for row in preview.rows if row.status == RowStatus.CHANGED]
    assert len(changed) == 1 and not preview.count(RowStatus.NEW) and not preview.count(RowStatus.REMOVED)
    (change,) = changed[0].changes
    assert (change.field, change.label, change.before, change.after) == (
        "title",
        "階層3:施策計画:名称",
        "区民会議の運営(各区)",
        "区民会議の運営",
    )
    assert changed[0].where == Where("edited.csv", "", index + 1)
    output = run_import(tmp_path, "edited.csv", data, "--apply")
    assert "1 changed" in output
    assert Node.objects.get(code="9-3-2").title == "区民会議の運営"
    # Targets, their notes and the results are untouched.
    assert dict(Target.objects.values_list("pk", "note")) == notes
    assert list(Result.objects.values_list("pk", "text")) == results
    assert Rating.objects.count() == 16


# ---------------------------------------------------------------- identities as written


def units_cell(rows: list[list[str]], code: str) -> tuple[int, int]:
    """(row index, column index) of the 所管課 cell of the node ``code``."""
    column = rows[0].index("所管課")
    index = next(i for i, row in enumerate(rows) if code in row)
    return index, column


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_unchanged_export_imports_as_no_change_at_all(suffix: str) -> None:
    world = make_widths_plan()
    before = widths_state()
    rows = plan_rows(world.plan)
    data = to_csv(rows) if suffix == "csv" else to_xlsx(rows)

    preview = import_preview(data, f"structure.{suffix}", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert [
        (row.subject, row.status.value, [(c.label, c.before, c.after) for c in row.changes])
        for row in preview.rows
        if row.status != RowStatus.UNCHANGED or row.changes
    ] == []
    assert not preview.changed
    result = import_apply(data, f"structure.{suffix}", actor=None)
    assert "nothing to change" in result.summary
    assert widths_state() == before
    # Exported again: the same sheet.
    assert plan_rows(world.plan) == rows


def test_a_unit_named_in_another_width_is_a_new_unit_exactly_as_written() -> None:
    world = make_widths_plan()
    existing = OrgUnit.objects.create(code="t-general", name="(テスト)総務課")
    rows = plan_rows(world.plan)
    row, column = units_cell(rows, "9-1-2")
    rows[row][column] = "（テスト）総務課"  # no code: a name, in full width
    data = csv_bytes(rows)

    preview = import_preview(data, "units.csv", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    new = [r for r in preview.rows if r.status == RowStatus.NEW]
    assert [r.subject for r in new] == [
        "unit （テスト）総務課 (new: its name differs from the existing unit (テスト)総務課, "
        "code t-general, only in the width of its characters; write that unit's code to mean it)"
    ]
    assert new[0].where == Where("units.csv", "", row + 1, get_column_letter(column + 1), "所管課")
    (node_row,) = [r for r in preview.rows if r.status == RowStatus.CHANGED]
    assert node_row.subject == "9-1-2 市民活動の支援"
    assert [(c.label, c.before, c.after) for c in node_row.changes] == [
        ("所管課", "(テスト)地域づくり担当課、企画 調整課", "（テスト）総務課")
    ]

    import_apply(data, "units.csv", actor=None)
    made = OrgUnit.objects.get(name="（テスト）総務課")
    assert made.code == new_unit_code("（テスト）総務課")
    existing.refresh_from_db()
    assert existing.name == "(テスト)総務課" and not existing.nodes.exists()
    assert list(Node.objects.get(code="9-1-2").units.all()) == [made]
    # Every other unit keeps its name and its measures.
    assert world.community.nodes.get().code == "９－１－１"
    assert sorted(world.ward.nodes.values_list("code", flat=True)) == ["９－１－１", "９－１－３"]


def test_a_code_in_full_width_is_a_name_not_the_unit_of_that_code() -> None:
    world = make_widths_plan()
    rows = plan_rows(world.plan)
    row, column = units_cell(rows, "9-1-2")
    rows[row][column] = "ｔ－ｓｐａｃｅｄ"
    preview = import_preview(csv_bytes(rows), "units.csv", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert [r.subject for r in preview.rows if r.status == RowStatus.NEW] == ["unit ｔ－ｓｐａｃｅｄ"]


def test_a_node_code_is_matched_exactly_as_written() -> None:
    world = make_widths_plan()
    rows = plan_rows(world.plan)
    index = next(i for i, row in enumerate(rows) if "９－１－３" in row)
    column = rows[index].index("９－１－３")
    rows[index][column] = "9-1-3"  # the code in its NFKC form: another node
    preview = import_preview(csv_bytes(rows), "codes.csv", actor=None)
    assert preview.ok, [str(problem) for problem in preview.all_problems]
    assert [(r.subject, r.status) for r in preview.rows if r.status != RowStatus.UNCHANGED] == [
        ("9-1-3 区役所ABC", RowStatus.NEW),
        ("９－１－３ 区役所ＡＢＣ", RowStatus.REMOVED),
    ]


def test_outline_and_list_layouts_give_the_same_tree(tmp_path: Path) -> None:
    """Ancestors left empty (an outline), or repeated with their titles (a list without rows
    of their own): the same tree."""
    listed = [
        HEAD,
        line(("1", "市民自治"), ("1-1", "協働型事業の推進"), plan=PLAN),
        line(("1", "市民自治"), ("1-2", "市民活動の支援")),
        line(("2", "区役所"), ("2-1", "区役所機能の強化")),
    ]
    outline = [
        HEAD,
        line(("1", "市民自治"), plan=PLAN),
        line(l2=("1-1", "協働型事業の推進")),
        line(l2=("1-2", "市民活動の支援")),
        line(("2", "区役所")),
        line(l2=("2-1", "区役所機能の強化")),
    ]
    run_import(tmp_path, "listed.csv", csv_bytes(listed), "--apply")
    first = tree("t")
    assert [row[:3] for row in first] == [
        ("1", None, 0),
        ("1-1", "1", 1),
        ("1-2", "1", 1),
        ("2", None, 0),
        ("2-1", "2", 1),
    ]
    preview = import_preview(csv_bytes(outline), "outline.csv", actor=None)
    assert preview.ok and not preview.changed


ENGLISH = [
    "plan code",
    "plan title",
    "first year",
    "last year",
    "level 1: 分野: code",
    "level 1: 分野: title",
    "level 2: 施策 (rated): code",
    "level 2: 施策: title",
    "summary",
    "units",
    "FY2011 target",
    "FY2012 target",
    "FY2013 target",
    "FY2014 onwards",
]


def test_english_headings_read_the_same(tmp_path: Path) -> None:
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")
    english = [ENGLISH, *small()[1:]]
    preview = import_preview(csv_bytes(english), "english.csv", actor=None)
    assert preview.ok and not preview.changed, [str(p) for p in preview.all_problems]


def test_levels_renamed_and_rated_flags(tmp_path: Path) -> None:
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")
    rows = small()
    rows[0][4:6] = ["階層1:政策分野:コード", "階層1:政策分野:名称"]
    preview = import_preview(csv_bytes(rows), "renamed.csv", actor=None)
    assert preview.ok
    (header,) = [row for row in preview.rows if row.status == RowStatus.CHANGED]
    assert [(c.label, c.before, c.after) for c in header.changes] == [("level 1", "分野", "政策分野")]
    run_import(tmp_path, "renamed.csv", csv_bytes(rows), "--apply")
    assert Level.objects.get(plan__code="t", depth=0).name == "政策分野"

    # A rated level with results stays rated.
    add_result(Node.objects.get(code="1-1"), 2011, "・実施しました。")
    rows[0][6] = "階層2:施策:コード"
    rows[0][4] = "階層1:政策分野（評価）:コード"
    output = refused(tmp_path, "unrated.csv", csv_bytes(rows))
    assert "unrated.csv, row 1, column G (階層2:施策:コード): The level 施策 has results" in output
    # A heading naming another scale than the level's.
    rows = small()
    rows[0][6] = "階層2:施策（評価:other）:コード"
    output = refused(tmp_path, "scale.csv", csv_bytes(rows))
    assert "is rated on the scale achievement-5; its heading names other" in output


def test_a_heading_row_alone_is_refused(tmp_path: Path) -> None:
    output = refused(tmp_path, "template.csv", to_csv(template_rows(2024, 2027)))
    assert "template.csv, row 1: The file has a heading row but no rows of nodes." in output


def test_merged_cells_span_years_in_xlsx(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "structure"
    for row in small()[:3]:
        sheet.append([value or None for value in row])
    sheet["L3"] = None  # the 同左 of 2012 becomes a merged cell
    sheet.merge_cells("K3:L3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    run_import(tmp_path, "merged.xlsx", buffer.getvalue(), "--apply")
    spans = Target.objects.filter(node__code="1-1").values_list("start_year", "end_year")
    assert (2011, 2012) in list(spans)


def test_a_node_left_out_is_removed_unless_it_has_results(tmp_path: Path) -> None:
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")
    shorter = small()[:4]
    preview = import_preview(csv_bytes(shorter), "shorter.csv", actor=None)
    assert preview.ok
    (removed,) = [row for row in preview.rows if row.status == RowStatus.REMOVED]
    assert removed.subject == "1-2 市民活動の支援"

    add_result(Node.objects.get(code="1-2"), 2011, "・実施しました。")
    output = refused(tmp_path, "shorter.csv", csv_bytes(shorter))
    assert "1-2 市民活動の支援 is not in the file, but it has" in output
    run_import(tmp_path, "small.csv", csv_bytes(small()), "--apply")  # all rows: fine
    assert Result.objects.count() == 1


def test_moving_nodes_between_parents_and_levels(tmp_path: Path) -> None:
    head = [*HEAD[:8], "階層3:事業:コード", "階層3:事業:名称", *HEAD[8:]]

    def row(l1=("", ""), l2=("", ""), l3=("", ""), plan=("", "", "", "")):
        return [*plan, *l1, *l2, *l3, "", "", "", "", "", ""]

    first = [
        head,
        row(("1", "A"), plan=PLAN),
        row(l2=("x", "X")),
        row(l3=("y", "Y")),
        row(("2", "B")),
    ]
    run_import(tmp_path, "first.csv", csv_bytes(first), "--apply")
    # y moves up to level 2 under 2, x moves down under it.
    second = [
        head,
        row(("1", "A"), plan=PLAN),
        row(("2", "B")),
        row(l2=("y", "Y")),
        row(l3=("x", "X")),
    ]
    run_import(tmp_path, "second.csv", csv_bytes(second), "--apply")
    assert [row[:3] for row in tree("t")] == [("1", None, 0), ("2", None, 0), ("y", "2", 1), ("x", "y", 2)]
    for node in Node.objects.all():
        expected = "/".join(str(pk) for pk in [*_ancestor_ids(node), node.pk])
        assert node.path == f"/{expected}/"
    assert not import_preview(csv_bytes(second), "second.csv", actor=None).changed


def _ancestor_ids(node: Node) -> list[int]:
    ids = []
    parent = node.parent
    while parent is not None:
        ids.insert(0, parent.pk)
        parent = parent.parent
    return ids


# ---------------------------------------------------------------- refusals, each with a real file


def example_xlsx() -> bytes:
    return to_xlsx(example_rows())


def test_a_file_that_is_not_xlsx_whatever_its_name_says(tmp_path: Path) -> None:
    output = refused(tmp_path, "plan.xlsx", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    assert "plan.xlsx" in output and "not a file Shinchoku can import" in output
    # A structure CSV named .xlsx is read by its content, and refused for the name it wears.
    output = refused(tmp_path, "plan2.xlsx", EXAMPLE.read_bytes())
    assert "plan2.xlsx: The file is named plan2.xlsx but is not an Excel workbook" in output
    # A ZIP archive that is not a workbook.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "計画コード,階層1:プラン:コード")
    refused(tmp_path, "plan3.xlsx", buffer.getvalue())


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    """A workbook with a member that unpacks to 150 MB of zeros (a few hundred kB packed)."""
    buffer = io.BytesIO(example_xlsx())
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/media/image1.png", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(150):
            member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    output = refused(tmp_path, "bomb.xlsx", data)
    assert "bomb.xlsx: The workbook would unpack to" in output and "unsafe" in output


def test_a_macro_workbook_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO(example_xlsx())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    output = refused(tmp_path, "macro.xlsx", buffer.getvalue())
    assert "macro.xlsx: The workbook contains macros" in output


def test_a_file_over_10_mb_is_refused(tmp_path: Path) -> None:
    rows = small()
    rows[2][HEAD.index("概要")] = "あ" * (4 * 1024 * 1024)  # 12 MB in UTF-8
    data = csv_bytes(rows)
    assert len(data) > 10 * 1024 * 1024
    output = refused(tmp_path, "big.csv", data)
    assert "big.csv: The file is 10.0 MB; at most 10 MB can be imported." in output


def test_a_formula_is_refused_with_its_cell(tmp_path: Path) -> None:
    workbook = load_workbook(io.BytesIO(example_xlsx()))
    sheet = workbook.active
    assert sheet is not None
    sheet["K4"] = '=CONCATENATE("協働","型")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    output = refused(tmp_path, "formula.xlsx", buffer.getvalue())
    assert "formula.xlsx, sheet 構造, row 4, column K: The cell holds a formula" in output


def test_a_date_where_a_code_belongs_is_refused(tmp_path: Path) -> None:
    import datetime

    workbook = load_workbook(io.BytesIO(example_xlsx()))
    sheet = workbook.active
    assert sheet is not None
    sheet["H3"] = datetime.date(2025, 9, 1)  # "9-1" as Excel reads it
    buffer = io.BytesIO()
    workbook.save(buffer)
    output = refused(tmp_path, "date.xlsx", buffer.getvalue())
    assert "date.xlsx, sheet 構造, row 3, column H: The cell holds a date" in output


def test_undecodable_csv_names_the_line(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes()
    lines = data.split(b"\r\n")
    lines[2] = b"\xff\xfe" + lines[2]
    output = refused(tmp_path, "broken.csv", b"\r\n".join(lines))
    assert "broken.csv: Line 3 cannot be read: the bytes FF are not valid UTF-8" in output

    sjis = csv_bytes(example_rows(), "cp932").split(b"\r\n")
    sjis[1] = sjis[1] + b",\x81 "  # a lead byte without its second byte
    output = refused(tmp_path, "broken-sjis.csv", b"\r\n".join(sjis))
    assert "Line 2 cannot be read: the bytes 81 are not valid Shift_JIS (CP932)" in output


ERRORS = [
    (
        "missing code",
        lambda rows: rows.__setitem__(4, line(l2=("", "市民活動の支援"))),
        (5, "G", "階層2:施策（評価）:コード"),
        "The node's code is missing.",
    ),
    (
        "duplicate code",
        lambda rows: rows.__setitem__(4, line(l2=("1-1", "市民活動の支援"))),
        (5, "G", "階層2:施策（評価）:コード"),
        "The code 1-1 is also used in row 3",
    ),
    (
        "child before parent",
        lambda rows: rows.extend([line(("2", ""), ("2-1", "子")), line(("2", "親"))]),
        (6, "E", "階層1:分野:コード"),
        "Child before parent: 2 is described in row 7",
    ),
    (
        "parent missing",
        lambda rows: rows.append(line(("3", ""), ("3-1", "子"))),
        (6, "E", "階層1:分野:コード"),
        "Parent missing: no row describes 3",
    ),
    (
        "inconsistent level columns",
        lambda rows: rows.append(line(("1", "違う名前"), ("1-3", "子"))),
        (6, "F", "階層1:分野:名称"),
        "Inconsistent level columns: the title differs from row 2",
    ),
    (
        "a year outside the period",
        lambda rows: (rows[1].__setitem__(3, "2012"), rows[2].__setitem__(13, "")),
        (3, "M", "2013年度目標"),
        "Year outside the period: 2013 is not within the plan's years 2011–2012.",
    ),
    (
        "a title too long",
        lambda rows: rows[4].__setitem__(7, "長" * 301),
        (5, "H", "階層2:施策:名称"),
        "Longer than 300 characters.",
    ),
    (
        "a bad unit",
        lambda rows: rows[4].__setitem__(9, "no-such-unit"),
        (5, "J", "所管課"),
        "Bad unit: no unit has the code no-such-unit",
    ),
    (
        "同左 after an empty cell",
        lambda rows: rows.append(line(l2=("1-3", "子"), years=("", "同左", "", ""))),
        (6, "L", "2012年度目標"),
        "同左 continues the cell on its left, but that cell is empty.",
    ),
    (
        "a node's column in a row of targets",
        lambda rows: rows[3].__setitem__(8, "概要"),
        (4, "I", "概要"),
        "A row without a node's code holds only further targets",
    ),
    (
        "an unknown heading",
        lambda rows: rows[0].__setitem__(8, "備考"),
        (1, "I", "備考"),
        "Unknown heading '備考'",
    ),
    (
        "a plan code that is not a code",
        lambda rows: rows[1].__setitem__(0, "テスト"),
        (2, "A", "計画コード"),
        "A plan code is at most 64 ASCII letters",
    ),
    (
        "a second plan",
        lambda rows: rows[4].__setitem__(0, "u"),
        (5, "A", "計画コード"),
        "A file holds one plan",
    ),
    (
        "a level without its title column",
        lambda rows: rows[0].__setitem__(7, ""),
        (1, "G", "階層2:施策（評価）:コード"),
        "Level 2 needs two columns",
    ),
]


@pytest.mark.parametrize(("case", "edit", "where", "message"), ERRORS, ids=[case[0] for case in ERRORS])
def test_each_problem_is_named_where_it_stands(tmp_path: Path, case, edit, where, message) -> None:
    rows = small()
    edit(rows)
    data = csv_bytes(rows)
    preview = import_preview(data, "bad.csv", actor=None)
    assert preview.importer == "plan-structure"
    assert not preview.ok
    row, column, heading = where
    located = [p for p in preview.all_problems if message in p.message]
    assert located, [str(p) for p in preview.all_problems]
    assert located[0].where == Where("bad.csv", "", row, column, heading)
    output = refused(tmp_path, "bad.csv", data)
    assert f"bad.csv, row {row}, column {column} ({heading}): {message}" in output


def test_the_same_problems_in_xlsx_name_the_sheet(tmp_path: Path) -> None:
    rows = small()
    rows[4][7] = "長" * 301
    output = refused(tmp_path, "bad.xlsx", to_xlsx(rows))
    assert "bad.xlsx, sheet 構造, row 5, column H (階層2:施策:名称): Longer than 300 characters." in output


def test_only_an_administrator_imports_a_structure(tmp_path: Path) -> None:
    data = csv_bytes(small())
    editor = make_staff("editor", unit=make_unit())
    preview = import_preview(data, "small.csv", actor=editor)
    assert [p.message for p in preview.problems] == [
        "Only a planning administrator may import a plan's structure."
    ]
    with pytest.raises(ImportRefused):
        import_apply(data, "small.csv", actor=editor)
    assert not Plan.objects.exists()
    path = tmp_path / "small.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import", str(path), "--apply", "--user", editor.username, stdout=io.StringIO())
    admin = make_staff("administrator")
    import_apply(data, "small.csv", actor=admin)
    assert Plan.objects.filter(code="t").exists()


def test_sniffing_claims_structures_only() -> None:
    importer = PlanStructureImporter()
    assert importer.sniff(EXAMPLE.read_bytes(), "x.csv")
    assert importer.sniff(csv_bytes(example_rows(), "cp932"), "x.csv")
    assert importer.sniff(example_xlsx(), "x.xlsx")
    assert not importer.sniff(b'{"schema_version": "1.0", "plans": []}', "計画コード.json")
    assert not importer.sniff(b"code,title\n1,a\n", "x.csv")
    # An entry workbook carries a very hidden sheet named shinchoku: not a structure.
    workbook = load_workbook(io.BytesIO(example_xlsx()))
    marker = workbook.create_sheet("shinchoku")
    marker.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert not importer.sniff(buffer.getvalue(), "x.xlsx")


def test_headings_in_english_and_japanese() -> None:
    assert classify_heading("plan code", 0).kind == "plan_code"  # type: ignore[union-attr]
    level = classify_heading("Level 3: measure (rated: five): code", 0)
    assert level is not None and (level.kind, level.depth, level.level_name, level.rated, level.scale) == (
        "level_code",
        2,
        "measure",
        True,
        "five",
    )
    assert classify_heading("階層２：施策（評価）：名称", 0).kind == "level_title"  # type: ignore[union-attr]
    for text, year, onwards in [
        ("2011年度目標", 2011, False),
        ("2011(平成23)年度", 2011, False),
        ("平成24年度目標", 2012, False),
        ("2014年度以降", 2014, True),
        ("FY2012 target", 2012, False),
        ("2014 onwards", 2014, True),
    ]:
        heading = classify_heading(text, 0)
        assert heading is not None and (heading.kind, heading.year, heading.onwards) == (
            "year",
            year,
            onwards,
        )
    assert classify_heading("備考", 0) is None


def test_split_items_at_bullets() -> None:
    assert split_items("●a\n①x\n●b") == ["●a\n①x", "●b"]
    assert split_items("事業推進") == ["事業推進"]
    assert split_items("a\n\n●b\n") == ["a", "●b"]


# ---------------------------------------------------------------- properties

CODES = ["1", "2", "1-1", "1-2", "2-1", "x/y", "", " ", "9"]
TEXTS = [
    "",
    "同左",
    "←",
    "●a\n●b",
    "事業推進",
    "市民自治",
    "長" * 301,
    "企画調整課",
    "no-unit",
    "○ 重点",
    "2011",
    "=1+1",
]
ODD = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=12,
)
CELL = st.one_of(
    st.none(),
    st.sampled_from(CODES),
    st.sampled_from(TEXTS),
    ODD,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)
HEADINGS = st.one_of(
    st.just(HEAD),
    st.lists(
        st.sampled_from(
            [*HEAD, "", "備考", "階層3:事業:コード", "階層3:事業:名称", "2010年度目標", "FY2015 target"]
        ),
        max_size=16,
    ),
)


@st.composite
def grids(draw: st.DrawFn) -> list[list[object]]:
    """A heading row (usually the right one), a first row that usually names a plan, then
    arbitrary rows of arbitrary lengths."""
    heading = draw(HEADINGS)
    plan = draw(
        st.one_of(
            st.just(["t", "計画", "2011", "2013"]),
            st.just(["u", "既存の計画", "2011", "2013"]),
            st.lists(CELL, min_size=4, max_size=4),
        )
    )
    first = [*plan, *draw(st.lists(CELL, max_size=12))]
    rows = draw(st.lists(st.lists(CELL, max_size=16), max_size=6))
    return [list(heading), first, *rows]


@st.composite
def plausible_grids(draw: st.DrawFn) -> list[list[object]]:
    """Grids in the layout, from a small vocabulary with some junk: many of them import."""
    some = st.sampled_from
    plan = draw(
        some(
            [
                ["t", "計画", "2011", "2013"],
                ["u", "既存の計画", "2011", "2013"],
                ["t", "計画", "2011", "2012"],
            ]
        )
    )
    first = [*plan, "1", draw(some(["分野A", "分野B"])), *([""] * 10)]
    # Mostly good values, now and then a wrong one.
    row = st.tuples(
        st.tuples(some(["", "", "", "", "1", "2", "1-1"]), some(["", "", "", "", "分野A", "分野C"])),
        st.tuples(
            some(["", "1-1", "1-2", "2-1", "2-2", "1"]), some(["施策", "施策", "施策B", "", "長" * 301])
        ),
        some(["", "", "概要", "○"]) | ODD,
        some(["", "", "", "企画調整課", "協働推進課、企画調整課", "no-unit"]),
        st.lists(some(["", "", "", "●a", "●a\n●b", "同左", "事業推進", 2012]), min_size=4, max_size=4),
    ).map(lambda r: [*([""] * 4), *r[0], *r[1], r[2], r[3], *r[4]])
    return [list(HEAD), first, *draw(st.lists(row, max_size=6))]


def existing_plan() -> None:
    """Plan "u" with a measure that has a rated result: some grids update it."""
    run_data = csv_bytes(
        [
            HEAD,
            line(("1", "市民自治"), plan=("u", "既存の計画", "2011", "2013")),
            line(l2=("1-1", "協働型事業の推進"), years=("●a", "", "", "")),
        ]
    )
    import_apply(run_data, "u.csv", actor=None)
    add_result(Node.objects.get(plan__code="u", code="1-1"), 2012, "・実施")


def check_grid(data: bytes, name: str) -> None:
    with transaction.atomic():
        existing_plan()
        before = counts()
        preview = import_preview(data, name, actor=None)
        event("applied" if preview.ok else "refused")
        if preview.ok:
            import_apply(data, name, actor=None)
            again = import_preview(data, name, actor=None)
            assert again.ok and not again.changed, [str(p) for p in again.all_problems] + [
                f"{row.where}: {row.changes}" for row in again.rows if row.changes
            ]
        else:
            with pytest.raises(ImportRefused):
                import_apply(data, name, actor=None)
            assert counts() == before
        transaction.set_rollback(True)


def _text(value: object) -> str:
    return "" if value is None else str(value)


@settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids() | plausible_grids(), encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_arbitrary_csv_grids_never_crash_nor_half_write(grid: list[list[object]], encoding: str) -> None:
    data = csv_bytes([[_text(value) for value in row] for row in grid], encoding)
    check_grid(data, "grid.csv")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids() | plausible_grids())
def test_arbitrary_xlsx_grids_never_crash_nor_half_write(grid: list[list[object]]) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    try:
        for row in grid:
            sheet.append(row)
    except IllegalCharacterError:
        return  # openpyxl cannot write such a cell: no workbook holds it
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_grid(buffer.getvalue(), "grid.xlsx")


def test_a_parent_named_in_a_rows_level_columns_stands_where_its_code_is_written() -> None:
    rows = small()
    rows.append(line(("2", "都市基盤"), ("2-1", "道路の整備")))  # 2 has no row of its own
    preview = import_preview(csv_bytes(rows), "parent.csv", actor=None)
    assert preview.ok, [str(p) for p in preview.all_problems]
    where = {row.subject: row.where for row in preview.rows}
    assert where["2 都市基盤"] == Where("parent.csv", "", 6, "E", "階層1:分野:コード")
    assert where["2-1 道路の整備"] == Where("parent.csv", "", 6)
