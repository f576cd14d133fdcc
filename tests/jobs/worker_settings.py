"""The test settings with the database queue, for a worker run in a process of its own
(tests/jobs/test_worker.py). DATABASE_URL names the database the test made for it."""

from shinchoku.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOBS_REPORTS_AFTER_PUBLISH = False
