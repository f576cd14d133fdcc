"""The image (Dockerfile) and the package it installs: ``pip install .`` must carry every
file the code reads beside its modules (templates, static files, translations, schemas,
the report's Typst layout), or the installed site fails where the checkout works; and the
Dockerfile builds on what the rest of the recipe names."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from shinchoku.ops.middleware import HEALTH_PATH
from shinchoku.reports.render import FONTS
from tests.deploy.files import DOCKERFILE, ROOT, command_words, compose

PACKAGE = ROOT / "src" / "shinchoku"


def package_data_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["setuptools"]["package-data"]["*"])


def left_out(root: Path, patterns: list[str]) -> list[str]:
    """The files under ``root`` that are neither Python modules nor matched by
    ``patterns`` in their package (setuptools' package data of every package, ``*``)."""
    packages = {path.parent for path in root.rglob("__init__.py")}
    covered = {
        match
        for package in packages
        for pattern in patterns
        for match in package.glob(pattern)
        if match.is_file()
    }
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
        and path not in covered
    )


def test_the_package_carries_every_file_beside_the_code() -> None:
    assert left_out(PACKAGE, package_data_patterns()) == []


def test_a_file_the_package_would_leave_out_is_named(tmp_path: Path) -> None:
    root = tmp_path / "shinchoku"
    (root / "reports" / "typst").mkdir(parents=True)
    for name in ("__init__.py", "reports/__init__.py", "reports/typst/report.typ"):
        (root / name).write_text("")
    assert left_out(root, ["templates/**/*"]) == ["reports/typst/report.typ"]
    assert left_out(root, ["typst/*.typ"]) == []


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continued lines joined), as (INSTRUCTION, rest)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_image_is_python_311_slim_and_runs_as_a_user_of_its_own() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert any(keyword == "RUN" and "collectstatic" in rest for keyword, rest in steps)
    assert any(keyword == "RUN" and "pip install ." in rest for keyword, rest in steps)


def test_the_image_checks_the_health_address_and_runs_what_compose_runs() -> None:
    steps = dict(instructions())
    assert f"http://127.0.0.1:8000{HEALTH_PATH}" in steps["HEALTHCHECK"]
    assert json.loads(steps["CMD"]) == command_words(compose()["services"]["app"]["command"])


def test_the_image_has_the_font_the_pdf_report_looks_for() -> None:
    # The Debian package fonts-ipaexfont holds ipaexg.ttf, the report's first choice.
    assert any(keyword == "RUN" and "fonts-ipaexfont" in rest for keyword, rest in instructions())
    assert "ipaexg.ttf" in FONTS[0][1]
