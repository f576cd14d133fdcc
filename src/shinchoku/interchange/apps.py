from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "shinchoku.interchange"
    label = "interchange"
