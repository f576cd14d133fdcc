"""The logging configuration of the web processes and of gunicorn's master, in one place.

Everything goes to standard error, where the service manager (systemd's journal, a
container runtime) collects it, as one JSON object per line (``LOG_FORMAT=json``, the
default in production: each field can be searched and filtered, a message with line
breaks stays one record) or as readable text (``LOG_FORMAT=text``, the default with
DEBUG). Every record carries the id of the request it was written for
(``shinchoku.ops.requestid``). Imports nothing of Django, for gunicorn's configuration.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("json", "text")

#: The fields of a JSON line, besides its time (ISO 8601 in UTC, "time"), those a record
#: brings (``extra=``) and the request id.
JSON_FIELDS = ["levelname", "name", "message"]
JSON_NAMES = {"levelname": "level", "name": "logger"}
TEXT_FORMAT = "{asctime} {levelname} {name} [{request_id}]: {message}"


def logging_config(
    *, log_format: str, level: str, root_level: str = "WARNING", loggers: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: one handler on standard error in
    ``log_format``, the root (other libraries) at ``root_level``, Shinchoku's own loggers
    at ``level``, and ``loggers`` on top."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": JSON_NAMES,
            "timestamp": "time",
            # Japanese messages stay readable in the log.
            "json_ensure_ascii": False,
        },
        "text": {"format": TEXT_FORMAT, "style": "{"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "shinchoku.ops.requestid.RequestIdFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": root_level},
        "loggers": {
            "shinchoku": {"level": level, "propagate": True},
            **(loggers or {}),
        },
    }
