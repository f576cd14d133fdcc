"""Model rules: what the database and the models' validation accept and refuse."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinchoku.plans.models import Dimension, Level, Node, Plan, Scale, ScaleLevel
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Indicator, Rating, Result, Target, achievement_rate
from tests.factories import make_dimension, make_levels, make_plan, make_scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> Plan:
    plan = make_plan(code="p", first_year=2011, last_year=2013, onwards=True)
    make_levels(plan)
    return plan


def level(plan: Plan, key: str) -> Level:
    return plan.levels.get(key=key)


def make_node(plan: Plan, code: str, key: str, parent: Node | None = None, title: str = "題") -> Node:
    return node_save(Node(plan=plan, code=code, level=level(plan, key), parent=parent, title=title))


@pytest.fixture
def dimension(plan: Plan) -> Dimension:
    """達成状況区分, the measures' primary dimension, on the five-level scale."""
    return make_dimension(plan, level(plan, "measure"), make_scale(), key="achievement")


@pytest.fixture
def tree(plan: Plan) -> dict[str, Node]:
    area = make_node(plan, "9", "plan")
    programme = make_node(plan, "9-1", "programme", area)
    measure = make_node(plan, "9-1-1", "measure", programme)
    return {"area": area, "programme": programme, "measure": measure}


def test_paths_record_the_ancestor_chain(tree: dict[str, Node]) -> None:
    area, programme, measure = tree["area"], tree["programme"], tree["measure"]
    assert measure.path == f"/{area.pk}/{programme.pk}/{measure.pk}/"
    assert measure.ancestor_ids() == [area.pk, programme.pk]


def test_moving_a_node_moves_its_subtree(plan: Plan, tree: dict[str, Node]) -> None:
    other_area = make_node(plan, "8", "plan")
    programme = tree["programme"]
    programme.parent = other_area
    node_save(programme)
    measure = Node.objects.get(pk=tree["measure"].pk)
    assert measure.path == f"/{other_area.pk}/{programme.pk}/{measure.pk}/"
    assert list(Node.objects.filter(path__startswith=other_area.path).order_by("path")) == [
        other_area,
        programme,
        measure,
    ]


def test_a_node_cannot_go_under_its_own_descendant(tree: dict[str, Node]) -> None:
    programme = tree["programme"]
    programme.parent = tree["measure"]
    with pytest.raises(ValidationError) as error:
        node_save(programme)
    assert "parent" in error.value.message_dict
    programme.refresh_from_db()
    assert programme.parent == tree["area"]


def test_a_node_cannot_be_its_own_parent(tree: dict[str, Node]) -> None:
    area = tree["area"]
    area.parent = area
    with pytest.raises(ValidationError):
        node_save(area)


@pytest.mark.parametrize("title", ["", "   ", "\u3000"])
def test_an_empty_title_is_refused(plan: Plan, title: str) -> None:
    with pytest.raises(ValidationError) as error:
        make_node(plan, "x", "plan", title=title)
    assert "title" in error.value.message_dict
    assert not Node.objects.filter(code="x").exists()


def test_the_database_itself_refuses_an_empty_title(plan: Plan) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Node.objects.create(plan=plan, code="x", level=level(plan, "plan"), title="", path="/")


def test_levels_must_descend(plan: Plan, tree: dict[str, Node]) -> None:
    with pytest.raises(ValidationError) as error:
        make_node(plan, "9-x", "plan", parent=tree["programme"])
    assert "level" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_node(plan, "9-y", "measure")
    assert "parent" in error.value.message_dict


def test_result_years_must_lie_in_the_plan_period(tree: dict[str, Node]) -> None:
    Result(node=tree["measure"], fiscal_year=2013).full_clean()
    for year in (2010, 2014):
        with pytest.raises(ValidationError) as error:
            Result(node=tree["measure"], fiscal_year=year).full_clean()
        assert "fiscal_year" in error.value.message_dict


def test_results_attach_to_rated_levels_only(tree: dict[str, Node]) -> None:
    with pytest.raises(ValidationError) as error:
        Result(node=tree["programme"], fiscal_year=2012).full_clean()
    assert "node" in error.value.message_dict


def test_one_result_per_node_and_year(tree: dict[str, Node]) -> None:
    Result.objects.create(node=tree["measure"], fiscal_year=2012)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(node=tree["measure"], fiscal_year=2012)


def test_target_periods_and_labels(tree: dict[str, Node]) -> None:
    measure = tree["measure"]
    single = Target(node=measure, start_year=2012, end_year=2012, text="a")
    span = Target(node=measure, start_year=2011, end_year=2013, text="b")
    onwards = Target(node=measure, start_year=2014, end_year=2014, open_end=True, text="事業推進")
    reaching = Target(node=measure, start_year=2013, end_year=2014, open_end=True, text="c")
    for target in (single, span, onwards, reaching):
        target.full_clean()
    assert (single.fiscal_year, single.period_label) == (2012, "2012年度")
    assert (span.fiscal_year, span.period_label) == (None, "2011年度〜2013年度")
    assert (onwards.fiscal_year, onwards.period_label) == (None, "2014年度以降")
    assert reaching.period_label == "2013年度〜2014年度以降"
    assert (span.start_year, span.end_year) == (2011, 2013)


def test_target_years_outside_the_plan_are_refused(tree: dict[str, Node]) -> None:
    measure = tree["measure"]
    for start, end in ((2010, 2011), (2013, 2015)):
        with pytest.raises(ValidationError):
            Target(node=measure, start_year=start, end_year=end, text="x").full_clean()
    with pytest.raises(ValidationError) as error:
        Target(node=measure, start_year=2012, end_year=2012, open_end=True, text="x").full_clean()
    assert "open_end" in error.value.message_dict


def test_a_revised_target_needs_its_reason(tree: dict[str, Node]) -> None:
    target = Target(node=tree["measure"], start_year=2012, end_year=2012, text="a", revised_text="b")
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "revision_reason" in error.value.message_dict
    target.revision_reason = "国の制度改正のため"
    target.full_clean()
    assert target.revised_text == "b"


def test_a_rating_must_be_on_its_dimensions_scale(tree: dict[str, Node], dimension: Dimension) -> None:
    on_scale = dimension.scale.levels.get(code="3")
    off_scale = make_scale([("A", "A", False)], name="ABC").levels.get(code="A")
    result = Result.objects.create(node=tree["measure"], fiscal_year=2012)
    Rating(result=result, dimension=dimension, level=on_scale).full_clean()
    with pytest.raises(ValidationError) as error:
        Rating(result=result, dimension=dimension, level=off_scale).full_clean()
    assert "level" in error.value.message_dict


def test_one_primary_dimension_per_level(plan: Plan) -> None:
    scale = Scale.objects.create(code="five", name="5段階")
    measure = level(plan, "measure")
    Dimension.objects.create(plan=plan, level=measure, key="a", name="A", scale=scale, primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dimension.objects.create(plan=plan, level=measure, key="b", name="B", scale=scale, primary=True)
    Dimension.objects.create(plan=plan, level=measure, key="c", name="C", scale=scale, primary=False)


def test_dimensions_apply_to_rated_levels_only(plan: Plan) -> None:
    scale = Scale.objects.create(code="five", name="5段階")
    with pytest.raises(ValidationError):
        Dimension(plan=plan, level=level(plan, "programme"), key="a", name="A", scale=scale).full_clean()


@pytest.mark.parametrize(
    ("direction", "target", "actual", "rate"),
    [
        ("higher", "200", "150", "75.0"),
        ("higher", "200", "260", "130.0"),
        ("lower", "100", "100", "100.0"),
        ("lower", "100", "80", "120.0"),
        ("lower", "100", "130", "70.0"),
        ("lower", "100", "250", "0.0"),
        ("higher", "0", "3", "100"),
        ("lower", "0", "0", "100"),
        ("lower", "0", "2", "0"),
    ],
)
def test_achievement_rate_is_direction_aware(direction: str, target: str, actual: str, rate: str) -> None:
    assert achievement_rate(direction, Decimal(target), Decimal(actual)) == Decimal(rate)


def test_achievement_rate_needs_both_values() -> None:
    assert achievement_rate(Indicator.Direction.HIGHER, None, Decimal(1)) is None
    assert achievement_rate(Indicator.Direction.HIGHER, Decimal(1), None) is None


def test_deleting_a_plan_removes_its_tree_results_and_ratings(
    plan: Plan, tree: dict[str, Node], dimension: Dimension
) -> None:
    scale_level = dimension.scale.levels.get(code="3")
    result = Result.objects.create(node=tree["measure"], fiscal_year=2012)
    Rating.objects.create(result=result, dimension=dimension, level=scale_level)
    plan.delete()
    counts = (Node.objects.count(), Result.objects.count(), Rating.objects.count(), Level.objects.count())
    assert counts == (0, 0, 0, 0)
    assert ScaleLevel.objects.filter(pk=scale_level.pk).exists()  # scales are shared; they stay


def test_a_level_in_use_cannot_be_deleted_alone(plan: Plan, tree: dict[str, Node]) -> None:
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        level(plan, "measure").delete()
