"""The deployment files the tests read, and what they name."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "shinchoku.env.example"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def compose() -> dict[str, Any]:
    """compose.yaml as Compose reads it (YAML merge keys resolved)."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def command_words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of ``key`` in a systemd unit file."""
    return [
        line.split("=", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{key}=")
    ]
