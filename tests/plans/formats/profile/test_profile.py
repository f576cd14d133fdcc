"""The profile itself: the shipped one reads, and a profile with a mistake is refused
whole, each problem naming the profile's line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from shinchoku.plans.formats.profile.profile import ProfileRefused, load_profile, read_profile
from tests.plans.formats.profile.workbooks import PROFILE

MINIMAL = """\
format: shinchoku-import-profile/1
heading_row: 1
first_row: 2
fiscal_year: 2024
plan:
  code: city
  title: 市の計画
  first_year: 2020
  last_year: 2025
  levels:
    - {key: area, name: 分野, code: [A], title: B}
    - {key: project, name: 事業, kind: project, rated: true, code: [C], title: D}
"""


def refusal(text: str) -> list[str]:
    with pytest.raises(ProfileRefused) as refused:
        load_profile(text.encode(), "city.yaml")
    return [f"{problem.where.name}: {problem.message}" for problem in refused.value.problems]


def test_the_shipped_profile_reads() -> None:
    profile = read_profile(PROFILE)
    assert [level.key for level in profile.levels] == ["seisaku", "shisaku", "kihon-jigyo", "jimu-jigyo"]
    assert [level.prefix for level in profile.levels] == [False, True, True, False]
    assert profile.judged_year == -1 and profile.amounts == "thousand"
    assert {column.letter for column in profile.personal} == {"V", "X", "Y", "Z"}
    assert profile.years is not None and len(profile.years.blocks) == 6
    assert [block.basis for block in profile.years.blocks] == ["actual"] * 5 + ["plan"]
    assert len(profile.dimensions) == 12


def test_a_minimal_profile_reads() -> None:
    profile = load_profile(MINIMAL.encode(), "city.yaml")
    assert profile.fiscal_year == 2024 and profile.deepest.key == "project"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("first_row: 2", "first_row: 1"), "line 3, first_row: The data starts below the heading row."),
        (("code: [C]", "code: [c3]"), "line 12, plan.levels[1].code[0]: 'c3' does not match '^[A-Z]{1,3}$'"),
        (
            ("title: D}", "title: B}"),
            "line 12, plan.levels[1].title: Column B is read already, at plan.levels[0].title: a column is read for one thing only.",
        ),
        (
            ("kind: project, ", "kind: projekt, "),
            "line 12, plan.levels[1].kind: 'projekt' is not one of ['plan', 'programme', 'measure', 'project', 'other']",
        ),
        (
            ("fiscal_year: 2024", "fiscal_year: {row: 1}"),
            "line 4, fiscal_year: Additional properties are not allowed ('row' was unexpected)",
        ),
        (
            ("format: shinchoku-import-profile/1", "format: other"),
            "line 1, format: This is not an import profile: format: shinchoku-import-profile/1 is expected.",
        ),
    ],
)
def test_a_mistake_names_its_line(change: tuple[str, str], expected: str) -> None:
    assert expected in refusal(MINIMAL.replace(*change))


def test_references_the_schema_cannot_check_are_checked() -> None:
    text = MINIMAL + (
        "  scales:\n"
        "    - {code: yesno, name: 可否, levels: [{code: '1', label: はい}, {code: '2', label: いいえ}]}\n"
        "  dimensions:\n"
        "    - {key: need, name: 必要性, scale: yesnp, column: E}\n"
        "    - {key: fit, name: 整合性, scale: yesno, column: F, values: {'0': '3'}}\n"
        "    - {key: area, name: 分野, level: area, scale: yesno, column: G}\n"
        "  sections:\n"
        "    - {key: memo, name: 備考, scope: node, builtin: text, column: H}\n"
        "node:\n"
        "  period: {start: I, section: nowhere}\n"
    )
    assert refusal(text) == [
        "line 16, plan.dimensions[0].scale: The profile defines no scale yesnp.",
        "line 17, plan.dimensions[1].values.0: The scale yesno has no level 3.",
        "line 20, plan.sections[0].builtin: text is not a section of the node scope.",
        "line 22, node.period.section: The plan defines no section nowhere of the node on its last level.",
        "line 18, plan.dimensions[2].level: Ratings are kept on a rated level.",
    ]


def test_year_blocks_are_checked_against_their_width_and_the_columns() -> None:
    text = MINIMAL + (
        "years:\n"
        "  first_column: D\n"
        "  width: 3\n"
        "  blocks: [{year: 0, basis: actual}, {fiscal_year: 2030, basis: plan}]\n"
        "  costs: {project_cost: 0, staff_cost: 3}\n"
    )
    assert refusal(text) == [
        "line 17, years.costs.staff_cost: The place 3 is outside a block of 3 columns.",
        "line 16, years.blocks[0]: This block runs into a column read already, at plan.levels[1].title.",
        "line 16, years.blocks[1].fiscal_year: 2030 is outside the plan's period.",
    ]


def test_yaml_that_cannot_be_read_names_its_line(tmp_path: Path) -> None:
    assert refusal("format: [unclosed\n") == [
        "line 2: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    path = tmp_path / "missing.yaml"
    with pytest.raises(ProfileRefused):
        read_profile(path)
