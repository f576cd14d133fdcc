"""The queue's own app (django-tasks-db), installed through ``QueueConfig`` so that its
tables are named in the site's languages and kept out of the Django admin."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class QueueConfig(TasksAppConfig):
    """Staff follow their jobs on the job pages (``shinchoku.jobs.views``), not in the
    Django admin: the queue's rows are the worker's business."""

    # The library declares a plain str; Django takes a lazy translation as well.
    verbose_name = _("Job queue")  # type: ignore[assignment]

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)


# The queue's model names as the library gives them, translated in this project's
# catalogue (they appear among the permissions of the user form).
gettext_noop("Task Result")
gettext_noop("Task Results")
