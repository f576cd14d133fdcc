from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shinchoku.portal"
    label = "portal"
