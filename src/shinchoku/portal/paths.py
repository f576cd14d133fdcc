"""The address of a node's public page, made for many nodes at a time.

A search page links twenty nodes and the API lists a hundred; ``reverse`` matches the
URL patterns again for each (about a twentieth of a search page's time). The address is
the plan's part, made once by ``reverse``, and the node's code quoted as ``reverse``
quotes it: the same address, which ``tests/portal/test_paths.py`` checks against
``reverse`` itself.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

#: What ``reverse`` leaves as it is in a path.
_SAFE = RFC3986_SUBDELIMS + "/~:@"
#: A node's code standing for any while the plan's part is made: no plan's code (a slug)
#: holds it, and quoting leaves it.
_MARK = "~"


def node_page_path(plan_code: str, node_code: str) -> str:
    """``reverse("portal:node", args=[plan_code, node_code])``."""
    if not node_code or "/" in node_code:
        # No page has such a code: as reverse answers (NoReverseMatch).
        return reverse("portal:node", args=[plan_code, node_code])
    head, tail = _around(get_script_prefix(), get_urlconf(), get_language(), plan_code)
    return f"{head}{quote(node_code, safe=_SAFE)}{tail}"


@lru_cache(maxsize=256)
def _around(script_prefix: str, urlconf: str | None, language: str | None, plan_code: str) -> tuple[str, str]:
    """The address of a node's page of this plan before and after the node's code (the
    script prefix, URL configuration and language in force, which the address depends on
    (an English page's addresses start /en/), are the key)."""
    head, _mark, tail = reverse("portal:node", args=[plan_code, _MARK]).rpartition(_MARK)
    return head, tail
