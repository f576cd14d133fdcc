"""For the test settings only (``shinchoku.test_settings``): never name this in production."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ClientLoginAxesBackend(AxesStandaloneBackend):
    """axes' lockout check, except that a sign-in without a request (the test client's
    ``client.login(username=…, password=…)``) is passed on to the next backend instead of
    refused with axes' "request required" error. Sign-ins through the pages always have
    a request and are checked as in production."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
