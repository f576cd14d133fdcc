"""The importers, each registering itself with ``shinchoku.interchange.importing``;
the order is the order they are tried in."""

from shinchoku.interchange.importers import dataset, entry_workbook, plan_structure  # noqa: F401
