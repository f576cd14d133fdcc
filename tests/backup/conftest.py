"""These tests read messages in English (see tests/language.py)."""

from tests.language import english  # noqa: F401
