"""A results entry carries what a section writes beyond the four texts: a reason per
rating, the texts of the plan's own sections of the year, and what the measure cost that
year. Typed figures are read by ``progress.amounts`` (full-width digits and separators
taken, negatives and non-numbers refused, naming the field); publishing makes them the
node's Cost, Rating.reason and ResultSectionText, and publishing again changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.plans.models import AmountUnit
from shinchoku.progress import amounts
from shinchoku.progress.models import Cost, Rating, ResultSectionText, StaffRate
from shinchoku.review import selectors, services
from shinchoku.review.errors import ReviewError
from shinchoku.review.models import Entry, EntryCost
from tests.factories import add_cost, add_sections
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

HOURLY = 4000


def make_costed_cycle() -> Cycle:
    """The FY2013 round on a plan that prints 千円, defines its sections (課題 of its own
    for each year) and sets an hourly staff cost for 2013."""
    cycle = make_cycle()
    plan = cycle.sample.plan
    plan.amount_unit = AmountUnit.THOUSAND
    plan.save()
    add_sections(plan, cycle.sample.measure_level)
    StaffRate.objects.create(plan=plan, fiscal_year=2013, hourly_cost=HOURLY)
    return cycle


def save(cycle: Cycle, data: dict[str, Any]) -> Entry:
    entry = cycle.fresh()
    return services.entry_save(entry, data, actor=cycle.editor, expected_version=entry.version)


def snapshot(entry: Entry) -> dict[str, str]:
    return selectors.snapshot_of(entry, selectors.frame_for(entry))


# ------------------------------------------------------------ reading figures


@pytest.mark.parametrize(
    ("typed", "unit", "kept"),
    [
        ("１２３", AmountUnit.YEN, 123),
        ("1,234", AmountUnit.YEN, 1234),
        ("１，２３４", AmountUnit.THOUSAND, 1_234_000),
        ("  12 ", AmountUnit.THOUSAND, 12_000),
        ("1.5", AmountUnit.THOUSAND, 1500),
        ("", AmountUnit.YEN, None),
    ],
)
def test_amounts_are_read_in_the_plans_unit_and_kept_in_yen(typed: str, unit: str, kept: int | None) -> None:
    assert amounts.read_figure("project_cost", typed, amount_unit=unit) == kept


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        ("project_cost", "-5", "is negative"),
        ("national", "abc", "is not a number"),
        ("project_cost", "1.5", "is not a whole number of yen"),
        ("staff_count", "1.234", "has more than two decimals"),
        ("staff_hours", "－３", "is negative"),
        ("general", "1,23", "is not a number"),
    ],
)
def test_a_bad_figure_is_refused_naming_the_field(name: str, typed: str, says: str) -> None:
    with translation.override("en"):
        with pytest.raises(amounts.FigureError) as refused:
            amounts.read_figure(name, typed, amount_unit=AmountUnit.YEN)
        assert says in str(refused.value)
        assert amounts.field_label(name) in str(refused.value)


def test_staff_figures_keep_two_decimals() -> None:
    assert amounts.read_figure("staff_count", "０．５", amount_unit=AmountUnit.YEN) == Decimal("0.50")
    assert amounts.figure_text(Decimal("1.50")) == "1.5"


# ------------------------------------------------------------------ services


def test_a_save_keeps_costs_reasons_and_sections_in_the_snapshot() -> None:
    cycle = make_costed_cycle()
    dimension = cycle.sample.dimension
    entry = save(
        cycle,
        {
            "text": "・実施しました。",
            "ratings": cycle.rating("3"),
            "rating_reasons": {dimension.pk: "計画どおり進んだため"},
            "sections": {"issues": "・担い手の確保"},
            "costs": {"project_cost": "１，２３４", "staff_hours": "100.5", "general": "1,000"},
        },
    )
    kept = snapshot(entry)
    assert kept["ratings.achievement.reason"] == "計画どおり進んだため"
    assert kept["sections.issues"] == "・担い手の確保"
    assert kept["costs.project_cost"] == "1234000"
    assert kept["costs.staff_hours"] == "100.5"
    cost = EntryCost.objects.get(entry=entry)
    assert (cost.project_cost, cost.general, cost.staff_cost) == (1_234_000, 1_000_000, None)


def test_a_negative_cost_is_refused_and_nothing_is_written() -> None:
    cycle = make_costed_cycle()
    before = cycle.fresh().version
    with pytest.raises(ReviewError) as refused:
        save(cycle, {"text": "・書いた", "costs": {"project_cost": "-5", "national": "x"}})
    assert set(refused.value.field_errors) == {"costs.project_cost", "costs.national"}
    assert cycle.fresh().version == before
    assert not EntryCost.objects.exists()


def test_a_reason_needs_its_rating() -> None:
    cycle = make_costed_cycle()
    with pytest.raises(ReviewError) as refused:
        save(cycle, {"rating_reasons": {cycle.sample.dimension.pk: "理由だけ"}})
    assert "ratings.achievement.reason" in refused.value.field_errors


def publish(cycle: Cycle) -> None:
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    services.round_publish(cycle.round, actor=cycle.admin)


def published_rows(cycle: Cycle) -> tuple[Any, ...]:
    node = cycle.sample.measure
    return (
        tuple(Cost.objects.filter(node=node).values_list("pk", "project_cost", "staff_cost", "total_cost")),
        tuple(Rating.objects.filter(result__node=node, result__fiscal_year=2013).values_list("pk", "reason")),
        tuple(ResultSectionText.objects.filter(result__node=node).values_list("pk", "section__key", "text")),
    )


def reopen_and_approve(cycle: Cycle) -> None:
    entry = cycle.fresh()
    services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="確認のため"
    )
    publish(cycle)


def test_publishing_writes_the_cost_reason_and_sections_and_again_changes_nothing() -> None:
    cycle = make_costed_cycle()
    save(
        cycle,
        {
            "text": "・実施しました。",
            "ratings": cycle.rating("3"),
            "rating_reasons": {cycle.sample.dimension.pk: "計画どおり"},
            "sections": {"issues": "・担い手の確保"},
            "costs": {"project_cost": "1,234", "staff_hours": "10.5"},
        },
    )
    publish(cycle)
    cost = Cost.objects.get(node=cycle.sample.measure, fiscal_year=2013, basis=Cost.Basis.ACTUAL)
    assert cost.project_cost == 1_234_000
    assert cost.staff_cost == 42_000  # 10.5 hours × 4,000 yen, priced when published
    assert cost.total_cost == 1_276_000
    rows = published_rows(cycle)
    assert rows[1][0][1] == "計画どおり"
    assert [(key, text) for _pk, key, text in rows[2]] == [("issues", "・担い手の確保")]
    reopen_and_approve(cycle)  # published again, unchanged
    assert published_rows(cycle) == rows

    entry = cycle.fresh()
    services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    save(cycle, {"rating_reasons": {cycle.sample.dimension.pk: "見直した"}, "sections": {"issues": ""}})
    publish(cycle)
    again = published_rows(cycle)
    assert again[1] == ((rows[1][0][0], "見直した"),)
    assert again[2] == ()


def test_a_cost_the_entry_never_had_is_kept_and_one_it_emptied_is_removed() -> None:
    cycle = make_costed_cycle()
    imported = add_cost(cycle.sample.measure, 2013, project_cost=5000)  # after the round opened
    save(cycle, {"text": "・実施しました。", "ratings": cycle.rating("3")})
    publish(cycle)
    assert Cost.objects.filter(pk=imported.pk, project_cost=5000).exists()

    entry = cycle.fresh()
    services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    save(cycle, {"costs": {"project_cost": "7"}})
    publish(cycle)
    assert Cost.objects.get(pk=imported.pk).project_cost == 7000
    entry = cycle.fresh()
    services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    save(cycle, {"costs": {"project_cost": ""}})
    publish(cycle)
    assert not Cost.objects.filter(node=cycle.sample.measure, fiscal_year=2013).exists()


def test_the_history_shows_a_cost_change_in_the_plans_unit() -> None:
    cycle = make_costed_cycle()
    save(cycle, {"costs": {"project_cost": "1,000"}})
    save(cycle, {"costs": {"project_cost": "１，２３４"}})
    with translation.override("ja"):
        last = selectors.entry_history(cycle.fresh())[-1]
        (change,) = last.changes
        assert change.label == "事業費（A）（千円）"
    assert (change.before, change.after) == ("1,000", "1,234")


def test_restoring_an_earlier_version_brings_its_cost_back() -> None:
    cycle = make_costed_cycle()
    save(cycle, {"costs": {"project_cost": "1,000"}})
    event = selectors.entry_history(cycle.fresh())[-1].event
    save(cycle, {"costs": {"project_cost": "2,000"}})
    entry = cycle.fresh()
    services.entry_restore(entry, event, actor=cycle.admin, expected_version=entry.version)
    assert EntryCost.objects.get(entry=cycle.entry).project_cost == 1_000_000


# ------------------------------------------------------------------ the form


def test_the_form_normalises_figures_and_puts_a_refusal_beside_its_field() -> None:
    cycle = make_costed_cycle()
    client = Client()
    client.force_login(cycle.editor)
    url = reverse("staff:entry", args=[cycle.entry.pk])
    dimension = cycle.sample.dimension
    page = client.get(url).content.decode()
    assert 'name="cost_project_cost"' in page and 'name="section_issues"' in page
    posted = {
        "version": cycle.fresh().version,
        "action": "save",
        "text": "・実施しました。",
        f"rating_{dimension.pk}": cycle.sample.ratings["3"].pk,
        f"reason_{dimension.pk}": "計画どおり",
        "section_issues": "・担い手",
        "cost_project_cost": "１，２３４",
        "cost_national": "-5",
    }
    refused = client.post(url, posted)
    assert refused.status_code == 400
    html = refused.content.decode()
    error_at = html.index('id="id_cost_national_error"')
    assert html.index('for="id_cost_national"') < error_at < html.index('name="cost_national"')
    assert "国庫支出金：「-5」は負の数です" in html[error_at : error_at + 200]
    assert not EntryCost.objects.exists()

    posted["cost_national"] = "５００"
    assert client.post(url, posted).status_code == 302
    kept = snapshot(cycle.fresh())
    assert kept["costs.project_cost"] == "1234000"
    assert kept["costs.national"] == "500000"
    assert kept["ratings.achievement.reason"] == "計画どおり"
    shown = client.get(url).content.decode()
    assert 'value="1,234"' in shown


def test_a_new_round_starts_from_the_published_reasons_sections_and_cost() -> None:
    cycle = make_costed_cycle()
    measure = cycle.sample.measure
    result = measure.results.get(fiscal_year=2012)
    result.ratings.update(reason="下回ったため")
    ResultSectionText.objects.create(
        result=result, section=measure.level.sections.get(key="issues"), text="・人手不足"
    )
    StaffRate.objects.create(plan=cycle.sample.plan, fiscal_year=2012, hourly_cost=HOURLY)
    add_cost(measure, 2012, project_cost=3000, staff_hours=Decimal(2))  # B priced: 8,000
    round_ = services.round_open(cycle.sample.plan, 2012, "results", cycle.round.deadline, actor=cycle.admin)
    entry = Entry.objects.get(round=round_, node=measure)
    kept = snapshot(entry)
    assert kept["ratings.achievement.reason"] == "下回ったため"
    assert kept["sections.issues"] == "・人手不足"
    assert kept["costs.project_cost"] == "3000"
    assert "costs.staff_cost" not in kept  # priced, so priced again when published
    created = selectors.entry_history(entry)[0]
    assert created.event.snapshot == kept
