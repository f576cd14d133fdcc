"""What the measure page costs, and that making it cheaper changes nothing a reader sees.

The pages and reports of fixed data are compared with golden files kept in ``golden/``
(synthetic and demonstration data only); the page's queries are counted at one and many
years. To write the golden files again after a change that is meant to alter the output:

    SHINCHOKU_WRITE_GOLDEN=1 .venv/bin/pytest tests/portal/test_measure_cost.py

and read the difference (``git diff tests/portal/golden``) before keeping it.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shinchoku.plans.models import Node
from shinchoku.progress.models import Cost
from shinchoku.reports.render import render_html, report_json
from shinchoku.reports.selectors import report_build
from tests import factories
from tests.factories import (
    add_cost,
    add_indicator,
    add_result,
    add_sections,
    add_target,
    add_unit,
    make_every_table,
    make_node,
    make_sample,
    make_unit,
    make_world,
)
from tests.plans.costed import make_costed

from .test_queries import MAX_QUERIES

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("SHINCHOKU_WRITE_GOLDEN") == "1"
#: The report is dated by its data; fixed here so that a golden file does not age.
AS_OF = datetime.datetime(2013, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _numbered_from_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factories name what they make by a running number: from 1 in every test here,
    so that a page's plan names are the same whichever tests ran before."""
    monkeypatch.setattr(factories, "_numbers", itertools.count(1))


# ------------------------------------------------------------------ golden files


def _normalised(html: str) -> str:
    """Markup with every run of white space one space, and none between two tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _page_parts(html: str) -> str:
    """What the measure page's template draws: the title, the breadcrumb and the main
    content (the header and footer around them belong to every page)."""
    parts = [
        re.search(pattern, html, re.DOTALL)
        for pattern in (r"<title>.*?</title>", r'<nav class="breadcrumb".*?</nav>', r"<main\b.*?</main>")
    ]
    assert all(parts), "the page has a title, a breadcrumb and a main part"
    return "\n".join(_normalised(part.group()) for part in parts if part)


def _renumbered(text: str) -> str:
    """The report's anchors (``node-<id>``) numbered in order of first use: ids differ
    from one database to another."""
    numbers: dict[str, int] = {}
    return re.sub(r"node-(\d+)", lambda m: f"node-#{numbers.setdefault(m[1], len(numbers) + 1)}", text)


def _check(name: str, text: str) -> None:
    text = _renumbered(text)
    path = GOLDEN / name
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {name}: write it with SHINCHOKU_WRITE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8").rstrip("\n"), f"{name} differs from its golden file"


def _pages(client: Client, name: str, plan_code: str) -> None:
    """Every rated node's page of the plan, in Japanese and in English, against its golden file."""
    codes = Node.objects.filter(plan__code=plan_code, level__rated=True).order_by("code")
    assert codes, plan_code
    for node in codes:
        for lang in ("ja", "en"):
            with translation.override(lang):
                address = reverse("portal:node", args=[plan_code, node.code])
            response = client.get(address)
            assert response.status_code == 200, address
            _check(f"{name}/{node.code}.{lang}.html", _page_parts(response.content.decode()))


def _report(name: str, plan_code: str, year: int) -> None:
    """The report's view-model as the PDF is made from it, and its HTML, against their golden files."""
    with translation.override("ja"):
        document = dataclasses.replace(report_build(plan_code, year=year), as_of=AS_OF)
        _check(f"{name}/report-{year}.json", report_json(document))
        _check(f"{name}/report-{year}.html", _normalised(render_html(document)))


def _rich() -> str:
    """A measure with everything a sheet shows: sections of the plan's own, rows of
    targets with revisions, spans and notes, results with reasons and notes in two
    languages, indicators of two kinds, costs, markers, units and a project below it."""
    world = make_world(code="rich", first_year=2021, last_year=2024, projects=True)
    add_sections(world.plan, world.measure_level)
    area = make_node(world.area_level, code="1", title="安全で暮らしやすいまち", label="基本目標1")
    programme = make_node(world.programme_level, area, code="1-1", title="防災力の向上", label="施策1")
    measure = make_node(
        world.measure_level,
        programme,
        code="1-1-1",
        title="地域の防災訓練",
        summary="地域ぐるみの訓練を進めます。\n・自主防災組織の支援",
        baseline="●訓練の参加者が減っています。",
        note="Read from the 2024 sheet; the 現状 column was split over two pages.",
    )
    measure.markers.add(world.circle, world.priority)
    add_unit(measure, make_unit(code="bosai", name="危機管理課"))
    add_unit(measure, make_unit(code="ku-rich", name="区役所地域振興課"), role="related")
    make_node(world.project_level, measure, code="1-1-1-1", title="防災訓練の実施")
    make_node(world.project_level, measure, code="1-1-1-2", title="防災資機材の配備", position=2)
    add_target(measure, 2021, 2021, "●訓練の実施（10回）", position=1, note="原文は「10回程度」")
    add_target(measure, 2021, 2021, "●参加者の拡大", position=2)
    add_target(
        measure, 2022, 2024, "●訓練の充実", revised_text="●訓練の見直し", revision_reason="感染症対策のため"
    )
    add_target(measure, 2025, 2025, "事業推進", open_end=True)
    add_target(measure, 2022, 2023, "●資機材の更新", row=2)
    add_target(measure, 2023, 2023, "●備蓄の点検", row=2, position=1)
    for year, rating in ((2021, "3"), (2022, "4"), (2023, None)):
        result = add_result(
            measure,
            year,
            f"・{year}年度に訓練を実施しました。\n　・参加者は延べ500人でした。",
            rating=rating,
            context_change="・参加者が高齢化しています。" if year == 2022 else "",
            response="・若い世代に呼びかけます。" if year == 2022 else "",
            highlight=f"・{year}年度の要約",
            note="The rating was given by the planning division." if year == 2021 else "",
        )
        if rating:
            result.ratings.update(reason="計画どおり実施した" if rating == "3" else "")
    add_indicator(measure, "訓練の回数", "回", {2021: ("10", "12"), 2022: ("10", "8")}, kind="activity")
    add_indicator(
        measure,
        "参加者数",
        "人",
        {2021: ("500", "520"), 2022: ("600", "450"), 2023: ("600", "0")},
        kind="outcome",
        baseline_value=Decimal("480.5"),
        baseline_year=2020,
    )
    add_indicator(measure, "満足度", "", {}, kind="outcome", direction="lower")
    add_cost(measure, 2021, national=1_000_000, general=2_500_000, project_cost=3_500_000)
    add_cost(measure, 2022, general=2_000_000, project_cost=2_000_000, staff_cost=1_234_567)
    add_cost(measure, 2022, Cost.Basis.BUDGET, project_cost=2_500_000)
    add_cost(measure, 2023, Cost.Basis.BUDGET, project_cost=2_600_000)
    add_cost(measure, None, Cost.Basis.PLAN, project_cost=9_000_000)
    return world.plan.code


def _scenario_sample() -> str:
    return make_sample().plan.code


def _scenario_every_table() -> str:
    world = make_every_table()
    world.plan.code = "every"
    world.plan.save(update_fields=["code"])
    return world.plan.code


def _scenario_costed() -> str:
    costed = make_costed(measures=1)
    costed.plan.code = "costed"
    costed.plan.save(update_fields=["code"])
    return costed.plan.code


SCENARIOS: dict[str, Callable[[], str]] = {
    "sample": _scenario_sample,
    "every-table": _scenario_every_table,
    "costed": _scenario_costed,
    "rich": _rich,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_measure_pages_read_as_their_golden_files(client: Client, name: str) -> None:
    plan_code = SCENARIOS[name]()
    _pages(client, name, plan_code)


def test_the_demonstration_plan_s_pages_and_report_read_as_their_golden_files(client: Client) -> None:
    call_command("loaddemo")
    _pages(client, "demo", "kawasaki-frontier-3")
    _report("demo", "kawasaki-frontier-3", 2012)


def test_the_costed_and_rich_reports_read_as_their_golden_files() -> None:
    _report("costed", _scenario_costed(), 2022)
    _report("rich", _rich(), 2022)


# ------------------------------------------------------------------------ queries


def _queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context.captured_queries)


def _everything(world: factories.World, code: str, *, years: int) -> str:
    """A measure with something in every table its sheet reads, over ``years`` years."""
    area = make_node(world.area_level, code=f"{code}-a", title="基本目標")
    programme = make_node(world.programme_level, area, code=f"{code}-p", title="施策の柱")
    node = make_node(world.measure_level, programme, code=code, title="施策", summary="概要", note="出典")
    node.markers.add(world.circle, world.priority)
    add_unit(node, make_unit(code=f"unit-{code}", name="課"))
    assert world.project_level is not None
    make_node(world.project_level, node, code=f"{code}-1", title="事務事業")
    first = world.plan.first_year
    for year in range(first, first + years):
        add_target(node, year, year, f"目標{year}", revised_text="改", revision_reason="理由", note="注")
        result = add_result(node, year, "・結果", context_change="変化", note="注")
        result.ratings.update(reason="理由")
        add_cost(node, year, project_cost=1_000_000, staff_cost=500_000)
    values = {y: ("10", "9") for y in range(first, first + years)}
    add_indicator(node, "指標", "件", values, kind="outcome", baseline_value=Decimal(8), baseline_year=2010)
    add_indicator(node, "活動", "回", values, kind="activity")
    return reverse("portal:node", args=[world.plan.code, code])


#: The measure page's queries: the data version, the node, its plan's sections, its
#: targets, results, ratings, markers, units, indicators, their values, costs, the
#: dimensions of its level, its ancestors and children, the scale its chart draws; two
#: more for the texts of sections a plan defines without a field (of the node, of its results).
MEASURE_QUERIES = 14
OWN_SECTION_QUERIES = 2


@pytest.mark.parametrize("sections", [False, True], ids=["builtin sections", "sections of its own"])
def test_a_measure_page_costs_the_same_queries_for_1_or_10_years(client: Client, sections: bool) -> None:
    world = make_world(first_year=2011, last_year=2020, projects=True)
    if sections:
        add_sections(world.plan, world.measure_level)
    one_year = _everything(world, "one", years=1)
    ten_years = _everything(world, "ten", years=10)
    expected = MEASURE_QUERIES + (OWN_SECTION_QUERIES if sections else 0)
    assert _queries(client, one_year) == _queries(client, ten_years) == expected
    assert expected <= MAX_QUERIES["measure"]


def test_a_measure_with_nothing_reported_costs_fewer_queries(client: Client) -> None:
    """Nothing is read of the ratings of no results, nor of the values of no indicators."""
    world = make_world()
    make_node(world.measure_level, make_node(world.area_level, code="a"), code="empty", title="施策")
    assert _queries(client, reverse("portal:node", args=[world.plan.code, "empty"])) == MEASURE_QUERIES - 2
