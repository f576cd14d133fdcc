"""The API's errors as problem details (RFC 9457): ``application/problem+json`` bodies with
``type``, ``title``, ``status``, ``detail`` and ``instance``.

Every error under ``/api/`` is answered so: the refusals the selectors raise (an
``ApplicationError``: no such plan or node), parameters that do not validate (400, each
one's error in ``errors``), what Django and django-ninja answer on their own (an address
not found, a method not allowed: ``middleware``), the rate limit (429) and an unexpected
error (500, logged as every error is; what went wrong is never shown).

``type`` leads to the explanation of the problem on the API's page for people
(``/api/#problem-not-found``); ``title`` is the same for every problem of a type, and
``detail`` says what was wrong with this request. Both are written Japanese then English,
as every description of the API is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

from shinchoku.errors import ApplicationError, http_status

#: The media type of a problem's body.
PROBLEM_JSON = "application/problem+json"

#: Where the types of problems are explained (the API's page for people).
TYPES_PAGE = "/api/"


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: the anchor of its explanation, its title and what it says when
    nothing more precise is known."""

    slug: str
    title: str
    detail: str

    @property
    def uri(self) -> str:
        return f"{TYPES_PAGE}#problem-{self.slug}"


#: The problems the API answers, by status.
PROBLEM_TYPES: dict[int, ProblemType] = {
    400: ProblemType(
        "bad-request",
        "リクエストの誤り / Bad request",
        "パラメーターが正しくありません / A parameter is not valid.",
    ),
    404: ProblemType(
        "not-found",
        "見つかりません / Not found",
        "このアドレスには何もありません / Nothing is at this address.",
    ),
    405: ProblemType(
        "method-not-allowed",
        "使えないメソッド / Method not allowed",
        "この API は GET、HEAD、OPTIONS だけに答えます / The API answers GET, HEAD and OPTIONS only.",
    ),
    429: ProblemType(
        "too-many-requests",
        "リクエストが多すぎます / Too many requests",
        "1分間のリクエスト数の上限を超えました。Retry-After の秒数だけ待ってください"
        " / Over the number of requests a minute: wait the seconds Retry-After gives.",
    ),
    500: ProblemType(
        "server-error",
        "サーバーの誤り / Server error",
        "予期しない誤りが起きました。記録されています / An unexpected error occurred; it has been logged.",
    ),
}


class ProblemField(Schema):
    """正しくないパラメーター / One parameter that does not validate."""

    location: str = Field(
        description="パラメーターの場所（path、query） / Where the parameter is (path, query)"
    )
    parameter: str = Field(description="パラメーター名 / The parameter's name")
    message: str = Field(description="誤りの内容（英語） / What is wrong with it (in English)")


class Problem(Schema):
    """エラー（RFC 9457 の問題の詳細） / An error, as problem details (RFC 9457)."""

    type: str = Field(
        description="問題の種類の説明へのURI / The URI of the explanation of the problem's type"
    )
    title: str = Field(description="問題の種類の見出し / The title of the problem's type")
    status: int = Field(description="HTTPステータスコード / The HTTP status code")
    detail: str = Field(description="このリクエストについての説明 / What was wrong with this request")
    instance: str = Field(description="リクエストされたパス / The path that was requested")
    errors: list[ProblemField] = Field(
        description="検証できなかったパラメーター（400のとき） / "
        "The parameters that do not validate (with 400)"
    )


def problem(
    request: HttpRequest, status: int, detail: str = "", *, errors: Iterable[ProblemField] = ()
) -> HttpResponse:
    """The problem details answer of ``status`` to ``request``; ``detail`` by default what
    the type says."""
    kind = PROBLEM_TYPES.get(status)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else str(status)
    body = {
        "type": kind.uri if kind else "about:blank",
        "title": kind.title if kind else phrase,
        "status": status,
        "detail": detail or (kind.detail if kind else phrase),
        "instance": request.path,
        "errors": [error.model_dump() for error in errors],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_JSON)


def is_problem(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith(PROBLEM_JSON)


def _invalid(request: HttpRequest, error: Any) -> HttpResponse:
    fields = []
    for item in error.errors:
        where = [str(part) for part in item.get("loc", ())]
        fields.append(
            ProblemField(
                location=where[0] if where else "",
                parameter=where[-1] if len(where) > 1 else "",
                message=str(item.get("msg", "")),
            )
        )
    return problem(request, 400, errors=fields)


def _refused(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(request, http_status(error), str(error))


def _not_found(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(request, 404)


def _http_error(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(request, error.status_code, str(error))


def _unexpected(request: HttpRequest, error: Any) -> HttpResponse:
    # Django answers it (500), logs it and tells those who listen for errors; the
    # middleware turns its page into a problem.
    raise error


def install(api: NinjaAPI) -> None:
    """Makes ``api`` answer its errors as problems (each handler is given an error of the
    class it is installed for)."""
    api.add_exception_handler(ValidationError, _invalid)
    api.add_exception_handler(ApplicationError, _refused)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Exception, _unexpected)
