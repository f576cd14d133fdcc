"""Writing a synthetic plan's rows, and deleting a plan.

Nodes, results and indicators go in with ``bulk_create``, which returns their ids
(PostgreSQL, SQLite ≥ 3.35); ``Node.path`` is then set to the parent's path + id.
The rows that nobody refers to (targets, ratings, unit roles, markers) go in with
one ``executemany`` each, without model instances, which is most of the speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from shinchoku.plans.models import Dimension, Level, Marker, Node, NodeUnit, OrgUnit, Plan, Scale, ScaleLevel
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target
from shinchoku.text import normalize

from .base import SCALE_CODE, SynthError
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
    Rating.objects.filter(result__node__plan=plan).delete()
    Result.objects.filter(node__plan=plan).only("id").delete()
    Target.objects.filter(node__plan=plan).delete()
    NodeUnit.objects.filter(node__plan=plan).delete()
    Node.markers.through.objects.filter(node__plan=plan).delete()
    Node.objects.filter(plan=plan).update(parent=None)
    Node.objects.filter(plan=plan).only("id").delete()
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


def write_measures(
    plan: Plan,
    batch: list[MeasureRow],
    programmes: list[Node],
    level: Level,
    dimension: Dimension,
    scale_levels: list[ScaleLevel],
    markers: dict[str, Marker],
    units: dict[str, OrgUnit],
) -> None:
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
    _insert(
        Rating,
        (
            {"result_id": result.pk, "dimension_id": dimension.pk, "level_id": scale_levels[rating].pk}
            for result, rating in zip(results, ratings, strict=True)
        ),
    )
    indicator_rows = [
        (node, position, indicator)
        for node, row in zip(nodes, batch, strict=True)
        for position, indicator in enumerate(row.indicators)
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
