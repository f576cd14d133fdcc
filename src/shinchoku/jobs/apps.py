from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class JobsConfig(AppConfig):
    name = "shinchoku.jobs"
    verbose_name = pgettext_lazy("job", "Background jobs")

    def ready(self) -> None:
        from shinchoku.jobs import services
        from shinchoku.opendata import bundles

        bundles.build_wanted.connect(services.opendata_builds_queue, dispatch_uid="jobs-opendata-builds")
