"""A site as the deployment files run it: a migrated SQLite database, its static files
gathered, a secret key file and the environment naming them, made once for the tests of
deploy/."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The deployment files do not depend on the database the suite runs on (their sites
    run on SQLite files of their own): checked once, on the SQLite run of bin/test."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    skip = pytest.mark.skip(
        reason="checked on the SQLite run: the deployment files do not depend on the database"
    )
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The variables a production server is started with (docs/deploy.md), over a
    migrated SQLite file; nothing of the test process's own settings."""
    var = tmp_path_factory.mktemp("var")
    (var / "secret_key").write_text("deployment-test-" + "k" * 50)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SHINCHOKU_VAR_DIR": str(var),
        "STATIC_ROOT": str(var / "static"),
        "SECRET_KEY_FILE": str(var / "secret_key"),
        "DATABASE_URL": f"sqlite:///{var / 'site.sqlite3'}",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
        "WEB_CONCURRENCY": "1",
    }
    # What the recipe runs before the first start (docs/deploy.md).
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run([str(BIN / "shinchoku"), *command, "-v0"], env=env, check=True, timeout=300)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, log: Path, *, seconds: float = 60) -> None:
    """Until ``url`` (plain HTTP) answers at all, whatever it answers (a redirect is not
    followed), or fails with the server's log."""
    address = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    while True:
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
        try:
            connection.request("GET", address.path or "/")
            connection.getresponse().read()
            return
        except OSError as error:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{url}: no answer ({error})\n{log.read_text(errors='replace')}"
                ) from error
            time.sleep(0.3)
        finally:
            connection.close()
