"""The read replica (docs/deploy.md, "A read replica"; shinchoku.replica).

With ``DATABASE_REPLICA_URL`` the public pages read the plan's data from the replica and
everything else uses the primary. Here: what the variable makes of the settings, and the
router's rules; tests/test_replica_postgresql.py shows the pages' queries on PostgreSQL.
Without the variable (SQLite, and every other test) there is one database and no router."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS

from shinchoku.plans.models import Node, Plan
from shinchoku.replica import REPLICA, ReplicaRouter, public_reads, replica_database

ROUTER = "shinchoku.replica.ReplicaRouter"
POSTGRES = "django.db.backends.postgresql"
PRIMARY = {"ENGINE": POSTGRES, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


# ------------------------------------------------------------ configuration


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """Loads the real settings in a fresh process with ``env`` and prints the database
    aliases and routers they make."""
    program = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'databases': settings.DATABASES, 'routers': settings.DATABASE_ROUTERS}, default=str))"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    return subprocess.run(
        [sys.executable, "-c", program],
        env={**base, "DJANGO_SETTINGS_MODULE": "shinchoku.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_replica_there_is_one_database_and_no_router() -> None:
    assert list(settings.DATABASES) == [DEFAULT_DB_ALIAS]
    assert settings.DATABASE_ROUTERS == []
    loaded = settings_with(DATABASE_URL="sqlite:////tmp/shinchoku-replica-test.sqlite3")
    assert loaded.returncode == 0, loaded.stderr
    config = json.loads(loaded.stdout)
    assert list(config["databases"]) == [DEFAULT_DB_ALIAS]
    assert config["routers"] == []


def test_the_replica_url_adds_a_read_only_alias_and_the_router() -> None:
    loaded = settings_with(
        DATABASE_URL="postgres://app:secret@primary.example:5432/shinchoku",
        DATABASE_REPLICA_URL="postgres://reader:secret@replica.example:5432/shinchoku?sslmode=require",
    )
    assert loaded.returncode == 0, loaded.stderr
    config = json.loads(loaded.stdout)
    assert config["routers"] == [ROUTER]
    replica = config["databases"][REPLICA]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("replica.example", "reader", "shinchoku")
    assert replica["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c default_transaction_read_only=on",
        # A replica that hangs costs a public page DATABASE_CONNECT_TIMEOUT seconds, as the primary.
        "connect_timeout": 5,
    }
    assert replica["TEST"]["MIRROR"] == DEFAULT_DB_ALIAS
    # Kept and checked like the primary's connections.
    assert (replica["CONN_MAX_AGE"], replica["CONN_HEALTH_CHECKS"]) == (60, True)


@pytest.mark.parametrize(
    ("url", "primary_engine", "message"),
    [
        ("not a url", POSTGRES, "DATABASE_REPLICA_URL is not a database URL"),
        ("sqlite:////tmp/copy.sqlite3", "django.db.backends.sqlite3", "must name a PostgreSQL database"),
        ("postgres://reader@replica/shinchoku", "django.db.backends.sqlite3", "DATABASE_URL is django.db"),
    ],
)
def test_a_replica_that_cannot_be_one_is_refused_with_the_reason(
    url: str, primary_engine: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        replica_database(url, {**PRIMARY, "ENGINE": primary_engine})


def test_the_settings_refuse_a_replica_beside_sqlite() -> None:
    loaded = settings_with(
        DATABASE_URL="sqlite:////tmp/shinchoku-replica-test.sqlite3",
        DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/shinchoku",
    )
    assert loaded.returncode != 0
    assert "DATABASE_REPLICA_URL must name a PostgreSQL database" in loaded.stderr


def test_the_settings_refuse_server_side_binding() -> None:
    # The search sends several statements in one message (search.statements.sent_with).
    loaded = settings_with(DATABASE_URL="postgres://app@db.example:5432/shinchoku?server_side_binding=true")
    assert loaded.returncode != 0
    assert "server_side_binding must be off" in loaded.stderr
    assert settings_with(DATABASE_URL="postgres://app@db.example:5432/shinchoku").returncode == 0


# ------------------------------------------------------------ the router's rules


def test_only_published_data_read_in_a_public_view_goes_to_the_replica() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Plan) == DEFAULT_DB_ALIAS
    with public_reads():
        assert router.db_for_read(Plan) == REPLICA
        assert router.db_for_read(Node) == REPLICA
        # Users, sessions and the like stay on the primary, which has seen every sign-in.
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Plan) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Plan) == DEFAULT_DB_ALIAS


def test_migrations_run_on_the_primary_only() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "plans") is True
    assert router.allow_migrate(REPLICA, "plans") is False


def test_objects_of_both_aliases_may_refer_to_each_other() -> None:
    router = ReplicaRouter()
    plan, other = Plan(), Plan()
    plan._state.db, other._state.db = DEFAULT_DB_ALIAS, REPLICA
    assert router.allow_relation(plan, other) is True
    other._state.db = "elsewhere"
    assert router.allow_relation(plan, other) is None
