"""The API's page for people (``/api/``), read from the OpenAPI document itself, so that
the page and the document never disagree: each operation with its parameters and
answers, each schema with its fields, and the problems the API answers with. The
descriptions are the document's, Japanese then English; the page's own words are
translated as the rest of the site.

The document is JSON Schema: a type is written as the page shows it (``string``,
``integer | null``, ``array of NodeItem``), with the schema it names, if any, to link to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext

from shinchoku.api.problems import PROBLEM_TYPES

#: Patterns that only refuse a NUL character, which the page says once, among the errors.
NUL_ONLY = {r"^[^\x00]*$", r"^[^\x00]+$"}

#: The groups of operations (the document's tags), in the order the page shows them.
TAGS = ("plans", "nodes", "aggregates", "search")


@dataclass(frozen=True)
class Bilingual:
    """A description of the document, cut where its Japanese ends and its English begins,
    so that each is marked with its language."""

    ja: str
    en: str

    @property
    def shown(self) -> str:
        """The part in the page's language (the Japanese where there is no English)."""
        english = (get_language() or "").split("-")[0] == "en"
        return self.en if english and self.en else self.ja


#: Where a description's Japanese ends: " / " or the end of its first line.
_BETWEEN = re.compile(r"\s+/\s+|\n")


def bilingual(text: str) -> Bilingual:
    parts = _BETWEEN.split(text.strip(), maxsplit=1)
    return Bilingual(parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")


@dataclass(frozen=True)
class TypeDoc:
    """A type as shown, and the name of the schema it refers to ("" for none)."""

    text: str
    ref: str = ""


@dataclass(frozen=True)
class ParameterDoc:
    name: str
    location: str
    required: bool
    type: TypeDoc
    #: Bounds, pattern and default, as one line ("1–200, default 50").
    rules: str
    description: Bilingual


@dataclass(frozen=True)
class ResponseDoc:
    status: str
    description: Bilingual
    type: TypeDoc | None


@dataclass(frozen=True)
class OperationDoc:
    anchor: str
    method: str
    path: str
    summary: Bilingual
    description: Bilingual
    parameters: tuple[ParameterDoc, ...]
    responses: tuple[ResponseDoc, ...]
    #: The path with its example parameters: what to try first.
    example: str


@dataclass(frozen=True)
class TagDoc:
    name: str
    title: str
    operations: tuple[OperationDoc, ...]


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: TypeDoc
    required: bool
    description: Bilingual


@dataclass(frozen=True)
class SchemaDoc:
    name: str
    anchor: str
    description: Bilingual
    fields: tuple[FieldDoc, ...]


@dataclass(frozen=True)
class ProblemDoc:
    anchor: str
    status: int
    title: Bilingual
    detail: Bilingual


@dataclass(frozen=True)
class ApiDocs:
    title: Bilingual
    version: str
    description: Bilingual
    tags: tuple[TagDoc, ...]
    schemas: tuple[SchemaDoc, ...]
    problems: tuple[ProblemDoc, ...]


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_doc(schema: Mapping[str, Any]) -> TypeDoc:
    """How a JSON Schema type is shown: its name, a union, an array of something."""
    if "$ref" in schema:
        name = _name(schema["$ref"])
        return TypeDoc(name, name)
    if "anyOf" in schema:
        parts = [type_doc(part) for part in schema["anyOf"]]
        return TypeDoc(" | ".join(part.text for part in parts), next((p.ref for p in parts if p.ref), ""))
    kind = schema.get("type", "")
    if kind == "array":
        item = type_doc(schema.get("items", {}))
        return TypeDoc(gettext("array of %(type)s") % {"type": item.text}, item.ref)
    return TypeDoc(str(kind))


def _rules(schema: Mapping[str, Any]) -> str:
    """The bounds, pattern and default of a parameter, as one line."""
    found = [schema, *schema.get("anyOf", [])]
    rules = []
    for part in found:
        low, high = part.get("minimum"), part.get("maximum")
        if low is not None or high is not None:
            rules.append(f"{'' if low is None else low}–{'' if high is None else high}")
        if part.get("maxLength") is not None:
            rules.append(gettext("at most %(count)s characters") % {"count": part["maxLength"]})
        if part.get("pattern") and part["pattern"] not in NUL_ONLY:
            rules.append(part["pattern"])
    if schema.get("default") is not None:
        rules.append(gettext("default %(value)s") % {"value": schema["default"]})
    return ", ".join(rules)


def _example(path: str, parameters: list[Mapping[str, Any]]) -> str:
    for parameter in parameters:
        if parameter.get("in") == "path" and parameter.get("example"):
            path = path.replace(f"{{{parameter['name']}}}", str(parameter["example"]))
    return path


def _operation(method: str, path: str, operation: Mapping[str, Any]) -> OperationDoc:
    parameters = list(operation.get("parameters", []))
    responses = []
    for status, response in operation.get("responses", {}).items():
        content = next(iter(response.get("content", {}).values()), None)
        responses.append(
            ResponseDoc(
                status=status,
                description=bilingual(response.get("description", "")),
                type=type_doc(content["schema"]) if content else None,
            )
        )
    return OperationDoc(
        anchor=f"operation-{operation.get('operationId', '')}",
        method=method.upper(),
        path=path,
        summary=bilingual(operation.get("summary", "")),
        description=bilingual(operation.get("description", "")),
        parameters=tuple(
            ParameterDoc(
                name=parameter["name"],
                location=parameter.get("in", ""),
                required=bool(parameter.get("required")),
                type=type_doc(parameter.get("schema", {})),
                rules=_rules(parameter.get("schema", {})),
                description=bilingual(parameter.get("description", "")),
            )
            for parameter in parameters
        ),
        responses=tuple(responses),
        example=_example(path, parameters),
    )


def _tag_titles() -> dict[str, str]:
    return {
        "plans": gettext("Plans"),
        "nodes": gettext("Nodes and their progress"),
        "aggregates": gettext("Counts and totals"),
        "search": gettext("Search"),
    }


def api_docs(document: Mapping[str, Any]) -> ApiDocs:
    """The page's view-model from the OpenAPI ``document``."""
    operations: dict[str, list[OperationDoc]] = {tag: [] for tag in TAGS}
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            tag = next(iter(operation.get("tags", [])), TAGS[0])
            operations.setdefault(tag, []).append(_operation(method, path, operation))
    titles = _tag_titles()
    schemas = document.get("components", {}).get("schemas", {})
    return ApiDocs(
        title=bilingual(document.get("info", {}).get("title", "")),
        version=document.get("info", {}).get("version", ""),
        description=bilingual(document.get("info", {}).get("description", "")),
        tags=tuple(
            TagDoc(name=tag, title=titles.get(tag, tag), operations=tuple(found))
            for tag, found in operations.items()
            if found
        ),
        schemas=tuple(
            SchemaDoc(
                name=name,
                anchor=f"schema-{name}",
                description=bilingual(schema.get("description", "")),
                fields=tuple(
                    FieldDoc(
                        name=field,
                        type=type_doc(definition),
                        required=field in schema.get("required", []),
                        description=bilingual(definition.get("description", "")),
                    )
                    for field, definition in schema.get("properties", {}).items()
                ),
            )
            for name, schema in sorted(schemas.items())
        ),
        problems=tuple(
            ProblemDoc(
                anchor=kind.uri.split("#", 1)[1],
                status=status,
                title=bilingual(kind.title),
                detail=bilingual(kind.detail),
            )
            for status, kind in sorted(PROBLEM_TYPES.items())
        ),
    )
