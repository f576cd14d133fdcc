"""Production settings: with DEBUG false and only a secret key and the host names set,
Django's deployment check passes without a single warning; without the key nothing starts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SHINCHOKU = Path(sys.executable).parent / "shinchoku"


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``shinchoku check --deploy --fail-level WARNING`` in a clean environment: nothing
    from this process's environment but PATH, so no setting leaks in from the tests."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "shinchoku.city.example.lg.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [str(SHINCHOKU), "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env={name: value for name, value in clean.items() if value is not None},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_production_defaults_pass_the_deployment_check(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_without_a_secret_key_nothing_starts(tmp_path: Path) -> None:
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_each_production_default_can_be_turned_off(tmp_path: Path) -> None:
    """The HSTS flags are overridable (e.g. for a host whose subdomains are not all on
    HTTPS); the check then says what was given up."""
    result = deploy_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), SECURE_HSTS_PRELOAD="false")
    assert result.returncode != 0
    assert "security.W021" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOGIN_FAILURE_LIMIT", "five"), ("SESSION_IDLE_MINUTES", "0"), ("SQLITE_TIMEOUT", "20s")],
)
def test_a_malformed_number_is_named(tmp_path: Path, name: str, value: str) -> None:
    result = deploy_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), **{name: value})
    assert result.returncode != 0
    assert f"{name} must be a whole number of at least 1" in result.stderr
