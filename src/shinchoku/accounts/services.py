"""Accounts for demonstration installs."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_ADMIN = "admin"


def demo_password(var_dir: Path) -> str:
    """A random password made once per installation and kept in var/ (never in the code)."""
    file = var_dir / "demo-password"
    if not file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        file.write_text(secrets.token_urlsafe(12))
        file.chmod(0o600)
    return file.read_text().strip()


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[tuple[str, str, str]]:
    """Create (or reset) the demonstration accounts; returns (username, password, role)."""
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(username=DEMO_ADMIN)
    admin.is_staff = True
    admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    return [(DEMO_ADMIN, password, "planning administrator (Django admin)")]
