from django.apps import AppConfig


class PlanFormatsConfig(AppConfig):
    """The plan's file formats, an app of their own beside the plan they carry: the plan
    data file, the JSON dataset and the structure sheet, each read and written here."""

    name = "shinchoku.plans.formats"
    label = "plan_formats"
