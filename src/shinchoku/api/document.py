"""The API object (django-ninja) and what its OpenAPI document says beyond what ninja
writes: errors in ``application/problem+json``, the ETag and Cache-Control of an answer,
the Retry-After of a 429, and the meaning of each status, Japanese then English. The
operations are added to it in ``views``."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from shinchoku.api import problems

#: The namespace of the API's URLs (``selectors.common.api_path``).
NAMESPACE = "api"

DESCRIPTION = """\
自治体の総合計画の進行管理で公表されたデータ（計画、政策体系、施策、目標、実施結果、評価、指標、費用、集計）を\
読み取り専用で提供します。公表前の下書きは含みません。
Read-only access to the published data of a municipality's comprehensive plan: plans, their trees, \
measures, targets, results, ratings, indicators, costs and totals. Drafts are never included."""

#: What each status of the API means.
STATUSES = {
    "200": "成功 / OK",
    "304": "変更なし: If-None-Match の ETag が最新 / Not modified: the ETag of If-None-Match is current",
    "400": "パラメーターの誤り / A parameter is not valid",
    "404": "見つからない / Not found",
    "429": "リクエストが多すぎる / Too many requests",
    "500": "サーバーの誤り / Server error",
}

ETAG = {
    "description": "データの版とアドレスから作るタグ（If-None-Match に送ると変更がなければ304） / "
    "A tag of the data version and address; sent back in If-None-Match, 304 while unchanged",
    "schema": {"type": "string"},
}
CACHE_CONTROL = {
    "description": "public, max-age=0, must-revalidate: 毎回 ETag で確かめる / "
    "revalidate with the ETag each time",
    "schema": {"type": "string"},
}
RETRY_AFTER = {
    "description": "次のリクエストまで待つ秒数 / Seconds to wait before the next request",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


class Renderer(JSONRenderer):
    """JSON in UTF-8 as it is (Japanese not escaped), as the open data writes it."""

    json_dumps_params = {"ensure_ascii": False}


class OpenDataApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        document = super().get_openapi_schema(*args, **kwargs)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    _describe(status, response)
        return document


def _describe(code: int | str, response: dict[str, Any]) -> None:
    status = str(code)
    response["description"] = STATUSES.get(status, response.get("description", ""))
    content = response.get("content", {})
    if int(status) >= 400 and "application/json" in content:
        response["content"] = {problems.PROBLEM_JSON: content["application/json"]}
    if status in {"200", "304"}:
        response["headers"] = {"ETag": ETAG, "Cache-Control": CACHE_CONTROL}
    if status == "429":
        response["headers"] = {"Retry-After": RETRY_AFTER}


api = OpenDataApi(
    title="進捗 公開データAPI / Shinchoku open data API",
    version="1",
    description=DESCRIPTION,
    openapi_url=None,
    docs_url=None,
    urls_namespace=NAMESPACE,
    renderer=Renderer(),
)
problems.install(api)
