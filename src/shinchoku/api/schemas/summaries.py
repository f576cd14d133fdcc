"""What the API says of many nodes at once: the counts and totals kept at write time (the
ratings per dimension, fiscal year and level of the scale; the sums of the costs; the
years with results and the number of nodes), the same the public pages and the report
print; and the search of published data.
"""

from __future__ import annotations

from ninja import Field, Schema

from .progress import FISCAL_YEAR, amount, decimal
from .structure import LevelCount


class MarkerCount(Schema):
    symbol: str = Field(description="記号 / The marker's symbol")
    count: int = Field(
        description="そのうちこの記号の付いたノードの評価の数 / Of them, the ratings of nodes bearing it"
    )


class LevelRatingCount(Schema):
    code: str = Field(description="評価区分コード / The code of the scale's level")
    label: str = Field(description="評価区分 / The level's label")
    count: int = Field(description="この区分の評価の数 / How many ratings are of this level")
    markers: list[MarkerCount] = Field(
        description="記号ごとの内数（主たる観点のみ） / Of them, per marker (the primary dimension only)"
    )


class YearRatingCounts(Schema):
    fiscal_year: int = Field(description=FISCAL_YEAR)
    published: bool = Field(
        description="この年度の実施結果が公表されているか（false なら数は0） / "
        "Whether results of the year are published"
    )
    levels: list[LevelRatingCount] = Field(
        description="尺度の区分ごとの数（尺度の順） / Counts per level, in the scale's order"
    )
    total: int = Field(description="評価の合計 / All the ratings of the year")


class RatingCountTable(Schema):
    """1つの観点の年度ごとの評価の数 / The counts of the ratings on one dimension, per fiscal year."""

    level: str = Field(description="評価される階層のキー / The key of the rated level")
    dimension: str = Field(description="観点キー / The dimension's key")
    dimension_name: str = Field(description="観点の名称 / The dimension's name")
    primary: bool = Field(description="主たる観点か / Whether it is the primary dimension")
    scale: str = Field(description="尺度コード / The scale's code")
    years: list[YearRatingCounts] = Field(
        description="年度ごとの数（計画期間の順） / Per fiscal year of the period"
    )


class RatingCounts(Schema):
    plan: str = Field(description="計画コード / The plan's code")
    node: str | None = Field(
        description="集計の範囲のノードのコード（計画全体はnull） / "
        "The node whose subtree is counted; null: the plan"
    )
    tables: list[RatingCountTable] = Field(
        description="観点ごとの表（階層の上から、主たる観点が先） / "
        "One table per dimension, top level and primary first"
    )


class AmountSum(Schema):
    sum: int | None = Field(description=amount("合計", "The sum"))
    given: int = Field(description="値のある事業の数 / How many of the row's projects give the figure")


class StaffSum(Schema):
    sum: str | None = Field(description=decimal("合計", "The sum"))
    given: int = Field(description="値のある事業の数 / How many of the row's projects give the figure")


class CostTotalRow(Schema):
    """ある年度と区分の費用の合計 / The sums of the costs of one fiscal year and basis."""

    fiscal_year: int | None = Field(
        description="年度（計画期間全体の計画はnull） / The fiscal year; null for the whole period's plan"
    )
    basis: str = Field(
        description="区分（actual 決算、budget 予算、plan 計画） / Basis: actual, budget, plan"
    )
    projects: int = Field(
        description="この年度と区分の費用のある事業の数 / How many projects have a cost of it"
    )
    national: AmountSum = Field(description="国庫支出金 / National funds")
    prefectural: AmountSum = Field(description="都道府県支出金 / Prefectural funds")
    bonds: AmountSum = Field(description="地方債 / Local bonds")
    other: AmountSum = Field(description="その他 / Other funds")
    general: AmountSum = Field(description="一般財源 / General funds")
    project_cost: AmountSum = Field(description="事業費（A） / Project cost (A)")
    staff_count: StaffSum = Field(description="正規職員従事人数 / Staff")
    staff_hours: StaffSum = Field(description="延べ業務時間 / Staff hours")
    staff_cost: AmountSum = Field(description="人件費（B） / Staff cost (B)")
    total_cost: AmountSum = Field(description="トータルコスト（A＋B） / Total cost (A+B)")


class CostTotalTable(Schema):
    level: str = Field(description="費用の付く階層のキー / The key of the level whose costs are summed")
    nodes: int = Field(
        description="範囲内のこの階層のノードの数 / How many nodes of the level stand in the scope"
    )
    rows: list[CostTotalRow] = Field(
        description="全体計画、年度、区分の順の合計 / "
        "The sums: the whole period's first, then by year and basis"
    )


class CostTotals(Schema):
    plan: str = Field(description="計画コード / The plan's code")
    node: str | None = Field(
        description="集計の範囲のノードのコード（計画全体はnull） / "
        "The node whose subtree is summed; null: the plan"
    )
    tables: list[CostTotalTable] = Field(
        description="費用のある評価階層ごとの表（上から） / One table per rated level with costs, top first"
    )


class YearCount(Schema):
    fiscal_year: int = Field(description=FISCAL_YEAR)
    results: int = Field(description="公表された実施結果の数 / How many results of the year are published")


class YearSummary(Schema):
    plan: str = Field(description="計画コード / The plan's code")
    node: str | None = Field(
        description="範囲のノードのコード（計画全体はnull） / The node of the scope; null: the plan"
    )
    report_years: list[int] = Field(
        description="報告書を作れる年度（計画期間内で実施結果のある年度） / "
        "The years a report can be made for"
    )
    results: list[YearCount] = Field(description="年度ごとの実施結果の数 / The results per fiscal year")
    nodes: list[LevelCount] = Field(description="階層ごとのノードの数 / The nodes per level")


class SearchHitItem(Schema):
    """検索語を含む記述 / A text of a found node that holds a word searched for."""

    kind: str = Field(description="種類（node、target、result） / What the text belongs to")
    field: str = Field(description="項目（summary、text、revised_text など） / Which of its texts")
    fiscal_year: int | None = Field(
        description="実施結果の年度（それ以外はnull） / The fiscal year of a result, or null"
    )
    period: str = Field(description="年度の表示（結果の年度、目標の期間） / The year or period as printed")
    excerpt: str = Field(description="該当箇所の前後の抜粋 / An excerpt around the first match")
    matches: list[str] = Field(description="抜粋の中の一致した部分 / The matched parts of the excerpt")


class SearchItem(Schema):
    node_id: str = Field(description="ノードID / The found node's id")
    plan: str = Field(description="計画コード / The plan's code")
    code: str = Field(description="コード / The node's code")
    label: str = Field(description="表示名 / The label as printed")
    title: str = Field(description="名称 / The node's title")
    name_matched: bool = Field(
        description="名称などにすべての語が含まれるか / Whether its name holds every word"
    )
    hits: list[SearchHitItem] = Field(description="一致した記述（最大5件） / The matched texts, at most five")
    more_hits: int = Field(description="示していない一致した記述の数 / Matched texts not shown")
    url: str = Field(description="このノードのAPIのパス / The API path of the node")


class SearchResults(Schema):
    query: str = Field(description="検索語 / The query")
    terms: list[str] = Field(description="正規化した検索語 / The words searched for, normalised")
    count: int = Field(
        description="見つかったノードの数（上限まで） / How many nodes were found, up to the limit"
    )
    more: bool = Field(
        description="上限を超えて見つかったか（countは上限） / "
        "More were found than are counted; count is the limit"
    )
    page: int = Field(description="ページ番号 / The page number")
    num_pages: int = Field(description="ページ数 / How many pages there are")
    items: list[SearchItem] = Field(description="このページのノード / The nodes of this page")
