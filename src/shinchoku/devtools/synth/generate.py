"""``plan_synthesize``: the plan, its levels, scale, markers and units, then its
measures, decided 500 at a time and written in bulk, all in one transaction."""

from __future__ import annotations

import random

from django.db import transaction

from shinchoku.plans.models import AmountUnit, Dimension, Level, Marker, Node, OrgUnit, Plan
from shinchoku.plans.services import outline_refresh
from shinchoku.published import changes as published
from shinchoku.text import normalize

from .base import FIRST_YEAR, SynthError, check_arguments
from .extras import Extras, hourly_costs, measure_extras
from .shape import MeasureRow, measure_row, partition, ratings_of
from .store import PlanRows, delete_plan, save_nodes, save_plan_extras, save_scale, save_units, write_measures
from .text import Writer
from .vocabulary import read_vocabulary

MEASURES_PER_FLUSH = 500


@transaction.atomic
def plan_synthesize(
    *, measures: int, years: int, seed: int, code: str | None = None, replace: bool = False
) -> Plan:
    """``_plan_synthesize``, its rows written in bulk, then what the public reads of the
    plan derived once (``shinchoku.published.changes``)."""
    with published.batch():
        plan = _plan_synthesize(measures=measures, years=years, seed=seed, code=code, replace=replace)
        published.plan_changed(plan.pk)
    return plan


def _plan_synthesize(
    *, measures: int, years: int, seed: int, code: str | None = None, replace: bool = False
) -> Plan:
    """Create a synthetic plan of ``measures`` measures with results for ``years`` fiscal
    years from 2011, the same for the same arguments. Raises SynthError, writing nothing,
    on bad arguments or when a plan with the code exists and ``replace`` is false."""
    code = code or f"synth-{seed}"
    check_arguments(measures=measures, years=years, code=code)
    vocabulary = read_vocabulary()
    existing = Plan.objects.filter(code=code).first()
    if existing is not None:
        if not replace:
            raise SynthError(f"a plan with the code {code!r} exists; use --replace to overwrite it")
        delete_plan(existing)

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    writer = Writer(vocabulary, rng)
    # Costs, sections and the further judgements draw from a stream of their own.
    extra_writer = Writer(vocabulary, random.Random(f"{seed}:extras"))  # noqa: S311 - test data
    period = range(FIRST_YEAR, FIRST_YEAR + years)
    programme_count = max(1, min(measures, round(measures / 40)))
    area_count = max(1, min(programme_count, round(measures / 200)))

    plan = Plan(
        code=code,
        title=normalize("第3期実行計画 (合成データ)"),
        period_label="第3期実行計画",
        first_year=period.start,
        last_year=period.stop - 1,
        onwards=True,
        amount_unit=AmountUnit.THOUSAND,
        note=(
            f"Synthetic data: shinchoku synth --measures {measures} --years {years} --seed {seed}. "
            "Texts are clauses of data/seeds/kawasaki-plan9.yaml recombined at random; "
            "they describe nothing real."
        ),
    )
    plan.full_clean()
    plan.save()
    levels = {
        key: Level.objects.create(
            plan=plan,
            depth=depth,
            key=key,
            kind=key,
            name=vocabulary.levels.get(key, default),
            rated=key == "measure",
        )
        for depth, (key, default) in enumerate(
            (("plan", "プラン"), ("programme", "アクションプログラム"), ("measure", "施策計画"))
        )
    }
    scale, scale_levels = save_scale(vocabulary)
    dimension = Dimension.objects.create(
        plan=plan,
        level=levels["measure"],
        key="achievement",
        name=normalize(vocabulary.scale["name"]),
        scale=scale,
        primary=True,
    )
    circle = Marker.objects.create(
        plan=plan, symbol="○", name=vocabulary.circle.get("name", "○"), meaning="", position=0
    )
    priority = Marker.objects.create(
        plan=plan, symbol="重点", name="重点", meaning="重点的に取り組む施策", position=1
    )
    markers = {"○": circle, "重点": priority}
    units, bureaus = save_units()
    ward = units["synth-kakuku"]  # 各区役所, responsible for the measures that every ward carries out

    # The tree's upper levels: few rows, written at once.
    programme_sizes = partition(rng, measures, programme_count)
    area_sizes = partition(rng, programme_count, area_count)
    areas = [
        Node(
            plan=plan,
            level=levels["plan"],
            code=str(number),
            label=f"{levels['plan'].name}{number}",
            position=number - 1,
            title=normalize(writer.title("plan")),
            path="",
        )
        for number in range(1, area_count + 1)
    ]
    save_nodes(areas)
    programmes: list[Node] = []
    homes: list[list[OrgUnit]] = []  # the sections of each programme's bureau
    for area, size in zip(areas, area_sizes, strict=True):
        for position in range(size):
            programmes.append(
                Node(
                    plan=plan,
                    parent=area,
                    level=levels["programme"],
                    code=f"{area.code}-{position + 1}",
                    position=position,
                    title=normalize(writer.title("programme")),
                    path="",
                )
            )
            homes.append(rng.choice(bureaus)[1])
    save_nodes(programmes)

    sections, judgements = save_plan_extras(plan, levels["measure"], period)
    rows = PlanRows(
        plan=plan,
        programmes=programmes,
        level=levels["measure"],
        dimension=dimension,
        scale_levels=scale_levels,
        markers=markers,
        units=units,
        sections=sections,
        judgements=judgements,
        hourly_costs=hourly_costs(period),
    )
    ratings, long_index = ratings_of(seed, measures * years)
    adverse = [bool(level.adverse) for level in scale_levels]
    batch: list[MeasureRow] = []
    extras: list[Extras] = []
    counter = 0
    for programme_index, size in enumerate(programme_sizes):
        for position in range(size):
            first = counter * years
            batch.append(
                measure_row(
                    writer,
                    period,
                    ratings[first : first + years],
                    long_index - first,
                    adverse,
                    programme=programme_index,
                    code=f"{programmes[programme_index].code}-{position + 1}",
                    position=position,
                    sections=homes[programme_index],
                    bureaus=bureaus,
                    ward=ward,
                )
            )
            extras.append(measure_extras(extra_writer, batch[-1].code, period))
            counter += 1
            if len(batch) >= MEASURES_PER_FLUSH:
                write_measures(rows, batch, extras)
                batch, extras = [], []
    if batch:
        write_measures(rows, batch, extras)
    outline_refresh(plan.pk)
    return plan
