"""The one error base: every application error names its kind of refusal, and every kind
has its HTTP answer in the one table (``shinchoku.errors.HTTP_STATUS``)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import shinchoku
from shinchoku.errors import HTTP_STATUS, ApplicationError, ErrorCode, Refusal, http_status

#: Modules not imported to find the errors: they run something when imported.
NOT_IMPORTED = {"shinchoku.__main__", "shinchoku.wsgi", "shinchoku.settings", "shinchoku.test_settings"}


def project_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(shinchoku.__path__, f"{shinchoku.__name__}.")
        if ".migrations" not in info.name and info.name not in NOT_IMPORTED
    ]


def subclasses(base: type) -> set[type]:
    found = set()
    for subclass in base.__subclasses__():
        found |= {subclass, *subclasses(subclass)}
    return found


@pytest.fixture(scope="module")
def errors() -> dict[str, type[ApplicationError]]:
    """Every subclass of ApplicationError in the project, by its dotted name."""
    for name in project_modules():
        importlib.import_module(name)
    return {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in subclasses(ApplicationError)
        if cls.__module__.startswith(f"{shinchoku.__name__}.")
    }


def test_every_kind_of_refusal_has_its_http_answer() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())


def test_every_application_error_names_a_code_that_is_answered(errors: dict[str, type]) -> None:
    assert {
        "shinchoku.review.errors.ReviewError",
        "shinchoku.interchange.preview.ImportRefused",
        "shinchoku.review.workbook.writer.WorkbookError",
        "shinchoku.reports.selectors.ReportError",
        "shinchoku.plans.selectors.search.QueryError",
        "shinchoku.files.OutputError",
        "shinchoku.demo.services.DemoPasswordRefused",
    } <= set(errors)
    unnamed = sorted(name for name, cls in errors.items() if cls is not Refusal and "code" not in vars(cls))
    assert unnamed == [], "each error class sets its own code = ErrorCode.…"
    unanswered = sorted(
        name for name, cls in errors.items() if cls is not Refusal and cls.code not in HTTP_STATUS
    )
    assert unanswered == []


def test_an_error_is_of_its_class_code_unless_raised_with_another() -> None:
    class Missing(Refusal):
        code = ErrorCode.NOT_FOUND

    assert http_status(Missing("no such plan")) == 404
    invalid = Missing("bad page number", code=ErrorCode.INVALID)
    assert (invalid.code, str(invalid), http_status(invalid)) == (ErrorCode.INVALID, "bad page number", 400)
