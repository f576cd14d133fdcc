"""gunicorn's configuration for Shinchoku, the same for ``bin/serve``, the container and
the systemd unit: ``gunicorn -c python:shinchoku.ops.gunicorn_conf`` (it names the
application itself). Each value comes from the environment, with the default beside it.

Why gunicorn: a pre-fork WSGI server, maintained for 15 years, the one Django's own
deployment guide names first and the one a city's operators most likely already run. Its
sync workers answer one request each at a time in separate processes: Shinchoku's slow
work (PDF reports, imports) is CPU-bound Python, which threads would not speed up, and a
worker stuck past ``timeout`` is killed and replaced without touching the others.

- ``WEB_CONCURRENCY`` (2 × CPU cores + 1): worker processes. A report download can take
  about 1 GB while it is drawn; allow that per worker.
- ``GUNICORN_THREADS`` (1): threads per worker; above 1 the workers are ``gthread``.
- ``GUNICORN_TIMEOUT`` (60): seconds a request may take before its worker is killed (the
  client gets 502 from the proxy, or a closed connection).
- ``GUNICORN_GRACEFUL_TIMEOUT`` (30): on restart or stop, seconds to finish the requests
  in flight.
- ``GUNICORN_KEEPALIVE`` (5): seconds to keep an idle connection from the proxy open.
- ``GUNICORN_MAX_REQUESTS`` (10000, 0 never): a worker is replaced after so many
  requests (± 10 %), which returns memory a large report took. Not sooner: what a worker
  keeps of what it has read and answered (the pages it answered lately, the nodes a search
  orders, all bounded) is lost with it, and a busy site's workers replaced every thousand
  requests answered a kept page from memory a fraction of the time (docs/benchmarks.md).
- ``GUNICORN_PRELOAD`` (true): the application is loaded once, in the main process,
  before the workers are forked from it. A worker that replaces another then answers
  within milliseconds instead of after the seconds it takes to import Django and the site
  (which made the slowest requests of a loaded server: docs/benchmarks.md, "Public pages
  under load"), and the workers share the memory of the code. The price: a reload
  (``HUP``) does not load new code; an upgrade restarts the service (docs/deploy.md).
- ``GUNICORN_BIND`` (127.0.0.1:8000): where to listen; ``--bind`` overrides it.
- ``FORWARDED_ALLOW_IPS`` (127.0.0.1,::1, read by gunicorn itself): the proxies whose
  X-Forwarded-* headers are trusted.

The request line and headers are limited (``limit_request_line`` 8190 bytes, 100 fields
of at most 8190 bytes: gunicorn answers 414 and 431 past them); bodies are limited by the site
(``REQUEST_MAX_BYTES``). Logs go to standard error in the site's format (``LOG_FORMAT``);
gunicorn writes no access log of its own: the site writes one line per request, with its
id (``shinchoku.ops.middleware``).
"""

from __future__ import annotations

import multiprocessing
import os

from shinchoku.ops.logs import logging_config


def _number(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise SystemExit(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


def _debug() -> bool:
    return os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


wsgi_app = "shinchoku.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = _number("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1, minimum=1)
threads = _number("GUNICORN_THREADS", 1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _number("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _number("GUNICORN_KEEPALIVE", 5, minimum=1)
max_requests = _number("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() not in {"0", "false", "no", "off"}

limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# No control socket in the home directory: the service manager starts and stops the server.
control_socket_disable = True
accesslog = None
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "").strip() or ("text" if _debug() else "json"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
    loggers={"gunicorn.error": {"level": "INFO", "propagate": True}, "gunicorn.access": {"level": "WARNING"}},
)


def pre_fork(server: object, worker: object) -> None:
    """In the main process, before each worker is forked: what every worker would do on
    its first requests is done once here (``shinchoku.ops.warm``); no database connection
    is left open to be inherited (two processes must never share one); and the objects
    made so far are frozen out of the garbage collector (``gc.freeze``), so that a
    worker's first collections neither walk them nor copy the pages that hold them."""
    if not preload_app:
        return
    import gc

    from django.db import connections

    from shinchoku.ops.warm import warm
    from shinchoku.published import versionwatch

    warm()
    connections.close_all()
    versionwatch.close()
    gc.freeze()
