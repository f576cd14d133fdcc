"""Writing a synthetic plan's rows, and deleting a plan.

Nodes, results and indicators go in with ``bulk_create``, which returns their ids
(PostgreSQL, SQLite ≥ 3.35); ``Node.path`` is then set to the parent's path + id.
The rows that nobody refers to (targets, ratings, unit roles, markers) go in with
one ``executemany`` each, without model instances, which is most of the speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
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
    total_cost_of,
)
from shinchoku.text import normalize

from .base import SCALE_CODE, SynthError
from .extras import JUDGEMENTS, SECTIONS, Extras, ScaleSpec, hourly_costs
from .shape import MeasureRow
from .vocabulary import Vocabulary

SCALE_FALLBACK_CODE = "kawasaki-achievement-synth"
BATCH_SIZE = 1000
INSERT_CHUNK = 5000

# Organisation units: (code, name, kind, [(section code, section name)]). Codes are prefixed
# with "synth-" so that synthetic plans never take over the units of real data.
UNITS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "somu-kikaku",
        "総務企画局",
        OrgUnit.Kind.BUREAU,
        (
            ("kikaku-chosei", "企画調整課"),
            ("gyokaku", "行政改革マネジメント推進室"),
            ("chosha-kanri", "庁舎管理課"),
            ("joho-kanri", "情報管理課"),
        ),
    ),
    (
        "shimin-bunka",
        "市民文化局",
        OrgUnit.Kind.BUREAU,
        (
            ("kyodo-suishin", "協働推進課"),
            ("kusei-suishin", "区政推進課"),
            ("shimin-katsudo", "市民活動推進課"),
            ("chiiki-anzen", "地域安全推進課"),
            ("bunka-shinko", "市民文化振興室"),
        ),
    ),
    (
        "kenko-fukushi",
        "健康福祉局",
        OrgUnit.Kind.BUREAU,
        (
            ("chiiki-fukushi", "地域福祉課"),
            ("koreisha", "高齢者事業推進課"),
            ("shogai-fukushi", "障害福祉課"),
        ),
    ),
    (
        "kodomo-mirai",
        "こども未来局",
        OrgUnit.Kind.BUREAU,
        (("seishonen", "青少年支援室"), ("hoiku", "保育課")),
    ),
    (
        "keizai-rodo",
        "経済労働局",
        OrgUnit.Kind.BUREAU,
        (("sangyo-shinko", "産業振興課"), ("kanko", "観光プロモーション推進課")),
    ),
    (
        "kankyo",
        "環境局",
        OrgUnit.Kind.BUREAU,
        (("kankyo-chosei", "環境調整課"), ("genryo", "減量推進課")),
    ),
    (
        "machizukuri",
        "まちづくり局",
        OrgUnit.Kind.BUREAU,
        (("toshi-keikaku", "都市計画課"), ("jutaku", "住宅整備推進課")),
    ),
    (
        "kensetsu-ryokusei",
        "建設緑政局",
        OrgUnit.Kind.BUREAU,
        (("doro-shisetsu", "道路施設課"), ("ryokusei", "緑政課"), ("koen-kanri", "公園管理課")),
    ),
    (
        "kyoiku",
        "教育委員会事務局",
        OrgUnit.Kind.BUREAU,
        (("shogai-gakushu", "生涯学習推進課"), ("kyoiku-kaikaku", "教育改革推進担当")),
    ),
    (
        "kakuku",
        "各区役所",
        OrgUnit.Kind.WARD,
        (("chiiki-shinko", "地域振興課"), ("kikaku", "企画課")),
    ),
)


def save_scale(vocabulary: Vocabulary) -> tuple[Scale, list[ScaleLevel]]:
    """The seed's achievement scale: reused when a scale with its code and levels exists."""
    wanted = [
        (normalize(str(level["code"])), normalize(level["label"]), bool(level.get("adverse")))
        for level in vocabulary.scale["levels"]
    ]
    for code in (SCALE_CODE, SCALE_FALLBACK_CODE):
        scale, created = Scale.objects.get_or_create(
            code=code,
            defaults={
                "name": normalize(vocabulary.scale["name"]),
                "good_end": vocabulary.scale.get("good_end") or Scale.GoodEnd.FIRST,
            },
        )
        if created:
            ScaleLevel.objects.bulk_create(
                ScaleLevel(scale=scale, code=c, label=label, adverse=adverse, position=position)
                for position, (c, label, adverse) in enumerate(wanted)
            )
        levels = list(scale.levels.order_by("position"))
        if [(level.code, level.label, level.adverse) for level in levels] == wanted:
            return scale, levels
    raise SynthError(f"the scales {SCALE_CODE} and {SCALE_FALLBACK_CODE} exist with other levels")


def _save_scale_spec(spec: ScaleSpec) -> tuple[Scale, list[ScaleLevel]]:
    """A further judgement's scale: reused when a scale with its code and levels exists."""
    code, name, good_end, levels = spec
    scale, created = Scale.objects.get_or_create(code=code, defaults={"name": name, "good_end": good_end})
    if created:
        ScaleLevel.objects.bulk_create(
            ScaleLevel(
                scale=scale,
                code=level_code,
                label=label,
                adverse=adverse,
                position=position,
                row_label=row,
                column_label=column,
            )
            for position, (level_code, label, adverse, row, column) in enumerate(levels)
        )
    stored = list(scale.levels.order_by("position"))
    wanted = [(level[0], level[1], level[2], level[3], level[4]) for level in levels]
    found = [(lv.code, lv.label, lv.adverse, lv.row_label, lv.column_label) for lv in stored]
    if found != wanted:
        raise SynthError(f"the scale {code} exists with other levels")
    return scale, stored


def save_plan_extras(
    plan: Plan, level: Level, period: range
) -> tuple[dict[str, Section], dict[str, tuple[Dimension, list[ScaleLevel]]]]:
    """The measures' sections and further judgements (after the primary one), and the
    plan's hourly staff costs."""
    sections = {
        key: Section.objects.create(
            plan=plan, level=level, key=key, name=name, scope=scope, builtin=builtin, position=position
        )
        for position, (key, name, scope, builtin) in enumerate(SECTIONS)
    }
    judgements = {}
    for position, (key, spec, _weights) in enumerate(JUDGEMENTS, start=1):
        scale, levels = _save_scale_spec(spec)
        dimension = Dimension.objects.create(
            plan=plan, level=level, key=key, name=spec[1], scale=scale, position=position
        )
        judgements[key] = (dimension, levels)
    StaffRate.objects.bulk_create(
        StaffRate(plan=plan, fiscal_year=year, hourly_cost=cost)
        for year, cost in hourly_costs(period).items()
    )
    return sections, judgements


def save_units() -> tuple[dict[str, OrgUnit], list[tuple[OrgUnit, list[OrgUnit]]]]:
    by_code: dict[str, OrgUnit] = {}
    bureaus: list[tuple[OrgUnit, list[OrgUnit]]] = []
    for code, name, kind, sections in UNITS:
        bureau, _ = OrgUnit.objects.get_or_create(code=f"synth-{code}", defaults={"name": name, "kind": kind})
        children = []
        for section_code, section_name in sections:
            section, _ = OrgUnit.objects.get_or_create(
                code=f"synth-{code}-{section_code}",
                defaults={"name": section_name, "kind": OrgUnit.Kind.SECTION, "parent": bureau},
            )
            children.append(section)
            by_code[section.code] = section
        by_code[bureau.code] = bureau
        bureaus.append((bureau, children))
    return by_code, bureaus


def delete_plan(plan: Plan) -> None:
    """Delete a plan and everything under it, leaves first, so that each table is one
    DELETE; where Django must still look for dependents it reads only the ids."""
    IndicatorValue.objects.filter(indicator__node__plan=plan).delete()
    Indicator.objects.filter(node__plan=plan).only("id").delete()
    Cost.objects.filter(node__plan=plan).delete()
    ResultSectionText.objects.filter(result__node__plan=plan).delete()
    NodeSectionText.objects.filter(node__plan=plan).delete()
    Rating.objects.filter(result__node__plan=plan).delete()
    Result.objects.filter(node__plan=plan).only("id").delete()
    Target.objects.filter(node__plan=plan).delete()
    NodeUnit.objects.filter(node__plan=plan).delete()
    Node.markers.through.objects.filter(node__plan=plan).delete()
    Node.objects.filter(plan=plan).update(parent=None)
    Node.objects.filter(plan=plan).only("id").delete()
    Dimension.objects.filter(plan=plan).delete()
    Section.objects.filter(plan=plan).delete()
    plan.delete()


def _insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """INSERT rows whose ids nobody needs, without building model instances (the bulk of
    the time otherwise). Values must be ready for the database: ints, strings, booleans;
    a column missing from a row gets its field's default."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Names from the model, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    names = [field.attname for field in fields]
    values = [[row.get(name, defaults[name]) for name in names] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_CHUNK):
            cursor.executemany(sql, values[start : start + INSERT_CHUNK])


def _bulk_create(model: type[models.Model], rows: list[Any]) -> None:
    """bulk_create rows whose ids are needed next; they come back on PostgreSQL and SQLite ≥ 3.35."""
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
    if rows and rows[-1].pk is None:
        raise SynthError("the database did not return the ids of new rows (SQLite ≥ 3.35 is needed)")


def save_nodes(nodes: list[Node]) -> None:
    """Insert nodes whose parents are saved, then set their paths from the returned ids."""
    _bulk_create(Node, nodes)
    for node in nodes:
        node.path = f"{node.parent.path if node.parent else '/'}{node.pk}/"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # what bulk_update does, without its CASE per row
        cursor.executemany(
            f"UPDATE {quote(Node._meta.db_table)} SET {quote('path')} = %s WHERE {quote('id')} = %s",  # noqa: S608
            [(node.path, node.pk) for node in nodes],
        )


@dataclass(frozen=True)
class PlanRows:
    """The rows of the plan that its measures' rows refer to."""

    plan: Plan
    programmes: list[Node]
    level: Level
    dimension: Dimension
    scale_levels: list[ScaleLevel]
    markers: dict[str, Marker]
    units: dict[str, OrgUnit]
    sections: dict[str, Section]
    judgements: dict[str, tuple[Dimension, list[ScaleLevel]]]
    hourly_costs: dict[int, int]


def write_measures(rows: PlanRows, batch: list[MeasureRow], extras: list[Extras]) -> None:
    plan, programmes, level, markers, units = rows.plan, rows.programmes, rows.level, rows.markers, rows.units
    dimension, scale_levels = rows.dimension, rows.scale_levels
    nodes = [
        Node(
            plan=plan,
            parent=programmes[row.programme],
            level=level,
            code=row.code,
            position=row.position,
            title=row.title,
            summary=row.summary,
            baseline=row.baseline,
            path="",
        )
        for row in batch
    ]
    save_nodes(nodes)
    _insert(
        Node.markers.through,
        (
            {"node_id": node.pk, "marker_id": markers[symbol].pk}
            for node, row in zip(nodes, batch, strict=True)
            for symbol in row.markers
        ),
    )
    _insert(
        NodeUnit,
        (
            {"node_id": node.pk, "unit_id": units[code].pk, "role": role}
            for node, row in zip(nodes, batch, strict=True)
            for code, role in row.units
        ),
    )
    _insert(
        Target,
        (
            {"node_id": node.pk, "position": position, **target.__dict__}
            for node, row in zip(nodes, batch, strict=True)
            for position, target in enumerate(row.targets)
        ),
    )
    results = [
        Result(
            node_id=node.pk,
            fiscal_year=result.fiscal_year,
            text=result.text,
            context_change=result.context_change,
            response=result.response,
            highlight=result.highlight,
        )
        for node, row in zip(nodes, batch, strict=True)
        for result in row.results
    ]
    _bulk_create(Result, results)
    ratings = [result.rating for row in batch for result in row.results]
    reasons = [
        extra.reasons[result.fiscal_year]
        for row, extra in zip(batch, extras, strict=True)
        for result in row.results
    ]
    _insert(
        Rating,
        (
            {
                "result_id": result.pk,
                "dimension_id": dimension.pk,
                "level_id": scale_levels[rating].pk,
                "reason": reason,
            }
            for result, rating, reason in zip(results, ratings, reasons, strict=True)
        ),
    )
    _write_extras(rows, nodes, results, extras)
    indicator_rows = [
        (node, position, indicator)
        for node, row, extra in zip(nodes, batch, extras, strict=True)
        for position, indicator in enumerate(
            [*row.indicators, *([extra.indicator] if extra.indicator else [])]
        )
    ]
    indicators = [
        Indicator(
            node_id=node.pk,
            position=position,
            name=indicator.name,
            kind=indicator.kind,
            unit=indicator.unit,
            direction=indicator.direction,
            baseline_value=indicator.baseline_value,
            baseline_year=indicator.baseline_year,
        )
        for node, position, indicator in indicator_rows
    ]
    _bulk_create(Indicator, indicators)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator_id=indicator.pk, fiscal_year=year, target=target, actual=actual)
            for indicator, (_node, _position, row) in zip(indicators, indicator_rows, strict=True)
            for year, target, actual in row.values
        ],
        batch_size=BATCH_SIZE,
    )


def _write_extras(rows: PlanRows, nodes: list[Node], results: list[Result], extras: list[Extras]) -> None:
    """The measures' section texts, further ratings with their reasons, and costs (B priced
    and the total computed as ``progress.models.Cost`` does)."""
    result_ids = {(result.node_id, result.fiscal_year): result.pk for result in results}
    _insert(
        NodeSectionText,
        (
            {"node_id": node.pk, "section_id": rows.sections[key].pk, "text": text}
            for node, extra in zip(nodes, extras, strict=True)
            for key, text in extra.node_texts.items()
        ),
    )
    _insert(
        ResultSectionText,
        (
            {"result_id": result_ids[(node.pk, year)], "section_id": rows.sections[key].pk, "text": text}
            for node, extra in zip(nodes, extras, strict=True)
            for year, key, text in extra.year_texts
        ),
    )
    _insert(
        Rating,
        (
            {
                "result_id": result_ids[(node.pk, year)],
                "dimension_id": rows.judgements[key][0].pk,
                "level_id": rows.judgements[key][1][level].pk,
                "reason": reason,
            }
            for node, extra in zip(nodes, extras, strict=True)
            for year, key, level, reason in extra.ratings
        ),
    )
    costs = []
    for node, extra in zip(nodes, extras, strict=True):
        for cost in extra.costs:
            figures = dict(cost.figures)
            if figures["staff_cost"] is None and cost.fiscal_year is not None:
                figures["staff_cost"] = staff_cost_of(
                    figures["staff_hours"],  # type: ignore[arg-type]
                    rows.hourly_costs.get(cost.fiscal_year),
                )
            total = total_cost_of(figures["project_cost"], figures["staff_cost"])  # type: ignore[arg-type]
            costs.append(
                {
                    "node_id": node.pk,
                    "fiscal_year": cost.fiscal_year,
                    "basis": cost.basis,
                    **figures,
                    "total_cost": total,
                }
            )
    _insert(Cost, costs)
