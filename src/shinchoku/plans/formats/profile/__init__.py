"""A city's own evaluation workbook (or CSV), read with an import profile into the plan's
content: the format of docs/import-profiles.md. ``importer.py`` describes the steps."""
