"""The entry workbook's tests read the importer's messages in English (see tests/language.py)."""

from tests.language import english  # noqa: F401
