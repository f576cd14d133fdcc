"""The shape of the code: modules small enough to read in one sitting, apps of a
reasonable size, no private name borrowed from another app, no import cycle.

Each rule is a function over a source tree, checked on ``src/shinchoku`` and, to show
that it can fail, on a small tree made for the test. An app is a Django app of the
settings (``shinchoku.plans.formats`` is one of its own, beside ``shinchoku.plans``); a
module outside every app (``shinchoku.fiscal``) counts as an app of its own."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps as django_apps

import shinchoku

SOURCE = Path(shinchoku.__file__).parent
MAX_MODULE_LINES = 800
MAX_APP_SHARE = 1 / 3
#: Parts of the project (an app, or a package inside one) and the apps they never import,
#: not even inside a function: the round is built on the plan and its data, not the other
#: way round, and the open data and the spreadsheet primitives know nothing of it.
NEVER_IMPORTS: dict[str, str] = {
    "plans": "review",
    "plans.formats": "review",
    "progress": "review",
    "opendata": "review",
    "interchange.sheets": "review",
}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    #: The app it belongs to (``app_of``).
    app: str

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())

    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_text(encoding="utf-8"), str(self.path))


def app_of(name: str, apps: Sequence[str] = ()) -> str:
    """The app a module belongs to: the innermost of ``apps`` (dotted names) it is in,
    else the first part under the project's package (``shinchoku.fiscal`` → ``fiscal``)."""
    inside = [app for app in apps if name == app or name.startswith(f"{app}.")]
    if inside:
        return max(inside, key=len).removeprefix(f"{SOURCE.name}.")
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def modules(root: Path, apps: Sequence[str] = ()) -> dict[str, Module]:
    """The modules of the package at ``root``, by dotted name, migrations left out."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = relative.parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        found[name] = Module(name, path, app_of(name, apps))
    return found


def imported(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from … import`` names."""
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported: in its body and its classes' bodies,
    in ``if``/``try`` blocks, not in functions nor under ``if TYPE_CHECKING:``."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif isinstance(statement, ast.If):
            if not is_type_checking(statement):
                pending[:0] = [*statement.body, *statement.orelse]
        elif isinstance(statement, ast.Try):
            handlers = [line for handler in statement.handlers for line in handler.body]
            pending[:0] = [*statement.body, *handlers, *statement.orelse, *statement.finalbody]
        elif isinstance(statement, ast.With | ast.ClassDef):
            pending[:0] = list(statement.body)


def all_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import but those under ``if TYPE_CHECKING:``, deferred into functions too."""
    hidden = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and is_type_checking(node)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in hidden:
            yield node


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def import_graph(found: dict[str, Module], *, deferred: bool = False) -> dict[str, set[str]]:
    """Which modules each module imports when it is imported (with ``deferred``, also
    inside its functions). Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``,
    except those the importing module is inside (they ran before it)."""
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, module in found.items():
        targets: set[str] = set()
        for node in (all_imports if deferred else top_level_imports)(module.tree()):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            else:
                source = imported(module, node)
                targets.add(source)
                targets.update(f"{source}.{alias.name}" for alias in node.names)
        own = set(ancestors(name)) | ({name} if module.is_package else set())
        for target in targets:
            for candidate in [*ancestors(target), target]:
                if candidate in found and candidate not in own and candidate != name:
                    graph[name].add(candidate)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(graph[node]):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def long_modules(found: dict[str, Module]) -> list[str]:
    return sorted(
        f"{module.name}: {module.lines()} lines"
        for module in found.values()
        if module.lines() > MAX_MODULE_LINES
    )


def private_imports(found: dict[str, Module], apps: Sequence[str] = ()) -> list[str]:
    """``from other_app… import _name`` (or of a private module), wherever it stands."""
    borrowed = []
    for name, module in found.items():
        for node in ast.walk(module.tree()):
            if isinstance(node, ast.ImportFrom):
                source = imported(module, node)
                pairs = [(source, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                pairs = [(alias.name, "") for alias in node.names]
            else:
                continue
            for source, alias in pairs:
                if app_of(source, apps) == module.app or not source.startswith(f"{SOURCE.name}."):
                    continue
                parts = [*source.split("."), alias] if alias else source.split(".")
                private = [part for part in parts if part.startswith("_") and not part.startswith("__")]
                if private:
                    borrowed.append(f"{name} imports {'.'.join(p for p in parts if p)} (line {node.lineno})")
    return sorted(borrowed)


def within(module: Module, part: str) -> bool:
    """Whether ``module`` is in ``part`` (dotted, under the project's package), and not in
    an app of its own inside it (``plans.formats`` is not in ``plans``)."""
    name = f"{SOURCE.name}.{part}"
    inside = module.name == name or module.name.startswith(f"{name}.")
    return inside and (module.app == part or part.startswith(f"{module.app}."))


def forbidden_imports(found: dict[str, Module], rules: dict[str, str]) -> list[str]:
    """The modules of a part of ``rules`` that import (deferred imports too) the part it
    must not, one line each: ``"shinchoku.a.one imports r"``."""
    graph = import_graph(found, deferred=True)
    return sorted(
        {
            f"{name} imports {forbidden}"
            for part, forbidden in rules.items()
            for name, module in found.items()
            if within(module, part)
            for target in graph[name]
            if within(found[target], forbidden)
        }
    )


def app_lines(found: dict[str, Module]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for module in found.values():
        lines[module.app] = lines.get(module.app, 0) + module.lines()
    return lines


def large_apps(found: dict[str, Module]) -> list[str]:
    lines = app_lines(found)
    total = sum(lines.values())
    return sorted(
        f"{app}: {count} of {total} lines" for app, count in lines.items() if count > total * MAX_APP_SHARE
    )


# The project's own tree.


def installed() -> list[str]:
    return [config.name for config in django_apps.get_app_configs()]


@pytest.fixture(scope="module")
def source() -> dict[str, Module]:
    return modules(SOURCE, installed())


def test_no_module_is_over_800_lines(source: dict[str, Module]) -> None:
    assert long_modules(source) == []


def test_no_app_borrows_a_private_name_of_another(source: dict[str, Module]) -> None:
    assert private_imports(source, installed()) == []


def test_no_module_level_import_cycle(source: dict[str, Module]) -> None:
    assert cycles(import_graph(source)) == []


def test_no_cycle_is_hidden_by_deferring_an_import_into_a_function(source: dict[str, Module]) -> None:
    assert cycles(import_graph(source, deferred=True)) == []


def test_the_plan_its_data_the_open_data_and_the_sheets_never_import_the_round(
    source: dict[str, Module],
) -> None:
    assert {part for part in NEVER_IMPORTS if any(within(module, part) for module in source.values())} == set(
        NEVER_IMPORTS
    )
    assert forbidden_imports(source, NEVER_IMPORTS) == []


def test_no_app_holds_more_than_a_third_of_the_code(source: dict[str, Module]) -> None:
    assert large_apps(source) == []


def test_the_tree_read_is_the_whole_project(source: dict[str, Module]) -> None:
    assert {"shinchoku.plans.models", "shinchoku.interchange.importing", "shinchoku.fiscal"} <= set(source)
    assert not any(".migrations" in name for name in source)
    assert source["shinchoku.plans.formats.dataset.export"].app == "plans.formats"
    assert source["shinchoku.plans.models"].app == "plans"
    assert source["shinchoku.fiscal"].app == "fiscal"


# The rules themselves, on a tree made to break them.


def write(root: Path, files: dict[str, str], apps: Sequence[str] = ()) -> dict[str, Module]:
    for name, text in files.items():
        path = root / "shinchoku" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules(root / "shinchoku", apps)


def test_a_cycle_through_top_level_imports_is_found(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/models.py": "from shinchoku.b.models import Thing\n",
            "b/__init__.py": "",
            "b/models.py": "import shinchoku.a.models\n",
        },
    )
    assert cycles(import_graph(found)) == [["shinchoku.a.models", "shinchoku.b.models"]]


def test_a_package_that_imports_its_importer_is_a_cycle(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/importing.py": "from shinchoku.a.importers import one\n",
            "a/importers/__init__.py": "from shinchoku.a.importers import one\n",
            "a/importers/one.py": "from shinchoku.a.importing import register\n",
        },
    )
    assert cycles(import_graph(found)) == [
        ["shinchoku.a.importers", "shinchoku.a.importers.one", "shinchoku.a.importing"]
    ]


def test_imports_in_functions_or_for_type_checking_make_no_cycle(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/models.py": "from shinchoku.b.models import Thing\n",
            "b/__init__.py": "",
            "b/models.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from shinchoku.a.models import Other\n"
                "def f():\n    from shinchoku.a import models\n"
                "class Thing:\n    pass\n"
            ),
        },
    )
    assert cycles(import_graph(found)) == []
    assert cycles(import_graph(found, deferred=True)) == [["shinchoku.a.models", "shinchoku.b.models"]]


def test_a_relative_import_and_a_class_body_import_count(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/one.py": "from . import two\n",
            "a/two.py": "class Thing:\n    from shinchoku.a.one import x\n",
        },
    )
    assert cycles(import_graph(found)) == [["shinchoku.a.one", "shinchoku.a.two"]]


def test_a_private_name_of_another_app_is_found_and_of_its_own_app_not(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/one.py": "def _helper(): ...\n",
            "a/two.py": "from shinchoku.a.one import _helper\n",
            "b/__init__.py": "",
            "b/three.py": "def f():\n    from shinchoku.a.one import _helper\n",
            "b/four.py": "from shinchoku.a import _private\n",
        },
    )
    assert private_imports(found) == [
        "shinchoku.b.four imports shinchoku.a._private (line 1)",
        "shinchoku.b.three imports shinchoku.a.one._helper (line 2)",
    ]


def test_an_import_into_a_part_it_must_not_import_is_found_even_in_a_function(tmp_path: Path) -> None:
    apps = ("shinchoku.a", "shinchoku.a.inner", "shinchoku.b", "shinchoku.r")
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/one.py": "def f():\n    from shinchoku.r.models import Thing\n",
            "a/two.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import shinchoku.r.models\n",
            "a/inner/__init__.py": "",
            "a/inner/three.py": "import shinchoku.r.models\n",
            "b/__init__.py": "",
            "b/sheets/__init__.py": "",
            "b/sheets/four.py": "from shinchoku.r import models\n",
            "b/five.py": "from shinchoku.r import models\n",
            "r/__init__.py": "",
            "r/models.py": "",
        },
        apps,
    )
    assert forbidden_imports(found, {"a": "r", "b.sheets": "r"}) == [
        "shinchoku.a.one imports r",
        "shinchoku.b.sheets.four imports r",
    ]


def test_a_long_module_and_a_large_app_are_found(tmp_path: Path) -> None:
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "x = 1\n" * 801,
            "a/migrations/0001_initial.py": "x = 1\n" * 5000,
            "b/__init__.py": "x = 1\n" * 400,
            "c.py": "x = 1\n" * 400,
        },
    )
    assert long_modules(found) == ["shinchoku.a: 801 lines"]
    assert large_apps(found) == ["a: 801 of 1601 lines"]


def test_an_app_inside_another_is_an_app_of_its_own(tmp_path: Path) -> None:
    apps = ("shinchoku.a", "shinchoku.a.b")
    found = write(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/one.py": "def _helper(): ...\n" + "x = 1\n" * 300,
            "a/b/__init__.py": "",
            "a/b/two.py": "from shinchoku.a.one import _helper\n" + "x = 1\n" * 500,
            "c.py": "x = 1\n" * 400,
        },
        apps,
    )
    assert found["shinchoku.a.b.two"].app == "a.b"
    assert private_imports(found, apps) == ["shinchoku.a.b.two imports shinchoku.a.one._helper (line 1)"]
    assert large_apps(found) == ["a.b: 501 of 1202 lines"]
