"""Settings for the test suite: the normal settings with a throwaway key and
fast password hashing. DATABASE_URL still chooses the database.

The sign-in lockout (django-axes) stays on, so that the tests of signing in meet it as a
person does. Only the test client's ``client.login(username=…, password=…)``, which calls
``authenticate`` without a request, is let through unchecked
(``shinchoku.accounts.testing.ClientLoginAxesBackend``)
instead of failing with axes' "request required" error; ``force_login`` never meets axes.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from shinchoku.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test client and the live test server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

AUTHENTICATION_BACKENDS = [
    "shinchoku.accounts.testing.ClientLoginAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Each test process keeps its rendered reports apart from the checkout's var/.
REPORT_CACHE_DIR = Path(tempfile.mkdtemp(prefix="shinchoku-report-cache-"))
IMPORT_DIR = Path(tempfile.mkdtemp(prefix="shinchoku-imports-"))
OPENDATA_DIR = Path(tempfile.mkdtemp(prefix="shinchoku-opendata-"))

# Jobs run inside the request that starts them, unless a test is about the queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
JOBS_REPORTS_AFTER_PUBLISH = False
OPENDATA_BUILD_AFTER_WRITE = False

# Static files from the apps' folders as they are: the tests do not run collectstatic
# (tests/ops/test_gunicorn.py does, for the production stack).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True
# The search's rate limit counts in the cache, which costs queries that the search's own
# query budgets (tests/portal/test_search.py) do not count; tests/ops turn it on.
SEARCH_RATE_LIMIT = 0
# The same of the API's (tests/api turn it on).
API_RATE_LIMIT = 0
# The page cache off, so that the tests of a page's queries count the view's own (the
# ETag's version lookup stays, one query); the page cache's own tests turn it on
# (tests/published/test_pagecache*.py, tests/portal/test_cache*.py).
PUBLIC_PAGE_CACHE = False
# No process remembers data versions (shinchoku.published.versionwatch): its listening
# connection would outlive a test and keep its database from being dropped; its own tests
# turn it on and close it (tests/published/test_versionwatch.py).
DATA_VERSION_WATCH = False

# The test databases on PostgreSQL commit without waiting for the disk: a test database is
# thrown away, and the tests that commit (the browser's, the concurrency tests, each
# flushing every table after it) spend most of their time waiting otherwise. What is
# tested is the same: a commit that returned is seen by every connection.
for _database in DATABASES.values():  # noqa: F405
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["OPTIONS"].setdefault("options", "-c synchronous_commit=off")
