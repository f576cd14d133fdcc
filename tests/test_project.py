"""The project as an operator meets it: the console command and settings from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SHINCHOKU = Path(sys.executable).parent / "shinchoku"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    return subprocess.run(args, capture_output=True, text=True, env=clean, cwd=ROOT, timeout=120, check=False)


def development(tmp_path: Path) -> dict[str, str]:
    """The settings of a development run with its own SQLite database, both in ``tmp_path``."""
    return {
        "DEBUG": "true",
        "SHINCHOKU_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }


def test_the_console_command_is_manage_py(tmp_path: Path) -> None:
    env = development(tmp_path)
    via_command = run([str(SHINCHOKU), "help", "loaddemo"], **env)
    via_manage = run([sys.executable, "manage.py", "help", "loaddemo"], **env)
    assert via_command.returncode == 0, via_command.stderr
    assert via_command.stdout.replace("shinchoku", "manage.py", 1) == via_manage.stdout
    assert "demonstration dataset" in via_command.stdout


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    result = run([str(SHINCHOKU), "check"], DEBUG="false", SHINCHOKU_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_makes_its_own_key_once(tmp_path: Path) -> None:
    env = development(tmp_path)
    assert run([str(SHINCHOKU), "check"], **env).returncode == 0
    key = (tmp_path / "development-secret-key").read_text()
    assert len(key) > 40
    assert run([str(SHINCHOKU), "check"], **env).returncode == 0
    assert (tmp_path / "development-secret-key").read_text() == key


def test_a_malformed_boolean_is_named(tmp_path: Path) -> None:
    result = run([str(SHINCHOKU), "check"], DEBUG="maybe", SHINCHOKU_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_loaddemo_through_the_console_command_reports_counts(tmp_path: Path) -> None:
    env = development(tmp_path)
    assert run([str(SHINCHOKU), "migrate", "-v0"], **env).returncode == 0
    result = run([str(SHINCHOKU), "loaddemo"], **env)
    assert result.returncode == 0, result.stderr
    assert "12 nodes, 50 targets, 16 results, 16 ratings" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: shinchoku-plan/1\nplan: {}\n", encoding="utf-8")
    refused = run([str(SHINCHOKU), "loadplan", str(bad)], **env)
    assert refused.returncode == 1
    assert f"{bad}, line 2, plan: the key 'code' is missing" in refused.stderr


def test_a_kept_secret_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    from shinchoku.files import kept_secret

    path = tmp_path / "var" / "secret"
    first = kept_secret(path, lambda: "first")
    assert first == "first" and (path.stat().st_mode & 0o777) == 0o600
    assert kept_secret(path, lambda: "second") == "first"
