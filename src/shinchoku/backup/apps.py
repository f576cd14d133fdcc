from django.apps import AppConfig


class BackupConfig(AppConfig):
    """Backup and restore of the whole installation (``shinchoku backup``, ``shinchoku restore``)."""

    name = "shinchoku.backup"
    label = "backup"
