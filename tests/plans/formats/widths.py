"""A made-up plan whose identities and texts hold full-width characters, as typed in the
administration pages or set up by the demonstration (「（デモ）地域づくり担当課」): unit names
with full-width brackets, digits and spaces, node codes with full-width digits, titles,
labels and targets that NFKC would change. Exporting it in any format and importing the
file unchanged must change nothing; ``state`` is what must stay the same."""

from __future__ import annotations

from dataclasses import dataclass

from shinchoku.audit.models import AuditEvent
from shinchoku.plans.models import Node, NodeUnit, OrgUnit, Plan
from shinchoku.progress.models import Result, Target
from tests.factories import add_result, add_target, add_unit, make_node, make_world


@dataclass
class WidthsPlan:
    plan: Plan
    community: OrgUnit  # （テスト）地域づくり担当課
    community_ascii: OrgUnit  # (テスト)地域づくり担当課: the same name in NFKC form, another unit
    ward: OrgUnit  # （テスト）区役所　第２課: a full-width space and digit
    spaced: OrgUnit  # 企画 調整課: an ASCII space
    listed: OrgUnit  # 総務課，庶務係: a full-width comma, which separates units in a cell
    measures: list[Node]


def make_widths_plan() -> WidthsPlan:
    world = make_world(code="widths")
    plan = world.plan
    plan.title = "（テスト）第３期実行計画"
    plan.period_label = "第３期"
    plan.save()
    community = OrgUnit.objects.create(code="t-community", name="（テスト）地域づくり担当課")
    community_ascii = OrgUnit.objects.create(code="t-community-ascii", name="(テスト)地域づくり担当課")
    ward = OrgUnit.objects.create(code="t-ward-2", name="（テスト）区役所　第２課")
    spaced = OrgUnit.objects.create(code="t-spaced", name="企画 調整課")
    listed = OrgUnit.objects.create(code="t-listed", name="総務課，庶務係")
    area = make_node(world.area_level, code="９", title="市民自治の拡充（テスト）", label="プラン９")
    programme = make_node(world.programme_level, area, code="９－１", title="協働のまちづくり　第２期")
    first = make_node(
        world.measure_level,
        programme,
        code="９－１－１",
        title="協働型事業の推進（２０１１年度～）",
        summary="協働の意義を（全庁で）共有します。",
        baseline="ＮＰＯ法人　１２０団体",
        position=0,
    )
    second = make_node(world.measure_level, programme, code="9-1-2", title="市民活動の支援", position=1)
    third = make_node(world.measure_level, programme, code="９－１－３", title="区役所ＡＢＣ", position=2)
    add_target(first, 2011, 2012, "●ルール（案）の策定\n①説明会の開催", note="原典の注記")
    add_target(first, 2013, 2013, "●２０か所で実施")
    add_target(second, 2011, 2011, "●支援（継続）")
    add_unit(first, community)
    add_unit(first, ward)
    add_unit(second, community_ascii)
    add_unit(second, spaced)
    add_unit(third, ward)
    add_unit(third, listed)
    first.markers.add(world.circle)
    second.markers.add(world.priority)
    add_result(first, 2011, "・実施（２回）")
    return WidthsPlan(plan, community, community_ascii, ward, spaced, listed, [first, second, third])


def state() -> dict[str, object]:
    """Everything an unchanged import must leave as it is, row ids included."""
    return {
        "units": sorted(OrgUnit.objects.values_list("pk", "code", "name", "kind", "parent_id")),
        "roles": sorted(NodeUnit.objects.values_list("pk", "node_id", "unit_id", "role")),
        "nodes": sorted(
            Node.objects.values_list(
                "pk", "code", "title", "label", "summary", "baseline", "parent_id", "level_id", "position"
            )
        ),
        "plans": sorted(Plan.objects.values_list("pk", "code", "title", "period_label")),
        "targets": sorted(
            Target.objects.values_list("pk", "node_id", "row", "start_year", "end_year", "text", "note")
        ),
        "results": sorted(Result.objects.values_list("pk", "node_id", "fiscal_year", "text")),
        "markers": sorted(Node.markers.through.objects.values_list("node_id", "marker_id")),
        "audit": AuditEvent.objects.count(),
    }
