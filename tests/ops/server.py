"""The production stack for real: gunicorn with the project's configuration
(``shinchoku.ops.gunicorn_conf``), production settings (DEBUG false, behind a proxy that
terminates TLS), a SQLite file or any DATABASE_URL, and the static files collected."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
SECRET = "gunicorn-test-key-" + "x" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(folder: Path, **extra: str) -> dict[str, str]:
    """Production settings behind a proxy that terminates TLS, with nothing from this
    process's environment but PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "shinchoku.test,127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "true",
        "SHINCHOKU_VAR_DIR": str(folder / "var"),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "LOG_FORMAT": "json",
        **extra,
    }


def shinchoku(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "shinchoku"), *args], env=env, check=True, capture_output=True, timeout=300)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, *, headers: dict[str, str] | None = None, https: bool = True) -> Response:
        """GET ``path``; as the proxy forwards a request that came over HTTPS unless
        ``https`` is false."""
        sent = {
            "Host": "shinchoku.test",
            **({"X-Forwarded-Proto": "https"} if https else {}),
            **(headers or {}),
        }
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=sent)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers.items()), error.read())

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines written so far (every line must be one)."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def start(folder: Path, env: dict[str, str]) -> Server:
    """gunicorn on a free port, once it answers (any status) on /healthz."""
    port = free_port()
    log = folder / f"gunicorn-{port}.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:shinchoku.ops.gunicorn_conf"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"},
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    server = Server(process, port, log, env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError(f"gunicorn did not answer: {log.read_text()[-3000:]}")
