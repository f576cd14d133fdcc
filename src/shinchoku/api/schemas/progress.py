"""What the API says of a node's progress: its results per fiscal year with their
ratings and reasons, its targets with their revisions, its indicators with their values,
its costs; and the ratings of a whole plan, page by page.

Decimals (indicator values, staff figures) are strings of digits, as in the open data, so
that no precision is lost; amounts of money are integers in yen.
"""

from __future__ import annotations

from ninja import Field, Schema

#: How every fiscal year of the API is described.
FISCAL_YEAR = "年度（始まる年の西暦） / The fiscal year, as the Western year it starts in"


def decimal(ja: str, en: str) -> str:
    """The description of a decimal field: what it is, then how it is written."""
    return f"{ja}（10進数の文字列、なければnull） / {en}, a decimal as a string of digits; null if not given"


def amount(ja: str, en: str) -> str:
    """The description of an amount of money."""
    return f"{ja}（円単位の整数、なければnull） / {en}, an integer in yen; null if not given"


class RatingInfo(Schema):
    """観点ごとの評価 / A judgement of a result on one dimension."""

    dimension: str = Field(description="観点キー / The dimension's key")
    dimension_name: str = Field(description="観点の名称 / The dimension's name")
    primary: bool = Field(description="主たる観点か / Whether it is the primary dimension")
    scale: str = Field(description="尺度コード / The scale's code")
    code: str = Field(description="評価区分コード / The rating's code on the scale")
    label: str = Field(description="評価区分 / The rating's label")
    label_en: str = Field(description="評価区分の英語の名称（なければ空） / The English label, or empty")
    adverse: bool = Field(description="不調側の区分か / Whether it is on the scale's bad side")
    reason: str = Field(description="評価の理由（なければ空） / Why it was rated so; empty if not given")


class YearSection(Schema):
    key: str = Field(description="項目キー / The section's key")
    name: str = Field(description="項目名 / The section's name")
    text: str = Field(description="記述（改行区切り） / The text, lines separated by \\n")


class ResultItem(Schema):
    """ある年度の実施結果と評価 / What was done for a node in one fiscal year, and how it was rated."""

    fiscal_year: int = Field(description=FISCAL_YEAR)
    text: str = Field(description="実施結果（改行区切り） / What was done, lines separated by \\n")
    context_change: str = Field(description="環境等の変化・課題等 / Changes in circumstances and issues")
    response: str = Field(description="新たな課題等への対応 / Response to new issues")
    highlight: str = Field(
        description="主な実施結果（要約） / The main results, as the summary pages print them"
    )
    sections: list[YearSection] = Field(
        description="計画独自の年度ごとの記述項目 / The texts of the plan's own sections of each year"
    )
    ratings: list[RatingInfo] = Field(
        description="評価（観点の順） / The ratings, in the order of the dimensions"
    )


class ResultList(Schema):
    node_id: str = Field(description="ノードID / The node's id")
    items: list[ResultItem] = Field(
        description="年度ごとの実施結果（古い順） / The results per fiscal year, oldest first"
    )


class RatingItem(Schema):
    """計画の評価の一覧の1件 / A rating in the list of a plan's ratings."""

    node_id: str = Field(description="ノードID / The rated node's id")
    node_code: str = Field(description="ノードのコード / The rated node's code")
    fiscal_year: int = Field(description=FISCAL_YEAR)
    rating: RatingInfo = Field(description="評価 / The rating")


class RatingPage(Schema):
    items: list[RatingItem] = Field(
        description="このページの評価（ID順） / The ratings of this page, in the order of their ids"
    )
    limit: int = Field(description="1ページの最大件数 / The most items a page holds")
    next_cursor: str | None = Field(
        description="次のページのcursor（最後のページはnull） / The cursor of the next page; null on the last"
    )


class TargetItem(Schema):
    """事業内容・目標の1項目（当初と変更後） / One target item, as planned and as revised."""

    row: int = Field(description="表の行（1から） / The row of the target table, from 1")
    position: int = Field(description="ノード内の順序 / Order within the node")
    start_year: int = Field(description="開始年度 / The first fiscal year it covers")
    end_year: int = Field(description="終了年度 / The last fiscal year it covers")
    open_end: bool = Field(
        description="以降欄（…年度以降）か / Whether it is, or reaches, the onwards column"
    )
    fiscal_year: int | None = Field(
        description="単年度の目標ならその年度、複数年ならnull / The single year it is for; null for a span"
    )
    text: str = Field(description="当初の目標 / The target as first planned")
    revised: bool = Field(description="変更されたか / Whether it was revised")
    revised_text: str = Field(
        description="変更後の目標（なければ空） / The revised target; empty if not revised"
    )
    revision_reason: str = Field(description="変更の理由 / Why it was revised")


class TargetList(Schema):
    node_id: str = Field(description="ノードID / The node's id")
    items: list[TargetItem] = Field(
        description="目標（行、年度、順序の順） / The targets, by row, year and order"
    )


class IndicatorValueItem(Schema):
    fiscal_year: int = Field(description=FISCAL_YEAR)
    target: str | None = Field(description=decimal("目標値", "The target value"))
    actual: str | None = Field(description=decimal("実績値", "The actual value"))
    achievement_rate: str | None = Field(
        description="達成率（%、小数1桁、オープンデータと同じ計算） / "
        "Achievement rate in percent, to 0.1, as in the open data"
    )


class IndicatorItem(Schema):
    name: str = Field(description="指標名 / The indicator's name")
    kind: str = Field(
        description="種類（outcome 成果、activity 活動、target_group 対象） / "
        "Kind: outcome, activity, target_group"
    )
    unit: str = Field(description="単位 / The unit of its values")
    direction: str = Field(
        description="方向（higher: 高いほど良い、lower: 低いほど良い） / higher or lower is better"
    )
    baseline_value: str | None = Field(description=decimal("基準値", "The baseline value"))
    baseline_year: int | None = Field(
        description="基準年度（なければnull） / The baseline's fiscal year, or null"
    )
    values: list[IndicatorValueItem] = Field(description="年度ごとの値 / The values per fiscal year")


class IndicatorList(Schema):
    node_id: str = Field(description="ノードID / The node's id")
    items: list[IndicatorItem] = Field(description="指標（順に） / The indicators, in order")


class CostItem(Schema):
    """ある年度の費用（決算、予算、計画） /
    What a node cost, was budgeted or planned to cost in one fiscal year."""

    fiscal_year: int | None = Field(
        description="年度（計画期間全体の計画はnull） / The fiscal year; null for the whole period's plan"
    )
    basis: str = Field(
        description="区分（actual 決算、budget 予算、plan 計画） / Basis: actual, budget, plan"
    )
    national: int | None = Field(description=amount("国庫支出金", "National funds"))
    prefectural: int | None = Field(description=amount("都道府県支出金", "Prefectural funds"))
    bonds: int | None = Field(description=amount("地方債", "Local bonds"))
    other: int | None = Field(description=amount("その他", "Other funds"))
    general: int | None = Field(description=amount("一般財源", "General funds"))
    project_cost: int | None = Field(description=amount("事業費（A）", "Project cost (A)"))
    staff_count: str | None = Field(description=decimal("正規職員従事人数", "Staff"))
    staff_hours: str | None = Field(description=decimal("延べ業務時間", "Staff hours"))
    staff_cost: int | None = Field(description=amount("人件費（B）", "Staff cost (B)"))
    total_cost: int | None = Field(description=amount("トータルコスト（A＋B）", "Total cost (A+B)"))


class CostList(Schema):
    node_id: str = Field(description="ノードID / The node's id")
    items: list[CostItem] = Field(
        description="費用（全体計画、年度、区分の順） / "
        "The costs: the whole period's first, then by year and basis"
    )
