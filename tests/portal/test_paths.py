"""A node's page address made for many nodes (``portal.paths``) is ``reverse``'s."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from shinchoku.portal.paths import node_page_path

CODES = [
    "1-2-3",
    "9",
    "施策１",
    "区 役所",
    "a%20b",
    "x?y#z",
    "~tilde~",
    "a&b=c;d",
    "ünï",
    "+:@!$'()*,",
    "\u3000全角空白",
    "🙂",
]


@pytest.mark.parametrize("prefix", ["/", "/city/", "/~shi/"])
@pytest.mark.parametrize("plan_code", ["kawasaki-2011", "p_1"])
def test_the_address_is_the_one_reverse_makes(prefix: str, plan_code: str) -> None:
    set_script_prefix(prefix)
    try:
        # Each language in turn and back: an English page's addresses start /en/.
        for language in ["ja", "en", "ja"]:
            with translation.override(language):
                for code in CODES:
                    made = node_page_path(plan_code, code)
                    assert made == reverse("portal:node", args=[plan_code, code]), (language, code)
    finally:
        clear_script_prefix()


@pytest.mark.parametrize("code", ["", "a/b"])
def test_a_code_no_page_can_have_is_refused_as_reverse_refuses_it(code: str) -> None:
    with pytest.raises(NoReverseMatch):
        node_page_path("plan", code)
