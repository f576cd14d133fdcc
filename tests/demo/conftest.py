"""The demonstration setup's tests use the loaded demonstration data of the accounts tests."""

from tests.accounts.conftest import demo_loaded  # noqa: F401
