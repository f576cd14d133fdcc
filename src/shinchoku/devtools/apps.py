from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tooling for benchmarks and tests: the synthetic-plan generator (``shinchoku synth``)."""

    name = "shinchoku.devtools"
    label = "devtools"
