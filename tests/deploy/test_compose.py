"""compose.yaml (docs/deploy.md, "With Compose"): valid against the Compose
specification's JSON schema (check-jsonschema's built-in copy, so no Docker engine and no
network are needed), and every name in it stands for something real: the services it
depends on, its volumes and secrets, the commands it runs, the health check's address."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import get_commands

from shinchoku.ops.middleware import HEALTH_PATH
from tests.deploy.files import COMPOSE, command_words, compose

CHECK_JSONSCHEMA = (
    shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
)


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_follows_the_compose_specification() -> None:
    result = schema_check(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


#: Breakages the check must catch: (what, the text, the broken text, the word the error names).
BREAKAGES = [
    # A misspelt key in one service.
    ("service-key", "    stop_grace_period: 10m\n", "    stop_grace_periods: 10m\n", "stop_grace_periods"),
    # A misspelt key in what the services share (a YAML merge key): every service has it.
    (
        "shared-key",
        "  restart: unless-stopped\n\nservices:",
        "  restarts: unless-stopped\n\nservices:",
        "restarts",
    ),
    # A value outside those allowed.
    ("value", "condition: service_completed_successfully", "condition: service_finished", "service_finished"),
    # An unknown top-level section.
    ("top-level", "\nvolumes:\n", "\nvolume:\n", "volume"),
]


def test_a_broken_compose_file_is_refused(tmp_path: Path) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    copies = []
    for what, original, broken, _named in BREAKAGES:
        assert original in text, what
        copy = tmp_path / f"{what}.yaml"
        copy.write_text(text.replace(original, broken, 1), encoding="utf-8")
        copies.append(copy)
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    for (what, _original, _broken, named), copy in zip(BREAKAGES, copies, strict=True):
        errors = [line for line in result.stdout.splitlines() if f"{copy}::" in line]
        assert any(named in line for line in errors), (what, result.stdout)


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def own_image(service: dict[str, Any]) -> bool:
    return "build" in service


def test_what_the_services_name_exists() -> None:
    config = compose()
    for name, service in services().items():
        for needed in service.get("depends_on", {}):
            assert needed in config["services"], f"{name} depends on {needed}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in config["volumes"], f"{name} mounts {source}"
        for secret in service.get("secrets", []):
            assert secret in config["secrets"], f"{name} uses {secret}"


def test_the_services_run_real_commands() -> None:
    commands = get_commands()
    for name, service in services().items():
        if not own_image(service):
            continue
        words = command_words(service["command"])
        if words[0] == "shinchoku":
            assert words[1] in commands, f"{name}: shinchoku {words[1]}"
        elif words[0] == "gunicorn":
            config = words[words.index("--config") + 1]
            assert config.startswith("python:")
            __import__(config.removeprefix("python:"))
        else:
            # A shell line: the command it runs.
            assert "shinchoku backup --output" in words[-1], name
    assert command_words(services()["worker"]["command"]) == ["shinchoku", "jobs_worker"]
    assert {"migrate", "app", "worker", "db"} <= set(services())


def test_the_app_is_checked_at_the_health_address_and_reached_through_the_proxy_only() -> None:
    app = services()["app"]
    assert f"http://127.0.0.1:8000{HEALTH_PATH}" in " ".join(app["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in app["ports"])


def test_the_database_is_postgresql_15_on_a_volume_and_the_app_uses_it() -> None:
    db = services()["db"]
    assert db["image"] == "postgres:15"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    url = services()["app"]["environment"]["DATABASE_URL"]
    assert url.startswith(f"postgres://{db['environment']['POSTGRES_USER']}:")
    assert url.endswith(f"@db:5432/{db['environment']['POSTGRES_DB']}")


def test_redis_and_the_backup_are_optional_profiles() -> None:
    assert services()["redis"]["profiles"] == ["redis"]
    assert services()["backup"]["profiles"] == ["backup"]
    assert services()["app"]["depends_on"]["redis"]["required"] is False
