"""The tables of the open data (docs/open-data.md), one a CSV file: each says which columns
it has and how its rows are read from the JSON dataset (``readers.py``). The same
definitions write the ``datapackage.json`` that describes every column (``package.py``)
and the column reference of the documentation (``reference.py``).

The files follow the rules for machine-readable data that Japanese ministries publish for
municipal open data: one table a file, one header row and nothing above or below the data,
no merged cells, one datum a cell (a list becomes a table of its own), numbers written as
numbers, fiscal years as Western-year numbers with the 和暦 in a column of its own.
"""

from __future__ import annotations

from shinchoku.opendata import readers
from shinchoku.opendata.columns import (
    NAME_EN,
    NODE_ID,
    NOTE,
    PLAN_CODE,
    Column,
    ForeignKey,
    Table,
    year_columns,
)
from shinchoku.plans.models import AmountUnit, Level, NodeUnit, OrgUnit, Scale, Section
from shinchoku.progress.models import Cost, Indicator

#: The version of these tables; a change that removes or renames a column raises the major number.
TABLES_VERSION = "1.0"

TABLES: tuple[Table, ...] = (
    Table(
        "plans",
        "計画",
        "The plans (periods of a comprehensive plan's implementation programme), one a row.",
        (
            PLAN_CODE,
            Column("title", "string", "計画名", "the plan's title", required=True),
            Column("period_label", "string", "期の名称", "the name of the period, e.g. 第3期実行計画"),
            *year_columns("first_year", "計画期間の初年度", "the first year of the period"),
            *year_columns("last_year", "計画期間の最終年度", "the last year of the period"),
            Column(
                "onwards",
                "boolean",
                "以降欄の有無",
                "whether targets have a column for the years after the period (…年度以降)",
                required=True,
            ),
            Column("description", "string", "説明", "free text about the plan"),
            NOTE,
            Column(
                "amount_unit",
                "string",
                "金額の単位",
                "how the plan prints its amounts: yen (円) or thousand (千円); the amounts of costs.csv"
                " are always in yen",
                required=True,
                enum=tuple(AmountUnit.values),
            ),
        ),
        ("plan_code",),
        readers.plans,
    ),
    Table(
        "levels",
        "階層",
        "The levels of each plan's tree, top first (プラン, アクションプログラム, 施策計画, 事務事業 …).",
        (
            PLAN_CODE,
            Column(
                "level_key", "string", "階層キー", "the level's identifier within its plan", required=True
            ),
            Column("depth", "integer", "深さ", "0 for the top level, 1 below it, and so on", required=True),
            Column(
                "kind",
                "string",
                "階層の種類",
                "what the level is in the common vocabulary: plan (plan area), programme, measure,"
                " project or other",
                required=True,
                enum=tuple(Level.Kind.values),
            ),
            Column("name", "string", "階層の名称", "the name the plan gives the level", required=True),
            NAME_EN,
            Column(
                "rated",
                "boolean",
                "評価対象",
                "whether results and ratings attach to the nodes of this level",
                required=True,
            ),
        ),
        ("plan_code", "level_key"),
        readers.levels,
        (ForeignKey(("plan_code",), "plans", ("plan_code",)),),
        order=("plan_code", "depth"),
    ),
    Table(
        "markers",
        "記号",
        "The symbols a plan prints beside nodes (○, 重点 …) and what they mean.",
        (
            PLAN_CODE,
            Column("symbol", "string", "記号", "the symbol as printed", required=True),
            Column("position", "integer", "順序", "the order of the plan's markers (0 first)", required=True),
            Column("name", "string", "名称", "the marker's name", required=True),
            NAME_EN,
            Column("meaning", "string", "意味", "what the marker means; empty when the source does not say"),
            NOTE,
        ),
        ("plan_code", "symbol"),
        readers.markers,
        (ForeignKey(("plan_code",), "plans", ("plan_code",)),),
        order=("plan_code", "position"),
    ),
    Table(
        "dimensions",
        "評価の観点",
        "The judgements asked of the nodes of a rated level (達成状況区分, 今後の方向性 …), each on a scale.",
        (
            PLAN_CODE,
            Column(
                "level_key", "string", "階層キー", "the rated level the judgement applies to", required=True
            ),
            Column(
                "dimension_key",
                "string",
                "観点キー",
                "the judgement's identifier within its level",
                required=True,
            ),
            Column(
                "position", "integer", "順序", "the order of the plan's judgements (0 first)", required=True
            ),
            Column("name", "string", "観点の名称", "e.g. 達成状況区分", required=True),
            NAME_EN,
            Column(
                "scale_code", "string", "尺度コード", "the scale the judgement is given on", required=True
            ),
            Column(
                "primary",
                "boolean",
                "主たる観点",
                "the judgement shown first and counted in summaries (one per level)",
                required=True,
            ),
        ),
        ("plan_code", "level_key", "dimension_key"),
        readers.dimensions,
        (
            ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key")),
            ForeignKey(("scale_code",), "scales", ("scale_code",)),
        ),
        order=("plan_code", "position"),
    ),
    Table(
        "scales",
        "評価尺度",
        "The rating scales used by the plans' judgements.",
        (
            Column("scale_code", "string", "尺度コード", "the scale's code", required=True),
            Column("name", "string", "尺度の名称", "e.g. 達成状況区分", required=True),
            NAME_EN,
            Column(
                "good_end",
                "string",
                "良い側",
                "first: the first level is the best; last: the last level is",
                required=True,
                enum=tuple(Scale.GoodEnd.values),
            ),
            Column("description", "string", "説明", "free text about the scale"),
        ),
        ("scale_code",),
        readers.scales,
    ),
    Table(
        "scale_levels",
        "評価区分",
        "The levels of each scale, in order (e.g. 1 目標を大きく上回って達成 … 5 目標を大きく下回った).",
        (
            Column("scale_code", "string", "尺度コード", "the scale", required=True),
            Column(
                "level_code",
                "string",
                "区分コード",
                "the level's code as printed, e.g. 3 or A",
                required=True,
            ),
            Column("position", "integer", "順序", "the level's place in the scale (0 first)", required=True),
            Column("label", "string", "区分の名称", "e.g. 目標をほぼ達成", required=True),
            Column(
                "label_en",
                "string",
                "区分の英語の名称",
                "the label on the English pages, e.g. Mostly achieved the target; empty when none is given",
            ),
            Column(
                "adverse",
                "boolean",
                "不調側",
                "whether the level is on the scale's bad side (e.g. 目標を下回った)",
                required=True,
            ),
            Column(
                "row_label",
                "string",
                "行の見出し",
                "a scale printed as a matrix (e.g. 変更 × 拡大): the row the level stands in;"
                " empty otherwise",
            ),
            Column(
                "column_label",
                "string",
                "列の見出し",
                "a scale printed as a matrix: the column the level stands in; empty otherwise",
            ),
        ),
        ("scale_code", "level_code"),
        readers.scale_levels,
        (ForeignKey(("scale_code",), "scales", ("scale_code",)),),
        order=("scale_code", "position"),
    ),
    Table(
        "units",
        "組織",
        "The organisation units named on nodes (局, 区, 部, 課), with the units above them.",
        (
            Column("unit_code", "string", "組織コード", "the unit's code", required=True),
            Column("name", "string", "組織名", "e.g. 市民・こども局", required=True),
            Column(
                "kind",
                "string",
                "組織の種類",
                "bureau (局), ward (区), department (部), section (課) or other",
                required=True,
                enum=tuple(OrgUnit.Kind.values),
            ),
            Column("parent_code", "string", "上位組織コード", "the unit above, empty for a top unit"),
        ),
        ("unit_code",),
        readers.units,
        (ForeignKey(("parent_code",), "", ("unit_code",)),),
    ),
    Table(
        "nodes",
        "施策体系",
        "Every node of every plan's tree: plan areas, programmes, measures, projects.",
        (
            NODE_ID,
            PLAN_CODE,
            Column("code", "string", "コード", "the node's code within its plan, e.g. 9-1-1", required=True),
            Column("parent_id", "string", "上位ノードID", "the parent node's node_id, empty for a top node"),
            Column(
                "path",
                "string",
                "コードの経路",
                "the codes from the top node down to this one, separated by /, e.g. 9/9-1/9-1-1",
                required=True,
            ),
            Column("level_key", "string", "階層キー", "the node's level (levels.csv)", required=True),
            Column(
                "level_kind",
                "string",
                "階層の種類",
                "the kind of the node's level: plan (plan area), programme, measure, project or other",
                required=True,
                enum=tuple(Level.Kind.values),
            ),
            Column(
                "label",
                "string",
                "表示名",
                "the label as printed when it differs from the code, e.g. プラン９",
            ),
            Column("position", "integer", "順序", "the order among its siblings (0 first)", required=True),
            Column("title", "string", "名称", "the name, e.g. 協働型事業の推進", required=True),
            Column("summary", "string", "概要", "the purpose printed under the name"),
            Column("baseline", "string", "現状", "the state when the plan was made"),
            NOTE,
        ),
        ("node_id",),
        readers.nodes,
        (
            ForeignKey(("plan_code",), "plans", ("plan_code",)),
            ForeignKey(("parent_id",), "", ("node_id",)),
            ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key")),
        ),
    ),
    Table(
        "node_markers",
        "施策の記号",
        "The markers printed beside each node, one a row.",
        (
            NODE_ID,
            PLAN_CODE,
            Column("symbol", "string", "記号", "the marker's symbol (markers.csv)", required=True),
        ),
        ("node_id", "symbol"),
        readers.node_markers,
        (
            ForeignKey(("node_id",), "nodes", ("node_id",)),
            ForeignKey(("plan_code", "symbol"), "markers", ("plan_code", "symbol")),
        ),
    ),
    Table(
        "node_units",
        "所管組織",
        "The organisation units of each node and their roles (所管 / 作成 / 関係), one a row.",
        (
            NODE_ID,
            Column("unit_code", "string", "組織コード", "the unit (units.csv)", required=True),
            Column(
                "role",
                "string",
                "役割",
                "responsible (所管), authoring (作成) or related (関係)",
                required=True,
                enum=tuple(NodeUnit.Role.values),
            ),
        ),
        ("node_id", "unit_code", "role"),
        readers.node_units,
        (
            ForeignKey(("node_id",), "nodes", ("node_id",)),
            ForeignKey(("unit_code",), "units", ("unit_code",)),
        ),
    ),
    Table(
        "targets",
        "事業内容・目標",
        "The targets of each node: one item of a cell of 事業内容・目標 (one ● bullet, or 事業推進) a row.",
        (
            NODE_ID,
            Column(
                "target_no",
                "integer",
                "目標番号",
                "the target's number within its node (1, 2 …), in the order row, first year, position",
                required=True,
            ),
            Column(
                "row",
                "integer",
                "行",
                "the table row within the node (1, 2 …): some measures have one row per facility or topic",
                required=True,
            ),
            Column("position", "integer", "順序", "the order within the node as entered", required=True),
            *year_columns(
                "fiscal_year",
                "年度",
                "the single year the target is for; empty when it spans years or is the onwards column",
                required=False,
            ),
            *year_columns("start_year", "開始年度", "the first year the target covers"),
            *year_columns(
                "end_year",
                "終了年度",
                "the last year the target covers; the onwards column counts as the year after the period",
            ),
            Column(
                "open_end",
                "boolean",
                "以降",
                "whether the target is the onwards column (…年度以降) or reaches into it",
                required=True,
            ),
            Column(
                "period_label",
                "string",
                "期間の表示",
                "as printed: 2012年度, 2011年度〜2013年度, 2014年度以降",
                required=True,
            ),
            Column("text", "string", "目標", "the target as first planned", required=True),
            Column(
                "revised_text",
                "string",
                "変更後の目標",
                "the revised target (実行計画と差異のある事業目標), empty if not revised",
            ),
            Column("revision_reason", "string", "変更の理由", "why the target was revised"),
            NOTE,
        ),
        ("node_id", "target_no"),
        readers.targets,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "results",
        "実施結果",
        "The yearly results of the rated nodes, one node and fiscal year a row.",
        (
            NODE_ID,
            *year_columns("fiscal_year", "年度", "the year reported on"),
            Column(
                "rating_code",
                "string",
                "評価区分コード",
                "the rating on the primary judgement (every judgement is in ratings.csv); empty if not rated",
            ),
            Column("rating_label", "string", "評価区分", "the label of that rating, e.g. 目標をほぼ達成"),
            Column("text", "string", "実施結果", "what was done, one bullet a line"),
            Column(
                "context_change", "string", "環境等の変化・課題等", "what changed and the issues it raises"
            ),
            Column("response", "string", "新たな課題等への対応", "what will be done about them"),
            Column("highlight", "string", "主な実施結果", "the digest printed on the summary pages"),
            NOTE,
        ),
        ("node_id", "fiscal_year"),
        readers.results,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "ratings",
        "評価",
        "The ratings of each result, one judgement a row.",
        (
            NODE_ID,
            *year_columns("fiscal_year", "年度", "the year of the result rated"),
            PLAN_CODE,
            Column("level_key", "string", "階層キー", "the level of the node rated", required=True),
            Column("dimension_key", "string", "観点キー", "the judgement (dimensions.csv)", required=True),
            Column("dimension_name", "string", "観点の名称", "e.g. 達成状況区分", required=True),
            Column(
                "primary", "boolean", "主たる観点", "whether the judgement is the primary one", required=True
            ),
            Column("scale_code", "string", "尺度コード", "the judgement's scale", required=True),
            Column("rating_code", "string", "評価区分コード", "the level given, e.g. 3", required=True),
            Column("rating_label", "string", "評価区分", "its label, e.g. 目標をほぼ達成", required=True),
            Column("reason", "string", "評価の理由", "the reason given for the rating; empty when none"),
        ),
        ("node_id", "fiscal_year", "dimension_key"),
        readers.ratings,
        (
            ForeignKey(("node_id", "fiscal_year"), "results", ("node_id", "fiscal_year")),
            ForeignKey(
                ("plan_code", "level_key", "dimension_key"),
                "dimensions",
                ("plan_code", "level_key", "dimension_key"),
            ),
            ForeignKey(("scale_code", "rating_code"), "scale_levels", ("scale_code", "level_code")),
        ),
    ),
    Table(
        "indicators",
        "指標",
        "The indicators of each node (成果指標, 活動指標, 対象指標).",
        (
            NODE_ID,
            Column(
                "indicator_no",
                "integer",
                "指標番号",
                "the indicator's number within its node (1, 2 …), in the order of position",
                required=True,
            ),
            Column("position", "integer", "順序", "the order within the node as entered", required=True),
            Column("name", "string", "指標名", "e.g. 市民活動センター利用者数", required=True),
            Column(
                "kind",
                "string",
                "指標の種類",
                "outcome (成果指標), activity (活動指標) or target_group (対象指標)",
                required=True,
                enum=tuple(Indicator.Kind.values),
            ),
            Column("unit", "string", "単位", "the unit of the values, e.g. 人"),
            Column(
                "direction",
                "string",
                "方向",
                "higher (higher is better) or lower (lower is better)",
                required=True,
                enum=tuple(Indicator.Direction.values),
            ),
            Column("baseline_value", "number", "基準値", "the value when the plan was made"),
            *year_columns("baseline_year", "基準年度", "the year of the baseline value", required=False),
        ),
        ("node_id", "indicator_no"),
        readers.indicators,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
    Table(
        "indicator_values",
        "指標の値",
        "Each indicator's target and actual value per fiscal year.",
        (
            NODE_ID,
            Column("indicator_no", "integer", "指標番号", "the indicator (indicators.csv)", required=True),
            *year_columns("fiscal_year", "年度", "the year of the values"),
            Column("target", "number", "目標値", "the target value"),
            Column("actual", "number", "実績値", "the actual value"),
            Column(
                "achievement_rate",
                "number",
                "達成率",
                "percent, rounded to 0.1, computed from target and actual (see docs/open-data.md);"
                " empty when either is missing",
            ),
        ),
        ("node_id", "indicator_no", "fiscal_year"),
        readers.indicator_values,
        (ForeignKey(("node_id", "indicator_no"), "indicators", ("node_id", "indicator_no")),),
    ),
)
TABLES += (
    Table(
        "sections",
        "記述項目",
        "The sections of text a plan defines for the nodes of each level (対象, 意図, 課題 …); a plan"
        " without rows here has the builtin ones (概要, 現状 on the node; 実施結果, 環境等の変化・課題等,"
        " 新たな課題等への対応, 主な実施結果 on each year's result) on its rated levels.",
        (
            PLAN_CODE,
            Column(
                "level_key", "string", "階層キー", "the level whose nodes have the section", required=True
            ),
            Column(
                "section_key",
                "string",
                "項目キー",
                "the section's identifier within its level",
                required=True,
            ),
            Column(
                "position", "integer", "順序", "the order of the level's sections (0 first)", required=True
            ),
            Column("name", "string", "項目名", "the section's name, e.g. 対象", required=True),
            NAME_EN,
            Column(
                "scope",
                "string",
                "記述の単位",
                "node: about the node itself (node_sections.csv); year: about each fiscal year"
                " (result_sections.csv)",
                required=True,
                enum=tuple(Section.Scope.values),
            ),
            Column(
                "builtin",
                "string",
                "格納先",
                "the column of nodes.csv or results.csv that holds the section's text; empty when"
                " the text is in node_sections.csv or result_sections.csv",
                enum=tuple(value for value in Section.Builtin.values if value),
            ),
        ),
        ("plan_code", "level_key", "section_key"),
        readers.sections,
        (ForeignKey(("plan_code", "level_key"), "levels", ("plan_code", "level_key")),),
        order=("plan_code", "level_key", "position"),
    ),
    Table(
        "node_sections",
        "施策の記述",
        "Each node's text of a section about the node that has no column of its own in nodes.csv.",
        (
            NODE_ID,
            PLAN_CODE,
            Column("level_key", "string", "階層キー", "the node's level", required=True),
            Column("section_key", "string", "項目キー", "the section (sections.csv)", required=True),
            Column("text", "string", "記述", "the text", required=True),
        ),
        ("node_id", "section_key"),
        readers.node_sections,
        (
            ForeignKey(("node_id",), "nodes", ("node_id",)),
            ForeignKey(
                ("plan_code", "level_key", "section_key"),
                "sections",
                ("plan_code", "level_key", "section_key"),
            ),
        ),
    ),
    Table(
        "result_sections",
        "実施結果の記述",
        "Each result's text of a section of the year that has no column of its own in results.csv.",
        (
            NODE_ID,
            *year_columns("fiscal_year", "年度", "the year of the result"),
            PLAN_CODE,
            Column("level_key", "string", "階層キー", "the node's level", required=True),
            Column("section_key", "string", "項目キー", "the section (sections.csv)", required=True),
            Column("text", "string", "記述", "the text", required=True),
        ),
        ("node_id", "fiscal_year", "section_key"),
        readers.result_sections,
        (
            ForeignKey(("node_id", "fiscal_year"), "results", ("node_id", "fiscal_year")),
            ForeignKey(
                ("plan_code", "level_key", "section_key"),
                "sections",
                ("plan_code", "level_key", "section_key"),
            ),
        ),
    ),
    Table(
        "staff_rates",
        "人件費単価",
        "The hourly cost of a member of staff that each plan sets per fiscal year: what prices a"
        " project's staff hours when its 人件費 is not given.",
        (
            PLAN_CODE,
            *year_columns("fiscal_year", "年度", "the year of the rate"),
            Column("hourly_cost", "integer", "1時間当たり人件費", "in yen", required=True),
        ),
        ("plan_code", "fiscal_year"),
        readers.staff_rates,
        (ForeignKey(("plan_code",), "plans", ("plan_code",)),),
    ),
    Table(
        "costs",
        "事業費",
        "What each project cost, or was budgeted or planned to cost, one node, fiscal year and basis"
        " a row; amounts in yen, empty when not given. total_cost = project_cost + staff_cost.",
        (
            NODE_ID,
            Column(
                "cost_no",
                "integer",
                "番号",
                "the cost's number within its node (1, 2 …): the whole period's first, then by year"
                " and basis (actual, budget, plan)",
                required=True,
            ),
            *year_columns(
                "fiscal_year",
                "年度",
                "the year of the cost; empty for the whole period (全体計画)",
                required=False,
            ),
            Column(
                "basis",
                "string",
                "区分",
                "actual (決算・実績), budget (予算) or plan (計画・目標)",
                required=True,
                enum=tuple(Cost.Basis.values),
            ),
            Column("national", "integer", "国庫支出金", "national funds, in yen"),
            Column("prefectural", "integer", "都道府県支出金", "prefectural funds, in yen"),
            Column("bonds", "integer", "地方債", "local bonds, in yen"),
            Column("other", "integer", "その他", "other funds, in yen"),
            Column("general", "integer", "一般財源", "general funds, in yen"),
            Column("project_cost", "integer", "事業費（A）", "the project's cost, in yen"),
            Column(
                "staff_count", "number", "正規職員従事人数", "the staff who worked on it, to two decimals"
            ),
            Column("staff_hours", "number", "延べ業務時間", "their hours, to two decimals"),
            Column(
                "staff_cost",
                "integer",
                "人件費（B）",
                "the staff cost, in yen: as given, or the hours priced at the year's rate (staff_rates.csv)",
            ),
            Column("total_cost", "integer", "トータルコスト（A＋B）", "project_cost + staff_cost, in yen"),
        ),
        ("node_id", "cost_no"),
        readers.costs,
        (ForeignKey(("node_id",), "nodes", ("node_id",)),),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
