from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration install: the demonstration dataset (``shinchoku loaddemo``) and
    the made-up units, logins and open round that let it be tried (``shinchoku demo``)."""

    name = "shinchoku.demo"
    label = "demo"
