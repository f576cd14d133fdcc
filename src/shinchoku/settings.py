"""Settings, read from the environment (see docs/configuration.md).

DATABASE_URL   database, default a SQLite file under var/
SECRET_KEY     required when DEBUG is false; in development one is generated once into var/
DEBUG          "true" / "false" (default false)
ALLOWED_HOSTS  comma-separated host names
SHINCHOKU_VAR_DIR  where the SQLite file and the development secret live (default ./var)
LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES, SESSION_HOURS, SESSION_IDLE_MINUTES
               sign-in lockout, session length and idle timeout
DATABASE_CONN_MAX_AGE  seconds a database connection is kept for the next request
DATABASE_CONNECT_TIMEOUT  PostgreSQL: seconds to wait for the server when connecting
SQLITE_TIMEOUT seconds a SQLite write waits for another to finish
JOBS_BACKEND, JOBS_LEASE_SECONDS, JOBS_HEARTBEAT_SECONDS, JOBS_MAX_ATTEMPTS, JOBS_REPORTS_AFTER_PUBLISH
               background jobs and their worker (docs/jobs.md)
OPENDATA_DIR, OPENDATA_BUILD_AFTER_WRITE  the open data's ZIPs (docs/open-data.md)
FOLLOW_BY_MAIL, FOLLOW_CONFIRM_HOURS, FOLLOW_RATE_LIMIT  following by e-mail (docs/follow.md)
SECRET_KEY_FILE, LOG_FORMAT, REDIS_URL, REQUEST_MAX_MB, SEARCH_RATE_LIMIT, API_RATE_LIMIT,
               PUBLIC_PAGE_CACHE, PUBLIC_PAGE_MEMORY_MB, DATA_VERSION_WATCH
               running the site (shinchoku.ops; gunicorn's own in shinchoku.ops.gunicorn_conf)

With DEBUG false and only SECRET_KEY and ALLOWED_HOSTS set, ``shinchoku check --deploy``
passes: every HTTPS setting defaults to its production value (tests/test_deploy.py).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shinchoku.files import kept_secret
from shinchoku.ops.logs import FORMATS, logging_config
from shinchoku.replica import replica_database

PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parent.parent
BASE_DIR = _checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("SHINCHOKU_VAR_DIR", BASE_DIR / "var"))
DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    # SECRET_KEY_FILE: a file that holds the key (a container secret, a systemd
    # credential, bin/serve's var/secret-key), so that the key is in no environment.
    key_file = os.environ.get("SECRET_KEY_FILE", "").strip()
    if key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"SECRET_KEY_FILE {key_file}: cannot read it ({error.strerror})"
            ) from error
        if not key:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {key_file}: the file is empty")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (see docs/configuration.md)")
    return kept_secret(VAR_DIR / "development-secret-key", lambda: secrets.token_urlsafe(50))


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's form templates, for the form renderer below.
    "django.forms",
    "shinchoku.plans",
    "shinchoku.plans.formats",
    "shinchoku.progress",
    "shinchoku.interchange",
    "shinchoku.opendata",
    "shinchoku.reports",
    "shinchoku.portal",
    "shinchoku.api",
    "shinchoku.published",
    "shinchoku.search",
    "shinchoku.accounts",
    "shinchoku.audit",
    "shinchoku.review",
    "shinchoku.demo",
    "shinchoku.devtools",
    "shinchoku.ops",
    "shinchoku.backup",
    "shinchoku.jobs",
    "shinchoku.follow",
    "django_tasks",
    "shinchoku.jobs.queue.QueueConfig",
    "axes",
    "csp",
]

MIDDLEWARE = [
    # First: the request's id for every log line, and one access line per request.
    "shinchoku.ops.middleware.RequestLogMiddleware",
    # /healthz, answered before the host check and the redirect to HTTPS.
    "shinchoku.ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed and with hashed names (STORAGES below), before any
    # session or database work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Permissions-Policy everywhere; Cache-Control: no-store on the staff side and for
    # signed-in people. Outside the rest, so that it sees every refusal and error page.
    "shinchoku.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # A body over REQUEST_MAX_BYTES is refused (413) before anything reads it.
    "shinchoku.ops.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs a person out after SESSION_IDLE_MINUTES without a request or SESSION_HOURS.
    "shinchoku.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Under /api/: CORS, the API's rate limit, HEAD, the replica, errors as problem details.
    "shinchoku.api.middleware.ApiMiddleware",
    # A NUL character in the address: the 400 page (the API has answered its own).
    "shinchoku.ops.middleware.NulCharacterMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shinchoku.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Forms draw their widgets with the templates above, so that the project's templates can
# override Django's widget templates (templates/admin/widgets/, templates/auth/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "shinchoku.wsgi.application"

# A connection is kept for the next request for DATABASE_CONN_MAX_AGE seconds, and checked
# before a request reuses it: a database that restarted in between costs a reconnection,
# not an error.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shinchoku.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time. Each transaction takes the write lock when it
    # begins (IMMEDIATE), so that two never both read and then both try to write, which
    # SQLite can only refuse at once ("database is locked"); a writer that finds the lock
    # taken waits up to SQLITE_TIMEOUT seconds for it. In write-ahead-log mode (WAL),
    # readers do not wait for the writer, nor the writer for them. The file is read through
    # a memory map (up to 1 GiB, shared by the processes through the system's cache) and
    # each connection keeps up to 64 MiB of pages, rather than 2 MiB read with a system
    # call each: a search reads a common word's list of places, megabytes at 1,000
    # measures.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536",
    }
# --- Read replica (docs/deploy.md, "A read replica"; shinchoku.replica) ---------------
# DATABASE_REPLICA_URL names a PostgreSQL replica of DATABASE_URL's database: the public
# pages and downloads read published data from it, everything else uses the primary.
# Unset (the default, and always with SQLite): one database and no router.
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = replica_database(os.environ["DATABASE_REPLICA_URL"].strip(), DATABASES["default"])
    DATABASE_ROUTERS = ["shinchoku.replica.ReplicaRouter"]
# --- end of read replica ----------------------------------------------------------------
# A PostgreSQL server that takes a connection and never answers (hung, or behind a network
# that drops packets) costs a request DATABASE_CONNECT_TIMEOUT seconds and the error page,
# not a web process stuck until gunicorn's timeout kills it. A connect_timeout in the URL's
# query string wins. (A server that refuses, being down, fails the connection at once.)
#
# The search sends its planner settings and its query in one message (several statements,
# shinchoku.search.statements.sent_with), which only psycopg's client-side binding, the
# default, allows: server_side_binding in the URL's query string (which Django applies
# when it is True) is refused.
for _alias, _database in DATABASES.items():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=2)
        )
        if _database["OPTIONS"].get("server_side_binding") is True:
            raise ImproperlyConfigured(
                f"The {_alias} database's server_side_binding must be off: the search sends several "
                "statements in one message, which server-side binding does not allow."
            )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing in (docs/configuration.md, "Signing in and the lockout"). The axes backend comes
# first: it refuses a locked-out sign-in before any password is checked, on the staff
# login page and the admin login alike (both go through django.contrib.auth.authenticate).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Lock out a user name on one client address after LOGIN_FAILURE_LIMIT failures in a row,
# for LOGIN_COOLOFF_MINUTES counted from the last failure. The combination (not the
# address alone, not the name alone): a city hall reaches the site through a few shared
# addresses, so locking an address would lock out a whole office for one person's typos,
# and locking a name alone would let anyone lock a colleague out from anywhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not extend it, so the lockout page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "shinchoku.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "shinchoku.accounts.lockout.client_ip"
# Behind reverse proxies that append to X-Forwarded-For, how many of them there are
# (0: the client is the address that connects, REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# Mail: notices of the review workflow. The console backend prints them (development);
# production sets EMAIL_BACKEND to SMTP and EMAIL_HOST etc. (Django's own variables).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the mail server: a notice never holds a request up for longer.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shinchoku@localhost")
# The site's address as people reach it (https://shinchoku.city.example.lg.jp), for the
# links in notices; without it, notices carry no links.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Rendered reports are kept by content (shinchoku.reports.cache): where, and how many
# files at most (0: render every download).
REPORT_CACHE_DIR = Path(os.environ.get("REPORT_CACHE_DIR", VAR_DIR / "report-cache"))
REPORT_CACHE_FILES = env_int("REPORT_CACHE_FILES", 200)
# The process that typesets a PDF report: killed past this time, refused past this memory.
REPORT_TYPESET_SECONDS = env_int("REPORT_TYPESET_SECONDS", 600, minimum=1)
REPORT_TYPESET_MEMORY_MB = env_int("REPORT_TYPESET_MEMORY_MB", 6144)

# The open data's ZIPs, built once per data version of each plan (shinchoku.opendata.bundles):
# where they are kept (shared by the servers when there are several), and whether a
# background job builds them as soon as a write of the plan is committed.
OPENDATA_DIR = Path(os.environ.get("OPENDATA_DIR", VAR_DIR / "opendata"))
OPENDATA_BUILD_AFTER_WRITE = env_bool("OPENDATA_BUILD_AFTER_WRITE", True)

# Background jobs (shinchoku.jobs, docs/jobs.md) --------------------------------------
# Slow work (publishing a round, rendering the reports, imports, mail) is queued in
# the database and run by `shinchoku jobs_worker`. JOBS_BACKEND=immediate runs it inside
# the request instead, for a site without a worker. A worker not heard from for
# JOBS_LEASE_SECONDS is taken for lost and its job runs again, at most JOBS_MAX_ATTEMPTS
# times in all; a worker shows it lives every JOBS_HEARTBEAT_SECONDS.
_JOB_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_job_backend = os.environ.get("JOBS_BACKEND", "").strip() or "database"
if _job_backend not in _JOB_BACKENDS:
    raise ImproperlyConfigured(f"JOBS_BACKEND must be database or immediate, not {_job_backend!r}")
TASKS = {"default": {"BACKEND": _JOB_BACKENDS[_job_backend]}}
JOBS_LEASE_SECONDS = env_int("JOBS_LEASE_SECONDS", 600, minimum=1)
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 30, minimum=1)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3, minimum=1)
# After a results round is published, its reports are rendered into the report cache.
JOBS_REPORTS_AFTER_PUBLISH = env_bool("JOBS_REPORTS_AFTER_PUBLISH", True)
# --------------------------------------------------------------------------------------

# The licence of the open data (shinchoku.opendata): an identifier such as
# CC-BY-4.0 (the default, to be confirmed by the city) and the address of its terms
# (known identifiers have one).
OPEN_DATA_LICENSE = os.environ.get("OPEN_DATA_LICENSE", "").strip() or "CC-BY-4.0"
if not all(c.isascii() and (c.isalnum() or c in "-._") for c in OPEN_DATA_LICENSE):
    raise ImproperlyConfigured(
        f"OPEN_DATA_LICENSE must be an identifier such as CC-BY-4.0, not {OPEN_DATA_LICENSE!r}"
    )
OPEN_DATA_LICENSE_URL = os.environ.get("OPEN_DATA_LICENSE_URL", "").strip()
# Files uploaded on the staff pages, kept between their preview and their import.
IMPORT_DIR = Path(os.environ.get("IMPORT_DIR", VAR_DIR / "imports"))

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# `shinchoku collectstatic` gathers the static files into STATIC_ROOT with the hash of
# their content in their names, and compressed beside them (gzip; Brotli when installed);
# WhiteNoise serves them from there, compressed to browsers that take it, with hashed
# names cached for a year ("immutable"): a changed file has a new name. With DEBUG it
# serves them from the apps' folders as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Sessions: a staff member's sign-in lasts a working day (SESSION_HOURS, counted from
# signing in), ends after SESSION_IDLE_MINUTES without a request (both counted by
# shinchoku.accounts.middleware) and ends when the browser closes; the cookie is out of
# reach of scripts and not sent with requests that other sites start (SameSite=Lax).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 60 * 60
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Running the site (shinchoku.ops; docs/configuration.md, "Running the site") -------
# Caches never live in one process's memory: every web process and every server behind
# the proxy must count the search limit together. The database by default (its table is
# made by `shinchoku migrate`), Redis when REDIS_URL names one. Sessions are in the
# database (Django's default engine).
_redis_url = os.environ.get("REDIS_URL", "").strip()
CACHES: dict[str, dict[str, Any]]
# The public pages are kept apart ("pages", shinchoku.published.pagecache), so that many
# pages never push the search counts out; a kept page is a day old at most.
if _redis_url:
    CACHES = {
        "default": {"BACKEND": "shinchoku.ops.rediscache.RedisCache", "LOCATION": _redis_url},
        "pages": {
            "BACKEND": "shinchoku.ops.rediscache.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "pages",
            "TIMEOUT": 24 * 60 * 60,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shinchoku_cache",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shinchoku_page_cache",
            "TIMEOUT": 24 * 60 * 60,
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
    }
# Public pages kept whole by data version (PUBLIC_PAGE_CACHE, default true; the ETag and
# its 304 stay on without it): see shinchoku.published.pagecache and docs/deploy.md.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
# Of those, what each process keeps in its own memory too, in front of the shared cache
# (PUBLIC_PAGE_MEMORY_MB, default 64 a process; 0 keeps none there).
PUBLIC_PAGE_MEMORY_MB = env_int("PUBLIC_PAGE_MEMORY_MB", 64)
# On PostgreSQL, each web process remembers the data versions while the database says
# none changed (DATA_VERSION_WATCH, default true; shinchoku.published.versionwatch).
DATA_VERSION_WATCH = env_bool("DATA_VERSION_WATCH", True)
# What one request may hold. REQUEST_MAX_MB (12) bounds the whole body, files included,
# a little over the 10 MB an import takes (shinchoku.interchange.importing.MAX_FILE_BYTES)
# so that a file just over that gets the import's own message; larger gets the 413 page.
# Form fields other than files may hold 2.5 MB (Django's default, enough for the longest
# entry), in at most 1,000 fields; an upload is kept in memory up to 2.5 MB, on disk
# (the system's temporary folder) above.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_MB", 12, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Searches one client address may make per minute (0: no limit), counted in the cache.
SEARCH_RATE_LIMIT = env_int("SEARCH_RATE_LIMIT", 60)
# Following a measure by e-mail (shinchoku.follow, docs/follow.md): offered with SITE_URL;
# how long a confirmation link works; confirmation mails one client address may ask for
# per minute (0: no limit).
FOLLOW_BY_MAIL = env_bool("FOLLOW_BY_MAIL", True)
FOLLOW_CONFIRM_HOURS = env_int("FOLLOW_CONFIRM_HOURS", 48, minimum=1)
FOLLOW_RATE_LIMIT = env_int("FOLLOW_RATE_LIMIT", 5)
# Requests to the open data API (/api/) one client address may make per minute (0: no limit).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 300)
# --- end of running the site ------------------------------------------------------------

# HTTPS. In production (DEBUG false) cookies are sent over HTTPS only, plain HTTP is
# redirected and browsers are told to remember it (HSTS, with its subdomains and the
# preload flag, so that `check --deploy` passes on the defaults); each can be turned off
# for a site behind a proxy that handles it (docs/configuration.md).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Trust X-Forwarded-Proto from the reverse proxy in front of the site.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): the pages load their styles, scripts (the Django
# admin's) and images from the site itself and nothing inline; forms post only to the site;
# no page may be framed, no plug-in loaded, no <base> change where links lead. The HTML
# report allows its own inline stylesheet by hash, on its response only
# (shinchoku.headers.allow_inline_styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Logging: every refusal (shinchoku.review, shinchoku.accounts, django.security — CSRF
# failures among them), every error and one line per request (shinchoku.access) go to
# standard error, where the service manager (systemd, a container runtime) collects it:
# one JSON object per line (LOG_FORMAT=json, the default without DEBUG) or text
# (LOG_FORMAT=text, the default with DEBUG), each with the request's id
# (shinchoku.ops.logs). LOG_LEVEL sets how much.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip() or ("text" if DEBUG else "json")
if LOG_FORMAT not in FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=os.environ.get("LOG_LEVEL", "INFO"),
    root_level=os.environ.get("LOG_LEVEL", "WARNING"),
    loggers={
        "django.security": {"level": "WARNING", "propagate": True},
        "axes": {"level": "WARNING", "propagate": True},
    },
)
