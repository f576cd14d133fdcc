"""A NUL character in an address is refused with the 400 page before any view looks it
up (PostgreSQL refuses a NUL in a query: it was a 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/plans/plan-a/nodes/%00/",
        "/plans/plan-a%00/",
        "/search/?q=%E5%8C%BA%00",
        "/plans/plan-a/?page=%00",
    ],
)
def test_a_nul_character_in_the_address_is_the_400_page(address: str) -> None:
    make_world(code="plan-a")
    response = Client().get(address)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_api_answers_a_nul_with_its_own_problem() -> None:
    make_world(code="plan-a")
    response = Client().get("/api/v1/plans/plan-a/nodes/%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
