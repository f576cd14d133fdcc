"""What the API says of the plans and their trees: the plans, a plan's vocabulary (levels,
dimensions on their scales, markers, sections) and outline, and the nodes.

Every field is described in one string, Japanese then English; field names are English
and stable (a change that removes or renames one is a new version of the API, ``/v2/``).
"""

from __future__ import annotations

from ninja import Field, Schema


class PlanItem(Schema):
    """計画の一覧の1件 / A plan in the list of plans."""

    code: str = Field(description="計画コード / The plan's code")
    title: str = Field(description="計画名 / The plan's title")
    period_label: str = Field(description="期の名称（例: 第3期実行計画） / The name of the period")
    first_year: int = Field(description="計画期間の初年度 / The first fiscal year of the period")
    last_year: int = Field(description="計画期間の最終年度 / The last fiscal year of the period")
    description: str = Field(description="説明 / Free text about the plan")
    measure_count: int = Field(description="施策の数 / How many measures the plan has")
    url: str = Field(description="この計画のAPIのパス / The API path of the plan")
    page_url: str = Field(description="この計画の公開ページのパス / The path of the plan's public page")


class PlanList(Schema):
    items: list[PlanItem] = Field(description="計画（新しい期から） / The plans, newest period first")


class LevelInfo(Schema):
    """政策体系の階層（プラン、アクションプログラム、施策計画など） / A level of a plan's tree."""

    key: str = Field(description="階層キー（計画内で一意） / The level's key within the plan")
    depth: int = Field(description="深さ（最上位が0） / Depth, 0 for the top level")
    kind: str = Field(
        description="階層の種類（plan、programme、measure、project、other） / The kind of level"
    )
    name: str = Field(description="階層の名称 / The level's name as the plan calls it")
    name_en: str = Field(description="英語の名称（なければ空） / The English name, or empty")
    rated: bool = Field(
        description="実施結果と評価がこの階層に付くか / Whether results and ratings attach here"
    )


class ScaleLevelInfo(Schema):
    """評価の尺度の区分（例: 3 目標をほぼ達成） / A level of a rating scale."""

    code: str = Field(description="区分コード / The level's code")
    label: str = Field(description="区分の名称 / The level's label")
    label_en: str = Field(description="区分の英語の名称（なければ空） / The English label, or empty")
    position: int = Field(description="順序（0から） / Order, from 0")
    adverse: bool = Field(description="不調側の区分か / Whether the level is on the scale's bad side")


class ScaleInfo(Schema):
    code: str = Field(description="尺度コード / The scale's code")
    name: str = Field(description="尺度の名称 / The scale's name")
    name_en: str = Field(description="英語の名称（なければ空） / The English name, or empty")
    good_end: str = Field(
        description="良い側（first: 最初の区分、last: 最後の区分） / Which end is best: first or last"
    )
    levels: list[ScaleLevelInfo] = Field(description="区分（順に） / The scale's levels, in order")


class DimensionInfo(Schema):
    """評価の観点（例: 達成状況区分）と尺度 / A judgement asked at a rated level, on its scale."""

    key: str = Field(description="観点キー / The dimension's key")
    level: str = Field(description="観点が付く階層のキー / The key of the level it is asked at")
    name: str = Field(description="観点の名称 / The dimension's name")
    name_en: str = Field(description="英語の名称（なければ空） / The English name, or empty")
    primary: bool = Field(
        description="主たる観点（集計と絞り込みに使う） / The primary dimension, counted and filtered on"
    )
    scale: ScaleInfo = Field(description="評価の尺度 / The scale it is rated on")


class MarkerInfo(Schema):
    symbol: str = Field(description="記号（例: ○、重点） / The symbol printed beside nodes")
    name: str = Field(description="名称 / The marker's name")
    name_en: str = Field(description="英語の名称（なければ空） / The English name, or empty")
    meaning: str = Field(
        description="意味（資料に書かれていなければ空） / Its meaning; empty when not stated"
    )


class SectionInfo(Schema):
    """階層の記述項目（対象、意図、課題など） / A section of text a level has."""

    key: str = Field(description="項目キー（階層内で一意） / The section's key within its level")
    level: str = Field(description="階層キー / The key of its level")
    name: str = Field(description="項目名 / The section's name")
    name_en: str = Field(description="英語の名称（なければ空） / The English name, or empty")
    scope: str = Field(
        description="記述の単位（node: ノード自体、year: 年度ごと） / "
        "About the node itself, or each fiscal year"
    )


class OutlineItem(Schema):
    """政策体系のプランまたはプログラム / A plan area or programme in the outline of a plan."""

    code: str = Field(description="ノードのコード / The node's code")
    label: str = Field(description="表示名（例: プラン９） / The label as printed")
    title: str = Field(description="名称 / The node's title")
    level: str = Field(description="階層キー / The key of its level")
    parent: str | None = Field(
        description="上位ノードのコード（最上位はnull） / The parent's code; null at the top"
    )
    measure_count: int = Field(description="配下の施策の数 / How many measures stand under it")
    url: str = Field(description="このノードのAPIのパス / The API path of the node")


class PlanDetail(Schema):
    """計画と、その階層、観点、記号、政策体系 /
    A plan with its vocabulary and the outline of its plan areas and programmes."""

    code: str = Field(description="計画コード / The plan's code")
    title: str = Field(description="計画名 / The plan's title")
    period_label: str = Field(description="期の名称 / The name of the period")
    first_year: int = Field(description="計画期間の初年度 / The first fiscal year of the period")
    last_year: int = Field(description="計画期間の最終年度 / The last fiscal year of the period")
    onwards_year: int | None = Field(
        description="以降欄の年度（例: 2014年度以降の2014）、なければnull / "
        "The first year of the onwards column, or null"
    )
    amount_unit: str = Field(
        description="金額の表示単位（yen、thousand）。APIの金額は常に円 / "
        "How the plan prints amounts; the API's are in yen"
    )
    description: str = Field(description="説明 / Free text about the plan")
    measure_count: int = Field(description="施策の数 / How many measures the plan has")
    report_years: list[int] = Field(
        description="実施結果が公表された計画期間内の年度 / "
        "The fiscal years of the period with published results"
    )
    levels: list[LevelInfo] = Field(description="階層（上から） / The tree's levels, top first")
    dimensions: list[DimensionInfo] = Field(description="評価の観点 / The evaluation dimensions")
    markers: list[MarkerInfo] = Field(description="記号 / The markers printed beside nodes")
    sections: list[SectionInfo] = Field(description="記述の項目 / The sections of text of each level")
    outline: list[OutlineItem] = Field(
        description="政策体系（プランとプログラム、印刷順） / The plan areas and programmes, in printed order"
    )
    page_url: str = Field(description="この計画の公開ページのパス / The path of the plan's public page")


class NodeItem(Schema):
    """一覧の中のノード（プラン、プログラム、施策、事業） / A node in a list."""

    node_id: str = Field(
        description="ノードID（計画コード:コード、オープンデータと同じ） / "
        "The node's id, <plan>:<code>, as in the open data"
    )
    code: str = Field(description="コード / The node's code within its plan")
    label: str = Field(description="表示名（例: プラン９） / The label as printed")
    title: str = Field(description="名称 / The node's title")
    level: str = Field(description="階層キー / The key of its level")
    rated: bool = Field(description="評価される階層か / Whether its level is rated")
    parent: str | None = Field(
        description="上位ノードのコード（最上位はnull） / The parent's code; null at the top"
    )
    position: int = Field(description="兄弟の中の順序 / Order among its siblings")
    markers: list[str] = Field(description="記号 / The symbols of its markers")
    url: str = Field(description="このノードのAPIのパス / The API path of the node")


class NodePage(Schema):
    items: list[NodeItem] = Field(
        description="このページのノード（ID順） / The nodes of this page, in the order of their ids"
    )
    limit: int = Field(description="1ページの最大件数 / The most items a page holds")
    next_cursor: str | None = Field(
        description="次のページのcursor（最後のページはnull） / The cursor of the next page; null on the last"
    )


class NodeLink(Schema):
    code: str = Field(description="コード / The node's code")
    label: str = Field(description="表示名 / The label as printed")
    title: str = Field(description="名称 / The node's title")
    level: str = Field(description="階層キー / The key of its level")
    url: str = Field(description="このノードのAPIのパス / The API path of the node")


class UnitRole(Schema):
    code: str = Field(description="組織コード / The unit's code")
    name: str = Field(description="組織名 / The unit's name")
    role: str = Field(
        description="役割（responsible 所管、authoring 作成、related 関係） / "
        "The role: responsible, authoring, related"
    )


class SectionText(Schema):
    key: str = Field(description="項目キー / The section's key")
    name: str = Field(description="項目名 / The section's name")
    text: str = Field(
        description="記述（改行区切り、なければ空） / The text, lines separated by \\n; empty if none"
    )


class LevelCount(Schema):
    level: str = Field(description="階層キー / The key of the level")
    count: int = Field(description="ノードの数 / How many nodes")


class NodeDetail(Schema):
    """ノードの位置、記述、記号、組織 /
    One node: its place in the tree, its texts, markers and organisation units."""

    node_id: str = Field(description="ノードID（計画コード:コード） / The node's id, <plan>:<code>")
    plan: str = Field(description="計画コード / The plan's code")
    code: str = Field(description="コード / The node's code within its plan")
    label: str = Field(description="表示名 / The label as printed")
    title: str = Field(description="名称 / The node's title")
    level: str = Field(description="階層キー / The key of its level")
    rated: bool = Field(description="評価される階層か / Whether its level is rated")
    position: int = Field(description="兄弟の中の順序 / Order among its siblings")
    ancestors: list[NodeLink] = Field(
        description="上位のノード（最上位から） / The nodes above it, top first"
    )
    summary: str = Field(description="概要 / The purpose printed under the name")
    baseline: str = Field(description="現状（計画策定時） / The state when the plan was made")
    sections: list[SectionText] = Field(
        description="ノードについての記述項目（計画の順） / "
        "The texts of the level's sections about the node, in order"
    )
    markers: list[MarkerInfo] = Field(description="記号 / Its markers")
    units: list[UnitRole] = Field(description="所管課などの組織 / The organisation units and their roles")
    result_years: list[int] = Field(
        description="実施結果が公表された年度（配下を含む） / "
        "The fiscal years with published results, under it included"
    )
    node_counts: list[LevelCount] = Field(
        description="配下のノードの数（階層ごと、プランとプログラムのみ） / "
        "Nodes under it per level (plan areas and programmes)"
    )
    children_url: str = Field(description="子ノードの一覧のAPIのパス / The API path of its children")
    page_url: str = Field(description="このノードの公開ページのパス / The path of the node's public page")
