"""The interchange tests read the importers' messages in English (see tests/language.py)."""

from tests.language import english  # noqa: F401
