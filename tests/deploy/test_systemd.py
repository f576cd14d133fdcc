"""The systemd units of deploy/systemd (docs/deploy.md, "With systemd").

``systemd-analyze verify`` reads each unit as systemd would, inside a made-up root that
holds the commands they run (it insists that they exist): a unit it has anything to say
about (a misspelt key, a value it cannot parse, a command missing) fails. The commands
must be real, and the web server's unit is run as systemd runs it, on a socket handed
over by socket activation (``systemd-socket-activate``), answering its health check."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands

from shinchoku.ops.middleware import HEALTH_PATH
from tests.deploy.conftest import BIN, free_port, wait_for
from tests.deploy.files import SYSTEMD, unit_values

UNITS = sorted(path for path in SYSTEMD.iterdir() if path.suffix in {".service", ".socket", ".timer"})
#: Runs one command as the services do (docs/deploy.md).
MANAGE = SYSTEMD / "shinchoku-manage"
#: What the units run, installed under /opt/shinchoku/venv (docs/deploy.md).
VENV_BIN = "/opt/shinchoku/venv/bin/"
SYSTEMD_UNITS = Path("/usr/lib/systemd/system")

needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or not SYSTEMD_UNITS.is_dir(),
    reason="systemd-analyze is not installed here",
)


def executables(unit: Path) -> list[str]:
    """The programs a unit's Exec lines start (their first word, without systemd's
    prefixes such as ``-`` and ``+``)."""
    found = []
    for key in ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop"):
        for value in unit_values(unit, key):
            found.append(shlex.split(value)[0].lstrip("-@+!:"))
    return found


@pytest.fixture(scope="module")
def system_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with systemd's own units, this project's units and a stand-in for every
    program they start."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(SYSTEMD_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
        for program in executables(unit):
            stand_in = root / program.lstrip("/")
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.write_text("#!/bin/sh\n")
            stand_in.chmod(0o755)
    return root


def verify(root: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *names],
        capture_output=True,
        text=True,
        timeout=120,
    )


def unit_names() -> list[str]:
    # A template is verified as one of its instances.
    return [unit.name.replace("@.", "@1.") for unit in UNITS]


@needs_systemd_analyze
def test_systemd_finds_nothing_to_say_about_the_units(system_root: Path) -> None:
    result = verify(system_root, unit_names())
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@needs_systemd_analyze
@pytest.mark.parametrize(
    ("unit", "original", "broken", "said"),
    [
        ("shinchoku-web.service", "KillMode=mixed", "KilMode=mixed", "Unknown key 'KilMode'"),
        ("shinchoku-backup.timer", "OnCalendar=*-*-* 02:30:00", "OnCalendar=nightly", "calendar"),
        ("shinchoku-web.service", f"{VENV_BIN}gunicorn", "/nowhere/gunicorn", "/nowhere/gunicorn"),
    ],
    ids=["key", "value", "command"],
)
def test_a_broken_unit_is_reported(
    system_root: Path, unit: str, original: str, broken: str, said: str
) -> None:
    path = system_root / "etc/systemd/system" / unit
    text = path.read_text()
    assert original in text
    path.write_text(text.replace(original, broken, 1))
    try:
        result = verify(system_root, [unit])
    finally:
        path.write_text(text)
    assert said in result.stdout + result.stderr


def test_the_units_run_real_commands() -> None:
    commands = get_commands()
    for unit in UNITS:
        for value in [
            *unit_values(unit, "ExecStart"),
            *unit_values(unit, "ExecReload"),
        ]:
            words = shlex.split(value)
            if words[0] == f"{VENV_BIN}shinchoku":
                assert words[1] in commands, f"{unit.name}: {value}"
            elif words[0] == f"{VENV_BIN}gunicorn":
                __import__(words[words.index("--config") + 1].removeprefix("python:"))
            elif words[0] == "/bin/sh":
                assert f"{VENV_BIN}shinchoku backup --output" in words[-1], unit.name
            else:
                assert words[0] == "/bin/kill", f"{unit.name}: {value}"
    assert unit_values(SYSTEMD / "shinchoku-worker@.service", "ExecStart") == [
        f"{VENV_BIN}shinchoku jobs_worker"
    ]


def test_every_service_reads_the_same_configuration() -> None:
    services = [unit for unit in UNITS if unit.suffix == ".service"]
    for key in ("User", "EnvironmentFile", "Environment", "StateDirectory"):
        values = {tuple(unit_values(unit, key)) for unit in services}
        assert len(values) == 1, (key, values)
    assert unit_values(SYSTEMD / "shinchoku-web.service", "User") == ["shinchoku"]


def test_a_command_run_by_hand_gets_what_the_services_get() -> None:
    text = MANAGE.read_text(encoding="utf-8")
    web = SYSTEMD / "shinchoku-web.service"
    for pair in shlex.split(unit_values(web, "Environment")[0]):
        assert f"--setenv={pair} " in text, pair
    assert f"--property=EnvironmentFile={unit_values(web, 'EnvironmentFile')[0]} " in text
    assert f"--uid={unit_values(web, 'User')[0]} --gid={unit_values(web, 'Group')[0]}" in text
    assert f"--working-directory={unit_values(web, 'WorkingDirectory')[0]} " in text
    assert f'{VENV_BIN}shinchoku "$@"' in text
    assert os.access(MANAGE, os.X_OK)
    syntax = subprocess.run(["sh", "-n", str(MANAGE)], capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr


# ------------------------------------------------------------ the web server's unit, run


@pytest.fixture
def socket_activated_server(site_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """shinchoku-web.service's command, with its environment, started on a socket that
    ``systemd-socket-activate`` opened and hands over, as shinchoku-web.socket does."""
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        pytest.skip("systemd-socket-activate is not installed here")
    unit = SYSTEMD / "shinchoku-web.service"
    # The unit's environment, with the files it names made for the test, and nothing else
    # of this process's, as systemd starts it.
    env: dict[str, str] = {}
    for value in unit_values(unit, "Environment"):
        env.update(dict(pair.split("=", 1) for pair in shlex.split(value)))
    assert set(env) == {"SHINCHOKU_VAR_DIR", "STATIC_ROOT", "SECRET_KEY_FILE"}
    env.update(site_env)
    # Where gunicorn would listen on its own: the socket handed over is used instead.
    env["GUNICORN_BIND"] = "127.0.0.1:1"
    port = free_port()
    command = shlex.split(unit_values(unit, "ExecStart")[0].replace(VENV_BIN, f"{BIN}/"))
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            # systemd-socket-activate passes on only the variables named with --setenv.
            [
                activate,
                "--listen",
                f"127.0.0.1:{port}",
                *(f"--setenv={k}={v}" for k, v in env.items()),
                *command,
            ],
            env={"PATH": os.environ.get("PATH", "")},
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd=tmp_path,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_the_web_server_serves_on_the_socket_systemd_hands_it(
    socket_activated_server: str, tmp_path: Path
) -> None:
    url = socket_activated_server + HEALTH_PATH
    wait_for(url, tmp_path / "server.log")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert b'"database": "ok"' in response.read()
