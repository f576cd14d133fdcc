from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishedConfig(AppConfig):
    name = "shinchoku.published"
    label = "published"
    verbose_name = _("Published data")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from shinchoku.published import changes

        changes.connect()
        post_migrate.connect(changes.derive_missing, sender=self, dispatch_uid="published-derive-missing")
