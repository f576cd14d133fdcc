"""The settings of running the site, from the environment: the deployment check is clean
behind a proxy that terminates TLS with the documented variables, the key may come from
a file, the cache is the database or Redis, and a wrong value stops the program with
its name."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_deploy import deploy_check

SHINCHOKU = Path(sys.executable).parent / "shinchoku"
BEHIND_PROXY = {
    "SITE_URL": "https://shinchoku.city.example.lg.jp",
    "CSRF_TRUSTED_ORIGINS": "https://shinchoku.city.example.lg.jp",
    "SECURE_PROXY_SSL_HEADER": "true",
    "TRUSTED_PROXY_COUNT": "1",
}


def test_behind_a_tls_proxy_the_deployment_check_is_clean(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), **BEHIND_PROXY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_turning_the_redirect_off_behind_the_proxy_is_reported(tmp_path: Path) -> None:
    """The redirect stays on behind the proxy: requests that came over HTTPS are not
    redirected, and the check says so when it is turned off."""
    result = deploy_check(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(50), SECURE_SSL_REDIRECT="false", **BEHIND_PROXY
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_the_key_may_come_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "secret-key"
    key.write_text(secrets.token_urlsafe(50) + "\n")
    result = deploy_check(tmp_path, SECRET_KEY_FILE=str(key), **BEHIND_PROXY)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"SECRET_KEY_FILE": "/nonexistent/secret-key"},
            "SECRET_KEY_FILE /nonexistent/secret-key: cannot read it",
        ),
        ({"LOG_FORMAT": "xml", "SECRET_KEY": "k" * 50}, "LOG_FORMAT must be json or text, not 'xml'"),
        (
            {"REQUEST_MAX_MB": "0", "SECRET_KEY": "k" * 50},
            "REQUEST_MAX_MB must be a whole number of at least 1",
        ),
        ({"SEARCH_RATE_LIMIT": "many", "SECRET_KEY": "k" * 50}, "SEARCH_RATE_LIMIT must be a whole number"),
    ],
)
def test_a_wrong_value_is_named(tmp_path: Path, env: dict[str, str], says: str) -> None:
    result = deploy_check(tmp_path, **env)
    assert result.returncode != 0
    assert says in result.stderr


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    result = deploy_check(tmp_path, SECRET_KEY_FILE=str(tmp_path / "empty"))
    assert "the file is empty" in result.stderr


def cache_backend(tmp_path: Path, **env: str) -> str:
    result = subprocess.run(
        [
            str(SHINCHOKU),
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "k" * 50,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        },
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_cache_is_the_database_or_redis_never_process_memory(tmp_path: Path) -> None:
    assert cache_backend(tmp_path) == "django.core.cache.backends.db.DatabaseCache"
    assert cache_backend(tmp_path, REDIS_URL="redis://cache:6379/0") == "shinchoku.ops.rediscache.RedisCache"
