"""/healthz in the process (tests/ops/test_gunicorn.py runs it through gunicorn against a
database that is really gone): the answer, its headers, and that neither the HTTPS
redirect nor the host check nor the session stand before it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connections
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_database_answers(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    answer = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert "no-store" in answer["Cache-Control"]
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert not answer.cookies
    assert Client().head("/healthz").status_code == 200


def test_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError('connection to server at "db.internal" (10.0.0.9), port 5432 failed')

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "database": "unavailable",
        "database_ms": answer.json()["database_ms"],
        "reason": "the database does not answer (OperationalError)",
    }
    assert "no-store" in answer["Cache-Control"]
    # The host name is for the log, not for whoever probes.
    assert "db.internal" not in answer.content.decode()
    assert any(
        "db.internal" in record.getMessage() for record in caplog.records if record.levelname == "ERROR"
    )


def test_only_reading_is_answered() -> None:
    assert Client().post("/healthz").status_code != 200
    assert Client().get("/healthz/").status_code == 404
