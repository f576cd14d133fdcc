"""The targets of a fiscal year: those whose span holds the year, and the onwards column's
from its year on. One rule (``Target.covers``, ``Target.objects.covering``) that every
page, round, file and search asks; each of them is checked here on the year where the
onwards column matters: after the plan period was extended, 事業推進 (set for 2014年度以降)
still holds for FY2015, while ●ルールに基づく拡充 (2012–2013) does not."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shinchoku.errors import ErrorCode
from shinchoku.opendata.package import CSV_FOLDER
from shinchoku.plans.models import Node
from shinchoku.progress.models import Target
from shinchoku.review import services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Entry, EntryTarget, Round
from shinchoku.review.workbook.writer import ENTRY_SHEET, entry_workbook
from tests.factories import add_target, make_node, make_world
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

ONWARDS = "事業推進"  # 2014年度以降
SPAN = "●ルールに基づく拡充"  # 2012年度〜2013年度
FIRST_YEAR = "●ガイドラインの作成"  # 2011年度


# ------------------------------------------------------------------------- the rule


def test_a_target_covers_the_years_of_its_span_and_an_onwards_column_those_after() -> None:
    assert [Target.covers(2012, 2013, False, year) for year in (2011, 2012, 2013, 2014)] == [
        False,
        True,
        True,
        False,
    ]
    assert [Target.covers(2014, 2014, True, year) for year in (2013, 2014, 2016)] == [False, True, True]
    assert [Target.covers(2013, 2014, True, year) for year in (2012, 2013, 2014, 2015)] == [
        False,
        True,
        True,
        True,
    ]


def test_the_query_picks_the_targets_the_rule_names() -> None:
    world = make_world(first_year=2011, last_year=2016)
    area = make_node(world.area_level)
    node = make_node(world.measure_level, make_node(world.programme_level, area))
    spans = [(start, end) for start, end in itertools.product(range(2011, 2018), repeat=2) if start <= end]
    for start, end in spans:
        # Stored as they stand, the onwards flag whatever the period says (a period may change).
        for open_end in (False, True):
            Target.objects.create(node=node, start_year=start, end_year=end, open_end=open_end, text="t")
    stored = list(Target.objects.filter(node=node))
    for year in range(2010, 2020):
        expected = {t.pk for t in stored if Target.covers(t.start_year, t.end_year, t.open_end, year)}
        assert set(Target.objects.covering(year).values_list("pk", flat=True)) == expected, year
        through_nodes = Node.objects.filter(Target.covering_q(year, prefix="targets__"), pk=node.pk)
        assert through_nodes.exists() == bool(expected)


# -------------------------------------------------------------- where it is asked


@pytest.fixture
def extended() -> Cycle:
    """The FY2013 results round on プラン９ (tests.review.conftest), whose period was then
    extended to FY2015, with a results round for FY2015 open."""
    cycle = make_cycle(year=2013)
    plan = cycle.sample.plan
    plan.last_year = 2015
    plan.full_clean()
    plan.save()
    services.round_open(
        plan, 2015, Round.Kind.RESULTS, timezone.localdate() + timedelta(days=7), actor=cycle.admin
    )
    return cycle


def entry_of(cycle: Cycle, year: int, kind: str = Round.Kind.RESULTS) -> Entry:
    return Entry.objects.get(round__fiscal_year=year, round__kind=kind, node=cycle.sample.measure)


def test_the_search_finds_a_target_of_the_onwards_column_in_a_later_year(extended: Cycle) -> None:
    def found(query: str, year: int) -> list[str]:
        response = Client().get(reverse("portal:search"), {"q": query, "year": str(year), "kind": "targets"})
        assert response.status_code == 200
        page = response.content.decode()
        return [text for text in (ONWARDS, SPAN, FIRST_YEAR) if f"<mark>{text.lstrip('●')}" in page]

    assert found(ONWARDS, 2015) == [ONWARDS]
    assert found("ルールに基づく拡充", 2015) == []
    assert found("ルールに基づく拡充", 2013) == [SPAN]
    assert found("ルールに基づく拡充", 2011) == []
    assert found("ガイドラインの作成", 2011) == [FIRST_YEAR]


def test_the_entry_page_shows_the_targets_of_the_rounds_year(extended: Cycle) -> None:
    client = Client()
    client.force_login(extended.editor)
    page = client.get(reverse("staff:entry", args=[entry_of(extended, 2015).pk])).content.decode()
    assert ONWARDS in page and "2014年度以降" in page
    assert SPAN not in page and FIRST_YEAR not in page
    page = client.get(reverse("staff:entry", args=[extended.entry.pk])).content.decode()  # FY2013
    assert SPAN in page and ONWARDS not in page and FIRST_YEAR not in page


def test_a_targets_round_takes_revisions_of_the_targets_of_its_year_only(extended: Cycle) -> None:
    services.round_open(
        extended.sample.plan,
        2015,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=7),
        actor=extended.admin,
    )
    entry = entry_of(extended, 2015, Round.Kind.TARGETS)
    targets = extended.sample.measure.targets
    onwards, span = targets.get(text=ONWARDS), targets.get(text=SPAN)
    revision = {"revised_text": "●事業の見直し", "revision_reason": "制度改正のため"}
    with pytest.raises(ReviewError) as refused:
        services.entry_save(
            entry, {"targets": {span.pk: revision}}, actor=extended.editor, expected_version=1
        )
    assert refused.value.code == ErrorCode.INVALID
    assert not EntryTarget.objects.exists()
    services.entry_save(entry, {"targets": {onwards.pk: revision}}, actor=extended.editor, expected_version=1)
    assert list(EntryTarget.objects.values_list("target__text", "revised_text")) == [
        (ONWARDS, "●事業の見直し")
    ]


def test_the_entry_workbook_lists_the_targets_of_the_rounds_year(extended: Cycle) -> None:
    def targets_cell(year: int) -> str:
        workbook = entry_workbook(unit_code=extended.unit.code, year=year)
        sheet = load_workbook(io.BytesIO(workbook.content))[ENTRY_SHEET]
        headings = [cell.value for cell in sheet[1]]
        return str(sheet.cell(row=2, column=headings.index("当年度の目標") + 1).value)

    assert targets_cell(2015) == f"【2014年度以降】\n{ONWARDS}"
    assert targets_cell(2013) == f"【2012年度〜2013年度】\n{SPAN}"


def test_the_open_data_of_a_year_holds_the_targets_covering_it(extended: Cycle) -> None:
    plan = extended.sample.plan
    add_target(extended.sample.other_measure, 2015, 2015, "●講座の拡充")

    def target_texts(year: int) -> list[str]:
        response = Client().get(reverse("portal:opendata_year", args=[plan.code, year]))
        with zipfile.ZipFile(io.BytesIO(response.getvalue())) as bundle:
            rows = csv.DictReader(io.StringIO(bundle.read(f"{CSV_FOLDER}/targets.csv").decode()))
            return sorted(row["text"] for row in rows)

    assert target_texts(2015) == sorted([ONWARDS, "●講座の拡充"])
    assert target_texts(2011) == sorted([FIRST_YEAR, "●説明会の開催"])
