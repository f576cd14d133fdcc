"""Synthetic plans (``shinchoku synth``): shape, determinism, true paths, valid rows,
long cells, costs, sections, judgements with their reasons, and the command's refusals."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku import fiscal
from shinchoku.devtools.synth import (
    MAX_YEARS,
    SCALE_CODE,
    SynthError,
    delete_plan,
    plan_synthesize,
    read_vocabulary,
)
from shinchoku.plans.formats.dataset.export import dumps, export_dataset
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    Plan,
    Scale,
    ScaleLevel,
    Section,
)
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
    staff_cost_of,
)
from shinchoku.text import normalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan200() -> Plan:
    return plan_synthesize(measures=200, years=2, seed=5)


def export_text(plan: Plan) -> str:
    return dumps(export_dataset(Plan.objects.filter(pk=plan.pk)))


def test_the_plan_has_the_seed_shape(plan200: Plan) -> None:
    assert plan200.code == "synth-5"
    assert plan200.title == "第3期実行計画 (合成データ)"
    assert (plan200.first_year, plan200.last_year, plan200.onwards) == (2011, 2012, True)
    levels = list(Level.objects.filter(plan=plan200).order_by("depth"))
    assert [(level.key, level.name, level.rated) for level in levels] == [
        ("plan", "プラン", False),
        ("programme", "アクションプログラム", False),
        ("measure", "施策計画", True),
    ]
    dimension = Dimension.objects.get(plan=plan200, primary=True)
    assert dimension.level.key == "measure" and dimension.scale.code == SCALE_CODE
    assert [(level.code, level.adverse) for level in dimension.scale.levels.order_by("position")] == [
        ("1", False),
        ("2", False),
        ("3", False),
        ("4", True),
        ("5", True),
    ]
    assert {(m.symbol, m.meaning) for m in Marker.objects.filter(plan=plan200)} == {
        ("○", ""),
        ("重点", "重点的に取り組む施策"),
    }


def test_counts(plan200: Plan) -> None:
    nodes = Node.objects.filter(plan=plan200)
    assert nodes.filter(level__key="plan").count() == 1
    assert nodes.filter(level__key="programme").count() == 5
    assert nodes.filter(level__key="measure").count() == 200
    assert Result.objects.filter(node__plan=plan200).count() == 400
    # Every result is rated on each of the four judgements.
    assert Rating.objects.filter(result__node__plan=plan200).count() == 4 * 400
    primary = Rating.objects.filter(result__node__plan=plan200, dimension__primary=True)
    assert primary.count() == 400
    # Every rating level is used, and 3 is the most common.
    codes = Counter(primary.values_list("level__code", flat=True))
    assert set(codes) == {"1", "2", "3", "4", "5"}
    assert codes.most_common(1)[0][0] == "3"
    # Every measure has targets, some over several rows, some spanning years, the onwards column.
    targets = Target.objects.filter(node__plan=plan200)
    assert set(targets.values_list("node_id", flat=True)) == set(
        nodes.filter(level__key="measure").values_list("id", flat=True)
    )
    assert targets.filter(row__gt=1).exists()
    assert targets.filter(open_end=True, text="事業推進").exists()
    assert targets.exclude(revised_text="").exists()
    spans = [t for t in targets if t.end_year > t.start_year and not t.open_end]
    assert spans


def test_counts_scale_with_the_arguments() -> None:
    plan = plan_synthesize(measures=400, years=1, seed=2, code="big")
    nodes = Node.objects.filter(plan=plan)
    assert nodes.filter(level__key="plan").count() == 2
    assert nodes.filter(level__key="programme").count() == 10
    assert nodes.filter(level__key="measure").count() == 400
    assert Result.objects.filter(node__plan=plan).count() == 400
    tiny = plan_synthesize(measures=1, years=1, seed=2, code="tiny")
    assert Node.objects.filter(plan=tiny).count() == 3
    assert Result.objects.filter(node__plan=tiny).count() == 1


def test_results_cover_every_year_with_context_mostly_when_adverse(plan200: Plan) -> None:
    results = list(Result.objects.filter(node__plan=plan200).prefetch_related("ratings__level"))
    by_node: dict[int, list[int]] = {}
    for result in results:
        by_node.setdefault(result.node_id, []).append(result.fiscal_year)
    assert all(sorted(years) == [2011, 2012] for years in by_node.values())
    # The summary pages' highlight: every measure in the latest year, never before.
    assert all(bool(r.highlight) == (r.fiscal_year == 2012) for r in results)
    assert all(r.text.startswith(r.highlight.split("\n")[0]) for r in results if r.highlight)
    adverse = [r for r in results if r.ratings.all()[0].level.adverse]
    favourable = [r for r in results if not r.ratings.all()[0].level.adverse]
    share = {
        "adverse": sum(bool(r.context_change) for r in adverse) / len(adverse),
        "favourable": sum(bool(r.context_change) for r in favourable) / len(favourable),
    }
    assert share["adverse"] > 0.6 and 0 < share["favourable"] < 0.2
    assert any(r.response for r in results)
    assert all(r.context_change for r in results if r.response)
    # Bullet counts vary from 1 to 8 (and far more in a long cell).
    bullets = Counter(min(r.text.count("・"), 9) for r in results)
    assert {1, 2, 3, 4, 5} <= set(bullets)


def test_some_cells_are_long_enough_to_cross_a_page(plan200: Plan) -> None:
    lengths = sorted(len(text.splitlines()) for text in Result.objects.values_list("text", flat=True))
    assert lengths[-1] >= 40
    assert sum(length >= 40 for length in lengths) < len(lengths) / 10
    longest = Result.objects.filter(node__plan=plan200).order_by("-text")[0]
    assert longest.text  # ordering by text only to fetch one row


def test_a_single_result_is_still_long() -> None:
    plan = plan_synthesize(measures=1, years=1, seed=9)
    (result,) = Result.objects.filter(node__plan=plan)
    assert len(result.text.splitlines()) >= 40


def test_markers_units_and_indicators(plan200: Plan) -> None:
    measures = Node.objects.filter(plan=plan200, level__key="measure")
    marked = Counter(
        Node.markers.through.objects.filter(node__plan=plan200).values_list("marker__symbol", flat=True)
    )
    assert 0 < marked["○"] < 200 and 0 < marked["重点"] < marked["○"]
    roles = NodeUnit.objects.filter(node__plan=plan200).select_related("unit__parent")
    assert {role.role for role in roles} == {"responsible", "authoring", "related"}
    assert all(role.unit.kind == "section" or role.unit.name == "各区役所" for role in roles)
    bureaus = {role.unit.parent.name for role in roles if role.unit.parent}
    assert len(bureaus) >= 5 and {"市民文化局", "総務企画局", "建設緑政局"} & bureaus
    assert all(
        NodeUnit.objects.filter(node=measure, role="responsible").count() == 1 for measure in measures[:20]
    )
    indicators = Indicator.objects.filter(node__plan=plan200)
    assert 0 < indicators.count() < 200
    values = IndicatorValue.objects.filter(indicator__node__plan=plan200)
    assert values.filter(fiscal_year=2011, actual__isnull=False).exists()
    # The onwards year has a target and no actual; a target group has actuals only.
    assert values.filter(fiscal_year=2013, actual__isnull=True).count() == (
        indicators.exclude(kind="target_group").count()
    )


def test_paths_are_true(plan200: Plan) -> None:
    nodes = {node.pk: node for node in Node.objects.filter(plan=plan200)}
    for node in nodes.values():
        parent_path = nodes[node.parent_id].path if node.parent_id else "/"
        assert node.path == f"{parent_path}{node.pk}/"
    area = Node.objects.get(plan=plan200, level__key="plan")
    assert Node.objects.filter(path__startswith=area.path).count() == len(nodes)


def test_rows_pass_the_model_rules(plan200: Plan) -> None:
    plan200.full_clean()
    for model in (Level, Marker, Dimension, Section, StaffRate):
        for row in model.objects.filter(plan=plan200):
            row.full_clean()
    for level in ScaleLevel.objects.filter(scale__code=SCALE_CODE):
        level.full_clean()
    sample = list(Node.objects.filter(plan=plan200).order_by("path")[:40])
    sample += list(Node.objects.filter(plan=plan200, level__key="measure").order_by("-path")[:10])
    assert sample
    for node in sample:
        node.full_clean()
        for target in node.targets.all():
            target.full_clean()
        for result in node.results.all():
            result.full_clean()
            for rating in result.ratings.all():
                rating.full_clean()
        for indicator in node.indicators.all():
            indicator.full_clean()
            for value in indicator.values.all():
                value.full_clean()
        for role in node.unit_roles.all():
            role.full_clean()
        for text in node.section_texts.all():
            text.full_clean()
        for result in node.results.all():
            for text in result.section_texts.all():
                text.full_clean()
        for cost in node.costs.all():
            stored = (cost.staff_cost, cost.total_cost)
            cost.full_clean()  # computes B (when not given) and the total again: the same
            assert (cost.staff_cost, cost.total_cost) == stored


def test_texts_are_normalised_and_unique(plan200: Plan) -> None:
    nodes = Node.objects.filter(plan=plan200)
    results = Result.objects.filter(node__plan=plan200)
    targets = Target.objects.filter(node__plan=plan200)
    texts = [
        *nodes.values_list("title", flat=True),
        *nodes.values_list("summary", flat=True),
        *nodes.values_list("baseline", flat=True),
        *targets.values_list("text", flat=True),
        *targets.values_list("revised_text", flat=True),
        *targets.values_list("revision_reason", flat=True),
        *results.values_list("text", flat=True),
        *results.values_list("context_change", flat=True),
        *results.values_list("response", flat=True),
        *results.values_list("highlight", flat=True),
    ]
    assert all(text == normalize(text) for text in texts)
    assert not any("\x00" in text or "{" in text for text in texts)
    measures = nodes.filter(level__key="measure")
    for field in ("title", "summary", "baseline"):
        values = list(measures.values_list(field, flat=True))
        assert len(set(values)) == len(values), field
    for field in ("text", "context_change", "response"):
        values = [value for value in results.values_list(field, flat=True) if value]
        assert len(set(values)) == len(values), field
    planned = [text for text in targets.values_list("text", flat=True) if text != "事業推進"]
    assert len(set(planned)) == len(planned)


def test_texts_come_from_the_seed_and_date_themselves() -> None:
    vocabulary = read_vocabulary()
    plan = plan_synthesize(measures=60, years=12, seed=11)
    results = Result.objects.filter(node__plan=plan)
    tails = {tail for tail in vocabulary.result_tails if "\x00" not in tail}
    sentences = [s for text in results.values_list("text", flat=True) for s in text.split("。") if s]
    assert sum(any(s.endswith(tail) for tail in tails) for s in sentences[:500]) > 250
    dates = 0
    for result in results:
        for era, number, month in re.findall(r"(平成|令和)(元|\d+)年(\d+)月", result.text):
            calendar = {"平成": 1988, "令和": 2018}[era] + (1 if number == "元" else int(number))
            fiscal_year = calendar if int(month) >= 4 else calendar - 1
            assert fiscal_year == result.fiscal_year, (result.fiscal_year, era, number, month)
            dates += 1
    assert dates > 0
    assert results.filter(fiscal_year=2020, text__contains="令和").exists()
    assert fiscal.wareki_label(plan.last_year) == "令和4年度"


def test_the_same_arguments_give_the_same_export() -> None:
    first = export_text(plan_synthesize(measures=80, years=3, seed=42))
    delete_plan(Plan.objects.get(code="synth-42"))
    assert not Node.objects.exists() and not Result.objects.exists() and not Target.objects.exists()
    second = export_text(plan_synthesize(measures=80, years=3, seed=42))
    assert first == second
    call_command("synth", measures=80, years=3, seed=42, replace=True, stdout=StringIO())
    assert export_text(Plan.objects.get(code="synth-42")) == first
    other = export_text(plan_synthesize(measures=80, years=3, seed=43, code="synth-42b"))
    assert other != first.replace("synth-42", "synth-42b")


def test_an_existing_scale_is_reused_or_left_alone() -> None:
    call_command("loaddemo", stdout=StringIO())
    plan = plan_synthesize(measures=5, years=1, seed=1)
    # The seed's scale, and the three of the further judgements.
    assert Scale.objects.count() == 4
    assert Dimension.objects.get(plan=plan, primary=True).scale.code == SCALE_CODE
    ScaleLevel.objects.filter(scale__code=SCALE_CODE, code="5").update(label="別の区分")
    other = plan_synthesize(measures=5, years=1, seed=2)
    assert Dimension.objects.get(plan=other, primary=True).scale.code == "kawasaki-achievement-synth"
    assert ScaleLevel.objects.get(scale__code=SCALE_CODE, code="5").label == "別の区分"


def test_the_command_prints_what_it_made() -> None:
    out = StringIO()
    call_command("synth", "--measures", "40", "--years", "2", "--seed", "7", stdout=out)
    text = out.getvalue()
    assert text.startswith("synth-7: 第3期実行計画 (合成データ), 2011–2012:")
    assert "40 measures" in text and "80 results" in text and "320 ratings" in text
    costs = Cost.objects.filter(node__plan__code="synth-7").count()
    assert costs >= 40 * 3 and f"{costs} costs" in text
    call_command("synth", "--measures", "3", "--years", "1", "--seed", "7", "--plan-code", "mine", stdout=out)
    assert Plan.objects.filter(code="mine").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--measures", "0", "--years", "2"], "--measures must be at least 1"),
        (["--measures", "-3", "--years", "2"], "--measures must be at least 1"),
        (["--measures", "10", "--years", "0"], f"--years must be between 1 and {MAX_YEARS}"),
        (["--measures", "10", "--years", str(MAX_YEARS + 1)], f"--years must be between 1 and {MAX_YEARS}"),
        (["--measures", "10", "--years", "2", "--plan-code", "a b"], "may contain only ASCII"),
        (["--measures", "10", "--years", "2", "--plan-code", "x" * 65], "longer than 64"),
    ],
)
def test_bad_arguments_write_nothing(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("synth", *arguments, stdout=StringIO())
    assert not Plan.objects.exists() and not Scale.objects.exists()


def test_an_existing_code_is_refused_unless_replaced() -> None:
    call_command("synth", "--measures", "10", "--years", "2", "--seed", "3", stdout=StringIO())
    before = export_text(Plan.objects.get(code="synth-3"))
    with pytest.raises(CommandError, match="exists; use --replace"):
        call_command("synth", "--measures", "20", "--years", "2", "--seed", "3", stdout=StringIO())
    assert export_text(Plan.objects.get(code="synth-3")) == before
    call_command("synth", "--measures", "20", "--years", "3", "--seed", "3", "--replace", stdout=StringIO())
    plan = Plan.objects.get(code="synth-3")
    assert Node.objects.filter(plan=plan, level__key="measure").count() == 20
    assert Result.objects.filter(node__plan=plan).count() == 60
    assert Plan.objects.count() == 1


def test_the_service_refuses_too(plan200: Plan) -> None:
    with pytest.raises(SynthError):
        plan_synthesize(measures=5, years=1, seed=5)
    with pytest.raises(SynthError):
        plan_synthesize(measures=5, years=MAX_YEARS + 1, seed=6)
    assert Plan.objects.count() == 1


# ------------------------------------------------------------------ costs, sections, judgements


def test_the_measures_have_sections_of_their_own_beside_the_builtin_ones(plan200: Plan) -> None:
    sections = list(Section.objects.filter(plan=plan200).order_by("position"))
    assert [(s.key, s.scope, s.builtin) for s in sections] == [
        ("summary", "node", "summary"),
        ("target-group", "node", ""),
        ("intent", "node", ""),
        ("baseline", "node", "baseline"),
        ("text", "year", "text"),
        ("context_change", "year", "context_change"),
        ("response", "year", "response"),
        ("highlight", "year", "highlight"),
        ("issues", "year", ""),
    ]
    assert NodeSectionText.objects.filter(node__plan=plan200).count() == 2 * 200
    issues = ResultSectionText.objects.filter(result__node__plan=plan200)
    assert 0 < issues.count() < 400 and {text.section.key for text in issues} == {"issues"}


def test_every_result_is_judged_on_several_dimensions_each_with_a_reason(plan200: Plan) -> None:
    dimensions = Dimension.objects.filter(plan=plan200).order_by("position")
    assert [(d.key, d.primary) for d in dimensions] == [
        ("achievement", True),
        ("relevance", False),
        ("direction", False),
        ("verdict", False),
    ]
    ratings = Rating.objects.filter(result__node__plan=plan200)
    assert not ratings.filter(reason="").exists()
    # The verdict A–H is a matrix of two rows and four columns, and its levels are used.
    verdict = ScaleLevel.objects.filter(scale__code="synth-verdict").order_by("position")
    assert [level.code for level in verdict] == list("ABCDEFGH")
    assert {level.row_label for level in verdict} == {"目標どおり", "変更"}
    assert len({level.column_label for level in verdict}) == 4
    assert len(set(ratings.filter(dimension__key="verdict").values_list("level__code", flat=True))) >= 6


def test_indicators_of_all_three_kinds(plan200: Plan) -> None:
    kinds = set(Indicator.objects.filter(node__plan=plan200).values_list("kind", flat=True))
    assert kinds == {"outcome", "activity", "target_group"}


def test_costs_add_up_and_the_staff_cost_is_priced_at_the_years_rate(plan200: Plan) -> None:
    assert plan200.amount_unit == "thousand"
    rates = dict(StaffRate.objects.filter(plan=plan200).values_list("fiscal_year", "hourly_cost"))
    assert sorted(rates) == [2011, 2012, 2013]  # the period and the onwards year
    costs = list(Cost.objects.filter(node__plan=plan200))
    assert {(cost.basis, cost.fiscal_year) for cost in costs} >= {
        ("actual", 2011),
        ("actual", 2012),
        ("budget", 2013),
        ("plan", None),
    }
    measures = Node.objects.filter(plan=plan200, level__key="measure").count()
    assert sum(1 for cost in costs if cost.basis == "actual") == 2 * measures
    priced = 0
    for cost in costs:
        sources = [cost.national, cost.prefectural, cost.bonds, cost.other, cost.general]
        assert cost.project_cost == sum(value or 0 for value in sources)
        # The whole period's cost has no year, so no rate: its B is given or missing.
        assert cost.total_cost == cost.project_cost + (cost.staff_cost or 0)
        # Amounts in whole thousands of yen, as the plan prints them; B may be priced.
        assert all(value % 1000 == 0 for value in (*sources, cost.project_cost) if value is not None)
        if cost.fiscal_year is not None and cost.staff_cost == staff_cost_of(
            cost.staff_hours, rates[cost.fiscal_year]
        ):
            priced += 1
    assert priced > len(costs) // 2
    for field in ("national", "prefectural", "bonds", "other"):
        assert any(getattr(cost, field) for cost in costs), field
        assert any(getattr(cost, field) is None for cost in costs), field
