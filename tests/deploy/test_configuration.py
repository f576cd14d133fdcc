"""The configuration reference of docs/deploy.md names every environment variable the
code reads, and the example environment file (deploy/shinchoku.env.example) sets only
variables something reads: a variable added to the code without a word in the
reference, or misspelt in the example (and so silently ignored), fails here."""

from __future__ import annotations

import re
from pathlib import Path

from tests.deploy.files import DEPLOY_DOC, ENV_EXAMPLE, ROOT

SOURCE = ROOT / "src" / "shinchoku"

#: How the code reads a variable: os.environ / os.getenv, and the settings' helpers
#: (env_int, env_bool, env_list; gunicorn_conf's _number).
READ = re.compile(
    r"""(?:os\.environ\.get|os\.environ\[|os\.getenv|\benv_int|\benv_bool|\benv_list|\b_number)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)

#: Read by others than this code: gunicorn itself, and the PostgreSQL container of
#: compose.yaml.
READ_ELSEWHERE = {"FORWARDED_ALLOW_IPS", "POSTGRES_PASSWORD"}


def variables_read(root: Path) -> set[str]:
    return {name for path in root.rglob("*.py") for name in READ.findall(path.read_text(encoding="utf-8"))}


def variables_documented(text: str) -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text))


def variables_set(text: str) -> set[str]:
    """The variables an environment file sets, those left commented out as examples too."""
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_code_reads_the_variables_it_is_known_to_read() -> None:
    found = variables_read(SOURCE)
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "DATABASE_REPLICA_URL",
        "WEB_CONCURRENCY",
        "JOBS_LEASE_SECONDS",
    } <= found


def test_the_reference_names_every_variable() -> None:
    documented = variables_documented(DEPLOY_DOC.read_text(encoding="utf-8"))
    assert sorted(variables_read(SOURCE) - documented) == []
    assert documented >= READ_ELSEWHERE


def test_the_example_sets_only_variables_something_reads() -> None:
    example = variables_set(ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert sorted(example - variables_read(SOURCE) - READ_ELSEWHERE) == []
    assert {"ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "SECURE_PROXY_SSL_HEADER"} <= example


def test_a_variable_left_out_or_misspelt_is_found(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        'A = os.environ.get("NEW_SETTING", "")\nB = env_int("OTHER_SETTING", 3, minimum=1)\n'
    )
    assert variables_read(tmp_path) == {"NEW_SETTING", "OTHER_SETTING"}
    assert variables_read(tmp_path) - variables_documented("`NEW_SETTING` does this") == {"OTHER_SETTING"}
    assert variables_set("# comment\nNEW_SETTING=1\n# OTHER_SETTNG=2\n") == {"NEW_SETTING", "OTHER_SETTNG"}
