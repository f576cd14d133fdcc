"""TLS at the reverse proxy (docs/deploy.md): the nginx and Caddy examples of deploy/ are
valid for the programs themselves, and nginx's, run in front of gunicorn with the settings
the recipe gives the site, serves it over HTTPS without a redirect loop, tells the site
the request was secure (so that it sends HSTS), redirects plain HTTP, passes its request
id on and refuses a body over the site's limit before it reaches the site."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.conftest import BIN, free_port, wait_for
from tests.deploy.files import DEPLOY

NGINX_SITE = DEPLOY / "nginx" / "shinchoku.conf"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
HOST = "shinchoku.city.example.lg.jp"

needs_nginx = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
needs_caddy = pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed here")


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed here")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
            ),
            *("-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Certificate(cert, key)


def nginx_site(certificate: Certificate, *, http_port: int, https_port: int, app_port: int) -> str:
    """deploy/nginx/shinchoku.conf with this machine's ports, host name and certificate."""
    text = NGINX_SITE.read_text(encoding="utf-8")
    for original, replaced in [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{app_port} "),
        ("/etc/ssl/shinchoku/fullchain.pem", str(certificate.cert)),
        ("/etc/ssl/shinchoku/privkey.pem", str(certificate.key)),
        (HOST, "localhost"),
    ]:
        assert original in text, original
        text = text.replace(original, replaced)
    return text


def nginx_main(folder: Path, site: str) -> Path:
    """A main configuration that includes the site, with every file nginx writes kept in
    ``folder``."""
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n"
        f"    access_log off;\n    client_body_temp_path {folder}/body;\n    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n    include {folder}/site.conf;\n}}\n"
    )
    return main


def nginx_test(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nginx", "-t", "-q", "-p", str(main.parent), "-e", "stderr", "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_nginx
def test_the_nginx_example_is_valid(certificate: Certificate, tmp_path: Path) -> None:
    main = nginx_main(tmp_path, nginx_site(certificate, http_port=8080, https_port=8443, app_port=8000))
    result = nginx_test(main)
    assert (result.returncode, result.stderr) == (0, "")


@needs_nginx
def test_a_broken_nginx_configuration_is_refused(certificate: Certificate, tmp_path: Path) -> None:
    site = nginx_site(certificate, http_port=8080, https_port=8443, app_port=8000)
    main = nginx_main(tmp_path, site.replace("proxy_read_timeout", "proxy_reed_timeout"))
    result = nginx_test(main)
    assert result.returncode != 0
    assert "proxy_reed_timeout" in result.stderr


def caddy_validate(path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["caddy", "validate", "--config", str(path), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home), "XDG_DATA_HOME": str(home)},
    )


@needs_caddy
def test_the_caddy_example_is_valid_and_a_broken_one_is_not(tmp_path: Path) -> None:
    result = caddy_validate(CADDYFILE, tmp_path)
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "Caddyfile"
    broken.write_text(CADDYFILE.read_text().replace("lb_policy least_conn", "lb_policy fewest"))
    result = caddy_validate(broken, tmp_path)
    assert result.returncode != 0
    assert "fewest" in result.stderr


# ------------------------------------------------------------ nginx in front of gunicorn


@dataclass(frozen=True)
class Stack:
    http_port: int
    https_port: int
    tls: ssl.SSLContext


def started(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=out)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def stack(
    site_env: dict[str, str], certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed here")
    folder = tmp_path_factory.mktemp("stack")
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    # The settings deploy/shinchoku.env.example gives a site behind the proxy.
    env = {
        **site_env,
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "SECURE_PROXY_SSL_HEADER": "true",
        "TRUSTED_PROXY_COUNT": "1",
    }
    app = started(
        [str(BIN / "gunicorn"), "--config", "python:shinchoku.ops.gunicorn_conf"], env, folder / "app.log"
    )
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", folder / "app.log")
        main = nginx_main(
            folder, nginx_site(certificate, http_port=http_port, https_port=https_port, app_port=app_port)
        )
        proxy = started(
            ["nginx", "-p", str(folder), "-e", "stderr", "-c", str(main)],
            {"PATH": os.environ.get("PATH", "")},
            folder / "nginx.log",
        )
        try:
            wait_for(f"http://127.0.0.1:{http_port}/", folder / "nginx.log")
            yield Stack(http_port, https_port, ssl.create_default_context(cafile=str(certificate.cert)))
        finally:
            stop(proxy)
    finally:
        stop(app)


def https(stack: Stack, method: str, path: str, body: bytes | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPSConnection("localhost", stack.https_port, context=stack.tls, timeout=30)
    connection.request(method, path, body=body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_site_is_served_over_https_and_knows_it(stack: Stack) -> None:
    response = https(stack, "GET", "/")
    # Not redirected again: the site saw X-Forwarded-Proto: https.
    assert response.status == 200
    # Sent only on a request the site takes for secure.
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=31536000")
    # nginx's request id, accepted by the site and sent back.
    assert re.fullmatch(r"[0-9a-f]{32}", response.getheader("X-Request-ID", ""))


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    connection = http.client.HTTPConnection("localhost", stack.http_port, timeout=30)
    connection.request("GET", "/search/?q=x")
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.getheader("Location") == "https://localhost/search/?q=x"


def test_a_body_over_the_limit_is_refused_at_the_proxy(stack: Stack) -> None:
    response = https(stack, "POST", "/staff/login/", body=b"x" * (12 * 1024 * 1024 + 1))
    assert response.status == 413
    # Answered by nginx: the site puts its request id on every answer it gives.
    assert response.getheader("X-Request-ID") is None
