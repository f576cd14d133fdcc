from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class JobsConfig(AppConfig):
    name = "shinchoku.jobs"
    verbose_name = pgettext_lazy("job", "Background jobs")
