"""The headers a public page, a staff page and the Django admin send, as a browser meets
them behind the proxy that terminates TLS: the Content-Security-Policy (framing refused),
no sniffing, the referrer kept on the site, HSTS over HTTPS only, the Permissions-Policy,
and the staff side never cached. (tests/test_headers.py checks the policies in depth.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    """The production settings of a site behind a TLS-terminating proxy."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


def pages(cycle: Cycle, admin_user: User) -> dict[str, Any]:
    editor, admin = Client(), Client()
    editor.force_login(cycle.editor)
    admin.force_login(admin_user)
    https = {"HTTP_X_FORWARDED_PROTO": "https"}
    return {
        "public": Client().get("/plans/plan9/", **https),
        "staff": editor.get(reverse("staff:entry", args=[cycle.entry.pk]), **https),
        "admin": admin.get("/admin/", **https),
    }


def test_every_kind_of_page_sends_the_defences(behind_proxy: None, cycle: Cycle, admin_user: User) -> None:
    for name, answer in pages(cycle, admin_user).items():
        assert answer.status_code == 200, name
        policy = answer["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy, name
        assert answer["X-Frame-Options"] == "DENY", name
        assert answer["X-Content-Type-Options"] == "nosniff", name
        assert answer["Referrer-Policy"] == "same-origin", name
        assert answer["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert answer["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", name
        assert "camera=()" in answer["Permissions-Policy"], name
        assert answer["X-Request-ID"], name
    answers = pages(cycle, admin_user)
    assert "no-store" not in answers["public"].get("Cache-Control", "")
    assert "no-store" in answers["staff"]["Cache-Control"]
    assert "no-store" in answers["admin"]["Cache-Control"]


def test_plain_http_is_redirected_and_gets_no_hsts(behind_proxy: None) -> None:
    answer = Client().get("/plans/plan9/", HTTP_X_FORWARDED_PROTO="http")
    assert answer.status_code == 301
    assert answer["Location"] == "https://testserver/plans/plan9/"
    assert "Strict-Transport-Security" not in answer
    # The health check is answered all the same, for the load balancer.
    assert Client().get("/healthz").status_code == 200


def test_a_forged_proxy_header_is_not_trusted_without_the_setting(settings: Any) -> None:
    """Without SECURE_PROXY_SSL_HEADER, a client's own X-Forwarded-Proto does not make a
    plain request secure (the redirect still happens)."""
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 301
