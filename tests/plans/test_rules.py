"""Changes to a plan's structure that would orphan recorded data are refused."""

import pytest
from django.core.exceptions import ValidationError

from shinchoku.plans.models import Dimension, Level, Node, Plan, Scale, ScaleLevel
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Rating, Result, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded() -> dict:
    plan = Plan.objects.create(code="p", title="計画", first_year=2011, last_year=2013)
    area = Level.objects.create(plan=plan, depth=0, key="plan", kind="plan", name="プラン")
    measure = Level.objects.create(plan=plan, depth=1, key="measure", kind="measure", name="施策", rated=True)
    five = Scale.objects.create(code="five", name="5段階")
    three = Scale.objects.create(code="three", name="3段階")
    level3 = ScaleLevel.objects.create(scale=five, code="3", label="ほぼ達成", position=2)
    ScaleLevel.objects.create(scale=three, code="B", label="B", position=1)
    dimension = Dimension.objects.create(
        plan=plan, level=measure, key="a", name="達成", scale=five, primary=True
    )
    root = node_save(Node(plan=plan, level=area, code="1", title="分野"))
    node = node_save(Node(plan=plan, level=measure, code="1-1", title="施策", parent=root))
    result = Result.objects.create(node=node, fiscal_year=2011, text="・実施")
    Rating.objects.create(result=result, dimension=dimension, level=level3)
    Target.objects.create(node=node, start_year=2014, end_year=2014, open_end=True, text="事業推進")
    return {"plan": plan, "measure": measure, "dimension": dimension, "three": three, "area": area}


def test_a_period_that_would_leave_results_outside_is_refused(recorded: dict) -> None:
    plan = recorded["plan"]
    plan.first_year = 2012
    with pytest.raises(ValidationError, match="2011"):
        plan.full_clean()


def test_a_period_that_would_leave_targets_outside_is_refused(recorded: dict) -> None:
    plan = recorded["plan"]
    plan.onwards = False  # the 2014年度以降 target would have no column
    with pytest.raises(ValidationError, match="2014"):
        plan.full_clean()


def test_a_wider_period_is_fine(recorded: dict) -> None:
    plan = recorded["plan"]
    plan.first_year, plan.last_year = 2010, 2015
    plan.full_clean()


def test_years_out_of_range_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        Plan(code="old", title="古い計画", first_year=1850, last_year=1852).full_clean()
    assert {"first_year", "last_year"} <= error.value.message_dict.keys()


def test_a_rated_dimensions_scale_cannot_change(recorded: dict) -> None:
    dimension = recorded["dimension"]
    dimension.scale = recorded["three"]
    with pytest.raises(ValidationError) as error:
        dimension.full_clean()
    assert "scale" in error.value.message_dict


def test_a_level_with_results_stays_rated(recorded: dict) -> None:
    level = recorded["measure"]
    level.rated = False
    with pytest.raises(ValidationError) as error:
        level.full_clean()
    assert "rated" in error.value.message_dict


def test_a_level_with_nodes_keeps_its_depth(recorded: dict) -> None:
    level = recorded["area"]
    level.depth = 5
    with pytest.raises(ValidationError) as error:
        level.full_clean()
    assert "depth" in error.value.message_dict
    level.depth = 0
    level.name = "分野"  # renaming is fine
    level.full_clean()


@pytest.mark.parametrize("code", ["9/1", "9 1", "a?b", "x#y", "50%"])
def test_node_codes_that_cannot_be_addressed_are_refused(recorded: dict, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        node_save(Node(plan=recorded["plan"], level=recorded["area"], code=code, title="題"))
    assert "code" in error.value.message_dict
