from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The open data: the JSON dataset and the CSV tables with their ``datapackage.json``,
    for ``shinchoku export`` and the public portal's downloads."""

    name = "shinchoku.opendata"
    label = "opendata"
