from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """Creates the database cache's table (when the cache is the database) after every
    ``migrate``: ``migrate`` is the one command every installation, upgrade and test
    database runs, so the table is never missing where the rate limit needs it. Done the
    way Django's own apps add their rows after migrating (contenttypes, permissions)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class OpsConfig(AppConfig):
    name = "shinchoku.ops"
    label = "ops"
    verbose_name = _("Operation")

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="shinchoku.ops.create_cache_table")
