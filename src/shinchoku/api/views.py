"""The operations of the API, version 1 (docs/api.md), with django-ninja: each parses its
parameters (described in the OpenAPI document, validated before it runs), calls one
selector and answers what it returns. Every answer is tagged with the data version and
answered 304 from it (``caching``); errors are problem details (``problems``); CORS, the
rate limit and the replica are the middleware's (``middleware``).

Parameters and answers are described in one string each, Japanese then English; the page
for people (``docs``) is made from the same document.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from ninja import Path, Query
from ninja.decorators import decorate_view

from shinchoku.api import selectors
from shinchoku.api.caching import plan_data, release_data, site_data
from shinchoku.api.docs import api_docs
from shinchoku.api.document import Renderer, api
from shinchoku.api.problems import Problem
from shinchoku.api.schemas.progress import CostList, IndicatorList, RatingPage, ResultList, TargetList
from shinchoku.api.schemas.structure import NodeDetail, NodePage, PlanDetail, PlanList
from shinchoku.api.schemas.summaries import CostTotals, RatingCounts, SearchResults, YearSummary
from shinchoku.plans.selectors import MAX_QUERY_LENGTH
from shinchoku.plans.selectors.search import KINDS
from shinchoku.published.pagecache import keyed_by

#: The answers every operation may give besides its own.
ERRORS: dict[int, Any] = {304: None, 400: Problem, 404: Problem, 429: Problem, 500: Problem}


def responses(schema: type) -> dict[int, Any]:
    return {200: schema, **ERRORS}


# The parameters, described once.

PLAN_CODE = Path(
    description="計画コード / The plan's code",
    pattern=r"^[-a-zA-Z0-9_]+$",
    max_length=64,
    example="kawasaki-frontier-3",
)
NODE_CODE = Path(
    description="ノードのコード（計画内で一意） / The node's code, unique within its plan",
    pattern=r"^[^\x00]+$",
    max_length=64,
    example="9-1-1",
)
YEAR = Query(
    None,
    description="年度（西暦で始まる年、例: 2012） / A fiscal year, as the Western year it starts in",
    ge=1900,
    le=2200,
)
CURSOR = Query(
    None,
    description="前のページの next_cursor（最初のページは省略） / "
    "The next_cursor of the page before; none for the first",
    pattern=r"^[0-9]{1,18}$",
)
LIMIT = Query(
    selectors.PAGE_SIZE,
    description=f"1ページの件数（最大 {selectors.MAX_PAGE_SIZE}） / "
    f"Items a page, at most {selectors.MAX_PAGE_SIZE}",
    ge=1,
    le=selectors.MAX_PAGE_SIZE,
)
SCOPE = Query(
    None,
    description="範囲とするプランまたはプログラムのコード（省略すると計画全体） / "
    "A plan area or programme; none for the plan",
    pattern=r"^[^\x00]+$",
    max_length=64,
)
KEY = r"^[-a-zA-Z0-9_]+$"
#: Any text but a NUL character, which no text of the data holds (``middleware``).
TEXT = r"^[^\x00]*$"


def text_filter(description: str, pattern: str = TEXT) -> Any:
    return Query(None, description=description, max_length=64, pattern=pattern)


def _after(cursor: str | None) -> int:
    return int(cursor) if cursor else 0


# ------------------------------------------------------------------------ plans


@api.get(
    "/plans",
    response=responses(PlanList),
    url_name="plans",
    operation_id="plan_list",
    tags=["plans"],
    summary="計画の一覧 / The plans",
)
@decorate_view(site_data)
def plan_list(request: HttpRequest) -> Any:
    """公表されている計画（新しい期から）と施策の数。 /
    Every plan, newest period first, with its number of measures."""
    return selectors.plan_list()


@api.get(
    "/plans/{plan_code}",
    response=responses(PlanDetail),
    url_name="plan",
    operation_id="plan_get",
    tags=["plans"],
    summary="計画と政策体系 / A plan and its outline",
)
@decorate_view(plan_data)
def plan_get(request: HttpRequest, plan_code: str = PLAN_CODE) -> Any:
    """計画の階層、評価の観点と尺度、記号、記述項目、プランとプログラムの体系と施策の数。 /
    The plan's levels, dimensions with their scales, markers, sections, and the outline of its
    plan areas and programmes with their numbers of measures."""
    return selectors.plan_detail(plan_code)


# ------------------------------------------------------------------------ nodes


@api.get(
    "/plans/{plan_code}/nodes",
    response=responses(NodePage),
    url_name="nodes",
    operation_id="node_list",
    tags=["nodes"],
    summary="ノードの一覧 / The nodes of a plan",
)
@decorate_view(plan_data)
def node_list(
    request: HttpRequest,
    plan_code: str = PLAN_CODE,
    level: str | None = text_filter("階層キー / A level's key", KEY),
    parent: str | None = text_filter("上位ノードのコード（その子だけ） / A parent's code: its children only"),
    unit: str | None = text_filter(
        "組織コード（その組織が関わるノード） / A unit's code: the nodes it has a role on", KEY
    ),
    role: str | None = text_filter(
        "unit の役割（responsible、authoring、related） / The unit's role",
        r"^(responsible|authoring|related)$",
    ),
    marker: str | None = text_filter("記号（例: ○） / A marker's symbol"),
    year: int | None = YEAR,
    rating: str | None = text_filter(
        "主たる観点の評価区分コード（year があればその年度） / "
        "A rating code on the primary dimension (of year, if given)"
    ),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """計画のノードをID順に、ページごとに。year だけなら、その年度の実施結果のあるノード。 /
    The plan's nodes by id, a page at a time, narrowed by the filters given; year alone: the
    nodes with a result of that year."""
    filters = selectors.NodeFilter(
        level=level or "",
        parent=parent or "",
        unit=unit or "",
        role=role or "",
        marker=marker or "",
        year=year,
        rating=rating or "",
    )
    return selectors.node_page(plan_code, filters, after=_after(cursor), limit=limit)


@api.get(
    "/plans/{plan_code}/nodes/{node_code}",
    response=responses(NodeDetail),
    url_name="node",
    operation_id="node_get",
    tags=["nodes"],
    summary="ノード / One node",
)
@decorate_view(plan_data)
def node_get(request: HttpRequest, plan_code: str = PLAN_CODE, node_code: str = NODE_CODE) -> Any:
    """ノードの位置、概要と現状などの記述、記号、組織、実施結果のある年度。 /
    The node's place in the tree, its texts, markers, units and the years with results."""
    return selectors.node_detail(plan_code, node_code)


@api.get(
    "/plans/{plan_code}/nodes/{node_code}/results",
    response=responses(ResultList),
    url_name="results",
    operation_id="node_results",
    tags=["nodes"],
    summary="年度ごとの実施結果と評価 / Results and ratings per year",
)
@decorate_view(plan_data)
def node_results(
    request: HttpRequest, plan_code: str = PLAN_CODE, node_code: str = NODE_CODE, year: int | None = YEAR
) -> Any:
    """公表された実施結果（古い順）と、観点ごとの評価とその理由。 /
    The node's published results, oldest first, with their ratings and reasons."""
    return selectors.node_results(plan_code, node_code, year=year)


@api.get(
    "/plans/{plan_code}/nodes/{node_code}/targets",
    response=responses(TargetList),
    url_name="targets",
    operation_id="node_targets",
    tags=["nodes"],
    summary="目標と変更 / Targets and their revisions",
)
@decorate_view(plan_data)
def node_targets(
    request: HttpRequest, plan_code: str = PLAN_CODE, node_code: str = NODE_CODE, year: int | None = YEAR
) -> Any:
    """事業内容・目標（当初と変更後、変更の理由）。year があればその年度の目標だけ。 /
    The node's targets as planned and as revised, with the reasons; of year only, if given."""
    return selectors.node_targets(plan_code, node_code, year=year)


@api.get(
    "/plans/{plan_code}/nodes/{node_code}/indicators",
    response=responses(IndicatorList),
    url_name="indicators",
    operation_id="node_indicators",
    tags=["nodes"],
    summary="指標と値 / Indicators and their values",
)
@decorate_view(plan_data)
def node_indicators(request: HttpRequest, plan_code: str = PLAN_CODE, node_code: str = NODE_CODE) -> Any:
    """指標と年度ごとの目標値、実績値、達成率。 / The node's indicators with their target, actual and
    achievement rate per fiscal year."""
    return selectors.node_indicators(plan_code, node_code)


@api.get(
    "/plans/{plan_code}/nodes/{node_code}/costs",
    response=responses(CostList),
    url_name="costs",
    operation_id="node_costs",
    tags=["nodes"],
    summary="費用 / Costs",
)
@decorate_view(plan_data)
def node_costs(request: HttpRequest, plan_code: str = PLAN_CODE, node_code: str = NODE_CODE) -> Any:
    """ノード自身の費用（財源内訳、事業費、人件費、トータルコスト）。 / The node's own costs: funding,
    project cost, staff cost and total cost."""
    return selectors.node_costs(plan_code, node_code)


@api.get(
    "/plans/{plan_code}/ratings",
    response=responses(RatingPage),
    url_name="ratings",
    operation_id="rating_list",
    tags=["nodes"],
    summary="評価の一覧 / The ratings of a plan",
)
@decorate_view(plan_data)
def rating_list(
    request: HttpRequest,
    plan_code: str = PLAN_CODE,
    year: int | None = YEAR,
    dimension: str | None = text_filter("観点キー / A dimension's key", KEY),
    code: str | None = text_filter("評価区分コード / A rating code"),
    level: str | None = text_filter("評価される階層のキー / The key of a rated level", KEY),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """計画の評価と理由をID順に、ページごとに。 / The plan's ratings with their reasons, by id, a page
    at a time."""
    filters = selectors.RatingFilter(year=year, dimension=dimension or "", code=code or "", level=level or "")
    return selectors.rating_page(plan_code, filters, after=_after(cursor), limit=limit)


# ------------------------------------------------------------------- aggregates


@api.get(
    "/plans/{plan_code}/aggregates/ratings",
    response=responses(RatingCounts),
    url_name="rating_counts",
    operation_id="rating_counts",
    tags=["aggregates"],
    summary="評価の集計 / Rating counts",
)
@decorate_view(plan_data)
def rating_counts(
    request: HttpRequest, plan_code: str = PLAN_CODE, node: str | None = SCOPE, year: int | None = YEAR
) -> Any:
    """観点ごと、年度ごと、評価区分ごとの評価の数（公開ページと報告書の集計表と同じ）。 /
    How many ratings each level of the scale has, per dimension and fiscal year: the tables
    of the public pages and the report."""
    return selectors.rating_counts(plan_code, node_code=node, year=year)


@api.get(
    "/plans/{plan_code}/aggregates/costs",
    response=responses(CostTotals),
    url_name="cost_totals",
    operation_id="cost_totals",
    tags=["aggregates"],
    summary="費用の合計 / Cost totals",
)
@decorate_view(plan_data)
def cost_totals(request: HttpRequest, plan_code: str = PLAN_CODE, node: str | None = SCOPE) -> Any:
    """評価階層ごと、年度と区分ごとの費用の合計と、値のある事業の数。 / The sums of the costs per rated
    level, fiscal year and basis, with how many projects give each figure."""
    return selectors.cost_totals(plan_code, node_code=node)


@api.get(
    "/plans/{plan_code}/aggregates/years",
    response=responses(YearSummary),
    url_name="years",
    operation_id="year_summary",
    tags=["aggregates"],
    summary="年度とノードの数 / Years and node counts",
)
@decorate_view(plan_data)
def year_summary(request: HttpRequest, plan_code: str = PLAN_CODE, node: str | None = SCOPE) -> Any:
    """報告書を作れる年度、年度ごとの実施結果の数、階層ごとのノードの数。 / The years a report can be
    made for, the results per year and the nodes per level."""
    return selectors.year_summary(plan_code, node_code=node)


# ----------------------------------------------------------------------- search


@api.get(
    "/search",
    response=responses(SearchResults),
    url_name="search",
    operation_id="search",
    tags=["search"],
    summary="検索 / Search",
)
@decorate_view(site_data)
def search(
    request: HttpRequest,
    q: str = Query(
        ...,
        description="検索語（空白で区切った語をすべて含むノード、最大10語） / "
        "Words; the nodes holding all of them",
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        pattern=TEXT,
    ),
    plan: str | None = text_filter("計画コード / A plan's code", KEY),
    year: int | None = YEAR,
    kind: str = Query(
        "all",
        description="検索する記述（all、nodes、targets、results） / What to search",
        pattern=f"^({'|'.join(KINDS)})$",
    ),
    page: int = Query(
        1, description="ページ番号（1ページ20件） / The page number; twenty nodes a page", ge=1, le=1000
    ),
) -> Any:
    """公開されたデータの検索（公開サイトの検索と同じ）。1,000件を超えると more が true。 /
    The search of published data, as the public site's: more than 1,000 nodes found sets more."""
    return selectors.search(q, plan=plan or "", year=year, kind=kind, page=page)


# ------------------------------------------------------------ the OpenAPI document


@functools.cache
def openapi() -> dict[str, Any]:
    """The OpenAPI document, made once a process: it changes with the code only."""
    return dict(api.get_openapi_schema())


@require_safe
@release_data
def openapi_document(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document of the API (``/api/openapi.json``)."""
    return HttpResponse(
        Renderer().render(request, openapi(), response_status=200), content_type="application/json"
    )


@require_safe
@keyed_by(lambda kwargs: settings.API_RATE_LIMIT)
def docs_page(request: HttpRequest) -> HttpResponse:
    """The API's page for people (``/api/``), made from its OpenAPI document; kept and
    tagged as the public pages are, by the release and the rate limit it states."""
    return render(
        request,
        "api/docs.html",
        {
            "docs": api_docs(openapi()),
            "base": reverse("api:api-root"),
            "openapi_url": reverse("api_openapi"),
            "site": settings.SITE_URL or request.build_absolute_uri("/").rstrip("/"),
            "rate_limit": settings.API_RATE_LIMIT,
            "max_page_size": selectors.MAX_PAGE_SIZE,
        },
    )
